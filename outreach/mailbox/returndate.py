"""The date an out-of-office message says its writer is back, in English, German, French or Spanish."""

from __future__ import annotations

import re
from datetime import date

__all__ = ["return_date"]

_MONTH_NAMES = {
    1: ("january", "jan", "januar", "jänner", "janvier", "janv", "enero", "ene"),
    2: ("february", "feb", "februar", "février", "fevrier", "févr", "fevr", "febrero"),
    3: ("march", "mar", "märz", "maerz", "mars", "marzo"),
    4: ("april", "apr", "avril", "avr", "abril", "abr"),
    5: ("may", "mai", "mayo"),
    6: ("june", "jun", "juni", "juin", "junio"),
    7: ("july", "jul", "juli", "juillet", "juil", "julio"),
    8: ("august", "aug", "août", "aout", "agosto", "ago"),
    9: ("september", "sep", "sept", "septembre", "septiembre", "setiembre"),
    10: ("october", "oct", "oktober", "okt", "octobre", "octubre"),
    11: ("november", "nov", "novembre", "noviembre"),
    12: ("december", "dec", "dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic"),
}
_MONTH = {name: number for number, names in _MONTH_NAMES.items() for name in names}
_MONTH_RE = "(" + "|".join(sorted(map(re.escape, _MONTH), key=len, reverse=True)) + r")\.?"
_CUE = (r"\b(?:until|till|til|through|thru|back on|back in the office on|return(?:ing)? on|returns? on|back|after|"
        r"bis(?: zum| einschließlich| einschl\.?)?|ab|zurück am|wieder (?:im büro |erreichbar )?(?:am|ab)|"
        r"jusqu'au|jusqu’au|jusqu'à|au|retour le|de retour le|à partir du|a partir du|dès le|"
        r"hasta(?: el)?|regreso el|volveré el|a partir del|desde el)")
_WEEKDAY = r"(?:[^\W\d_]+\.?,?\s+(?:le\s+|el\s+|den\s+|dem\s+)?)?"  # "Monday, ", "lundi le ", "Montag, den "
_NAMED_DMY = re.compile(_CUE + r"\s+" + _WEEKDAY + r"(\d{1,2})(?:st|nd|rd|th|er|\.|º)?\s+(?:of\s+|de\s+)?" + _MONTH_RE
                        + r"(?:,?\s+(?:de\s+)?(\d{4}))?")
_NAMED_MDY = re.compile(_CUE + r"\s+" + _WEEKDAY + _MONTH_RE + r"\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?")
_ISO = re.compile(_CUE + r"\s+" + _WEEKDAY + r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC = re.compile(_CUE + r"\s+" + _WEEKDAY + r"(\d{1,2})([./-])(\d{1,2})(?:\2(\d{4}|\d{2}))?\b")


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _with_year(month: int, day: int, year: int | None, today: date) -> date | None:
    if year is not None:
        return _safe(year, month, day)
    found = _safe(today.year, month, day)
    if found is not None and found < today:
        found = _safe(today.year + 1, month, day)
    return found


def _numeric(first: int, sep: str, second: int, year_text: str | None, today: date) -> date | None | str:
    """A numeric date: the one reading that lies ahead; ``"ambiguous"`` when both do and differ."""
    year = None if not year_text else int(year_text) + (2000 if len(year_text) == 2 else 0)
    readings = {_with_year(second, first, year, today)}
    if sep == "/":
        readings.add(_with_year(first, second, year, today))
    ahead = {d for d in readings if d is not None and d >= today}
    if len(ahead) > 1:
        return "ambiguous"
    return ahead.pop() if ahead else None


def return_date(text: str, today: date) -> date | None:
    """The latest date after a cue ("until", "bis", "jusqu'au", "hasta"...) that lies ahead; None rather than guess."""
    lowered = " ".join(text.lower().split())
    found: list[date] = []
    for m in _ISO.finditer(lowered):
        d = _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        found += [d] if d else []
    for m in _NAMED_DMY.finditer(lowered):
        d = _with_year(_MONTH[m.group(2)], int(m.group(1)), int(m.group(3)) if m.group(3) else None, today)
        found += [d] if d else []
    for m in _NAMED_MDY.finditer(lowered):
        d = _with_year(_MONTH[m.group(1)], int(m.group(2)), int(m.group(3)) if m.group(3) else None, today)
        found += [d] if d else []
    for m in _NUMERIC.finditer(lowered):
        if m.group(2) == "-" and not m.group(4):
            continue
        read = _numeric(int(m.group(1)), m.group(2), int(m.group(3)), m.group(4), today)
        if read == "ambiguous":
            return None
        found += [read] if isinstance(read, date) else []
    ahead = [d for d in found if d >= today]
    return max(ahead) if ahead else None
