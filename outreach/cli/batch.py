"""Running one batch from the command line: Ctrl-C handling, progress and the summary, around ``Outreach.send``."""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, echo, errors

if TYPE_CHECKING:
    from ..errors import Problem
    from ..models import BatchOptions, Outcome, Recipient
    from ..send import Summary
    from ..service import Outreach

__all__ = ["parse_vars", "run_batch"]


def parse_vars(pairs: tuple[str, ...], option: str = "--var") -> dict[str, str]:
    """``KEY=VALUE`` pairs from ``--var`` as a dict."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint=option)
        out[key.strip()] = value
    return out


class _Aborted(BaseException):
    """Ctrl-C or SIGTERM while the batch was still being checked: nothing had been sent."""


@contextmanager
def _graceful_stop(stop: threading.Event, sending: threading.Event, quiet: bool) -> Iterator[None]:
    """Before ``sending``, Ctrl-C or SIGTERM abort the batch at once; then the first finishes the message in flight."""

    def handler(signum: int, frame: object) -> None:
        if not sending.is_set():
            sending.set()  # a second signal while this one unwinds must not abort the abort
            raise _Aborted
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


def _print_warnings(warnings: Sequence[Problem], as_json: bool) -> None:
    """Lint warnings, listed before anything is sent: JSON lines on standard output with ``--json``."""
    for w in warnings:
        if as_json:
            echo(json.dumps({"lint": "warning", "where": w.where, "message": w.message}, ensure_ascii=False))
        else:
            echo(f"Warning: {w}", err=True)


def run_batch(app: Outreach, template: str, recipients: Iterable[Recipient], *, dry_run: bool, rate: float | None,
              as_json: bool, options: BatchOptions | None = None, connections: int | None = None) -> int:
    """Validate, journal and send one batch through ``app`` with progress and a summary; return the exit code."""
    stop = threading.Event()
    sending = threading.Event()
    warnings: list[Problem] = []
    bar: Any = None
    dry = dry_run or app.config.smtp is None

    def start(count: int) -> None:
        nonlocal bar
        sending.set()
        _print_warnings(warnings, as_json)
        if sys.stderr.isatty() and not as_json and count > 1:
            bar = click.progressbar(length=count, label="Sending", file=sys.stderr)
            bar.__enter__()

    def report(outcome: Outcome) -> None:
        if as_json:
            echo(json.dumps(outcome.as_json()))
        elif bar is None:
            echo(_line(outcome))
        else:
            bar.update(1)

    with errors(as_json):
        try:
            with _graceful_stop(stop, sending, as_json):
                summary = app.send(template, recipients, options=options, dry_run=dry_run, rate_per_minute=rate,
                                   connections=connections, stop=stop, on_outcome=report, on_start=start,
                                   warnings=warnings, keep_outcomes=False)
        except _Aborted:
            echo("Interrupted while checking the batch: nothing was sent.", err=True)
            return EXIT_INTERRUPTED
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
    for note in summary.notes:
        echo(note, err=True)
    for entry in summary.recovered:
        echo(f"Note: {entry.contact} ({entry.message_id}) was interrupted while sending earlier and is"
             " now marked unknown.", err=True)
    _print_summary(summary, dry_run=dry, outbox=app.config.outbox_dir, err=as_json)
    if summary.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if summary.ok else EXIT_FAILED
