"""A local SMTP sink in its own process: counts messages and connections; offers PIPELINING; optional STARTTLS + AUTH."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import ssl
import warnings
from pathlib import Path
from typing import Any

USER, PASSWORD = "bench@example.edu", "bench-password"


def _serve(port: Any, ready: Any, messages: Any, connections: Any, secure: bool, ca_path: str) -> None:
    import logging

    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

    class Counting(SMTP):
        def connection_made(self, transport: Any) -> None:
            if not getattr(self, "_counted", False):
                self._counted = True
                with connections.get_lock():
                    connections.value += 1
            super().connection_made(transport)

    class Handler:
        async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                              responses: list[str]) -> list[str]:
            session.host_name = hostname
            responses.insert(1, "250-PIPELINING")  # as Gmail, Outlook and Postfix do
            return responses

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            with messages.get_lock():
                messages.value += 1
            return "250 2.0.0 Ok: queued"

    def auth(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login.decode() == USER and data.password.decode() == PASSWORD
        return AuthResult(success=ok, handled=False)

    class Ctl(Controller):
        def factory(self) -> SMTP:
            return Counting(self.handler, **self.SMTP_kwargs)

        def _trigger_server(self) -> None:
            self.port = self.server.sockets[0].getsockname()[1]
            super()._trigger_server()

    kwargs: dict[str, Any] = {"enable_SMTPUTF8": True}
    if secure:
        import trustme

        ca = trustme.CA()
        ca.cert_pem.write_to_path(ca_path)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(ctx)
        kwargs.update(tls_context=ctx, require_starttls=True, authenticator=auth, auth_required=True)
    controller = Ctl(Handler(), hostname="127.0.0.1", port=0, loop=asyncio.new_event_loop(), **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        controller.start()
    with connections.get_lock():
        connections.value = 0
    port.value = controller.port
    ready.set()
    mp.Event().wait()


class Sink:
    """The sink process; ``messages`` and ``connections`` count what it saw since the last reset."""

    def __init__(self, *, secure: bool = False, workdir: Path) -> None:
        self.secure = secure
        self.ca_path = str(workdir / ("sink-ca.pem" if secure else "unused.pem"))
        ctx = mp.get_context("spawn")
        self._port = ctx.Value("i", 0)
        self._messages = ctx.Value("i", 0)
        self._connections = ctx.Value("i", 0)
        ready = ctx.Event()
        self._proc = ctx.Process(target=_serve, args=(self._port, ready, self._messages, self._connections, secure,
                                                      self.ca_path), daemon=True)
        self._proc.start()
        if not ready.wait(30):
            raise RuntimeError("the SMTP sink did not start")
        self.port = self._port.value

    @property
    def messages(self) -> int:
        return self._messages.value

    @property
    def connections(self) -> int:
        return self._connections.value

    def reset(self) -> None:
        with self._messages.get_lock():
            self._messages.value = 0
        with self._connections.get_lock():
            self._connections.value = 0

    def stop(self) -> None:
        self._proc.terminate()
        self._proc.join(5)
