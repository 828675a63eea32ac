"""The SQLite connection (WAL, busy timeout, write transactions) and the journal of messages."""

from __future__ import annotations

import os
import sqlite3
from _thread import RLock  # threading's RLock is this one; threading itself is not needed
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..clock import Clock, system_clock
from ..errors import StoreError
from ..kinds import Status
from ..private import private_dir
from ..record import record
from . import schema

if TYPE_CHECKING:
    from ..models import Envelope

__all__ = ["JournalEntry", "JournalState", "Settled", "Store"]

BUSY_TIMEOUT_S = 30.0

def _stamp(clock: Clock) -> str:
    return clock().astimezone(timezone.utc).isoformat(timespec="microseconds")


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@record
class JournalEntry:
    """One message as the journal holds it."""

    key: str
    batch: str
    message_id: str
    thread_id: str
    contact: str
    template: str
    subject: str
    envelope: Envelope
    data: bytes
    status: Status
    kind: str = ""
    followup_days: int | None = None
    variables: Mapping[str, str] | None = None
    attempts: int = 0
    reply: str = ""
    refused: dict[str, str] | None = None
    created_at: str = ""
    sent_at: str | None = None


class Settled(NamedTuple):
    """The outcome of a send attempt, waiting to be recorded with the next claim."""

    key: str
    status: Status
    reply: str = ""
    refused: Mapping[str, str] | None = None


@record
class JournalState:
    """A journal row without its bytes: enough to decide whether to send it."""

    key: str
    status: Status
    reply: str
    message_id: str
    contact: str
    owner: int | None = None

    @property
    def claimed_elsewhere(self) -> bool:
        """True when a live process (another one, or another connection to the store) is sending it now."""
        return self.status is Status.SENDING and _pid_alive(self.owner)


def _entry(row: Mapping[str, Any]) -> JournalEntry:
    """A journal row as an entry; a damaged row is a :class:`StoreError` naming it, not a crash."""
    try:
        return _parse_entry(row)
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"the journal row for {row['key']!r} ({row['message_id']}) is damaged: {exc}") from exc


def _parse_entry(row: Mapping[str, Any]) -> JournalEntry:
    import json  # loaded when a row is read or written whole: opening the store does not need it

    from ..models import Envelope

    env = json.loads(row["envelope"])
    return JournalEntry(
        key=row["key"],
        batch=row["batch"],
        message_id=row["message_id"],
        thread_id=row["thread_id"],
        contact=row["contact"],
        template=row["template"],
        subject=row["subject"],
        envelope=Envelope(sender=env["sender"], recipients=tuple(env["recipients"]), smtputf8=env["smtputf8"]),
        data=bytes(row["data"]),
        status=Status(row["status"]),
        kind=row["kind"],
        followup_days=row["followup_days"],
        variables=json.loads(row["variables"]),
        attempts=row["attempts"],
        reply=row["reply"],
        refused=json.loads(row["refused"]),
        created_at=row["created_at"],
        sent_at=row["sent_at"],
    )


class Store:
    """One SQLite file (WAL, synchronous=FULL); writes use ``BEGIN IMMEDIATE``.

    A file of outreach's own is made mode 0600; a host's database (one with tables of its own) keeps its mode.
    """

    def __init__(self, path: Path, *, clock: Clock = system_clock) -> None:
        self.path = Path(path)
        self.clock = clock
        try:
            private_dir(self.path.parent)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
            self._lock = RLock()
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                       check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            self._wal()
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
            if not schema.host_tables(self._db):
                os.chmod(self.path, 0o600)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the store {self.path}: {exc}") from exc

    def _wal(self) -> None:
        """Switch to WAL once; a second process doing the same at that moment waits its turn.

        Changing the journal mode does not wait on SQLite's busy timeout, so this retries.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        delay = 0.005
        while True:
            try:
                if self._db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.2)

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def query(self, sql: str, args: Sequence[object] = ()) -> list[Mapping[str, Any]]:
        """Run a read-only statement for a repository of this package; rows are mappings by column name."""
        try:
            with self._lock:
                return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the store {self.path}: {exc}") from exc

    @contextmanager
    def transaction(self) -> Iterator[Callable[..., Any]]:
        """A write transaction (``BEGIN IMMEDIATE``) for a repository; yields ``execute(sql, args)`` -> cursor."""
        with self._write() as db:

            def execute(sql: str, args: Sequence[object] = ()) -> Any:
                try:
                    return db.execute(sql, args)
                except sqlite3.IntegrityError as exc:
                    raise StoreError(f"conflicting change to the store: {exc}") from exc

            yield execute

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; inside one already open on this connection, a savepoint that is part of it."""
        with self._lock:
            if self._db.in_transaction:
                with self._savepoint() as db:
                    yield db
                return
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(f"cannot write to the store {self.path}: {exc}") from exc
            try:
                yield self._db
            except sqlite3.Error as exc:
                self._rollback()
                raise StoreError(f"cannot write to the store {self.path}: {exc}") from exc
            except BaseException:
                self._rollback()
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StoreError(f"cannot commit to the store {self.path}: {exc}") from exc

    @contextmanager
    def _savepoint(self) -> Iterator[sqlite3.Connection]:
        """The part of the open transaction a nested write makes: undone alone on an exception, kept otherwise."""
        try:
            self._db.execute("SAVEPOINT outreach_nested")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK TO outreach_nested")
                self._db.execute("RELEASE outreach_nested")
                raise
            self._db.execute("RELEASE outreach_nested")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write to the store {self.path}: {exc}") from exc

    def _rollback(self) -> None:
        try:
            self._db.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    @property
    def migrations(self) -> list[str]:
        """The names of the schema migrations the store has had, oldest first."""
        with self._lock:
            return schema.applied(self._db)

    def _migrate(self) -> None:
        """Bring the schema up to date in one write transaction; an up-to-date store takes no write lock."""
        with self._lock:
            if not schema.pending(self._db):
                return
        with self._write() as db:
            schema.upgrade(db, _stamp(self.clock))

    def recover(self) -> list[JournalEntry]:
        """Turn rows left ``sending`` by a process that is gone into ``unknown``; return them."""
        with self._write() as db:
            rows = db.execute("SELECT * FROM outreach_messages WHERE status = ?", (Status.SENDING.value,)).fetchall()
            stale = [r for r in rows if not _pid_alive(r["owner"])]
            for row in stale:
                db.execute(
                    "UPDATE outreach_messages SET status = ?, owner = NULL, updated_at = ?, reply = ? WHERE key = ?",
                    (Status.UNKNOWN.value, _stamp(self.clock), "interrupted while sending; may have been delivered",
                     row["key"]),
                )
        return [_entry(r) for r in stale]

    @contextmanager
    def journal_writer(self) -> Iterator[Callable[[JournalEntry], None]]:
        """One transaction that records entries as ``queued`` as they come; rolled back on any exception.

        A key already in the journal keeps its row as it is.
        """
        import json

        now = _stamp(self.clock)
        with self._write() as db:

            def write(e: JournalEntry) -> None:
                db.execute("INSERT OR IGNORE INTO outreach_threads (id, contact, subject, purpose, created_at)"
                           " VALUES (?,?,?,?,?)", (e.thread_id, e.contact, e.subject, e.kind, now))
                db.execute(
                    "INSERT INTO outreach_messages (key, batch, message_id, thread_id, contact, template, subject,"
                    " envelope, data, status, kind, followup_days, variables, created_at, updated_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                    " ON CONFLICT(key) DO NOTHING",
                    (e.key, e.batch, e.message_id, e.thread_id, e.contact, e.template, e.subject,
                     json.dumps({"sender": e.envelope.sender, "recipients": list(e.envelope.recipients),
                                 "smtputf8": e.envelope.smtputf8}),
                     e.data, Status.QUEUED.value, e.kind, e.followup_days,
                     json.dumps(dict(e.variables or {}), ensure_ascii=False), now, now))

            yield write

    def journal(self, entries: Iterable[JournalEntry]) -> None:
        """Record ``entries`` as queued in one transaction (keys already present are kept as they are)."""
        with self.journal_writer() as write:
            for entry in entries:
                write(entry)

    def states(self, keys: Sequence[str]) -> dict[str, JournalState]:
        """Status, reply, Message-ID and contact of each key, without the message bytes."""
        found: dict[str, JournalState] = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start:start + 500])
            marks = ",".join("?" * len(chunk))
            for r in self.query(f"SELECT key, status, reply, message_id, contact, owner FROM outreach_messages"
                                f" WHERE key IN ({marks})", chunk):
                found[r["key"]] = JournalState(r["key"], Status(r["status"]), r["reply"], r["message_id"],
                                               r["contact"], r["owner"])
        return found

    def get(self, key: str) -> JournalEntry | None:
        """The journal row with idempotency key ``key``."""
        rows = self.query("SELECT * FROM outreach_messages WHERE key = ?", (key,))
        return _entry(rows[0]) if rows else None

    def claim(self, key: str, *, settle: Settled | None = None) -> bool:
        """Atomically move ``key`` from ``queued``/``deferred`` to ``sending``, owned by this process; True if won.

        Called before the data goes out. False when the row was in another state, e.g. claimed by
        another process or connection: the check and the change are one statement in one write
        transaction, so of any number of processes and connections on this store one wins each message.
        ``settle``, the outcome of the message sent before, is recorded in the same transaction: one
        fsync per message instead of two.
        """
        with self._write() as db:
            if settle is not None:
                self._mark(db, *settle)
            cur = db.execute(
                "UPDATE outreach_messages SET status = ?, owner = ?, attempts = attempts + 1, updated_at = ?"
                " WHERE key = ? AND status IN (?, ?)",
                (Status.SENDING.value, os.getpid(), _stamp(self.clock), key, Status.QUEUED.value,
                 Status.DEFERRED.value),
            )
        return cur.rowcount == 1

    def defer(self, key: str, reply: str) -> bool:
        """Mark a message that was not tried ``deferred``, unless something else has claimed or decided it."""
        with self._write() as db:
            cur = db.execute(
                "UPDATE outreach_messages SET status = ?, reply = ?, updated_at = ? WHERE key = ? AND status IN (?, ?)",
                (Status.DEFERRED.value, reply, _stamp(self.clock), key, Status.QUEUED.value, Status.DEFERRED.value),
            )
        return cur.rowcount == 1

    def mark(self, key: str, status: Status, reply: str = "", refused: dict[str, str] | None = None) -> None:
        """Record the outcome of a send attempt; ``sent`` also stamps the time."""
        with self._write() as db:
            self._mark(db, key, status, reply, refused)

    def _mark(self, db: sqlite3.Connection, key: str, status: Status, reply: str = "",
              refused: Mapping[str, str] | None = None) -> None:
        import json

        now = _stamp(self.clock)
        db.execute(
            "UPDATE outreach_messages SET status = ?, owner = NULL, reply = ?, refused = ?, updated_at = ?,"
            " sent_at = CASE WHEN ? THEN ? ELSE sent_at END WHERE key = ?",
            (status.value, reply, json.dumps(dict(refused or {})), now, status is Status.SENT, now, key),
        )

    def messages(self, status: Status | None = None, contact: str | None = None) -> list[JournalEntry]:
        """Journal rows, oldest first, optionally only those with ``status`` or to ``contact``."""
        sql = "SELECT * FROM outreach_messages WHERE 1=1"
        args: list[object] = []
        if status is not None:
            sql += " AND status = ?"
            args.append(status.value)
        if contact is not None:
            sql += " AND contact = ?"
            args.append(contact)
        return [_entry(r) for r in self.query(sql + " ORDER BY id", args)]

    def resolve(self, message_id: str, status: Status) -> bool:
        """Let the user settle an ``unknown`` message as ``sent`` or back to ``queued``."""
        with self._write() as db:
            cur = db.execute(
                "UPDATE outreach_messages SET status = ?, updated_at = ? WHERE message_id = ? AND status = ?",
                (status.value, _stamp(self.clock), message_id, Status.UNKNOWN.value),
            )
        return cur.rowcount > 0

    def retry(self, message_id: str | None = None, *, batch: str | None = None) -> list[str]:
        """Queue ``failed`` messages again (one by Message-ID, those of a batch, or all); return their Message-IDs."""
        sql, args = "SELECT message_id FROM outreach_messages WHERE status = ?", [Status.FAILED.value]
        if message_id is not None:
            sql, args = sql + " AND message_id = ?", [*args, message_id]
        if batch is not None:
            sql, args = sql + " AND batch = ?", [*args, batch]
        with self._write() as db:
            ids = [r["message_id"] for r in db.execute(sql, args).fetchall()]
            for mid in ids:
                db.execute("UPDATE outreach_messages SET status = ?, reply = '', updated_at = ? WHERE message_id = ?",
                           (Status.QUEUED.value, _stamp(self.clock), mid))
        return ids

    def earlier_of_kind(self, contact: str, kind: str) -> list[JournalEntry]:
        """Messages of ``kind`` to ``contact`` that were not refused for good, oldest first."""
        rows = self.query("SELECT * FROM outreach_messages WHERE contact = ? AND kind = ? AND status != ? ORDER BY id",
                          (contact, kind, Status.FAILED.value))
        return [_entry(r) for r in rows]

    def first_variables(self, thread_id: str) -> dict[str, str]:
        """The variables the first message of a thread was rendered with."""
        import json

        rows = self.query("SELECT variables FROM outreach_messages WHERE thread_id = ? ORDER BY id LIMIT 1",
                          (thread_id,))
        return json.loads(rows[0]["variables"]) if rows else {}

    def known_addresses(self) -> set[str]:
        """Every address the journal or the threads name."""
        rows = self.query("SELECT contact FROM outreach_messages UNION SELECT contact FROM outreach_threads")
        return {r["contact"] for r in rows}

    def first_variables_of(self, contact: str) -> dict[str, str]:
        """What the messages to ``contact`` were rendered with, later ones winning."""
        import json

        merged: dict[str, str] = {}
        for row in self.query("SELECT variables FROM outreach_messages WHERE contact = ? ORDER BY id", (contact,)):
            merged.update(json.loads(row["variables"]))
        return merged

    def delivered_thread(self, message_id: str) -> tuple[str, str] | None:
        """``(thread_id, contact)`` of the sent (or maybe sent) message with this Message-ID."""
        rows = self.query("SELECT thread_id, contact FROM outreach_messages WHERE message_id = ?"
                          " AND status IN (?, ?)", (message_id, Status.SENT.value, Status.UNKNOWN.value))
        return (rows[0]["thread_id"], rows[0]["contact"]) if rows else None

    def latest_delivered_to(self, *addresses: str) -> tuple[str, str] | None:
        """``(thread_id, contact)`` of the latest sent (or maybe sent) message to any of ``addresses``."""
        if not addresses:
            return None
        marks = ",".join("?" * len(addresses))
        rows = self.query(f"SELECT thread_id, contact FROM outreach_messages WHERE contact IN ({marks})"
                          " AND status IN (?, ?) ORDER BY id DESC LIMIT 1",
                          (*addresses, Status.SENT.value, Status.UNKNOWN.value))
        return (rows[0]["thread_id"], rows[0]["contact"]) if rows else None
