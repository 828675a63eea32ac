"""The command that settles a due item, written so that it runs as printed."""

from __future__ import annotations

import shlex

from ..compose.missing import missing_variables
from ..compose.render import Renderer
from ..errors import OutreachError
from ..models import Contact, Sender
from ..store.db import Store
from .followups import DueItem

__all__ = ["suggested_command"]

_PLACEHOLDER = Sender(name="You", email="you@example.com")


def suggested_command(store: Store, renderer: Renderer, sender: Sender | None, item: DueItem) -> str:
    """``outreach send KIND --contact ADDRESS`` plus ``--var NAME="..."`` for each variable only the user can write.

    A meeting to prepare points to ``outreach prep``; a meeting that is over, to ``outreach log --met``.
    """
    from ..book.people import People
    from .context import inherit

    who = shlex.quote(item.contact)
    if item.kind == "prepare":
        return f"outreach prep {who}"
    if item.kind == "log-meeting":
        return f'outreach log {who} --met --learned "..." --action "..."'
    template = item.template or item.kind
    person = People(store).resolve(item.contact, new=True)
    contact = person.record.as_contact() if person.record else Contact(email=person.email)
    try:
        contact, variables = inherit(store, item.thread_id, contact, {})
        missing = missing_variables(renderer, template, contact, sender or _PLACEHOLDER, variables)
    except OutreachError:
        missing = []
    return " ".join([f"outreach send {template} --contact {who}", *(f'--var {m}="..."' for m in missing)])
