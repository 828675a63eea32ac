"""Read an incoming message: a reply, an auto-reply, a delivery report, list traffic or a challenge?"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from .autoreply import challenge_link, is_auto_reply, is_discussion_post, is_list_traffic
from .bounces import from_mail_system, plain_address, read_report
from .mailtext import header, notice_text
from .returndate import return_date
from ..compose.controls import printable

__all__ = ["KINDS", "Incoming", "classify", "referenced_ids", "return_date"]

KINDS = ("reply", "auto-reply", "bounce", "delay", "delivered", "complaint", "list", "challenge")
_ID = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True)
class Incoming:
    """What matters about one incoming message; ``kind`` is one of :data:`KINDS`."""

    message_id: str
    sender: str
    subject: str
    kind: str
    references: tuple[str, ...]
    received: datetime | None
    until: date | None = None
    bounced: str = ""
    bounce_reason: str = ""
    recipients: tuple[str, ...] = ()
    originals: tuple[str, ...] = ()
    link: str = ""
    from_system: bool = False


def referenced_ids(msg: Message) -> tuple[str, ...]:
    """Message-IDs named by In-Reply-To and References, most recent last, without repeats."""
    found: list[str] = []
    for name in ("References", "In-Reply-To"):
        for mid in _ID.findall(header(msg, name)):
            if mid not in found:
                found.append(mid)
    return tuple(found)


def _received(msg: Message) -> datetime | None:
    """The Date header, if it is a real date with a zone; None otherwise (out of range, no zone, garbage)."""
    value = header(msg, "Date")
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
        if when.tzinfo is None or when.utcoffset() is None:
            return None
        return when.astimezone(timezone.utc)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def classify(msg: Message, today: date) -> Incoming:
    """Turn a parsed message into an :class:`Incoming`."""
    sender = getaddresses([header(msg, "From")])
    refs = referenced_ids(msg)
    common = {"message_id": header(msg, "Message-ID"), "sender": plain_address(sender[0][1]) if sender else "",
              "subject": printable(header(msg, "Subject")), "received": _received(msg)}
    report = read_report(msg)
    if report is not None:
        return Incoming(kind=report.kind, references=tuple(dict.fromkeys([*refs, *report.originals])),
                        bounced=report.recipients[0] if report.recipients else "",
                        bounce_reason=printable(report.reason), recipients=report.recipients,
                        originals=report.originals, from_system=from_mail_system(msg),
                        **common)  # type: ignore[arg-type]
    listed = is_list_traffic(msg)
    if listed and not is_discussion_post(msg):
        return Incoming(kind="list", references=refs, **common)  # type: ignore[arg-type]
    text = notice_text(msg)
    link = challenge_link(msg, text)
    if link is not None:
        return Incoming(kind="challenge", references=refs, link=printable(link), **common)  # type: ignore[arg-type]
    if is_auto_reply(msg, listed=listed):
        return Incoming(kind="auto-reply", references=refs, until=return_date(text, today),
                        **common)  # type: ignore[arg-type]
    return Incoming(kind="reply", references=refs, **common)  # type: ignore[arg-type]
