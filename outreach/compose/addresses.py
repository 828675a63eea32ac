"""Validate and normalise email addresses with email-validator (no DNS look-up unless asked)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..errors import AddressError

__all__ = ["Address", "validate_address"]

_LIST_SEPARATORS = (",", ";")


@dataclass(frozen=True)
class Address:
    """A validated address: ``normalized`` for display and matching, ``ascii`` for the envelope.

    ``ascii`` is None when the local part is not ASCII: such an address can only be sent to a
    server that offers SMTPUTF8.
    """

    normalized: str
    ascii: str | None

    @property
    def needs_smtputf8(self) -> bool:
        """True when the address cannot be written in ASCII."""
        return self.ascii is None

    @property
    def key(self) -> str:
        """The form used to match contacts: lower case, domain in ASCII where possible."""
        return (self.ascii or self.normalized).lower()

    @property
    def envelope(self) -> str:
        """The form to use in SMTP commands and headers: ASCII where possible."""
        return self.ascii or self.normalized


def validate_address(address: str, *, check_deliverability: bool = False) -> Address:
    """Check one address; raise :class:`AddressError` saying what is wrong with it.

    Results are remembered, so that checking a batch and then building its messages validates
    each address once.
    """
    if not isinstance(address, str):
        raise AddressError("the address is empty")
    return _validate(address, check_deliverability)


@lru_cache(maxsize=1024)
def _validate(address: str, check_deliverability: bool) -> Address:
    if not isinstance(address, str) or not address.strip():
        raise AddressError("the address is empty")
    if "\r" in address or "\n" in address:
        raise AddressError(f"{address!r} contains a line break")
    text = address.strip()
    if any(sep in text for sep in _LIST_SEPARATORS) or text.count("@") > 1:
        raise AddressError(f"{text!r} looks like several addresses in one field; give one address per recipient")
    import email_validator

    try:
        valid = email_validator.validate_email(
            text, check_deliverability=check_deliverability, allow_smtputf8=True
        )
    except email_validator.EmailNotValidError as exc:
        raise AddressError(f"{text!r} is not a valid address: {exc}") from exc
    return Address(normalized=valid.normalized, ascii=valid.ascii_email)
