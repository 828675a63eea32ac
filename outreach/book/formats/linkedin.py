"""LinkedIn's ``Connections.csv`` of 2018-2026: with or without "Notes:" preamble and URL column; most emails hidden."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from ...errors import ImportFormatError
from .base import ImportedContact, Skipped, csv_rows, data_rows, physical_lines, sniff_delimiter

__all__ = ["HEADER", "read"]

HEADER = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]


_FORMS = ("%d %b %Y", "%d %B %Y", "%d-%b-%y", "%d-%b-%Y", "%Y-%m-%d", "%m/%d/%y", "%m/%d/%Y", "%b %d, %Y",
          "%B %d, %Y", "%d.%m.%Y", "%d.%m.%y")


@lru_cache(maxsize=4096)
def _date(value: str) -> str:
    """"Connected On" as an ISO date, from any form LinkedIn or Excel wrote (a time of day is dropped).

    Cached: an export of thousands of rows holds a few hundred distinct dates, each parsed once.
    """
    text = value.strip()
    for candidate in (text, re.sub(r"[ ,T]+\d{1,2}:\d{2}(:\d{2})?( ?[AP]M)?( ?(Z|[+-]\d{2}:?\d{2}|UTC))?$", "", text,
                                   flags=re.IGNORECASE)):
        for fmt in _FORMS:
            try:
                return datetime.strptime(candidate, fmt).date().isoformat()
            except ValueError:
                continue
    return text


def read(path: Path, text: str) -> tuple[list[ImportedContact], list[Skipped]]:
    """Read a LinkedIn connections export, skipping its preamble."""
    lines = physical_lines(text, 50)  # the header is among the first lines; the rest is read as CSV
    from . import is_linkedin_header

    start = next((i for i, line in enumerate(lines) if is_linkedin_header(line)), None)
    if start is None:
        raise ImportFormatError(
            f"{path}: no 'First Name,Last Name,...' header row found; is this LinkedIn's Connections.csv?"
        )
    offset = sum(len(line) for line in lines[:start])
    rows = csv_rows(text[offset:], start_line=start + 1, delimiter=sniff_delimiter(lines[start]))
    _, header, _ = next(rows)
    assert header is not None
    header = [h.strip() for h in header]
    width = len(header)  # a column this export lacks is read from an empty cell put after the last one
    pick = itemgetter(*(header.index(name) if name in header else width for name in HEADER))
    contacts: list[ImportedContact] = []
    skipped: list[Skipped] = []
    for line, cells in data_rows(rows, width, skipped):
        cells.append("")
        first, last, url, email, company, position, connected = map(str.strip, pick(cells))
        name = f"{first} {last}" if first and last else first or last
        if not name and not url and not email:
            skipped.append(Skipped(line, "has no name, URL or email address"))
            continue
        contacts.append(ImportedContact(
            line=line, email=email, name=name, company=company, position=position, linkedin_url=url,
            connected_on=_date(connected),
        ))
    return contacts, skipped
