"""A ``--contacts`` CSV read in passes: checked whole once, then its recipients read again on each pass, never all held."""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from ..compose.addresses import address_key
from ..errors import ImportFormatError, Problem, ValidationError
from ..models import Contact, Recipient
from .formats.base import Skipped, check_file, data_rows, read_text, sniff_delimiter
from .formats.csvstream import stream_rows
from .formats.generic import email_header, row_to_contact
from .recipients import contact_of

__all__ = ["RecipientsFile"]

_CHUNK = 64 * 1024
_COMPARED = tuple(name for name in Contact.__match_args__ if name != "email")  # its fields, in order
HOLD_ROWS = 2_000  # a file of up to this many rows is held after the first read (about 2 MiB), not read again


class RecipientsFile:
    """The recipients of a CSV with an email column, as :func:`read_recipients_csv` reads them, in passes.

    Opening it reads the file once: a file that cannot be read or has bad rows raises
    :class:`ValidationError` as ``read_recipients_csv`` does; rows identical to an earlier one
    (same person, same values) and rows whose address is on the do-not-contact list (``is_blocked``)
    are counted in ``identical`` and ``blocked`` and left out of every pass. A file of up to ``hold``
    rows (``HOLD_ROWS``) is kept as first read, so memory stays bounded and a small batch is parsed
    once; a larger one is read again on each ``iter()``, and a file that changed since it was opened
    raises :class:`ValidationError`. ``variables`` are added to every recipient's.
    """

    def __init__(self, path: Path, variables: Mapping[str, str] | None = None,
                 is_blocked: Callable[[str], str | None] | None = None, hold: int | None = None) -> None:
        self.path = Path(path)
        self._hold = HOLD_ROWS if hold is None else hold
        self._held: list[tuple[int, Contact]] | None = []
        self.variables = dict(variables or {})
        self.identical = 0
        self.blocked = 0
        self.count = 0
        self._left_out: set[int] = set()
        self._digest = b""
        self._check_bytes()
        self._scan(is_blocked)

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Recipient]:
        for line, contact in self._rows() if self._held is None else self._held:
            if line not in self._left_out:
                yield Recipient(contact=contact, variables=dict(self.variables), where=f"{self.path.name}:{line}")

    def _check_bytes(self) -> None:
        """Refuse what ``read_text`` refuses (not a file, too large, binary, not UTF-8), reading a chunk at a time."""
        try:
            check_file(self.path)
        except ImportFormatError as exc:
            raise self._error(str(exc)) from exc
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        try:
            with self.path.open("rb") as fh:
                head = fh.read(8192)
                chunk = head
                while chunk:
                    decoder.decode(chunk)
                    chunk = fh.read(_CHUNK)
                decoder.decode(b"", final=True)
            if b"\0" not in head:
                return
        except UnicodeDecodeError:
            pass
        except OSError as exc:
            raise self._error(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        try:
            read_text(self.path)  # says what is wrong, with the line
        except ImportFormatError as exc:
            raise self._error(str(exc)) from exc
        raise self._changed()

    def _scan(self, is_blocked: Callable[[str], str | None] | None) -> None:
        """The first pass: count the rows, and note those identical to an earlier one or blocked."""
        seen: set[bytes] = set()
        for line, contact in self._rows():
            self.count += 1
            if self._held is not None and self.count > self._hold:
                self._held = None  # too many to keep: each pass reads the file again
            if self._held is not None:
                self._held.append((line, contact))
            key = address_key(contact.email)
            if key is None:
                continue  # the batch reports it
            same = hashlib.blake2b(repr((key, _values(contact))).encode("utf-8", "surrogatepass"), digest_size=16)
            if same.digest() in seen:
                self.identical += 1
                self._left_out.add(line)
            elif is_blocked is not None and is_blocked(key):
                seen.add(same.digest())
                self.blocked += 1
                self._left_out.add(line)
            else:
                seen.add(same.digest())
        self.count -= len(self._left_out)

    def _rows(self) -> Iterator[tuple[int, Contact]]:
        """Each data row's line and contact; bad rows raise :class:`ValidationError` once all are read."""
        digest = hashlib.blake2b(digest_size=16)
        skipped: list[Problem] = []
        try:
            with self.path.open(encoding="utf-8-sig", newline="") as fh:
                lines = _hashed(fh, digest)
                first = next(lines, "")
                rows = stream_rows(_chain(first, lines), delimiter=sniff_delimiter(first) if first else ",")
                try:
                    header = email_header(self.path, rows)
                except ImportFormatError as exc:
                    raise self._error(str(exc)) from exc
                found: list[Skipped] = []
                for line, cells in data_rows(rows, len(header), found, short_ok=True):
                    yield line, contact_of(row_to_contact(line, header, cells))
                skipped = [Problem(f"{self.path.name}:{s.line}", s.reason) for s in found]
        except (OSError, UnicodeDecodeError) as exc:
            raise self._changed() from exc
        if self._digest and digest.digest() != self._digest:
            raise self._changed()
        self._digest = digest.digest()
        if skipped:
            raise ValidationError(skipped)

    def _error(self, message: str) -> ValidationError:
        return ValidationError([Problem("--contacts", message.replace(str(self.path), self.path.name))])

    def _changed(self) -> ValidationError:
        return self._error(f"{self.path.name} changed while the batch was being read; run the command again")


def _values(contact: Contact) -> list[tuple[str, object]]:
    """Everything about a contact but its address, in one order (fields sorted), to compare rows."""
    return [(name, sorted(value.items()) if isinstance(value := getattr(contact, name), Mapping) else value)
            for name in _COMPARED]


def _hashed(lines: Iterator[str], digest: hashlib.blake2b) -> Iterator[str]:
    for line in lines:
        digest.update(line.encode("utf-8", "surrogatepass"))
        yield line


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest
