"""What every format reader returns, and the shared file and CSV handling."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import ImportFormatError

__all__ = ["ImportedContact", "Skipped", "csv_rows", "data_rows", "physical_lines", "read_text"]

_LINE_END = re.compile(r"(?<=\r\n)|(?<=\n)|(?<=\r)(?!\n)")


def physical_lines(text: str) -> list[str]:
    """Split on CR, LF and CRLF only (``str.splitlines`` also splits on U+2028, \\x1e, ...), keeping the ends."""
    return [line for line in _LINE_END.split(text) if line]


@dataclass
class ImportedContact:
    """One usable row of an export, before it is matched against the contact book."""

    line: int
    email: str = ""
    name: str = ""
    company: str = ""
    position: str = ""
    linkedin_url: str = ""
    connected_on: str = ""
    notes: str = ""
    other_emails: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Skipped:
    """A row that could not be used, with its line number and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def read_text(path: Path) -> str:
    """The file as text; binary or non-UTF-8 files get an error that says how to fix them."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if b"\0" in raw[:8192]:
        raise ImportFormatError(f"{path} is a binary file, not a contacts export (CSV or vCard)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFormatError(
            f"{path}:{line}: the file is not UTF-8 (it looks like Latin-1 or Windows-1252). Save it as"
            " 'CSV UTF-8' in Excel, or convert it: iconv -f WINDOWS-1252 -t UTF-8 in.csv > out.csv"
        ) from exc


def data_rows(rows: Iterator[tuple[int, list[str] | None, str]], width: int, skipped: list[Skipped], *,
              short_ok: bool = False) -> Iterator[tuple[int, list[str]]]:
    """The non-empty records with as many cells as the header (``short_ok``: or fewer, padded).

    Broken and mis-sized records go to ``skipped`` with their line.
    """
    for line, cells, error in rows:
        if cells is None:
            skipped.append(Skipped(line, error))
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > width or (len(cells) < width and not short_ok):
            skipped.append(Skipped(line, f"has {len(cells)} cells but the header has {width}"))
            continue
        yield line, cells + [""] * (width - len(cells))


def csv_rows(text: str, start_line: int = 1) -> Iterator[tuple[int, list[str] | None, str]]:
    """Yield ``(first line of the record, cells, error)`` for each record; a broken quote ends the file."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        line = reader.line_num + start_line
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, None, f"malformed CSV ({exc}); check for a quote that is never closed"
            return
        yield line, cells, ""
