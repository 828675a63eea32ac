"""Read the contact exports people have: LinkedIn, Google Contacts, vCard, and any CSV with an email column."""

from __future__ import annotations

from pathlib import Path

from ...errors import ImportFormatError
from .base import ImportedContact, Skipped, read_text

__all__ = ["FORMATS", "ImportFormatError", "ImportedContact", "Skipped", "detect_format", "read_contacts"]

FORMATS = ("auto", "linkedin", "google", "vcard", "csv")


def detect_format(path: Path, text: str) -> str:
    """Guess the export format from the file's name and first lines."""
    head = text.lstrip("\ufeff")[:4096]
    if path.suffix.lower() in (".vcf", ".vcard") or head.lstrip().upper().startswith("BEGIN:VCARD"):
        return "vcard"
    first_lines = head.splitlines()[:8]
    if (first_lines and first_lines[0].strip().startswith("Notes:")) or any(
        line.startswith("First Name,Last Name,URL,") for line in first_lines
    ):
        return "linkedin"
    if first_lines and "E-mail 1 - Value" in first_lines[0]:
        return "google"
    return "csv"


def read_contacts(path: Path, fmt: str = "auto") -> tuple[str, list[ImportedContact], list[Skipped]]:
    """Parse ``path``: the format used, the usable rows, and the rows skipped with line and reason."""
    from . import generic, google, linkedin, vcard

    if fmt not in FORMATS:
        raise ImportFormatError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    text = read_text(path)
    chosen = detect_format(path, text) if fmt == "auto" else fmt
    reader = {"linkedin": linkedin.read, "google": google.read, "vcard": vcard.read, "csv": generic.read}[chosen]
    rows, skipped = reader(path, text)
    return chosen, rows, skipped
