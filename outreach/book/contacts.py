"""The contact book: import exports idempotently, add and edit contacts, referrals, do-not-contact."""

from __future__ import annotations

import gc
import json
import shlex
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Set
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..compose.addresses import validate_address
from ..errors import AddressError, ContactError
from .formats import ImportedContact, Skipped, read_export
from ..models import ContactRecord
from ..record import field, mutable_record
from ..store.blocks import BlockTable
from ..store.contacts import BufferedContactWriter, ContactTable, ContactWriter
from ..store.db import Store

__all__ = ["ContactBook", "ImportReport"]

MERGED = ("email", "name", "company", "position", "linkedin_url", "connected_on", "notes")
EDITABLE = ("name", "company", "position", "linkedin_url", "notes")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@mutable_record
class ImportReport:
    """What an import did: counts, and every row skipped with its line and reason."""

    format: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    without_address: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        """A JSON-ready dict of the counts and skipped rows."""
        return {"format": self.format, "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "skipped": [{"line": s.line, "reason": s.reason} for s in self.skipped],
                "without_address": self.without_address, "notices": self.notices}


def _other_emails(fields: Mapping[str, str]) -> list[str]:
    """The secondary addresses a contact's fields name (``other_emails``, comma or semicolon separated)."""
    raw = str(fields.get("other_emails", ""))
    return [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]


def _fold(text: str) -> str:
    """Text for matching: case and accents ignored (Müller, MÜLLER and Muller match)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _name_key(name: str, company: str) -> str:
    """How a contact with neither address nor LinkedIn URL is matched: name and company."""
    return "name:" + " ".join(name.lower().split()) + "|" + " ".join(company.lower().split())


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (if on) for a bulk job that makes many objects and no cycles.

    Reference counting still frees everything; without the pause a 30,000-row import spends about a
    quarter of its time in collections that find nothing.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


@lru_cache(maxsize=256)
def _edited(text: str) -> frozenset[str]:
    """The names of the values a contact's ``edited`` column marks as edited by hand (few distinct lists)."""
    return frozenset(json.loads(text))


def _merge(current: dict[str, Any], new: dict[str, Any], edited: Set[str]) -> dict[str, Any]:
    """Fill empty values; update imported ones that changed; never touch what the user edited."""
    changes: dict[str, Any] = {}
    for key, value in new.items():
        if value and current.get(key) != value and key not in edited:
            changes[key] = value
    return changes


class ContactBook:
    """Contacts kept in the store, matched by normalised address or, without one, LinkedIn URL."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.table = ContactTable(store)
        self.block_table = BlockTable(store)

    def _record(self, row: Mapping[str, Any], tags: Iterable[str]) -> ContactRecord:
        referrer = None
        if row["referred_by"] is not None:
            referrer = self.table.by_id(row["referred_by"])
        return ContactRecord(
            id=row["id"], email=row["email"], name=row["name"], company=row["company"], position=row["position"],
            linkedin_url=row["linkedin_url"] or "", connected_on=row["connected_on"], notes=row["notes"],
            fields=json.loads(row["fields"]), tags=tuple(sorted(tags)), referred_by=row["referred_by"],
            referrer_name=referrer["name"] if referrer else "", referrer_email=referrer["email"] if referrer else "",
            may_use_name=bool(row["may_use_name"]), removed=row["removed_at"] is not None,
        )

    def _tags(self, contact_id: int) -> list[str]:
        return self.table.tags(contact_id)

    def get(self, ref: str | int, *, include_removed: bool = False) -> ContactRecord:
        """A contact by id or address; :class:`ContactError` when there is none."""
        text = str(ref).strip()
        if text.isascii() and text.isdigit():
            number = int(text)
            row = self.table.by_id(number) if number < 2**63 else None
        else:
            try:
                key = validate_address(text).key
            except AddressError as exc:
                raise ContactError(f"{text!r} is neither a contact id nor a valid address: {exc}") from exc
            row = self.table.by_key(key)
        if row is None or (row["removed_at"] is not None and not include_removed):
            raise ContactError(f"no contact {text!r} in the book (see `outreach contacts list`)")
        return self._record(row, self._tags(row["id"]))

    def find(self, *, tag: str | None = None, search: str | None = None,
             include_removed: bool = False) -> list[ContactRecord]:
        """Contacts by name, optionally with ``tag`` or containing ``search`` in name, address, company or position."""
        rows = self.table.find(tag=tag, include_removed=include_removed)
        if search:
            needle = _fold(search)
            rows = [r for r in rows if any(needle in _fold(r[k] or "") for k in ("name", "email", "company", "position"))]
        tags = self.table.all_tags()
        return [self._record(r, tags.get(r["id"], [])) for r in rows]

    def referred_by(self, contact_id: int) -> list[ContactRecord]:
        """The contacts this one referred you to."""
        return [self._record(r, self._tags(r["id"])) for r in self.table.referred_by(contact_id)]

    def _referrer_id(self, w: ContactWriter, ref: str) -> int:
        try:
            address = validate_address(ref)
            key, email = address.key, address.normalized
        except AddressError as exc:
            raise ContactError(f"--referred-by {ref!r}: {exc}") from exc
        row = w.by_key(key)
        if row:
            return int(row["id"])
        now = _now()
        return w.insert({"email_key": key, "email": email, "created_at": now, "updated_at": now})

    def add(self, email: str, *, name: str = "", company: str = "", position: str = "",
            tags: Iterable[str] = (), referred_by: str | None = None, may_use_name: bool = False,
            fields: Mapping[str, str] | None = None) -> ContactRecord:
        """Add one contact by hand; what is given here counts as edited and is never overwritten by imports."""
        from ..compose.headers import check_header_value

        address = validate_address(email)
        check_header_value("name", name)
        now = _now()
        given = {"name": name, "company": company, "position": position}
        with self.table.write() as w:
            found = w.by_key(address.key)
            if found and found["removed_at"] is None and found["name"]:
                raise ContactError(f"{address.normalized} is already in the book (#{found['id']});"
                                   " use `outreach contacts edit` to change it")
            referrer = self._referrer_id(w, referred_by) if referred_by else None
            edited = json.dumps(sorted(k for k, v in given.items() if v))
            values = {"name": name, "company": company, "position": position,
                      "fields": json.dumps(dict(fields or {})), "referred_by": referrer,
                      "may_use_name": int(may_use_name), "edited": edited, "updated_at": now}
            if found:
                contact_id = int(found["id"])
                w.update(contact_id, {**values, "removed_at": None})
            else:
                contact_id = w.insert({"email_key": address.key, "email": address.normalized, **values,
                                       "created_at": now})
            if referrer == contact_id:
                raise ContactError("a contact cannot be their own referrer")
            for tag in tags:
                w.add_tag(contact_id, tag)
        return self.get(contact_id)

    def edit(self, ref: str | int, *, email: str | None = None, add_tags: Iterable[str] = (),
             remove_tags: Iterable[str] = (), referred_by: str | None = None, may_use_name: bool | None = None,
             fields: Mapping[str, str] | None = None, **changes: str | None) -> ContactRecord:
        """Change a contact; edited values are marked so that later imports keep them.

        A new ``email`` keeps the old one as a secondary address (``other_emails``) and moves the person's
        messages and threads to the new address, so that replies, follow-ups and the agenda follow them.
        """
        from ..compose.headers import check_header_value

        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise ContactError(f"cannot edit {', '.join(sorted(unknown))}")
        record = self.get(ref)
        sets: dict[str, object] = {k: v for k, v in changes.items() if v is not None}
        if "name" in sets:
            check_header_value("name", str(sets["name"]))
        merged_fields = {**record.fields, **(fields or {})}
        old_key = validate_address(record.email).key if record.email else ""
        moved = False
        if email is not None:
            address = validate_address(email)
            sets["email"], sets["email_key"] = address.normalized, address.key
            if old_key and old_key != address.key:
                moved = True
                others = [a for a in _other_emails(merged_fields) if a.lower() != address.key]
                if record.email.lower() not in {a.lower() for a in others}:
                    others.append(record.email)
                merged_fields["other_emails"] = ", ".join(others)
        if fields or moved:
            sets["fields"] = json.dumps(merged_fields)
        if may_use_name is not None:
            sets["may_use_name"] = int(may_use_name)
        with self.table.write() as w:
            if referred_by is not None:
                sets["referred_by"] = self._referrer_id(w, referred_by)
                if sets["referred_by"] == record.id:
                    raise ContactError("a contact cannot be their own referrer")
            if moved:
                owner = w.by_key(str(sets["email_key"]))
                if owner is not None and int(owner["id"]) != record.id:
                    raise ContactError(f"{sets['email']} is already in the book (#{owner['id']}); one person has one"
                                       f" entry: edit or remove #{owner['id']} first")
                w.move_history(old_key, str(sets["email_key"]), self.store.clock().isoformat(timespec="seconds"))
            row = w.by_id(record.id)
            edited = set(json.loads(row["edited"] if row else "[]"))
            edited |= {k for k in sets if k in EDITABLE or k == "email"} | ({"fields.other_emails"} if moved else set())
            if sets:
                sets.update(edited=json.dumps(sorted(edited)), updated_at=_now())
                w.update(record.id, sets)
            for tag in add_tags:
                w.add_tag(record.id, tag)
            for tag in remove_tags:
                w.remove_tag(record.id, tag)
        return self.get(record.id)

    def remove(self, ref: str | int) -> ContactRecord:
        """Take a contact out of the book; their sent history stays in the journal."""
        record = self.get(ref)
        with self.table.write() as w:
            w.update(record.id, {"removed_at": _now(), "updated_at": _now()})
        return record

    def block(self, pattern: str) -> str:
        """Never send to this address, or to any address ``@domain``; returns the stored pattern."""
        key = self._pattern(pattern)
        self.block_table.block(key, _now())
        return key

    def unblock(self, pattern: str) -> bool:
        """Lift a block, or a bounce mark; False if there was neither."""
        key = self._pattern(pattern)
        return self.block_table.unblock(key)

    def blocks(self) -> list[tuple[str, str]]:
        """Every block as ``(pattern, since)``."""
        return self.block_table.blocks()

    @staticmethod
    def _pattern(pattern: str) -> str:
        text = pattern.strip()
        if text.startswith("@"):
            try:
                return "@" + validate_address("x" + text).key.partition("@")[2]
            except AddressError as exc:
                raise ContactError(f"{text!r} is not a valid domain: {exc}") from exc
        return validate_address(text).key

    def blocked_checker(self) -> Callable[[str], str | None]:
        """Like :meth:`is_blocked`, with the blocks read once: for checking many addresses."""
        blocks: dict[str, str] = dict(self.blocks())
        bounced = self.block_table.bounces()

        def check(key: str) -> str | None:
            if key in bounced:
                at, reason = bounced[key]
                return (f"{key} bounced on {at[:10]}{': ' + reason if reason else ''}; fix the address with"
                        f" `outreach contacts edit`, or `outreach contacts unblock {shlex.quote(key)}` if it works again")
            domain = "@" + key.partition("@")[2]
            for pattern in (key, domain):
                if pattern in blocks:
                    what = f"the domain {pattern}" if pattern.startswith("@") else pattern
                    return (f"{key} is on your do-not-contact list ({what}, since {blocks[pattern][:10]});"
                            f" `outreach contacts unblock {shlex.quote(pattern)}` lifts it")
            return None

        return check

    def is_blocked(self, key: str) -> str | None:
        """Why ``key`` (a normalised address) must not be written to (blocked or bouncing), or None."""
        return self.blocked_checker()(key)

    def import_file(self, path: Path, fmt: str = "auto", *, tags: Iterable[str] = (),
                    progress: Callable[[int], None] | None = None) -> ImportReport:
        """Import an export; idempotent, and never erases what the user edited. Bad rows are reported.

        One transaction: the whole file is imported or, on any error, nothing of it.
        """
        with _collector_paused():
            return self._import(Path(path), fmt, list(tags), progress)

    def _import(self, path: Path, fmt: str, tags: list[str], progress: Callable[[int], None] | None) -> ImportReport:
        export = read_export(path, fmt)
        rows = export.rows
        report = ImportReport(format=export.format, skipped=list(export.skipped), notices=list(export.notices))
        touched: set[int] = set()
        with self.table.bulk_write() as w:
            by_key: dict[str, dict[str, Any]] = {}
            by_url: dict[str, dict[str, Any]] = {}
            everyone = w.for_import()
            for row in everyone:
                if row["email_key"]:
                    by_key[row["email_key"]] = row
                if row["linkedin_url"]:
                    by_url[row["linkedin_url"]] = row
                if not row["email_key"] and not row["linkedin_url"]:
                    by_key[_name_key(row["name"], row["company"])] = row
            for row in everyone:  # an address corrected by hand still names its person in a later import
                if "fields.other_emails" in row["edited"] and "fields.other_emails" in _edited(row["edited"]):
                    for other in _other_emails(json.loads(row["fields"])):
                        try:
                            by_key.setdefault(validate_address(other).key, row)
                        except AddressError:
                            continue
            existing_tags = w.tag_pairs()
            now = _now()  # one timestamp for the whole import
            for done, item in enumerate(rows, start=1):
                self._import_row(w, item, tags, by_key, by_url, existing_tags, report, touched, now)
                if progress and done % 500 == 0:
                    progress(500)
            if progress:
                progress(len(rows) % 500)
        report.skipped.sort(key=lambda s: s.line)
        report.notices.extend(self._domain_typos(rows))
        return report

    def _domain_typos(self, rows: Iterable[ImportedContact]) -> list[str]:
        """A note for each imported address whose domain looks like a typo of one your other contacts use."""
        from .people import People

        people, notes = People(self.store), list[str]()
        for item in rows:
            if not item.email or people.domain_typo(item.email.strip().lower()) is None:
                continue  # a cheap first look; the address's own key decides below
            try:
                address = validate_address(item.email)
            except AddressError:
                continue
            meant = people.domain_typo(address.key)
            if meant:
                edit = f"outreach contacts edit {shlex.quote(address.key)} --email {shlex.quote(meant)}"
                notes.append(f"line {item.line}: {address.normalized} may be a typo of {meant} (your other contacts"
                             f" use that domain); if so: {edit}")
        return notes

    def _import_row(self, w: BufferedContactWriter, item: ImportedContact, tags: list[str],
                    by_key: dict[str, dict[str, Any]], by_url: dict[str, dict[str, Any]],
                    existing_tags: set[tuple[int, str]], report: ImportReport, touched: set[int], now: str) -> None:
        key = email = ""
        if item.email:
            try:
                address = validate_address(item.email)
            except AddressError as exc:
                report.skipped.append(Skipped(item.line, str(exc)))
                return
            key, email = address.key, address.normalized
        else:
            report.without_address += 1
        current = by_key.get(key) if key else None
        if current is None and not key and not item.linkedin_url:
            current = by_key.get(_name_key(item.name, item.company))
        if current is None and item.linkedin_url:
            current = by_url.get(item.linkedin_url)
            if current is not None and current["email_key"] and key and current["email_key"] != key:
                current = None
        extra = dict(item.fields) if item.fields or item.other_emails else {}
        if item.other_emails:
            extra["other_emails"] = ", ".join(item.other_emails)
        extra_json = json.dumps(extra) if extra else "{}"
        if current is None:
            url = "" if item.linkedin_url in by_url else item.linkedin_url  # a URL is one contact's
            contact_id = w.insert_new((key or None, email, url or None, item.name, item.company, item.position,
                                       item.notes, item.connected_on, extra_json, now, now))  # NEW_COLUMNS
            row = {"id": contact_id, "email_key": key or None, "email": email, "name": item.name,  # as read back
                   "company": item.company, "position": item.position, "linkedin_url": url or None,
                   "connected_on": item.connected_on, "notes": item.notes, "fields": extra_json, "edited": "[]",
                   "removed_at": None}
            if key:
                by_key[key] = row
            if url:
                by_url[url] = row
            if not key and not url:
                by_key[_name_key(item.name, item.company)] = row
            report.added += 1
            touched.add(contact_id)
            if tags or item.tags:
                self._add_tags(w, contact_id, [*tags, *item.tags], existing_tags)
            return
        if current["removed_at"] is not None:
            report.skipped.append(Skipped(item.line, f"{email or item.name} was removed from the book earlier;"
                                                     " `outreach contacts add` brings them back"))
            return
        edited = _edited(current["edited"])
        contact_id = int(current["id"])
        again = contact_id in touched  # a second row of this file for the same contact only fills gaps
        touched.add(contact_id)
        new = {"email": email, "name": item.name, "company": item.company, "position": item.position,
               "linkedin_url": item.linkedin_url, "connected_on": item.connected_on, "notes": item.notes}
        changes = _merge(current, new, edited | {k for k, v in current.items() if v} if again else edited)
        if "linkedin_url" in changes and changes["linkedin_url"] in by_url:
            del changes["linkedin_url"]
        if extra:  # without imported fields, the contact's own stay as they are
            fields = json.loads(current["fields"])
            imported = {k: v for k, v in extra.items() if f"fields.{k}" not in edited}
            merged_fields = {**imported, **fields} if again else {**fields, **imported}
            if merged_fields != fields:
                changes["fields"] = json.dumps(merged_fields)
        if "email" in changes:
            changes["email_key"] = key
        tag_added = bool(tags or item.tags) and self._add_tags(w, contact_id, [*tags, *item.tags], existing_tags)
        if changes:
            w.update(contact_id, {**changes, "updated_at": now})
            current.update(changes)
            if key:
                by_key[key] = current
            if current.get("linkedin_url"):
                by_url[current["linkedin_url"]] = current
        if changes or tag_added:
            report.updated += 1
        else:
            report.unchanged += 1

    @staticmethod
    def _add_tags(w: ContactWriter, contact_id: int, tags: list[str],
                  existing: set[tuple[int, str]]) -> bool:
        added = False
        for tag in tags:
            if (contact_id, tag) not in existing:
                w.add_tag(contact_id, tag)
                existing.add((contact_id, tag))
                added = True
        return added
