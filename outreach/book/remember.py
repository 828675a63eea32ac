"""Every real send records the person: add each recipient to the book, or fill in what it lacked."""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..compose.addresses import validate_address
from ..errors import AddressError
from ..models import Contact
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
    with store.transaction() as execute:
        for contact in contacts:
            try:
                key = validate_address(contact.email).key
            except AddressError:
                continue
            fields = {k: str(v) for k, v in contact.fields.items() if str(v).strip()}
            new = {"name": contact.name.strip(), "company": contact.company.strip(),
                   "position": contact.position.strip()}
            row = execute("SELECT * FROM contacts WHERE email_key = ?", (key,)).fetchone()
            if row is None:
                record = people._by_key(key)
                row = execute("SELECT * FROM contacts WHERE id = ?", (record.id,)).fetchone() if record else None
            if row is None:
                execute("INSERT INTO contacts (email_key, email, name, company, position, fields, created_at,"
                        " updated_at) VALUES (?,?,?,?,?,?,?,?)",
                        (key, validate_address(contact.email).normalized, new["name"], new["company"],
                         new["position"], json.dumps(fields, ensure_ascii=False), now, now))
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
                columns = ", ".join(f"{k} = ?" for k in changes)
                execute(f"UPDATE contacts SET {columns}, updated_at = ? WHERE id = ?",
                        (*changes.values(), now, row["id"]))
                changed += 1
    return changed
