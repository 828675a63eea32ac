"""``outreach log / threads / thread / due / landed / follow-up``: the conversation lifecycle."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path

from typing import TYPE_CHECKING

import click

from ..kinds import ThreadState
from .common import EXIT_OK, EXIT_USAGE, RATE, app, echo, errors, fail, load, now, open_store

if TYPE_CHECKING:
    from ..book.people import Person
    from ..lifecycle.threads import ThreadView
    from ..config import Config
    from ..models import Recipient
    from ..store.db import Store

__all__ = ["COMMANDS", "due_recipients"]


def _when(text: str | None, option: str = "--at") -> datetime:
    """``now``, ``today``, ``yesterday``, ``2026-12-01`` or ``2026-12-01 14:30`` (local time) as an aware datetime.

    A meeting's date (``--scheduled``, ``--rescheduled``) may also be ``tomorrow``.
    """
    current = now()
    if text is None or text in ("now", "today"):
        return current
    if text == "yesterday":
        return current - timedelta(days=1)
    if text == "tomorrow" and option in ("--scheduled", "--rescheduled"):
        return current + timedelta(days=1)
    try:
        value = datetime.fromisoformat(text)
        value = value if value.tzinfo else value.astimezone()
        if not 1900 <= value.astimezone(timezone.utc).year <= 2999:
            raise ValueError(text)
    except (ValueError, OverflowError):
        raise click.BadParameter(f"{text!r} is not a date like 2026-12-01 or 2026-12-01 14:30 (or today, yesterday"
                                 f"{', tomorrow' if option in ('--scheduled', '--rescheduled') else ''})"
                                 " between the years 1900 and 2999", param_hint=option) from None
    return value


def _meeting(text: str, option: str, where: str | None) -> dict[str, object]:
    """The detail of a meeting event given on the command line: a date alone is an all-day meeting."""
    from ..lifecycle.logbook import meeting_detail

    when, all_day = _when(text, option), len(text.strip()) <= 10
    current = now()
    if (when.date() < current.astimezone(when.tzinfo).date()) if all_day else when < current - timedelta(minutes=1):
        raise click.BadParameter(
            f"{text!r} is in the past (it is now {current.astimezone():%Y-%m-%d %H:%M}); give the meeting's coming"
            " date, e.g. tomorrow or 2026-12-01 14:30 (a meeting that already took place: --met --at DATE)",
            param_hint=option)
    return meeting_detail(when, all_day=all_day, where=where)


def _person(store: Store, contact: str, *, new: bool = False, hint: str = "") -> Person:
    """The person CONTACT names; an unknown address is refused with the closest known one (exit 2)."""
    from ..book.people import People, UnknownPersonError

    try:
        return People(store).resolve(contact, new=new)
    except UnknownPersonError as exc:
        fail(f"{exc}{hint}", EXIT_USAGE)


_EVENTS = ("--replied", "--scheduled DATE", "--rescheduled DATE", "--cancelled", "--met", "--note TEXT",
           "--question TEXT", "--referral ADDRESS", "--closed")


@click.command("log")
@click.argument("contact")
@click.option("--replied", is_flag=True, help="They answered.")
@click.option("--scheduled", "scheduled", metavar="DATE", help="A meeting is set for DATE (and time).")
@click.option("--rescheduled", "rescheduled", metavar="DATE", help="The meeting moved to DATE (and time).")
@click.option("--cancelled", is_flag=True, help="The meeting was cancelled; the conversation stays open.")
@click.option("--where", help="Where the meeting is (with --scheduled or --rescheduled).")
@click.option("--met", is_flag=True, help="You had the conversation.")
@click.option("--note", "note", metavar="TEXT", help="Add a note to the thread.")
@click.option("--question", "question", metavar="TEXT", help="A question to ask them (shown by `outreach prep`).")
@click.option("--referral", "referral", metavar="ADDRESS", help="They referred you to someone (with --name).")
@click.option("--closed", is_flag=True, help="The conversation is over: nothing more is due.")
@click.option("--learned", metavar="TEXT", help="With --met: what you learned (the thank-you uses it).")
@click.option("--action", metavar="TEXT", help="With --met: what you will do (the thank-you and check-in use it).")
@click.option("--notes", help="With --met: anything else to remember.")
@click.option("--name", help="The referred person's name (with --referral), or CONTACT's (with --met --event).")
@click.option("--may-use-name", is_flag=True, help="With --referral: you may mention CONTACT's name to them.")
@click.option("--referrer-name", metavar="NAME", help="With --referral: CONTACT's name, when it is not known yet.")
@click.option("--event", metavar="NAME|ID", help="With --met: the networking event where you met.")
@click.option("--company", help="With --met --event: CONTACT's organisation (when CONTACT is new to the book).")
@click.option("--new", "new", is_flag=True, help="CONTACT is someone new: record it even though no message went to it.")
@click.option("--at", "at", metavar="DATE", help="When it happened (default now), e.g. yesterday or 2026-12-01.")
@click.option("--json", "as_json", is_flag=True, help="Print the thread and its state after the event as JSON.")
def log_cmd(contact: str, replied: bool, scheduled: str | None, rescheduled: str | None, cancelled: bool,
            where: str | None, met: bool, note: str | None, referral: str | None, closed: bool, learned: str | None,
            action: str | None, notes: str | None, name: str | None, may_use_name: bool, referrer_name: str | None,
            event: str | None, company: str | None, new: bool, at: str | None, question: str | None,
            as_json: bool) -> None:
    """Record one thing that happened with CONTACT off-line: a reply, a meeting, a note, a referral."""
    from ..lifecycle.agenda import policy_from
    from ..lifecycle.followups import thread_state
    from ..lifecycle.logbook import log_event, log_referral

    given = [flag for flag, value in zip(_EVENTS, (replied, scheduled, rescheduled, cancelled, met, note, question,
                                                   referral, closed)) if value]
    if len(given) != 1:
        raise click.UsageError(f"give exactly one of {', '.join(_EVENTS)}" +
                               (f" (one event per call; got {' and '.join(given)})" if given else ""))
    if (learned or action or notes) and not met:
        raise click.UsageError("--learned, --action and --notes go with --met")
    if where and not (scheduled or rescheduled):
        raise click.UsageError("--where goes with --scheduled or --rescheduled")
    if (may_use_name or referrer_name) and not referral:
        raise click.UsageError("--may-use-name and --referrer-name go with --referral")
    if (event or company) and not met:
        raise click.UsageError("--event and --company go with --met")
    if company and not event:
        raise click.UsageError("--company goes with --met --event (CONTACT's organisation, for someone new)")
    if name and not (referral or event):
        raise click.UsageError("--name goes with --referral (the referred person) or --met --event (CONTACT)")
    if referral and not name:
        raise click.UsageError("--referral needs --name (the referred person's name)")
    when = _when(at)
    config = load()
    with errors():
        store = open_store(config)
        person = _person(store, contact, new=new or bool(event),
                         hint=" (if it is someone new, add --new to record it anyway)")
        if referral:
            assert name is not None
            view = log_referral(store, person, referral, name, when, may_use_name=may_use_name,
                                referrer_name=referrer_name)
        elif scheduled or rescheduled:
            kind, date = ("scheduled", scheduled) if scheduled else ("rescheduled", rescheduled)
            assert date is not None
            view = log_event(store, person, kind, when, _meeting(date, f"--{kind}", where))
        elif note or question:
            view = log_event(store, person, "note" if note else "question", when, {"text": note or question})
        else:
            kind = "replied" if replied else "cancelled" if cancelled else "met" if met else "closed"
            detail: dict[str, object] = {"learned": learned, "action": action, "notes": notes}
            if event:
                from ..targets.events import met_at_event

                detail.update(met_at_event(store, person.email, event, when, name=name, company=company))
            view = log_event(store, person, kind, when, detail)
    state = thread_state(view, now(), policy_from(config))
    known = person.name or (name if event else "") or ""  # --met --event --name names someone new
    if as_json:
        echo(json.dumps({**_thread_json(view, state), "name": known}, ensure_ascii=False))
        return
    who = f"{known} <{person.key}>" if known else person.key
    echo(f"Logged on the thread with {who} ({view.subject or 'no email yet'}): now {state}.")


@click.command("landed")
@click.option("--company", required=True, help="Where you are going.")
@click.option("--role", required=True, help="Your new role.")
@click.option("--at", "at", metavar="DATE", help="When (default now).")
def landed_cmd(company: str, role: str, at: str | None) -> None:
    """Record the job you landed: a job-update falls due for everyone who replied or met you."""
    with errors():
        owed = app().landed(company, role, at=_when(at))
    echo(f"Congratulations! A job-update is now due to the {len(owed)} people who replied or met you:")
    for person in owed:
        echo(f"  {person.name} <{person.email}>" if person.name else f"  {person.email}")
    echo("Send them all, each in their thread (the role and company come from here): "
         "outreach send job-update --due")


@click.command("threads")
@click.option("--state", type=click.Choice([state.value for state in ThreadState]), help="Only threads in this state.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per thread.")
def threads_cmd(state: str | None, as_json: bool) -> None:
    """List conversations with their state, most recently active first."""
    with errors():
        found = app().threads(state)
    for thread in found:
        view, current = thread.view, thread.state
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
    if kind in ("scheduled", "rescheduled"):
        date = str(detail.get("date", ""))[: 10 if detail.get("all_day") else 16].replace("T", " ")
        return f"meeting {kind} for {date}" + (f" at {detail['where']}" if detail.get("where") else "")
    if kind == "cancelled":
        return "meeting cancelled"
    if kind == "readdressed":
        return f"address corrected from {detail.get('from')} to {detail.get('to')}"
    if kind == "referral":
        return f"referred you to {detail.get('name')} <{detail.get('address')}>"
    return kind + "".join(f" {k}={v}" for k, v in detail.items())


def _history(view: ThreadView) -> list[tuple[datetime, str]]:
    """A thread's messages and events, oldest first, one line each."""
    return sorted([(m.at, f"sent {m.kind or m.template}: {m.subject} {m.message_id}" +
                    (" (outcome unknown)" if m.status == "unknown" else "")) for m in view.messages] +
                  [(e.at, _describe(e.kind, e.detail)) for e in view.events])


def _thread_json(view: ThreadView, state: str) -> dict[str, object]:
    """A thread as ``thread --json`` and ``log --json`` print it."""
    return {"thread_id": view.id, "contact": view.contact, "subject": view.subject, "state": state,
            "history": [{"at": at.isoformat(), "what": what} for at, what in _history(view)]}


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
        store = open_store(config)
        person = _person(store, contact)
        view = Threads(store).latest(person.key, include_closed=True)
    if view is None:
        fail(f"no thread with {person.key} yet", EXIT_USAGE)
    state = thread_state(view, now(), policy_from(config))
    history = _history(view)
    if as_json:
        echo(json.dumps(_thread_json(view, state), ensure_ascii=False))
        return
    who = f"{person.name} <{view.contact}>" if person.name else view.contact
    echo(f"{who}: {view.subject or '(no email yet)'} [{state}]")
    for at, what in history:
        echo(f"  {at:%Y-%m-%d %H:%M}  {what}")


@click.command("due")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per item.")
@click.option("--ics", "ics", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the items as calendar to-dos to this .ics file.")
@click.option("--upcoming", type=click.IntRange(0, 36500), default=0, help="Also list what falls due within N days.")
def due_cmd(as_json: bool, ics: Path | None, upcoming: int) -> None:
    """What you owe whom, oldest first, with why: follow-ups, thank-yous, check-ins, job updates."""
    from .listings import show_due

    show_due(as_json, ics, upcoming, now)


def due_recipients(store: Store, config: Config, kind: str, variables: dict[str, str],
                   template: str | None = None) -> list[Recipient]:
    """The recipients of ``kind`` due now (see :func:`outreach.lifecycle.agenda.due_recipients`); skips are counted."""
    from ..lifecycle.agenda import due_recipients as due

    recipients, skipped = due(store, config, kind, variables, now(), template)
    if skipped:
        echo(f"Skipping {skipped} on the do-not-contact list or whose address bounced.", err=True)
    return recipients


@click.command("follow-up")
@click.option("--all", "send_all", is_flag=True, help="Send every follow-up that is due now (without it: list them).")
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
        recipients = due_recipients(store, config, "follow-up", parse_vars(var), "follow-up")
    if not recipients:
        echo("No follow-up is due.")
        sys.exit(EXIT_OK)
    if not send_all:
        for r in recipients:
            echo(f"follow-up  {r.contact.name or '-':<24} {r.contact.email}")
        echo(f"{len(recipients)} follow-ups are due. Send them, each in its thread: outreach follow-up --all")
        sys.exit(EXIT_OK)
    sys.exit(run_batch(app(config, store), "follow-up", recipients, dry_run=dry_run, rate=rate, as_json=as_json,
                       connections=connections))


@click.command("sync")
@click.option("--since", metavar="DATE", help="Only look at messages from this date on.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def sync_cmd(since: str | None, as_json: bool) -> None:
    """Read your mailbox over IMAP: replies mark threads replied, bounces and out-of-office are noted."""
    config = load()
    with errors(as_json):
        report = app(config).sync(since=_when(since, "--since").date() if since else None)
    if as_json:
        echo(json.dumps(report.as_json(), ensure_ascii=False))
        return
    for line in report.lines():
        echo(line)


COMMANDS = (log_cmd, landed_cmd, threads_cmd, thread_cmd, due_cmd, follow_up_cmd, sync_cmd)
