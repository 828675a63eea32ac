"""The SQLite store: connection, migrations and every SQL statement of the package.

``db`` holds the connection and the journal of messages; ``schema`` the ``outreach_*`` tables and their named
migrations; ``contacts``, ``blocks``, ``threads`` and ``mailbox`` are the repositories of the other table groups.
"""

from .db import JournalEntry, JournalState, Store
from .schema import MIGRATIONS, Migration

__all__ = ["MIGRATIONS", "JournalEntry", "JournalState", "Migration", "Store"]
