"""A one-page brief before a conversation: who they are, how you found them, what was said, what
to ask, when and where you meet, and the networking guide's reminders.

Read-only: it gathers what the contact book and the threads already hold. Events it does not know
(added by later versions) are listed by their kind, never an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..models import ContactRecord, Sender
from ..store.db import Store
from .threads import Event, ThreadView, Threads, parse_time
from ..compose.variants import same_school

__all__ = ["DEFAULT_QUESTIONS", "REMINDERS", "Brief", "Meeting", "brief", "format_brief"]

# Drawn from the networking guide: prepare your questions, and ask for referrals and permission.
DEFAULT_QUESTIONS = (
    "How did you find your current job?",
    "What advice do you have for someone looking to enter this field?",
    "What do you wish you had known when you started?",
    "Who else would you recommend I talk with?",
    "May I mention your name when I contact them?",
)
# The guide's "Things to Remember".
REMINDERS = (
    "Be on time, and dress appropriately if you meet in person.",
    "Keep to the time you asked for (20 minutes): be considerate of their time.",
    "Know what you want to learn; don't ask what you can research on your own.",
    "Listen carefully and take good notes.",
    "Ask whom else you should talk to, and whether you may use their name.",
    "Thank them at the end, and send a thank-you within 24 hours.",
)
_MEETING_KINDS = ("scheduled", "rescheduled")


@dataclass(frozen=True)
class Meeting:
    """The next (or last) meeting: when, where, and whether it still stands."""

    when: str
    where: str = ""
    status: str = "scheduled"

    def as_json(self) -> dict[str, str]:
        """A JSON-ready dict."""
        return {"when": self.when, "where": self.where, "status": self.status}


@dataclass(frozen=True)
class Brief:
    """Everything to read before a conversation with one person."""

    email: str
    name: str = ""
    position: str = ""
    company: str = ""
    found: str = ""
    referrer: str = ""
    may_mention_referrer: bool = False
    history: tuple[tuple[datetime, str], ...] = ()
    notes: tuple[str, ...] = ()
    questions: tuple[str, ...] = DEFAULT_QUESTIONS
    own_questions: int = 0
    meeting: Meeting | None = None
    reminders: tuple[str, ...] = REMINDERS
    details: Mapping[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict, the shape ``outreach prep --json`` prints."""
        return {
            "email": self.email, "name": self.name, "position": self.position, "company": self.company,
            "found": self.found, "referrer": self.referrer or None, "may_mention_referrer": self.may_mention_referrer,
            "history": [{"at": at.isoformat(), "what": what} for at, what in self.history],
            "notes": list(self.notes), "questions": list(self.questions), "own_questions": self.own_questions,
            "meeting": self.meeting.as_json() if self.meeting else None, "reminders": list(self.reminders),
            "details": dict(self.details),
        }


def _found(record: ContactRecord | None, sender: Sender | None) -> str:
    if record is None:
        return "not in your contact book (written to directly)"
    parts = []
    if record.referrer_name:
        may = "you may mention them" if record.may_use_name else "you may NOT mention them"
        parts.append(f"referred by {record.referrer_name} ({may})")
    event = str(record.fields.get("event") or "").strip()
    if event:
        parts.append(f"met at {event}")
    school = record.fields.get("school")
    if sender is not None and same_school(school, sender.fields.get("school")):
        parts.append(f"alumni network ({school}, your school too)")
    if record.connected_on or "linkedin" in record.tags:
        parts.append("LinkedIn connection" + (f" since {record.connected_on}" if record.connected_on else ""))
    if not parts and record.tags:
        parts.append(f"from your contact book (tags: {', '.join(record.tags)})")
    return "; ".join(parts) or "from your contact book"


def _text(detail: Mapping[str, Any], *keys: str) -> str:
    return next((str(detail[k]).strip() for k in keys if str(detail.get(k) or "").strip()), "")


def _event_line(event: Event) -> str | None:
    d = event.detail
    kind = event.kind
    if kind == "question":
        return None
    if kind in _MEETING_KINDS:
        where = _text(d, "where", "place", "location")
        return f"meeting {kind} for {_text(d, 'date', 'at', 'when')[:16].replace('T', ' ')}" + (
            f" at {where}" if where else "")
    if kind == "cancelled":
        return "meeting cancelled"
    if kind == "met":
        return "you met" + (f": {_text(d, 'notes')}" if _text(d, "notes") else "")
    if kind == "replied":
        return "they replied" + (f": {d['subject']}" if d.get("subject") else "")
    if kind == "note":
        return f"note: {_text(d, 'text')}"
    if kind == "referral":
        return f"they referred you to {_text(d, 'name', 'address')}"
    return kind + "".join(f" {k}={v}" for k, v in d.items() if isinstance(v, (str, int, float)))


def _meeting(events: list[Event]) -> Meeting | None:
    current: Meeting | None = None
    for e in events:
        if e.kind in _MEETING_KINDS:
            when = _text(e.detail, "date", "at", "when")
            try:
                moment = parse_time(when)
                when = f"{moment:%Y-%m-%d}" if e.detail.get("all_day") else f"{moment.astimezone():%Y-%m-%d %H:%M}"
            except ValueError:
                pass
            current = Meeting(when=when, where=_text(e.detail, "where", "place", "location"))
        elif e.kind == "cancelled" and current is not None:
            current = Meeting(current.when, current.where, "cancelled")
        elif e.kind == "met" and current is not None:
            current = Meeting(current.when, current.where, "held")
    return current


def brief(store: Store, ref: str, *, sender: Sender | None = None) -> Brief:
    """The brief for the person ``ref`` (an address in any form, a secondary address or a contact id).

    Someone neither in the book nor in the journal raises :class:`ContactError` ("did you mean ...?").
    """
    from ..book.people import People

    person = People(store).resolve(ref)
    record, key = person.record, person.key
    views: list[ThreadView] = Threads(store).views(key) if key else []
    events = sorted((e for v in views for e in v.events), key=lambda e: e.at)
    history = sorted([(m.at, f"you sent the {m.kind or m.template}: {m.subject}") for v in views for m in v.messages]
                     + [(e.at, line) for e in events if (line := _event_line(e)) is not None],
                     key=lambda entry: entry[0])  # in time order; what was recorded first stays first on a tie
    notes = [record.notes.strip()] if record is not None and record.notes.strip() else []
    for e in events:
        if e.kind in ("note", "met"):
            for key_name in ("text", "notes", "learned", "action"):
                value = _text(e.detail, key_name)
                if value:
                    label = {"learned": "learned: ", "action": "you promised: "}.get(key_name, "")
                    notes.append(f"{e.at.astimezone():%Y-%m-%d}: {label}{value}")
    own = [_text(e.detail, "text") for e in events if e.kind == "question" and _text(e.detail, "text")]
    questions = tuple(dict.fromkeys([*own, *DEFAULT_QUESTIONS]))
    details = {}
    if record is not None:
        details = {k: str(v) for k, v in record.fields.items() if str(v).strip()}
        if record.linkedin_url:
            details["linkedin"] = record.linkedin_url
        if record.tags:
            details["tags"] = ", ".join(record.tags)
    return Brief(
        email=record.email if record is not None else key,
        name=record.name if record is not None else "",
        position=record.position if record is not None else "",
        company=record.company if record is not None else "",
        found=_found(record, sender),
        referrer=record.referrer_name if record is not None else "",
        may_mention_referrer=bool(record is not None and record.referrer_name and record.may_use_name),
        history=tuple(history), notes=tuple(notes), questions=questions, own_questions=len(dict.fromkeys(own)),
        meeting=_meeting(events), details=details,
    )


def format_brief(b: Brief, *, command: str = "outreach") -> str:
    """The brief as one page of text."""
    from ..compose.filters import a

    who = b.name or b.email
    role = " ".join(p for p in (a(b.position) if b.position else "", f"at {b.company}" if b.company else "") if p)
    lines = [f"Brief: {who}" + (f" <{b.email}>" if b.name and b.email else ""), ""]
    lines.append(f"Who:       {who}" + (f", {role}" if role else ""))
    lines.append(f"Found:     {b.found}")
    for k, v in b.details.items():
        lines.append(f"{(k.replace('_', ' ').capitalize() + ':'):<11}{v}")
    if b.meeting is None:
        lines.append(f"Meeting:   none scheduled yet ({command} log {b.email} --scheduled DATE)")
    else:
        where = f" at {b.meeting.where}" if b.meeting.where else " (no place recorded)"
        status = "" if b.meeting.status == "scheduled" else f" [{b.meeting.status}]"
        lines.append(f"Meeting:   {b.meeting.when}{where}{status}")
    lines += ["", "So far:"]
    lines += [f"  {at.astimezone():%Y-%m-%d}  {what}" for at, what in b.history] or ["  nothing yet"]
    lines += ["", "Notes:"]
    lines += [f"  - {n}" for n in b.notes] or ["  none yet"]
    lines += ["", f"Questions to ask ({b.own_questions} yours; add one with: {command} log {b.email} --question TEXT):"]
    lines += [f"  {i}. {q}" for i, q in enumerate(b.questions, start=1)]
    lines += ["", "Remember:"]
    lines += [f"  - {r}" for r in b.reminders]
    lines += ["", f"Afterwards: {command} log {b.email} --met --learned \"...\" --action \"...\","
                  f" then {command} send thank-you --contact {b.email}"]
    return "\n".join(lines) + "\n"
