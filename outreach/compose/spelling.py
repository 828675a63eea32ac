"""One English per message: the built-in templates are written in US English, and
``[sender] locale = "en-GB"`` switches their wording to British spelling.

Only the template's own words change (the text between Jinja tags), never a contact's data: a
US company's "Program Manager" title stays as it is.
"""

from __future__ import annotations

import re

__all__ = ["DEFAULT_LOCALE", "LOCALES", "localize_source"]

DEFAULT_LOCALE = "en-US"
LOCALES = ("en-US", "en-GB")

US_TO_GB = {
    "favor": "favour", "favors": "favours", "favorite": "favourite", "honored": "honoured", "honor": "honour",
    "program": "programme", "programs": "programmes", "organization": "organisation",
    "organizations": "organisations", "organize": "organise", "organized": "organised", "realize": "realise",
    "realized": "realised", "recognize": "recognise", "apologize": "apologise", "prioritize": "prioritise",
    "specialize": "specialise", "specialized": "specialised", "center": "centre", "color": "colour",
    "behavior": "behaviour", "traveling": "travelling", "analyze": "analyse", "analyzing": "analysing",
    "enroll": "enrol", "fulfill": "fulfil", "practicing": "practising", "mom": "mum",
}
_TAG = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})", re.S)
_WORDS = re.compile(r"\b(" + "|".join(sorted(US_TO_GB, key=len, reverse=True)) + r")\b", re.I)


def _match_case(original: str, replacement: str) -> str:
    if original.isupper():
        return replacement.upper()
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _gb(text: str) -> str:
    return _WORDS.sub(lambda m: _match_case(m.group(0), US_TO_GB[m.group(0).lower()]), text)


def localize_source(source: str, locale: str) -> str:
    """The template source with its own words in ``locale``'s spelling; Jinja tags are left alone."""
    if locale != "en-GB":
        return source
    parts = _TAG.split(source)
    return "".join(part if i % 2 else _gb(part) for i, part in enumerate(parts))
