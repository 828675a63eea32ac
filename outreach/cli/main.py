"""The ``outreach`` command. The ``cli*`` modules are the only ones that print or read argv."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .batch import parse_vars, run_batch
from .common import EXIT_INTERRUPTED, EXIT_USAGE, RATE, app, complete_template, echo, errors, fail, load, open_store
from .config import config_group
from .contacts import contacts
from .lint import lint_cmd
from .prep import prep_cmd
from .targets import COMMANDS as TARGET_COMMANDS
from .threads import COMMANDS as THREAD_COMMANDS
from ..errors import ConfigError, ContactError, CredentialsError

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..send import Recipient
    from ..store.db import Store
    from ..config import Config
    from ..book.contacts import ContactBook
    from ..models import Contact

__all__ = ["main"]


_JSON = "outreach.json"  # set in the context's meta when the command line holds --json


class _Cli(click.Group):
    """The top-level group: refuses arguments that are not text before any command sees them."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        from ..compose.controls import SURROGATE, clean

        for arg in args:
            if SURROGATE.search(arg):
                raise click.UsageError(f"the argument {clean(arg)!r} holds bytes that are not valid text"
                                       " in this system's encoding")
        ctx.meta[_JSON] = "--json" in (args[:args.index("--")] if "--" in args else args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; with ``--json``, a usage error is printed as the JSON error object (exit 2)."""
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            if not ctx.meta.get(_JSON):
                raise
            fail(exc.format_message(), EXIT_USAGE, as_json=True)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="outreach")
def cli() -> None:
    """Networking emails for job seekers: intros, follow-ups, thank-yous, check-ins, job updates.

    Until [smtp] is configured, `outreach send` is a dry run that writes .eml files to the outbox.
    """


_OPTIONAL_PROMPTS = (
    ("about", "One sentence about you, as it follows your name (e.g. a final-year statistics student)"),
    ("school", "Your school or university (optional)"),
    ("program", "Your program or degree (optional)"),
    ("phone", "Phone number for your signature (optional)"),
    ("linkedin", "LinkedIn profile URL for your signature (optional)"),
)


def _on_terminal() -> bool:
    """True when a person can answer questions: ``init`` asks only then."""
    return sys.stdin.isatty()


def _linkedin(value: str) -> str:
    """A LinkedIn URL as https, or a usage error saying what is wrong."""
    url = value.strip()
    if not url:
        return ""
    if url.startswith("http://"):
        url = "https://" + url.removeprefix("http://")
    elif not url.startswith("https://"):
        url = "https://" + url
    host = url.removeprefix("https://").split("/", 1)[0]
    if "." not in host or " " in url:
        raise click.BadParameter(f"{value!r} is not a web address such as https://www.linkedin.com/in/you",
                                 param_hint="--linkedin")
    return url


@cli.command()
@click.option("--name", help="Your name as recipients should see it.")
@click.option("--email", help="Your email address.")
@click.option("--about", help='One sentence about you, e.g. "a final-year statistics student".')
@click.option("--school", help="Your school or university (alumni intros use it).")
@click.option("--program", help="Your program or degree.")
@click.option("--phone", help="A phone number for your signature.")
@click.option("--linkedin", help="Your LinkedIn profile URL for your signature.")
@click.option("--locale", type=click.Choice(["en-US", "en-GB"]), help="Spelling of the built-in templates.")
@click.option("--no-typo-check", is_flag=True, help="Accept a domain that looks misspelt (gmial.com, .con).")
@click.option("--force", is_flag=True, help="Replace an existing config file (the old one is kept as .bak).")
def init(name: str | None, email: str | None, about: str | None, school: str | None, program: str | None,
         phone: str | None, linkedin: str | None, locale: str | None, no_typo_check: bool, force: bool) -> None:
    """Create the config file: who you are, as the emails need it (asks on a terminal)."""
    from ..compose.addresses import validate_address
    from ..compose.headers import check_header_value
    from ..config import config_path, data_dir, write_initial_config
    from ..compose.typos import suggest_domain

    path = config_path()
    if path.exists() and not force:
        fail(f"{path} already exists; edit it instead (or replace it: outreach init --force)", EXIT_USAGE)
    given = {"about": about, "school": school, "program": program, "phone": phone, "linkedin": linkedin}
    if _on_terminal():
        name = name or click.prompt("Your name, as recipients see it")
        email = email or click.prompt("Your email address")
        for key, question in _OPTIONAL_PROMPTS:
            if given[key] is None:
                given[key] = click.prompt(question, default="", show_default=False).strip()
    elif not name or not email:
        raise click.UsageError("give --name and --email (init asks for them only on a terminal)")
    assert name is not None and email is not None
    with errors():
        check_header_value("name", name)
        for key, value in given.items():
            if value:
                check_header_value(key, value)
        address = validate_address(email)
        local, _, domain = address.normalized.rpartition("@")
        guess = suggest_domain(domain) if not no_typo_check else None
        if guess:
            raise ConfigError(f"{address.normalized}: did you mean {local}@{guess}? (if it is right: --no-typo-check)")
        sender = {k: v for k, v in given.items() if v}
        if sender.get("linkedin"):
            sender["linkedin"] = _linkedin(sender["linkedin"])
        if locale:
            sender["locale"] = locale
        backup = write_initial_config(path, name, address.normalized, replace=force, **sender)
    if backup is not None:
        echo(f"Note: replaced the existing {path}; the old one is kept as {backup}.", err=True)
    echo(f"Wrote {path}")
    echo(f"Data (outbox, store) goes to {data_dir()}")
    if not given["about"]:
        echo('Tip: add about = "..." under [sender] (one sentence about you); the intro reads better with it.')
    echo("Next: outreach send intro --to someone@example.com --name \"Their Name\" --var topic=\"...\"")


@cli.command("templates")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per template.")
def templates_cmd(as_json: bool) -> None:
    """List the templates, their kind, and where each comes from."""
    from ..compose.templatefiles import list_templates

    broken: list[tuple[Path, str]] = []
    with errors():
        infos = list_templates(load().template_dirs, broken)
    for path, error in broken:
        if as_json:
            echo(json.dumps({"name": path.name.removesuffix(".html"), "path": str(path), "error": error}))
        else:
            echo(f"{path.name.removesuffix('.html'):<14} {'BROKEN':<11} {'user':<9} {error}")
    for t in infos:
        if as_json:
            echo(json.dumps({"name": t.name, "kind": t.kind, "reply": t.reply, "followup_days": t.followup_days,
                             "source": t.source, "path": str(t.path), "description": t.description}))
        else:
            echo(f"{t.name:<14} {t.kind:<11} {t.source:<9} {t.description}")
            echo(f"{'':<14} {t.path}")


def _contact_for(book: ContactBook, address: str, name: str | None, referred_by: str | None,
                 may_use_name: bool) -> Contact:
    """The contact for a ``--to`` address: what the book knows about it, with the options on top."""
    from dataclasses import replace

    from ..models import Contact

    contact = Contact(email=address, name=name or "", referrer=referred_by or "", may_use_referrer_name=may_use_name)
    try:
        known = book.get(address).as_contact()
    except ContactError:
        return contact
    return replace(known, email=address, name=name or known.name, referrer=referred_by or known.referrer,
                   may_use_referrer_name=may_use_name or known.may_use_referrer_name)


def _recipients(to: tuple[str, ...], name: str | None, contacts_file: Path | None, variables: dict[str, str],
                referred_by: str | None, may_use_name: bool, book: ContactBook, tags: tuple[str, ...],
                refs: tuple[str, ...]) -> list[Recipient]:
    from ..send import Recipient
    from ..models import Contact
    from ..book.recipients import read_recipients_csv

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
    if contacts_file is not None:
        from ..book.recipients import drop_identical

        rows, twice = drop_identical(read_recipients_csv(contacts_file))
        if twice:
            echo(f"Skipping {twice} row{'s' if twice != 1 else ''} of {contacts_file.name} identical to an earlier"
                 " row.", err=True)
        out += _unblocked([Recipient(contact=r.contact, variables={**r.variables, **variables}, where=r.where)
                           for r in rows], blocked, f"in {contacts_file.name}")
    for address in to:
        out.append(Recipient(contact=_contact_for(book, address, name, referred_by, may_use_name),
                             variables=variables, where=f"--to {address}"))
    if not out:
        raise click.UsageError("give at least one --to ADDRESS, --contact ADDRESS, --tag TAG or --contacts FILE.csv")
    return out


def _unblocked(recipients: list[Recipient], blocked: Callable[[str], str | None], what: str) -> list[Recipient]:
    """The recipients of a batch minus those on the do-not-contact list or bouncing, which are counted."""
    from ..compose.addresses import validate_address
    from ..errors import AddressError

    keep = []
    for r in recipients:
        try:
            key = validate_address(r.contact.email).key
        except AddressError:
            keep.append(r)
            continue
        if not blocked(key):
            keep.append(r)
    if len(keep) < len(recipients):
        echo(f"Skipping {len(recipients) - len(keep)} contacts {what} on the do-not-contact list or whose"
                   " address bounced.", err=True)
    return keep


@cli.command()
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


@cli.command()
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
        recipients = []
        if due:
            from .threads import due_recipients
            from ..compose.render import Renderer

            kind = Renderer(config.template_dirs).template(template).info.kind
            recipients = due_recipients(store, config, kind, variables, template)
            if not recipients:
                echo(f"No {kind} is due.")
                sys.exit(0)
        if target or limit:
            recipients += _target_recipients(store, config, template, target, limit, variables)
        if to or contacts_file or tags or refs or not (due or target):
            recipients += _recipients(to, name, contacts_file, variables, referred_by, may_use_name, book, tags, refs)
        if target and not recipients:
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


def _account(config: Config, username: str | None, for_imap: bool) -> tuple[str, str]:
    """The username whose password ``login``/``logout`` handle, and its keyring key."""
    from ..credentials import imap_key

    section = "imap" if for_imap else "smtp"
    server = config.imap if for_imap else config.smtp
    user = username or (server.username if server else "")
    if not user:
        raise ConfigError(f"no {section.upper()} username: set username in [{section}] of the config,"
                          " or pass --username")
    return user, imap_key(user) if for_imap else user


@cli.command()
@click.option("--username", help="SMTP username (default: [smtp] username from the config).")
@click.option("--password-stdin", is_flag=True, help="Read the password as one line from standard input.")
@click.option("--imap", "for_imap", is_flag=True, help="Store the IMAP password ([imap] username) instead.")
def login(username: str | None, password_stdin: bool, for_imap: bool) -> None:
    """Store the SMTP (or IMAP) password in the OS keyring."""
    from ..credentials import plain_text_backend, set_password

    with errors():
        user, key = _account(load(), username, for_imap)
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        elif not sys.stdin.isatty():
            raise CredentialsError("standard input is not a terminal; use --password-stdin to pipe the password in")
        else:
            import getpass

            password = getpass.getpass(f"{'IMAP' if for_imap else 'SMTP'} password for {user}: ")
        set_password(key, password)
    kind = "IMAP" if for_imap else "SMTP"
    plain = plain_text_backend()
    if plain:
        echo(f"Stored the {kind} password for {user} with the keyring backend {plain}, which keeps it in plain"
             " text: anyone who can read that file can read the password. Prefer a system keyring (GNOME Keyring,"
             " KWallet, macOS Keychain, Windows Credential Locker) where there is one.", err=True)
    else:
        echo(f"Stored the {kind} password for {user} in the OS keyring.")


@cli.command()
@click.option("--username", help="SMTP username (default: [smtp] username from the config).")
@click.option("--imap", "for_imap", is_flag=True, help="Remove the IMAP password instead.")
def logout(username: str | None, for_imap: bool) -> None:
    """Remove the SMTP (or IMAP) password from the OS keyring."""
    from ..credentials import delete_password

    with errors():
        user, key = _account(load(), username, for_imap)
        removed = delete_password(key)
    echo(f"Removed the password for {user}." if removed else f"No password was stored for {user}.")


@cli.group(invoke_without_command=True)
@click.option("--status", type=click.Choice(["queued", "sending", "sent", "failed", "deferred", "unknown"]))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per message.")
@click.pass_context
def journal(ctx: click.Context, status: str | None, as_json: bool) -> None:
    """List the messages in the send journal (what was sent, failed, or is unknown)."""
    if ctx.invoked_subcommand is not None:
        return
    from ..models import Status

    with errors():
        with open_store(load()) as store:
            rows = store.messages(Status(status) if status else None)
    to_width = max((len(e.contact) for e in rows), default=0)
    template_width = max((len(e.template) for e in rows), default=0)
    for e in rows:
        if as_json:
            echo(json.dumps({"key": e.key, "to": e.contact, "message_id": e.message_id, "status": e.status.value,
                                   "template": e.template, "subject": e.subject, "reply": e.reply,
                                   "batch": e.batch, "created_at": e.created_at, "sent_at": e.sent_at}))
        else:
            echo(f"{e.created_at[:19]}  {e.status.value:<8}  {e.template:<{template_width}}  "
                       f"{e.contact:<{to_width}}  {e.message_id}")
            if e.reply and e.status.value != "sent":
                echo(f"{'':<21}{e.reply}")


@journal.command("resolve")
@click.argument("message_id")
@click.option("--sent", "as_sent", is_flag=True, help="It did arrive: record it as sent.")
@click.option("--resend", is_flag=True, help="It did not arrive: queue it to be sent by the next run.")
def journal_resolve(message_id: str, as_sent: bool, resend: bool) -> None:
    """Settle a message whose outcome is unknown."""
    from ..models import Status

    if as_sent == resend:
        raise click.UsageError("give exactly one of --sent or --resend")
    with errors():
        with open_store(load()) as store:
            changed = store.resolve(message_id, Status.SENT if as_sent else Status.QUEUED)
    if not changed:
        fail(f"no message with outcome unknown has Message-ID {message_id}", EXIT_USAGE)
    echo("Recorded as sent." if as_sent else "Queued: the next run of the same send command sends it.")


@journal.command("retry")
@click.argument("message_id", required=False)
@click.option("--failed", "all_failed", is_flag=True, help="Every failed message (of --batch, if given).")
@click.option("--batch", help="With --failed: only the failed messages of this batch (see `journal --json`).")
def journal_retry(message_id: str | None, all_failed: bool, batch: str | None) -> None:
    """Queue a failed message again, once the address or the server is fixed; the same send command sends it."""
    if (message_id is None) == (not all_failed) or (batch and not all_failed):
        raise click.UsageError("give a MESSAGE-ID, or --failed [--batch BATCH]")
    with errors():
        with open_store(load()) as store:
            queued = store.retry(message_id, batch=batch)
    if not queued:
        fail(f"no failed message has Message-ID {message_id}" if message_id else "no failed message to retry",
             EXIT_USAGE)
    echo(f"Queued {len(queued)} failed message{'s' if len(queued) != 1 else ''} again: run the same send command"
               " (or `outreach follow-up --all` for follow-ups) to send them.")


cli.add_command(contacts)
cli.add_command(lint_cmd)
cli.add_command(prep_cmd)
cli.add_command(config_group)
for _command in (*THREAD_COMMANDS, *TARGET_COMMANDS):
    cli.add_command(_command)


def main() -> None:
    """Entry point of the ``outreach`` console script."""
    try:
        cli(prog_name="outreach", standalone_mode=False)
    except click.exceptions.Abort:
        echo("\nInterrupted; nothing was left half-written.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            echo(exc.ctx.get_usage(), err=True)
            echo(f"Try '{exc.ctx.command_path} -h' for help.\n", err=True)
        echo(f"Error: {exc.format_message()}", err=True)
        sys.exit(EXIT_USAGE if isinstance(exc, click.UsageError) else exc.exit_code)
