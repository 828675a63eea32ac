"""Jinja filters that make sentences come out right, for the built-in templates and the user's own.

=================  =============================================  ===============================
filter             what it does                                   example
=================  =============================================  ===============================
``a``              the indefinite article, by sound               ``{{ position | a }}`` gives
                                                                  "an MBA candidate"
``sentence_end``   ends a sentence once: no "Inc.." doubled       ``{{ company | sentence_end }}``
``join_and``       "A", "A and B", "A, B and C"                   ``{{ people | join_and }}``
``first_name``     the given name out of a full name              ``{{ "Dr. Ana de la Cruz" |
                                                                  first_name }}`` gives "Ana"
``the``            "the" before a name, unless it starts with an  ``at {{ event | the }}`` gives
                   article or a possessive                        "at the Winter Career Fair"
``without_the``    the name without a leading "the"               "the State University" gives
                                                                  "State University"
``capfirst``       a capital first letter for a lower-case        "kai kim" gives "Kai kim";
                   first word ("iOS" stays)                       "iOS Club" stays
=================  =============================================  ===============================

Every filter keeps HTML escaping right: an escaped value stays escaped, a plain one is escaped by
the template as usual. None does I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from .. import names

__all__ = ["FILTERS", "a", "capfirst", "first_name", "indefinite_article", "join_and", "sentence_end", "the",
           "without_the"]

# Spelled-out acronyms whose first letter sounds like a vowel: "an MBA", "an SQL", "an FBI agent".
_VOWEL_LETTERS = frozenset("AEFHILMNORSX")
# Acronyms read as words, not letter by letter.
_SPOKEN_ACRONYMS = frozenset({"NASA", "NATO", "UNICEF", "UNESCO", "FIFA", "OPEC", "UNIX", "URL", "USB", "UCLA",
                              "UEFA", "IKEA", "AIDS", "ASCII"})
_YOU_SOUND = re.compile(r"^(uni(?!n)|use|usa|usu|uti|ubiq|ure|uro|eu|ewe|one\b|once\b|ukr|uga|uk\b)", re.I)
_SILENT_H = re.compile(r"^(hour|honest|honou?r|heir|herb)", re.I)
_WORD = re.compile(r"[\w'’.-]+", re.UNICODE)
_CLOSERS = "\"'”’)]»"
_ENDS = (".", "!", "?", "…")


def indefinite_article(phrase: str) -> str:
    """``"a"`` or ``"an"`` for a phrase, by how its first word sounds; ``""`` for an empty phrase."""
    match = _WORD.search(str(phrase or ""))
    if not match:
        return ""
    word = match.group(0).strip("'’.-")
    if not word:
        return ""
    if word[0].isdigit():
        digits = re.match(r"[\d,]+", word)
        number = (digits.group(0) if digits else word).replace(",", "")
        spoken_an = number.startswith("8") or (number[:2] in ("11", "18") and len(number) % 3 == 2)
        return "an" if spoken_an else "a"
    head = re.split(r"[-'’.]", word)[0] or word
    if len(head) > 1 and head.isupper() and head.isalpha() and head not in _SPOKEN_ACRONYMS:
        return "an" if head[0] in _VOWEL_LETTERS else "a"
    if len(head) == 1 and head.isalpha() and (len(word) == 1 or not word[1].isalpha()):
        return "an" if head.upper() in _VOWEL_LETTERS else "a"
    if _SILENT_H.match(word):
        return "an"
    if _YOU_SOUND.match(word):
        return "a"
    return "an" if word[0].lower() in "aeiou" else "a"


def _keep_markup(value: Any, text: str) -> Any:
    """``text`` as the same kind of string as ``value``: escaped stays escaped."""
    if hasattr(value, "__html__"):
        return type(value)(text)
    return text


def a(phrase: Any) -> Any:
    """The phrase with its indefinite article: "a Data Analyst", "an Engineer", "a UX designer"."""
    text = str(phrase if phrase is not None else "").strip()
    article = indefinite_article(text)
    if not article:
        return _keep_markup(phrase, text)
    return _keep_markup(phrase, f"{article} {text}")


def sentence_end(text: Any, mark: str = ".") -> Any:
    """The text ending a sentence exactly once: "Acme, Inc." stays, "Globex" becomes "Globex."."""
    body = str(text if text is not None else "").rstrip()
    if not body:
        return _keep_markup(text, body)
    core = body.rstrip(_CLOSERS)
    if core.endswith(_ENDS):
        return _keep_markup(text, body)
    if core.endswith((",", ";", ":")) and core == body:
        body = body.rstrip(",;:").rstrip()
    return _keep_markup(text, body + mark)


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        parts: Iterable[Any] = re.split(r"\s*(?:;|\n)\s*", value)
    elif isinstance(value, Iterable):
        parts = value
    else:
        parts = [value]
    return [p for p in parts if str(p).strip()]


def join_and(value: Any, word: str = "and") -> Any:
    """A list as a phrase: "A", "A and B", "A, B and C"; a string is split on ";" or new lines."""
    items = [str(p).strip() for p in _items(value)]
    if len(items) <= 1:
        text = items[0] if items else ""
    else:
        text = f"{', '.join(items[:-1])} {word} {items[-1]}"
    if hasattr(value, "__html__"):
        return type(value)(text)
    return text


def first_name(full: Any) -> Any:
    """The given name from a full name: "Dr. Ana de la Cruz" gives "Ana", "Lovelace, Ada" gives "Ada"."""
    return _keep_markup(full, names.first_name(str(full if full is not None else "")))


# Words that already determine a name: "the Fall Fair", "our Alumni Mixer", "Google's Career Day".
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "our", "my", "your", "their", "his",
                          "her", "its", "every", "each"})
_LEADING_THE = re.compile(r"^\s*the\s+", re.I)


def _determined(text: str) -> bool:
    """True when ``text`` starts with an article, a determiner or a possessive ("Google's ...")."""
    first = text.split(maxsplit=1)[0] if text.split() else ""
    return first.casefold() in _DETERMINERS or bool(re.search(r"\w['’]s?$", first))


def the(name: Any) -> Any:
    """The name with "the" before it, unless it has an article or possessive: "the Fall Fair", "Google's Day"."""
    text = str(name if name is not None else "").strip()
    if not text or _determined(text):
        return _keep_markup(name, text)
    return _keep_markup(name, f"the {text}")


def without_the(name: Any) -> Any:
    """The name without a leading "the", for where a template puts its own: "the State University" -> "State University"."""
    text = str(name if name is not None else "").strip()
    bare = _LEADING_THE.sub("", text)
    return _keep_markup(name, bare or text)


def capfirst(text: Any) -> Any:
    """The text with a capital first letter when its first word is all lower case ("iOS Club" is left alone)."""
    body = str(text if text is not None else "")
    match = re.search(r"[^\W\d_][\w'’-]*", body)
    if match is None or not match.group(0).islower() or match.start() != len(body) - len(body.lstrip()):
        return _keep_markup(text, body)
    i = match.start()
    return _keep_markup(text, body[:i] + body[i].upper() + body[i + 1:])


FILTERS: dict[str, Callable[..., Any]] = {
    "the": the,
    "without_the": without_the,
    "capfirst": capfirst,
    "a": a,
    "sentence_end": sentence_end,
    "join_and": join_and,
    "first_name": first_name,
}
