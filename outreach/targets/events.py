"""Networking events: read from a calendar export (.ics), listed, marked as attending, reminded the day before."""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from ..errors import TargetError
from ..record import field, mutable_record
from ..store.db import Store
from ..store.plans import EventRow, EventTable

if TYPE_CHECKING:
    from ..lifecycle.followups import DueItem

__all__ = ["EventImport", "Events", "met_at_event", "parse_ics"]


@mutable_record
class EventImport:
    """What an import did: events added, updated, unchanged, newly cancelled, and VEVENTs skipped with why."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    cancelled: int = 0
    skipped: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        """A JSON-ready dict of the counts and skipped events."""
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "cancelled": self.cancelled, "skipped": list(self.skipped)}


def _line(value: object) -> str:
    """One line of text from a calendar value: line breaks and runs of spaces become one space, controls go."""
    from ..compose.controls import printable

    return " ".join(printable(str(value or "")).split())


def _visible(text: str) -> bool:
    """True when ``text`` has a letter, digit, punctuation mark or symbol (not only invisible characters)."""
    import unicodedata

    return any(unicodedata.category(ch)[0] in "LNPS" for ch in text)


def _moment(value: Any) -> tuple[datetime, bool]:
    """A DTSTART/DTEND value as an aware datetime, and whether it was a whole day."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.astimezone()), False
    if isinstance(value, date):
        return datetime.combine(value, time()).astimezone(), True
    raise ValueError(f"not a date or time: {value!r}")


def _vevents(data: bytes) -> Iterator[tuple[Any, bool]]:
    import icalendar

    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except (ValueError, IndexError, KeyError) as exc:
        raise TargetError("not an iCalendar (.ics) file: its lines cannot be read as calendar properties",
                          hint="export the calendar as .ics (iCalendar) and import that file") from exc
    for cal in calendars:
        cancelled_all = str(cal.get("method", "")).upper() == "CANCEL"
        for event in cal.walk("VEVENT"):
            yield event, cancelled_all


def parse_ics(data: bytes) -> tuple[list[dict[str, object]], list[str]]:
    """The events of a calendar as plain values keyed by UID, and the VEVENTs that cannot be used, with why."""
    import hashlib

    from ..compose.controls import printable

    events: dict[str, dict[str, object]] = {}
    skipped: list[str] = []
    for number, (event, cancelled_all) in enumerate(_vevents(data), start=1):
        summary = _line(event.get("summary"))
        where = f"event {number}" + (f" ({summary})" if summary else "")
        try:
            starts, all_day = _moment(event.decoded("dtstart"))
        except (KeyError, ValueError):
            skipped.append(f"{where}: it has no readable start (DTSTART)")
            continue
        if not _visible(summary):
            skipped.append(f"{where}: it has no title (SUMMARY)")
            continue
        ends: datetime | None = None
        try:
            if event.get("dtend") is not None:
                ends = _moment(event.decoded("dtend"))[0]
            elif event.get("duration") is not None:
                ends = starts + event.decoded("duration")
        except (KeyError, ValueError, TypeError):
            ends = None
        uid = _line(event.get("uid"))
        if not uid:
            uid = "outreach-" + hashlib.sha256(f"{summary}|{starts.isoformat()}".encode()).hexdigest()[:24]
        if event.get("recurrence-id") is not None:
            uid += "/" + _line(event.get("recurrence-id").to_ical().decode())
        url = _line(event.get("url"))
        try:
            sequence = int(event.get("sequence", 0))
        except (TypeError, ValueError):
            sequence = 0
        found = {
            "uid": uid, "summary": summary, "starts_at": starts, "ends_at": ends, "all_day": all_day,
            "location": _line(event.get("location")),
            "url": url if url.lower().startswith(("https://", "http://")) else "",
            "description": printable(str(event.get("description", "")).replace("\r\n", "\n"),
                                     keep_newlines=True).strip(),
            "cancelled": cancelled_all or str(event.get("status", "")).upper() == "CANCELLED",
            "sequence": sequence,
        }
        previous = events.get(uid)
        if previous is None or int(str(previous["sequence"])) <= sequence:
            events[uid] = found
    return list(events.values()), skipped


class Events:
    """Networking events kept in the store."""

    def __init__(self, store: Store) -> None:
        self.table = EventTable(store)

    def import_ics(self, data: bytes) -> EventImport:
        """Read a calendar: new events are added, changed ones updated (by UID), cancelled ones marked; idempotent."""
        events, skipped = parse_ics(data)
        counts = self.table.merge(events)
        return EventImport(skipped=skipped, **counts)

    def list(self, *, now: datetime | None = None, upcoming: timedelta | None = None) -> builtins.list[EventRow]:
        """Every event, soonest first; with ``upcoming``, only those starting between ``now`` and ``now + upcoming``."""
        rows = self.table.all()
        if upcoming is None:
            return rows
        if now is None:
            raise TargetError("listing upcoming events needs now")
        return [e for e in rows if now <= e.starts_at <= now + upcoming]

    def get(self, ref: int | str) -> EventRow:
        """An event by its id (``7`` or ``#7``)."""
        text = str(ref).strip().lstrip("#")
        found = self.table.get(int(text)) if text.isdigit() else None
        if found is None:
            what = f"#{text}" if text.isdigit() else repr(str(ref))
            raise TargetError(f"no event {what}", hint="see `outreach events list`")
        return found

    def find(self, name: str, at: datetime) -> EventRow | None:
        """The event called ``name`` (an id, or its title in any case) closest to ``at``; None when none is known."""
        text = name.strip()
        if text.lstrip("#").isdigit():
            return self.get(text)
        named = self.table.named(text)
        if not named:
            return None
        return min(named, key=lambda e: abs((e.starts_at - at).total_seconds()))

    def attend(self, ref: int | str, attending: bool = True) -> EventRow:
        """Mark an event as one you will go to (or no longer will): ``due`` reminds you the day before."""
        event = self.get(ref)
        if attending and event.cancelled:
            raise TargetError(f"event #{event.id} ({event.summary}) was cancelled")
        self.table.set_attending(event.id, attending)
        return self.get(event.id)

    def reminders(self, now: datetime, horizon: timedelta = timedelta(0)) -> builtins.list[DueItem]:
        """A reminder for each event you attend, due from the start of the day before (local time) until it starts."""
        attended = self.table.attended()
        if not attended:
            return []
        from ..lifecycle.followups import DueItem

        items = []
        for event in attended:
            day_before = event.starts_at.astimezone().date() - timedelta(days=1)
            due_at = datetime.combine(day_before, time()).astimezone()
            if event.cancelled or event.starts_at <= now or due_at > now + horizon:
                continue
            when = f"{event.starts_at.astimezone():%a %Y-%m-%d}" + ("" if event.all_day else
                                                                    f" {event.starts_at.astimezone():%H:%M}")
            where = f" at {event.location}" if event.location else ""
            reason = f"{event.summary}, {when}{where}: plan whom to meet; afterwards, log each person with --event"
            items.append(DueItem("event", "", f"event:{event.uid}", event.summary, due_at, reason))
        return items


def met_at_event(store: Store, email: str, event: str, at: datetime, *, name: str | None = None,
                 company: str | None = None) -> dict[str, object]:
    """What to log with a meeting at an event; the person (by main address) is added to the book if new.

    The event is found among the imported ones by id or title (else its name is kept as given), and
    its title is kept in the person's ``event`` field, so the met-at-event template can name it.
    """
    from ..book.contacts import ContactBook
    from ..errors import ContactError

    found = Events(store).find(event, at)
    title = found.summary if found else _line(event)
    if not _visible(title):
        raise TargetError("the event needs a name or an id", hint="see `outreach events list`")
    book = ContactBook(store)
    try:
        record = book.get(email)
    except ContactError:
        book.add(email, name=name or "", company=company or "", fields={"event": title})
    else:
        book.edit(record.id, fields={"event": title}, name=name if name and not record.name else None,
                  company=company if company and not record.company else None)
    return {"event": title, **({"event_id": found.id} if found else {})}
