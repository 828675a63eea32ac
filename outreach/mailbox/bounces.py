"""Delivery reports: is a message a bounce, a delay, a success notice or a spam complaint, and about what?

Standard reports are read field by field (RFC 3464 delivery status, RFC 5965 ARF feedback); the
rest (Exim, qmail, Postfix, Exchange, Gmail, Yahoo... text notices) by their structure (a null or
daemon sender, an attached original) and their wording. Only a permanent failure (``5.x.x``, or a
notice that says the message was rejected for good) is a bounce: ``4.x.x`` and "still trying" are
delays, and an expired retry is a delay too, since the address itself was never refused.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from email import message_from_string, policy
from email.message import Message
from email.utils import getaddresses

from .mailtext import header, notice_text, part_text, parts

__all__ = ["Report", "plain_address", "read_report"]

_ADDRESS = re.compile(r"[\w!#$%&'*+/=?^`{|}~.-]+@(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_][\w-]*[^\W_]|"
                      r"[\w!#$%&'*+/=?^`{|}~.-]+@\[[0-9.]+\]")
_ID = re.compile(r"<[^<>\s@]+@[^<>\s]+>")
_DOT_ATOM = re.compile(r"[\w!#$%&'*+/=?^`{|}~-]+(\.[\w!#$%&'*+/=?^`{|}~-]+)*")
_DAEMON = re.compile(r"^(mailer[-_.]?daemon|mail[-_.]?daemon|daemon|postmaster|post_master|"
                     r"mail[-_.]?delivery[-_.]?(system|subsystem|service)?|mdaemon|mail[-_.]?administrator|"
                     r"bounces?|ndr|nobody|no[-_.]?reply|do[-_.]?not[-_.]?reply)$", re.IGNORECASE)
_DAEMON_NAME = re.compile(r"mailer[- ]?daemon|postmaster|mail delivery (system|subsystem)|delivery status|"
                          r"mail administrator|ndr administrator", re.IGNORECASE)
_SUBJECT = re.compile(
    r"undeliver|undelivered|non[- ]?deliver|delivery (status|failure|failed|notification|problem|report|error)|"
    r"returned mail|returning (message|to sender)|mail failed|failure notice|failed delivery|mail delivery|"
    r"could not be delivered|"
    r"delivery has failed|error sending|mail system error|mail failure|nicht zustellbar|unzustellbar|"
    r"non remis|non distribu|échec de (la )?remise|no entregad|no se pudo entregar|fehler bei der zustellung|"
    r"zustellung fehlgeschlagen|rejected|bounce|delayed mail|warning: could not send|"
    r"message delayed|delivery delayed|unable to deliver|problem delivering|message status|"
    r"delivery notification|not delivered|mail returned|returned to sender|\bnd[nr]\b|failed mail|mail error",
    re.IGNORECASE)
_FAILED = re.compile(
    r"could ?n[o']t be delivered|cannot be delivered|not (be )?delivered|undeliverable|undelivered|"
    r"delivery (to the following recipients? )?(has )?failed|failed permanently|permanent(ly)? (fatal )?error|"
    r"permanent failure|fatal errors?|user unknown|unknown (user|recipient|address)|no such (user|mailbox|recipient|"
    r"address)|mailbox (is )?(full|unavailable|not found|disabled)|over ?quota|quota exceeded|did not reach|"
    r"unable to deliver|error (while )?(delivering|sending)|delivery problems?|returned permanent|"
    r"address(es)? failed|does ?n[o']t exist|recipient address rejected|was rejected|message rejected|"
    r"delivery to the following|could ?n[o']t deliver|not able to be delivered|invalid (recipient|user|address)|"
    r"trouble delivering|delivery errors?|failed addresses|no valid recipients|unknown host|"
    r"\b5\d\d[- ]#?5\.\d{1,3}\.\d{1,3}|^\s*550\b|retry timeout exceeded|delivery failed|"
    r"delivery incomplete|has been delayed|will be retried|still (being )?retried|not yet been delivered|"
    r"not listed in (the )?(domino )?directory|recipient (address )?(unknown|not found)|user not found|"
    r"account (is |has been )?(disabled|inactive|suspended|closed|deactivated)|host unknown|addressee unknown|"
    r"domain (name )?(not found|does ?n[o']t exist)|unroute?able|relay(ing)? (access )?denied|no mailbox|"
    r"exceeded (the |its )?(storage|quota)|could not be found|bad destination|"
    r"konnte nicht zugestellt werden|nicht zustellbar|unzustellbar|empfänger unbekannt|unbekannter empfänger|"
    r"n'a pas pu être (remis|délivré|distribué)|non remis|échec de (la )?(remise|distribution)|adresse inconnue|"
    r"destinataire inconnu|no (se )?(pudo|puede) (ser )?entregar|no entregado|usuario desconocido|"
    r"error de entrega|destinatario desconocido",
    re.IGNORECASE | re.MULTILINE)
_DELAY = re.compile(
    r"warning message only|warning only|do not need to resend|don't need to resend|will be retried|will retry|"
    r"will keep trying|will continue (to try|trying)|still (being )?(retried|trying|undelivered)|has been delayed|"
    r"delivery (is |has been )?delayed|delivery incomplete|not yet been delivered|not been delivered yet|"
    r"temporary (problem|failure)[^\n]*(retry|try again)", re.IGNORECASE)
_EXPIRED = re.compile(
    r"retry timeout exceeded|envelope expired|message expired|not delivered within|failing for a long time|"
    r"host not reachable|did not accept our requests to connect|delivery failed \d+ attempts|"
    r"too long in (the )?queue|could not be delivered for \d", re.IGNORECASE)
_REFUSED = re.compile(
    r"\b5\d\d\b|\b5\.\d{1,3}\.\d{1,3}\b|user unknown|unknown (user|recipient)|no such|mailbox (is )?full|over ?quota|"
    r"does ?n[o']t exist|rejected|refused|blocked|denied|invalid (recipient|user|address)", re.IGNORECASE)
_COMPLAINT_SUBJECT = re.compile(r"complaint about|abuse report|spam (complaint|report)|feedback loop|"
                                r"junk mail report|reported as spam", re.IGNORECASE)
_DELIVERED = re.compile(r"(successfully|was) delivered|delivery (to the following recipients? )?"
                        r"(was )?(successful|succeeded|complete)|has been relayed|relayed to", re.IGNORECASE)
_DELIVERED_SUBJECT = re.compile(r"\((success|relay(ed)?|delivered)\)|^delivered:|delivery receipt|"
                                r"successful(ly)? (mail )?deliver", re.IGNORECASE)
_COPY_START = re.compile(
    r"^\s*[-=_*# ]*(original message|original mail|this is a copy of|below this line is a copy|"
    r"(a )?copy of (the|your) (original )?message|included is a copy|headers? of the original|message headers follow|"
    r"original message (follows|headers)|returned message|the original message|undelivered message|"
    r"------ this is a copy)", re.IGNORECASE | re.MULTILINE)
_HEADER_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9-]*):\s?(.*)$")
_SKIP_HEADERS = {"from", "sender", "return-path", "reply-to", "message-id", "received", "references", "in-reply-to",
                 "dkim-signature", "authentication-results", "received-spf", "x-original-message-id", "errors-to",
                 "delivered-to", "x-original-to", "envelope-to", "mail-from", "x-sender", "reporting-mta",
                 "list-id", "list-unsubscribe", "resent-from", "arc-authentication-results"}
_RECIPIENT_HEADERS = {"to", "cc", "bcc", "x-failed-recipients", "final-recipient", "original-recipient",
                      "original-rcpt-to", "rcpt-to", "recipient", "address", "removal-recipient"}


_REPORT_TYPES = ("message/delivery-status", "message/global-delivery-status", "message/feedback-report")


@dataclass(frozen=True)
class Report:
    """What a delivery report says: ``kind`` is ``bounce``, ``delay``, ``delivered`` or ``complaint``."""

    kind: str
    recipients: tuple[str, ...] = ()
    reason: str = ""
    originals: tuple[str, ...] = ()
    status: str = ""


def plain_address(text: str) -> str:
    """The ``local@domain`` in a recipient field, without brackets, ``rfc822;`` or routing prefixes; '' if none."""
    value = text.strip()
    if ";" in value:
        kind, _, rest = value.partition(";")
        if kind.strip().lower() not in ("rfc822", "smtp", "utf-8", "x400", "x-local", "unknown"):
            rest = value
        value = rest
    quoted = re.search(r'("[^"\\\r\n]+")@((?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_][\w-]*[^\W_])', value)
    if quoted:
        local = quoted.group(1).strip('"')
        needs_quotes = not _DOT_ATOM.fullmatch(local)  # "a..b" keeps its quotes; "ada" does not need them
        return f"{quoted.group(1) if needs_quotes else local.lower()}@{quoted.group(2).lower()}"
    found = _ADDRESS.findall(value.replace("<", " ").replace(">", " ").replace('"', " "))
    if not found:
        return ""
    address = found[-1].strip(".'`")
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}".lower()


def _fields(block: str | Message) -> dict[str, str]:
    if isinstance(block, Message):
        return {k.lower(): " ".join(str(v).split()) for k, v in block.items()}
    out: dict[str, str] = {}
    for line in re.sub(r"\r?\n[ \t]+", " ", block).splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip() and " " not in name.strip():
            out.setdefault(name.strip().lower(), " ".join(value.split()))
    return out


def _blocks(part: Message) -> list[dict[str, str]]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [_fields(b) for b in payload if isinstance(b, Message)]
    text = part_text(part)
    return [_fields(b) for b in re.split(r"\r?\n\s*\r?\n", text) if b.strip()]


def _status_class(fields: dict[str, str]) -> str:
    status = re.search(r"\b([245])\.\d{1,3}\.\d{1,3}\b", fields.get("status", ""))
    return status.group(1) if status else ""


def _dsn(msg: Message) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The per-recipient blocks of every delivery-status part, and of every feedback-report part."""
    status: list[dict[str, str]] = []
    feedback: list[dict[str, str]] = []
    leaves = list(parts(msg))
    if not any(p.get_content_type() in _REPORT_TYPES for p in leaves):
        text = "\n".join(part_text(p) for p in leaves if p.get_content_maintype() == "text")
        if re.search(r"^Final-Recipient:", text, re.IGNORECASE | re.MULTILINE):
            status = [b for b in (_fields(x) for x in re.split(r"\r?\n\s*\r?\n", text))
                      if "action" in b and ("final-recipient" in b or "original-recipient" in b)]
    for part in leaves:
        ctype = part.get_content_type()
        if ctype in ("message/delivery-status", "message/global-delivery-status"):
            status += [b for b in _blocks(part) if any(k in b for k in ("final-recipient", "original-recipient",
                                                                        "action", "status"))]
        elif ctype == "message/feedback-report":
            feedback += _blocks(part)
    return status, feedback


def _attached_headers(msg: Message) -> list[Message]:
    """The headers of the original message: attached whole, as headers only, or quoted after a marker."""
    found: list[Message] = []
    for part in parts(msg):
        ctype = part.get_content_type()
        if ctype in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                found.append(inner[0])
            elif isinstance(inner, str):
                found.append(message_from_string(inner, policy=policy.compat32))
        elif ctype in ("text/rfc822-headers", "message/rfc822-headers"):
            found.append(message_from_string(part_text(part).lstrip(), policy=policy.compat32))
    return found


def _quoted_ids(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^\s*>?\s*(?:X-Original-)?Message-I[Dd]\s*:\s*(<[^<>\s]+>)", text,
                                            re.IGNORECASE | re.MULTILINE)]


def _originals(msg: Message, attached: list[Message], texts: str, dsn: list[dict[str, str]]) -> tuple[str, ...]:
    ids: list[str] = []
    for inner in attached:
        ids += _ID.findall(header(inner, "Message-ID"))
    for block in dsn:
        ids += _ID.findall(block.get("x-original-message-id", "") + " " + block.get("original-envelope-id", ""))
    ids += _quoted_ids(texts)
    own = header(msg, "Message-ID")
    return tuple(dict.fromkeys(i for i in ids if i != own))


def _addresses(value: str) -> list[str]:
    return [a for a in (plain_address(v) for v in re.split(r"[,\s]+", value)) if a]


def _ours(msg: Message, attached: list[Message]) -> set[str]:
    """Addresses that are the original's sender, never its failed recipient."""
    mine: set[str] = set()
    for name in ("To", "Delivered-To", "X-Original-To", "Envelope-To", "From", "Return-Path", "Sender"):
        mine.update(_addresses(header(msg, name)))
    for inner in attached:
        for name in ("From", "Sender", "Return-Path", "Reply-To"):
            mine.update(_addresses(header(inner, name)))
    return mine


_HELP = re.compile(r"contact|assistance|questions|help ?desk|support|administrator|report this|abuse@|"
                   r"please (send|write|mail)|if you (think|believe|need)", re.IGNORECASE)


def _line_score(line: str, address: str) -> int:
    """How much a notice line looks like it names a failed recipient (help addresses score low)."""
    score = 0
    if re.match(r"^\s*[<\"'*(]?\s*" + re.escape(address) + r"\s*[>\"')]?\s*($|[:.,;(\[]|\.\.\.)", line, re.IGNORECASE):
        score += 2
    if _FAILED.search(line) or re.search(r"\b[45]\d\d\b|\b[45]\.\d{1,3}\.\d{1,3}\b|rcpt to", line, re.IGNORECASE):
        score += 1
    if _HELP.search(line):
        score -= 3
    return score


def _text_recipients(text: str, mine: set[str]) -> tuple[list[str], list[str]]:
    """Addresses in the notice, likeliest failed recipient first, and addresses in quoted ``To:`` lines."""
    cut = _COPY_START.search(text)
    notice, rest = (text[:cut.start()], text[cut.start():]) if cut else (text, "")
    scored: dict[str, int] = {}
    quoted: list[str] = []
    for area, in_notice in ((notice, True), (rest, False)):
        for line in area.splitlines():
            named = _HEADER_LINE.match(line)
            key = named.group(1).lower() if named else ""
            if key in _SKIP_HEADERS:
                continue
            for found in _ADDRESS.findall(line):
                address = plain_address(found)
                if not address or address in mine or _looks_like_id(line, found):
                    continue
                if in_notice and key not in ("to", "cc"):
                    scored[address] = max(scored.get(address, -99), _line_score(line, found))
                elif address not in quoted:
                    quoted.append(address)
    order = list(scored)
    return sorted(order, key=lambda a: (-scored[a], order.index(a))), quoted


def _looks_like_id(line: str, found: str) -> bool:
    return bool(re.search(r"message-?id|msgid|queue[- ]?id", line, re.IGNORECASE)) and f"<{found}>" in line


def _ses(text: str) -> Report | None:
    """Amazon SES notifications sent as JSON (bounce, delivery or complaint)."""
    start = text.find("{")
    if start < 0 or "notificationType" not in text:
        return None
    try:
        data, _ = json.JSONDecoder(strict=False).raw_decode(text[start:])
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("Message"), str):  # wrapped in an SNS notification
        try:
            data = json.loads(data["Message"], strict=False)
        except ValueError:
            return None
    if not isinstance(data, dict):
        return None
    kind = str(data.get("notificationType", "")).lower()
    mail = data.get("mail")
    mail = mail if isinstance(mail, dict) else {}
    originals = tuple(f"<{i.strip('<>')}>" for i in [mail.get("messageId", "")] if i)
    if kind == "bounce":
        bounce = data.get("bounce") or {}
        people = [plain_address(str(r.get("emailAddress", ""))) for r in bounce.get("bouncedRecipients", [])]
        permanent = str(bounce.get("bounceType", "")).lower() == "permanent"
        reasons = [str(r.get("diagnosticCode", "")) for r in bounce.get("bouncedRecipients", [])]
        return Report("bounce" if permanent else "delay", tuple(p for p in people if p),
                      " ".join((reasons[0] if reasons else str(bounce.get("bounceSubType", ""))).split()), originals)
    if kind == "complaint":
        complaint = data.get("complaint") or {}
        people = [plain_address(str(r.get("emailAddress", ""))) for r in complaint.get("complainedRecipients", [])]
        return Report("complaint", tuple(p for p in people if p), "spam complaint", originals)
    if kind == "delivery":
        return Report("delivered", (), "", originals)
    return None


def _is_notice(msg: Message, text: str, attached: list[Message]) -> bool:
    """A non-standard report: a null or daemon sender with bounce wording or subject; from others, both."""
    if header(msg, "X-Failed-Recipients"):
        return True
    sender = getaddresses([header(msg, "From")])
    address = sender[0][1] if sender else ""
    name = sender[0][0] if sender else ""
    local = address.rpartition("@")[0] if "@" in address else address
    daemon = (not address or bool(_DAEMON.match(local)) or bool(_DAEMON_NAME.search(name))
              or header(msg, "Return-Path").strip() in ("<>", "<<>>"))
    wording = bool(_FAILED.search(text[:20000]))
    subject = bool(_SUBJECT.search(header(msg, "Subject")))
    if re.match(r"^\s*(re|aw|sv|fw|fwd|wg|tr)\s*:", header(msg, "Subject"), re.IGNORECASE) and not daemon:
        return False
    if daemon:
        return wording or subject
    return wording and subject


def _reason(blocks: list[dict[str, str]], text: str) -> str:
    for block in blocks:
        diagnostic = block.get("diagnostic-code", "")
        if diagnostic:
            return " ".join(diagnostic.split(";", 1)[-1].split())[:300]
    for block in blocks:
        if block.get("status"):
            return f"status {block['status']}"
    for line in text.splitlines():
        if re.search(r"\b[45]\d\d\b.*\b[45]\.\d{1,3}\.\d{1,3}\b|\b[45]\.\d{1,3}\.\d{1,3}\b", line):
            return " ".join(line.split())[:300]
    match = _FAILED.search(text)
    if match:
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        return " ".join(text[line_start:line_end if line_end >= 0 else None].split())[:300]
    return ""


def _from_feedback(feedback: list[dict[str, str]], attached: list[Message], originals: tuple[str, ...]) -> Report:
    people: list[str] = []
    for block in feedback:
        for key in ("original-rcpt-to", "removal-recipient"):
            people += _addresses(block.get(key, ""))
    if not people:
        for inner in attached:
            people += _addresses(header(inner, "To"))
    kind = next((b.get("feedback-type", "") for b in feedback if b.get("feedback-type")), "abuse")
    return Report("complaint", tuple(dict.fromkeys(people)), f"spam complaint ({kind})", originals)


def read_report(msg: Message) -> Report | None:
    """The delivery report ``msg`` is, or None if it is not one."""
    report_type = str(msg.get_param("report-type", "") or "").lower() if msg.get_content_type() == "multipart/report" \
        else ""
    dsn, feedback = _dsn(msg)
    attached = _attached_headers(msg)
    text = notice_text(msg)
    attached_text = "\n".join(part_text(p) for p in parts(msg) if p.get_content_type() in ("text/rfc822-headers",))
    originals = _originals(msg, attached, text + "\n" + attached_text, dsn)
    if feedback or report_type == "feedback-report" or (attached and _COMPLAINT_SUBJECT.search(header(msg, "Subject"))):
        return _from_feedback(feedback, attached, originals)
    if report_type == "disposition-notification" or any(
            p.get_content_type() == "message/disposition-notification" for p in parts(msg)):
        return Report("delivered", (), "read receipt", originals)  # an MDN: shown to the reader, not a reply
    if header(msg, "X-Apple-Unsubscribe").lower() == "true" or (
            header(msg, "Subject").strip().lower() == "unsubscribe" and header(msg, "Auto-Submitted")):
        return Report("complaint", tuple(_addresses(header(msg, "From"))), "unsubscribe request", originals)
    ses = _ses(text) if "amazonses.com" in header(msg, "Message-ID") + header(msg, "Return-Path") \
        or header(msg, "From").endswith("amazonaws.com>") else None
    if ses is not None:
        return ses
    if not dsn and report_type != "delivery-status" and not _is_notice(msg, text, attached):
        return None
    return _decide(msg, dsn, attached, text, originals)


def _decide(msg: Message, dsn: list[dict[str, str]], attached: list[Message], text: str,
            originals: tuple[str, ...]) -> Report:
    failed: list[dict[str, str]] = []
    delayed: list[dict[str, str]] = []
    delivered: list[dict[str, str]] = []
    for block in dsn:
        action = block.get("action", "").split()[0].lower() if block.get("action") else ""
        cls = _status_class(block)
        if action == "failed" or (not action and cls == "5"):
            failed.append(block)
        elif action in ("delayed", "expired") or (not action and cls == "4"):
            delayed.append(block)
        elif action in ("delivered", "relayed", "expanded") or cls == "2":
            delivered.append(block)
    mine = _ours(msg, attached)
    listed = [plain_address(b.get("final-recipient") or b.get("original-recipient") or b.get("x-actual-recipient", ""))
              for b in (failed or delayed or delivered)]
    listed = [a for a in listed if a]
    failed_header = _addresses(header(msg, "X-Failed-Recipients"))
    notice, quoted = _text_recipients(text, mine)
    to_of_original = [a for inner in attached for a in _addresses(header(inner, "To")) if a not in mine]
    people = tuple(dict.fromkeys(failed_header or listed or notice or to_of_original or quoted))
    reason = _reason(failed or delayed or delivered, text)
    if failed:
        return Report("bounce", people, reason, originals, failed[0].get("status", ""))
    if delayed:
        return Report("delay", people, reason, originals, delayed[0].get("status", ""))
    if delivered:
        return Report("delivered", people, reason, originals, delivered[0].get("status", ""))
    head = text[:6000]
    if _DELAY.search(head) or _DELAY.search(header(msg, "Subject")) or (
            _EXPIRED.search(head) and not _REFUSED.search(_COPY_START.split(head, 1)[0])):
        return Report("delay", people, reason, originals)
    if (_DELIVERED.search(head) or _DELIVERED_SUBJECT.search(header(msg, "Subject"))) and not _FAILED.search(head):
        return Report("delivered", people, reason, originals)
    return Report("bounce", people, reason, originals)
