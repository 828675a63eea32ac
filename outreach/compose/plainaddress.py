"""email-validator's answer for a plain ASCII address, worked out without importing email-validator.

Importing email-validator compiles its patterns, which took about a quarter of a one-message
``outreach send`` (issue 16). For the addresses nearly everyone has (ASCII letters, digits and
``!#$%&'*+-/=?^_`{|}~`` with single dots between them before the @, an ASCII host name after it)
its answer is simple: the part before the @ as written (lower-cased for the RFC 2142 role names it
lower-cases), the domain lower-cased, within its length limits, no special-use domain. These
functions give that answer, and None for anything else or anything they are not sure of, which
then goes to email-validator. ``tests/test_plain_address.py`` holds them to email-validator on
generated addresses and checks that the constants below are its own.
"""

from __future__ import annotations

__all__ = ["EMAIL_MAX_LENGTH", "ROLE_NAMES", "SPECIAL_USE_DOMAINS", "plain_domain", "plain_local"]

EMAIL_MAX_LENGTH = 254  # email_validator.rfc_constants.EMAIL_MAX_LENGTH
_LOCAL_MAX = 64  # its LOCAL_PART_MAX_LENGTH: only checked in its strict mode; longer ones go to it
_DOMAIN_MAX = 253  # its DOMAIN_MAX_LENGTH
_LABEL_MAX = 63  # its DNS_LABEL_LENGTH_LIMIT
# email_validator.rfc_constants.CASE_INSENSITIVE_MAILBOX_NAMES: lower-cased by email-validator
ROLE_NAMES = frozenset({"info", "marketing", "sales", "support", "abuse", "noc", "security", "postmaster",
                        "hostmaster", "usenet", "news", "webmaster", "www", "uucp", "ftp"})
# email_validator.SPECIAL_USE_DOMAIN_NAMES: refused, and so are their subdomains
SPECIAL_USE_DOMAINS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ATEXT = frozenset(_LETTERS + "0123456789!#$%&'*+-/=?^_`{|}~.")  # RFC 5322 atext, and the dot
_HOST = frozenset(_LETTERS + "0123456789-.")


def plain_local(local: str) -> str | None:
    """The part before the @ as email-validator normalises it, for a plain ASCII dot-atom; else None."""
    if not 0 < len(local) <= _LOCAL_MAX or not _ATEXT.issuperset(local):
        return None
    if local[0] == "." or local[-1] == "." or ".." in local:
        return None
    lowered = local.lower()
    return lowered if lowered in ROLE_NAMES else local


def plain_domain(domain: str) -> str | None:
    """The domain as email-validator normalises it (lower case), for a plain ASCII host name; else None.

    Plain: labels of ASCII letters, digits and inner hyphens, none longer than 63, at least two, the
    last ending with a letter and not a special-use name; no label with ``--`` as its third and fourth
    characters (Punycode ``xn--`` and the reserved forms go to email-validator).
    """
    if not 0 < len(domain) <= _DOMAIN_MAX or not _HOST.issuperset(domain):
        return None
    lowered = domain.lower()
    labels = lowered.split(".")
    if len(labels) < 2 or not lowered[-1].isalpha() or labels[-1] in SPECIAL_USE_DOMAINS:
        return None
    for label in labels:
        if not label or len(label) > _LABEL_MAX or label[0] == "-" or label[-1] == "-" or label[2:4] == "--":
            return None
    return lowered
