"""The store's layout before the ``outreach_`` prefix (schema 1-6 in ``PRAGMA user_version``), to test adoption.

These are the migration scripts exactly as outreach 0.x ran them; a test builds an old store with them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["LEGACY_SCRIPTS", "legacy_store"]

LEGACY_SCRIPTS: tuple[str, ...] = (
    """
    CREATE TABLE messages (
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
    );
    CREATE INDEX messages_contact ON messages (contact, created_at);
    CREATE INDEX messages_thread ON messages (thread_id);
    CREATE INDEX messages_status ON messages (status);
    """,
    """
    CREATE TABLE contacts (
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
        referred_by  INTEGER REFERENCES contacts (id),
        may_use_name INTEGER NOT NULL DEFAULT 0,
        edited       TEXT NOT NULL DEFAULT '[]',
        removed_at   TEXT,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
    );
    CREATE TABLE contact_tags (
        contact_id INTEGER NOT NULL REFERENCES contacts (id),
        tag        TEXT NOT NULL,
        PRIMARY KEY (contact_id, tag)
    );
    CREATE INDEX contact_tags_tag ON contact_tags (tag);
    CREATE TABLE blocks (
        pattern    TEXT PRIMARY KEY,
        created_at TEXT NOT NULL
    );
    """,
    """
    ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT '';
    ALTER TABLE messages ADD COLUMN followup_days INTEGER;
    UPDATE messages SET kind = template
        WHERE template IN ('intro', 'follow-up', 'thank-you', 'check-in', 'job-update');
    CREATE TABLE threads (
        id         TEXT PRIMARY KEY,
        contact    TEXT NOT NULL,
        subject    TEXT NOT NULL DEFAULT '',
        purpose    TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    INSERT OR IGNORE INTO threads (id, contact, subject, purpose, created_at)
        SELECT thread_id, contact, subject, kind, created_at FROM messages WHERE message_id = thread_id;
    CREATE INDEX threads_contact ON threads (contact);
    CREATE TABLE events (
        id        INTEGER PRIMARY KEY,
        thread_id TEXT NOT NULL REFERENCES threads (id),
        kind      TEXT NOT NULL,
        at        TEXT NOT NULL,
        detail    TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX events_thread ON events (thread_id, at);
    CREATE TABLE milestones (
        id      INTEGER PRIMARY KEY,
        kind    TEXT NOT NULL,
        at      TEXT NOT NULL,
        detail  TEXT NOT NULL DEFAULT '{}'
    );
    """,
    """
    CREATE TABLE imap_state (
        folder      TEXT PRIMARY KEY,
        uidvalidity INTEGER NOT NULL,
        last_uid    INTEGER NOT NULL
    );
    CREATE TABLE inbox (
        message_id TEXT PRIMARY KEY,
        kind       TEXT NOT NULL,
        thread_id  TEXT,
        sender     TEXT NOT NULL DEFAULT '',
        subject    TEXT NOT NULL DEFAULT '',
        seen_at    TEXT NOT NULL
    );
    CREATE TABLE bounces (
        address TEXT PRIMARY KEY,
        at      TEXT NOT NULL,
        reason  TEXT NOT NULL DEFAULT ''
    );
    """,
    """
    ALTER TABLE messages ADD COLUMN variables TEXT NOT NULL DEFAULT '{}';
    CREATE INDEX messages_contact_kind ON messages (contact, kind);
    CREATE INDEX contacts_referred_by ON contacts (referred_by);
    """,
    """
    CREATE TABLE targets (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        name_key   TEXT NOT NULL UNIQUE,
        role       TEXT NOT NULL DEFAULT '',
        notes      TEXT NOT NULL DEFAULT '',
        priority   INTEGER NOT NULL DEFAULT 2,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE target_aliases (
        target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
        alias     TEXT NOT NULL,
        alias_key TEXT NOT NULL,
        PRIMARY KEY (target_id, alias_key)
    );
    CREATE TABLE networking_events (
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
    );
    CREATE INDEX networking_events_start ON networking_events (starts_at);
    """,
)


def legacy_store(path: Path, version: int = len(LEGACY_SCRIPTS)) -> sqlite3.Connection:
    """An old-layout store at ``version``, as the old code left it; the caller adds rows, commits and closes."""
    db = sqlite3.connect(path)
    for script in LEGACY_SCRIPTS[:version]:
        db.executescript(script)
    db.execute(f"PRAGMA user_version = {version}")
    db.commit()
    return db
