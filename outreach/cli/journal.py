"""``outreach journal``: the messages in the send journal, and settling those whose outcome is unknown."""

from __future__ import annotations

import json

import click

from .common import EXIT_USAGE, echo, errors, fail, load, open_store

__all__ = ["journal"]


@click.group(invoke_without_command=True)
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
