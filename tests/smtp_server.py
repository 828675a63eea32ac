"""A real SMTP server on 127.0.0.1 for the tests: aiosmtpd in a thread, with faults by recipient."""

from __future__ import annotations

import asyncio
import threading
import warnings
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "sam@example.edu", "correct horse battery staple"

# Senders and recipients whose local part names a fault make the server misbehave for them.
MAIL_FAULTS = {"sendertemp451": "451 4.3.0 Sender check unavailable", "senderbad550": "550 5.7.1 Sender refused",
               "sendershutdown421": "421 4.3.2 Shutting down", "sendergarbage": "lol what"}
RCPT_FAULTS = {"tempfail451": "451 4.3.0 Try again later", "full452": "452 4.2.2 Mailbox full",
               "nouser550": "550 5.1.1 No such user"}
DATA_FAULTS = {"shutdown421": "421 4.3.2 Shutting down", "reject554": "554 5.7.1 Message rejected as spam"}


@dataclass
class Sink:
    """Handler that keeps every accepted message and injects the faults named above.

    With ``pipelining`` the server offers PIPELINING in its EHLO reply (aiosmtpd reads pipelined
    commands one by one in any case). ``droprcpt`` as a recipient closes the connection at its RCPT.
    """

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    connections: int = 0
    fail_times: dict[str, int] = field(default_factory=dict)
    arrived: threading.Event = field(default_factory=threading.Event)
    arrive_at: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    pipelining: bool = False

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]) -> list[str]:
        session.host_name = hostname
        if self.pipelining:
            responses.insert(1, "250-PIPELINING")
        return responses

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        fault = MAIL_FAULTS.get(address.split("@")[0])
        if fault:
            if fault.startswith("421"):
                server.loop.call_soon(server.transport.close)
            return fault
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        local = address.split("@")[0]
        if local == "droprcpt":
            server.transport.close()
            return "250 never seen"
        fault = RCPT_FAULTS.get(local.split("+")[0])
        if fault:
            left = self.fail_times.get(local)
            if left is None or left > 0:
                if left is not None:
                    self.fail_times[local] = left - 1
                return fault
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        local = envelope.rcpt_tos[0].split("@")[0]
        if local in DATA_FAULTS:
            return DATA_FAULTS[local]
        with self.lock:
            self.messages.append(msg)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            if self.arrive_at and len(self.messages) >= self.arrive_at:
                self.arrived.set()
        if local == "dropafterdata":
            server.transport.close()
            return "250 never seen"
        return f"250 2.0.0 Ok: queued as {len(self.messages)}"

    @property
    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]


class _Controller(Controller):
    """Binds port 0 and learns the real port before aiosmtpd's readiness check connects."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER
          and auth_data.password.decode() == PASSWORD)
    return AuthResult(success=ok, handled=False)


def start_server(sink: Sink, **kwargs: Any) -> _Controller:
    """Start aiosmtpd on 127.0.0.1:<free port>; returns once it answers.

    Implicit TLS is TLS, but aiosmtpd only counts STARTTLS for auth_require_tls, hence the default.
    """
    auth = kwargs.pop("auth", False)
    if auth:
        kwargs.setdefault("authenticator", _authenticator)
        kwargs.setdefault("auth_required", True)
    kwargs.setdefault("enable_SMTPUTF8", False)
    kwargs.setdefault("ready_timeout", 30.0)
    if "ssl_context" in kwargs:
        kwargs.setdefault("auth_require_tls", False)
    controller = _Controller(sink, hostname="127.0.0.1", port=0, loop=asyncio.new_event_loop(), **kwargs)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS", UserWarning)
        controller.start()
    return controller
