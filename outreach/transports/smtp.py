"""SMTP over one connection per batch, with verified TLS, pipelining the commands when the server offers it."""

from __future__ import annotations

import smtplib
import socket
import ssl
import threading
from collections.abc import Callable
from pathlib import Path

from ..errors import AuthError, ConnectError, PermanentError, TransientError, TransportError, UnknownOutcomeError
from ..models import Envelope
from .base import Delivery, Transport
from .pipelining import sendmail_pipelined
from .watchdog import Watchdog

__all__ = ["SmtpTransport"]

_END_OF_DATA = b"\r\n.\r\n"
# One message may take at most this many times the per-read timeout in all: a server that drips a
# byte now and then cannot hold a message (and the batch) for minutes.
DEADLINE_FACTOR = 4
# OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH and X509_V_ERR_IP_ADDRESS_MISMATCH.
_NAME_MISMATCH = (62, 64)


class _ClaimLost(Exception):
    """The journal's claim of the message went to another process: the transaction was abandoned."""


class _Tracking:
    """Mixin that notes when the end-of-data marker has gone out on the socket."""

    payload_sent = False
    data_reply: tuple[int, bytes] = (250, b"")

    def send(self, s: bytes | str) -> None:
        super().send(s)  # type: ignore[misc]
        if isinstance(s, bytes) and s.endswith(_END_OF_DATA):
            self.payload_sent = True

    def data(self, msg: bytes | str) -> tuple[int, bytes]:
        self.data_reply = super().data(msg)  # type: ignore[misc]
        return self.data_reply


class _SMTP(_Tracking, smtplib.SMTP):  # type: ignore[misc]
    pass


class _SMTPSSL(_Tracking, smtplib.SMTP_SSL):  # type: ignore[misc]
    pass


def _reply_text(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {' '.join(text.split())}".strip()


def _classify(code: int, text: str, where: str) -> TransportError:
    if 400 <= code < 500 or code == -1:
        return TransientError(f"{where}: temporary failure: {text}", code=code, reply=text)
    return PermanentError(f"{where}: refused: {text}", code=code, reply=text)


class SmtpTransport(Transport):
    """Send through an SMTP server; ``security`` is ``starttls``, ``ssl`` or ``none``."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        security: str = "starttls",
        username: str = "",
        password: Callable[[], str] | None = None,
        allow_insecure_auth: bool = False,
        ca_file: Path | None = None,
        timeout: float = 30.0,
    ) -> None:
        if security not in ("starttls", "ssl", "none"):
            raise ValueError(f"security must be starttls, ssl or none, not {security!r}")
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self._password = password
        self.allow_insecure_auth = allow_insecure_auth
        self.ca_file = ca_file
        self.timeout = timeout
        self._conn: _SMTP | _SMTPSSL | None = None
        self._handed_over = False
        self.connections = 0
        self._watchdog = Watchdog(self._expire)

    def clone(self) -> SmtpTransport:
        """A new, unopened transport to the same server with the same settings."""
        return SmtpTransport(
            self.host, self.port, security=self.security, username=self.username, password=self._password,
            allow_insecure_auth=self.allow_insecure_auth, ca_file=self.ca_file, timeout=self.timeout,
        )

    @property
    def where(self) -> str:
        """``host:port``, for messages."""
        return f"{self.host}:{self.port}"

    def _context(self) -> ssl.SSLContext:
        try:
            return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)
        except (OSError, ssl.SSLError) as exc:
            raise TransportError(f"cannot load CA file {self.ca_file}: {exc}") from exc

    def open(self) -> None:
        """Connect, secure the connection, and log in if a username is set."""
        if self._conn is not None:
            return
        where = self.where
        try:
            if self.security == "ssl":
                conn: _SMTP | _SMTPSSL = _SMTPSSL(self.host, self.port, timeout=self.timeout, context=self._context())
            else:
                conn = _SMTP(self.host, self.port, timeout=self.timeout)
            self._conn = conn
            conn.ehlo()
            if self.security == "starttls":
                if not conn.has_extn("starttls"):
                    raise AuthError(f"{where} does not offer STARTTLS; refusing to continue without encryption")
                conn.starttls(context=self._context())
                conn.ehlo()
            if self.username:
                self._login(conn)
        except TransportError:
            self._drop()
            raise
        except ssl.SSLCertVerificationError as exc:
            self._drop()
            if exc.verify_code in _NAME_MISMATCH:
                raise TransportError(
                    f"{where}: the server's certificate is valid, but for another host name than {self.host!r}"
                    f" ({exc.verify_message}); set host in the config to the name the certificate was issued for"
                ) from exc
            raise TransportError(
                f"{where}: the server's certificate could not be verified ({exc.verify_message});"
                " set ca_file in [smtp] if your relay uses a private CA"
            ) from exc
        except (ssl.SSLError, smtplib.SMTPException, OSError) as exc:
            self._drop()
            code = getattr(exc, "smtp_code", None)
            if isinstance(code, int) and code >= 500:
                raise PermanentError(f"{where}: the server refused the connection: {exc}", code=code) from exc
            raise ConnectError(f"cannot connect to {where}: {exc}", code=code) from exc
        self.connections += 1

    def _login(self, conn: smtplib.SMTP) -> None:
        if self.security == "none" and not self.allow_insecure_auth:
            raise AuthError(
                f"{self.where}: refusing to send the password without TLS; use security = \"starttls\" or \"ssl\","
                " or set allow_insecure_auth = true for a trusted local relay"
            )
        if not conn.has_extn("auth"):
            raise AuthError(f"{self.where} does not offer AUTH, but a username is configured")
        password = self._password() if self._password else ""
        try:
            conn.login(self.username, password)
        except smtplib.SMTPServerDisconnected:
            raise AuthError(
                f"{self.where} refused the login for {self.username!r} (it closed the connection); "
                "check the username, or store the right password with `outreach login`"
            ) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise AuthError(
                f"{self.where} refused the login for {self.username!r} ({exc.smtp_code}); "
                "check the username, or store the right password with `outreach login`",
                code=exc.smtp_code,
            ) from None
        except smtplib.SMTPException as exc:
            raise AuthError(f"{self.where}: login failed: {type(exc).__name__}", code=getattr(exc, "smtp_code", None)) from None

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except OSError:
                pass

    def close(self) -> None:
        """Say QUIT politely and close; errors on the way out are ignored."""
        self._watchdog.stop()
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            conn.close()

    def may_have_delivered(self) -> bool:
        return self._handed_over or bool(self._conn is not None and self._conn.payload_sent)

    def send(self, data: bytes, envelope: Envelope) -> Delivery:
        """Send one message, reconnecting first if the connection was lost earlier.

        The whole of it (a reconnection included) may take at most ``timeout`` x ``DEADLINE_FACTOR``:
        past that the connection is cut, however slowly the server keeps answering.
        """
        delivery = self._watched(data, envelope, None, None)
        assert delivery is not None
        return delivery

    def send_claimed(self, data: bytes, envelope: Envelope, claim: Callable[[], bool],
                     meanwhile: Callable[[], None] | None = None) -> Delivery | None:
        """Like :meth:`send`, once ``claim()`` is won; with PIPELINING it is written while the envelope is answered.

        The commands MAIL, RCPT and DATA go out first, then ``claim()`` runs (its fsync overlapping
        the server's replies), and the message itself only once the claim is won. A lost claim
        closes the connection: the server, waiting for data that never comes, delivers nothing.
        ``meanwhile`` runs while the server reads the data (with PIPELINING; after the send otherwise).
        """
        asked = False

        def ask(started: bool) -> None:
            nonlocal asked
            asked = True
            try:
                won = claim()
            except BaseException:
                if started:
                    self._drop()
                raise
            if not won:
                if started:
                    self._drop()
                raise _ClaimLost

        try:
            return self._watched(data, envelope, ask, meanwhile)
        except _ClaimLost:
            return None
        except TransportError:
            if not asked and not claim():
                return None
            raise

    def _watched(self, data: bytes, envelope: Envelope, ask: Callable[[bool], None] | None,
                 meanwhile: Callable[[], None] | None) -> Delivery | None:
        deadline = self.timeout * DEADLINE_FACTOR
        expired = threading.Event()
        self._watchdog.arm(deadline, expired)
        try:
            return self._send(data, envelope, deadline, expired, ask, meanwhile)
        finally:
            self._watchdog.disarm()

    def _send(self, data: bytes, envelope: Envelope, deadline: float, expired: threading.Event,
              ask: Callable[[bool], None] | None, meanwhile: Callable[[], None] | None) -> Delivery:
        if self._conn is None:
            try:
                self.open()
            except ConnectError as exc:
                if expired.is_set():
                    raise ConnectError(f"{self.where}: reconnecting took longer than the message deadline of"
                                       f" {deadline:g} s") from exc
                raise
        conn = self._conn
        assert conn is not None
        conn.payload_sent = False
        self._handed_over = False
        if envelope.smtputf8 and not conn.has_extn("smtputf8"):
            raise PermanentError(
                f"{self.where} does not support SMTPUTF8, so it cannot send to an address with non-ASCII"
                f" characters before the @ ({', '.join(envelope.recipients)}); ask the contact for an ASCII address"
            )
        options = ["SMTPUTF8", "BODY=8BITMIME"] if envelope.smtputf8 else []
        try:
            if conn.has_extn("pipelining"):
                started = (lambda: ask(True)) if ask is not None else None
                refused, conn.data_reply = sendmail_pipelined(conn, envelope.sender, envelope.recipients, data,
                                                              options, before_replies=started, meanwhile=meanwhile)
            else:
                if ask is not None:
                    ask(False)
                refused = conn.sendmail(envelope.sender, list(envelope.recipients), data, mail_options=options)
                if meanwhile is not None:
                    meanwhile()
        except smtplib.SMTPRecipientsRefused as exc:
            self._reset(conn)
            codes = {addr: _reply_text(code, msg) for addr, (code, msg) in exc.recipients.items()}
            first_code = next(iter(exc.recipients.values()))[0]
            raise _classify(first_code, "; ".join(f"{a}: {t}" for a, t in codes.items()), self.where) from None
        except smtplib.SMTPResponseException as exc:
            if conn.payload_sent and not 200 <= exc.smtp_code < 300 and not 400 <= exc.smtp_code < 600:
                self._handed_over = True
                self._drop()
                raise UnknownOutcomeError(
                    f"{self.where}: the server's answer to the message could not be read"
                    f" ({_reply_text(exc.smtp_code, exc.smtp_error)}); it may have been delivered, so it is not"
                    " sent again", reply=_reply_text(exc.smtp_code, exc.smtp_error)) from None
            raise self._refused(conn, exc) from None
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            delivered = self._handed_over = conn.payload_sent
            self._drop()
            why = (f"the message took longer than its deadline of {deadline:g} s" if expired.is_set()
                   else f"connection lost: {exc or type(exc).__name__}")
            if delivered:
                raise UnknownOutcomeError(
                    f"{self.where}: {why} after the message was sent and before the server answered;"
                    " it may have been delivered", reply=str(exc)
                ) from exc
            raise TransientError(f"{self.where}: {why}") from exc
        reply = _reply_text(*conn.data_reply)
        return Delivery(reply=reply, refused={a: _reply_text(c, m) for a, (c, m) in refused.items()})

    def _expire(self, expired: threading.Event) -> None:
        """Cut the connection of a message that went past its deadline; the blocked read then fails at once."""
        expired.set()
        conn = self._conn
        sock = conn.sock if conn is not None else None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _refused(self, conn: smtplib.SMTP, exc: smtplib.SMTPResponseException) -> TransportError:
        """The error for a reply the server gave in words (4xx or 5xx) to a command or to the data."""
        text = _reply_text(exc.smtp_code, exc.smtp_error)
        if exc.smtp_code == 421 or exc.smtp_code == -1:
            self._drop()
        else:
            self._reset(conn)
        return _classify(exc.smtp_code, text, self.where)

    def _reset(self, conn: smtplib.SMTP) -> None:
        try:
            conn.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()
