"""``outreach lint TEMPLATE``: render a template for people and show what a reader would notice; ``templates``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .common import EXIT_FAILED, EXIT_OK, complete_template, echo, errors, load

__all__ = ["lint_cmd", "templates_cmd"]


@click.command("lint")
@click.argument("template", shell_complete=complete_template)
@click.option("--contacts", "contacts_file", type=click.Path(path_type=Path, dir_okay=False),
              help="A CSV of people to render it for (default: sample people covering each case).")
@click.option("--var", "var", multiple=True, metavar="KEY=VALUE", help="A template variable for every message.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per finding.")
def lint_cmd(template: str, contacts_file: Path | None, var: tuple[str, ...], as_json: bool) -> None:
    """Render TEMPLATE for each person and lint it without sending; exit 1 when there are errors."""
    from .batch import parse_vars
    from ..compose.lint import lint_template
    from ..compose.render import Renderer
    from ..compose.samples import SAMPLE_SENDER, samples_for

    config = load()
    variables = parse_vars(var)
    with errors():
        sender = config.sender or SAMPLE_SENDER
        renderer = Renderer(config.template_dirs)
        if contacts_file is None:
            recipients = samples_for(template, renderer, sender, variables)
        else:
            from ..models import Recipient
            from ..book.recipients import read_recipients_csv

            recipients = [Recipient(r.contact, {**r.variables, **variables}, where=r.where)
                          for r in read_recipients_csv(contacts_file)]
        found = lint_template(template, recipients, sender=sender, renderer=renderer)
    errors_n = sum(1 for _, f in found if f.error)
    for recipient, finding in found:
        if as_json:
            echo(json.dumps({"where": recipient.where, "to": recipient.contact.email, **finding.as_json()},
                                  ensure_ascii=False))
        else:
            echo(f"{recipient.where}  {recipient.contact.email or '-'}: {finding}")
    summary = (f"Linted {template} for {len(recipients)} people: {errors_n} errors, {len(found) - errors_n} warnings"
               + ("" if errors_n else "; ready to send."))
    echo(summary, err=as_json)
    sys.exit(EXIT_FAILED if errors_n else EXIT_OK)


@click.command("templates")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per template.")
def templates_cmd(as_json: bool) -> None:
    """List the templates, their kind, and where each comes from."""
    from .listings import show_templates

    show_templates(as_json)
