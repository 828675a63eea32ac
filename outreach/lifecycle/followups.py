"""What is due, and why: pure functions of the threads, the policy and ``now``."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from ..compose.filters import the
from ..kinds import MEETING_EVENTS
from ..models import ThreadState
from ..record import record
from .threads import Event, ThreadView

__all__ = ["STATES", "DueItem", "Meeting", "Policy", "due_items", "meeting_of", "next_followup", "thread_state"]

STATES = tuple(state.value for state in ThreadState)
INBOUND = ("replied", "scheduled", "met")
MEETING_LENGTH = timedelta(hours=1)  # a timed meeting is taken to be over an hour after it starts


@record
class Policy:
    """The numbers behind the rules; ``followup_days`` None means each template's own value (else 7)."""

    followup_days: int | None = None
    max_followups: int = 2
    checkin_days: int = 90
    thank_you_hours: int = 24
    promise_days: int = 30
    nice_to_meet_days: int = 2

    def delay(self, template_days: int | None) -> timedelta:
        """Days to wait after a message before following it up."""
        days = self.followup_days if self.followup_days is not None else (template_days or 7)
        return timedelta(days=days)


@record
class DueItem:
    """One message the user owes: which, to whom, in which thread, by when, and why.

    ``template`` names the template to send when it is not the one named like the kind.
    """

    kind: str
    contact: str
    thread_id: str
    subject: str
    due_at: datetime
    reason: str
    late: bool = False
    step: int = 1
    template: str = ""

    @property
    def key(self) -> str:
        """The idempotency key of the message that settles this item."""
        return f"{self.kind}:{self.contact}:{self.thread_id}:{self.step}"

    def as_json(self) -> dict[str, object]:
        """A JSON-ready dict, the shape ``outreach due --json`` prints."""
        out: dict[str, object] = {
            "kind": self.kind, "contact": self.contact, "thread_id": self.thread_id, "subject": self.subject,
            "due_at": self.due_at.isoformat(), "reason": self.reason, "late": self.late, "step": self.step}
        if self.template:
            out["template"] = self.template
        return out


@record
class Meeting:
    """A meeting that is set: when, where, with whom, in which thread."""

    contact: str
    thread_id: str
    subject: str
    at: datetime
    all_day: bool = False
    where: str = ""
    notes: tuple[str, ...] = ()


def meeting_of(view: ThreadView) -> Meeting | None:
    """The meeting set on a thread and neither cancelled nor held yet, if any."""
    last = _last(view.events, *MEETING_EVENTS)
    if last is None or last.kind == "cancelled" or not last.detail.get("date"):
        return None
    met = _last(view.events, "met")
    if met is not None and met.at >= last.at:
        return None
    when = datetime.fromisoformat(str(last.detail["date"]))
    if when.tzinfo is None:
        when = when.replace(tzinfo=last.at.tzinfo)
    notes = tuple(str(e.detail.get("text", "")) for e in view.events if e.kind == "note" and e.detail.get("text"))
    return Meeting(view.contact, view.id, view.subject, when, bool(last.detail.get("all_day")),
                   str(last.detail.get("where", "")), notes)


def _last(events: Iterable[Event], *kinds: str) -> Event | None:
    found = [e for e in events if e.kind in kinds]
    return found[-1] if found else None


def _after(view: ThreadView, kind: str, when: datetime) -> bool:
    return any(m.kind == kind and m.at >= when for m in view.messages)


def thread_state(view: ThreadView, now: datetime, policy: Policy) -> ThreadState:
    """The thread's state, folded from its messages and events."""
    return ThreadState(_state(view, now, policy))


def _state(view: ThreadView, now: datetime, policy: Policy) -> str:
    """The thread's state, folded from its messages and events."""
    if view.closed:
        return "closed"
    bounced = _last(view.events, "bounced", "complained")
    fixed = _last(view.events, "readdressed")
    if bounced is not None and bounced.kind == "bounced" and fixed is not None and fixed.at >= bounced.at:
        bounced = None  # the address that bounced was corrected
    if bounced is not None and (not view.messages or view.messages[-1].at <= bounced.at):
        return "blocked"
    met = _last(view.events, "met")
    if met is not None:
        if not (_after(view, "thank-you", met.at) or (met.detail.get("event") and _after(view, "intro", met.at))):
            return "met"
        return "in-touch" if _after(view, "check-in", met.at) else "thanked"
    meeting = _last(view.events, *MEETING_EVENTS)
    replied = _last(view.events, "replied")
    if meeting is not None and (replied is None or meeting.at >= replied.at):
        return "meeting-cancelled" if meeting.kind == "cancelled" else "meeting-scheduled"
    if replied is not None:
        return "in-touch" if _after(view, "check-in", replied.at) else "replied"
    if not view.messages:
        return "in-touch"
    followups = sum(1 for m in view.messages if m.kind == "follow-up")
    last = view.messages[-1]
    if followups >= policy.max_followups and now >= last.at + policy.delay(last.followup_days):
        return "quiet"
    return "awaiting-reply"


def _followup(view: ThreadView, policy: Policy, limit: datetime) -> DueItem | None:
    followups = sum(1 for m in view.messages if m.kind == "follow-up")
    if followups >= policy.max_followups:
        return None
    last = view.messages[-1]
    due_at = last.at + policy.delay(last.followup_days)
    away = _last(view.events, "auto-reply")
    if away is not None and away.at >= last.at and away.detail.get("until"):
        due_at = max(due_at, datetime.fromisoformat(str(away.detail["until"])).replace(tzinfo=due_at.tzinfo)
                     + timedelta(days=1))
    if due_at > limit:
        return None
    nth = followups + 1
    word = {1: "first", 2: "second", 3: "third"}.get(nth, f"#{nth}")
    reason = f"no reply since {last.at:%Y-%m-%d} ({last.kind or last.template}); {word} follow-up of {policy.max_followups}"
    return DueItem("follow-up", view.contact, view.id, view.subject, due_at, reason, step=nth)


def _nice_to_meet(view: ThreadView, met: Event, now: datetime, policy: Policy) -> DueItem:
    """After meeting someone at a networking event: a "nice to meet you" (an intro) within a few days."""
    deadline = met.at + timedelta(days=policy.nice_to_meet_days)
    late = now > deadline
    reason = (f"you met at {the(met.detail['event'])} on {met.at:%Y-%m-%d}; a nice-to-meet-you is best sent within"
              f" {policy.nice_to_meet_days} days")
    if late:
        reason += f" (late since {deadline:%Y-%m-%d})"
    return DueItem("intro", view.contact, view.id, view.subject, met.at, reason, late=late, template="met-at-event")


def _thread_items(view: ThreadView, now: datetime, policy: Policy, limit: datetime) -> list[DueItem]:
    state = thread_state(view, now, policy)
    if state == "awaiting-reply":
        item = _followup(view, policy, limit)
        return [item] if item else []
    if state == "met":
        met = _last(view.events, "met")
        assert met is not None
        if met.detail.get("event"):
            return [_nice_to_meet(view, met, now, policy)]
        deadline = met.at + timedelta(hours=policy.thank_you_hours)
        late = now > deadline
        reason = f"you met on {met.at:%Y-%m-%d}; a thank-you is best sent within {policy.thank_you_hours} hours"
        if late:
            reason += f" (late since {deadline:%Y-%m-%d %H:%M})"
        return [DueItem("thank-you", view.contact, view.id, view.subject, met.at, reason, late=late)]
    if state == "meeting-scheduled":
        meeting = meeting_of(view)
        if meeting is None:
            return []
        where = f" ({meeting.where})" if meeting.where else ""
        when = f"{meeting.at:%Y-%m-%d}" if meeting.all_day else f"{meeting.at:%Y-%m-%d %H:%M}"
        over = meeting.at + (timedelta(days=1) if meeting.all_day else MEETING_LENGTH)
        if now >= over:
            return [DueItem("log-meeting", view.contact, view.id, view.subject, over,
                            f"you were to meet on {when}{where}; did you meet? log what you learned and will do"
                            f" (a thank-you falls due), or `outreach log {shlex.quote(view.contact)} --cancelled`")]
        day_before = (meeting.at - timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return [DueItem("prepare", view.contact, view.id, view.subject, day_before,
                        f"you meet on {when}{where}; read your brief and prepare your questions")]
    if state == "meeting-cancelled":
        cancelled = _last(view.events, "cancelled")
        assert cancelled is not None
        if not any(m.at >= cancelled.at for m in view.messages):
            followups = sum(1 for m in view.messages if m.kind == "follow-up")
            last_days = view.messages[-1].followup_days if view.messages else None
            return [DueItem("follow-up", view.contact, view.id, view.subject,
                            cancelled.at + policy.delay(last_days),
                            f"the meeting was cancelled on {cancelled.at:%Y-%m-%d}; follow up to rearrange it",
                            step=followups + 1)]
    if state in ("replied", "thanked", "in-touch", "meeting-cancelled"):
        silent_since = view.last_activity
        checkins = sum(1 for m in view.messages if m.kind == "check-in")
        met = _last(view.events, "met")
        if met is not None and met.detail.get("action") and not _after(view, "check-in", met.at):
            days = min(policy.promise_days, policy.checkin_days)
            reason = f"you promised: {met.detail['action']}; tell them how it went (within {days} days)"
        else:
            days = policy.checkin_days
            reason = f"silent since {silent_since:%Y-%m-%d}; stay in touch every {days} days"
        return [DueItem("check-in", view.contact, view.id, view.subject,
                        silent_since + timedelta(days=days), reason, step=checkins + 1)]
    return []


def next_followup(view: ThreadView, now: datetime, policy: Policy) -> DueItem | None:
    """The thread's next follow-up, however far off it falls due, or None when none is owed."""
    far = now + timedelta(days=36500)
    return next((i for i in _thread_items(view, now, policy, far) if i.kind == "follow-up"), None)


def due_items(
    views: Iterable[ThreadView],
    now: datetime,
    policy: Policy,
    *,
    landed: Event | None = None,
    is_blocked: Callable[[str], object] | None = None,
    horizon: timedelta = timedelta(0),
) -> list[DueItem]:
    """Everything due by ``now + horizon``, oldest first; blocked contacts owe nothing.

    Once you ``landed`` a job, threads begun before it with people who never answered owe nothing more.
    """
    views = [v for v in views if not (is_blocked and is_blocked(v.contact))]
    items: list[DueItem] = []
    limit = now + horizon
    for view in views:
        if landed is not None and _unanswered_before(view, landed):
            continue
        items += _thread_items(view, now, policy, limit)
    if landed is not None:
        items += _job_updates(views, landed)
    return sorted((i for i in items if i.due_at <= limit), key=lambda i: (i.due_at, i.contact))


def _unanswered_before(view: ThreadView, landed: Event) -> bool:
    """True for a thread begun before you landed whose person never answered: its follow-ups are moot now."""
    return (bool(view.messages) and view.messages[0].at <= landed.at
            and not any(e.kind in (*INBOUND, "rescheduled") for e in view.events))


def _job_updates(views: list[ThreadView], landed: Event) -> list[DueItem]:
    helped: dict[str, ThreadView] = {}
    for view in views:
        if any(e.kind in ("replied", "met") for e in view.events):
            current = helped.get(view.contact)
            if current is None or view.last_activity > current.last_activity:
                helped[view.contact] = view
    told = {v.contact for v in views if _after(v, "job-update", landed.at)}
    where = " at ".join(str(landed.detail.get(k, "")) for k in ("role", "company") if landed.detail.get(k))
    return [
        DueItem("job-update", contact, view.id, view.subject, landed.at,
                f"they helped during your search; tell them you landed{': ' + where if where else ''}")
        for contact, view in helped.items() if contact not in told and not view.closed
    ]
