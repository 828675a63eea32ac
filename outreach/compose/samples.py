"""Sample people for ``outreach lint`` without ``--contacts``: one of each case a template must read well in."""

from __future__ import annotations

from ..errors import TemplateError
from ..models import Contact, Sender
from ..models import Recipient
from ..record import replace
from .render import Renderer

__all__ = ["SAMPLE_SENDER", "SAMPLE_VARS", "sample_recipients", "samples_for"]

SAMPLE_SENDER = Sender(name="Sam Rivera", email="sam.rivera@example.edu",
                       fields={"about": "a final-year statistics student", "school": "State University"})
# Values for the variables the built-in templates need, used only when the sample people are linted.
SAMPLE_VARS = {"topic": "data engineering", "learned": "how analytics teams choose their tools",
               "action": "build a small dbt project this month", "update": "I finished my capstone project.",
               "new_role": "Data Analyst", "new_company": "Globex"}
# Filled in only where a template cannot do without it (the intro reads `event` only when it is given).
SAMPLE_NEEDED = {"event": "the Fall Career Fair"}

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
    ("alumni, school written with \"the\"", Contact("al@example.com", "Al Green", "Climate Corp", "Advisor",
                                                  fields={"school": "the State University"}), {}),
    ("event named without \"the\"", Contact("wyn@example.com", "Wyn Jones", "Initech", "Recruiter"),
     {"event": "Winter Career Fair"}),
)


def sample_recipients(variables: dict[str, str] | None = None) -> list[Recipient]:
    """The sample people, each with the sample variables under ``variables``."""
    return [Recipient(contact, {**SAMPLE_VARS, **extra, **(variables or {})}, where=f"sample: {label}")
            for label, contact, extra in _PEOPLE]


def samples_for(template: str, renderer: Renderer, sender: Sender,
                variables: dict[str, str] | None = None) -> list[Recipient]:
    """The sample people for ``template``: each also gets sample values for what the template cannot do without."""
    from .missing import missing_variables

    out = []
    for recipient in sample_recipients(variables):
        try:
            missing = missing_variables(renderer, template, recipient.contact, sender, recipient.variables)
        except TemplateError:
            missing = []
        fill = {k: SAMPLE_NEEDED[k] for k in missing if k in SAMPLE_NEEDED}
        out.append(replace(recipient, variables={**fill, **recipient.variables}) if fill else recipient)
    return out
