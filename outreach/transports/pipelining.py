"""One SMTP mail transaction with PIPELINING (RFC 2920): MAIL, RCPT and DATA in one write, then the data.

Two round trips per message instead of smtplib's three plus one per recipient. It raises what
smtplib's ``sendmail`` raises in each case (and leaves the connection as it would), so the
transport maps every reply and fault the same way whichever path sent the message.
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Callable, Sequence
from functools import lru_cache

__all__ = ["quote_data", "quoteaddr", "sendmail_pipelined"]

_CRLF = b"\r\n"
# smtplib's own quoting, remembered: a batch's one sender address is parsed once, not per message.
_smtplib_quoteaddr = lru_cache(maxsize=1024)(smtplib.quoteaddr)
# A plain ASCII addr-spec, which smtplib.quoteaddr returns in angle brackets unchanged (a test holds them equal).
_PLAIN = re.compile(r"[A-Za-z0-9_+=-]+(?:\.[A-Za-z0-9_+=-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")


def quoteaddr(address: str) -> str:
    """``address`` as MAIL FROM and RCPT TO carry it: what ``smtplib.quoteaddr`` gives, without parsing plain ones."""
    if _PLAIN.fullmatch(address):
        return f"<{address}>"
    return _smtplib_quoteaddr(address)


def quote_data(data: bytes) -> bytes:
    """``data`` as it goes on the wire after DATA: dots at line starts doubled, a final CRLF, then ``.``."""
    quoted = data.replace(b"\n.", b"\n..")
    if quoted[:1] == b".":
        quoted = b"." + quoted
    if quoted[-2:] != _CRLF:
        quoted += _CRLF
    return quoted + b"." + _CRLF


def _command(line: str) -> str:
    if "\r" in line or "\n" in line:
        shown = line.replace("\n", "\\n").replace("\r", "\\r")
        raise ValueError(f"command and arguments contain prohibited newline characters: {shown}")
    return line + "\r\n"


def sendmail_pipelined(conn: smtplib.SMTP, sender: str, recipients: Sequence[str], data: bytes,
                       mail_options: Sequence[str] = (), before_replies: Callable[[], object] | None = None,
                       meanwhile: Callable[[], object] | None = None,
                       ) -> tuple[dict[str, tuple[int, bytes]], tuple[int, bytes]]:
    """Send one message over ``conn`` (whose server offers PIPELINING); return (refused recipients, final reply).

    Raises ``SMTPSenderRefused``, ``SMTPRecipientsRefused``, ``SMTPDataError`` or
    ``SMTPServerDisconnected`` exactly where ``conn.sendmail`` would. ``before_replies`` runs once the
    commands are written and before their replies are read (what it raises propagates). The message
    data goes out only after that, and after the server accepted DATA (354) and a recipient.
    ``meanwhile`` runs once the data is written, while the server reads it, before its answer is read.
    """
    options = [f"size={len(data)}"] if conn.has_extn("size") else []
    options.extend(mail_options)
    if any(option.lower() == "smtputf8" for option in options):
        if not conn.has_extn("smtputf8"):
            raise smtplib.SMTPNotSupportedError("SMTPUTF8 not supported by server")
        conn.command_encoding = "utf-8"
    option_list = " " + " ".join(options) if options else ""
    commands = [_command(f"mail FROM:{quoteaddr(sender)}{option_list}")]
    commands.extend(_command(f"rcpt TO:{quoteaddr(r)}") for r in recipients)
    commands.append("data\r\n")
    conn.send("".join(commands))
    if before_replies is not None:
        before_replies()
    mail = conn.getreply()
    if mail[0] in (421, -1):  # going away, or not speaking SMTP: nothing after it can be trusted
        conn.close()
        raise smtplib.SMTPSenderRefused(mail[0], mail[1], sender)
    refused: dict[str, tuple[int, bytes]] = {}
    try:
        for recipient in recipients:
            code, reply = conn.getreply()
            if code not in (250, 251):
                refused[recipient] = (code, reply)
            if code == 421:
                conn.close()
                if mail[0] != 250:
                    raise smtplib.SMTPSenderRefused(mail[0], mail[1], sender)
                raise smtplib.SMTPRecipientsRefused(refused)
        start = conn.getreply()
    except smtplib.SMTPServerDisconnected:
        # The refusal already read is what sendmail would have reported before it read any further.
        if mail[0] != 250:
            raise smtplib.SMTPSenderRefused(mail[0], mail[1], sender) from None
        if len(refused) == len(recipients):
            raise smtplib.SMTPRecipientsRefused(refused) from None
        raise
    if mail[0] != 250 or len(refused) == len(recipients):
        if start[0] in (354, 421):  # a server waiting for data that will never come, or going away
            conn.close()
        if mail[0] != 250:
            raise smtplib.SMTPSenderRefused(mail[0], mail[1], sender)
        raise smtplib.SMTPRecipientsRefused(refused)
    if start[0] != 354:
        raise smtplib.SMTPDataError(*start)
    conn.send(quote_data(data))
    if meanwhile is not None:
        meanwhile()
    final = conn.getreply()
    if final[0] != 250:
        if final[0] == 421:
            conn.close()
        else:
            conn._rset()  # type: ignore[attr-defined]
        raise smtplib.SMTPDataError(*final)
    return refused, final
