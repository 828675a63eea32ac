"""What every format reader returns, and the shared file and CSV handling."""

from __future__ import annotations

import codecs
import io
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import ImportFormatError
from ...record import record
from .csvstream import stream_rows

__all__ = ["ImportedContact", "Skipped", "check_file", "csv_rows", "data_rows", "decode_export", "header_row",
           "physical_lines", "read_bytes", "read_text", "sniff_delimiter"]

MAX_FILE_BYTES = 256 * 1024 * 1024
_ICONV = ("Save it as 'CSV UTF-8' in Excel, or convert it: iconv -f WINDOWS-1252 -t UTF-8 in.csv > out.csv")

_LINE_END = re.compile(r"(?<=\r\n)|(?<=\n)|(?<=\r)(?!\n)")


def physical_lines(text: str, limit: int | None = None) -> list[str]:
    """Split on CR, LF and CRLF only (``str.splitlines`` also splits on U+2028, \\x1e, ...), keeping the ends.

    With ``limit``, only the first ``limit`` lines (the rest of the text is not split).
    """
    if limit is None:
        return [line for line in _LINE_END.split(text) if line]
    return [line for line in _LINE_END.split(text, maxsplit=limit)[:limit] if line]


@dataclass(slots=True)
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


@record
class Skipped:
    """A row that could not be used, with its line number and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def check_file(path: Path) -> None:
    """Refuse FIFOs, devices, directories and huge files, before anything is read from them."""
    try:
        info = Path(path).stat()
    except OSError as exc:
        raise ImportFormatError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise ImportFormatError(f"{path} is not a regular file (a FIFO, device or folder); export the contacts"
                                " to a file and import that")
    if info.st_size > MAX_FILE_BYTES:
        raise ImportFormatError(f"{path} is {info.st_size // (1024 * 1024)} MiB; a contacts export over"
                                f" {MAX_FILE_BYTES // (1024 * 1024)} MiB is not accepted")


def read_bytes(path: Path) -> bytes:
    """The file's bytes; FIFOs, devices, directories and huge files are refused before reading."""
    check_file(path)
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"cannot read {path}: {exc.strerror or exc}") from exc


def read_text(path: Path) -> str:
    """The file as UTF-8 text; binary or non-UTF-8 files get an error that says how to fix them."""
    raw = read_bytes(path)
    if b"\0" in raw[:8192]:
        raise ImportFormatError(f"{path} is a binary file, not a contacts export (CSV or vCard)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportFormatError(
            f"{path}:{line}: the file is not UTF-8 (it looks like Latin-1 or Windows-1252). {_ICONV}") from exc


def decode_export(path: Path, raw: bytes) -> tuple[str, str]:
    """An export's text and, if it was not UTF-8, a notice naming the encoding it was read in.

    UTF-8 (with or without BOM) and UTF-16 with a BOM (Outlook) are read as they are; a file that
    is not UTF-8 is read as Windows-1252 (a superset of Latin-1 for text), with a notice. A file
    that mixes UTF-8 with other bytes, or is not Windows-1252 either, is refused with the iconv hint.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), ""
        except UnicodeDecodeError as exc:
            raise ImportFormatError(f"{path}: the file starts like UTF-16 but is not; {_ICONV}") from exc
    head = raw[:8192]
    if b"\0" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > len(head) // 4 and even == 0:
            return raw.decode("utf-16-le", "replace"), "the file is UTF-16 without a byte-order mark; read as UTF-16LE"
        if even > len(head) // 4 and odd == 0:
            return raw.decode("utf-16-be", "replace"), "the file is UTF-16 without a byte-order mark; read as UTF-16BE"
        raise ImportFormatError(f"{path} is a binary file, not a contacts export (CSV or vCard)")
    try:
        return raw.decode("utf-8-sig"), ""
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        mixed = re.search(rb"[\xc2-\xf4][\x80-\xbf]+", raw) is not None and _valid_utf8_runs(raw)
        if not mixed:
            try:
                return raw.decode("cp1252"), (f"the file is not UTF-8; it was read as Windows-1252 (Latin-1), as"
                                              f" Excel saves it (first such byte on line {line})")
            except UnicodeDecodeError:
                pass
        raise ImportFormatError(f"{path}:{line}: the file is not UTF-8 and not Windows-1252 either"
                                f"{' (it mixes both)' if mixed else ''}. {_ICONV}") from exc


def _valid_utf8_runs(raw: bytes) -> bool:
    """True when the file holds real UTF-8 sequences (so its other high bytes make it undecidable)."""
    for m in re.finditer(rb"[\xc2-\xf4][\x80-\xbf]+", raw):
        try:
            m.group(0).decode("utf-8")
            return True
        except UnicodeDecodeError:
            continue
    return False


def sniff_delimiter(header: str) -> str:
    """``,``, ``;`` or tab: whichever the header line uses most outside quotes (``,`` on a tie)."""
    outside = re.sub(r'"[^"]*"', "", header)
    counts = {d: outside.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def data_rows(rows: Iterator[tuple[int, list[str] | None, str]], width: int, skipped: list[Skipped], *,
              short_ok: bool = False) -> Iterator[tuple[int, list[str]]]:
    """The non-empty records with as many cells as the header (``short_ok``: or fewer, padded).

    Broken and mis-sized records go to ``skipped`` with their line.
    """
    for line, cells, error in rows:
        if cells is None:
            skipped.append(Skipped(line, error))
            continue
        if not "".join(cells).strip():  # no cell holds anything but white space
            continue
        if len(cells) > width or (len(cells) < width and not short_ok):
            skipped.append(Skipped(line, f"has {len(cells)} cells but the header has {width}"))
            continue
        yield line, cells + [""] * (width - len(cells))


def csv_rows(text: str, start_line: int = 1,
             delimiter: str | None = None) -> Iterator[tuple[int, list[str] | None, str]]:
    """Yield ``(first line of the record, cells, error)`` for each record of ``text``.

    A record that cannot be read (a quote never closed, a field over the csv module's limit) is
    reported with its line, and reading goes on from the line after it (``csvstream.stream_rows``,
    which reads a file's lines the same way). ``delimiter`` None: sniffed from the first line.
    """
    if delimiter is None:
        delimiter = sniff_delimiter(physical_lines(text, 1)[0]) if text else ","
    return stream_rows(io.StringIO(text, newline=""), start_line, delimiter)


def header_row(rows: Iterator[tuple[int, list[str] | None, str]], path: Path) -> list[str]:
    """The first record of ``rows`` as column names (stripped); :class:`ImportFormatError` if there is none."""
    first = next(rows, None)
    if first is None or not first[1]:
        raise ImportFormatError(f"{path} is empty")
    return [h.strip() for h in first[1]]
