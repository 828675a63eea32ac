"""The user's mailbox over IMAP, through IMAPClient; the only module that imports it.

IMAPClient parses IMAP responses (FETCH, SEARCH, LIST with special-use flags, SELECT's
UIDVALIDITY) into Python values; doing that by hand over imaplib is where mistakes live.
"""

from __future__ import annotations

import ssl
from functools import partial
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

from ..config import Config, ImapConfig
from ..errors import AuthError, ConfigError, ConnectError, TransportError

__all__ = ["Mailbox", "mailbox_from_config"]

_SENT = b"\\Sent"


class Mailbox:
    """One IMAP connection: opened, secured (TLS verified) and logged in on ``open``."""

    def __init__(self, config: ImapConfig, password: Callable[[], str]) -> None:
        self.config = config
        self._password = password
        self._client: Any = None
        self._sent: str | None = None

    @property
    def where(self) -> str:
        """``host:port``, for messages."""
        return f"{self.config.host}:{self.config.port}"

    def open(self) -> None:
        """Connect and log in."""
        import imapclient
        from imapclient.exceptions import IMAPClientError, LoginError

        cfg = self.config
        try:
            context = ssl.create_default_context(cafile=str(cfg.ca_file) if cfg.ca_file else None)
            client = imapclient.IMAPClient(cfg.host, port=cfg.port, ssl=cfg.security == "ssl", ssl_context=context,
                                           timeout=cfg.timeout)
            self._client = client
            if cfg.security == "starttls":
                client.starttls(context)
            elif cfg.security == "none" and not cfg.allow_insecure_auth:
                raise AuthError(f"{self.where}: refusing to send the password without TLS; use security = \"ssl\""
                                " or \"starttls\", or set allow_insecure_auth = true for a trusted local server")
            client.login(cfg.username, self._password())
        except LoginError:
            self.close()
            raise AuthError(f"{self.where} refused the login for {cfg.username!r}; check the username, or store"
                            " the right password with `outreach login --imap`") from None
        except ssl.SSLCertVerificationError as exc:
            self.close()
            raise TransportError(f"{self.where}: the server's certificate could not be verified"
                                 f" ({exc.verify_message}); set ca_file in [imap] for a private CA") from exc
        except (OSError, IMAPClientError) as exc:
            self.close()
            raise ConnectError(f"cannot connect to IMAP server {self.where}: {exc}") from exc

    def close(self) -> None:
        """Log out; errors on the way out are ignored."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.logout()
        except Exception:  # the connection may already be gone; nothing is lost by ignoring it
            try:
                client.shutdown()
            except Exception:  # noqa: S110 - closing a dead socket, best effort
                pass

    def __enter__(self) -> Mailbox:
        self.open()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _call(self, what: str, fn: Callable[[], Any]) -> Any:
        from imapclient.exceptions import IMAPClientError

        if self._client is None:
            self.open()
        try:
            return fn()
        except (OSError, IMAPClientError) as exc:
            raise TransportError(f"{self.where}: {what} failed: {exc}") from exc

    def select(self, folder: str) -> tuple[int, int]:
        """Open ``folder`` read-only; return its UIDVALIDITY and UIDNEXT."""
        info = self._call(f"selecting {folder}", lambda: self._client.select_folder(folder, readonly=True))
        return int(info[b"UIDVALIDITY"]), int(info.get(b"UIDNEXT", 0))

    def search(self, criteria: list[Any]) -> set[int]:
        """UIDs in the selected folder matching ``criteria`` (IMAP SEARCH, run by the server).

        Criteria with non-ASCII text (an internationalised address) are sent with ``CHARSET UTF-8``.
        """
        wide = any(isinstance(c, str) and not c.isascii() for c in criteria)
        return set(self._call("searching", lambda: self._client.search(criteria, "UTF-8" if wide else None)))

    def fetch(self, uids: Iterable[int], chunk: int = 50) -> dict[int, bytes]:
        """The full bytes of each message, without setting \\Seen."""
        uids = sorted(uids)
        out: dict[int, bytes] = {}
        for start in range(0, len(uids), chunk):
            part = uids[start:start + chunk]
            got: dict[int, dict[bytes, Any]] = self._call("fetching", partial(self._client.fetch, part, ["BODY.PEEK[]"]))
            out.update({uid: data[b"BODY[]"] for uid, data in got.items() if b"BODY[]" in data})
        return out

    def sent_folder(self) -> str:
        """The Sent folder: ``sent_folder`` from the config, else the one flagged \\Sent."""
        if self._sent is None:
            found = self.config.sent_folder or self._call(
                "finding the Sent folder", lambda: self._client.find_special_folder(_SENT))
            if not found:
                raise TransportError(f"{self.where}: no folder is flagged \\Sent; set sent_folder in [imap]")
            self._sent = found
        return self._sent

    def append_sent(self, data: bytes) -> None:
        """Put an exact copy of a sent message in the Sent folder, marked as read."""
        folder = self.sent_folder()
        self._call(f"saving to {folder}", lambda: self._client.append(folder, data, flags=[b"\\Seen"]))

    def append(self, folder: str, data: bytes) -> None:
        """Put a message into ``folder`` (for tests and imports)."""
        self._call(f"appending to {folder}", lambda: self._client.append(folder, data))


def mailbox_from_config(config: Config, password: str | Callable[[], str] | None = None) -> Mailbox:
    """The configured ``[imap]`` mailbox; the password is read from the keyring now unless given."""
    if config.imap is None:
        raise ConfigError("no [imap] section in the config", hint="see README.md, Reply detection")
    if callable(password):
        return Mailbox(config.imap, password)
    if password is None:
        from ..credentials import get_imap_password

        password = get_imap_password(config.imap.username)
    value = password
    return Mailbox(config.imap, lambda: value)
