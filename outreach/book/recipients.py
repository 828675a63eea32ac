"""Turn a CSV file or contact-book entries into the recipients of one batch."""

from __future__ import annotations

from pathlib import Path

from ..models import Recipient
from ..errors import ImportFormatError, Problem, ValidationError
from .formats import generic
from .formats.base import ImportedContact, read_text
from ..models import Contact

__all__ = ["contact_of", "drop_identical", "read_recipients_csv"]

_TRUE = {"1", "true", "yes", "y", "x"}


def read_recipients_csv(path: Path) -> list[Recipient]:
    """One :class:`Recipient` per data row of a CSV with an email column; other columns become variables.

    ``referred_by`` and ``may_use_name`` columns give the referral. Empty cells are left out of the
    variables, so a template that needs one reports it. Bad rows raise :class:`ValidationError`.
    """
    path = Path(path)
    try:
        rows, skipped = generic.read(path, read_text(path))
    except ImportFormatError as exc:
        raise ValidationError([Problem("--contacts", str(exc).replace(str(path), path.name))]) from exc
    if skipped:
        raise ValidationError([Problem(f"{path.name}:{s.line}", s.reason) for s in skipped])
    return [Recipient(contact=contact_of(row), where=f"{path.name}:{row.line}") for row in rows]


def contact_of(row: ImportedContact) -> Contact:
    """The contact of one row; ``referred_by`` (or ``referrer``) and ``may_use_name`` columns give the referral."""
    fields = dict(row.fields)
    referrer = fields.pop("referred_by", "") or fields.pop("referrer", "")
    may_use = fields.pop("may_use_name", "").strip().lower() in _TRUE
    return Contact(email=row.email, name=row.name, company=row.company, position=row.position,
                   fields=fields, referrer=referrer, may_use_referrer_name=may_use)


def drop_identical(recipients: list[Recipient]) -> tuple[list[Recipient], int]:
    """The recipients without rows identical to an earlier one (same person, same values), and how many went.

    A second row for the same person with different values stays, so that the batch reports the conflict.
    """
    from ..compose.addresses import address_key
    from ..record import replace

    seen: dict[str, list[tuple[Contact, dict[str, str]]]] = {}  # rows kept, by address key: no scan of every row
    keep: list[Recipient] = []
    for r in recipients:
        key = address_key(r.contact.email)
        if key is None:
            keep.append(r)
            continue
        same = (replace(r.contact, email=""), dict(r.variables))
        earlier = seen.setdefault(key, [])
        if same in earlier:
            continue
        earlier.append(same)
        keep.append(r)
    return keep, len(recipients) - len(keep)
