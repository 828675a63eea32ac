"""Target organisations: who you know at each, and whom to write next (warm paths first, a few a week)."""

from __future__ import annotations

import builtins

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..book.contacts import ContactBook
from ..errors import TargetError
from ..lifecycle.followups import Policy
from ..lifecycle.threads import Threads
from ..models import ContactRecord
from ..store.db import Store
from ..store.plans import TargetRow, TargetTable
from .activity import NEVER_WRITTEN, Activity, activities
from .match import company_key

__all__ = ["Person", "TargetSummary", "TargetView", "Targets", "WARM_TAGS"]

WARM_TAGS = ("alumni", "friends", "family")
NO_ADDRESS = "no-address"
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Person:
    """A contact at a target: their state, who referred them, their tags, and why the path is warm (if it is)."""

    record: ContactRecord
    state: str
    warm: str = ""
    activity: Activity | None = None
    rank: int = 2  # 0: a referrer who allowed their name; 1: a warm tag; 2: no warm path

    def as_json(self) -> dict[str, object]:
        """A JSON-ready dict, the shape ``targets show --json`` prints."""
        r = self.record
        return {"id": r.id, "name": r.name, "email": r.email, "company": r.company, "position": r.position,
                "state": self.state, "referred_by": r.referrer_email or None, "referrer_name": r.referrer_name or None,
                "may_use_name": r.may_use_name, "tags": list(r.tags), "warm": self.warm or None}


@dataclass(frozen=True)
class TargetSummary:
    """A target with its numbers: contacts known, written to, replied, met, referrals received, a job or not."""

    target: TargetRow
    known: int = 0
    written: int = 0
    replied: int = 0
    met: int = 0
    referrals: int = 0
    job: bool = False
    period: Mapping[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        """A JSON-ready dict, the shape ``targets list --json`` prints (``period`` only when one was asked)."""
        t = self.target
        out: dict[str, object] = {
            "name": t.name, "aliases": list(t.aliases), "role": t.role, "notes": t.notes, "priority": t.priority,
            "known": self.known, "written": self.written, "replied": self.replied, "met": self.met,
            "referrals": self.referrals, "job": self.job}
        if self.period:
            out["period"] = dict(self.period)
        return out


@dataclass(frozen=True)
class TargetView:
    """One target in full: its numbers, everyone you know there, and whom to write next."""

    summary: TargetSummary
    people: tuple[Person, ...] = ()
    suggestions: tuple[Person, ...] = ()
    written_this_week: int = 0
    per_week: int = 3

    def as_json(self) -> dict[str, object]:
        """A JSON-ready dict, the shape ``targets show --json`` prints."""
        return {**self.summary.as_json(), "people": [p.as_json() for p in self.people],
                "suggestions": [p.as_json() for p in self.suggestions],
                "written_this_week": self.written_this_week, "per_week": self.per_week}


@dataclass
class _Book:
    """Everything the target views need, read once: contacts by target, activity by address, blocks, the job."""

    by_target: dict[int, list[int]] = field(default_factory=dict)
    keys: dict[int, str] = field(default_factory=dict)
    activity: Mapping[str, Activity] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)
    landed_key: str = ""

    def activity_of(self, contact_id: int) -> Activity | None:
        """What happened with this contact, if anything."""
        key = self.keys.get(contact_id)
        return self.activity.get(key) if key else None


class Targets:
    """Target organisations kept in the store, matched to contacts by company name and aliases."""

    def __init__(self, store: Store, *, per_week: int = 3, warm_tags: Sequence[str] = WARM_TAGS,
                 policy: Policy | None = None) -> None:
        self.store = store
        self.table = TargetTable(store)
        self.per_week = per_week
        self.warm_tags = tuple(warm_tags)
        self.policy = policy or Policy()

    def add(self, name: str, *, role: str | None = None, aliases: Iterable[str] = (), notes: str | None = None,
            priority: int | None = None) -> TargetRow:
        """Add a target, or update the one of the same name (its aliases are added to)."""
        name = " ".join(name.split())
        key = company_key(name)
        if not key:
            raise TargetError(f"{name!r} is not a company name")
        if priority is not None and not 1 <= priority <= 3:
            raise TargetError("priority goes from 1 (highest) to 3")
        owners = self.table.owners()
        own = owners.get(key)
        if own is not None and not any(t.id == own and company_key(t.name) == key for t in self.table.all()):
            raise TargetError(f"{name!r} is already an alias of target {self._row(own).name!r}")
        pairs: list[tuple[str, str]] = []
        for alias in aliases:
            alias = " ".join(alias.split())
            alias_key = company_key(alias)
            if not alias_key:
                raise TargetError(f"alias {alias!r} is not a company name")
            holder = owners.get(alias_key)
            if holder is not None and holder != own:
                raise TargetError(f"alias {alias!r} already names target {self._row(holder).name!r}")
            if alias_key != key:
                pairs.append((alias, alias_key))
        changes = {k: v for k, v in (("role", role), ("notes", notes), ("priority", priority)) if v is not None}
        target_id, _ = self.table.save(name, key, pairs, changes)
        return self._row(target_id)

    def _row(self, target_id: int) -> TargetRow:
        return next(t for t in self.table.all() if t.id == target_id)

    def get(self, name: str) -> TargetRow:
        """The target called ``name`` or one of its aliases (spelt any way :func:`company_key` allows)."""
        target_id = self.table.owners().get(company_key(name))
        if target_id is None:
            raise TargetError(f"no target {name!r}",
                              hint="see `outreach targets list`; add it with `outreach targets add NAME`")
        return self._row(target_id)

    def remove(self, name: str) -> TargetRow:
        """Forget a target; its contacts and threads stay as they are."""
        target = self.get(name)
        self.table.remove(target.id)
        return target

    def _read(self, now: datetime, targets: Sequence[TargetRow],
              activity: Mapping[str, Activity] | None = None) -> _Book:
        """Match every contact of the book to the targets, and fold every thread, in one pass each."""
        names: dict[str, int] = {}
        for t in targets:
            for n in (t.name, *t.aliases):
                names.setdefault(company_key(n), t.id)
        read = _Book(by_target={t.id: [] for t in targets})
        for contact_id, company, key in self.table.companies():
            target_id = names.get(company_key(company))
            if target_id is not None:
                read.by_target[target_id].append(contact_id)
                if key:
                    read.keys[contact_id] = key
        threads = Threads(self.store)
        read.activity = activity if activity is not None else activities(threads.views(), now, self.policy)
        check = ContactBook(self.store).blocked_checker()
        read.blocked = {key for key in read.keys.values() if check(key)}
        landed = threads.milestone("landed")
        read.landed_key = company_key(str(landed.detail.get("company", ""))) if landed else ""
        return read

    def _summary(self, target: TargetRow, read: _Book, since: datetime | None = None,
                 now: datetime | None = None) -> TargetSummary:
        members = read.by_target.get(target.id, [])
        acts = [a for c in members if (a := read.activity_of(c)) is not None]
        keys = {company_key(n) for n in (target.name, *target.aliases)}
        period = {} if since is None else {stage: sum(1 for a in acts if a.count(stage, since, now))
                                           for stage in ("written", "replied", "met")}
        return TargetSummary(
            target=target, known=len(members), written=sum(a.written for a in acts),
            replied=sum(1 for a in acts if a.count("replied")), met=sum(1 for a in acts if a.count("met")),
            referrals=sum(a.count("referral") for a in acts), job=bool(read.landed_key) and read.landed_key in keys,
            period=period)

    def list(self, now: datetime, *, since: datetime | None = None,
             activity: Mapping[str, Activity] | None = None) -> builtins.list[TargetSummary]:
        """Every target with its numbers, by priority then name; with ``since``, also those of ``[since, now]``.

        ``activity`` is what :func:`~outreach.targets.activity.activities` made of the threads, when the
        caller has it already (the report does).
        """
        targets = self.table.all()
        read = self._read(now, targets, activity)
        return [self._summary(t, read, since, now) for t in targets]

    def show(self, name: str, now: datetime, *, limit: int | None = None) -> TargetView:
        """One target: its numbers, the people you know there with their state, and whom to write next."""
        target = self.get(name)
        read = self._read(now, [target])
        book = ContactBook(self.store)
        people = [self._person(book.get(c), read) for c in read.by_target[target.id]]
        people.sort(key=lambda p: (p.state == NO_ADDRESS, p.record.name.casefold(), p.record.id))
        written = self._written_since(read, target, now - WEEK, now)
        room = max(0, self.per_week - written)
        if limit is not None:
            room = min(room, limit)
        fresh = [p for p in people if p.state == NEVER_WRITTEN and p.record.email]
        fresh.sort(key=lambda p: (p.rank, p.record.name.casefold(), p.record.id))
        return TargetView(self._summary(target, read), tuple(people), tuple(fresh[:room]), written, self.per_week)

    def suggest(self, name: str, now: datetime, *, limit: int | None = None) -> builtins.list[Person]:
        """Whom to write next at the target: never written, warm paths first, at most ``per_week`` a week."""
        return list(self.show(name, now, limit=limit).suggestions)

    def _written_since(self, read: _Book, target: TargetRow, since: datetime, until: datetime) -> int:
        acts = (read.activity_of(c) for c in read.by_target[target.id])
        return sum(1 for a in acts if a is not None and a.count("written", since, until))

    def _person(self, record: ContactRecord, read: _Book) -> Person:
        key = read.keys.get(record.id)
        if not record.email or not key:
            return Person(record, NO_ADDRESS)
        act = read.activity.get(key)
        state = "blocked" if key in read.blocked else (act.state if act else NEVER_WRITTEN)
        rank, warm = self._warm(record)
        return Person(record, state, warm, act, rank)

    def _warm(self, record: ContactRecord) -> tuple[int, str]:
        """How warm the path to a person is (0 warmest, 2 cold) and why."""
        if record.referred_by is not None and record.may_use_name:
            return 0, f"referred by {record.referrer_name or record.referrer_email}, who allowed their name"
        tags = [t for t in self.warm_tags if t in record.tags]
        return (1, f"tagged {', '.join(tags)}") if tags else (2, "")

