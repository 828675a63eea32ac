"""Google Contacts CSV: ``E-mail N - Value`` cells that may hold several addresses joined by `` ::: ``."""

from __future__ import annotations

import re
from pathlib import Path

from ...errors import ImportFormatError
from .base import ImportedContact, Skipped, csv_rows, data_rows, header_row

__all__ = ["read"]

_EMAIL_VALUE = re.compile(r"^E-mail (\d+) - Value$")
SEPARATOR = ":::"


def read(path: Path, text: str) -> tuple[list[ImportedContact], list[Skipped]]:
    """Read a Google Contacts export; labels (other than Google's ``* ...`` ones) become tags."""
    rows = csv_rows(text)
    header = header_row(rows, path)
    col = {h: i for i, h in enumerate(header)}
    email_cols = sorted((int(m.group(1)), i) for i, h in enumerate(header) if (m := _EMAIL_VALUE.match(h)))
    if not email_cols:
        raise ImportFormatError(f"{path}:1: no 'E-mail 1 - Value' column; is this a Google Contacts export?")
    contacts: list[ImportedContact] = []
    skipped: list[Skipped] = []
    for line, cells in data_rows(rows, len(header), skipped):

        def cell(name: str) -> str:
            return cells[col[name]].strip() if name in col else ""

        emails = [e.strip() for _, i in email_cols for e in cells[i].split(SEPARATOR) if e.strip()]
        name = " ".join(p for p in (cell("First Name"), cell("Middle Name"), cell("Last Name")) if p)
        name = name or cell("Name") or cell("File As")
        if not name and not emails:
            skipped.append(Skipped(line, "has no name and no email address"))
            continue
        groups = cell("Labels") or cell("Group Membership")  # "Group Membership" before 2020
        labels = [t.strip() for t in groups.split(SEPARATOR) if t.strip() and not t.strip().startswith("*")]
        phone = cell("Phone 1 - Value")
        contacts.append(ImportedContact(
            line=line, email=emails[0] if emails else "", other_emails=emails[1:], name=name,
            company=cell("Organization Name") or cell("Organization 1 - Name"),
            position=cell("Organization Title") or cell("Organization 1 - Title"),
            notes=cell("Notes"), tags=labels, fields={"phone": phone} if phone else {},
        ))
    return contacts, skipped
