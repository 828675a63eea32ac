"""Every real send records the person: add each recipient to the book, or fill in what it lacked."""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..compose.addresses import validate_address
from ..errors import AddressError
from ..models import Contact
from ..store.contacts import ContactTable
from ..store.db import Store
from .contacts import _merge
from .people import People

__all__ = ["remember"]


def remember(store: Store, contacts: Iterable[Contact]) -> int:
    """Add or update each contact (name, company, position, fields); never overwrite a hand edit.

    A contact removed from the book stays removed. Returns how many rows were added or changed.
    """
    people = People(store)
    now = store.clock().isoformat(timespec="seconds")
    changed = 0
    with ContactTable(store).write() as w:
        for contact in contacts:
            try:
                key = validate_address(contact.email).key
            except AddressError:
                continue
            fields = {k: str(v) for k, v in contact.fields.items() if str(v).strip()}
            new = {"name": contact.name.strip(), "company": contact.company.strip(),
                   "position": contact.position.strip()}
            row = w.by_key(key)
            if row is None:  # no main address is ``key``, in this very transaction: only the other addresses remain
                record = people.by_other_address(key)
                row = w.by_id(record.id) if record else None
            if row is None:
                w.insert({"email_key": key, "email": validate_address(contact.email).normalized, **new,
                          "fields": json.dumps(fields, ensure_ascii=False), "created_at": now, "updated_at": now})
                changed += 1
                continue
            if row["removed_at"] is not None:
                continue
            edited = set(json.loads(row["edited"]))
            changes = _merge(dict(row), new, edited)
            current = json.loads(row["fields"])
            merged = {**current, **{k: v for k, v in fields.items() if f"fields.{k}" not in edited}}
            if merged != current:
                changes["fields"] = json.dumps(merged, ensure_ascii=False)
            if changes:
                w.update(int(row["id"]), {**changes, "updated_at": now})
                changed += 1
    return changed
