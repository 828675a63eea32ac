"""Sample people for ``outreach lint`` without ``--contacts``: one of each case a template must read well in."""

from __future__ import annotations

from ..models import Contact, Sender
from ..models import Recipient

__all__ = ["SAMPLE_SENDER", "SAMPLE_VARS", "sample_recipients"]

SAMPLE_SENDER = Sender(name="Sam Rivera", email="sam.rivera@example.edu",
                       fields={"about": "a final-year statistics student", "school": "State University"})
# Values for the variables the built-in templates need, used only when the sample people are linted.
SAMPLE_VARS = {"topic": "data engineering", "learned": "how analytics teams choose their tools",
               "action": "build a small dbt project this month", "update": "I finished my capstone project.",
               "new_role": "Data Analyst", "new_company": "Globex"}

_PEOPLE: tuple[tuple[str, Contact, dict[str, str]], ...] = (
    ("cold, full details", Contact("ada@example.com", "Ada Lovelace", "Acme, Inc.", "Engineer"), {}),
    ("no company or position", Contact("kai@example.com", "Kai"), {}),
    ("title and particles", Contact("ana@example.com", "Dr. Ana de la Cruz", "Universidad Nacional", "Professor"), {}),
    ("non-ASCII name", Contact("zoe@example.com", "Zoë O'Brien-Müller", "Müller & Söhne GmbH", "UX designer"), {}),
    ("no name at all", Contact("info@example.com"), {}),
    ("referral, may use the name", Contact("maya@example.com", "Maya Chen", "Globex", "Data Analyst",
                                           referrer="Kai Kim", may_use_referrer_name=True), {}),
    ("referral, may not use the name", Contact("lee@example.com", "Lee Park", "Initech", "MBA candidate",
                                               referrer="Kai Kim", may_use_referrer_name=False), {}),
    ("alumni", Contact("omar@example.com", "Omar Haddad", "Umbrella Health", "Analytics Manager",
                       fields={"school": "State University"}), {}),
    ("met at an event", Contact("ines@example.com", "Inès Laurent", "Hooli", "Product Manager"),
     {"event": "the Fall Career Fair"}),
)


def sample_recipients(variables: dict[str, str] | None = None) -> list[Recipient]:
    """The sample people, each with the sample variables under ``variables``."""
    return [Recipient(contact, {**SAMPLE_VARS, **extra, **(variables or {})}, where=f"sample: {label}")
            for label, contact, extra in _PEOPLE]
