"""Running one batch from the command line: transport, Ctrl-C handling, progress and the summary."""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, echo, errors
from ..errors import ConfigError

if TYPE_CHECKING:
    from ..send import Recipient, Summary
    from ..config import Config
    from ..mailbox.imap import Mailbox
    from ..models import Outcome, Sender
    from ..store.db import Store
    from ..transports.base import Transport

__all__ = ["imap_mailbox", "parse_vars", "run_batch", "sender_of"]


def sender_of(config: Config) -> Sender:
    """The configured sender, or an error that says to run ``outreach init``."""
    if config.sender is None:
        raise ConfigError(
            "no sender configured; run `outreach init --name \"Your Name\" --email you@example.com` first"
        )
    return config.sender


def parse_vars(pairs: tuple[str, ...], option: str = "--var") -> dict[str, str]:
    """``KEY=VALUE`` pairs from ``--var`` as a dict."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint=option)
        out[key.strip()] = value
    return out


def _transport(config: Config, dry_run: bool) -> Transport:
    from ..transports.file import OutboxTransport

    if dry_run or config.smtp is None:
        return OutboxTransport(config.outbox_dir)
    from ..credentials import get_password
    from ..transports.smtp import SmtpTransport

    smtp = config.smtp
    password = get_password(smtp.username) if smtp.username else ""
    return SmtpTransport(
        smtp.host, smtp.port, security=smtp.security, username=smtp.username, password=lambda: password,
        allow_insecure_auth=smtp.allow_insecure_auth, ca_file=smtp.ca_file, timeout=smtp.timeout,
    )


@contextmanager
def _graceful_stop(stop: threading.Event, quiet: bool) -> Iterator[None]:
    """First Ctrl-C (or SIGTERM) finishes the message in flight and stops; a second one quits at once."""

    def handler(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        if not quiet:
            echo("\nStopping after the message in flight (Ctrl-C again to quit at once)...", err=True)

    old_int = signal.signal(signal.SIGINT, handler)
    old_term = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGTERM, old_term)


def _line(o: Outcome) -> str:
    label = o.status.value
    if o.earlier:
        label += " (other run)" if o.status.value == "sending" else " (earlier run)"
    extra = f"  {o.path}" if o.path else (f"  {o.reply}" if o.reply and o.status.value != "sent" else "")
    return f"{label:<22} {o.to}{extra}"


def _print_summary(summary: Summary, *, dry_run: bool, outbox: Path, err: bool) -> None:
    counts = summary.counts
    labels = {"earlier": "already done by an earlier run", "elsewhere": "being sent by another outreach process"}
    parts = [f"{n} {labels.get(status, status)}" for status, n in sorted(counts.items())]
    echo(("Interrupted: " if summary.interrupted else "Done: ") + (", ".join(parts) or "nothing to do"), err=err)
    if dry_run:
        echo(f"Dry run: messages were written to {outbox} (nothing was sent).", err=err)
    if summary.gave_up:
        echo("The server gave temporary failures to several messages in a row, so the batch stopped trying;"
             " the rest are deferred.", err=err)
    if counts.get("elsewhere"):
        echo("Another outreach run is sending some of these messages now; each is sent once, by one run.", err=err)
    if counts.get("deferred"):
        echo("Deferred messages got a temporary error; run the same command later to retry them.", err=err)
    if counts.get("failed"):
        echo("Failed messages were refused by the server; see `outreach journal --status failed`.", err=err)
    if counts.get("unknown"):
        echo(
            "Unknown: the connection was lost after sending, so they may have arrived. They are not resent;"
            " check your Sent folder, then `outreach journal resolve MESSAGE-ID --sent` or `--resend`.", err=err)
    if summary.interrupted or counts.get("queued"):
        echo("Run the same command again to send the rest; nothing already sent is sent twice.", err=err)


def imap_mailbox(config: Config) -> Mailbox:
    """The configured IMAP mailbox, with its password read from the keyring now."""
    from ..credentials import get_imap_password
    from ..mailbox.imap import Mailbox

    assert config.imap is not None
    password = get_imap_password(config.imap.username)
    return Mailbox(config.imap, lambda: password)


class _SentCopies:
    """Appends each sent message to the Sent folder; a failure is reported, never fatal."""

    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store
        self.mailbox: Mailbox | None = None
        self.failures: list[str] = []

    def __call__(self, outcome: Outcome) -> None:
        from ..errors import OutreachError
        from ..models import Status

        if outcome.status is not Status.SENT or outcome.earlier:
            return
        try:
            if self.mailbox is None:
                self.mailbox = imap_mailbox(self.config)
            entry = self.store.get(outcome.key)
            assert entry is not None
            self.mailbox.append_sent(entry.data)
        except OutreachError as exc:
            self.failures.append(f"{outcome.to}: {exc}")

    def close(self) -> None:
        if self.mailbox is not None:
            self.mailbox.close()


def run_batch(config: Config, template: str, recipients: Sequence[Recipient], *, store: Store, dry_run: bool,
              rate: float | None, as_json: bool, attachments: Sequence[Path] = (), again: bool = False,
              check_deliverability: bool = False, typo_check: bool = True, connections: int | None = None) -> int:
    """Validate, journal and send one batch with progress and a summary; return the exit code."""
    from ..send import prepare_batch, queue_batch, send_batch
    from ..book.contacts import ContactBook
    from ..compose.render import Renderer

    with errors():
        sender = sender_of(config)
        transport = _transport(config, dry_run)
        prepare = queue_batch if transport.journaled else prepare_batch
        entries = prepare(
            template, recipients, sender=sender, renderer=Renderer(config.template_dirs), attachments=attachments,
            store=store, check_deliverability=check_deliverability or config.check_deliverability, again=again,
            typo_check=typo_check, is_blocked=ContactBook(store).blocked_checker(),
        )
        width = config.connections if connections is None else connections
        stop = threading.Event()
        show_bar = sys.stderr.isatty() and not as_json and len(entries) > 1
        per_minute = (config.rate_per_minute if rate is None else rate) if transport.journaled else 0.0

        copies = _SentCopies(config, store) if (config.imap and config.imap.save_sent and transport.journaled) else None

        def report(outcome: Outcome) -> None:
            if copies is not None:
                copies(outcome)
            if as_json:
                echo(json.dumps(outcome.as_json()))
            elif not show_bar:
                echo(_line(outcome))

        with _graceful_stop(stop, as_json):
            if show_bar:
                with click.progressbar(length=len(entries), label="Sending", file=sys.stderr) as bar:

                    def advance(outcome: Outcome) -> None:
                        report(outcome)
                        bar.update(1)

                    summary = send_batch(entries, transport, store, stop=stop, rate_per_minute=per_minute,
                                         on_outcome=advance, connections=width,
                                         give_up_after=config.give_up_after)
            else:
                summary = send_batch(entries, transport, store, stop=stop, rate_per_minute=per_minute,
                                     on_outcome=report, connections=width,
                                     give_up_after=config.give_up_after)
        if copies is not None:
            copies.close()
            for failure in copies.failures:
                echo(f"Could not save a copy in the Sent folder (the message was sent): {failure}", err=True)
        for entry in summary.recovered:
            echo(f"Note: {entry.contact} ({entry.message_id}) was interrupted while sending earlier and is"
                 " now marked unknown.", err=True)
    _print_summary(summary, dry_run=not transport.journaled, outbox=config.outbox_dir, err=as_json)
    if summary.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if summary.ok else EXIT_FAILED
