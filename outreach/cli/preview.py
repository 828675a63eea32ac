"""``outreach preview TEMPLATE --contact X``: what a send to one person would be, in their thread."""

from __future__ import annotations

from email import message_from_bytes, policy

import click

from ..compose.render import Renderer
from ..models import Contact, Sender
from ..store.db import Store
from .common import EXIT_OK, EXIT_USAGE, echo

__all__ = ["preview_person"]


def preview_person(store: Store, renderer: Renderer, sender: Sender, template: str, ref: str,
                   variables: dict[str, str], show_html: bool) -> int:
    """Print To:, Subject:, the variables used and the body; name the missing variables. Returns the exit code."""
    from ..book.people import People
    from ..compose.missing import missing_variables
    from ..compose.prepare import Recipient, _inherit, prepare_batch
    from ..lifecycle.threads import Threads

    person = People(store).resolve(ref)
    contact = person.record.as_contact() if person.record else Contact(email=person.email)
    info = renderer.template(template).info
    thread = Threads(store).ref(person.key) if info.reply else None
    used = dict(variables)
    if thread is not None:
        contact, used = _inherit(store, thread.thread_id, contact, variables)
    missing = missing_variables(renderer, template, contact, sender, used)
    shown = {"name": contact.name, "company": contact.company, "position": contact.position,
             **contact.fields, **used}
    if missing:
        echo(f"To: {contact.name} <{person.email}>" if contact.name else f"To: {person.email}")
        for key, value in shown.items():
            if str(value).strip():
                echo(f"  {key} = {value}")
        echo("Missing: " + ", ".join(missing) + " (give " +
                   " ".join(f'--var {m}="..."' for m in missing) + ")", err=True)
        return EXIT_USAGE
    [entry] = prepare_batch(template, [Recipient(contact, used, where=f"--contact {ref}")], sender=sender,
                            renderer=renderer, store=store, typo_check=False)
    msg = message_from_bytes(entry.data, policy=policy.default)
    echo(f"To: {msg['To']}")
    echo(f"Subject: {msg['Subject']}")
    if msg["In-Reply-To"]:
        echo(f"In-Reply-To: {msg['In-Reply-To']}")
    echo("Variables:")
    for key, value in shown.items():
        if str(value).strip():
            echo(f"  {key} = {value}")
    echo("")
    body = msg.get_body(("html",) if show_html else ("plain",))
    echo(body.get_content() if body is not None else "", nl=False)
    return EXIT_OK
