"""Building blocks of the sync tests: a mailbox on the test Dovecot, our intros, raw messages, a DSN."""

from __future__ import annotations

from imap_server import PASSWORD, USER, Dovecot

from outreach import Contact, MemoryTransport, Recipient, Renderer, Sender, Store, prepare_batch, send_batch
from outreach.config import ImapConfig
from outreach.mailbox.imap import Mailbox

SENDER = Sender("Sam Rivera", "sam@example.edu")


def mailbox(server: Dovecot, password: str = PASSWORD, security: str = "ssl") -> Mailbox:
    port = server.port if security == "ssl" else server.starttls_port
    return Mailbox(ImapConfig(host="127.0.0.1", port=port, security=security, username=USER,
                              ca_file=server.ca_file), lambda: password)


def intro(store: Store, *addresses: str) -> dict[str, str]:
    entries = prepare_batch("intro", [Recipient(Contact(email=a, name="Ada"), {"topic": "UX"}) for a in addresses],
                            sender=SENDER, renderer=Renderer(), store=store)
    send_batch(entries, MemoryTransport(), store)
    return {e.contact: e.message_id for e in entries}


def raw(headers: dict[str, str], body: str, content_type: str = "text/plain; charset=utf-8") -> bytes:
    lines = [f"{k}: {v}" for k, v in headers.items()] + [f"Content-Type: {content_type}", "", body]
    return "\r\n".join(lines).encode()


def dsn(recipient: str, original_id: str) -> bytes:
    boundary = "b0undary"
    return "\r\n".join([
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>", "To: sam@example.edu",
        "Subject: Undelivered Mail Returned to Sender", "Message-ID: <dsn1@mx.example.com>",
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"', "",
        f"--{boundary}", "Content-Type: text/plain", "", "Your message could not be delivered.", "",
        f"--{boundary}", "Content-Type: message/delivery-status", "", "Reporting-MTA: dns; mx.example.com", "",
        f"Final-Recipient: rfc822; {recipient}", "Action: failed", "Status: 5.1.1",
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown", "",
        f"--{boundary}", "Content-Type: text/rfc822-headers", "", f"Message-ID: {original_id}",
        "Subject: Could I ask you about UX?", "", f"--{boundary}--", ""]).encode()
