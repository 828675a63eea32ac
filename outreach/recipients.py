"""Read a batch of recipients from a CSV file with an ``email`` column; other columns become variables."""

from __future__ import annotations

import csv
from pathlib import Path

from .campaign import Recipient
from .errors import ValidationError, Problem
from .models import Contact

__all__ = ["read_recipients_csv"]

EMAIL_COLUMNS = ("email", "e-mail", "email address", "e-mail address", "mail")
_TRUE = {"1", "true", "yes", "y", "x"}


def _pick(row: dict[str, str], *names: str) -> str:
    for name in names:
        value = row.get(name)
        if value:
            return value.strip()
    return ""


def read_recipients_csv(path: Path) -> list[Recipient]:
    """One :class:`Recipient` per data row; problems (no email column, bad encoding) name the line.

    Empty cells are left out of the row's variables, so a template that needs one reports it.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValidationError([Problem(str(path), f"cannot read: {exc.strerror or exc}")]) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ValidationError([Problem(f"{path}:{line}", "is not UTF-8; save the file as CSV UTF-8 and try again")]) from exc
    reader = csv.DictReader(text.splitlines(keepends=True))
    headers = reader.fieldnames or []
    normalized = {h: h.strip().lower().replace("_", " ") for h in headers}
    email_col = next((h for h in headers if normalized[h] in EMAIL_COLUMNS), None)
    if email_col is None:
        raise ValidationError([Problem(f"{path}:1", f"no email column (found: {', '.join(headers) or 'nothing'})")])
    recipients: list[Recipient] = []
    problems: list[Problem] = []
    rows = iter(reader)
    while True:
        where = f"{path.name}:{reader.line_num + 1}"
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(where, f"malformed CSV: {exc}"))
            break
        if None in row:
            problems.append(Problem(where, "has more cells than the header row"))
            continue
        clean = {normalized[k]: (v or "").strip() for k, v in row.items() if k is not None}
        if not any(clean.values()):
            continue
        name = _pick(clean, "name", "full name") or " ".join(
            p for p in (_pick(clean, "first name", "first"), _pick(clean, "last name", "last")) if p
        )
        variables = {k.replace(" ", "_"): v for k, v in clean.items() if v}
        contact = Contact(
            email=clean.get(normalized[email_col], ""),
            name=name,
            company=_pick(clean, "company", "organization", "organization name"),
            position=_pick(clean, "position", "title", "job title"),
            fields=variables,
            referrer=_pick(clean, "referred by", "referrer"),
            may_use_referrer_name=clean.get("may use name", "").lower() in _TRUE,
        )
        recipients.append(Recipient(contact=contact, where=where))
    if problems:
        raise ValidationError(problems)
    return recipients
