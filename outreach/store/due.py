"""The threads that may owe something by a given time, found in SQL so that ``due`` never reads every thread.

The due rules themselves stay in :mod:`outreach.lifecycle.followups` (pure Python, the
specification); this query only leaves out threads that those rules certainly give nothing: threads
with no event, whose person has no event on any thread, that are already followed up
``max_followups`` times or whose next follow-up is more than a day after the limit (a day of margin,
so that time zones and time formats can only ever include a thread, never leave one out).
"""

from __future__ import annotations

from datetime import datetime

from ..models import Status
from .db import Store

__all__ = ["due_candidates"]

# A thread's last delivered message, old enough for its follow-up to be due, with fewer than the
# allowed follow-ups; then every thread of a person with an event. Old enough is tested first, so a
# store where nothing is due costs one pass over the messages.
_CANDIDATES = """
SELECT m.thread_id AS id FROM outreach_messages m
WHERE m.status IN (?1, ?2)
  AND COALESCE(julianday(COALESCE(NULLIF(m.sent_at, ''), m.updated_at)), 0)
      + COALESCE(?4, NULLIF(m.followup_days, 0), 7) - 1 <= julianday(?5)
  AND NOT EXISTS (SELECT 1 FROM outreach_messages n
                  WHERE n.thread_id = m.thread_id AND n.id > m.id AND n.status IN (?1, ?2))
  AND (SELECT COUNT(*) FROM outreach_messages f WHERE f.thread_id = m.thread_id AND f.kind = 'follow-up'
       AND f.status IN (?1, ?2)) < ?3
UNION
SELECT t.id FROM outreach_threads t
WHERE t.contact IN (SELECT t2.contact FROM outreach_events e JOIN outreach_threads t2 ON t2.id = e.thread_id)
"""


def due_candidates(store: Store, limit: datetime, *, max_followups: int, followup_days: int | None) -> set[str]:
    """Ids of the threads the due rules must look at for items due by ``limit``; every other thread owes nothing."""
    # The statuses a thread's history counts as delivered (as lifecycle/threads.py reads them).
    rows = store.query(_CANDIDATES, (Status.SENT.value, Status.UNKNOWN.value, max_followups, followup_days,
                                     limit.isoformat()))
    return {r["id"] for r in rows}
