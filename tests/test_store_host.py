"""The store inside a host's database, and stores of the old layout adopted in place."""

from __future__ import annotations

import sqlite3
import stat
from datetime import datetime, timezone
from pathlib import Path

import pytest
from legacy_schema import LEGACY_SCRIPTS, legacy_store

from outreach import Contact, MemoryTransport, Recipient, Renderer, Sender, Status, Store, StoreError, prepare_batch
from outreach import send_batch
from outreach.book.contacts import ContactBook
from outreach.lifecycle.threads import Threads
from outreach.store import MIGRATIONS
from outreach.store.mailbox import MailboxTable
from outreach.store.plans import EventTable, TargetTable

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
ENVELOPE = '{"sender": "sam@example.edu", "recipients": ["ada@example.com"], "smtputf8": false}'


def _schema(path: Path) -> dict[str, str]:
    db = sqlite3.connect(path)
    try:
        return {name: sql or "" for name, sql in db.execute("SELECT name, sql FROM sqlite_master")}
    finally:
        db.close()


def _send(store: Store, *addresses: str) -> None:
    recipients = [Recipient(Contact(email=a, name="Bo Chen"), {"topic": "UX"}, where=a) for a in addresses]
    entries = prepare_batch("intro", recipients, sender=Sender("Sam Rivera", "sam@example.edu"), renderer=Renderer(),
                            store=store)
    assert send_batch(entries, MemoryTransport(), store).counts == {"sent": len(addresses)}


def _host(path: Path) -> None:
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE contacts (id INTEGER PRIMARY KEY, full_name TEXT NOT NULL, employer TEXT);
        CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT);
        CREATE INDEX contacts_employer ON contacts (employer);
        INSERT INTO contacts (full_name, employer) VALUES ('Grace Hopper', 'Navy'), ('Alan Turing', 'NPL');
        INSERT INTO messages (body) VALUES ('the host''s own message');
        PRAGMA user_version = 7;
    """)
    db.close()


def test_a_host_database_keeps_its_tables_rows_and_user_version(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    _host(path)
    path.chmod(0o640)
    before = _schema(path)
    with Store(path, clock=lambda: NOW) as store:
        _send(store, "ada@example.com", "bob@example.com")
        ContactBook(store).add("carol@example.com", name="Carol Danvers", tags=["fair"])
        Threads(store).log("ada@example.com", "replied", NOW, {"subject": "Re: hello"})
        assert [r.status for r in store.messages()] == [Status.SENT, Status.SENT]
    after = _schema(path)
    assert {k: v for k, v in after.items() if k in before} == before
    assert all(name.startswith(("outreach_", "sqlite_autoindex_outreach_")) for name in set(after) - set(before))
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 7
    assert db.execute("SELECT full_name, employer FROM contacts ORDER BY id").fetchall() == [
        ("Grace Hopper", "Navy"), ("Alan Turing", "NPL")]
    assert db.execute("SELECT body FROM messages").fetchall() == [("the host's own message",)]
    assert db.execute("SELECT COUNT(*) FROM outreach_messages").fetchone()[0] == 2
    db.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640, "the host's file keeps its mode"
    with Store(path) as again:
        assert [e.kind for e in Threads(again).views("ada@example.com")[0].events] == ["replied"]
        assert ContactBook(again).get("carol@example.com").tags == ("fair",)


def test_migrations_are_recorded_by_name_once(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    Store(path).close()
    with Store(path) as store:
        assert store.migrations == [m.name for m in MIGRATIONS]
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM outreach_migrations").fetchone()[0] == len(MIGRATIONS)
    db.close()
    assert len({m.name for m in MIGRATIONS}) == len(MIGRATIONS)


def _fill_legacy(path: Path) -> None:
    """An old-layout store at the last unprefixed schema, with rows in every table."""
    db = legacy_store(path)
    db.executescript(f"""
        INSERT INTO messages (key, batch, message_id, thread_id, contact, template, subject, envelope, data, status,
                              kind, followup_days, variables, created_at, updated_at, sent_at)
            VALUES ('intro:ada@example.com', 'b1', '<m1@example.edu>', '<m1@example.edu>', 'ada@example.com',
                    'intro', 'Hello', '{ENVELOPE}', CAST('To: Ada <ada@example.com>' AS BLOB), 'sent', 'intro', 7,
                    '{{"topic": "UX"}}', '2026-10-01T09:00:00+00:00', '2026-10-01T09:00:00+00:00',
                    '2026-10-01T09:00:00+00:00');
        INSERT INTO threads (id, contact, subject, purpose, created_at)
            VALUES ('<m1@example.edu>', 'ada@example.com', 'Hello', 'intro', '2026-10-01T09:00:00+00:00');
        INSERT INTO events (thread_id, kind, at, detail)
            VALUES ('<m1@example.edu>', 'met', '2026-10-05T09:00:00+00:00', '{{"learned": "hiring in spring"}}');
        INSERT INTO milestones (kind, at, detail)
            VALUES ('landed', '2026-10-20T09:00:00+00:00', '{{"company": "Globex", "role": "Designer"}}');
        INSERT INTO contacts (email_key, email, name, company, created_at, updated_at)
            VALUES ('ada@example.com', 'ada@example.com', 'Ada Lovelace', 'Analytical', 'x', 'x');
        INSERT INTO contacts (email_key, email, name, referred_by, created_at, updated_at)
            VALUES ('bo@example.com', 'bo@example.com', 'Bo Chen', 1, 'x', 'x');
        INSERT INTO contact_tags (contact_id, tag) VALUES (1, 'mentor');
        INSERT INTO blocks (pattern, created_at) VALUES ('@spam.example', '2026-10-01T00:00:00+00:00');
        INSERT INTO bounces (address, at, reason) VALUES ('gone@example.com', '2026-10-02T00:00:00+00:00', '550');
        INSERT INTO imap_state (folder, uidvalidity, last_uid) VALUES ('INBOX', 42, 17);
        INSERT INTO inbox (message_id, kind, thread_id, sender, subject, seen_at)
            VALUES ('<r1@example.com>', 'reply', '<m1@example.edu>', 'ada@example.com', 'Re: Hello', 'x');
        INSERT INTO targets (name, name_key, role, created_at, updated_at)
            VALUES ('Globex', 'globex', 'Designer', 'x', 'x');
        INSERT INTO target_aliases (target_id, alias, alias_key) VALUES (1, 'Globex Corp', 'globex corp');
        INSERT INTO networking_events (uid, summary, starts_at, attending, created_at, updated_at)
            VALUES ('fair-1@example.edu', 'Career fair', '2026-11-10T09:00:00+00:00', 1, 'x', 'x');
    """)
    db.commit()
    db.close()


def test_an_old_layout_store_is_adopted_in_place_with_everything_in_it(tmp_path: Path) -> None:
    path = tmp_path / "outreach.sqlite3"
    _fill_legacy(path)
    path.chmod(0o644)
    store = Store(path, clock=lambda: NOW)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, "outreach's own file is made private"
    tables = {name for name in _schema(path) if not name.startswith("sqlite_")}
    assert tables and all(name.startswith("outreach_") for name in tables), tables
    assert store.migrations == [m.name for m in MIGRATIONS]

    [entry] = store.messages()
    assert (entry.key, entry.status, entry.variables, entry.followup_days) == (
        "intro:ada@example.com", Status.SENT, {"topic": "UX"}, 7)
    [view] = Threads(store).views("ada@example.com")
    assert [m.message_id for m in view.messages] == ["<m1@example.edu>"]
    assert [(e.kind, dict(e.detail)) for e in view.events] == [("met", {"learned": "hiring in spring"})]
    landed = Threads(store).milestone("landed")
    assert landed is not None and landed.detail["company"] == "Globex"
    book = ContactBook(store)
    assert book.get("ada@example.com").tags == ("mentor",)
    assert book.get("bo@example.com").referrer_email == "ada@example.com"
    assert "do-not-contact" in (book.is_blocked("x@spam.example") or "")
    assert "bounced" in (book.is_blocked("gone@example.com") or "")
    assert MailboxTable(store).folder_state("INBOX") == (42, 17)
    assert not MailboxTable(store).first_sight("<r1@example.com>", "reply", None, "", "", "x")
    [target] = TargetTable(store).all()
    assert (target.name, target.role, target.aliases) == ("Globex", "Designer", ("Globex Corp",))
    assert [e.summary for e in EventTable(store).attended()] == ["Career fair"]

    _send(store, "bo@example.com")
    book.edit("bo@example.com", add_tags=["fair"])
    assert {e.contact for e in store.messages(Status.SENT)} == {"ada@example.com", "bo@example.com"}
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert "outreach_contacts" in _schema(path)["outreach_contact_tags"]
    assert "outreach_threads" in _schema(path)["outreach_events"]
    db.close()
    store.close()
    assert Store(path).migrations == [m.name for m in MIGRATIONS]


def _columns(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table and index with its columns (name, type, not null, default, key), as SQLite reports them."""
    db = sqlite3.connect(path)
    try:
        found: dict[str, list[tuple[object, ...]]] = {}
        for kind, name in db.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"):
            pragma = "table_info" if kind == "table" else "index_info"
            found[name] = [tuple(row) for row in db.execute(f"PRAGMA {pragma}('{name}')")]
        return found
    finally:
        db.close()


@pytest.mark.parametrize("version", range(1, len(LEGACY_SCRIPTS) + 1))
def test_every_old_schema_version_is_brought_up_to_date(tmp_path: Path, version: int) -> None:
    path = tmp_path / "old.sqlite3"
    legacy_store(path, version).close()
    with Store(path) as store:
        assert store.migrations == [m.name for m in MIGRATIONS]
        _send(store, "ada@example.com")
    assert _columns(path) == _columns(_fresh(tmp_path))


def _fresh(tmp_path: Path) -> Path:
    path = tmp_path / "fresh.sqlite3"
    Store(path).close()
    return path


def test_a_failed_upgrade_leaves_the_old_store_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = legacy_store(path, 2)
    db.execute("CREATE TABLE outreach_threads (x)")
    db.commit()
    db.close()
    before = _schema(path)
    with pytest.raises(StoreError, match="outreach_threads"):
        Store(path)
    assert _schema(path) == before
