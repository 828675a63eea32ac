"""Threads, the events logged on them and the milestones of the search: their tables and queries."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..models import Status
from .db import Store

__all__ = ["ThreadTable"]

_DELIVERED = (Status.SENT.value, Status.UNKNOWN.value)


def _chunks(ids: Sequence[str], size: int = 500) -> list[Sequence[str]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def _marks(chunk: Sequence[str]) -> str:
    return ",".join("?" * len(chunk))


class ThreadTable:
    """Reads and writes ``outreach_threads``, ``outreach_events`` and ``outreach_milestones``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def contact_of(self, thread_id: str) -> str | None:
        """The address key of the thread's contact, or None for an unknown thread."""
        rows = self.store.query("SELECT contact FROM outreach_threads WHERE id = ?", (thread_id,))
        return str(rows[0]["contact"]) if rows else None

    def threads(self, contact: str | None = None, ids: Sequence[str] | None = None) -> list[Mapping[str, Any]]:
        """Thread rows (id, contact, subject, purpose, created_at), oldest first; of one contact, or only ``ids``."""
        where, args = ("WHERE contact = ?", [contact]) if contact else ("", [])
        if ids is None:
            return self.store.query(f"SELECT * FROM outreach_threads {where} ORDER BY created_at", args)
        rows = [r for chunk in _chunks(ids) for r in self.store.query(
            f"SELECT rowid AS row, * FROM outreach_threads WHERE id IN ({_marks(chunk)})", chunk)
            if not contact or r["contact"] == contact]
        return sorted(rows, key=lambda r: (r["created_at"], r["row"]))

    def delivered(self, contact: str | None = None, ids: Sequence[str] | None = None) -> list[Mapping[str, Any]]:
        """The sent (or maybe sent) messages, oldest first within each thread, of one contact or of threads ``ids``."""
        # "+status": the status index would read every delivered message; a thread's or contact's index reads theirs.
        select = ("SELECT message_id, thread_id, kind, template, subject, sent_at, updated_at, status, followup_days"
                  " FROM outreach_messages WHERE +status IN (?, ?)")
        if ids is not None:
            return [r for chunk in _chunks(ids) for r in self.store.query(
                f"{select} AND thread_id IN ({_marks(chunk)}) ORDER BY id", [*_DELIVERED, *chunk])]
        where, args = ("AND contact = ?", [contact]) if contact else ("", [])
        return self.store.query(f"{select} {where} ORDER BY id", [*_DELIVERED, *args])

    def events(self, contact: str | None = None,
               ids: Sequence[str] | None = None) -> list[tuple[str, str, str, dict[str, Any]]]:
        """``(thread_id, kind, at, detail)`` of every event, in time order within each thread, of one contact's
        threads or of threads ``ids``."""
        select = "SELECT thread_id, kind, at, detail FROM outreach_events"
        if ids is not None:
            rows = [r for chunk in _chunks(ids) for r in self.store.query(
                f"{select} WHERE thread_id IN ({_marks(chunk)}) ORDER BY at, id", chunk)]
        else:
            where, args = ("WHERE thread_id IN (SELECT id FROM outreach_threads WHERE contact = ?)",
                           [contact]) if contact else ("", [])
            rows = self.store.query(f"{select} {where} ORDER BY at, id", args)
        return [(r["thread_id"], r["kind"], r["at"], json.loads(r["detail"])) for r in rows]

    def start(self, thread_id: str, contact: str, purpose: str, at: str) -> None:
        """Create a thread that has no message yet (an event logged with nothing sent)."""
        with self.store.transaction() as execute:
            execute("INSERT INTO outreach_threads (id, contact, subject, purpose, created_at) VALUES (?, ?, '', ?, ?)",
                    (thread_id, contact, purpose, at))

    def add_event(self, thread_id: str, kind: str, at: str, detail: Mapping[str, Any]) -> None:
        """Record an event on a thread."""
        with self.store.transaction() as execute:
            execute("INSERT INTO outreach_events (thread_id, kind, at, detail) VALUES (?, ?, ?, ?)",
                    (thread_id, kind, at, json.dumps(dict(detail))))

    def add_milestone(self, kind: str, at: str, detail: Mapping[str, Any]) -> None:
        """Record a milestone of the whole search, such as the job landed."""
        with self.store.transaction() as execute:
            execute("INSERT INTO outreach_milestones (kind, at, detail) VALUES (?, ?, ?)",
                    (kind, at, json.dumps(dict(detail))))

    def latest_milestone(self, kind: str) -> tuple[str, dict[str, Any]] | None:
        """``(at, detail)`` of the latest milestone of ``kind``."""
        rows = self.store.query("SELECT at, detail FROM outreach_milestones WHERE kind = ?"
                                " ORDER BY at DESC, id DESC LIMIT 1", (kind,))
        return (rows[0]["at"], json.loads(rows[0]["detail"])) if rows else None
