"""Read the contact exports people have: LinkedIn, Google Contacts, Outlook, vCard, and any CSV with an email column."""

from __future__ import annotations

from pathlib import Path

from ...errors import ImportFormatError
from ...compose.controls import printable
from ...record import field, mutable_record
from .base import ImportedContact, Skipped, decode_export, read_bytes, sniff_delimiter

__all__ = ["FORMATS", "Export", "ImportFormatError", "ImportedContact", "Skipped", "detect_format",
           "is_linkedin_header", "read_contacts", "read_export"]

FORMATS = ("auto", "linkedin", "google", "outlook", "vcard", "csv")


@mutable_record
class Export:
    """A parsed export: the format used, the usable rows, the rows skipped, and notices (such as the encoding)."""

    format: str
    rows: list[ImportedContact]
    skipped: list[Skipped]
    notices: list[str] = field(default_factory=list)


def _cells(line: str) -> list[str]:
    return [c.strip().strip('"').strip() for c in line.split(sniff_delimiter(line))]


def is_linkedin_header(line: str) -> bool:
    """A LinkedIn Connections header row, of any year: First Name, Last Name and Connected On or Email Address."""
    cells = _cells(line)
    return cells[:2] == ["First Name", "Last Name"] and ("Connected On" in cells or "Email Address" in cells)


def detect_format(path: Path, text: str) -> str:
    """Guess the export format from the file's name and first lines."""
    head = text.lstrip("\ufeff")[:4096]
    if path.suffix.lower() in (".vcf", ".vcard") or head.lstrip().upper().startswith("BEGIN:VCARD"):
        return "vcard"
    first_lines = head.splitlines()[:8]
    if (first_lines and first_lines[0].strip().startswith("Notes:")) or any(map(is_linkedin_header, first_lines)):
        return "linkedin"
    header = _cells(first_lines[0]) if first_lines else []
    if "E-mail 1 - Value" in header:
        return "google"
    if "E-mail Address" in header and ({"E-mail 2 Address", "Job Title", "Middle Name", "E-mail Display Name"}
                                       & set(header)):
        return "outlook"
    return "csv"


def _clean(row: ImportedContact) -> ImportedContact:
    """The row with terminal control characters taken out of every text value; runs of spaces in names are one."""
    extras = row.other_emails or row.tags or row.fields
    every = "".join((row.email, row.name, row.company, row.position, row.linkedin_url, row.connected_on, row.notes,
                     *row.other_emails, *row.tags, *row.fields, *row.fields.values()) if extras else
                    (row.email, row.name, row.company, row.position, row.linkedin_url, row.connected_on, row.notes))
    if every.isprintable() or printable(every) == every:  # the common row: only the white space to tidy
        row.email, row.linkedin_url = row.email.strip(), row.linkedin_url.strip()
        row.connected_on, row.notes = row.connected_on.strip(), row.notes.strip()
        row.name, row.company = " ".join(row.name.split()), " ".join(row.company.split())
        row.position = " ".join(row.position.split())
        if extras:
            row.other_emails = [e.strip() for e in row.other_emails]
            row.tags = [t.strip() for t in row.tags]
            row.fields = {k.strip(): v.strip() for k, v in row.fields.items()}
        return row
    for name in ("email", "name", "company", "position", "linkedin_url", "connected_on"):
        setattr(row, name, printable(getattr(row, name)).strip())
    for name in ("name", "company", "position"):
        setattr(row, name, " ".join(getattr(row, name).split()))
    row.notes = printable(row.notes, keep_newlines=True).strip()
    row.other_emails = [printable(e).strip() for e in row.other_emails]
    row.tags = [printable(t).strip() for t in row.tags]
    row.fields = {printable(k).strip(): printable(v, keep_newlines=True).strip() for k, v in row.fields.items()}
    return row


def read_export(path: Path, fmt: str = "auto") -> Export:
    """Parse ``path`` in any supported encoding and format; bad rows are skipped with their line and reason."""
    from . import generic, google, linkedin, outlook, vcard

    if fmt not in FORMATS:
        raise ImportFormatError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    text, notice = decode_export(path, read_bytes(path))
    chosen = detect_format(path, text) if fmt == "auto" else fmt
    reader = {"linkedin": linkedin.read, "google": google.read, "outlook": outlook.read, "vcard": vcard.read,
              "csv": generic.read}[chosen]
    rows, skipped = reader(path, text.lstrip("\ufeff"))
    skipped = [Skipped(s.line, printable(s.reason)) for s in skipped]
    return Export(chosen, [_clean(r) for r in rows], skipped, [notice] if notice else [])


def read_contacts(path: Path, fmt: str = "auto") -> tuple[str, list[ImportedContact], list[Skipped]]:
    """Parse ``path``: the format used, the usable rows, and the rows skipped with line and reason."""
    export = read_export(path, fmt)
    return export.format, export.rows, export.skipped
