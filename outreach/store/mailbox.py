"""What a mailbox sync keeps: the last UID read per folder and every incoming message seen."""

from __future__ import annotations

from .db import Store

__all__ = ["MailboxTable"]


class MailboxTable:
    """Reads and writes ``outreach_imap_state`` and ``outreach_inbox``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def folder_state(self, folder: str) -> tuple[int, int] | None:
        """``(uidvalidity, last_uid)`` of the folder's last sync, or None before the first."""
        rows = self.store.query("SELECT uidvalidity, last_uid FROM outreach_imap_state WHERE folder = ?", (folder,))
        return (int(rows[0]["uidvalidity"]), int(rows[0]["last_uid"])) if rows else None

    def save_folder_state(self, folder: str, uidvalidity: int, last_uid: int) -> None:
        """Remember how far the folder has been read."""
        with self.store.transaction() as execute:
            execute("INSERT INTO outreach_imap_state (folder, uidvalidity, last_uid) VALUES (?, ?, ?)"
                    " ON CONFLICT(folder) DO UPDATE SET uidvalidity = excluded.uidvalidity,"
                    " last_uid = excluded.last_uid", (folder, uidvalidity, last_uid))

    def first_sight(self, message_id: str, kind: str, thread_id: str | None, sender: str, subject: str,
                    at: str) -> bool:
        """Record an incoming message; False when it had been seen before (so it is not counted twice)."""
        with self.store.transaction() as execute:
            cur = execute("INSERT OR IGNORE INTO outreach_inbox (message_id, kind, thread_id, sender, subject,"
                          " seen_at) VALUES (?, ?, ?, ?, ?, ?)", (message_id, kind, thread_id, sender, subject, at))
        return bool(cur.rowcount == 1)
