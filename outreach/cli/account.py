"""``outreach init / login / logout``: the config file and the passwords in the OS keyring."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from .common import EXIT_USAGE, echo, errors, fail, load
from ..errors import ConfigError, CredentialsError

if TYPE_CHECKING:
    from ..config import Config

__all__ = ["init", "login", "logout"]


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


@click.command()
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


@click.command()
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


@click.command()
@click.option("--username", help="SMTP username (default: [smtp] username from the config).")
@click.option("--imap", "for_imap", is_flag=True, help="Remove the IMAP password instead.")
def logout(username: str | None, for_imap: bool) -> None:
    """Remove the SMTP (or IMAP) password from the OS keyring."""
    from ..credentials import delete_password

    with errors():
        user, key = _account(load(), username, for_imap)
        removed = delete_password(key)
    echo(f"Removed the password for {user}." if removed else f"No password was stored for {user}.")
