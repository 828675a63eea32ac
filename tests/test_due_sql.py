"""``due`` reads only the threads SQL says may owe something: the same items as the pure rules over every thread."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seed import sent

from outreach.book.contacts import ContactBook
from outreach.config import Config
from outreach.lifecycle.agenda import agenda, policy_from
from outreach.lifecycle.followups import due_items
from outreach.lifecycle.threads import Threads
from outreach.store import Store

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
KINDS = ["intro", "follow-up", "check-in", "thank-you", "job-update"]
HOURS = st.integers(-24 * 200, 24 * 10)


def _event(kind: str, at_hours: int, flag: bool) -> tuple[str, int, dict[str, object]]:
    detail: dict[str, object] = {}
    if kind == "met" and flag:
        detail = {"event": "the Spring Fair"}
    elif kind == "met":
        detail = {"action": "read the book"}
    elif kind in ("scheduled", "rescheduled"):
        detail = {"date": (NOW + timedelta(hours=at_hours + 48)).isoformat()}
    elif kind == "auto-reply" and flag:
        detail = {"until": (NOW + timedelta(hours=at_hours + 24 * 5)).date().isoformat()}
    elif kind == "note":
        detail = {"text": "likes tea"}
    return kind, at_hours, detail


EVENT = st.builds(_event, st.sampled_from(["replied", "met", "scheduled", "rescheduled", "cancelled", "auto-reply",
                                           "bounced", "closed", "note"]), HOURS, st.booleans())
THREAD = st.tuples(st.integers(0, 5), st.lists(st.tuples(st.sampled_from(KINDS), HOURS), min_size=1, max_size=4),
                   st.lists(EVENT, max_size=3) | st.just([]), st.sampled_from([None, 0, 3, 7, 14]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(threads=st.lists(THREAD, min_size=1, max_size=12), landed=st.one_of(st.none(), HOURS),
       max_followups=st.integers(1, 3), followup_days=st.sampled_from([None, 0, 5]),
       horizon=st.sampled_from([0, 3, 30]))
def test_sql_pruning_finds_what_the_rules_find(threads: list, landed: int | None, max_followups: int,
                                               followup_days: int | None, horizon: int) -> None:
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "s.sqlite3") as store:
        for person, messages, events, days in threads:
            contact = f"p{person}@example.com"
            thread = None
            for kind, hours in sorted(messages, key=lambda m: m[1]):
                thread = sent(store, contact, kind, NOW + timedelta(hours=hours), thread=thread)
            if days != 7:
                with store.transaction() as execute:
                    execute("UPDATE outreach_messages SET followup_days = ? WHERE thread_id = ?", (days, thread))
            for kind, hours, detail in events:
                Threads(store).add_event(thread, kind, NOW + timedelta(hours=hours), detail)
        if landed is not None:
            Threads(store).record_milestone("landed", NOW + timedelta(hours=landed), {"company": "Globex"})
        config = Config(followup_days=followup_days, max_followups=max_followups)
        all_threads = Threads(store)
        expected = due_items(all_threads.views(), NOW, policy_from(config), landed=all_threads.milestone("landed"),
                             is_blocked=ContactBook(store).blocked_checker(), horizon=timedelta(days=horizon))
        assert agenda(store, config, NOW, timedelta(days=horizon)) == expected


def test_a_quiet_store_reads_no_thread(tmp_path: Path) -> None:
    from outreach.store.due import due_candidates

    with Store(tmp_path / "s.sqlite3") as store:
        for i in range(20):
            sent(store, f"p{i}@example.com", "intro", NOW - timedelta(days=3))
        assert due_candidates(store, NOW, max_followups=2, followup_days=None) == set()
        assert len(due_candidates(store, NOW + timedelta(days=5), max_followups=2, followup_days=None)) == 20
