"""``outreach send`` and ``outreach preview``: who a message goes to, and the batch around ``Outreach``."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .batch import parse_vars, run_batch
from .recipients import Recipients, contacts_file as contacts_file_recipients
from .common import RATE, app, complete_template, echo, errors, load, open_store
from ..errors import ContactError

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..send import Recipient
    from ..store.db import Store
    from ..config import Config
    from ..book.contacts import ContactBook
    from ..models import Contact

__all__ = ["preview", "send"]


def _contact_for(book: ContactBook, address: str, name: str | None, referred_by: str | None,
                 may_use_name: bool) -> Contact:
    """The contact for a ``--to`` address: what the book knows about it, with the options on top."""
    from ..models import Contact
    from ..record import replace

    contact = Contact(email=address, name=name or "", referrer=referred_by or "", may_use_referrer_name=may_use_name)
    try:
        known = book.get(address).as_contact()
    except ContactError:
        return contact
    return replace(known, email=address, name=name or known.name, referrer=referred_by or known.referrer,
                   may_use_referrer_name=may_use_name or known.may_use_referrer_name)


def _recipients(to: tuple[str, ...], name: str | None, contacts_file: Path | None, variables: dict[str, str],
                referred_by: str | None, may_use_name: bool, book: ContactBook, tags: tuple[str, ...],
                refs: tuple[str, ...]) -> Recipients:
    from ..send import Recipient
    from ..models import Contact

    if name is not None and len(to) != 1:
        raise click.UsageError("--name goes with exactly one --to")
    from ..book.people import People, UnknownPersonError

    out: list[Recipient] = []
    blocked = book.blocked_checker()
    for tag in tags:
        members = book.find(tag=tag)
        if not members:
            raise click.UsageError(f"no contacts have the tag {tag!r} (see `outreach contacts list`)")
        without = [c for c in members if not c.email]
        if without:
            echo(f"Skipping {len(without)} contacts tagged {tag!r} without an email address.", err=True)
        out += _unblocked([Recipient(c.as_contact(), variables, where=f"contact #{c.id}") for c in members if c.email],
                          blocked, f"tagged {tag!r}")
    people = People(book.store)
    for ref in refs:
        try:
            person = people.resolve(ref)
        except UnknownPersonError as exc:
            raise ContactError(f"--contact {exc}; use --to ADDRESS to write to someone new") from exc
        contact = person.record.as_contact() if person.record else Contact(email=person.email)
        out.append(Recipient(contact, variables, where=f"--contact {ref}"))
    batch = Recipients(out, contacts_file_recipients(contacts_file, variables, blocked) if contacts_file else [],
                       [Recipient(contact=_contact_for(book, address, name, referred_by, may_use_name),
                                  variables=variables, where=f"--to {address}") for address in to])
    if not len(batch):
        raise click.UsageError("give at least one --to ADDRESS, --contact ADDRESS, --tag TAG or --contacts FILE.csv")
    return batch


def _unblocked(recipients: list[Recipient], blocked: Callable[[str], str | None], what: str) -> list[Recipient]:
    """The recipients of a batch minus those on the do-not-contact list or bouncing, which are counted."""
    from ..compose.addresses import address_key

    keep = [r for r in recipients if (key := address_key(r.contact.email)) is None or not blocked(key)]
    if len(keep) < len(recipients):
        echo(f"Skipping {len(recipients) - len(keep)} contacts {what} on the do-not-contact list or whose"
                   " address bounced.", err=True)
    return keep


@click.command()
@click.argument("template", shell_complete=complete_template)
@click.option("--to", "to", multiple=True, metavar="ADDRESS", help="A recipient (repeatable).")
@click.option("--contact", "ref", metavar="ADDRESS|ID", help="A person from the book or the journal, in their thread.")
@click.option("--name", help="The recipient's name (with one --to).")
@click.option("--var", "var", multiple=True, metavar="KEY=VALUE", help="A template variable (repeatable).")
@click.option("--referred-by", help="Who referred you to this contact.")
@click.option("--may-use-name", is_flag=True, help="The referrer allowed you to use their name.")
@click.option("--html", "show_html", is_flag=True, help="Print the HTML body instead of the text body.")
def preview(template: str, to: tuple[str, ...], ref: str | None, name: str | None, var: tuple[str, ...],
            referred_by: str | None, may_use_name: bool, show_html: bool) -> None:
    """Print the To:, subject, variables and body TEMPLATE would produce, without writing anything.

    With --contact, the person's name and thread are used as a real send would: To: with the name,
    the ``Re:`` subject, and the variables inherited from the thread; missing variables are named.
    """
    with errors():
        outreach = app()
        sender, renderer = outreach.sender, outreach.renderer
        if ref is None:
            contact = _contact_for(outreach.contacts, to[0] if to else "someone@example.com", name, referred_by,
                                   may_use_name)
            draft = renderer.render(template, contact, sender, parse_vars(var))
            source = renderer.template(template)
            from ..compose.lint import lint_draft

            echo(f"Subject: {draft.subject}\n")
            echo(draft.html if show_html else draft.text, nl=False)
            for finding in lint_draft(draft, max_words=source.info.max_words, own_text=source.text is not None):
                echo(f"Lint: {finding}", err=True)
            return
        from .preview import preview_person

        sys.exit(preview_person(outreach, template, ref, parse_vars(var), show_html))


@click.command()
@click.argument("template", shell_complete=complete_template)
@click.option("--to", "to", multiple=True, metavar="ADDRESS", help="A recipient (repeatable).")
@click.option("--name", help="The recipient's name (with one --to).")
@click.option("--contacts", "contacts_file", type=click.Path(path_type=Path, dir_okay=False),
              help="A CSV file with an email column; other columns become template variables.")
@click.option("--tag", "tags", multiple=True, help="Every contact in the book with this tag (repeatable).")
@click.option("--due", "due", is_flag=True, help="Everyone to whom a message of this template's kind is due now.")
@click.option("--contact", "refs", multiple=True, metavar="ADDRESS|ID", help="A contact from the book (repeatable).")
@click.option("--target", metavar="NAME", help="The next people to write at this target (see `outreach targets show`).")
@click.option("--limit", type=click.IntRange(min=1), help="With --target: at most N people.")
@click.option("--var", "var", multiple=True, metavar="KEY=VALUE", help="A template variable for every message.")
@click.option("--attach", "attach", multiple=True, type=click.Path(path_type=Path), metavar="FILE",
              help="Attach a file (repeatable), e.g. your resume as PDF.")
@click.option("--referred-by", help="Who referred you (with --to).")
@click.option("--may-use-name", is_flag=True, help="The referrer allowed you to use their name.")
@click.option("--dry-run", is_flag=True, help="Write .eml files to the outbox instead of sending.")
@click.option("--rate", type=RATE, help="Messages per minute (0: no limit).")
@click.option("--connections", type=click.IntRange(1, 32), help="Send over N connections at once (default 1).")
@click.option("--again", is_flag=True, help="Send even if this template already went to this contact.")
@click.option("--check-deliverability", is_flag=True, help="Also check each domain in DNS (needs network).")
@click.option("--no-typo-check", is_flag=True, help="Accept domains that look misspelt (gmial.com, .con).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per message outcome.")
def send(template: str, to: tuple[str, ...], name: str | None, contacts_file: Path | None, tags: tuple[str, ...],
         due: bool, refs: tuple[str, ...], target: str | None, limit: int | None, var: tuple[str, ...],
         attach: tuple[Path, ...], referred_by: str | None, may_use_name: bool, dry_run: bool, rate: float | None,
         connections: int | None, again: bool, check_deliverability: bool, no_typo_check: bool, as_json: bool) -> None:
    """Render TEMPLATE for each recipient, check the whole batch, then send it.

    Exit codes: 0 all sent, 1 some failed, deferred or unknown, 2 usage or validation error,
    3 credentials or connection error, 130 stopped by Ctrl-C.
    """
    from ..book.contacts import ContactBook

    config = load()
    with errors(as_json):
        store = open_store(config)
        book = ContactBook(store)
        variables = parse_vars(var)
        recipients = Recipients()
        if due:
            from .threads import due_recipients
            from ..compose.render import Renderer

            kind = Renderer(config.template_dirs).template(template).info.kind
            recipients = Recipients(due_recipients(store, config, kind, variables, template))
            if not recipients:
                echo(f"No {kind} is due.")
                sys.exit(0)
        if target or limit:
            recipients = Recipients(recipients, _target_recipients(store, config, template, target, limit, variables))
        if to or contacts_file or tags or refs or not (due or target):
            recipients = Recipients(recipients, _recipients(to, name, contacts_file, variables, referred_by,
                                                            may_use_name, book, tags, refs))
        if target and not len(recipients):
            sys.exit(0)
    from ..models import BatchOptions

    options = BatchOptions(attachments=attach, again=again, typo_check=not no_typo_check,
                           check_deliverability=check_deliverability or config.check_deliverability)
    sys.exit(run_batch(app(config, store), template, recipients, dry_run=dry_run, rate=rate, as_json=as_json,
                       options=options, connections=connections))


def _target_recipients(store: Store, config: Config, template: str, target: str | None, limit: int | None,
                       variables: dict[str, str]) -> list[Recipient]:
    """``--target NAME [--limit N]``: the suggested next people there (maybe nobody, which is said)."""
    from ..compose.render import Renderer
    from .targets import target_recipients

    if not target:
        raise click.UsageError("--limit goes with --target NAME")
    if Renderer(config.template_dirs).template(template).info.kind != "intro":
        raise click.UsageError("--target suggests people you have not written to yet: use it with an intro template")
    found = target_recipients(store, config, target, limit, variables)
    if not found:
        echo(f"Nobody to write at {target} now: see `outreach targets show {shlex.quote(target)}`.", err=True)
    return found
