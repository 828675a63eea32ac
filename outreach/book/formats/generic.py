"""Any CSV with an email column (``email``, ``Email``, ``E-mail``...); other columns are kept as fields."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ...errors import ImportFormatError
from .base import ImportedContact, Skipped, csv_rows, data_rows

__all__ = ["EMAIL_COLUMNS", "email_header", "read", "row_to_contact"]

EMAIL_COLUMNS = ("email", "e-mail", "email address", "e-mail address", "mail", "primary email", "email 1",
                 "e-mail 1", "email1", "work email", "personal email")
KNOWN = {
    "name": ("name", "full name", "display name"),
    "first": ("first name", "first", "given name"),
    "last": ("last name", "last", "family name", "surname"),
    "company": ("company", "organization", "organisation", "organization name"),
    "position": ("position", "title", "job title"),
    "linkedin_url": ("linkedin", "linkedin url", "url"),
    "notes": ("notes", "note"),
    "tags": ("tags",),
}


def _norm(header: str) -> str:
    return " ".join(header.strip().lower().replace("_", " ").split())


def row_to_contact(line: int, header: list[str], cells: list[str]) -> ImportedContact:
    """Map one row by its header names; unknown non-empty columns become fields (spaces become ``_``)."""
    values = {_norm(h): c.strip() for h, c in zip(header, cells)}
    used: set[str] = set()

    def pick(key: str) -> str:
        for name in KNOWN.get(key, (key,)):
            if values.get(name):
                used.add(name)
                return values[name]
        return ""

    email_col = next((c for c in EMAIL_COLUMNS if c in values), "")
    used.add(email_col)
    name = pick("name") or " ".join(p for p in (pick("first"), pick("last")) if p)
    for keys in KNOWN.values():
        used.update(keys)
    return ImportedContact(
        line=line,
        email=values.get(email_col, ""),
        name=name,
        company=pick("company"),
        position=pick("position"),
        linkedin_url=pick("linkedin_url"),
        notes=pick("notes"),
        tags=[t.strip() for t in pick("tags").replace(";", ",").split(",") if t.strip()],
        fields={k.replace(" ", "_"): v for k, v in values.items() if v and k not in used},
    )


def email_header(path: Path, rows: Iterator[tuple[int, list[str] | None, str]]) -> list[str]:
    """The first record of ``rows``, which must name an email column; :class:`ImportFormatError` if not."""
    first = next(rows, None)
    if first is None or not first[1]:
        raise ImportFormatError(f"{path} is empty or has no header row")
    names = first[1]
    if not any(_norm(h) in EMAIL_COLUMNS for h in names):
        raise ImportFormatError(
            f"{path}:1: no email column in the header ({', '.join(names)}); name one column 'email'"
        )
    return names


def read(path: Path, text: str) -> tuple[list[ImportedContact], list[Skipped]]:
    """Read a generic CSV whose header row has an email column."""
    rows = csv_rows(text)
    header = email_header(path, rows)
    contacts: list[ImportedContact] = []
    skipped: list[Skipped] = []
    for line, cells in data_rows(rows, len(header), skipped, short_ok=True):
        contacts.append(row_to_contact(line, header, cells))
    return contacts, skipped
