"""Write what is due as calendar to-dos (RFC 5545 VTODO) with the icalendar library."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from .followups import DueItem

__all__ = ["due_to_ics"]


def due_to_ics(items: Iterable[DueItem], now: datetime) -> bytes:
    """A VCALENDAR with one VTODO per item; UIDs are stable, so re-importing updates rather than duplicates."""
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
        todo.add("summary", f"Send a {item.kind} to {item.contact}")
        todo.add("description", f"{item.reason}\n\nRun: outreach send {item.kind} --contact {item.contact}")
        todo.add("due", item.due_at)
        todo.add("status", "NEEDS-ACTION")
        todo.add("priority", 1 if item.late else 5)
        todo.add("categories", ["networking", item.kind])
        cal.add_component(todo)
    return cal.to_ical()
