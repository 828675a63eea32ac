"""The SQL of the research half: target organisations with their aliases, and networking events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from ..record import record
from .db import Store

__all__ = ["EventRow", "EventTable", "TargetRow", "TargetTable"]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@record
class TargetRow:
    """A target organisation as stored: its name, what you look for there, and the other names it goes by."""

    id: int
    name: str
    role: str = ""
    notes: str = ""
    priority: int = 2
    aliases: tuple[str, ...] = ()


class TargetTable:
    """Reads and writes the ``outreach_targets`` and ``outreach_target_aliases`` tables."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def all(self) -> list[TargetRow]:
        """Every target, by priority then name."""
        aliases: dict[int, list[str]] = {}
        for r in self.store.query("SELECT target_id, alias FROM outreach_target_aliases ORDER BY rowid"):
            aliases.setdefault(r["target_id"], []).append(r["alias"])
        rows = self.store.query("SELECT * FROM outreach_targets ORDER BY priority, name COLLATE NOCASE, id")
        return [TargetRow(r["id"], r["name"], r["role"], r["notes"], r["priority"], tuple(aliases.get(r["id"], ())))
                for r in rows]

    def owners(self) -> dict[str, int]:
        """Which target each name key and alias key belongs to."""
        found = {r["name_key"]: int(r["id"]) for r in self.store.query("SELECT id, name_key FROM outreach_targets")}
        for r in self.store.query("SELECT target_id, alias_key FROM outreach_target_aliases"):
            found.setdefault(r["alias_key"], int(r["target_id"]))
        return found

    def save(self, name: str, name_key: str, aliases: Sequence[tuple[str, str]],
             changes: Mapping[str, object]) -> tuple[int, bool]:
        """Create the target with ``name_key`` or update it; add ``(alias, key)`` pairs. Returns (id, created)."""
        now = _now()
        with self.store.transaction() as execute:
            row = execute("SELECT id FROM outreach_targets WHERE name_key = ?", (name_key,)).fetchone()
            if row is None:
                values = {"role": "", "notes": "", "priority": 2, **changes}
                target_id = int(execute(
                    "INSERT INTO outreach_targets (name, name_key, role, notes, priority, created_at, updated_at)"
                    " VALUES (?,?,?,?,?,?,?)",
                    (name, name_key, values["role"], values["notes"], values["priority"], now, now)).lastrowid)
            else:
                target_id = int(row["id"])
                if changes:
                    columns = ", ".join(f"{k} = ?" for k in changes)
                    execute(f"UPDATE outreach_targets SET {columns}, updated_at = ? WHERE id = ?",
                            (*changes.values(), now, target_id))
            for alias, key in aliases:
                execute("INSERT OR IGNORE INTO outreach_target_aliases (target_id, alias, alias_key) VALUES (?, ?, ?)",
                        (target_id, alias, key))
        return target_id, row is None

    def companies(self) -> list[tuple[int, str, str | None]]:
        """``(id, company, address key)`` of every contact in the book that names a company."""
        return [(int(r["id"]), r["company"], r["email_key"]) for r in self.store.query(
            "SELECT id, company, email_key FROM outreach_contacts WHERE removed_at IS NULL AND company != ''")]

    def remove(self, target_id: int) -> None:
        """Delete a target and its aliases; contacts and threads are not touched."""
        with self.store.transaction() as execute:
            execute("DELETE FROM outreach_target_aliases WHERE target_id = ?", (target_id,))
            execute("DELETE FROM outreach_targets WHERE id = ?", (target_id,))


@record
class EventRow:
    """A networking event read from a calendar: when, where, its page, and whether you plan to go."""

    id: int
    uid: str
    summary: str
    starts_at: datetime
    ends_at: datetime | None = None
    all_day: bool = False
    location: str = ""
    url: str = ""
    description: str = ""
    cancelled: bool = False
    sequence: int = 0
    attending: bool = False


EVENT_FIELDS = ("summary", "starts_at", "ends_at", "all_day", "location", "url", "description", "cancelled",
                "sequence")


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _event(r: Mapping[str, Any]) -> EventRow:
    starts = _time(r["starts_at"])
    assert starts is not None
    return EventRow(id=r["id"], uid=r["uid"], summary=r["summary"], starts_at=starts, ends_at=_time(r["ends_at"]),
                    all_day=bool(r["all_day"]), location=r["location"], url=r["url"], description=r["description"],
                    cancelled=bool(r["cancelled"]), sequence=r["sequence"], attending=bool(r["attending"]))


def _stored(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat(timespec="seconds")
    if isinstance(value, bool):
        return int(value)
    return value


class EventTable:
    """Reads and writes the ``outreach_networking_events`` table."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def all(self) -> list[EventRow]:
        """Every event, soonest first."""
        return [_event(r) for r in self.store.query("SELECT * FROM outreach_networking_events ORDER BY starts_at, id")]

    def get(self, event_id: int) -> EventRow | None:
        """The event with this id."""
        rows = self.store.query("SELECT * FROM outreach_networking_events WHERE id = ?", (event_id,))
        return _event(rows[0]) if rows else None

    def named(self, summary: str) -> list[EventRow]:
        """Events whose summary is ``summary`` (case does not matter), soonest first."""
        rows = self.store.query("SELECT * FROM outreach_networking_events WHERE summary = ? COLLATE NOCASE"
                                " ORDER BY starts_at, id", (summary.strip(),))
        return [_event(r) for r in rows]

    def attended(self) -> list[EventRow]:
        """Events you marked as attending, soonest first."""
        return [_event(r) for r in self.store.query(
            "SELECT * FROM outreach_networking_events WHERE attending = 1 ORDER BY starts_at, id")]

    def merge(self, events: Sequence[Mapping[str, object]]) -> dict[str, int]:
        """Insert new events and update changed ones by UID, in one transaction; count what happened.

        An event whose stored SEQUENCE is higher than the one read is an older copy and is left as it is.
        """
        counts = {"added": 0, "updated": 0, "unchanged": 0, "cancelled": 0}
        now = _now()
        with self.store.transaction() as execute:
            for event in events:
                values = {k: _stored(event.get(k)) for k in EVENT_FIELDS}
                row = execute("SELECT * FROM outreach_networking_events WHERE uid = ?", (event["uid"],)).fetchone()
                if row is None:
                    execute(f"INSERT INTO outreach_networking_events (uid, {', '.join(EVENT_FIELDS)}, created_at, updated_at)"
                            f" VALUES (?, {', '.join('?' * len(EVENT_FIELDS))}, ?, ?)",
                            (event["uid"], *values.values(), now, now))
                    counts["added"] += 1
                elif int(str(row["sequence"])) > int(str(values["sequence"] or 0)) or all(
                        row[k] == values[k] for k in EVENT_FIELDS):
                    counts["unchanged"] += 1
                    continue
                else:
                    columns = ", ".join(f"{k} = ?" for k in EVENT_FIELDS)
                    execute(f"UPDATE outreach_networking_events SET {columns}, updated_at = ? WHERE id = ?",
                            (*values.values(), now, row["id"]))
                    counts["updated"] += 1
                if values["cancelled"] and (row is None or not row["cancelled"]):
                    counts["cancelled"] += 1
        return counts

    def set_attending(self, event_id: int, attending: bool) -> bool:
        """Mark (or unmark) an event as one you will go to; False when there is no such event."""
        with self.store.transaction() as execute:
            return bool(execute("UPDATE outreach_networking_events SET attending = ?, updated_at = ? WHERE id = ?",
                                (int(attending), _now(), event_id)).rowcount)
