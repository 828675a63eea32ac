"""The week at a glance: stages of the funnel, follow-ups sent, reply rate, targets, what is due, the streak of weeks.

The reply rate counts the people first written to in the period, except those you met (at an event,
say) or heard from before you wrote: they were never a cold message that could go unanswered.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ..config import Config
from ..book.contacts import ContactBook
from ..lifecycle.agenda import policy_from
from ..lifecycle.followups import DueItem, due_items
from ..lifecycle.threads import Threads
from ..store.db import Store
from .activity import Activity, activities
from .events import Events
from .targets import TargetSummary, Targets

__all__ = ["STAGES", "Report", "report"]

# (stage as the report names it, the activity it counts)
STAGES = (("written", "written"), ("replied", "replied"), ("met", "met"), ("thanked", "thanked"),
          ("referrals received", "referral"), ("job-updates sent", "job-update"))


@dataclass(frozen=True)
class Report:
    """The numbers of a period; the terminal table, ``--json`` and ``--html`` all render this."""

    since: datetime
    until: datetime
    stages: tuple[tuple[str, int], ...]
    reply_rate: float | None
    median_days_to_reply: float | None
    targets: tuple[TargetSummary, ...] = ()
    due: tuple[DueItem, ...] = ()
    streak_weeks: int = 0
    written_ever: int = 0
    followups_sent: int = 0
    reply_cohort: int = 0

    @property
    def late(self) -> int:
        """How many of the due items are late."""
        return sum(1 for i in self.due if i.late)

    def as_json(self) -> dict[str, object]:
        """A JSON-ready dict with every number of the report, the shape ``report --json`` prints."""
        return {
            "since": self.since.isoformat(), "until": self.until.isoformat(),
            "stages": {name: count for name, count in self.stages},
            "reply_rate": self.reply_rate, "median_days_to_reply": self.median_days_to_reply,
            "targets": [t.as_json() for t in self.targets],
            "due": [i.as_json() for i in self.due], "late": self.late, "streak_weeks": self.streak_weeks,
            "written_ever": self.written_ever, "followups_sent": self.followups_sent,
            "reply_cohort": self.reply_cohort,
        }


def _cohort(acts: list[Activity], since: datetime, until: datetime) -> list[Activity]:
    """The people first written to in the period, leaving out those you met (or heard from) before you wrote."""
    out = []
    for a in acts:
        first = a.first("written")
        if first is None or not since <= first <= until:
            continue
        if any(t < first for stage in ("replied", "met") for t in a.times.get(stage, ())):
            continue
        out.append(a)
    return out


def _reply_numbers(cohort: list[Activity]) -> tuple[float | None, float | None]:
    """Of the people first written to in the period (``cohort``), the share who answered, and the median days."""
    days: list[float] = []
    answered = 0
    for a in cohort:
        first = a.first("written")
        assert first is not None
        inbound = [t for stage in ("replied", "met") for t in a.times.get(stage, ()) if t >= first]
        if inbound:
            answered += 1
            days.append((min(inbound) - first).total_seconds() / 86400)
    if not cohort:
        return None, None
    return answered / len(cohort), (round(statistics.median(days), 1) if days else None)


def _week(moment: datetime) -> int:
    """A number for the (Monday to Sunday, UTC) week of ``moment``."""
    day = moment.astimezone(timezone.utc).date()
    return (day - timedelta(days=day.weekday())).toordinal() // 7


def _streak(acts: list[Activity], now: datetime) -> int:
    """Weeks in a row with at least one message sent, up to this week (or last week, if this one has none yet)."""
    weeks = {_week(t) for a in acts for t in a.times.get("messaged", ()) if t <= now}
    current = _week(now)
    if current not in weeks:
        current -= 1
    streak = 0
    while current in weeks:
        streak += 1
        current -= 1
    return streak


def report(store: Store, *, since: datetime | None = None, now: datetime, config: Config | None = None) -> Report:
    """The report of ``[since, now]`` (the last 7 days by default), computed from the store with ``now`` passed in."""
    config = config or Config()
    since = since or now - timedelta(days=7)
    policy = policy_from(config)
    threads = Threads(store)
    views = threads.views()
    by_contact = activities(views, now, policy)
    acts = list(by_contact.values())
    stages = tuple((name, sum(a.count(stage, since, now) if stage == "referral" else bool(a.count(stage, since, now))
                              for a in acts)) for name, stage in STAGES)
    cohort = _cohort(acts, since, now)
    rate, median = _reply_numbers(cohort)
    followups = sum(1 for v in views for m in v.messages if m.kind == "follow-up" and since <= m.at <= now)
    targets = Targets(store, per_week=config.targets.per_week, warm_tags=config.targets.warm_tags, policy=policy)
    summaries = tuple(targets.list(now, since=since, activity=by_contact))
    owed = due_items(views, now, policy, landed=threads.milestone("landed"),
                     is_blocked=ContactBook(store).blocked_checker())
    due = sorted([*owed, *Events(store).reminders(now)], key=lambda i: (i.due_at, i.contact))
    return Report(since=since, until=now, stages=stages, reply_rate=rate, median_days_to_reply=median,
                  targets=summaries, due=tuple(due), streak_weeks=_streak(acts, now),
                  written_ever=sum(1 for a in acts if a.first("written")), followups_sent=followups,
                  reply_cohort=len(cohort))
