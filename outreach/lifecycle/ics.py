"""Write what is due as calendar to-dos (RFC 5545 VTODO) with the icalendar library."""

from __future__ import annotations

import hashlib
import shlex
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .followups import DueItem, Meeting

if TYPE_CHECKING:
    import icalendar

__all__ = ["due_to_ics"]


def due_to_ics(items: Iterable[DueItem], now: datetime, *, commands: Mapping[str, str] | None = None,
               meetings: Iterable[Meeting] = (), names: Mapping[str, str] | None = None) -> bytes:
    """A VCALENDAR with one VTODO per item and one VEVENT per meeting; stable UIDs, so re-importing updates.

    ``commands`` maps an item's key to the command that settles it; ``names`` maps addresses to names, which
    the titles use ("Send a follow-up to Maya Chen"; the address when the name is not known).
    """
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//outreach//due list//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "outreach: networking to-dos")
    for item in items:
        todo = icalendar.Todo()
        digest = hashlib.sha256(item.key.encode()).hexdigest()[:24]
        todo.add("uid", f"{digest}@outreach")
        todo.add("dtstamp", now)
        todo.add("summary", _title(item, (names or {}).get(item.contact, "")))
        command = (commands or {}).get(item.key) or \
            f"outreach send {shlex.quote(item.kind)} --contact {shlex.quote(item.contact)}"
        todo.add("description", f"{item.reason}\n\nRun: {command}")
        todo.add("due", item.due_at)
        todo.add("status", "NEEDS-ACTION")
        todo.add("priority", 1 if item.late else 5)
        todo.add("categories", ["networking", item.kind])
        cal.add_component(todo)
    for meeting in meetings:
        cal.add_component(_event(meeting, now, (names or {}).get(meeting.contact, "")))
    return bytes(cal.to_ical())


def _title(item: DueItem, name: str) -> str:
    """A to-do's title naming the person: "Send a follow-up to Maya Chen", "Prepare for your meeting with ..."."""
    from ..compose.filters import a

    who = name.strip() or item.contact
    if item.kind == "prepare":
        return f"Prepare for your meeting with {who}"
    if item.kind == "log-meeting":
        return f"Log your meeting with {who}"
    return f"Send {a(item.kind)} to {who}"


def _event(meeting: Meeting, now: datetime, name: str) -> icalendar.Event:
    """One VEVENT for a meeting: the contact, the thread's subject and the notes."""
    import icalendar

    event = icalendar.Event()
    digest = hashlib.sha256(f"meeting:{meeting.thread_id}".encode()).hexdigest()[:24]
    event.add("uid", f"{digest}@outreach")
    event.add("dtstamp", now)
    who = f"{name} <{meeting.contact}>" if name else meeting.contact
    event.add("summary", f"Meeting with {name or meeting.contact}")
    if meeting.all_day:
        event.add("dtstart", meeting.at.date())
        event.add("dtend", meeting.at.date() + timedelta(days=1))
    else:
        event.add("dtstart", meeting.at)
        event.add("dtend", meeting.at + timedelta(minutes=30))
    if meeting.where:
        event.add("location", meeting.where)
    lines = [f"With: {who}", f"Thread: {meeting.subject or '(no email yet)'}", *(f"Note: {n}" for n in meeting.notes),
             "", f"After it: outreach log {shlex.quote(meeting.contact)} --met --learned \"...\" --action \"...\""]
    event.add("description", "\n".join(lines))
    event.add("categories", ["networking", "meeting"])
    return event
