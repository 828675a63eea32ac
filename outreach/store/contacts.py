"""The contact book's tables: ``outreach_contacts`` and ``outreach_contact_tags``."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from ..errors import StoreError
from .db import Store

__all__ = ["NEW_COLUMNS", "BufferedContactWriter", "ContactTable", "ContactWriter"]

MAX_ROWID = 2**63 - 1
IMPORT_COLUMNS = ("id", "email_key", "email", "name", "company", "position", "linkedin_url", "connected_on", "notes",
                  "fields", "edited", "removed_at")

Row = Mapping[str, Any]

COLUMNS = frozenset({"email_key", "email", "linkedin_url", "name", "company", "position", "notes", "connected_on",
                     "fields", "referred_by", "may_use_name", "edited", "removed_at", "created_at", "updated_at"})


def _columns(values: Mapping[str, object]) -> list[str]:
    unknown = set(values) - COLUMNS
    if unknown:
        raise StoreError(f"no contact column {', '.join(sorted(unknown))}")
    return list(values)


class ContactWriter:
    """The contact tables inside one write transaction: reads see its own changes."""

    def __init__(self, execute: Callable[..., Any]) -> None:
        self._execute = execute

    def by_key(self, key: str) -> Row | None:
        """The contact whose main address has this key."""
        row: Row | None = self._execute("SELECT * FROM outreach_contacts WHERE email_key = ?", (key,)).fetchone()
        return row

    def by_id(self, contact_id: int) -> Row | None:
        """The contact with this id."""
        row: Row | None = self._execute("SELECT * FROM outreach_contacts WHERE id = ?", (contact_id,)).fetchone()
        return row

    def all(self) -> list[dict[str, Any]]:
        """Every contact, removed ones included, as plain dicts."""
        return [dict(r) for r in self._execute("SELECT * FROM outreach_contacts").fetchall()]

    def for_import(self) -> list[dict[str, Any]]:
        """Every contact, removed ones included, with the columns an import matches and merges on, as plain dicts."""
        cursor = self._execute(f"SELECT {', '.join(IMPORT_COLUMNS)} FROM outreach_contacts")
        cursor.row_factory = None  # plain tuples, zipped with the names: much faster than sqlite3.Row and dict()
        return [dict(zip(IMPORT_COLUMNS, row)) for row in cursor.fetchall()]

    def tag_pairs(self) -> set[tuple[int, str]]:
        """Every ``(contact id, tag)``."""
        return {(r["contact_id"], r["tag"])
                for r in self._execute("SELECT contact_id, tag FROM outreach_contact_tags").fetchall()}

    def insert(self, values: Mapping[str, object]) -> int:
        """Add a contact with these column values; returns its id."""
        columns = _columns(values)
        marks = ",".join("?" * len(columns))
        cursor = self._execute(f"INSERT INTO outreach_contacts ({', '.join(columns)}) VALUES ({marks})",
                               tuple(values.values()))
        return int(cursor.lastrowid)

    def update(self, contact_id: int, changes: Mapping[str, object]) -> None:
        """Set these column values of one contact."""
        if changes:
            sets = ", ".join(f"{c} = ?" for c in _columns(changes))
            self._execute(f"UPDATE outreach_contacts SET {sets} WHERE id = ?", (*changes.values(), contact_id))

    def move_history(self, old_key: str, new_key: str, at: str) -> int:
        """Give the journal's messages and threads of ``old_key`` to ``new_key`` (a corrected address).

        Idempotency keys naming the old address are renamed too, so that nothing is sent twice; one that
        would clash with a key of the new address keeps its name. Each thread moved gets a ``readdressed``
        event at ``at`` (a bounce of the old address no longer blocks it). Returns how many messages moved.
        """
        detail = json.dumps({"from": old_key, "to": new_key})
        for thread in self._execute("SELECT id FROM outreach_threads WHERE contact = ?", (old_key,)).fetchall():
            self._execute("INSERT INTO outreach_events (thread_id, kind, at, detail) VALUES (?, 'readdressed', ?, ?)",
                          (thread["id"], at, detail))
        rows = self._execute("SELECT id, key FROM outreach_messages WHERE contact = ?", (old_key,)).fetchall()
        for row in rows:
            head, sep, tail = str(row["key"]).partition(f":{old_key}")
            if sep and (not tail or tail.startswith(":")):
                self._execute("UPDATE OR IGNORE outreach_messages SET key = ? WHERE id = ?",
                              (f"{head}:{new_key}{tail}", row["id"]))
        self._execute("UPDATE outreach_messages SET contact = ? WHERE contact = ?", (new_key, old_key))
        self._execute("UPDATE outreach_threads SET contact = ? WHERE contact = ?", (new_key, old_key))
        return len(rows)

    def add_tag(self, contact_id: int, tag: str) -> None:
        """Tag a contact (a tag it has already is kept once)."""
        self._execute("INSERT OR IGNORE INTO outreach_contact_tags (contact_id, tag) VALUES (?, ?)", (contact_id, tag))

    def remove_tag(self, contact_id: int, tag: str) -> None:
        """Take a tag off a contact."""
        self._execute("DELETE FROM outreach_contact_tags WHERE contact_id = ? AND tag = ?", (contact_id, tag))


@lru_cache(maxsize=64)
def _insert_sql(columns: tuple[str, ...]) -> str:
    _columns(dict.fromkeys(columns))
    return f"INSERT INTO outreach_contacts (id, {', '.join(columns)}) VALUES ({','.join('?' * (len(columns) + 1))})"


@lru_cache(maxsize=64)
def _update_sql(columns: tuple[str, ...]) -> str:
    _columns(dict.fromkeys(columns))
    return f"UPDATE outreach_contacts SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?"


NEW_COLUMNS = ("email_key", "email", "linkedin_url", "name", "company", "position", "notes", "connected_on", "fields",
               "created_at", "updated_at")
_NEW_SQL = _insert_sql(NEW_COLUMNS)
_TAG_SQL = "INSERT OR IGNORE INTO outreach_contact_tags (contact_id, tag) VALUES (?, ?)"


class BufferedContactWriter(ContactWriter):
    """A :class:`ContactWriter` for imports: inserts, updates and tags are queued, then sent in order with
    ``executemany`` before any read and when the transaction ends.

    The statements run are the ones the plain writer runs, in the same order, so the book ends the same.
    A new contact's id is given explicitly: one more than the largest id in the table, read inside the
    write transaction (which holds SQLite's write lock), which is the id SQLite itself would choose.
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        super().__init__(self._run)
        self._queue: list[tuple[str, list[tuple[object, ...]]]] = []
        self._next_id: int | None = None

    def _run(self, sql: str, args: tuple[object, ...] | list[object] = ()) -> Any:
        """Run one statement now, after everything queued (reads see every change made so far)."""
        self.flush()
        self._next_id = None  # whatever this statement does, the next insert reads the largest id again
        try:
            return self._db.execute(sql, args)
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"conflicting change to the store: {exc}") from exc

    def _enqueue(self, sql: str, args: tuple[object, ...]) -> None:
        if self._queue and self._queue[-1][0] == sql:
            self._queue[-1][1].append(args)
        else:
            self._queue.append((sql, [args]))

    def flush(self) -> None:
        """Send every queued statement, in order."""
        queue, self._queue = self._queue, []
        try:
            for sql, rows in queue:
                self._db.executemany(sql, rows)
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"conflicting change to the store: {exc}") from exc

    def insert(self, values: Mapping[str, object]) -> int:
        """Queue a new contact with these column values; returns the id it will have."""
        if self._next_id is None:
            self.flush()
            largest = self._db.execute("SELECT coalesce(max(id), 0) FROM outreach_contacts").fetchone()[0]
            self._next_id = int(largest) + 1
        if self._next_id > MAX_ROWID:  # SQLite would pick an unused id at random: let it
            return super().insert(values)
        contact_id, self._next_id = self._next_id, self._next_id + 1
        self._enqueue(_insert_sql(tuple(values)), (contact_id, *values.values()))
        return contact_id

    def insert_new(self, values: tuple[object, ...]) -> int:
        """Queue a new contact given as values of :data:`NEW_COLUMNS`, in that order; returns the id it will have."""
        if self._next_id is None or self._next_id > MAX_ROWID:
            return self.insert(dict(zip(NEW_COLUMNS, values)))
        contact_id, self._next_id = self._next_id, self._next_id + 1
        if self._queue and self._queue[-1][0] is _NEW_SQL:
            self._queue[-1][1].append((contact_id, *values))
        else:
            self._enqueue(_NEW_SQL, (contact_id, *values))
        return contact_id

    def update(self, contact_id: int, changes: Mapping[str, object]) -> None:
        """Queue setting these column values of one contact."""
        if changes:
            self._enqueue(_update_sql(tuple(changes)), (*changes.values(), contact_id))

    def add_tag(self, contact_id: int, tag: str) -> None:
        """Queue tagging a contact (a tag it has already is kept once)."""
        self._enqueue(_TAG_SQL, (contact_id, tag))


class ContactTable:
    """Reads the contact tables; writes go through :meth:`write`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @contextmanager
    def write(self) -> Iterator[ContactWriter]:
        """One write transaction over the contact tables; rolled back on any exception."""
        with self.store.transaction() as execute:
            yield ContactWriter(execute)

    @contextmanager
    def bulk_write(self) -> Iterator[BufferedContactWriter]:
        """Like :meth:`write`, with the writes queued and sent in batches (for imports); one transaction."""
        with self.store._write() as db:  # the store's own package: executemany needs the connection
            writer = BufferedContactWriter(db)
            yield writer
            writer.flush()

    def by_id(self, contact_id: int) -> Row | None:
        """The contact with this id."""
        rows = self.store.query("SELECT * FROM outreach_contacts WHERE id = ?", (contact_id,))
        return rows[0] if rows else None

    def by_key(self, key: str) -> Row | None:
        """The contact whose main address has this key."""
        rows = self.store.query("SELECT * FROM outreach_contacts WHERE email_key = ?", (key,))
        return rows[0] if rows else None

    def id_of(self, key: str) -> int | None:
        """The id of the contact whose main address has this key."""
        rows = self.store.query("SELECT id FROM outreach_contacts WHERE email_key = ?", (key,))
        return int(rows[0]["id"]) if rows else None

    def find(self, *, tag: str | None = None, include_removed: bool = False) -> list[Row]:
        """Contacts by name (case ignored), optionally only those with ``tag``."""
        sql = "SELECT c.* FROM outreach_contacts c WHERE 1=1"
        args: list[object] = []
        if not include_removed:
            sql += " AND c.removed_at IS NULL"
        if tag:
            sql += " AND EXISTS (SELECT 1 FROM outreach_contact_tags t WHERE t.contact_id = c.id AND t.tag = ?)"
            args.append(tag)
        return self.store.query(sql + " ORDER BY c.name COLLATE NOCASE, c.id", args)

    def referred_by(self, contact_id: int) -> list[Row]:
        """The contacts (not removed) that ``contact_id`` referred, oldest first."""
        return self.store.query("SELECT * FROM outreach_contacts WHERE referred_by = ? AND removed_at IS NULL"
                                " ORDER BY id", (contact_id,))

    def tags(self, contact_id: int) -> list[str]:
        """The tags of one contact."""
        return [r["tag"] for r in self.store.query("SELECT tag FROM outreach_contact_tags WHERE contact_id = ?",
                                                   (contact_id,))]

    def all_tags(self) -> dict[int, list[str]]:
        """The tags of every contact, by contact id."""
        tags: dict[int, list[str]] = {}
        for r in self.store.query("SELECT contact_id, tag FROM outreach_contact_tags"):
            tags.setdefault(r["contact_id"], []).append(r["tag"])
        return tags

    def with_other_emails(self) -> list[tuple[int, str]]:
        """``(id, fields JSON)`` of contacts with a main address whose fields name other addresses, newest first."""
        return [(int(r["id"]), r["fields"]) for r in self.store.query(
            "SELECT id, fields FROM outreach_contacts WHERE fields LIKE '%other_emails%'"
            " AND email_key IS NOT NULL ORDER BY id DESC")]

    def active_keys(self) -> list[tuple[str | None, str]]:
        """``(address key, fields JSON)`` of every contact not removed."""
        return [(r["email_key"], r["fields"]) for r in self.store.query(
            "SELECT email_key, fields FROM outreach_contacts WHERE removed_at IS NULL")]

    def main_keys(self) -> list[str]:
        """The address key of every contact not removed that has one."""
        return [r["email_key"] for r in self.store.query(
            "SELECT email_key FROM outreach_contacts WHERE removed_at IS NULL AND email_key IS NOT NULL"
            " AND email_key != ''")]

    def any(self) -> bool:
        """True when the book has at least one contact."""
        return bool(self.store.query("SELECT 1 FROM outreach_contacts LIMIT 1"))
