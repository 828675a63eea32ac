"""Reading a person's first and last name out of a full name as people write it (pure, no I/O).

"Dr. Ana de la Cruz" is Ana de la Cruz: the title is dropped, the particles belong to the last
name. "Lovelace, Ada" is Ada Lovelace. One word is a first name.
"""

from __future__ import annotations

__all__ = ["first_name", "last_name", "split_name"]

TITLES = frozenset({"dr", "mr", "mrs", "ms", "mx", "miss", "prof", "professor", "sir", "dame", "revd", "rabbi", "imam"})
# Also given names ("Hon", "Gen"): titles only when written with a period.
DOTTED_TITLES = frozenset({"rev", "fr", "hon", "capt", "col", "gen", "lt", "sgt"})
SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "mba", "esq", "cpa", "pe", "rn", "dds", "jd"})
PARTICLES = frozenset({
    "de", "da", "das", "do", "dos", "del", "della", "di", "du", "la", "le", "van", "von", "der", "den", "ter", "ten",
    "bin", "binti", "ibn", "al", "el", "st", "st.", "y", "dal", "zu",
})


def _bare(word: str) -> str:
    return word.strip(".,").casefold()


def split_name(full: str) -> tuple[str, str]:
    """``(first, last)`` from a full name: titles and suffixes dropped, particles kept with the last name."""
    text = " ".join(str(full or "").split())
    if not text:
        return "", ""
    if text.count(",") == 1:
        before, after = (part.strip() for part in text.split(","))
        after_words = after.split()
        if after_words and not all(_bare(w) in SUFFIXES for w in after_words):
            return split_name(f"{after} {before}")
        text = before
    words = text.replace(",", " ").split()
    while len(words) > 1 and _is_title(words[0]):
        words.pop(0)
    while len(words) > 1 and _bare(words[-1]) in SUFFIXES:
        words.pop()
    if not words:
        return "", ""
    if _bare(words[0]) in PARTICLES and len(words) > 1 and words[0][:1].islower():
        return "", " ".join(words)
    if len(words) == 1:
        return words[0], ""
    first, rest = words[0], words[1:]
    while len(rest) > 1 and _is_initial(first) and not _is_initial(rest[0]) and _bare(rest[0]) not in PARTICLES:
        first, rest = rest[0], rest[1:]
    return first, " ".join(rest)


def _is_title(word: str) -> bool:
    return _bare(word) in TITLES or (word.endswith(".") and _bare(word) in DOTTED_TITLES)


def _is_initial(word: str) -> bool:
    return len(word.strip(".")) == 1


def first_name(full: str) -> str:
    """The name to greet someone by: "Dr. Ana de la Cruz" gives "Ana", "Lovelace, Ada" gives "Ada"."""
    return split_name(full)[0]


def last_name(full: str) -> str:
    """The family name with its particles: "Dr. Ana de la Cruz" gives "de la Cruz"."""
    return split_name(full)[1]
