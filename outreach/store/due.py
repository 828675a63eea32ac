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

_CANDIDATES = """
WITH delivered AS (
    SELECT id, thread_id, kind, followup_days, COALESCE(NULLIF(sent_at, ''), updated_at) AS at
    FROM messages WHERE status IN (?, ?)
),
per_thread AS (
    SELECT thread_id, SUM(kind = 'follow-up') AS followups, MAX(id) AS last_id FROM delivered GROUP BY thread_id
)
SELECT p.thread_id AS id FROM per_thread p JOIN delivered d ON d.id = p.last_id
WHERE p.followups < ?
  AND COALESCE(julianday(d.at), 0) + COALESCE(?, NULLIF(d.followup_days, 0), 7) - 1 <= julianday(?)
UNION
SELECT t.id FROM threads t
WHERE t.contact IN (SELECT t2.contact FROM events e JOIN threads t2 ON t2.id = e.thread_id)
"""


def due_candidates(store: Store, limit: datetime, *, max_followups: int, followup_days: int | None) -> set[str]:
    """Ids of the threads the due rules must look at for items due by ``limit``; every other thread owes nothing."""
    # The statuses a thread's history counts as delivered (as lifecycle/threads.py reads them).
    rows = store.query(_CANDIDATES, (Status.SENT.value, Status.UNKNOWN.value, max_followups, followup_days,
                                     limit.isoformat()))
    return {r["id"] for r in rows}
