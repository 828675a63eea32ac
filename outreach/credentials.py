"""The SMTP password in the OS keyring (service ``outreach``, key = SMTP username). The only keyring user."""

from __future__ import annotations

from .errors import CredentialsError

__all__ = ["SERVICE", "delete_password", "get_imap_password", "get_password", "imap_key", "plain_text_backend",
           "set_password"]

SERVICE = "outreach"

_NO_BACKEND = (
    "no OS keyring is available here ({detail}). On a desktop, unlock or install your system keyring"
    " (GNOME Keyring, KWallet, macOS Keychain, Windows Credential Locker). On a headless machine,"
    " `pip install keyrings.alt` gives a file-based keyring (its PlaintextKeyring keeps the password"
    " readable in a file; protect that file), then run `outreach login` again."
)
# Backends known to keep passwords unencrypted on disk; a backend may also say so itself.
_PLAIN_TEXT = {"keyrings.alt.file.PlaintextKeyring"}


def _translate(exc: Exception, action: str) -> CredentialsError:
    from keyring.errors import InitError, KeyringLocked, NoKeyringError

    if isinstance(exc, NoKeyringError):
        return CredentialsError(_NO_BACKEND.format(detail=type(exc).__name__))
    if isinstance(exc, KeyringLocked):
        return CredentialsError(f"the OS keyring is locked; unlock it and try again ({action})")
    if isinstance(exc, InitError):
        return CredentialsError(_NO_BACKEND.format(detail="the keyring backend failed to start"))
    return CredentialsError(f"the OS keyring failed while trying to {action}: {type(exc).__name__}")


def get_password(username: str) -> str:
    """The stored SMTP password for ``username``; a clear error says what to do when there is none."""
    import keyring
    from keyring.errors import KeyringError

    try:
        password = keyring.get_password(SERVICE, username)
    except (KeyringError, RuntimeError) as exc:
        raise _translate(exc, "read the SMTP password") from exc
    if password is None:
        raise CredentialsError(
            f"no password stored for {username!r}; run `outreach login` to store it in the OS keyring"
        )
    return password


def imap_key(username: str) -> str:
    """The keyring key of an IMAP password, kept apart from the SMTP one of the same username."""
    return f"imap:{username}"


def get_imap_password(username: str) -> str:
    """The IMAP password: its own entry if ``outreach login --imap`` stored one, else the SMTP one."""
    try:
        return get_password(imap_key(username))
    except CredentialsError as exc:
        if "no password stored" not in str(exc):
            raise
    try:
        return get_password(username)
    except CredentialsError as exc:
        if "no password stored" not in str(exc):
            raise
    raise CredentialsError(f"no IMAP password stored for {username!r}; run `outreach login --imap`")


def set_password(username: str, password: str) -> None:
    """Store the SMTP password for ``username`` in the OS keyring."""
    import keyring
    from keyring.errors import KeyringError

    if not password:
        raise CredentialsError("the password is empty; nothing was stored")
    try:
        keyring.set_password(SERVICE, username, password)
    except (KeyringError, RuntimeError) as exc:
        raise _translate(exc, "store the SMTP password") from None


def delete_password(username: str) -> bool:
    """Remove the stored password; False if there was none."""
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        keyring.delete_password(SERVICE, username)
    except PasswordDeleteError:
        return False
    except (KeyringError, RuntimeError) as exc:
        raise _translate(exc, "remove the SMTP password") from exc
    return True


def plain_text_backend() -> str | None:
    """A description of the keyring backend when it stores passwords in plain text, else None."""
    import keyring
    from keyring.errors import KeyringError

    try:
        active = keyring.get_keyring()
    except (KeyringError, RuntimeError):  # reported when a password is used
        return None
    for backend in getattr(active, "backends", None) or [active]:
        cls = type(backend)
        name = f"{cls.__module__}.{cls.__qualname__}"
        if getattr(backend, "stores_plain_text", False) or name in _PLAIN_TEXT or "plaintext" in name.lower():
            where = getattr(backend, "file_path", None)
            return f"{cls.__name__} ({where})" if where else cls.__name__
    return None
