"""``outreach log / threads / thread / due / landed / follow-up``: the conversation lifecycle."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path

from typing import TYPE_CHECKING

import click

from .common import EXIT_FAILED, EXIT_OK, RATE, echo, errors, fail, load, open_store

if TYPE_CHECKING:
    from ..config import Config
    from ..compose.prepare import Recipient
    from ..store.db import Store

__all__ = ["COMMANDS", "due_recipients"]


def _when(text: str | None) -> datetime:
    """``today``, ``yesterday``, ``2026-12-01`` or ``2026-12-01 14:30`` (local time) as an aware datetime."""
    now = datetime.now(timezone.utc)
    if text is None or text == "now" or text == "today":
        return now
    if text == "yesterday":
        return now - timedelta(days=1)
    try:
        value = datetime.fromisoformat(text)
        value = value if value.tzinfo else value.astimezone()
        if not 1900 <= value.astimezone(timezone.utc).year <= 2999:
            raise ValueError(text)
    except (ValueError, OverflowError):
        raise click.BadParameter(f"{text!r} is not a date like 2026-12-01 or 2026-12-01 14:30"
                                 " between the years 1900 and 2999") from None
    return value


def _key(address: str) -> str:
    from ..compose.addresses import validate_address

    return validate_address(address).key


@click.command("log")
@click.argument("contact")
@click.option("--replied", "what", flag_value="replied", help="They answered.")
@click.option("--scheduled", "scheduled", metavar="DATE", help="A meeting is set for DATE.")
@click.option("--met", "what", flag_value="met", help="You had the conversation.")
@click.option("--note", "note", metavar="TEXT", help="Add a note to the thread.")
@click.option("--referral", "referral", metavar="ADDRESS", help="They referred you to someone (with --name).")
@click.option("--closed", "what", flag_value="closed", help="The conversation is over: nothing more is due.")
@click.option("--notes", help="What you learned (with --met).")
@click.option("--name", help="The referred person's name (with --referral), or CONTACT's (with --event).")
@click.option("--may-use-name", is_flag=True, help="With --referral: you may mention CONTACT's name to them.")
@click.option("--event", metavar="NAME|ID", help="With --met: the networking event where you met.")
@click.option("--company", help="With --met --event: CONTACT's organisation (when CONTACT is new to the book).")
@click.option("--at", "at", metavar="DATE", help="When it happened (default now), e.g. yesterday or 2026-12-01.")
def log_cmd(contact: str, what: str | None, scheduled: str | None, note: str | None, referral: str | None,
            notes: str | None, name: str | None, may_use_name: bool, event: str | None, company: str | None,
            at: str | None) -> None:
    """Record what happened with CONTACT off-line: a reply, a meeting, a note, a referral."""
    from ..book.contacts import ContactBook
    from ..lifecycle.threads import Threads

    chosen = [k for k, v in (("what", what), ("scheduled", scheduled), ("note", note), ("referral", referral)) if v]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --replied, --scheduled DATE, --met, --note TEXT, "
                               "--referral ADDRESS or --closed")
    if referral and not name:
        raise click.UsageError("--referral needs --name")
    if (event or company) and what != "met":
        raise click.UsageError("--event and --company go with --met")
    when = _when(at)
    with errors():
        store = open_store(load())
        key = _key(contact)
        threads = Threads(store)
        if what:
            detail = {"notes": notes} if notes else {}
            if event:
                from .targets import met_at_event

                detail.update(met_at_event(store, contact, event, when, name, company))
            view = threads.log(key, what, when, detail)
        elif scheduled:
            view = threads.log(key, "scheduled", when, {"date": _when(scheduled).isoformat()})
        elif note:
            view = threads.log(key, "note", when, {"text": note})
        else:
            assert referral is not None and name is not None
            book = ContactBook(store)
            try:
                book.get(key)
            except Exception:
                book.add(contact)
            added = book.add(referral, name=name, referred_by=contact, may_use_name=may_use_name)
            view = threads.log(key, "referral", when, {"address": added.email, "name": name,
                                                       "may_use_name": may_use_name})
    from ..lifecycle.agenda import policy_from
    from ..lifecycle.followups import thread_state

    echo(f"Logged on the thread with {key} ({view.subject or 'no email yet'}): now "
         f"{thread_state(view, datetime.now(timezone.utc), policy_from(load()))}.")


@click.command("landed")
@click.option("--company", required=True, help="Where you are going.")
@click.option("--role", required=True, help="Your new role.")
@click.option("--at", "at", metavar="DATE", help="When (default now).")
def landed_cmd(company: str, role: str, at: str | None) -> None:
    """Record the job you landed: a job-update falls due for everyone who replied or met you."""
    from ..lifecycle.threads import Threads

    with errors():
        Threads(open_store(load())).record_milestone("landed", _when(at), {"company": company, "role": role})
    echo(f"Congratulations! `outreach due` now lists a job-update for everyone who helped.\n"
         f"Send them with: outreach send job-update --contact ADDRESS --var new_role=\"{role}\" "
         f"--var new_company=\"{company}\"")


@click.command("threads")
@click.option("--state", type=click.Choice(["awaiting-reply", "replied", "meeting-scheduled", "met", "thanked",
                                            "in-touch", "quiet", "closed", "blocked"]), help="Only threads in this state.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per thread.")
def threads_cmd(state: str | None, as_json: bool) -> None:
    """List conversations with their state, most recently active first."""
    from ..lifecycle.agenda import policy_from
    from ..lifecycle.followups import thread_state
    from ..lifecycle.threads import Threads

    config = load()
    now = datetime.now(timezone.utc)
    with errors():
        views = Threads(open_store(config)).views()
    policy = policy_from(config)
    for view in sorted(views, key=lambda v: v.last_activity, reverse=True):
        current = thread_state(view, now, policy)
        if state and current != state:
            continue
        if as_json:
            echo(json.dumps({"thread_id": view.id, "contact": view.contact, "subject": view.subject,
                             "state": current, "messages": len(view.messages), "events": len(view.events),
                             "last_activity": view.last_activity.isoformat()}, ensure_ascii=False))
        else:
            echo(f"{view.last_activity:%Y-%m-%d}  {current:<17} {view.contact:<34} {view.subject}")


def _describe(kind: str, detail: Mapping[str, object]) -> str:
    """One line for an event in a thread's history."""
    if kind in ("replied", "auto-reply", "bounced") and detail.get("subject"):
        extra = {"auto-reply": f", back {detail['until']}" if detail.get("until") else "",
                 "bounced": f": {detail.get('reason', '')}"}.get(kind, "")
        return f"{kind}: {detail['subject']} (from {detail.get('from', '?')}){extra}"
    if kind == "scheduled":
        return f"meeting scheduled for {str(detail.get('date', ''))[:16]}"
    if kind == "referral":
        return f"referred you to {detail.get('name')} <{detail.get('address')}>"
    return kind + "".join(f" {k}={v}" for k, v in detail.items())


@click.command("thread")
@click.argument("contact")
@click.option("--json", "as_json", is_flag=True, help="Print the thread and its history as JSON.")
def thread_cmd(contact: str, as_json: bool) -> None:
    """Show the latest thread with CONTACT: state, messages and events, oldest first."""
    from ..lifecycle.agenda import policy_from
    from ..lifecycle.followups import thread_state
    from ..lifecycle.threads import Threads

    config = load()
    with errors():
        view = Threads(open_store(config)).latest(_key(contact), include_closed=True)
    if view is None:
        raise click.ClickException(f"no thread with {contact} yet")
    state = thread_state(view, datetime.now(timezone.utc), policy_from(config))
    history = sorted([(m.at, f"sent {m.kind or m.template}: {m.subject} {m.message_id}" +
                       (" (outcome unknown)" if m.status == "unknown" else "")) for m in view.messages] +
                     [(e.at, _describe(e.kind, e.detail)) for e in view.events])
    if as_json:
        echo(json.dumps({"thread_id": view.id, "contact": view.contact, "subject": view.subject, "state": state,
                         "history": [{"at": at.isoformat(), "what": what} for at, what in history]},
                        ensure_ascii=False))
        return
    echo(f"{view.contact}: {view.subject or '(no email yet)'} [{state}]")
    for at, what in history:
        echo(f"  {at:%Y-%m-%d %H:%M}  {what}")


@click.command("due")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per item.")
@click.option("--ics", "ics", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the items as calendar to-dos to this .ics file.")
@click.option("--upcoming", type=click.IntRange(0, 36500), default=0, help="Also list what falls due within N days.")
def due_cmd(as_json: bool, ics: Path | None, upcoming: int) -> None:
    """What you owe whom, oldest first, with why: follow-ups, thank-yous, check-ins, job updates."""
    from ..lifecycle.agenda import agenda

    config = load()
    now = datetime.now(timezone.utc)
    with errors():
        store = open_store(config)
        items = agenda(store, config, now, timedelta(days=upcoming))
        from ..targets.events import Events

        reminders = Events(store).reminders(now, timedelta(days=upcoming))
    if ics is not None:
        from ..lifecycle.ics import due_to_ics
        from ..private import write_private

        try:
            write_private(ics, due_to_ics(items, now))
        except OSError as exc:
            fail(f"cannot write {ics}: {exc.strerror or exc}", EXIT_FAILED)
    items = sorted([*items, *reminders], key=lambda i: (i.due_at, i.contact))
    for item in items:
        if as_json:
            echo(json.dumps(item.as_json(), ensure_ascii=False))
        else:
            when = "LATE " if item.late else ("due  " if item.due_at <= now else "soon ")
            echo(f"{when}{item.due_at:%Y-%m-%d}  {item.kind:<10} {item.contact:<34} {item.reason}")
    if not as_json:
        if not items:
            echo("Nothing is due. Well done.")
        if ics is not None:
            echo(f"Wrote {len(items) - len(reminders)} to-dos to {ics}.", err=True)


def due_recipients(store: Store, config: Config, kind: str, variables: dict[str, str]) -> list[Recipient]:
    """One recipient per item of ``kind`` due now, keyed by the item so that a re-run sends nothing twice."""
    from ..lifecycle.agenda import agenda
    from ..send import Recipient
    from ..book.contacts import ContactBook
    from ..errors import ContactError
    from ..models import Contact

    book = ContactBook(store)
    recipients = []
    for item in agenda(store, config, datetime.now(timezone.utc)):
        if item.kind != kind:
            continue
        try:
            contact = book.get(item.contact).as_contact()
        except ContactError:
            contact = Contact(email=item.contact)
        recipients.append(Recipient(contact, variables, where=f"thread with {item.contact}", key=item.key))
    return recipients


@click.command("follow-up")
@click.option("--all", "send_all", is_flag=True, required=True, help="Send every follow-up that is due now.")
@click.option("--dry-run", is_flag=True, help="Write them to the outbox instead of sending.")
@click.option("--var", "var", multiple=True, metavar="KEY=VALUE", help="A template variable for every message.")
@click.option("--rate", type=RATE, help="Messages per minute (0: no limit).")
@click.option("--connections", type=click.IntRange(1, 32), help="Send over N connections at once (default 1).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per message outcome.")
def follow_up_cmd(send_all: bool, dry_run: bool, var: tuple[str, ...], rate: float | None, connections: int | None,
                  as_json: bool) -> None:
    """Send every due follow-up as one batch, each in its own thread; safe to re-run."""
    from .batch import parse_vars, run_batch

    config = load()
    with errors():
        store = open_store(config)
        recipients = due_recipients(store, config, "follow-up", parse_vars(var))
    if not recipients:
        echo("No follow-up is due.")
        sys.exit(EXIT_OK)
    sys.exit(run_batch(config, "follow-up", recipients, store=store, dry_run=dry_run, rate=rate, as_json=as_json,
                       connections=connections))


@click.command("sync")
@click.option("--since", metavar="DATE", help="Only look at messages from this date on.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def sync_cmd(since: str | None, as_json: bool) -> None:
    """Read your mailbox over IMAP: replies mark threads replied, bounces and out-of-office are noted."""
    from ..compose.addresses import validate_address
    from .batch import imap_mailbox, sender_of
    from ..mailbox.sync import sync_mailbox

    config = load()
    with errors():
        if config.imap is None:
            raise click.UsageError("no [imap] in the config; see README.md, Reply detection")
        domain = validate_address(sender_of(config).email).envelope.rpartition("@")[2]
        report = sync_mailbox(open_store(config), imap_mailbox(config), sender_domain=domain,
                              folders=config.imap.folders, since=_when(since).date() if since else None)
    if as_json:
        echo(json.dumps(report.as_json(), ensure_ascii=False))
        return
    for r in report.replies:
        echo(f"replied     {r['contact']:<34} {r['subject']}")
    for r in report.auto_replies:
        echo(f"auto-reply  {r['contact']:<34} " + (f"back {r['until']}" if r["until"] else "no return date"))
    for r in report.bounces:
        echo(f"bounced     {r['contact']:<34} {r['reason']}")
    for r in report.probable:
        echo(f"probable    {r['contact']:<34} {r['subject']}  (confirm: {r['confirm']})")
    echo(f"Read {report.fetched} messages in {', '.join(report.folders) or 'no folder'}: {len(report.replies)}"
         f" replies, {len(report.auto_replies)} auto-replies, {len(report.bounces)} bounces,"
         f" {len(report.probable)} probable.")


COMMANDS = (log_cmd, landed_cmd, threads_cmd, thread_cmd, due_cmd, follow_up_cmd, sync_cmd)
