"""Refuse header values that would carry a line break into a message, raw or RFC 2047-encoded.

Python before 3.11.10 writes a newline hidden in an encoded word (``=?UTF-8?Q?=0A?=``) into the
serialised header unquoted (CVE-2024-6923), so values are checked both before they are set and
as the serialised message carries them.
"""

from __future__ import annotations

import email.header
import re
from collections.abc import Iterable
from ..errors import HeaderError

__all__ = ["check_header_name", "check_header_value", "check_serialized_headers"]

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
