"""The exception tree of outreach.

Every error the library raises on purpose derives from :class:`OutreachError`::

    OutreachError
    ├── ConfigError            the config file is missing, unreadable or wrong
    ├── TemplateError          a template is missing, malformed, or needs a variable not given
    ├── AddressError           an address is invalid, a list in one field, or blocked
    ├── HeaderError            a header value carries CR/LF (raw or RFC 2047-encoded)
    ├── AttachmentError        an attachment is missing or unreadable
    ├── ImportFormatError      a contacts file cannot be read at all (binary, not UTF-8, no header)
    ├── ContactError           no such contact, or a contact book change that cannot be made
    ├── TargetError            no such target or event, a name two targets would share, an unreadable calendar
    ├── ValidationError        a whole batch failed validation; ``.problems`` lists every one
    ├── CredentialsError       no keyring backend, no stored password, or a locked keyring
    ├── StoreError             the SQLite store cannot be opened or written
    └── TransportError         sending failed
        ├── TransientError     4xx or a connection failure before the data was sent: retry later
        │   └── ConnectError   the server cannot be reached at all
        ├── PermanentError     5xx: the server refused the message for good
        ├── AuthError          the server refused the login (535) or needs TLS first
        └── UnknownOutcomeError the connection was lost after the data was sent

Foreign exceptions are translated at the module boundary with ``raise ... from exc``.
"""

from __future__ import annotations

__all__ = [
    "AddressError",
    "AttachmentError",
    "AuthError",
    "ConfigError",
    "ConnectError",
    "CredentialsError",
    "ContactError",
    "HeaderError",
    "ImportFormatError",
    "OutreachError",
    "PermanentError",
    "Problem",
    "StoreError",
    "TargetError",
    "TemplateError",
    "TransientError",
    "TransportError",
    "UnknownOutcomeError",
    "ValidationError",
]


class OutreachError(Exception):
    """Root of every error outreach raises on purpose.

    ``str(error)`` is the plain message, written for any program; ``hint`` says what to do next in
    the words of the command line (the CLI prints it; a host program may show or drop it).
    """

    def __init__(self, message: str = "", *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ConfigError(OutreachError):
    """The configuration is missing, unreadable or invalid."""


class TemplateError(OutreachError):
    """A template is missing, malformed, or cannot be rendered with the data given."""


class AddressError(OutreachError):
    """An email address is invalid, holds several addresses, or is blocked."""


class HeaderError(OutreachError):
    """A header value would carry a line break into the message."""


class AttachmentError(OutreachError):
    """An attachment file is missing or unreadable."""


class ImportFormatError(OutreachError):
    """A contacts file cannot be read at all: binary, not UTF-8, or missing its header."""


class ContactError(OutreachError):
    """No such contact, or a change to the contact book that cannot be made."""


class TargetError(OutreachError):
    """No such target or event, a name two targets would share, or a calendar that cannot be read."""


class CredentialsError(OutreachError):
    """The SMTP password cannot be read from, or written to, the OS keyring."""


class StoreError(OutreachError):
    """The local SQLite store cannot be opened, migrated or written."""


class TransportError(OutreachError):
    """Sending a message failed; ``code`` and ``reply`` carry the server's answer if any."""

    def __init__(self, message: str, *, code: int | None = None, reply: str | None = None, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.code = code
        self.reply = reply


class TransientError(TransportError):
    """A temporary failure (4xx, or the connection failed before the data went out)."""


class ConnectError(TransientError):
    """The server could not be reached or the connection could not be set up."""


class PermanentError(TransportError):
    """The server refused the message for good (5xx)."""


class AuthError(TransportError):
    """The server refused the login, or would have received the password in clear text."""


class UnknownOutcomeError(TransportError):
    """The connection was lost after the message data was sent: the server may have it."""


class Problem:
    """One thing wrong with one message of a batch, found before anything was sent.

    ``where`` names the message (``--to ada@example.com``, ``people.csv:4``); ``contact`` is the
    address concerned, when there is one; ``hint`` says what to do next.
    """

    __slots__ = ("contact", "hint", "message", "where")

    def __init__(self, where: str, message: str, *, contact: str = "", hint: str = "") -> None:
        self.where = where
        self.message = message
        self.contact = contact
        self.hint = hint

    def as_json(self) -> dict[str, str]:
        """A JSON-ready dict: where (the line or option), contact, message and hint."""
        return {"line": self.where, "contact": self.contact, "message": self.message, "hint": self.hint}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and (self.where, self.message) == (other.where, other.message)

    def __hash__(self) -> int:
        return hash((self.where, self.message))

    def __repr__(self) -> str:
        return f"Problem({self.where!r}, {self.message!r})"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ValidationError(OutreachError):
    """A batch failed validation; nothing was sent. ``problems`` lists every issue found."""

    def __init__(self, problems: list[Problem], *, hint: str = "") -> None:
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  {p}" + (f" ({p.hint})" if p.hint else "") for p in self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{count} {noun} found; nothing was sent:\n{lines}", hint=hint)
