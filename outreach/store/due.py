"""The threads that may owe something by a given time, found in SQL so that ``due`` never reads every thread.

The due rules themselves stay in :mod:`outreach.lifecycle.followups` (pure Python, the
specification); this query only leaves out threads that those rules certainly give nothing: threads
already followed up ``max_followups`` times or whose next follow-up is more than a day after the
limit, unless an event of theirs may make them owe something else (a meeting, a meeting with someone,
a check-in whose time may have come; after a job is landed, any event of the person). The day of
margin is there so that time zones and time formats can only ever include a thread, never leave one out.

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


# Once no job is landed: each thread with an event, if it has a meeting or a meeting with someone
# (their items, promises included, fall due at times only the rules read), or if its check-in may be
# due: its last activity (message, event or start; 0 where a time cannot be read, so it is looked at)
# plus the days between check-ins is within a day of the limit. A follow-up owed on such a thread is
# found by the follow-up query below.
_EVENT_THREADS = """
SELECT t.id FROM outreach_threads t
WHERE t.id IN (SELECT thread_id FROM outreach_events)
  AND (EXISTS (SELECT 1 FROM outreach_events e WHERE e.thread_id = t.id
               AND e.kind IN ('met', 'scheduled', 'rescheduled', 'cancelled'))
       OR MAX(COALESCE(julianday(t.created_at), 0),
              (SELECT MAX(COALESCE(julianday(e.at), 0)) FROM outreach_events e WHERE e.thread_id = t.id),
              COALESCE((SELECT MAX(COALESCE(julianday(COALESCE(NULLIF(m.sent_at, ''), m.updated_at)), 0))
                        FROM outreach_messages m WHERE m.thread_id = t.id AND m.status IN ('sent', 'unknown')), 0))
          + ? <= julianday(?) + 1)
"""


def _landed(store: Store) -> bool:
    """True once a job was landed: job updates then look at every thread of everyone with an event."""
    return bool(store.query("SELECT 1 FROM outreach_milestones WHERE kind = 'landed' LIMIT 1"))


def due_candidates(store: Store, limit: datetime, *, max_followups: int, followup_days: int | None,
                   checkin_days: int | None = None) -> set[str]:
    """Ids of the threads the due rules must look at for items due by ``limit``; every other thread owes nothing.

    ``checkin_days`` lets threads with events whose check-in is further off be left out; None reads every
    thread of a person with an event.
    """
    if checkin_days is None or _landed(store):
        found = {r["id"] for r in store.query(_WITH_EVENTS)}
    else:
        found = {r["id"] for r in store.query(_EVENT_THREADS, (checkin_days, limit.isoformat()))}
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
