"""Refuse header values that would carry a line break into a message, raw or RFC 2047-encoded.

Python before 3.11.10 writes a newline hidden in an encoded word (``=?UTF-8?Q?=0A?=``) into the
serialised header unquoted (CVE-2024-6923), so values are checked both before they are set and
as the serialised message carries them.
"""

from __future__ import annotations

import email.header
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from email._header_value_parser import DOT_ATOM_ENDS, get_address_list, quote_string
from email.headerregistry import Address

from ..errors import HeaderError
from .controls import SURROGATE, find_control

__all__ = ["check_addresses_survive", "check_header_lengths", "check_header_name", "check_header_value",
           "check_serialized_headers"]

_NAME = re.compile(r"^[!-9;-~]+$")
_SERIALIZED_NAME = re.compile(rb"^([!-9;-~]+):")
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def _decoded_words(value: str) -> Iterable[str]:
    for word in _ENCODED_WORD.findall(value):
        try:
            for chunk, charset in email.header.decode_header(word):
                if isinstance(chunk, bytes):
                    yield chunk.decode(charset or "ascii", errors="replace")
                else:
                    yield chunk
        except (ValueError, LookupError, UnicodeError):
            yield word


def check_header_name(name: str) -> None:
    """Refuse a header name that is empty or has characters RFC 5322 does not allow."""
    if not _NAME.match(name or ""):
        raise HeaderError(f"{name!r} is not a valid header name")


def check_header_value(field: str, value: str, where: str = "") -> None:
    """Refuse ``value`` for header ``field`` if it holds CR or LF, directly or in an encoded word."""
    prefix = f"{where}: " if where else ""
    if "\r" in value or "\n" in value:
        raise HeaderError(f"{prefix}{field} contains a line break, which could inject headers: {value!r}")
    if "\0" in value:
        raise HeaderError(f"{prefix}{field} contains a NUL character: {value!r}")
    if SURROGATE.search(value):
        raise HeaderError(f"{prefix}{field} is not valid text (it holds undecodable bytes): {value!r}")
    bad = find_control(value)
    if bad is not None:
        raise HeaderError(f"{prefix}{field} contains a control character (U+{ord(bad):04X}): {value!r}")
    for decoded in _decoded_words(value):
        if "\r" in decoded or "\n" in decoded:
            raise HeaderError(f"{prefix}{field} hides a line break in an encoded word: {value!r}")


def check_serialized_headers(data: bytes, expected: dict[str, int], where: str = "") -> None:
    """Read the header block of ``data`` back and check it holds exactly the headers we set.

    A line break that slipped through (CVE-2024-6923) shows up here as a bare CR or LF, as a line
    that is neither a header nor a folded continuation, or as an extra header.
    """
    prefix = f"{where}: " if where else ""
    head = data.split(b"\r\n\r\n", 1)[0]
    found: dict[str, int] = {}
    for line in head.split(b"\r\n"):
        if b"\r" in line or b"\n" in line:
            raise HeaderError(f"{prefix}a header carries a bare line break in the serialised message")
        if line[:1] in (b" ", b"\t"):
            continue
        match = _SERIALIZED_NAME.match(line)
        if match is None:
            raise HeaderError(f"{prefix}a header line was broken in two in the serialised message; refusing it")
        key = match.group(1).decode("ascii").lower()
        found[key] = found.get(key, 0) + 1
    want = {k.lower(): v for k, v in expected.items()}
    if found != want:
        raise HeaderError(f"{prefix}the serialised message's headers differ from those set; refusing to send it")


def _header_lines(data: bytes) -> dict[str, list[bytes]]:
    """Each top-level header of serialised ``data`` by lower-case name: its line and continuation lines."""
    found: dict[str, list[bytes]] = {}
    current: list[bytes] | None = None
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and current is not None:
            current.append(line)
            continue
        name = line.split(b":", 1)[0].decode("ascii", "replace").lower()
        current = found.setdefault(name, [])
        if current:  # a repeated header: only the first one is compared
            current = []
        current.append(line)
    return found


def check_header_lengths(data: bytes, may_fold: Iterable[str], limit: int, where: str = "") -> None:
    """Refuse a header that had to be folded (it was over ``limit`` octets) unless its name is in ``may_fold``.

    Folding a display name or a subject can lose quotes or spaces; only lists of Message-IDs fold safely.
    """
    prefix = f"{where}: " if where else ""
    allowed = {name.lower() for name in may_fold}
    for name, lines in _header_lines(data).items():
        too_long = any(len(line) > limit for line in lines)
        if (len(lines) > 1 and name not in allowed) or too_long:
            octets = sum(len(line) for line in lines) - len(lines) + 1
            raise HeaderError(f"{prefix}the {name} header would be {octets} octets once encoded; a header line may"
                              f" hold at most {limit}, and folding it could change its meaning")


@lru_cache(maxsize=1024)
def _read_addresses(field: str, raw: str) -> tuple[tuple[str, str], ...]:
    """The addresses a client reads from header ``raw`` (the same From line of a whole batch is parsed once).

    This is what ``HeaderRegistry()[field](field, value).addresses`` gives, read straight from the
    standard library's parse tree, without the header object's rendering of itself, which a message
    of a batch would pay for on every To line (``tests/test_wire.py`` holds the two equal).
    """
    tree, rest = get_address_list(raw.partition(":")[2].lstrip())
    if rest:  # the header registry asserts this never happens
        return ()
    found = []
    for address in tree.addresses:
        for mailbox in address.all_mailboxes:
            local, domain = mailbox.local_part or "", mailbox.domain or ""
            if not DOT_ATOM_ENDS.isdisjoint(local):
                local = quote_string(local)
            found.append((mailbox.display_name or "", f"{local}@{domain}" if domain else local or "<>"))
    return tuple(found)


def check_addresses_survive(data: bytes, expected: Mapping[str, Sequence[Address]], where: str = "") -> None:
    """Parse the address headers of ``data`` back as a recipient's client would; refuse any that changed.

    A display name whose quotes were lost in folding can turn one address into two (Reply-All to a stranger).
    """
    prefix = f"{where}: " if where else ""
    lines = _header_lines(data)
    for field, want in expected.items():
        raw = b"".join(lines.get(field.lower(), [])).decode("utf-8", "replace")
        if _read_addresses(field, raw) != tuple((a.display_name, a.addr_spec) for a in want):
            raise HeaderError(f"{prefix}the {field} header would not read back as the address it was given;"
                              " refusing to send it (check the display name)")
