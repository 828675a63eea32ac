"""Company names as people write them: one key per organisation, compared exactly (no fuzzy match)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["LEGAL_SUFFIXES", "company_key", "same_company"]

# Words that only say what legal form a company has; dropped from the end of a name, repeatedly.
LEGAL_SUFFIXES = frozenset({
    "inc", "incorporated", "corp", "corporation", "co", "company", "llc", "llp", "lp", "ltd", "limited",
    "plc", "gmbh", "ag", "kg", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "ab", "as", "oy", "pty",
    "pte", "kk", "pc", "pllc",
})
_DROPPED = re.compile(r"['’.]")
_SEPARATORS = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=8192)
def company_key(name: str) -> str:
    """The key two spellings of one organisation share: case, accents, punctuation and legal form ignored.

    "Globex", "Globex Inc.", "GLOBEX Corporation" and "Globex, LLC" all give ``globex``; "Globex Bank"
    gives ``globex bank``. A name made only of a legal form keeps it ("Company" stays ``company``).
    """
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _DROPPED.sub("", text.replace("&", " and "))
    words = _SEPARATORS.sub(" ", text).split()
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    if len(words) > 1 and words[-1] == "and":
        words.pop()
    return " ".join(words)


def same_company(company: str, names: Iterable[str]) -> bool:
    """True when ``company`` names the same organisation as one of ``names`` (a target and its aliases)."""
    key = company_key(company)
    return bool(key) and any(key == company_key(n) for n in names)
