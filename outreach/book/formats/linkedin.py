"""LinkedIn's ``Connections.csv``: a "Notes:" preamble, then the header, most emails hidden."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ...errors import ImportFormatError
from .base import ImportedContact, Skipped, csv_rows, data_rows, physical_lines

__all__ = ["HEADER", "read"]

HEADER = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]


def _date(value: str) -> str:
    for fmt in ("%d %b %Y", "%d-%b-%y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return value.strip()


def read(path: Path, text: str) -> tuple[list[ImportedContact], list[Skipped]]:
    """Read a LinkedIn connections export, skipping its preamble."""
    lines = physical_lines(text)
    start = next((i for i, line in enumerate(lines) if line.startswith("First Name,Last Name")), None)
    if start is None:
        raise ImportFormatError(
            f"{path}: no 'First Name,Last Name,...' header row found; is this LinkedIn's Connections.csv?"
        )
    rows = csv_rows("".join(lines[start:]), start_line=start + 1)
    _, header, _ = next(rows)
    assert header is not None
    index = {name: header.index(name) for name in HEADER if name in header}
    contacts: list[ImportedContact] = []
    skipped: list[Skipped] = []
    for line, cells in data_rows(rows, len(header), skipped):

        def cell(name: str) -> str:
            return cells[index[name]].strip() if name in index else ""

        name = " ".join(p for p in (cell("First Name"), cell("Last Name")) if p)
        url = cell("URL")
        if not name and not url and not cell("Email Address"):
            skipped.append(Skipped(line, "has no name, URL or email address"))
            continue
        contacts.append(ImportedContact(
            line=line, email=cell("Email Address"), name=name, company=cell("Company"),
            position=cell("Position"), linkedin_url=url, connected_on=_date(cell("Connected On")),
        ))
    return contacts, skipped
