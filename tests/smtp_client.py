"""The client side shared by the SMTP tests: a sender, a small built message and a transport to 127.0.0.1."""

from __future__ import annotations

from outreach import Contact, Draft, Sender, build_message, serialize
from outreach.compose.message import Envelope
from outreach.transports.smtp import SmtpTransport

SENDER = Sender(name="Sam Rivera", email="sam@example.edu")


def message(to: str) -> tuple[bytes, Envelope]:
    """A short intro to ``to``, as the wire carries it."""
    d = Draft(template="intro", to=Contact(email=to, name="Ada"), subject="Hello", html="<p>Hi</p>", text="Hi\n")
    return serialize(build_message(d, SENDER))


def transport(port: int, **kw: object) -> SmtpTransport:
    """A transport to the test server on ``port``, plain SMTP unless ``security`` is given."""
    kw.setdefault("security", "none")
    return SmtpTransport("127.0.0.1", port, timeout=5, **kw)  # type: ignore[arg-type]
