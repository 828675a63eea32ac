"""Turn a :class:`Draft` into an ``email.message.EmailMessage`` and the exact bytes to send."""

from __future__ import annotations

import mimetypes
from datetime import datetime, timezone
from email import policy
from email.headerregistry import Address as HeaderAddress
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from .addresses import Address, validate_address
from ..errors import AddressError, AttachmentError, HeaderError
from .headers import (
    check_addresses_survive,
    check_header_lengths,
    check_header_name,
    check_header_value,
    check_serialized_headers,
)
from ..models import Draft, Envelope, Sender

__all__ = ["MAX_ATTACHMENT_BYTES", "MAX_HEADER_OCTETS", "MAX_NAME_CHARS", "Envelope", "build_message",
           "encoded_size", "reply_subject", "serialize", "tidy"]

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_NAME_CHARS = 200
MAX_HEADER_OCTETS = 998


class _Registry(HeaderRegistry):
    """The standard header registry, but each header class is made once, not once per header set."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


_POLICY = policy.default.clone(header_factory=_Registry())
# Headers are folded only past RFC 5322's 998-character limit: the standard library's folding at
# 78 puts the space between two encoded words outside them, where every decoder drops it
# ("question I" arrives as "questionI" in about 1 in 20 long non-ASCII subjects).
_WIRE = _POLICY.clone(linesep="\r\n", max_line_length=998)
_WIRE_UTF8 = _WIRE.clone(utf8=True)
# Lists of Message-IDs fold safely between the IDs, so only these may be longer than one line.
_MAY_FOLD = {"references", "in-reply-to"}
_RESERVED = {"from", "to", "cc", "bcc", "subject", "date", "message-id", "in-reply-to", "references",
             "mime-version", "content-type", "content-transfer-encoding", "content-disposition"}


def reply_subject(subject: str) -> str:
    """``Re: `` prefixed once: ``Re: Re: x`` never happens."""
    stripped = subject.strip()
    if stripped.lower().startswith("re:"):
        return stripped
    return f"Re: {stripped}"


def tidy(value: str) -> str:
    """Header text as it travels: each run of white space becomes one space, none at the ends."""
    return " ".join(value.split())


def encoded_size(size: int) -> int:
    """How many bytes ``size`` bytes take in a message once base64-encoded in 76-character lines."""
    encoded = -(-size // 3) * 4
    return encoded + 2 * -(-encoded // 76)


def _address(name: str, addr: Address, field: str, where: str) -> HeaderAddress:
    check_header_value(f"{field} name", name, where)
    name = tidy(name)
    if len(name) > MAX_NAME_CHARS:
        raise HeaderError(f"{where}: the {field} display name is too long ({len(name)} characters; at most"
                          f" {MAX_NAME_CHARS}): {name[:40]!r}...")
    local, _, domain = addr.envelope.rpartition("@")
    return HeaderAddress(display_name=name, username=local, domain=domain)


def read_attachment(path: Path, where: str, budget: int) -> tuple[bytes, int]:
    """The bytes of attachment ``path`` and their encoded size, if that fits in ``budget``."""
    check_header_value("attachment name", path.name, where)
    try:
        size = path.stat().st_size
        encoded = encoded_size(size)
        if encoded > budget:
            raise AttachmentError(
                f"{where}: {path} is {size / 1e6:.1f} MB, {encoded / 1e6:.1f} MB once encoded for email; the"
                f" attachments of one message may take at most {MAX_ATTACHMENT_BYTES / 1e6:.0f} MB encoded, as most"
                " servers refuse larger messages")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise AttachmentError(f"{where}: attachment {path} does not exist") from exc
    except IsADirectoryError as exc:
        raise AttachmentError(f"{where}: attachment {path} is a folder, not a file") from exc
    except OSError as exc:
        raise AttachmentError(f"{where}: cannot read attachment {path}: {exc.strerror or exc}") from exc
    return data, encoded


def _attach(msg: EmailMessage, path: Path, where: str, budget: int) -> int:
    """Attach ``path`` if its encoded size fits in ``budget``; return that encoded size."""
    data, encoded = read_attachment(path, where, budget)
    ctype, encoding = mimetypes.guess_type(path.name)
    if ctype is None or encoding is not None:
        ctype = "application/octet-stream"
    maintype, subtype = ctype.split("/", 1)
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=path.name)
    return encoded


def build_message(
    draft: Draft,
    sender: Sender,
    *,
    message_id: str | None = None,
    now: datetime | None = None,
    check_deliverability: bool = False,
) -> EmailMessage:
    """Build the MIME message for ``draft``: multipart/alternative text + HTML, threading, attachments."""
    where = draft.to.email or draft.to.name or "message"
    try:
        from_addr = validate_address(sender.email, check_deliverability=False)
    except AddressError as exc:
        raise AddressError(f"sender address in the config: {exc}") from exc
    to_addr = validate_address(draft.to.email, check_deliverability=check_deliverability)
    msg = EmailMessage(policy=_POLICY)
    msg["From"] = _address(sender.name, from_addr, "From", where)
    msg["To"] = _address(draft.to.name, to_addr, "To", where)
    check_header_value("Subject", draft.subject, where)
    msg["Subject"] = tidy(draft.subject)
    msg["Date"] = format_datetime(now or datetime.now(timezone.utc))
    domain = from_addr.envelope.rpartition("@")[2]
    msg["Message-ID"] = message_id or make_msgid(domain=domain)
    if draft.in_reply_to:
        check_header_value("In-Reply-To", draft.in_reply_to, where)
        msg["In-Reply-To"] = draft.in_reply_to
    if draft.references:
        refs = " ".join(draft.references)
        check_header_value("References", refs, where)
        msg["References"] = refs
    for name, value in draft.headers.items():
        check_header_name(name)
        if name.lower() in _RESERVED:
            raise HeaderError(f"{where}: header {name} is set by outreach and cannot be given as an extra header")
        check_header_value(name, value, where)
        msg[name] = value
    msg.set_content(draft.text)
    msg.add_alternative(html_document(draft.html, draft.subject), subtype="html")
    budget = MAX_ATTACHMENT_BYTES
    for path in draft.attachments:
        budget -= _attach(msg, Path(path), where, budget)
    return msg


def html_document(body: str, title: str = "") -> str:
    """A complete HTML document around a template's body (left alone when it already is one)."""
    head = body.lstrip()[:20].lower()
    if head.startswith(("<!doctype", "<html")):
        return body
    from html import escape

    return (f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n</head>\n'
            f"<body>\n{body}</body>\n</html>\n")


def serialize(msg: EmailMessage, *, where: str = "") -> tuple[bytes, Envelope]:
    """The exact bytes to send (CRLF line ends) and the envelope; headers are checked once more."""
    addresses = [*msg["From"].addresses, *msg["To"].addresses]
    smtputf8 = any(not a.addr_spec.isascii() for a in addresses)
    where = where or str(msg["To"])
    data = msg.as_bytes(policy=_WIRE_UTF8 if smtputf8 else _WIRE)
    check_header_lengths(data, _MAY_FOLD, MAX_HEADER_OCTETS, where)
    expected: dict[str, int] = {}
    for name in msg.keys():
        expected[name] = expected.get(name, 0) + 1
    check_serialized_headers(data, expected, where)
    check_addresses_survive(data, {"From": msg["From"].addresses, "To": msg["To"].addresses}, where)
    envelope = Envelope(
        sender=msg["From"].addresses[0].addr_spec,
        recipients=tuple(a.addr_spec for a in msg["To"].addresses),
        smtputf8=smtputf8,
    )
    return data, envelope
