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
# Letters that Unicode does not decompose into a base letter and an accent, written the ASCII way.
_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})
_DROPPED = re.compile(r"['’./]")
_SEPARATORS = re.compile(r"[\W_]+")


@lru_cache(maxsize=8192)
def company_key(name: str) -> str:
    """The key two spellings of one organisation share: case, accents, punctuation and legal form ignored.

    Words are runs of letters and digits in any script; "&" reads "and"; apostrophes, dots and
    slashes join ("L.L.C." is ``llc``); a leading "The" and trailing legal forms are dropped.

    "Globex", "Globex Inc.", "GLOBEX Corporation" and "Globex, LLC" all give ``globex``; "Globex Bank"
    gives ``globex bank``. A name made only of a legal form keeps it ("Company" stays ``company``).
    """
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", name).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_LETTERS)
    text = _DROPPED.sub("", text.replace("&", " and "))
    words = _SEPARATORS.sub(" ", text).split()
    while len(words) > 1 and words[0] == "the":
        words.pop(0)
    while len(words) > 1 and (words[-1] in LEGAL_SUFFIXES or words[-1] == "and"):
        words.pop()
    return " ".join(words)


def same_company(company: str, names: Iterable[str]) -> bool:
    """True when ``company`` names the same organisation as one of ``names`` (a target and its aliases)."""
    key = company_key(company)
    return bool(key) and any(key == company_key(n) for n in names)
