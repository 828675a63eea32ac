"""The threads that may owe something by a given time, found in SQL so that ``due`` never reads every thread.

The due rules themselves stay in :mod:`outreach.lifecycle.followups` (pure Python, the
specification); this query only leaves out threads that those rules certainly give nothing: threads
with no event, whose person has no event on any thread, that are already followed up
``max_followups`` times or whose next follow-up is more than a day after the limit (a day of margin,
so that time zones and time formats can only ever include a thread, never leave one out).

What a thread's follow-up needs (how many it had, when its last delivered message went and with which
delay) is kept in its row by triggers of the schema (migration ``0007-due-columns``), indexed, so a store
where nothing is due costs a few index probes however many threads it has.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .db import Store

__all__ = ["due_candidates", "threads_with_events"]

# Up to this many follow-ups the count is matched as a list of values (one index range per value);
# above it, as a range.
_LISTED = 16

# Every thread of a person with an event: the rules of replies, meetings, bounces and job updates.
_WITH_EVENTS = """
SELECT t.id FROM outreach_threads t
WHERE t.contact IN (SELECT t2.contact FROM outreach_events e JOIN outreach_threads t2 ON t2.id = e.thread_id)
"""


def _followups(max_followups: int) -> tuple[str, list[object]]:
    """The condition on ``followups`` (fewer than allowed) and its arguments, in a form the index serves."""
    if max_followups <= _LISTED:
        counts = list(range(max_followups))
        return f"followups IN ({','.join('?' * len(counts))})", list(counts)
    return "followups < ?", [max_followups]


def due_candidates(store: Store, limit: datetime, *, max_followups: int, followup_days: int | None) -> set[str]:
    """Ids of the threads the due rules must look at for items due by ``limit``; every other thread owes nothing."""
    found = {r["id"] for r in store.query(_WITH_EVENTS)}
    if max_followups <= 0:
        return found
    counts, args = _followups(max_followups)
    if followup_days is None:  # each message's own delay, as kept in next_followup
        sql = f"SELECT id FROM outreach_threads WHERE {counts} AND next_followup <= julianday(?) + 1"
        args.append(limit.isoformat())
    else:
        sql = f"SELECT id FROM outreach_threads WHERE {counts} AND last_sent <= julianday(?) + 1 - ?"
        args += [limit.isoformat(), followup_days]
    found.update(r["id"] for r in store.query(sql, args))
    return found


def threads_with_events(store: Store, kinds: tuple[str, ...]) -> set[str]:
    """Ids of the threads with an event of one of ``kinds`` (the meetings of ``due --ics`` read only those)."""
    if not kinds:
        return set()
    rows = store.query(f"SELECT DISTINCT thread_id FROM outreach_events WHERE kind IN ({','.join('?' * len(kinds))})",
                       kinds)
    return {r["thread_id"] for r in rows}
