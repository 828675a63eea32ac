"""The send pipeline: whole-batch validation, the journal, resuming, retries and outcomes."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from legacy_schema import legacy_store
from smtp_server import Sink

from outreach.models import BatchOptions
from outreach import (
    Contact,
    MemoryTransport,
    OutboxTransport,
    Recipient,
    Renderer,
    Sender,
    Status,
    Store,
    ValidationError,
    prepare_batch,
    send_batch,
)
from outreach.book.contacts import ContactBook
from outreach.store import MIGRATIONS
from outreach.transports.smtp import SmtpTransport

VARS = {"topic": "data engineering"}


def people(*addresses: str) -> list[Recipient]:
    return [Recipient(Contact(email=a, name="Ada Lovelace"), VARS, where=f"row {i}") for i, a in
            enumerate(addresses, start=2)]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store.sqlite3")


def prepare(store: Store | None, recipients: list[Recipient], template: str = "intro", **kw: object) -> list:
    if "attachments" in kw:
        kw["attachments"] = tuple(kw["attachments"])  # type: ignore[arg-type]
    now = kw.pop("now", None)
    return prepare_batch(template, recipients, sender=Sender("Sam Rivera", "sam@example.edu"), renderer=Renderer(),
                         store=store, now=now, options=BatchOptions(**kw))  # type: ignore[arg-type]


def smtp(port: int) -> SmtpTransport:
    return SmtpTransport("127.0.0.1", port, security="none", timeout=5)


def test_whole_batch_is_validated_before_anything_is_sent(store: Store, tmp_path: Path) -> None:
    batch = [
        Recipient(Contact(email="ok@example.com", name="Ok"), VARS, where="row 2"),
        Recipient(Contact(email="ada@exmaple", name="Typo"), VARS, where="row 3"),
        Recipient(Contact(email="b@example.com", name="No topic"), {}, where="row 4"),
        Recipient(Contact(email="c@example.com", name="Evil\nBcc: x@example.com"), VARS, where="row 5"),
        Recipient(Contact(email="OK@Example.com", name="Dup"), VARS, where="row 6"),
    ]
    with pytest.raises(ValidationError) as info:
        prepare(store, batch, attachments=[tmp_path / "resume.pdf"])
    problems = [str(p) for p in info.value.problems]
    assert any(p.startswith("attachment:") and "resume.pdf" in p for p in problems)
    assert any(p.startswith("row 3:") and "ada@exmaple" in p for p in problems)
    assert any(p.startswith("row 4:") and "'topic'" in p for p in problems)
    assert any(p.startswith("row 5:") and "line break" in p for p in problems)
    assert any(p.startswith("row 6:") and "already in this batch (row 2)" in p for p in problems)
    assert len(problems) == 5
    assert store.messages() == []


def test_batch_is_journaled_then_sent_and_recorded(store: Store, plain_server: tuple[Sink, int]) -> None:
    sink, port = plain_server
    entries = prepare(store, people("a@example.com", "b@example.com", "c@example.com"))
    summary = send_batch(entries, smtp(port), store)
    assert summary.ok and summary.counts == {"sent": 3}
    rows = store.messages()
    assert [r.status for r in rows] == [Status.SENT] * 3
    assert all(r.sent_at and r.reply.startswith("250") for r in rows)
    assert sink.message_ids == [r.message_id for r in rows]


def test_rerun_sends_nothing_twice(store: Store, plain_server: tuple[Sink, int]) -> None:
    sink, port = plain_server
    send_batch(prepare(store, people("a@example.com", "b@example.com")), smtp(port), store)
    again = send_batch(prepare(store, people("a@example.com", "b@example.com", "c@example.com")), smtp(port), store)
    assert [(o.to, o.status.value, o.earlier) for o in again.outcomes] == [
        ("a@example.com", "sent", True), ("b@example.com", "sent", True), ("c@example.com", "sent", False)]
    assert len(sink.messages) == 3


def test_again_sends_a_new_message(store: Store, plain_server: tuple[Sink, int]) -> None:
    sink, port = plain_server
    send_batch(prepare(store, people("a@example.com")), smtp(port), store)
    send_batch(prepare(store, people("a@example.com"), again=True), smtp(port), store)
    assert len(set(sink.message_ids)) == 2


def test_faults_give_per_message_outcomes_and_the_batch_goes_on(store: Store, plain_server: tuple[Sink, int]) -> None:
    sink, port = plain_server
    sink.fail_times["tempfail451"] = 1
    entries = prepare(store, people("a@example.com", "nouser550@example.com", "tempfail451@example.com",
                                    "full452@example.com", "reject554@example.com", "dropafterdata@example.com",
                                    "z@example.com"))
    summary = send_batch(entries, smtp(port), store, retry_delays=(0.0,))
    got = {o.to: o.status.value for o in summary.outcomes}
    assert got == {"a@example.com": "sent", "nouser550@example.com": "failed", "tempfail451@example.com": "sent",
                   "full452@example.com": "deferred", "reject554@example.com": "failed",
                   "dropafterdata@example.com": "unknown", "z@example.com": "sent"}
    assert not summary.ok
    failed = store.messages(Status.FAILED)
    assert {r.reply for r in failed} == {"nouser550@example.com: 550 5.1.1 No such user",
                                         "554 5.7.1 Message rejected as spam"}
    stored = {r.contact: r.status.value for r in store.messages()}
    assert stored == got


def test_deferred_messages_are_retried_by_the_next_run_with_the_same_message_id(
        store: Store, plain_server: tuple[Sink, int]) -> None:
    sink, port = plain_server
    sink.fail_times["tempfail451"] = 2
    first = send_batch(prepare(store, people("tempfail451@example.com")), smtp(port), store, retry_delays=(0.0,))
    assert first.outcomes[0].status is Status.DEFERRED
    second = send_batch(prepare(store, people("tempfail451@example.com")), smtp(port), store, retry_delays=())
    assert second.outcomes[0].status is Status.SENT
    assert sink.message_ids == [first.outcomes[0].message_id]


def test_unknown_is_never_resent_until_the_user_says_so(store: Store, plain_server: tuple[Sink, int]) -> None:
    sink, port = plain_server
    first = send_batch(prepare(store, people("dropafterdata@example.com")), smtp(port), store)
    mid = first.outcomes[0].message_id
    again = send_batch(prepare(store, people("dropafterdata@example.com")), smtp(port), store)
    assert again.outcomes[0].earlier and again.outcomes[0].status is Status.UNKNOWN
    assert len(sink.messages) == 1
    assert store.resolve(mid, Status.SENT)
    assert store.get(first.outcomes[0].key).status is Status.SENT  # type: ignore[union-attr]


def test_stale_sending_rows_become_unknown(store: Store, tmp_path: Path) -> None:
    entries = prepare(store, people("a@example.com"))
    store.journal(entries)
    assert store.claim(entries[0].key)
    db = sqlite3.connect(store.path)
    with db:
        db.execute("UPDATE outreach_messages SET owner = 999999999")
    db.close()
    summary = send_batch(prepare(store, people("a@example.com")), MemoryTransport(), store)
    assert [e.key for e in summary.recovered] == [entries[0].key]
    assert summary.outcomes[0].status is Status.UNKNOWN and summary.outcomes[0].earlier


def test_stop_event_finishes_in_flight_and_leaves_the_rest_queued(store: Store) -> None:
    stop = threading.Event()
    sent: list[str] = []

    class StopAfterTwo(MemoryTransport):
        def send(self, data: bytes, envelope: object):  # type: ignore[override]
            sent.append(envelope.recipients[0])  # type: ignore[attr-defined]
            if len(sent) == 2:
                stop.set()
            return super().send(data, envelope)  # type: ignore[arg-type]

    summary = send_batch(prepare(store, people(*(f"p{i}@example.com" for i in range(5)))), StopAfterTwo(), store,
                         stop=stop)
    assert summary.interrupted
    assert summary.counts == {"sent": 2, "queued": 3}
    assert [r.status.value for r in store.messages()] == ["sent", "sent", "queued", "queued", "queued"]


def test_reply_templates_thread_under_the_latest_message(store: Store, plain_server: tuple[Sink, int]) -> None:
    sink, port = plain_server
    intro = send_batch(prepare(store, people("ada@example.com")), smtp(port), store).outcomes[0]
    follow = send_batch(prepare(store, people("ada@example.com"), template="follow-up"), smtp(port), store)
    msg = message_from_bytes(store.get(follow.outcomes[0].key).data, policy=policy.default)  # type: ignore[union-attr]
    assert str(msg["In-Reply-To"]) == intro.message_id
    assert str(msg["References"]) == intro.message_id
    assert str(msg["Subject"]) == "Re: Could I ask you about data engineering?"
    assert str(sink.messages[1]["In-Reply-To"]) == intro.message_id


def test_same_follow_up_twice_on_one_day_is_sent_once(store: Store, plain_server: tuple[Sink, int]) -> None:
    sink, port = plain_server
    send_batch(prepare(store, people("ada@example.com")), smtp(port), store)
    now = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
    send_batch(prepare(store, people("ada@example.com"), template="follow-up", now=now), smtp(port), store)
    send_batch(prepare(store, people("ada@example.com"), template="follow-up", now=now), smtp(port), store)
    later = now + timedelta(days=7)
    send_batch(prepare(store, people("ada@example.com"), template="follow-up", now=later), smtp(port), store)
    assert len(sink.messages) == 3


def test_rate_limit_spaces_messages(store: Store) -> None:
    import time

    start = time.monotonic()
    send_batch(prepare(store, people("a@example.com", "b@example.com", "c@example.com")), MemoryTransport(), store,
               rate_per_minute=600)
    assert time.monotonic() - start >= 0.2


def test_outbox_dry_run_records_nothing(store: Store, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    summary = send_batch(prepare(store, people("a@example.com", "b@example.com")), OutboxTransport(outbox), store)
    assert summary.ok and summary.counts == {"written": 2}
    files = sorted(outbox.iterdir())
    assert [f.suffix for f in files] == [".eml", ".eml"] and files == sorted(files, key=lambda f: f.stat().st_mtime_ns)
    assert store.messages() == []
    assert message_from_bytes(files[0].read_bytes())["To"].endswith("<a@example.com>")


def test_store_file_is_private_and_versioned(store: Store) -> None:
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert store.migrations == [m.name for m in MIGRATIONS]
    db = sqlite3.connect(store.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_store_from_the_future_is_refused(tmp_path: Path) -> None:
    from outreach import StoreError

    path = tmp_path / "s.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)
    with db:
        db.execute("INSERT INTO outreach_migrations (name, applied_at) VALUES ('9999-from-the-future', 'now')")
    db.close()
    with pytest.raises(StoreError, match="newer outreach.*9999-from-the-future"):
        Store(path)


def test_two_processes_share_the_store(tmp_path: Path) -> None:
    first, second = Store(tmp_path / "s.sqlite3"), Store(tmp_path / "s.sqlite3")
    send_batch(prepare(first, people("a@example.com")), MemoryTransport(), first)
    send_batch(prepare(second, people("b@example.com")), MemoryTransport(), second)
    assert {r.contact for r in first.messages(Status.SENT)} == {"a@example.com", "b@example.com"}


@pytest.mark.parametrize(("typo", "meant"), [("ada@gmial.com", "ada@gmail.com"), ("ada@globex.con", "ada@globex.com"),
                                             ("ada@hotmial.com", "ada@hotmail.com")])
def test_likely_typos_are_refused_with_a_suggestion(store: Store, typo: str, meant: str) -> None:
    with pytest.raises(ValidationError, match=f"did you mean {meant}"):
        prepare(store, people(typo))
    assert prepare(store, people(typo), typo_check=False)[0].contact == typo


@pytest.mark.parametrize("fine", ["ada@ymail.com", "ada@gmx.de", "ada@mit.edu", "ada@globex.com", "ada@mail.com"])
def test_real_domains_are_not_typos(store: Store, fine: str) -> None:
    assert prepare(store, people(fine))[0].contact == fine


def test_a_version_1_store_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = legacy_store(path, 1)
    db.execute("INSERT INTO messages (key, batch, message_id, thread_id, contact, template, subject, envelope, data,"
               " status, created_at, updated_at) VALUES ('k', 'b', '<m@x>', '<m@x>', 'a@example.com', 'intro', 's',"
               " '{\"sender\": \"s@x.org\", \"recipients\": [\"a@example.com\"], \"smtputf8\": false}', x'00',"
               " 'sent', 'now', 'now')")
    db.commit()
    db.close()
    store = Store(path)
    assert store.migrations == [m.name for m in MIGRATIONS]
    assert [m.message_id for m in store.messages()] == ["<m@x>"]
    [person] = ContactBook(store).find()
    assert (person.email, person.name) == ("a@example.com", "")


def test_queue_batch_journals_all_or_nothing(store: Store) -> None:
    from outreach import queue_batch

    good = people("a@example.com", "b@example.com")
    with pytest.raises(ValidationError):
        queue_batch("intro", [*good, *people("bad@exmaple")], store=store, sender=Sender("Sam", "sam@example.edu"),
                    renderer=Renderer())
    assert store.messages() == []
    keys = queue_batch("intro", good, store=store, sender=Sender("Sam", "sam@example.edu"), renderer=Renderer())
    assert [r.status for r in store.messages()] == [Status.QUEUED, Status.QUEUED]
    assert [o.status for o in send_batch(keys, MemoryTransport(), store).outcomes] == [Status.SENT, Status.SENT]


def test_several_connections_keep_the_journal_exact(store: Store, plain_server: tuple[Sink, int]) -> None:
    sink, port = plain_server
    addresses = [f"p{i}@example.com" for i in range(40)] + ["nouser550@example.com", "dropafterdata@example.com"]
    summary = send_batch(prepare(store, people(*addresses)), smtp(port), store, connections=4, retry_delays=())
    rows = {r.contact: r for r in store.messages()}
    assert {c: r.status.value for c, r in rows.items() if r.status is not Status.SENT} == {
        "nouser550@example.com": "failed", "dropafterdata@example.com": "unknown"}
    assert sorted(sink.message_ids) == sorted(r.message_id for r in rows.values()
                                              if r.status in (Status.SENT, Status.UNKNOWN))
    assert len(summary.outcomes) == len(addresses)


def test_several_connections_stop_together_on_a_connect_error(store: Store) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    from outreach import ConnectError

    with pytest.raises(ConnectError):
        send_batch(prepare(store, people(*(f"p{i}@example.com" for i in range(6)))), smtp(port), store,
                   connections=3, retry_delays=())
    assert {r.status for r in store.messages()} <= {Status.QUEUED, Status.DEFERRED}


def test_keys_without_a_journal_are_refused(store: Store, tmp_path: Path) -> None:
    from outreach import queue_batch

    keys = queue_batch("intro", people("a@example.com"), store=store, sender=Sender("Sam", "sam@example.edu"),
                       renderer=Renderer())
    with pytest.raises(ValueError, match="need a store"):
        send_batch(keys, OutboxTransport(tmp_path / "outbox"), store)
