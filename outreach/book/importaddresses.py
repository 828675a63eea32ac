"""An export's addresses validated with email-validator once per domain, not once per address.

A contacts export holds thousands of addresses at a few dozen domains, and email-validator spends
most of its time on the domain (IDNA, special-use names). For an address whose part before the @ is
plain ASCII (letters, digits, ``_ + -`` and single dots between them), email-validator's answer is
that local part, unchanged, joined to the domain's own answer, provided the whole stays within the
length limit: so the domain's answer, learnt from a first address validated in full, is reused.
Every other address (quoted, non-ASCII, a role name such as ``Postmaster`` that email-validator
lower-cases, a domain not seen yet or invalid, anything near a length limit) goes through
:func:`~outreach.compose.addresses.validate_address` as it is. ``tests/test_import_addresses.py``
checks the two agree on generated addresses.
"""

from __future__ import annotations

import re

from ..compose.addresses import Address, validate_address

__all__ = ["ImportAddresses"]

_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_+\-]+(?:\.[A-Za-z0-9_+\-]+)*")  # a subset of RFC 5322's dot-atom


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


class ImportAddresses:
    """Validates the addresses of one import; answers exactly as :func:`validate_address` does."""

    def __init__(self) -> None:
        from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES, EMAIL_MAX_LENGTH

        self._role_names = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)  # lower-cased by email-validator
        self._max_length = EMAIL_MAX_LENGTH
        # domain as written -> (normalised domain, ASCII domain or None, longest of the three forms in UTF-8 bytes)
        self._domains: dict[str, tuple[str, str | None, int]] = {}

    def __call__(self, text: str) -> Address:
        """The validated address; :class:`~outreach.errors.AddressError` as :func:`validate_address` raises it."""
        if isinstance(text, str) and "\r" not in text and "\n" not in text:
            local, _, domain = text.strip().partition("@")
            known = self._domains.get(domain)
            if known is not None and self._plain(local) and len(local) + 1 + known[2] <= self._max_length:
                normalized, ascii_domain, _ = known
                return Address(normalized=f"{local}@{normalized}",
                               ascii=f"{local}@{ascii_domain}" if ascii_domain else None)
            address = validate_address(text)
            if self._plain(local):
                self._learn(local, domain, address)
            return address
        return validate_address(text)

    def _plain(self, local: str) -> bool:
        return _PLAIN_LOCAL.fullmatch(local) is not None and local.lower() not in self._role_names

    def _learn(self, local: str, domain: str, address: Address) -> None:
        """Remember the domain's answer from an address with a plain local part that email-validator accepted."""
        head = local + "@"
        if not address.normalized.startswith(head) or (address.ascii and not address.ascii.startswith(head)):
            return
        normalized = address.normalized[len(head):]
        ascii_domain = address.ascii[len(head):] if address.ascii else None
        longest = max(_utf8_len(domain), _utf8_len(normalized), _utf8_len(ascii_domain or ""))
        self._domains[domain] = (normalized, ascii_domain, longest)
