"""Build the exact bytes of a message directly, without ``EmailMessage``: the fast path of every batch.

The result is what :func:`outreach.compose.message.build_message` + ``serialize`` would send, read
back the same by any parser (a differential test checks it): RFC 2047 encoded words for text that
is not plain ASCII, CRLF line ends, multipart/alternative (inside multipart/mixed with attachments),
7bit or quoted-printable text and base64 attachments. The same checks run on the result: every
header read back (CVE-2024-6923), no header line over 998 octets, From and To parsed back to the
same single address.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import re
import secrets
from collections.abc import Sequence
from datetime import datetime, timezone
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from ..errors import AddressError, HeaderError
from ..models import Draft, Envelope, Sender
from .addresses import Address, validate_address
from .headers import check_addresses_survive, check_header_lengths, check_header_name, check_header_value
from .headers import check_serialized_headers
from .message import _MAY_FOLD, _RESERVED, MAX_HEADER_OCTETS, MAX_NAME_CHARS, html_document, read_attachment, tidy

__all__ = ["build_bytes", "encode_words"]

_ATOM_PHRASE = re.compile(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]*")
_Q_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")
_Q_BYTE = [chr(b) if b in _Q_SAFE else "_" if b == 0x20 else f"={b:02X}" for b in range(256)]
_WORD_ROOM = 75 - len("=?utf-8?q??=")
_PLAIN_LINE = 78
_FILENAME = re.compile(r"[A-Za-z0-9!#$%&'*+\-.^_`|~ ()\[\],;@]+")
# A display name and an address that every reader takes back exactly as written, in whichever form _phrase
# writes the name (bare words, a quoted string or one encoded word): letters and digits of any script, single
# spaces, and ' . , & -; a plain ASCII dot-atom address. tests/test_wire.py holds this claim to the standard
# library's reading of the To line; any other name or address is parsed back from the message's bytes.
_PLAIN_NAME = re.compile(r"(?:[^\W_]|[ '.,&-])*")
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_SPEC = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")


class _Mailbox(NamedTuple):
    display_name: str
    addr_spec: str


def _q(chunk: str) -> str:
    return "".join([_Q_BYTE[b] for b in chunk.encode("utf-8")])


def _b(chunk: str) -> str:
    return base64.b64encode(chunk.encode("utf-8")).decode("ascii")


def encode_words(text: str, room: int = _WORD_ROOM) -> str:
    """``text`` as RFC 2047 encoded words (UTF-8, Q or B, whichever is shorter) of at most ``room`` encoded characters.

    Spaces are encoded inside the words, so no decoder can lose one between two words.
    """
    use_q = len(_q(text)) <= len(_b(text))
    words: list[str] = []
    chunk = ""
    for char in text:
        longer = chunk + char
        size = len(_q(longer)) if use_q else -(-len(longer.encode("utf-8")) // 3) * 4
        if size > room and chunk:
            words.append(chunk)
            chunk = char
        else:
            chunk = longer
    if chunk:
        words.append(chunk)
    if use_q:
        return " ".join(f"=?utf-8?q?{_q(w)}?=" for w in words)
    return " ".join(f"=?utf-8?b?{_b(w)}?=" for w in words)


def _unstructured(value: str) -> str:
    """A Subject or other text header: as it is when it is plain ASCII, else encoded words.

    Blanks before the text are left out of the encoded words: a reader drops them from the plain
    form too, so either form reads back the same (as the standard library writes it).
    """
    if value.isascii() and "=?" not in value:
        return value
    return encode_words(value.lstrip(" \t"))


def _phrase(name: str) -> str:
    """A display name: bare when it is only atoms, quoted when it is ASCII, else encoded words."""
    if name.isascii() and "=?" not in name:
        if _ATOM_PHRASE.fullmatch(name) and "  " not in name:
            return name
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    # One word, as the standard library writes it: parsers (Python's among them) keep the space
    # between two encoded words of a display name, which would change the name read back.
    return encode_words(name, room=MAX_HEADER_OCTETS)


def _mailbox(name: str, addr: Address, field: str, where: str) -> tuple[str, _Mailbox]:
    check_header_value(f"{field} name", name, where)
    name = tidy(name)
    if len(name) > MAX_NAME_CHARS:
        raise HeaderError(f"{where}: the {field} display name is too long ({len(name)} characters; at most"
                          f" {MAX_NAME_CHARS}): {name[:40]!r}...")
    spec = addr.envelope
    return (f"{_phrase(name)} <{spec}>" if name else spec), _Mailbox(name, spec)


def reads_as_written(box: _Mailbox) -> bool:
    """True when the standard library reads the header written for ``box`` back as ``box`` (see ``_PLAIN_NAME``)."""
    name = box.display_name
    return (_PLAIN_NAME.fullmatch(name) is not None and name == tidy(name)
            and _PLAIN_SPEC.fullmatch(box.addr_spec) is not None)


def _text_part(ctype: str, text: str) -> bytes:
    """A text part: 7bit when it is short-lined ASCII, else quoted-printable; CRLF line ends."""
    lines = text.encode("utf-8").splitlines()
    if text.isascii() and all(len(line) <= _PLAIN_LINE for line in lines):
        body = b"\r\n".join(lines) + b"\r\n"
        cte = "7bit"
    else:
        body = binascii.b2a_qp(b"\n".join(lines) + b"\n", istext=True).replace(b"\n", b"\r\n")
        cte = "quoted-printable"
    return (f'Content-Type: {ctype}; charset="utf-8"\r\nContent-Transfer-Encoding: {cte}\r\n\r\n'.encode("ascii")
            + body)


def _filename(name: str) -> str:
    """The ``filename`` parameter: quoted when it is plain ASCII, RFC 2231 UTF-8 otherwise."""
    if _FILENAME.fullmatch(name):
        return f'filename="{name}"'
    return f"filename*=utf-8''{quote(name, safe='')}"


def _attachment_part(path: Path, data: bytes) -> bytes:
    ctype, encoding = mimetypes.guess_type(path.name)
    if ctype is None or encoding is not None:
        ctype = "application/octet-stream"
    body = base64.encodebytes(data).replace(b"\n", b"\r\n")
    return (f"Content-Type: {ctype}\r\nContent-Transfer-Encoding: base64\r\n"
            f"Content-Disposition: attachment; {_filename(path.name)}\r\n\r\n").encode("ascii") + body


def _multipart(subtype: str, parts: Sequence[bytes]) -> tuple[str, bytes]:
    """The Content-Type value and the body of a multipart holding ``parts``, with a boundary none of them holds."""
    while True:
        boundary = f"=_{secrets.token_hex(12)}"
        marker = boundary.encode("ascii")
        if not any(marker in part for part in parts):
            break
    dash = b"--" + marker
    body = b"".join(dash + b"\r\n" + part + b"\r\n" for part in parts)
    return f'multipart/{subtype}; boundary="{boundary}"', body + dash + b"--\r\n"


def build_bytes(
    draft: Draft,
    sender: Sender,
    *,
    message_id: str | None = None,
    now: datetime | None = None,
    check_deliverability: bool = False,
    where: str = "",
) -> tuple[bytes, Envelope]:
    """The exact bytes to send for ``draft`` and its envelope, checked as :func:`serialize` checks them."""
    where = where or draft.to.email or draft.to.name or "message"
    try:
        from_addr = validate_address(sender.email, check_deliverability=False)
    except AddressError as exc:
        raise AddressError(f"sender address in the config: {exc}") from exc
    to_addr = validate_address(draft.to.email, check_deliverability=check_deliverability)
    from_value, from_box = _mailbox(sender.name, from_addr, "From", where)
    to_value, to_box = _mailbox(draft.to.name, to_addr, "To", where)
    check_header_value("Subject", draft.subject, where)
    headers = [("From", from_value), ("To", to_value), ("Subject", _unstructured(tidy(draft.subject))),
               ("Date", _date(now or datetime.now(timezone.utc))),
               ("Message-ID", message_id or make_msgid(domain=from_addr.envelope.rpartition("@")[2]))]
    if draft.in_reply_to:
        check_header_value("In-Reply-To", draft.in_reply_to, where)
        headers.append(("In-Reply-To", _unstructured(draft.in_reply_to)))
    if draft.references:
        refs = " ".join(draft.references)
        check_header_value("References", refs, where)
        headers.append(("References", _fold_ids(draft.references) if refs.isascii() else _unstructured(refs)))
    for name, value in draft.headers.items():
        check_header_name(name)
        if name.lower() in _RESERVED:
            raise HeaderError(f"{where}: header {name} is set by outreach and cannot be given as an extra header")
        check_header_value(name, value, where)
        headers.append((name, _unstructured(value)))
    alternative = _multipart("alternative", [_text_part("text/plain", draft.text),
                                             _text_part("text/html", html_document(draft.html, draft.subject))])
    if draft.attachments:
        files = [_attachment_part(Path(p), data) for p, data in _read_all(draft.attachments, where)]
        inner = f"Content-Type: {alternative[0]}\r\n\r\n".encode("ascii") + alternative[1]
        ctype, body = _multipart("mixed", [inner, *files])
    else:
        ctype, body = alternative
    headers += [("MIME-Version", "1.0"), ("Content-Type", ctype)]
    smtputf8 = to_addr.needs_smtputf8 or from_addr.needs_smtputf8
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    data = head.encode("utf-8" if smtputf8 else "ascii") + b"\r\n" + body
    check_header_lengths(data, _MAY_FOLD, MAX_HEADER_OCTETS, where)
    expected: dict[str, int] = {}
    for name, _value in headers:
        expected[name] = expected.get(name, 0) + 1
    check_serialized_headers(data, expected, where)
    survive = {"From": [from_box]} if reads_as_written(to_box) else {"From": [from_box], "To": [to_box]}
    check_addresses_survive(data, survive, where)  # type: ignore[arg-type]
    return data, Envelope(sender=from_box.addr_spec, recipients=(to_box.addr_spec,), smtputf8=smtputf8)


_last_date: tuple[datetime, str] | None = None


def _date(now: datetime) -> str:
    """The Date header of ``now``: a batch passes the same time object for all its messages, so it is written once.

    Only that very object is reused: equal times in other zones write other Date headers.
    """
    global _last_date
    last = _last_date
    if last is not None and last[0] is now:
        return last[1]
    value = format_datetime(now)
    _last_date = (now, value)
    return value


def _fold_ids(ids: Sequence[str]) -> str:
    """Message-IDs joined by spaces, folded between IDs so that no line passes 998 octets."""
    lines: list[str] = []
    line = ""
    for mid in ids:
        if line and len("References: ") + len(line) + 1 + len(mid) > MAX_HEADER_OCTETS:
            lines.append(line)
            line = mid
        else:
            line = f"{line} {mid}" if line else mid
    lines.append(line)
    return "\r\n ".join(lines)


def _read_all(paths: Sequence[Path], where: str) -> list[tuple[Path, bytes]]:
    """Every attachment's bytes, within the size budget of one message."""
    from .message import MAX_ATTACHMENT_BYTES

    budget = MAX_ATTACHMENT_BYTES
    found: list[tuple[Path, bytes]] = []
    for path in map(Path, paths):
        data, encoded = read_attachment(path, where, budget)
        budget -= encoded
        found.append((path, data))
    return found
