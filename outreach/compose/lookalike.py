"""Addresses built to look like others: mixed scripts (``exаmple.com`` with a Cyrillic а), full-width
letters, and ``%``/``!`` source routes that hand the message on to another host."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["lookalike_reason"]

# Scripts that are written together (Unicode TS 39, "highly restrictive"), each possibly with Latin.
_TOGETHER = ({"HAN", "HIRAGANA", "KATAKANA"}, {"HAN", "BOPOMOFO"}, {"HAN", "HANGUL"})
_ALIASES = {"CJK": "HAN"}


def _script(char: str) -> str | None:
    """The script of a letter (LATIN, CYRILLIC, GREEK, HAN, ...); None for digits, marks and punctuation."""
    if not unicodedata.category(char).startswith("L"):
        return None
    word = unicodedata.name(char, "UNKNOWN").split()[0]
    if word in ("FULLWIDTH", "HALFWIDTH"):
        return "FULLWIDTH"
    return _ALIASES.get(word, word)


def _mixed(text: str) -> set[str] | None:
    scripts = {s for s in map(_script, text) if s}
    if len(scripts) <= 1:
        return None
    rest = scripts - {"LATIN"}
    if any(rest <= group for group in _TOGETHER):
        return None
    return scripts


@lru_cache(maxsize=1024)
def lookalike_reason(address: str) -> str | None:
    """Why ``address`` may imitate another one, or None when it looks like what it is."""
    local, _, domain = address.rpartition("@")
    if "%" in local or "!" in local:
        return "its local part holds '%' or '!', which hands the message on to another host"
    if address.isascii():  # ASCII has no full-width forms, NFKC leaves it as it is, and its only letters are Latin
        return None
    for part, text in (("local part", local), ("domain", domain)):
        if any(0xFF00 <= ord(c) <= 0xFFEF for c in text) or unicodedata.normalize("NFKC", text) != text:
            return f"its {part} uses full-width or other look-alike forms of letters"
    labels = [("local part", local), *(("domain", label) for label in domain.split("."))]
    for part, text in labels:
        scripts = _mixed(text)
        if scripts:
            return f"its {part} mixes {' and '.join(sorted(s.title() for s in scripts))} letters"
    return None
