"""vCard 2.1, 3.0 and 4.0 files as phones and mail programs write them, read line by line.

What exports do that strict parsers reject is accepted here: quoted-printable values with soft
line breaks and a ``CHARSET``, base64 values, photo data that is not indented, commas that are not
escaped in ``FN``/``TITLE``/``ORG``, bare 2.1 parameters (``EMAIL;PREF;INTERNET``) and ``PREF``
in all its forms. Only the properties outreach keeps are decoded; photos and keys are skipped.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import ImportFormatError
from .base import ImportedContact, Skipped, physical_lines

__all__ = ["Property", "parse_property", "read"]

_NAME = re.compile(r"^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)((?:;[^:]*)?):", re.DOTALL)
_BINARY = {"PHOTO", "LOGO", "SOUND", "KEY"}
_KNOWN = {"BEGIN", "END", "VERSION", "FN", "N", "ORG", "TITLE", "ROLE", "EMAIL", "TEL", "ADR", "LABEL", "NOTE", "URL",
          "PHOTO", "LOGO", "SOUND", "KEY", "BDAY", "ANNIVERSARY", "NICKNAME", "CATEGORIES", "UID", "REV", "PRODID",
          "GEO", "TZ", "MAILER", "AGENT", "CLASS", "SORT-STRING", "IMPP", "LANG", "GENDER", "KIND", "MEMBER",
          "RELATED", "SOURCE", "NAME", "PROFILE", "FBURL", "CALURI", "CALADRURI", "XML", "CLIENTPIDMAP"}
_KEPT = {"FN", "N", "ORG", "TITLE", "EMAIL", "URL", "NOTE", "CATEGORIES", "BEGIN", "END", "VERSION"}


@dataclass
class Property:
    """One content line: its name, parameters (upper-cased names), and raw value."""

    name: str
    params: dict[str, list[str]] = field(default_factory=dict)
    value: str = ""

    @property
    def encoding(self) -> str:
        """The transfer encoding: ``QUOTED-PRINTABLE``, ``B``/``BASE64``, or ''."""
        found = self.params.get("ENCODING", [])
        bare = [t for t in self.params.get("TYPE", []) if t in ("QUOTED-PRINTABLE", "BASE64", "B")]
        return (found or bare or [""])[0]

    def rank(self) -> int:
        """Preference: ``PREF=n`` gives n, a bare ``PREF`` 1, none 100 (lower comes first)."""
        for value in self.params.get("PREF", []):
            if value.isdigit():
                return int(value)
        return 1 if "PREF" in self.params.get("TYPE", []) or "PREF" in self.params else 100

    def text(self) -> str:
        """The value decoded (quoted-printable or base64, in its ``CHARSET``)."""
        charset = (self.params.get("CHARSET") or ["utf-8"])[0]
        raw: bytes | None = None
        if self.encoding == "QUOTED-PRINTABLE":
            raw = quopri.decodestring(self.value.encode("utf-8", "surrogateescape"))
        elif self.encoding in ("B", "BASE64"):
            try:
                raw = base64.b64decode("".join(self.value.split()), validate=False)
            except (binascii.Error, ValueError):
                return ""
        if raw is None:
            return self.value
        for name in (charset, "utf-8", "cp1252"):
            try:
                return raw.decode(name)
            except (LookupError, UnicodeDecodeError):
                continue
        return raw.decode("latin-1")


def _split(text: str, sep: str) -> list[str]:
    """Split on ``sep`` where it is neither escaped with a backslash nor inside double quotes."""
    out: list[str] = []
    buf: list[str] = []
    quoted = escaped = False
    for ch in text:
        if escaped:
            buf.append("\\" + ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
            buf.append(ch)
        elif ch == sep and not quoted:
            out.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    if escaped:
        buf.append("\\")
    out.append("".join(buf))
    return out


def _unescape(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"\\([\\,;:nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text).strip()


def parse_property(line: str) -> Property | None:
    """Parse one unfolded content line; None when it is not ``name[;params]:value``."""
    m = _NAME.match(line)
    if m is None:
        return None
    prop = Property(m.group(1).upper(), value=line[m.end():])
    for param in _split(m.group(2), ";")[1:]:
        if not param.strip():
            continue
        key, sep, value = param.partition("=")
        key = key.strip().upper()
        values = [v.strip().strip('"') for v in _split(value, ",")] if sep else []
        if not sep:  # vCard 2.1: a bare type such as INTERNET, PREF or QUOTED-PRINTABLE
            prop.params.setdefault("TYPE", []).append(key)
        elif key == "TYPE":
            prop.params.setdefault("TYPE", []).extend(v.upper() for v in values)
        else:
            prop.params.setdefault(key, []).extend(v.upper() if key in ("ENCODING", "PREF") else v for v in values)
    return prop


def _starts_property(line: str) -> bool:
    m = _NAME.match(line)
    return m is not None and (m.group(1).upper() in _KNOWN or m.group(1).upper().startswith("X-"))


def _unfold(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Logical lines: RFC folding, quoted-printable soft breaks, and unindented base64 data joined on."""
    out: list[tuple[int, str]] = []
    binary = closed = False
    for number, line in lines:
        if not line.strip():
            binary, closed = False, True  # a blank line ends base64 data and a dangling soft break
            continue
        previous = out[-1][1] if out else ""
        soft_break = (not closed and previous.endswith("=")
                      and "QUOTED-PRINTABLE" in previous.split(":", 1)[0].upper())
        closed = False
        if out and soft_break and not _starts_property(line):
            out[-1] = (out[-1][0], previous[:-1] + line.strip())
        elif out and line[0] in " \t":
            out[-1] = (out[-1][0], previous + line[1:])
        elif out and _NAME.match(line) is None and not line.strip().upper().startswith(("BEGIN:", "END:")):
            out[-1] = (out[-1][0], previous + ("" if binary else " ") + line.strip())
        else:
            out.append((number, line))
            head = line.split(":", 1)[0].upper()
            binary = any(k in head for k in ("ENCODING=B", "ENCODING=BASE64", ";BASE64")) and \
                head.split(";")[0].split(".")[-1] in _BINARY
    return out


def _cards(text: str) -> list[tuple[int, list[Property]]]:
    cards: list[tuple[int, list[Property]]] = []
    current: list[Property] | None = None
    start = 0
    lines = [(n, raw.rstrip("\r\n")) for n, raw in enumerate(physical_lines(text), start=1)]
    for number, line in _unfold(lines):
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            current, start = [], number
        elif upper == "END:VCARD" and current is not None:
            cards.append((start, current))
            current = None
        elif current is not None:
            prop = parse_property(line.strip())
            if prop is not None and prop.name in _KEPT:
                current.append(prop)
    if current is not None:
        cards.append((start, []))
    return cards


def _first(props: list[Property], name: str) -> Property | None:
    found = sorted((p for p in props if p.name == name), key=Property.rank)
    return found[0] if found else None


def _contact(line: int, props: list[Property]) -> ImportedContact | Skipped:
    fn = _first(props, "FN")
    name = " ".join(_unescape(fn.text()).split()) if fn else ""
    n = _first(props, "N")
    if not name and n is not None:
        parts = [_unescape(p) for p in _split(n.text(), ";")] + ["", ""]
        name = " ".join(p for p in (parts[1], parts[0]) if p)
    org = _first(props, "ORG")
    company = _unescape(_split(org.text(), ";")[0]) if org else ""
    title = _first(props, "TITLE")
    emails = [re.sub(r"(?i)^mailto:", "", _unescape(p.text()))
              for p in sorted((p for p in props if p.name == "EMAIL"), key=Property.rank)]
    emails = list(dict.fromkeys(e for e in emails if "@" in e))
    urls = [_unescape(p.text()) for p in props if p.name == "URL"]
    note = _first(props, "NOTE")
    categories = [_unescape(c) for p in props if p.name == "CATEGORIES" for c in _split(p.text(), ",")]
    if not name and not emails:
        return Skipped(line, "the card has no name and no email address")
    return ImportedContact(
        line=line, email=emails[0] if emails else "", other_emails=emails[1:], name=name or company,
        company=company, position=_unescape(title.text()) if title else "",
        linkedin_url=next((u for u in urls if "linkedin.com/" in u), ""),
        notes=_unescape(note.text()) if note else "", tags=[c for c in categories if c],
    )


def read(path: Path, text: str) -> tuple[list[ImportedContact], list[Skipped]]:
    """Read every card; a card without END:VCARD or without name and address is skipped with its line."""
    cards = _cards(text)
    if not cards:
        raise ImportFormatError(f"{path} has no BEGIN:VCARD ... END:VCARD card")
    contacts: list[ImportedContact] = []
    skipped: list[Skipped] = []
    for line, props in cards:
        if not props:
            skipped.append(Skipped(line, "the card has no END:VCARD line (the file may be truncated)"))
            continue
        result = _contact(line, props)
        (skipped if isinstance(result, Skipped) else contacts).append(result)  # type: ignore[arg-type]
    return contacts, skipped
