"""Safe reading of incoming mail: header values and the readable text, whatever the sender got wrong."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from email.message import Message

__all__ = ["MAX_DEPTH", "header", "notice_text", "parts", "part_text"]

MAX_DEPTH = 12
_TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.IGNORECASE | re.DOTALL)
_REPORTS = ("message/delivery-status", "message/global-delivery-status", "message/feedback-report")
_ATTACHED = ("message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers")


def header(msg: Message, name: str) -> str:
    """A header's value as one line of text; a header the parser cannot read gives its raw form, or ''."""
    try:
        value = msg.get(name)
    except Exception:  # policy.default parses on access; a malformed value must not stop the reader
        raw = [v for k, v in msg.raw_items() if k.lower() == name.lower()] if hasattr(msg, "raw_items") else []
        value = raw[0] if raw else None
    if value is None:
        return ""
    try:
        text = str(value)
    except Exception:  # an undecodable encoded-word
        text = repr(value)
    return " ".join(text.split())


def parts(msg: Message, depth: int = 0, *, into_attached: bool = False) -> Iterator[Message]:
    """Every leaf part, depth first, not deeper than :data:`MAX_DEPTH`; attached messages only if asked."""
    if depth > MAX_DEPTH:
        return
    ctype = msg.get_content_type()
    if (ctype in _ATTACHED and depth > 0 and not into_attached) or ctype in _REPORTS:
        yield msg
        return
    if msg.is_multipart():
        payload = msg.get_payload()
        for sub in payload if isinstance(payload, list) else []:
            if isinstance(sub, Message):
                yield from parts(sub, depth + 1, into_attached=into_attached)
        return
    yield msg


def part_text(part: Message) -> str:
    """The decoded text of one leaf part (HTML reduced to its text); '' when it cannot be decoded."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding
        payload = None
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = payload.decode(charset, "replace")
    except LookupError:
        text = payload.decode("utf-8", "replace")
    if part.get_content_type() == "text/html":
        text = html.unescape(_TAG.sub(" ", text))
    return text


def notice_text(msg: Message) -> str:
    """The message's own readable text: its text parts, not those of attached messages."""
    plain: list[str] = []
    markup: list[str] = []
    for part in parts(msg):
        ctype = part.get_content_type()
        broken = part.get_content_maintype() == "multipart"  # a part whose boundary could not be read
        if ctype == "text/plain" or broken or (ctype.startswith("text/") and ctype not in ("text/html", *_ATTACHED)):
            plain.append(part_text(part))
        elif ctype == "text/html":
            markup.append(part_text(part))
    return "\n".join(plain or markup)
