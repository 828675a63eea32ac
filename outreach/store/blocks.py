"""The do-not-contact list and the bounce marks: tables ``outreach_blocks`` and ``outreach_bounces``."""

from __future__ import annotations

from .db import Store

__all__ = ["BlockTable"]


class BlockTable:
    """Reads and writes blocked addresses or domains and bounced addresses."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def blocks(self) -> list[tuple[str, str]]:
        """Every block as ``(pattern, since)``, by pattern."""
        return [(r["pattern"], r["created_at"])
                for r in self.store.query("SELECT pattern, created_at FROM outreach_blocks ORDER BY pattern")]

    def bounces(self) -> dict[str, tuple[str, str]]:
        """Every bounced address with ``(when, reason)``."""
        return {r["address"]: (r["at"], r["reason"])
                for r in self.store.query("SELECT address, at, reason FROM outreach_bounces")}

    def block(self, pattern: str, at: str) -> None:
        """Add ``pattern`` (an address key or ``@domain``) to the list; an existing block keeps its date."""
        with self.store.transaction() as execute:
            execute("INSERT OR IGNORE INTO outreach_blocks (pattern, created_at) VALUES (?, ?)", (pattern, at))

    def unblock(self, pattern: str) -> bool:
        """Remove the block and the bounce mark of ``pattern``; False when there was neither."""
        with self.store.transaction() as execute:
            blocked = execute("DELETE FROM outreach_blocks WHERE pattern = ?", (pattern,)).rowcount
            bounced = execute("DELETE FROM outreach_bounces WHERE address = ?", (pattern,)).rowcount
        return bool(blocked or bounced)

    def mark_bounced(self, address: str, at: str, reason: str) -> None:
        """Record that mail to ``address`` bounced (the latest bounce wins)."""
        with self.store.transaction() as execute:
            execute("INSERT INTO outreach_bounces (address, at, reason) VALUES (?, ?, ?) ON CONFLICT(address)"
                    " DO UPDATE SET at = excluded.at, reason = excluded.reason", (address, at, reason))
