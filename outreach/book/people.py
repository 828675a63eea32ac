"""One resolver for "a person": an address in any case or IDN form, a secondary address, or a contact ID."""

from __future__ import annotations

import json
import shlex
from collections import Counter

from ..compose.addresses import validate_address
from ..compose.typos import NearDomains
from ..edits import edit_distance as _distance
from ..errors import AddressError, ContactError
from ..models import ContactRecord
from ..record import record
from ..store.db import Store
from .contacts import ContactBook

__all__ = ["People", "Person", "UnknownPersonError"]


class UnknownPersonError(ContactError):
    """An address that is neither in the contact book nor in the journal; ``suggestion`` is the closest known one."""

    def __init__(self, message: str, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.suggestion = suggestion


@record
class Person:
    """Who a reference on the command line or in the API means: the address key threads use, and the book entry."""

    key: str
    email: str
    record: ContactRecord | None = None

    @property
    def name(self) -> str:
        """The person's name, when the book knows it."""
        return self.record.name if self.record else ""


def _secondary(record_fields: dict[str, str]) -> list[str]:
    raw = record_fields.get("other_emails", "")
    return [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]


class People:
    """Resolves references to people against the contact book and the journal."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.book = ContactBook(store)
        self._secondaries: dict[str, int] | None = None
        self._main_keys: set[str] | None = None
        self._domains: Counter[str] | None = None
        self._near: dict[str, str | None] = {}
        self._index: NearDomains | None = None

    def resolve(self, ref: str | int, *, new: bool = False) -> Person:
        """The person ``ref`` names; an unknown address raises :class:`UnknownPersonError` unless ``new``."""
        text = str(ref).strip()
        if text.lstrip("#").isdigit():
            record = self.book.get(text.lstrip("#"), include_removed=True)
            if not record.email:
                raise ContactError(f"contact #{record.id} ({record.name or 'no name'}) has no email address;"
                                   f" add one with `outreach contacts edit {record.id} --email ADDRESS`")
            return Person(validate_address(record.email).key, record.email, record)
        try:
            address = validate_address(text)
        except AddressError as exc:
            raise ContactError(f"{text!r} is neither a contact ID nor a valid address: {exc}") from exc
        known = self._by_key(address.key)
        if known is not None:
            return Person(validate_address(known.email).key, known.email, known)
        if new or address.key in self.store.known_addresses():
            return Person(address.key, address.normalized, None)
        suggestion = self.suggest(address.key)
        hint = f"; did you mean {suggestion}?" if suggestion else ""
        if suggestion and self.domain_typo(suggestion) == address.key:
            hint = (f"; your book has {suggestion}, which looks like a typo of it: correct it with"
                    f" `outreach contacts edit {shlex.quote(suggestion)} --email {shlex.quote(address.key)}`")
        raise UnknownPersonError(f"{address.normalized} is neither in your contact book nor in your sent mail{hint}",
                                 suggestion)

    def key(self, ref: str | int, *, new: bool = True) -> str:
        """The address key of the person ``ref`` names (a new valid address is its own key unless ``new`` is False)."""
        text = str(ref).strip()
        if "@" in text:
            try:
                key = validate_address(text).key
            except AddressError:
                return self.resolve(ref, new=new).key
            if self.book.table.id_of(key) is not None:
                return key
            # What resolve() finds for an address no main one matches, without asking the book that again.
            known = self.by_other_address(key)
            if known is not None:
                return validate_address(known.email).key
            if new or key in self.store.known_addresses():
                return key
        return self.resolve(ref, new=new).key

    def _by_key(self, key: str) -> ContactRecord | None:
        contact_id = self.book.table.id_of(key)
        if contact_id is not None:
            return self.book.get(str(contact_id), include_removed=True)
        return self.by_other_address(key)

    def by_other_address(self, key: str) -> ContactRecord | None:
        """The contact that lists address ``key`` among its other addresses (the book's are read once)."""
        if self._secondaries is None:
            self._secondaries = {}
            for contact_id, fields in self.book.table.with_other_emails():
                for other in _secondary(json.loads(fields)):
                    try:
                        self._secondaries[validate_address(other).key] = contact_id
                    except AddressError:
                        continue
        found = self._secondaries.get(key)
        return self.book.get(str(found), include_removed=True) if found is not None else None

    def known(self) -> set[str]:
        """Every address key in the book (main and secondary) or the journal."""
        keys = set(self.store.known_addresses())
        for email_key, fields in self.book.table.active_keys():
            if email_key:
                keys.add(email_key)
            for other in _secondary(json.loads(fields)):
                keys.add(other.lower())
        return keys

    def suggest(self, key: str) -> str | None:
        """The known address closest to ``key`` (at most two edits away), or None.

        At the same distance an address whose domain is not a likely typo wins, then one in the book.
        """
        local, _, domain = key.rpartition("@")
        best: tuple[int, bool, bool, str] | None = None
        for candidate in self.known():
            c_local, _, c_domain = candidate.rpartition("@")
            if abs(len(candidate) - len(key)) > 2 or (c_local != local and c_domain != domain):
                continue
            distance = _distance(key, candidate)
            if distance > 2:
                continue
            rank = (distance, self.domain_typo(candidate) is not None, candidate not in self._mains(), candidate)
            if best is None or rank < best:
                best = rank
        return best[-1] if best else None

    def _mains(self) -> set[str]:
        """The address keys people are known by: main addresses in the book, and the journal's."""
        if self._main_keys is None:
            self._main_keys = set(self.store.known_addresses())
            self._main_keys.update(self.book.table.main_keys())
        return self._main_keys

    def domain_typo(self, key: str) -> str | None:
        """The address ``key`` likely meant: its domain is used by nobody else, and is one edit or swap away
        from a domain your other contacts use (``exmaple.org`` beside ``example.org``); else None."""
        local, _, domain = key.rpartition("@")
        if self._domain_use()[domain] - (key in self._mains()) > 0:
            return None
        near = self.near_domain(domain)
        return f"{local}@{near}" if near else None

    def _domain_use(self) -> Counter[str]:
        """How many of the people's main addresses use each domain."""
        if self._domains is None:
            self._domains = Counter(k.rpartition("@")[2] for k in self._mains())
        return self._domains

    def near_domain(self, domain: str) -> str | None:
        """The domain your contacts use that is one edit or swap from ``domain`` (whoever uses it), or None."""
        if self._index is None:
            self._index = NearDomains(self._domain_use())
        if domain not in self._near:
            self._near[domain] = self._index.near(domain)
        return self._near[domain]
