"""Threads: the conversations with each contact, their messages and the events logged on them."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..errors import ContactError
from ..models import EventKind, Status
from ..store.db import Store

__all__ = ["EVENT_KINDS", "Event", "MessageView", "ThreadRef", "ThreadView", "Threads", "parse_time"]

EVENT_KINDS = tuple(kind.value for kind in EventKind)
_DELIVERED = (Status.SENT.value, Status.UNKNOWN.value)


def parse_time(text: str) -> datetime:
    """An ISO date or date-time from the store or the user; naive values are taken as UTC."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class ThreadRef:
    """What a reply needs to thread under a conversation."""

    thread_id: str
    subject: str
    message_ids: tuple[str, ...]


@dataclass(frozen=True)
class MessageView:
    """A delivered (or maybe delivered) message of a thread."""

    message_id: str
    kind: str
    template: str
    subject: str
    at: datetime
    status: str
    followup_days: int | None = None


@dataclass(frozen=True)
class Event:
    """Something that happened off-line or in the inbox: a reply, a meeting, a note..."""

    kind: str
    at: datetime
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ThreadView:
    """One conversation: its messages and events, oldest first."""

    id: str
    contact: str
    subject: str
    purpose: str
    created_at: datetime
    messages: tuple[MessageView, ...] = ()
    events: tuple[Event, ...] = ()

    @property
    def last_activity(self) -> datetime:
        """The time of the latest message or event."""
        times = [m.at for m in self.messages] + [e.at for e in self.events] + [self.created_at]
        return max(times)

    @property
    def closed(self) -> bool:
        """True once the user logged ``--closed``."""
        return any(e.kind == "closed" for e in self.events)


def _chunks(ids: list[str], size: int = 500) -> list[list[str]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


class Threads:
    """Reads threads from the store and records events on them.

    A contact may be named by any address of the person (any case or IDN form, a secondary
    address) or by contact ID: all resolve to the same person, so to the same threads.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def person_key(self, contact: str) -> str:
        """The address key under which the person ``contact`` names has threads."""
        from ..book.people import People

        return People(self.store).key(contact)

    def view(self, thread_id: str) -> ThreadView | None:
        """One thread by its id."""
        rows = self.store.query("SELECT contact FROM threads WHERE id = ?", (thread_id,))
        found = [v for v in self.views(rows[0]["contact"]) if v.id == thread_id] if rows else []
        return found[0] if found else None

    def views(self, contact: str | None = None, *, only: set[str] | None = None) -> list[ThreadView]:
        """Every thread that has a delivered message or an event, optionally only with ``contact`` or ``only`` these ids."""
        contact = self.person_key(contact) if contact else None
        where, args = ("WHERE t.contact = ?", [contact]) if contact else ("", [])
        if only is None:
            threads = self.store.query(f"SELECT * FROM threads t {where} ORDER BY t.created_at", args)
        else:
            threads = sorted((t for chunk in _chunks(sorted(only)) for t in self.store.query(
                f"SELECT rowid AS row, * FROM threads t WHERE id IN ({','.join('?' * len(chunk))})", chunk)
                if not contact or t["contact"] == contact), key=lambda t: (t["created_at"], t["row"]))
        messages: dict[str, list[MessageView]] = {}
        events: dict[str, list[Event]] = {}
        for chunk in _chunks([t["id"] for t in threads]) if only is not None else [None]:
            self._read(contact, args, chunk, messages, events)
        out = []
        for t in threads:
            msgs, evs = tuple(messages.get(t["id"], ())), tuple(events.get(t["id"], ()))
            if not msgs and not evs:
                continue
            subject = t["subject"] or (msgs[0].subject if msgs else "")
            out.append(ThreadView(id=t["id"], contact=t["contact"], subject=subject, purpose=t["purpose"],
                                  created_at=parse_time(t["created_at"]), messages=msgs, events=evs))
        return out

    def _read(self, contact: str | None, args: list[str], ids: list[str] | None,
              messages: dict[str, list[MessageView]], events: dict[str, list[Event]]) -> None:
        """Add the delivered messages and the events of the threads with ``contact``, or with ``ids``, or all."""
        if ids is not None:
            marks = ",".join("?" * len(ids))
            mwhere, ewhere, args = f"AND thread_id IN ({marks})", f"WHERE thread_id IN ({marks})", ids
        else:
            mwhere = "AND contact = ?" if contact else ""
            ewhere = "WHERE thread_id IN (SELECT id FROM threads WHERE contact = ?)" if contact else ""
        for m in self.store.query(
            "SELECT message_id, thread_id, kind, template, subject, sent_at, updated_at, status, followup_days"
            f" FROM messages WHERE status IN (?, ?) {mwhere} ORDER BY id", [*_DELIVERED, *args]
        ):
            messages.setdefault(m["thread_id"], []).append(MessageView(
                message_id=m["message_id"], kind=m["kind"], template=m["template"], subject=m["subject"],
                at=parse_time(m["sent_at"] or m["updated_at"]), status=m["status"],
                followup_days=m["followup_days"]))
        for e in self.store.query(f"SELECT * FROM events {ewhere} ORDER BY at, id", args):
            events.setdefault(e["thread_id"], []).append(Event(e["kind"], parse_time(e["at"]), json.loads(e["detail"])))

    def latest(self, contact: str, *, include_closed: bool = False) -> ThreadView | None:
        """The contact's most recently active thread (not closed, unless asked)."""
        views = [v for v in self.views(contact) if include_closed or not v.closed]
        return max(views, key=lambda v: v.last_activity) if views else None

    def ref(self, contact: str, thread_id: str | None = None) -> ThreadRef | None:
        """How a reply to ``contact`` threads: under ``thread_id`` if given, else their latest open thread."""
        view = self.view(thread_id) if thread_id else self.latest(contact)
        if view is None:
            return None
        return ThreadRef(view.id, view.subject, tuple(m.message_id for m in view.messages))

    def log(self, contact: str, kind: str, at: datetime, detail: Mapping[str, Any] | None = None) -> ThreadView:
        """Record an event on the contact's latest open thread; with none, start one for it."""
        if kind not in EVENT_KINDS:
            raise ContactError(f"unknown event {kind!r}")
        contact = self.person_key(contact)
        view = self.latest(contact)
        stamp = at.astimezone(timezone.utc).isoformat(timespec="seconds")
        with self.store.transaction() as execute:
            if view is None:
                thread_id = f"<logged-{uuid.uuid4().hex}@outreach.invalid>"
                execute("INSERT INTO threads (id, contact, subject, purpose, created_at) VALUES (?, ?, '', ?, ?)",
                        (thread_id, contact, kind, stamp))
            else:
                thread_id = view.id
        self.add_event(thread_id, kind, at, detail)
        found = [v for v in self.views(contact) if v.id == thread_id]
        return found[0]

    def add_event(self, thread_id: str, kind: str, at: datetime, detail: Mapping[str, Any] | None = None) -> None:
        """Record an event on a known thread."""
        if kind not in EVENT_KINDS:
            raise ContactError(f"unknown event {kind!r}")
        with self.store.transaction() as execute:
            execute("INSERT INTO events (thread_id, kind, at, detail) VALUES (?, ?, ?, ?)",
                    (thread_id, kind, at.astimezone(timezone.utc).isoformat(timespec="seconds"),
                     json.dumps(dict(detail or {}))))

    def record_milestone(self, kind: str, at: datetime, detail: Mapping[str, Any]) -> None:
        """Record a milestone of the whole search, such as the job landed."""
        with self.store.transaction() as execute:
            execute("INSERT INTO milestones (kind, at, detail) VALUES (?, ?, ?)",
                    (kind, at.astimezone(timezone.utc).isoformat(timespec="seconds"), json.dumps(dict(detail))))

    def milestone(self, kind: str) -> Event | None:
        """The latest milestone of ``kind``."""
        rows = self.store.query("SELECT * FROM milestones WHERE kind = ? ORDER BY at DESC, id DESC LIMIT 1", (kind,))
        return Event(kind, parse_time(rows[0]["at"]), json.loads(rows[0]["detail"])) if rows else None
