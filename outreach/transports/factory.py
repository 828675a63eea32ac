"""Build the transport a config describes: the outbox for a dry run (or no [smtp]), else SMTP."""

from __future__ import annotations

from collections.abc import Callable

from ..config import Config
from .base import Transport

__all__ = ["transport_from_config"]


def transport_from_config(config: Config, *, password: str | Callable[[], str] | None = None,
                          dry_run: bool = False) -> Transport:
    """The transport for ``config``; ``password`` (or a function giving it) overrides the OS keyring.

    With ``password=None`` and an SMTP username, the password is read from the keyring now, so that a
    missing or locked keyring is reported before any message of a batch is prepared to go out.
    """
    from .file import OutboxTransport

    smtp = config.smtp
    if dry_run or smtp is None:
        return OutboxTransport(config.outbox_dir)
    from .smtp import SmtpTransport

    if callable(password):
        secret = password
    else:
        if password is None:
            from ..credentials import get_password

            password = get_password(smtp.username) if smtp.username else ""
        value = password
        secret = lambda: value  # noqa: E731
    return SmtpTransport(
        smtp.host, smtp.port, security=smtp.security, username=smtp.username, password=secret,
        allow_insecure_auth=smtp.allow_insecure_auth, ca_file=smtp.ca_file, timeout=smtp.timeout,
    )
