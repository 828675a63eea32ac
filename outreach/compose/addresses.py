"""Validate and normalise email addresses as email-validator does (no DNS look-up unless asked)."""

from __future__ import annotations

import sys
from functools import lru_cache

from ..errors import AddressError
from ..record import record
from .plainaddress import EMAIL_MAX_LENGTH, plain_domain, plain_local

__all__ = ["Address", "address_key", "validate_address"]

_LIST_SEPARATORS = (",", ";")


@record
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
    if not check_deliverability:
        known = _known(address)
        if known is not None:
            return known
    return _validate(address, check_deliverability)


def _known(address: str) -> Address | None:
    """The address from its domain's learnt answer, before the cache: an import's thousands of addresses miss it."""
    if "\r" in address or "\n" in address or "," in address or ";" in address:  # _validate says what is wrong
        return None
    local, at, domain = address.strip().partition("@")
    if not at or "@" in domain:
        return None
    return _shortcut(local, domain)


def address_key(address: str) -> str | None:
    """The key contacts are matched by, or None for an address that is not valid (its batch reports it)."""
    try:
        return validate_address(address).key
    except AddressError:
        return None


@lru_cache(maxsize=1024)
def _validate(address: str, check_deliverability: bool) -> Address:
    if not isinstance(address, str) or not address.strip():
        raise AddressError("the address is empty")
    if "\r" in address or "\n" in address:
        raise AddressError(f"{address!r} contains a line break")
    text = address.strip()
    if any(sep in text for sep in _LIST_SEPARATORS) or text.count("@") > 1:
        raise AddressError(f"{text!r} looks like several addresses in one field; give one address per recipient")
    if check_deliverability:
        return _validate_fully(text, check_deliverability)
    local, _, domain = text.partition("@")
    known = _shortcut(local, domain)
    if known is not None:
        return known
    found = _validate_fully(text, check_deliverability)
    _learn(local, domain, found)
    return found


def _validate_fully(text: str, check_deliverability: bool) -> Address:
    """email-validator's answer for ``text`` (one address, already stripped)."""
    import email_validator

    try:
        valid = email_validator.validate_email(
            text, check_deliverability=check_deliverability, allow_smtputf8=True
        )
    except email_validator.EmailNotValidError as exc:
        raise AddressError(f"{text!r} is not a valid address: {exc}") from exc
    return Address(normalized=valid.normalized, ascii=valid.ascii_email)


# email-validator once per domain, not once per address (an import or a batch holds thousands of addresses at a
# few dozen domains), and not at all for a plain ASCII address (``plainaddress.py``): for a part before the @
# that is a plain ASCII dot-atom, its answer is that part (role names such as ``Postmaster`` lower-cased)
# joined to the domain's own answer, within the length limit. A plain host name's answer is worked out here;
# another domain's is learnt from email-validator's answer for its first address.
# tests/test_plain_address.py and tests/test_import_addresses.py hold this to email-validator.
# domain as written -> (normalised domain, ASCII domain or None, longest of the three forms in UTF-8 bytes)
_DOMAINS: dict[str, tuple[str, str | None, int]] = {}


def _by_hand() -> bool:
    """True while email-validator is not loaded; once it is, it answers for each new domain.

    A program that loaded it may have changed its settings (``SPECIAL_USE_DOMAIN_NAMES`` and the
    like, as it allows), which the hand-made answer knows nothing of.
    """
    return "email_validator" not in sys.modules


def _shortcut(local: str, domain: str) -> Address | None:
    """The address from its domain's known answer, or None when that does not apply."""
    known = _DOMAINS.get(domain)
    if known is None:
        host = plain_domain(domain) if _by_hand() else None
        if host is None:
            return None
        known = (host, host, len(host))
        if len(_DOMAINS) < 4096:
            _DOMAINS[domain] = known
    plain = plain_local(local)
    if plain is None or len(plain) + 1 + known[2] > EMAIL_MAX_LENGTH:
        return None
    normalized, ascii_domain, _ = known
    return Address(normalized=f"{plain}@{normalized}", ascii=f"{plain}@{ascii_domain}" if ascii_domain else None)


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _learn(local: str, domain: str, address: Address) -> None:
    """Remember the domain's answer from an address with a plain local part that email-validator accepted."""
    plain = plain_local(local)
    head = f"{plain}@"
    if plain is None or not address.normalized.startswith(head) or (
            address.ascii and not address.ascii.startswith(head)):
        return
    normalized = address.normalized[len(head):]
    ascii_domain = address.ascii[len(head):] if address.ascii else None
    longest = max(_utf8_len(domain), _utf8_len(normalized), _utf8_len(ascii_domain or ""))
    if len(_DOMAINS) < 4096:
        _DOMAINS[domain] = (normalized, ascii_domain, longest)
