"""The due columns of ``outreach_threads`` follow every change to a thread's messages, and migrations fill them."""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from legacy_schema import LEGACY_SCRIPTS, legacy_store

from outreach.lifecycle.threads import parse_time
from outreach.models import Envelope, Status
from outreach.store import MIGRATIONS, JournalEntry, Store
from outreach.store.due import due_candidates

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
DELIVERED = (Status.SENT.value, Status.UNKNOWN.value)
ENVELOPE = '{"sender": "sam@example.edu", "recipients": ["ada@example.com"], "smtputf8": false}'


def _julian(at: datetime) -> float:
    return at.timestamp() / 86400 + 2440587.5


def _expected(store: Store) -> dict[str, tuple[int, float | None, float | None]]:
    """What the due columns must say, computed in Python from the thread's delivered messages."""
    out: dict[str, tuple[int, float | None, float | None]] = {}
    for thread in store.query("SELECT id FROM outreach_threads"):
        rows = store.query("SELECT kind, sent_at, updated_at, followup_days FROM outreach_messages"
                           " WHERE thread_id = ? AND status IN (?, ?) ORDER BY id", (thread["id"], *DELIVERED))
        followups = sum(1 for r in rows if r["kind"] == "follow-up")
        if not rows:
            out[thread["id"]] = (followups, None, None)
            continue
        last = rows[-1]
        sent = _julian(parse_time(last["sent_at"] or last["updated_at"]))
        out[thread["id"]] = (followups, sent, sent + (last["followup_days"] or 7))
    return out


def _actual(store: Store) -> dict[str, tuple[int, float | None, float | None]]:
    return {r["id"]: (r["followups"], r["last_sent"], r["next_followup"])
            for r in store.query("SELECT id, followups, last_sent, next_followup FROM outreach_threads")}


def _same(actual: dict, expected: dict) -> None:
    assert actual.keys() == expected.keys()
    for key, (count, sent, due) in expected.items():
        got = actual[key]
        assert got[0] == count, key
        assert (got[1] is None) == (sent is None) and (sent is None or abs(got[1] - sent) < 1e-6), key
        assert (got[2] is None) == (due is None) and (due is None or abs(got[2] - due) < 1e-6), key


def _entry(n: int, thread: str, kind: str, days: int | None) -> JournalEntry:
    mid = f"<m{n}@example.edu>"
    return JournalEntry(key=f"k{n}", batch="b", message_id=mid, thread_id=thread or mid, contact="ada@example.com",
                        template=kind, subject="Coffee?", envelope=Envelope("sam@example.edu", ("ada@example.com",)),
                        data=b"x", status=Status.QUEUED, kind=kind, followup_days=days)


STEP = st.tuples(st.sampled_from(["write", "claim", "sent", "unknown", "failed", "deferred", "resolve-sent",
                                  "resolve-queued", "retry", "restamp", "kind", "days", "delete"]),
                 st.integers(0, 7), st.sampled_from(["intro", "follow-up", "check-in"]), st.integers(-400, 400),
                 st.sampled_from([None, 0, 3, 7]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(steps=[("write", 0, "intro", 0, None), ("sent", 0, "intro", 1, None), ("kind", 0, "follow-up", 2, None)])
@example(steps=[("write", 0, "intro", 0, None), ("sent", 0, "intro", 1, None), ("days", 0, "intro", 2, 3)])
@example(steps=[("write", 0, "intro", 0, None), ("sent", 0, "intro", 1, None), ("restamp", 1, "intro", 9, None)])
@example(steps=[("write", 0, "intro", 0, None), ("write", 1, "follow-up", 0, None), ("unknown", 0, "intro", 1, None),
                ("sent", 1, "intro", 2, None), ("delete", 1, "intro", 3, None), ("resolve-sent", 0, "intro", 4, None)])
@example(steps=[("write", 0, "intro", 0, None), ("unknown", 0, "intro", 1, None), ("unknown", 0, "intro", 5, None)])
@given(steps=st.lists(STEP, min_size=1, max_size=25))
def test_the_due_columns_follow_every_change_of_a_message(steps: list) -> None:
    """Whatever writes the journal (the send path, the user settling or retrying, a raw fix), the columns keep up."""
    clock = [NOW]
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "s.sqlite3", clock=lambda: clock[0]) as store:
        written: list[JournalEntry] = []
        for action, n, kind, hours, days in steps:
            clock[0] = NOW + timedelta(hours=hours)
            if action == "write" or not written:
                thread = written[n % len(written)].thread_id if written and n % 2 else ""
                written.append(_entry(len(written), thread, kind, days))
                store.journal([written[-1]])
                continue
            entry = written[n % len(written)]
            if action == "claim":
                store.claim(entry.key)
            elif action in ("sent", "unknown", "failed", "deferred"):
                store.mark(entry.key, Status(action))
            elif action.startswith("resolve-"):
                store.resolve(entry.message_id, Status(action.removeprefix("resolve-")))
            elif action == "retry":
                store.retry(entry.message_id)
            else:
                with store.transaction() as execute:
                    if action == "restamp":  # a time written in another zone
                        stamp = clock[0].astimezone(timezone(timedelta(hours=n - 4))).isoformat()
                        execute("UPDATE outreach_messages SET sent_at = ? WHERE key = ?", (stamp, entry.key))
                    elif action == "kind":
                        execute("UPDATE outreach_messages SET kind = ? WHERE key = ?", (kind, entry.key))
                    elif action == "days":
                        execute("UPDATE outreach_messages SET followup_days = ? WHERE key = ?", (days, entry.key))
                    else:
                        execute("DELETE FROM outreach_messages WHERE key = ?", (entry.key,))
        _same(_actual(store), _expected(store))


def _delivered(db: sqlite3.Connection, table: str, n: int, thread: str, kind: str, sent_at: str) -> None:
    db.execute(f"INSERT INTO {table} (key, batch, message_id, thread_id, contact, template, subject, envelope, data,"
               " status, created_at, updated_at, sent_at) VALUES (?, 'b', ?, ?, 'ada@example.com', ?, 'Hi', ?,"
               " CAST('x' AS BLOB), 'sent', ?, ?, ?)",
               (f"k{n}", f"<m{n}@example.edu>", thread, kind, ENVELOPE, sent_at, sent_at, sent_at))


def _one_thread_sent_eight_days_ago(db: sqlite3.Connection) -> None:
    """Write one intro sent eight days ago, then its thread row (as an older store has them); commit and close."""
    _delivered(db, "outreach_messages", 1, "<m1@example.edu>", "intro", (NOW - timedelta(days=8)).isoformat())
    db.execute("INSERT INTO outreach_threads (id, contact, subject, purpose, created_at)"
               " VALUES ('<m1@example.edu>', 'ada@example.com', 'Hi', 'intro', 'x')")
    db.commit()
    db.close()


@pytest.mark.parametrize("version", range(1, len(LEGACY_SCRIPTS) + 1))
def test_an_old_store_gets_its_due_columns_filled(tmp_path: Path, version: int) -> None:
    path = tmp_path / "old.sqlite3"
    db = legacy_store(path, version)
    old = (NOW - timedelta(days=30)).isoformat()
    _delivered(db, "messages", 1, "<m1@example.edu>", "intro", old)
    _delivered(db, "messages", 2, "<m1@example.edu>", "follow-up", (NOW - timedelta(days=20)).isoformat())
    _delivered(db, "messages", 3, "<m3@example.edu>", "intro", (NOW - timedelta(days=1)).isoformat())
    if version >= 3:
        db.execute("UPDATE messages SET kind = template")
        db.executemany("INSERT INTO threads (id, contact, subject, purpose, created_at) VALUES (?, 'ada@example.com',"
                       " 'Hi', 'intro', ?)", [("<m1@example.edu>", old), ("<m3@example.edu>", old)])
    db.commit()
    db.close()
    with Store(path) as store:
        assert store.migrations == [m.name for m in MIGRATIONS]
        assert [e.key for e in store.messages()] == ["k1", "k2", "k3"]
        _same(_actual(store), _expected(store))
        assert _actual(store)["<m1@example.edu>"][0] == 1
        assert due_candidates(store, NOW, max_followups=2, followup_days=None) == {"<m1@example.edu>"}
        assert due_candidates(store, NOW, max_followups=1, followup_days=None) == set()


def test_a_store_of_the_last_release_gets_its_due_columns_filled(tmp_path: Path) -> None:
    """A prefixed store written before ``0007-due-columns``: its threads and messages are kept and counted."""
    path = tmp_path / "s.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)
    for name in ("outreach_messages_due_insert", "outreach_messages_due_update", "outreach_messages_due_delete",
                 "outreach_threads_due_insert"):
        db.execute(f"DROP TRIGGER {name}")
    db.execute("DROP INDEX outreach_threads_due")
    db.execute("DROP INDEX outreach_threads_due_sent")
    for column in ("followups", "last_sent", "next_followup"):
        db.execute(f"ALTER TABLE outreach_threads DROP COLUMN {column}")
    db.execute("DELETE FROM outreach_migrations WHERE name IN ('0007-due-columns', '0008-partial-due-indexes')")
    _one_thread_sent_eight_days_ago(db)
    with Store(path) as store:
        assert store.migrations == [m.name for m in MIGRATIONS]
        _same(_actual(store), _expected(store))
        assert due_candidates(store, NOW, max_followups=2, followup_days=None) == {"<m1@example.edu>"}
        assert due_candidates(store, NOW, max_followups=2, followup_days=10) == set()


def test_the_triggers_name_the_statuses_a_thread_counts_as_delivered() -> None:
    from outreach.store import schema

    assert schema._DELIVERED_SQL == f"('{Status.SENT.value}', '{Status.UNKNOWN.value}')"


def test_a_thread_row_written_after_its_messages_gets_their_due_columns(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3") as store:
        with store.transaction() as execute:
            execute("INSERT INTO outreach_messages (key, batch, message_id, thread_id, contact, template, subject,"
                    " envelope, data, status, kind, created_at, updated_at, sent_at) VALUES ('k1', 'b', '<m1@x>',"
                    " '<m1@x>', 'ada@example.com', 'intro', 'Hi', ?, X'78', 'sent', 'intro', ?, ?, ?)",
                    (ENVELOPE, *[(NOW - timedelta(days=9)).isoformat()] * 3))
            execute("INSERT INTO outreach_threads (id, contact, subject, purpose, created_at)"
                    " VALUES ('<m1@x>', 'ada@example.com', 'Hi', 'intro', 'x'), ('<m2@x>', 'bo@example.com', '', '', 'x')")
        _same(_actual(store), _expected(store))
        assert _actual(store)["<m1@x>"][2] is not None
        assert due_candidates(store, NOW, max_followups=2, followup_days=None) == {"<m1@x>"}


def test_a_message_moved_to_another_thread_counts_there_and_no_longer_where_it_was(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3") as store:
        store.journal([_entry(0, "", "intro", None), _entry(1, "", "follow-up", None)])
        for key in ("k0", "k1"):
            store.mark(key, Status.SENT)
        before = _actual(store)
        assert before["<m1@example.edu>"][0] == 1 and before["<m0@example.edu>"][0] == 0
        with store.transaction() as execute:
            execute("UPDATE outreach_messages SET thread_id = '<m0@example.edu>' WHERE key = 'k1'")
        after = _actual(store)
        assert after["<m0@example.edu>"][0] == 1 and after["<m1@example.edu>"] == (0, None, None)
        _same(after, _expected(store))


def test_the_due_queries_search_the_due_indexes_which_hold_only_delivered_threads(tmp_path: Path) -> None:
    """Each due query is a search of its index; a thread enters it when a message of it is delivered."""
    path = tmp_path / "s.sqlite3"
    with Store(path) as store:
        for sql in ("SELECT id FROM outreach_threads WHERE followups < ? AND next_followup <= julianday(?) + 1",
                    "SELECT id FROM outreach_threads WHERE followups IN (?, ?) AND last_sent <= julianday(?) + 1 - ?"):
            plan = " ".join(r[3] for r in store.query(f"EXPLAIN QUERY PLAN {sql}", [1] * sql.count("?")))
            assert plan.startswith("SEARCH outreach_threads USING INDEX outreach_threads_due"), plan
    db = sqlite3.connect(path)
    db.execute("INSERT INTO outreach_threads (id, contact, subject, purpose, created_at)"
               " VALUES ('<q@example.edu>', 'bo@example.com', 'Hi', 'intro', 'x')")
    _delivered(db, "outreach_messages", 1, "<m1@example.edu>", "intro", (NOW - timedelta(days=8)).isoformat())
    db.execute("INSERT INTO outreach_threads (id, contact, subject, purpose, created_at)"
               " VALUES ('<m1@example.edu>', 'ada@example.com', 'Hi', 'intro', 'x')")
    db.commit()
    db.execute("ANALYZE outreach_threads")  # sqlite_stat1 then counts each index's entries
    entries = {r[0]: int(r[1].split()[0]) for r in db.execute("SELECT idx, stat FROM sqlite_stat1")}
    db.close()
    assert entries["outreach_threads_contact"] == 2  # both threads, and only the delivered one here:
    assert entries["outreach_threads_due"] == entries["outreach_threads_due_sent"] == 1


def test_a_store_of_the_release_before_gets_the_partial_due_indexes(tmp_path: Path) -> None:
    """A store made before ``0008-partial-due-indexes`` has it applied: same answers, smaller indexes."""
    path = tmp_path / "s.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("DROP INDEX outreach_threads_due")
    db.execute("DROP INDEX outreach_threads_due_sent")
    db.execute("CREATE INDEX outreach_threads_due ON outreach_threads (followups, next_followup)")
    db.execute("CREATE INDEX outreach_threads_due_sent ON outreach_threads (followups, last_sent)")
    db.execute("DELETE FROM outreach_migrations WHERE name = '0008-partial-due-indexes'")
    _one_thread_sent_eight_days_ago(db)
    with Store(path) as store:
        assert store.migrations == [m.name for m in MIGRATIONS]
        sql = {r["name"]: r["sql"] for r in store.query("SELECT name, sql FROM sqlite_master WHERE type = 'index'")}
        assert sql["outreach_threads_due"].endswith("WHERE next_followup IS NOT NULL")
        assert sql["outreach_threads_due_sent"].endswith("WHERE last_sent IS NOT NULL")
        assert due_candidates(store, NOW, max_followups=2, followup_days=None) == {"<m1@example.edu>"}
