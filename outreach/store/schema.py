"""The store's tables, all named ``outreach_*``, and the named migrations that create and change them.

Migrations are recorded by name in ``outreach_migrations``; the database's ``PRAGMA user_version`` belongs to
whoever owns the file (outreach may live in a host application's database) and is never written. Each
migration is a list of statements run one by one inside the transaction that opens the store, never a script
split on ";". Stores written before the prefix (tables without it, version in ``user_version``) are adopted in
place: their tables are renamed, their indexes recreated under the prefixed names, and the migrations they
had are recorded as applied.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from ..errors import StoreError
from ..record import record

__all__ = ["MIGRATIONS", "Migration", "applied", "host_tables", "pending", "upgrade"]

MIGRATIONS_TABLE = "outreach_migrations"


@record
class Migration:
    """One change of the schema: its name as recorded, its statements, and an optional data step after them."""

    name: str
    statements: tuple[str, ...]
    after: Callable[[sqlite3.Connection, str], None] | None = None


def _backfill_people(db: sqlite3.Connection, now: str) -> None:
    """Add to the contact book everyone the journal wrote to, with the name their To: carried."""
    rows = db.execute(
        "SELECT contact, data FROM outreach_messages m"
        " WHERE id = (SELECT MAX(id) FROM outreach_messages WHERE contact = m.contact)"
        " AND NOT EXISTS (SELECT 1 FROM outreach_contacts c WHERE c.email_key = m.contact)").fetchall()
    if not rows:
        return
    from email import policy  # the email package is slow to import; most opens never get here
    from email.parser import BytesHeaderParser

    parser = BytesHeaderParser(policy=policy.default)
    for row in rows:
        try:
            name = str(parser.parsebytes(bytes(row["data"]))["To"].addresses[0].display_name)
        except (AttributeError, IndexError, TypeError, ValueError):
            name = ""
        db.execute("INSERT OR IGNORE INTO outreach_contacts (email_key, email, name, created_at, updated_at)"
                   " VALUES (?, ?, ?, ?, ?)", (row["contact"], row["contact"], name, now, now))


# What the due query needs of a thread, kept in its row by triggers whenever a delivered ('sent' or
# 'unknown') message of it changes: how many follow-ups it had, and the Julian day of its last delivered
# message (0 when that time cannot be read, so that such a thread is always looked at) and of that plus
# the message's own follow-up delay (``followup_days``, else 7). NULL: nothing delivered yet.
_DUE_COLUMNS = """UPDATE outreach_threads SET
    followups = (SELECT COUNT(*) FROM outreach_messages f WHERE f.thread_id = outreach_threads.id
                 AND f.kind = 'follow-up' AND f.status IN ('sent', 'unknown')),
    (last_sent, next_followup) = (
        SELECT COALESCE(julianday(COALESCE(NULLIF(m.sent_at, ''), m.updated_at)), 0),
               COALESCE(julianday(COALESCE(NULLIF(m.sent_at, ''), m.updated_at)), 0)
               + COALESCE(NULLIF(m.followup_days, 0), 7)
        FROM outreach_messages m WHERE m.thread_id = outreach_threads.id AND m.status IN ('sent', 'unknown')
        ORDER BY m.id DESC LIMIT 1)"""
_DELIVERED_SQL = "('sent', 'unknown')"


def _due_trigger(name: str, event: str, when: str, *threads: str) -> str:
    """A trigger that brings the due columns of ``threads`` (conditions on OLD/NEW naming a thread) up to date."""
    body = "".join(f"{_DUE_COLUMNS} WHERE {t};\n" for t in threads)
    return f"CREATE TRIGGER {name} AFTER {event} FOR EACH ROW WHEN {when}\nBEGIN\n{body}END"


MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001-journal", (
        """CREATE TABLE outreach_messages (
            id          INTEGER PRIMARY KEY,
            key         TEXT NOT NULL UNIQUE,
            batch       TEXT NOT NULL,
            message_id  TEXT NOT NULL UNIQUE,
            thread_id   TEXT NOT NULL,
            contact     TEXT NOT NULL,
            template    TEXT NOT NULL,
            subject     TEXT NOT NULL,
            envelope    TEXT NOT NULL,
            data        BLOB NOT NULL,
            status      TEXT NOT NULL,
            owner       INTEGER,
            attempts    INTEGER NOT NULL DEFAULT 0,
            reply       TEXT NOT NULL DEFAULT '',
            refused     TEXT NOT NULL DEFAULT '{}',
            created_at  TEXT NOT NULL,
            updated_at  TEXT NOT NULL,
            sent_at     TEXT
        )""",
        "CREATE INDEX outreach_messages_contact ON outreach_messages (contact, created_at)",
        "CREATE INDEX outreach_messages_thread ON outreach_messages (thread_id)",
        "CREATE INDEX outreach_messages_status ON outreach_messages (status)",
    )),
    Migration("0002-contacts", (
        """CREATE TABLE outreach_contacts (
            id           INTEGER PRIMARY KEY,
            email_key    TEXT UNIQUE,
            email        TEXT NOT NULL DEFAULT '',
            linkedin_url TEXT UNIQUE,
            name         TEXT NOT NULL DEFAULT '',
            company      TEXT NOT NULL DEFAULT '',
            position     TEXT NOT NULL DEFAULT '',
            notes        TEXT NOT NULL DEFAULT '',
            connected_on TEXT NOT NULL DEFAULT '',
            fields       TEXT NOT NULL DEFAULT '{}',
            referred_by  INTEGER REFERENCES outreach_contacts (id),
            may_use_name INTEGER NOT NULL DEFAULT 0,
            edited       TEXT NOT NULL DEFAULT '[]',
            removed_at   TEXT,
            created_at   TEXT NOT NULL,
            updated_at   TEXT NOT NULL
        )""",
        """CREATE TABLE outreach_contact_tags (
            contact_id INTEGER NOT NULL REFERENCES outreach_contacts (id),
            tag        TEXT NOT NULL,
            PRIMARY KEY (contact_id, tag)
        )""",
        "CREATE INDEX outreach_contact_tags_tag ON outreach_contact_tags (tag)",
        """CREATE TABLE outreach_blocks (
            pattern    TEXT PRIMARY KEY,
            created_at TEXT NOT NULL
        )""",
    )),
    Migration("0003-threads", (
        "ALTER TABLE outreach_messages ADD COLUMN kind TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE outreach_messages ADD COLUMN followup_days INTEGER",
        "UPDATE outreach_messages SET kind = template"
        " WHERE template IN ('intro', 'follow-up', 'thank-you', 'check-in', 'job-update')",
        """CREATE TABLE outreach_threads (
            id         TEXT PRIMARY KEY,
            contact    TEXT NOT NULL,
            subject    TEXT NOT NULL DEFAULT '',
            purpose    TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        )""",
        "INSERT OR IGNORE INTO outreach_threads (id, contact, subject, purpose, created_at)"
        " SELECT thread_id, contact, subject, kind, created_at FROM outreach_messages WHERE message_id = thread_id",
        "CREATE INDEX outreach_threads_contact ON outreach_threads (contact)",
        """CREATE TABLE outreach_events (
            id        INTEGER PRIMARY KEY,
            thread_id TEXT NOT NULL REFERENCES outreach_threads (id),
            kind      TEXT NOT NULL,
            at        TEXT NOT NULL,
            detail    TEXT NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX outreach_events_thread ON outreach_events (thread_id, at)",
        """CREATE TABLE outreach_milestones (
            id      INTEGER PRIMARY KEY,
            kind    TEXT NOT NULL,
            at      TEXT NOT NULL,
            detail  TEXT NOT NULL DEFAULT '{}'
        )""",
    )),
    Migration("0004-mailbox", (
        """CREATE TABLE outreach_imap_state (
            folder      TEXT PRIMARY KEY,
            uidvalidity INTEGER NOT NULL,
            last_uid    INTEGER NOT NULL
        )""",
        """CREATE TABLE outreach_inbox (
            message_id TEXT PRIMARY KEY,
            kind       TEXT NOT NULL,
            thread_id  TEXT,
            sender     TEXT NOT NULL DEFAULT '',
            subject    TEXT NOT NULL DEFAULT '',
            seen_at    TEXT NOT NULL
        )""",
        """CREATE TABLE outreach_bounces (
            address TEXT PRIMARY KEY,
            at      TEXT NOT NULL,
            reason  TEXT NOT NULL DEFAULT ''
        )""",
    )),
    Migration("0005-people", (
        "ALTER TABLE outreach_messages ADD COLUMN variables TEXT NOT NULL DEFAULT '{}'",
        "CREATE INDEX outreach_messages_contact_kind ON outreach_messages (contact, kind)",
        "CREATE INDEX outreach_contacts_referred_by ON outreach_contacts (referred_by)",
    ), after=_backfill_people),
    Migration("0006-targets", (
        """CREATE TABLE outreach_targets (
            id         INTEGER PRIMARY KEY,
            name       TEXT NOT NULL,
            name_key   TEXT NOT NULL UNIQUE,
            role       TEXT NOT NULL DEFAULT '',
            notes      TEXT NOT NULL DEFAULT '',
            priority   INTEGER NOT NULL DEFAULT 2,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE outreach_target_aliases (
            target_id INTEGER NOT NULL REFERENCES outreach_targets (id) ON DELETE CASCADE,
            alias     TEXT NOT NULL,
            alias_key TEXT NOT NULL,
            PRIMARY KEY (target_id, alias_key)
        )""",
        """CREATE TABLE outreach_networking_events (
            id          INTEGER PRIMARY KEY,
            uid         TEXT NOT NULL UNIQUE,
            summary     TEXT NOT NULL,
            starts_at   TEXT NOT NULL,
            ends_at     TEXT,
            all_day     INTEGER NOT NULL DEFAULT 0,
            location    TEXT NOT NULL DEFAULT '',
            url         TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT '',
            cancelled   INTEGER NOT NULL DEFAULT 0,
            sequence    INTEGER NOT NULL DEFAULT 0,
            attending   INTEGER NOT NULL DEFAULT 0,
            created_at  TEXT NOT NULL,
            updated_at  TEXT NOT NULL
        )""",
        "CREATE INDEX outreach_networking_events_start ON outreach_networking_events (starts_at)",
    )),
    Migration("0007-due-columns", (
        "ALTER TABLE outreach_threads ADD COLUMN followups INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE outreach_threads ADD COLUMN last_sent REAL",
        "ALTER TABLE outreach_threads ADD COLUMN next_followup REAL",
        _DUE_COLUMNS,
        "CREATE INDEX outreach_threads_due ON outreach_threads (followups, next_followup)",
        "CREATE INDEX outreach_threads_due_sent ON outreach_threads (followups, last_sent)",
        _due_trigger("outreach_messages_due_insert", "INSERT ON outreach_messages",
                     f"NEW.status IN {_DELIVERED_SQL}", "id = NEW.thread_id"),
        _due_trigger("outreach_messages_due_update",
                     "UPDATE OF status, sent_at, updated_at, kind, followup_days, thread_id ON outreach_messages",
                     f"OLD.status IN {_DELIVERED_SQL} OR NEW.status IN {_DELIVERED_SQL}",
                     "id = NEW.thread_id", "id = OLD.thread_id AND OLD.thread_id IS NOT NEW.thread_id"),
        _due_trigger("outreach_messages_due_delete", "DELETE ON outreach_messages",
                     f"OLD.status IN {_DELIVERED_SQL}", "id = OLD.thread_id"),
        # A thread row written after its messages (a new thread starts with none: nothing to do).
        _due_trigger("outreach_threads_due_insert", "INSERT ON outreach_threads",
                     f"EXISTS (SELECT 1 FROM outreach_messages WHERE thread_id = NEW.id AND status IN {_DELIVERED_SQL})",
                     "id = NEW.id"),
    )),
    # A thread enters the due indexes when its first message is delivered: a queued or claimed one's
    # (NULL) entry is not kept, so a send's commit writes two index pages fewer.
    Migration("0008-partial-due-indexes", (
        "DROP INDEX outreach_threads_due",
        "DROP INDEX outreach_threads_due_sent",
        "CREATE INDEX outreach_threads_due ON outreach_threads (followups, next_followup)"
        " WHERE next_followup IS NOT NULL",
        "CREATE INDEX outreach_threads_due_sent ON outreach_threads (followups, last_sent) WHERE last_sent IS NOT NULL",
    )),
)


@record
class _Legacy:
    """What legacy schema version N (``user_version`` N, tables without the prefix) created."""

    tables: tuple[str, ...]
    indexes: tuple[str, ...]


# The unprefixed layout, version by version; version N corresponds to MIGRATIONS[N - 1].
_LEGACY: tuple[_Legacy, ...] = (
    _Legacy(("messages",), ("messages_contact", "messages_thread", "messages_status")),
    _Legacy(("contacts", "contact_tags", "blocks"), ("contact_tags_tag",)),
    _Legacy(("threads", "events", "milestones"), ("threads_contact", "events_thread")),
    _Legacy(("imap_state", "inbox", "bounces"), ()),
    _Legacy((), ("messages_contact_kind", "contacts_referred_by")),
    _Legacy(("targets", "target_aliases", "networking_events"), ("networking_events_start",)),
)
_LEGACY_JOURNAL = {"key", "batch", "message_id", "thread_id", "contact", "template", "envelope", "data", "status",
                   "owner", "attempts", "refused"}


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def host_tables(db: sqlite3.Connection) -> list[str]:
    """The tables of the database that are not outreach's: those of the application that hosts the store."""
    return [row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 9) != 'outreach_'"
        " AND substr(name, 1, 7) != 'sqlite_' ORDER BY name")]


def applied(db: sqlite3.Connection) -> list[str]:
    """The names of the migrations the database has, in the order they ran."""
    if not _has_table(db, MIGRATIONS_TABLE):
        return []
    return [row[0] for row in db.execute(f"SELECT name FROM {MIGRATIONS_TABLE} ORDER BY rowid")]


def _legacy_version(db: sqlite3.Connection) -> int:
    """The schema version of a store written before the prefix, or 0 when the database is not one.

    Only a database whose ``messages`` table has the journal's columns, and whose ``user_version`` is one
    outreach wrote, counts: a host's own ``messages`` table or ``user_version`` is left alone.
    """
    if _has_table(db, MIGRATIONS_TABLE) or not _has_table(db, "messages"):
        return 0
    columns = {row[1] for row in db.execute("PRAGMA table_info(messages)")}
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    return version if _LEGACY_JOURNAL <= columns and 1 <= version <= len(_LEGACY) else 0


def pending(db: sqlite3.Connection) -> bool:
    """True when opening the database has to change its schema (a read, no lock taken)."""
    return _legacy_version(db) > 0 or set(applied(db)) != {m.name for m in MIGRATIONS}


def _adopt(db: sqlite3.Connection, version: int, now: str) -> None:
    """Rename the unprefixed tables of a legacy store and record the migrations they stand for."""
    for number, legacy in enumerate(_LEGACY[:version], start=1):
        for table in legacy.tables:
            db.execute(f'ALTER TABLE "{table}" RENAME TO "outreach_{table}"')
        for index in legacy.indexes:
            db.execute(f'DROP INDEX IF EXISTS "{index}"')
        for statement in MIGRATIONS[number - 1].statements:
            if statement.startswith("CREATE INDEX"):
                db.execute(statement)
        db.execute(f"INSERT INTO {MIGRATIONS_TABLE} (name, applied_at) VALUES (?, ?)",
                   (MIGRATIONS[number - 1].name, now))


def upgrade(db: sqlite3.Connection, now: str) -> None:
    """Bring the schema up to date; call inside a write transaction, which keeps it all or nothing."""
    legacy = _legacy_version(db)
    db.execute(f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} ("
               " name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    if legacy:
        _adopt(db, legacy, now)
    done = applied(db)
    known = [m.name for m in MIGRATIONS]
    unknown = [name for name in done if name not in known]
    if unknown:
        raise StoreError(f"the store was changed by a newer outreach (migration {', '.join(unknown)});"
                         " upgrade outreach")
    for migration in MIGRATIONS:
        if migration.name in done:
            continue
        for statement in migration.statements:
            db.execute(statement)
        if migration.after is not None:
            migration.after(db, now)
        db.execute(f"INSERT INTO {MIGRATIONS_TABLE} (name, applied_at) VALUES (?, ?)", (migration.name, now))
