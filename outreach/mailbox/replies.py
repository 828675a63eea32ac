"""Read an incoming message: is it a reply, an auto-reply or a bounce, and what does it point at?"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime

__all__ = ["Incoming", "classify", "referenced_ids", "return_date"]

_ID = re.compile(r"<[^<>\s]+>")
_AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|abwesenheit|absence|"
    r"r[ée]ponse automatique|vacation|away from (the )?office|autoreply)", re.IGNORECASE)
_BOUNCE_FROM = re.compile(r"^(mailer-daemon|postmaster)@", re.IGNORECASE)
_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
_MONTH = r"(january|february|march|april|may|june|july|august|september|october|november|december|" \
         r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?"
_CUE = r"(?:until|till|through|back on|back in the office on|return(?:ing)? on|returns? on|after|bis|jusqu'au)"


@dataclass(frozen=True)
class Incoming:
    """What matters about one incoming message."""

    message_id: str
    sender: str
    subject: str
    kind: str
    references: tuple[str, ...]
    received: datetime | None
    until: date | None = None
    bounced: str = ""
    bounce_reason: str = ""


def referenced_ids(msg: Message) -> tuple[str, ...]:
    """Message-IDs named by In-Reply-To and References, most recent last, without repeats."""
    found: list[str] = []
    for header in ("References", "In-Reply-To"):
        for value in msg.get_all(header, []):
            for mid in _ID.findall(str(value)):
                if mid not in found:
                    found.append(mid)
    return tuple(found)


def _is_auto_reply(msg: Message) -> bool:
    auto = str(msg.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return True
    if msg.get("X-Autoreply") or msg.get("X-Autorespond") or msg.get("X-Auto-Response-Suppress", "").lower() == "all":
        return True
    if str(msg.get("Precedence", "")).strip().lower() in ("auto_reply", "bulk", "junk"):
        return True
    return bool(_AUTO_SUBJECT.search(str(msg.get("Subject", ""))))


def _is_bounce(msg: Message) -> bool:
    if msg.get_content_type() == "multipart/report" and str(msg.get_param("report-type", "")).lower() == "delivery-status":
        return True
    sender = getaddresses([str(msg.get("From", ""))])
    return bool(sender and _BOUNCE_FROM.match(sender[0][1] or ""))


def _text(msg: Message) -> str:
    if isinstance(msg, EmailMessage):
        body = msg.get_body(("plain", "html"))
        if body is not None:
            try:
                return str(body.get_content())
            except (LookupError, ValueError):
                return ""
    payload = msg.get_payload(decode=True)
    return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""


def return_date(text: str, today: date) -> date | None:
    """The date an out-of-office message says its writer is back (the latest one it names after a cue)."""
    lowered = " ".join(text.lower().split())
    found: list[date | None] = []
    for m in re.finditer(_CUE + r"\s+(\d{4})-(\d{2})-(\d{2})", lowered):
        found.append(_safe(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    named = _CUE + (r"\s+(?:\w+day,?\s+)?(?:" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?|(\d{1,2})(?:st|nd|rd|th)?"
                    r"\s+(?:of\s+)?" + _MONTH + r")(?:,?\s+(\d{4}))?")
    for m in re.finditer(named, lowered):
        month_name = m.group(1) or m.group(4)
        month = next(v for k, v in _MONTHS.items() if k.startswith(month_name.rstrip(".")[:3]))
        day = int(m.group(2) or m.group(3))
        year = int(m.group(5)) if m.group(5) else today.year
        candidate = _safe(year, month, day)
        if candidate and not m.group(5) and candidate < today:
            candidate = _safe(year + 1, month, day)
        found.append(candidate)
    for m in re.finditer(_CUE + r"\s+(\d{1,2})[./](\d{1,2})[./](\d{4})", lowered):
        found.append(_safe(int(m.group(3)), int(m.group(2)), int(m.group(1))))
    dates = [d for d in found if d is not None]
    return max(dates) if dates else None


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _bounce_details(msg: Message) -> tuple[str, str, tuple[str, ...]]:
    """The failed recipient, the reason, and the Message-IDs of the original, from a DSN."""
    recipient = reason = ""
    originals: list[str] = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            for block in part.get_payload():
                if not isinstance(block, Message):
                    continue
                final = str(block.get("Final-Recipient", "") or block.get("Original-Recipient", ""))
                if final and not recipient:
                    recipient = final.split(";", 1)[-1].strip()
                diagnostic = str(block.get("Diagnostic-Code", ""))
                if diagnostic and not reason:
                    reason = " ".join(diagnostic.split(";", 1)[-1].split())
                status = str(block.get("Status", ""))
                if status and not reason:
                    reason = f"status {status}"
        elif ctype in ("message/rfc822", "text/rfc822-headers"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                originals += [str(inner[0].get("Message-ID", "")).strip()]
            elif isinstance(inner, str):
                originals += _ID.findall("\n".join(line for line in inner.splitlines()
                                                    if line.lower().startswith("message-id")))
    return recipient, reason, tuple(o for o in originals if o)


def classify(msg: Message, today: date) -> Incoming:
    """Turn a parsed message into an :class:`Incoming`: ``reply``, ``auto-reply`` or ``bounce``."""
    sender = getaddresses([str(msg.get("From", ""))])
    received = None
    if msg.get("Date"):
        try:
            received = parsedate_to_datetime(str(msg["Date"]))
        except (TypeError, ValueError):
            received = None
    refs = referenced_ids(msg)
    common = {"message_id": str(msg.get("Message-ID", "")).strip(), "sender": (sender[0][1] if sender else "").lower(),
              "subject": " ".join(str(msg.get("Subject", "")).split()), "received": received}
    if _is_bounce(msg):
        recipient, reason, originals = _bounce_details(msg)
        return Incoming(kind="bounce", references=tuple(dict.fromkeys([*refs, *originals])), bounced=recipient.lower(),
                        bounce_reason=reason, **common)  # type: ignore[arg-type]
    if _is_auto_reply(msg):
        return Incoming(kind="auto-reply", references=refs, until=return_date(_text(msg), today),
                        **common)  # type: ignore[arg-type]
    return Incoming(kind="reply", references=refs, **common)  # type: ignore[arg-type]
