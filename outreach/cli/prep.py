"""``outreach prep CONTACT``: the one-page brief to read before a conversation."""

from __future__ import annotations

import json

import click

from .common import echo, errors, load, open_store

__all__ = ["prep_cmd"]


@click.command("prep")
@click.argument("contact")
@click.option("--json", "as_json", is_flag=True, help="Print the brief as one JSON object.")
def prep_cmd(contact: str, as_json: bool) -> None:
    """A one-page brief before talking with CONTACT: who, how found, the thread, notes, questions, reminders."""
    from ..lifecycle.prep import brief, format_brief

    config = load()
    with errors():
        result = brief(open_store(config), contact, sender=config.sender)
    if as_json:
        echo(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        echo(format_brief(result), nl=False)
