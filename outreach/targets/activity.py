"""What happened with each person, folded from their threads: when you wrote, they replied, you met..."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ..lifecycle.followups import Policy, thread_state
from ..lifecycle.threads import ThreadView

__all__ = ["Activity", "NEVER_WRITTEN", "activities"]

NEVER_WRITTEN = "never-written"
# Message kinds and event kinds, as the report's stages name them.
_MESSAGE_STAGES = {"intro": "written", "thank-you": "thanked", "job-update": "job-update"}
_EVENT_STAGES = {"replied": "replied", "scheduled": "replied", "met": "met", "referral": "referral"}


@dataclass(frozen=True)
class Activity:
    """One person's history in numbers: the times of each stage, and the state of their latest thread."""

    contact: str
    state: str = NEVER_WRITTEN
    times: Mapping[str, tuple[datetime, ...]] = field(default_factory=dict)  # each sorted, oldest first

    def first(self, stage: str) -> datetime | None:
        """When ``stage`` (written, messaged, replied, met, thanked, referral, job-update) first happened."""
        found = self.times.get(stage, ())
        return found[0] if found else None

    def count(self, stage: str, since: datetime | None = None, until: datetime | None = None) -> int:
        """How many times ``stage`` happened in ``[since, until]`` (all time when not given)."""
        found = self.times.get(stage, ())
        low = bisect_left(found, since) if since is not None else 0
        high = bisect_right(found, until) if until is not None else len(found)
        return max(0, high - low)

    @property
    def written(self) -> bool:
        """True once any message went to this person."""
        return bool(self.times.get("messaged"))


def activities(views: Iterable[ThreadView], now: datetime, policy: Policy) -> dict[str, Activity]:
    """Each contact's activity, keyed by normalised address, from every thread with them."""
    by_contact: dict[str, list[ThreadView]] = {}
    for view in views:
        by_contact.setdefault(view.contact, []).append(view)
    out: dict[str, Activity] = {}
    for contact, threads in by_contact.items():
        times: dict[str, list[datetime]] = {}
        for view in threads:
            for m in view.messages:
                times.setdefault("messaged", []).append(m.at)
                if m.kind in _MESSAGE_STAGES:
                    times.setdefault(_MESSAGE_STAGES[m.kind], []).append(m.at)
            for e in view.events:
                if e.kind in _EVENT_STAGES:
                    times.setdefault(_EVENT_STAGES[e.kind], []).append(e.at)
        latest = max(threads, key=lambda v: v.last_activity)
        out[contact] = Activity(contact, thread_state(latest, now, policy),
                                {k: tuple(sorted(v)) for k, v in times.items()})
    return out
