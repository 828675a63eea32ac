"""``due`` reads only the threads SQL says may owe something: the same items as the pure rules over every thread."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
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


def _started_with_first_message(store: Store) -> None:
    """Date each thread from its first message, as a real store does (the journal stamps the wall clock)."""
    with store.transaction() as execute:
        execute("UPDATE outreach_threads SET created_at = (SELECT COALESCE(m.sent_at, m.updated_at)"
                " FROM outreach_messages m WHERE m.thread_id = outreach_threads.id ORDER BY m.id LIMIT 1)"
                " WHERE id IN (SELECT thread_id FROM outreach_messages)")


EVENT = st.builds(_event, st.sampled_from(["replied", "met", "scheduled", "rescheduled", "cancelled", "auto-reply",
                                           "bounced", "closed", "note"]), HOURS, st.booleans())
THREAD = st.tuples(st.integers(0, 5), st.lists(st.tuples(st.sampled_from(KINDS), HOURS), min_size=1, max_size=4),
                   st.lists(EVENT, max_size=3) | st.just([]), st.sampled_from([None, 0, 3, 7, 14]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(threads=[(0, [("intro", -48)], [("replied", -24, False)], 7)], landed=-12, max_followups=2,
         followup_days=None, horizon=0, checkin_days=90)  # a job update to someone who replied yesterday
@example(threads=[(0, [("intro", -24 * 95), ("follow-up", -24 * 93), ("follow-up", -24 * 91)],
                   [("replied", -24 * 90, False)], 7)], landed=None, max_followups=2,
         followup_days=None, horizon=0, checkin_days=90)  # a check-in due this very hour, follow-ups done
@given(threads=st.lists(THREAD, min_size=1, max_size=12), landed=st.one_of(st.none(), HOURS),
       max_followups=st.integers(1, 3), followup_days=st.sampled_from([None, 0, 5]),
       horizon=st.sampled_from([0, 3, 30]), checkin_days=st.sampled_from([90, 20, 1, 0]))
def test_sql_pruning_finds_what_the_rules_find(threads: list, landed: int | None, max_followups: int,
                                               followup_days: int | None, horizon: int, checkin_days: int) -> None:
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
        _started_with_first_message(store)
        config = Config(followup_days=followup_days, max_followups=max_followups, checkin_days=checkin_days)
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


ZONES = [timezone.utc, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8)), None]
# Around the exact moment a follow-up falls due: a second, an hour, a day either side.
EDGES = st.sampled_from([0, 1, -1, 3600, -3600, 86399, -86399, 86400, -86400])


def _stamp(at: datetime, zone: timezone | None, z: bool) -> str:
    """``at`` written as the store may hold it: an offset, naive UTC, or a Z suffix."""
    if zone is None:
        return at.astimezone(timezone.utc).replace(tzinfo=None).isoformat()
    text = at.astimezone(zone).isoformat()
    return text.replace("+00:00", "Z") if z and zone is timezone.utc else text


EDGE_THREAD = st.tuples(st.integers(0, 3), st.lists(st.sampled_from(["intro", "follow-up", "check-in"]), min_size=1,
                                                    max_size=3),
                        EDGES, st.sampled_from(ZONES), st.booleans(), st.sampled_from(["sent", "unknown"]),
                        st.sampled_from([None, 0, 3, 7]), st.lists(EVENT, max_size=2))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(threads=[(0, ["intro"], 0, timezone.utc, False, "sent", None, [])], max_followups=2, followup_days=None,
         horizon=0, blocked=set())
@example(threads=[(0, ["intro", "follow-up"], 0, timezone(timedelta(hours=-8)), False, "unknown", 3, [])],
         max_followups=2, followup_days=5, horizon=1, blocked=set())
@example(threads=[(1, ["intro"], 1, None, False, "sent", 7, []), (2, ["intro"], 0, timezone.utc, True, "sent", 0, [])],
         max_followups=1, followup_days=None, horizon=0, blocked={1})
@given(threads=st.lists(EDGE_THREAD, min_size=1, max_size=8), max_followups=st.integers(0, 3),
       followup_days=st.sampled_from([None, 0, 5, 7]), horizon=st.sampled_from([0, 1, 7]),
       blocked=st.sets(st.integers(0, 3), max_size=2))
def test_time_zones_statuses_and_the_exact_edge_agree_with_the_rules(
        threads: list, max_followups: int, followup_days: int | None, horizon: int, blocked: set[int]) -> None:
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "s.sqlite3") as store:
        config = Config(followup_days=followup_days, max_followups=max_followups)
        for person, kinds, edge, zone, z, status, days, events in threads:
            contact = f"p{person}@example.com"
            delay = timedelta(days=followup_days if followup_days is not None else (days or 7))
            last = NOW + timedelta(hours=horizon * 24) - delay + timedelta(seconds=edge)
            thread = None
            for i, kind in enumerate(kinds):
                thread = sent(store, contact, kind, last - timedelta(days=len(kinds) - 1 - i), thread=thread)
            with store.transaction() as execute:
                execute("UPDATE outreach_messages SET followup_days = ? WHERE thread_id = ?", (days, thread))
                execute("UPDATE outreach_messages SET status = ? WHERE id = (SELECT MAX(id) FROM outreach_messages"
                        " WHERE thread_id = ?)", (status, thread))
                for row in store.query("SELECT id, sent_at FROM outreach_messages WHERE thread_id = ?", (thread,)):
                    stamp = _stamp(datetime.fromisoformat(row["sent_at"]), zone, z)
                    if status == "unknown":  # a message that may have gone: its time is when that was recorded
                        execute("UPDATE outreach_messages SET sent_at = NULL, updated_at = ? WHERE id = ?",
                                (stamp, row["id"]))
                    else:
                        execute("UPDATE outreach_messages SET sent_at = ? WHERE id = ?", (stamp, row["id"]))
            for kind, hours, detail in events:
                Threads(store).add_event(thread, kind, NOW + timedelta(hours=hours), detail)
        for person in blocked:
            ContactBook(store).block(f"p{person}@example.com")
        _started_with_first_message(store)
        all_threads = Threads(store)
        expected = due_items(all_threads.views(), NOW, policy_from(config), landed=None,
                             is_blocked=ContactBook(store).blocked_checker(), horizon=timedelta(days=horizon))
        assert agenda(store, config, NOW, timedelta(days=horizon)) == expected
