"""How you came to write to someone, which picks the wording of an intro (pure, no I/O).

In order: a **referral** whose referrer allowed their name, an **event** where you met (the
``event`` variable), the **alumni** network (the contact's ``school`` is the sender's), else
**cold**.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..models import Contact

__all__ = ["FOUND_VIA", "found_via", "same_school"]

FOUND_VIA = ("referral", "event", "alumni", "cold")
_NOISE = re.compile(r"[^\w]+", re.UNICODE)


def _norm(school: str) -> str:
    words = _NOISE.sub(" ", school.casefold()).split()
    return " ".join(w for w in words if w not in ("the", "of", "at"))


def same_school(theirs: Any, mine: Any) -> bool:
    """True when both name one school, ignoring case, punctuation and "the"/"of"."""
    a, b = _norm(str(theirs or "")), _norm(str(mine or ""))
    return bool(a) and a == b


def found_via(contact: Contact, sender_fields: Mapping[str, Any], variables: Mapping[str, Any]) -> str:
    """``"referral"``, ``"event"``, ``"alumni"`` or ``"cold"``: the strongest link that may be mentioned."""
    if contact.referrer and contact.may_use_referrer_name:
        return "referral"
    values = {**contact.fields, **variables}
    if str(values.get("event") or "").strip():
        return "event"
    if same_school(values.get("school"), sender_fields.get("school")):
        return "alumni"
    return "cold"
