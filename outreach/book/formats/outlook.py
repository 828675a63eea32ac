"""Outlook's contacts CSV: ``E-mail Address`` / ``E-mail 2 Address``..., ``Job Title`` (``Title`` is Mr./Ms.)."""

from __future__ import annotations

from pathlib import Path

from ...errors import ImportFormatError
from .base import ImportedContact, Skipped, csv_rows, data_rows, header_row

__all__ = ["read"]

_EMAILS = ("E-mail Address", "E-mail 2 Address", "E-mail 3 Address")


def read(path: Path, text: str) -> tuple[list[ImportedContact], list[Skipped]]:
    """Read an Outlook (desktop or Outlook.com) contacts export."""
    rows = csv_rows(text)
    header = header_row(rows, path)
    col = {h: i for i, h in enumerate(header)}
    if "E-mail Address" not in col:
        raise ImportFormatError(f"{path}:1: no 'E-mail Address' column; is this an Outlook contacts export?")
    contacts: list[ImportedContact] = []
    skipped: list[Skipped] = []
    for line, cells in data_rows(rows, len(header), skipped, short_ok=True):

        def cell(name: str) -> str:
            return cells[col[name]].strip() if name in col else ""

        emails = list(dict.fromkeys(e for e in (cell(c) for c in _EMAILS) if "@" in e))
        name = " ".join(p for p in (cell("First Name"), cell("Middle Name"), cell("Last Name")) if p)
        name = name or cell("Name") or cell("E-mail Display Name").split("(")[0].strip()
        if not name and not emails:
            skipped.append(Skipped(line, "has no name and no email address"))
            continue
        categories = [c.strip() for c in cell("Categories").replace(";", ",").split(",") if c.strip()]
        phone = cell("Mobile Phone") or cell("Business Phone") or cell("Primary Phone")
        contacts.append(ImportedContact(
            line=line, email=emails[0] if emails else "", other_emails=emails[1:], name=name,
            company=cell("Company"), position=cell("Job Title"), notes=cell("Notes"),
            linkedin_url=next((u for u in (cell("Web Page"), cell("Personal Web Page")) if "linkedin.com/" in u), ""),
            tags=categories, fields={"phone": phone} if phone else {},
        ))
    return contacts, skipped
