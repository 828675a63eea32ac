"""Recording what happened with a person off-line: a reply, a meeting, a note, a referral, the end."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..book.contacts import ContactBook
from ..book.people import Person
from ..errors import ContactError
from ..models import EventKind
from ..store.db import Store
from .threads import Threads, ThreadView

__all__ = ["MEETING_KINDS", "log_event", "log_referral", "meeting_detail"]

MEETING_KINDS = (EventKind.SCHEDULED, EventKind.RESCHEDULED)
_DETAIL_OF = {
    EventKind.MET: ("learned", "action", "notes", "event", "event_id"),
    EventKind.NOTE: ("text",),
    EventKind.QUESTION: ("text",),
    EventKind.SCHEDULED: ("date", "all_day", "where"),
    EventKind.RESCHEDULED: ("date", "all_day", "where"),
}


def meeting_detail(at: datetime, *, all_day: bool = False, where: str | None = None) -> dict[str, object]:
    """The detail of a meeting event: its date (and time), whether it is all day, and where."""
    detail: dict[str, object] = {"date": at.isoformat(), "all_day": all_day}
    if where:
        detail["where"] = where
    return detail


def log_event(store: Store, person: Person, kind: EventKind | str, at: datetime,
              detail: Mapping[str, Any] | None = None) -> ThreadView:
    """Record one event on ``person``'s open thread of this purpose; a referral goes through :func:`log_referral`."""
    kind = EventKind(kind)
    if kind is EventKind.REFERRAL:
        raise ContactError("a referral names the referred person", hint="use log_referral(...)")
    clean = {k: v for k, v in (detail or {}).items() if v is not None and v != ""}
    extra = sorted(set(clean) - set(_DETAIL_OF.get(kind, ())))
    if extra:
        raise ContactError(f"{kind.value} takes no {', '.join(extra)}")
    if kind in MEETING_KINDS and not clean.get("date"):
        raise ContactError(f"{kind.value} needs the meeting's date")
    return Threads(store).log(person.key, kind.value, at, clean)


def log_referral(store: Store, person: Person, referral: str, name: str, at: datetime, *, may_use_name: bool = False,
                 referrer_name: str | None = None) -> ThreadView:
    """``person`` referred you to ``referral`` (``name``): add them to the book, referred by ``person``.

    The referrer's name must be known (from the book, the argument, or the first message to them),
    so that the intro to the referred person can say who suggested writing.
    """
    book = ContactBook(store)
    known = (referrer_name or person.name or store.first_variables_of(person.key).get("name", "")).strip()
    if not known:
        raise ContactError(
            f"the name of {person.key} is not known, so the intro could not say who referred them",
            hint=f"give it: outreach log {shlex.quote(person.key)} --referral {shlex.quote(referral)} --name"
                 f" {shlex.quote(name)}{' --may-use-name' if may_use_name else ''} --referrer-name \"First Last\"")
    if person.record is None:
        book.add(person.key, name=known)
    elif not person.record.name or referrer_name:
        book.edit(person.record.id, name=known)
    try:
        existing = book.get(referral)
    except ContactError:
        added = book.add(referral, name=name, referred_by=person.key, may_use_name=may_use_name)
    else:
        added = book.edit(existing.id, referred_by=person.key, may_use_name=may_use_name,
                          name=None if existing.name else name)
    return Threads(store).log(person.key, EventKind.REFERRAL.value, at,
                              {"address": added.email, "name": added.name or name, "may_use_name": may_use_name})
