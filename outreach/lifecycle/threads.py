"""Threads: the conversations with each contact, their messages and the events logged on them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from ..errors import ContactError
from ..models import EventKind
from ..record import field, record
from ..store.db import Store
from ..store.threads import ThreadTable

__all__ = ["EVENT_KINDS", "Event", "MessageView", "ThreadRef", "ThreadView", "Threads", "parse_time"]

EVENT_KINDS = tuple(kind.value for kind in EventKind)


def parse_time(text: str) -> datetime:
    """An ISO date or date-time from the store or the user; naive values are taken as UTC."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


@record
class ThreadRef:
    """What a reply needs to thread under a conversation."""

    thread_id: str
    subject: str
    message_ids: tuple[str, ...]


@record
class MessageView:
    """A delivered (or maybe delivered) message of a thread."""

    message_id: str
    kind: str
    template: str
    subject: str
    at: datetime
    status: str
    followup_days: int | None = None


@record
class Event:
    """Something that happened off-line or in the inbox: a reply, a meeting, a note..."""

    kind: str
    at: datetime
    detail: Mapping[str, Any] = field(default_factory=dict)


@record
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


class Threads:
    """Reads threads from the store and records events on them.

    A contact may be named by any address of the person (any case or IDN form, a secondary
    address) or by contact ID: all resolve to the same person, so to the same threads.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.table = ThreadTable(store)

    def person_key(self, contact: str) -> str:
        """The address key under which the person ``contact`` names has threads."""
        from ..book.people import People

        return People(self.store).key(contact)

    def view(self, thread_id: str) -> ThreadView | None:
        """One thread by its id."""
        contact = self.table.contact_of(thread_id)
        found = [v for v in self.views(contact) if v.id == thread_id] if contact else []
        return found[0] if found else None

    def views(self, contact: str | None = None, *, only: set[str] | None = None) -> list[ThreadView]:
        """Every thread with a delivered message or an event; only those with ``contact``, or with ids in ``only``."""
        contact = self.person_key(contact) if contact else None
        ids = sorted(only) if only is not None else None
        threads = self.table.threads(contact, ids)
        if ids is not None:
            ids = [t["id"] for t in threads]
        messages: dict[str, list[MessageView]] = {}
        for m in self.table.delivered(contact, ids):
            messages.setdefault(m["thread_id"], []).append(MessageView(
                message_id=m["message_id"], kind=m["kind"], template=m["template"], subject=m["subject"],
                at=parse_time(m["sent_at"] or m["updated_at"]), status=m["status"],
                followup_days=m["followup_days"]))
        events: dict[str, list[Event]] = {}
        for thread_id, kind, at, detail in self.table.events(contact, ids):
            events.setdefault(thread_id, []).append(Event(kind, parse_time(at), detail))
        out = []
        for t in threads:
            msgs, evs = tuple(messages.get(t["id"], ())), tuple(events.get(t["id"], ()))
            if not msgs and not evs:
                continue
            subject = t["subject"] or (msgs[0].subject if msgs else "")
            out.append(ThreadView(id=t["id"], contact=t["contact"], subject=subject, purpose=t["purpose"],
                                  created_at=parse_time(t["created_at"]), messages=msgs, events=evs))
        return out

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
        if view is None:
            thread_id = f"<logged-{uuid.uuid4().hex}@outreach.invalid>"
            self.table.start(thread_id, contact, kind, stamp)
        else:
            thread_id = view.id
        self.add_event(thread_id, kind, at, detail)
        found = [v for v in self.views(contact) if v.id == thread_id]
        return found[0]

    def add_event(self, thread_id: str, kind: str, at: datetime, detail: Mapping[str, Any] | None = None) -> None:
        """Record an event on a known thread."""
        if kind not in EVENT_KINDS:
            raise ContactError(f"unknown event {kind!r}")
        self.table.add_event(thread_id, kind, at.astimezone(timezone.utc).isoformat(timespec="seconds"), detail or {})

    def record_milestone(self, kind: str, at: datetime, detail: Mapping[str, Any]) -> None:
        """Record a milestone of the whole search, such as the job landed."""
        self.table.add_milestone(kind, at.astimezone(timezone.utc).isoformat(timespec="seconds"), detail)

    def milestone(self, kind: str) -> Event | None:
        """The latest milestone of ``kind``."""
        found = self.table.latest_milestone(kind)
        return Event(kind, parse_time(found[0]), found[1]) if found else None
