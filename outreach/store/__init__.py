"""The SQLite store: connection, migrations and every SQL statement of the package."""

from .db import MIGRATIONS, JournalEntry, JournalState, Store

__all__ = ["MIGRATIONS", "JournalEntry", "JournalState", "Store"]
