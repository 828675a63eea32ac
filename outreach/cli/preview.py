"""``outreach preview TEMPLATE --contact X``: what a send to one person would be, in their thread."""

from __future__ import annotations

from email import message_from_bytes, policy

from ..models import Contact, Recipient
from ..service import Outreach
from .common import EXIT_OK, EXIT_USAGE, echo

__all__ = ["preview_person"]


def preview_person(app: Outreach, template: str, ref: str, variables: dict[str, str], show_html: bool) -> int:
    """Print To:, Subject:, the variables used and the body; name the missing variables. Returns the exit code."""
    person = app.person(ref)
    contact = person.record.as_contact() if person.record else Contact(email=person.email)
    result = app.preview_message(template, Recipient(contact, variables, where=f"--contact {ref}"))
    if result.draft is None:
        echo(f"To: {contact.name} <{person.email}>" if contact.name else f"To: {person.email}")
        for key, value in result.variables.items():
            echo(f"  {key} = {value}")
        echo("Missing: " + ", ".join(result.missing) + " (give " +
             " ".join(f'--var {m}="..."' for m in result.missing) + ")", err=True)
        return EXIT_USAGE
    msg = message_from_bytes(result.data, policy=policy.default)
    echo(f"To: {msg['To']}")
    echo(f"Subject: {msg['Subject']}")
    if msg["In-Reply-To"]:
        echo(f"In-Reply-To: {msg['In-Reply-To']}")
    echo("Variables:")
    for key, value in result.variables.items():
        echo(f"  {key} = {value}")
    echo("")
    echo(result.draft.html if show_html else result.draft.text, nl=False)
    for warning in result.warnings:
        echo(f"Lint: {warning.message}", err=True)
    return EXIT_OK
