"""vCard 3.0 and 4.0 files (several cards, folded lines, escaped commas), parsed with vobject."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...errors import ImportFormatError
from .base import ImportedContact, Skipped, physical_lines

__all__ = ["read"]


def _cards(text: str) -> list[tuple[int, str]]:
    cards: list[tuple[int, str]] = []
    start: int | None = None
    buf: list[str] = []
    for number, line in enumerate((raw.rstrip("\r\n") for raw in physical_lines(text)), start=1):
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            start, buf = number, [line]
        elif start is not None:
            buf.append(line)
            if upper == "END:VCARD":
                cards.append((start, "\r\n".join(buf) + "\r\n"))
                start = None
    if start is not None:
        cards.append((start, ""))
    return cards


def _value(card: Any, name: str) -> Any:
    items = card.contents.get(name)
    return items[0].value if items else None


def _preferred(emails: list[Any]) -> list[str]:
    def rank(item: Any) -> int:
        params = {k.upper(): [str(v).upper() for v in vs] for k, vs in item.params.items()}
        return 0 if "PREF" in params or "PREF" in params.get("TYPE", []) else 1

    return [str(e.value).strip() for e in sorted(emails, key=rank) if str(e.value).strip()]


def read(path: Path, text: str) -> tuple[list[ImportedContact], list[Skipped]]:
    """Read every card; a card that does not parse is skipped with the line it starts on."""
    import vobject

    cards = _cards(text)
    if not cards:
        raise ImportFormatError(f"{path} has no BEGIN:VCARD ... END:VCARD card")
    contacts: list[ImportedContact] = []
    skipped: list[Skipped] = []
    for line, source in cards:
        if not source:
            skipped.append(Skipped(line, "the card has no END:VCARD line (the file may be truncated)"))
            continue
        try:
            card = vobject.readOne(source, ignoreUnreadable=False)
        except Exception as exc:  # vobject raises several unrelated types for bad input
            skipped.append(Skipped(line, f"the card does not parse: {exc}"))
            continue
        name = str(_value(card, "fn") or "").strip()
        n = _value(card, "n")
        if not name and n is not None:
            name = " ".join(p for p in (str(n.given), str(n.family)) if p).strip()
        org = _value(card, "org")
        company = org[0] if isinstance(org, list) and org else str(org or "")
        emails = _preferred(card.contents.get("email", []))
        urls = [str(u.value) for u in card.contents.get("url", [])]
        linkedin = next((u for u in urls if "linkedin.com/" in u), "")
        if not name and not emails:
            skipped.append(Skipped(line, "the card has no name and no email address"))
            continue
        categories = _value(card, "categories")
        contacts.append(ImportedContact(
            line=line, email=emails[0] if emails else "", other_emails=emails[1:], name=name,
            company=company.strip(), position=str(_value(card, "title") or "").strip(),
            linkedin_url=linkedin, notes=str(_value(card, "note") or "").strip(),
            tags=[str(c).strip() for c in categories] if isinstance(categories, list) else [],
        ))
    return contacts, skipped
