"""``outreach contacts ...``: the contact book on the command line."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .batch import parse_vars
from .common import echo, errors, load, open_store

if TYPE_CHECKING:
    from ..book.contacts import ContactBook

__all__ = ["contacts"]


def _book() -> ContactBook:
    from ..book.contacts import ContactBook

    return ContactBook(open_store(load()))


def _show_line(c) -> str:  # type: ignore[no-untyped-def]
    tags = f"  [{', '.join(c.tags)}]" if c.tags else ""
    where = " at ".join(p for p in (c.position, c.company) if p)
    return f"#{c.id:<5} {c.name or '-':<28} {c.email or '(no address)':<36} {where}{tags}"


def _record(book, ref: str):  # type: ignore[no-untyped-def]
    """The book entry of the person ``ref`` names: ID, any address of theirs in any case or IDN form."""
    from ..book.people import People
    from ..errors import ContactError

    if ref.strip().lstrip("#").isdigit():
        return book.get(ref.strip().lstrip("#"), include_removed=True)
    person = People(book.store).resolve(ref)
    if person.record is None:
        raise ContactError(f"{person.email} is in your sent mail but not in the contact book; add it with"
                           f" `outreach contacts add {shlex.quote(person.email)} --name \"First Last\"`")
    return person.record


def _known(book, ref: str) -> bool:  # type: ignore[no-untyped-def]
    from ..book.people import People
    from ..errors import ContactError

    try:
        return People(book.store).resolve(ref).record is not None
    except ContactError:
        return False


@click.group()
def contacts() -> None:
    """Import, list and edit the contacts you network with."""


@contacts.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", default="auto",
              type=click.Choice(["auto", "linkedin", "google", "outlook", "vcard", "csv"]),
              show_default=True, help="The export format; auto detects it.")
@click.option("--tag", "tags", multiple=True, help="Tag every imported contact (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def import_cmd(file: Path, fmt: str, tags: tuple[str, ...], as_json: bool) -> None:
    """Import a LinkedIn, Google Contacts, vCard or CSV export; importing again changes nothing."""
    with errors():
        book = _book()
        if sys.stderr.isatty() and not as_json and file.stat().st_size > 200_000:
            with click.progressbar(length=sum(1 for _ in file.open("rb")), label="Importing",
                                   file=sys.stderr) as bar:
                report = book.import_file(file, fmt, tags=tags, progress=bar.update)
        else:
            report = book.import_file(file, fmt, tags=tags)
    if as_json:
        echo(json.dumps(report.as_json()))
        return
    for notice in report.notices:
        echo(f"Note: {file.name}: {notice}", err=True)
    echo(f"Imported {file.name} ({report.format}): {report.added} added, {report.updated} updated, "
         f"{report.unchanged} unchanged, {len(report.skipped)} skipped.")
    for skipped in report.skipped:
        echo(f"  skipped {file.name}:{skipped.line}: {skipped.reason}")
    if report.without_address:
        why = " (LinkedIn hides most)" if report.format == "linkedin" else ""
        who = "1 contact has" if report.without_address == 1 else f"{report.without_address} contacts have"
        echo(f"{who} no email address{why}; they are kept but not sent to until"
                   " you give them one: outreach contacts edit ID --email ADDRESS")


@contacts.command("list")
@click.option("--tag", help="Only contacts with this tag.")
@click.option("--search", help="Only contacts whose name, address, company or position contains this.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per contact.")
def list_cmd(tag: str | None, search: str | None, as_json: bool) -> None:
    """List contacts, by name."""
    with errors():
        rows = _book().find(tag=tag, search=search)
    for c in rows:
        echo(json.dumps(c.as_json(), ensure_ascii=False) if as_json else _show_line(c))


@contacts.command("show")
@click.argument("contact")
@click.option("--json", "as_json", is_flag=True, help="Print the contact as JSON.")
def show_cmd(contact: str, as_json: bool) -> None:
    """Show one contact (by address or #id), with the messages sent to them."""
    from ..compose.addresses import validate_address

    with errors():
        book = _book()
        c = _record(book, contact)
        history = book.store.messages(contact=validate_address(c.email).key) if c.email else []
        referred = book.referred_by(c.id)
    if as_json:
        echo(json.dumps({**c.as_json(), "referred": [r.email for r in referred], "messages": [
            {"message_id": m.message_id, "template": m.template, "status": m.status.value, "sent_at": m.sent_at}
            for m in history]}, ensure_ascii=False))
        return
    echo(_show_line(c) + ("  (removed)" if c.removed else ""))
    for label, value in (("LinkedIn", c.linkedin_url), ("connected", c.connected_on), ("notes", c.notes)):
        if value:
            echo(f"  {label}: {value}")
    if c.referrer_email:
        permission = "may use their name" if c.may_use_name else "may NOT use their name"
        echo(f"  referred by: {c.referrer_name or c.referrer_email} <{c.referrer_email}> ({permission})")
    for r in referred:
        echo(f"  referred you to: {r.name or r.email} <{r.email}>")
    for key, value in c.fields.items():
        echo(f"  {key}: {value}")
    for m in history:
        echo(f"  {(m.sent_at or m.created_at)[:16]}  {m.status.value:<8} {m.template}  {m.subject}")


@contacts.command("add")
@click.argument("address")
@click.option("--name", default="", help="First and last name.")
@click.option("--company", default="", help="Where they work.")
@click.option("--position", default="", help="Their role.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--referred-by", help="The address of who referred you to them.")
@click.option("--may-use-name", is_flag=True, help="The referrer allowed you to mention their name.")
@click.option("--field", "fields", multiple=True, metavar="KEY=VALUE", help="Any other template variable.")
def add_cmd(address: str, name: str, company: str, position: str, tags: tuple[str, ...], referred_by: str | None,
            may_use_name: bool, fields: tuple[str, ...]) -> None:
    """Add a contact by hand."""
    if may_use_name and not referred_by:
        raise click.UsageError("--may-use-name goes with --referred-by")
    with errors():
        c = _book().add(address, name=name, company=company, position=position, tags=tags,
                        referred_by=referred_by, may_use_name=may_use_name, fields=parse_vars(fields, '--field'))
    echo(f"Added {_show_line(c)}")


@contacts.command("edit")
@click.argument("contact")
@click.option("--email", help="A new address (or the first one, for a LinkedIn contact).")
@click.option("--name", help="First and last name.")
@click.option("--company", help="Where they work.")
@click.option("--position", help="Their role.")
@click.option("--notes", help="Free text.")
@click.option("--tag", "add_tags", multiple=True, help="Add a tag (repeatable).")
@click.option("--untag", "remove_tags", multiple=True, help="Remove a tag (repeatable).")
@click.option("--referred-by", help="The address of who referred you to them.")
@click.option("--may-use-name/--may-not-use-name", default=None, help="Whether the referrer's name may be used.")
@click.option("--field", "fields", multiple=True, metavar="KEY=VALUE", help="Set another template variable.")
def edit_cmd(contact: str, email: str | None, name: str | None, company: str | None, position: str | None,
             notes: str | None, add_tags: tuple[str, ...], remove_tags: tuple[str, ...], referred_by: str | None,
             may_use_name: bool | None, fields: tuple[str, ...]) -> None:
    """Change a contact; what you edit here is kept when you import again."""
    with errors():
        book = _book()
        before = _record(book, contact)
        c = book.edit(before.id, email=email, name=name, company=company, position=position,
                         notes=notes, add_tags=add_tags, remove_tags=remove_tags, referred_by=referred_by,
                         may_use_name=may_use_name, fields=parse_vars(fields, '--field'))
    echo(f"Updated {_show_line(c)}")
    if before.email and c.email != before.email and c.email.lower() != before.email.lower():
        echo(f"Their conversations now go to {c.email}; {before.email} is kept as a secondary address.")


@contacts.command("remove")
@click.argument("contact")
def remove_cmd(contact: str) -> None:
    """Remove a contact from the book; messages already sent stay in the journal."""
    with errors():
        book = _book()
        c = book.remove(_record(book, contact).id)
    echo(f"Removed #{c.id} {c.name or c.email}.")


@contacts.command("block")
@click.argument("target", required=False)
def block_cmd(target: str | None) -> None:
    """Never send to ADDRESS or to anyone @DOMAIN; with no argument, list the blocks."""
    with errors():
        book = _book()
        if target is None:
            blocks = book.blocks()
            for pattern, since in blocks:
                echo(f"{pattern:<40} since {since[:10]}")
            if not blocks:
                echo("No blocks: nobody is on the do-not-contact list.")
            return
        if not target.strip().startswith("@") and (target.strip().lstrip("#").isdigit() or _known(book, target)):
            target = _record(book, target).email
        pattern = book.block(target)
    echo(f"Blocked {pattern}: every send to it is refused.")


@contacts.command("unblock")
@click.argument("target")
def unblock_cmd(target: str) -> None:
    """Lift a block set with `outreach contacts block`."""
    with errors():
        removed = _book().unblock(target)
    echo(f"Unblocked {target}." if removed else f"{target} was not blocked.")
