"""``outreach targets / events / report``: target organisations, networking events, the progress report."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import EXIT_FAILED, EXIT_USAGE, app, echo, errors, fail, load, now

if TYPE_CHECKING:
    from ..models import Recipient
    from ..config import Config
    from ..store.db import Store
    from ..targets.progress import Report
    from ..targets.targets import Targets

__all__ = ["COMMANDS", "target_recipients"]


def _targets(config: Config, store: Store | None = None) -> Targets:
    """The targets of this command's :class:`~outreach.service.Outreach` (``[targets]`` of the config)."""
    return app(config, store).targets


def _date(text: str, option: str) -> datetime:
    """A date or date-time given on the command line (local time when no zone is given)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date like 2026-12-01", param_hint=option) from None
    return value if value.tzinfo else value.astimezone()


@click.group()
def targets() -> None:
    """The organisations you want to work for, and who you know at each."""


@targets.command("add")
@click.argument("name")
@click.option("--role", help="The role you look for there, e.g. \"Data Analyst\".")
@click.option("--alias", "aliases", multiple=True, help="Another name the organisation goes by (repeatable).")
@click.option("--notes", help="Anything to remember about it.")
@click.option("--priority", type=click.IntRange(1, 3), help="1 (highest) to 3; default 2.")
def add_cmd(name: str, role: str | None, aliases: tuple[str, ...], notes: str | None, priority: int | None) -> None:
    """Add a target organisation (or update it: aliases are added, other options replace)."""
    config = load()
    with errors():
        target = _targets(config).add(name, role=role, aliases=aliases, notes=notes, priority=priority)
    from ..targets.match import company_key

    also = f" (also {', '.join(target.aliases)})" if target.aliases else ""
    echo(f"Target {target.name}{also}, priority {target.priority}{': ' + target.role if target.role else ''}.")
    for alias in aliases:
        if company_key(alias) == company_key(target.name):
            echo(f"({alias!r} needs no alias: it is already written the way {target.name!r} matches.)")
    echo(f"See who you know there: outreach targets show {json.dumps(target.name)}")


@targets.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per target.")
def list_cmd(as_json: bool) -> None:
    """Every target with contacts known, written to, replied, met, referrals, and whether a job came of it."""
    config = load()
    with errors(as_json):
        summaries = _targets(config).list(now())
    if as_json:
        for s in summaries:
            echo(json.dumps(s.as_json(), ensure_ascii=False))
        return
    if not summaries:
        echo("No targets yet. Add the organisations you want to work for: outreach targets add \"Globex\"")
        return
    width = max(6, *(len(s.target.name) for s in summaries))
    echo(f"{'target':<{width}}  pri  known  written  replied  met  referrals  job  role")
    for s in summaries:
        echo(f"{s.target.name:<{width}}  {s.target.priority:>3}  {s.known:>5}  {s.written:>7}  {s.replied:>7}"
             f"  {s.met:>3}  {s.referrals:>9}  {'yes' if s.job else '-':>3}  {s.target.role}".rstrip())


@targets.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="The target, its people and the suggestions as JSON.")
def show_cmd(name: str, as_json: bool) -> None:
    """Who you know at NAME, with their state and referrer, then whom to write next."""
    config = load()
    with errors(as_json):
        view = _targets(config).show(name, now())
    if as_json:
        echo(json.dumps(view.as_json(), ensure_ascii=False))
        return
    s, t = view.summary, view.summary.target
    echo(f"{t.name}" + (f" (also {', '.join(t.aliases)})" if t.aliases else "")
               + (f", for {t.role}" if t.role else "") + f", priority {t.priority}")
    if t.notes:
        echo(f"  {t.notes}")
    echo(f"{s.known} known, {s.written} written to, {s.replied} replied, {s.met} met, "
         f"{s.referrals} referrals received{', a job came of it' if s.job else ''}.")
    if view.people:
        echo("")
    for p in view.people:
        r = p.record
        referrer = f"  referred by {r.referrer_name or r.referrer_email}" if r.referred_by is not None else ""
        tags = f"  [{', '.join(r.tags)}]" if r.tags else ""
        echo(f"  {p.state:<17} {r.name or '-':<26} {r.email or '(no address)':<34}{referrer}{tags}".rstrip())
    hidden = [p.record.id for p in view.people if p.state == "no-address"]
    if hidden:
        echo(f"  {len(hidden)} without an address (LinkedIn hides most): once you find one,"
             f" outreach contacts edit {hidden[0]} --email ADDRESS")
    echo("")
    if view.suggestions:
        echo(f"Write next (up to {view.per_week} new people a week; "
             f"{view.written_this_week} written to in the last 7 days):")
        for p in view.suggestions:
            echo(f"  {p.record.name or '-':<26} {p.record.email:<34} {p.warm}".rstrip())
        echo(f"Send: outreach send intro --target {json.dumps(t.name)} --var topic=\"...\"")
    elif view.written_this_week >= view.per_week:
        echo(f"You wrote to {view.written_this_week} people here in the last 7 days ([targets] per_week ="
             f" {view.per_week}): give them time to answer.")
    else:
        echo("Nobody left to write here: ask the people you meet whom else to talk to, and whether you may "
             "use their name (outreach log CONTACT --referral ADDRESS --name NAME --may-use-name).")


@targets.command("remove")
@click.argument("name")
def remove_cmd(name: str) -> None:
    """Forget a target; its contacts and conversations stay."""
    config = load()
    with errors():
        target = _targets(config).remove(name)
    echo(f"Removed target {target.name}; its contacts and conversations are kept.")


def target_recipients(store: Store, config: Config, name: str, limit: int | None,
                      variables: dict[str, str]) -> list[Recipient]:
    """The suggested next people at target ``name`` as recipients (each keyed as any intro to them)."""
    from ..models import Recipient

    people = _targets(config, store).suggest(name, now(), limit=limit)
    return [Recipient(p.record.as_contact(), variables, where=f"--target {name}: contact #{p.record.id}")
            for p in people]


@click.group()
def events() -> None:
    """Networking events: import the career office's calendar, list it, mark what you attend."""


@events.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
def events_import_cmd(file: Path, as_json: bool) -> None:
    """Read FILE.ics: new events are added, changed ones updated, cancelled ones marked; never duplicated."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}", EXIT_USAGE)
    with errors(as_json):
        result = app().events.import_ics(data)
    if as_json:
        echo(json.dumps(result.as_json(), ensure_ascii=False))
        return
    echo(f"Imported {file.name}: {result.added} added, {result.updated} updated, {result.unchanged} unchanged"
         f" ({result.cancelled} newly cancelled), {len(result.skipped)} skipped.")
    for reason in result.skipped:
        echo(f"  skipped {reason}")


@events.command("list")
@click.option("--upcoming", type=click.IntRange(min=0), metavar="DAYS", help="Only events in the next DAYS days.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per event.")
def events_list_cmd(upcoming: int | None, as_json: bool) -> None:
    """Events soonest first, with id, time, place and link; `events attend ID` marks one."""
    with errors(as_json):
        rows = app().events.list(now=now(),
                                               upcoming=None if upcoming is None else timedelta(days=upcoming))
    for e in rows:
        if as_json:
            echo(json.dumps({"id": e.id, "uid": e.uid, "summary": e.summary, "starts_at": e.starts_at.isoformat(),
                             "ends_at": e.ends_at.isoformat() if e.ends_at else None, "all_day": e.all_day,
                             "location": e.location, "url": e.url, "cancelled": e.cancelled,
                             "attending": e.attending}, ensure_ascii=False))
            continue
        start = e.starts_at.astimezone()
        when = f"{start:%Y-%m-%d}" + ("      " if e.all_day else f" {start:%H:%M}")
        mark = "CANCELLED " if e.cancelled else ("attending " if e.attending else "")
        where = f"  {e.location}" if e.location else ""
        echo(f"#{e.id:<4} {when}  {mark}{e.summary}{where}" + (f"  {e.url}" if e.url else ""))
    if not rows and not as_json:
        hint = "" if upcoming is not None else " Import a calendar: outreach events import FILE.ics"
        echo("No events." + hint)


@events.command("attend")
@click.argument("event_id", metavar="ID")
@click.option("--undo", is_flag=True, help="You no longer plan to go.")
def events_attend_cmd(event_id: str, undo: bool) -> None:
    """Mark event ID as one you will go to: `outreach due` reminds you the day before."""
    with errors():
        event = app().events.attend(event_id, not undo)
    if undo:
        echo(f"No longer attending #{event.id} {event.summary}.")
    else:
        echo(f"Attending #{event.id} {event.summary} on {event.starts_at.astimezone():%Y-%m-%d}; "
             "`outreach due` reminds you the day before. Afterwards: "
             f"outreach log ADDRESS --met --event {json.dumps(event.summary)}")


def _bar_char() -> str:
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "█".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return "#"
    return "█"


def _print_report(rep: Report) -> None:
    echo(f"Networking report, {rep.since:%Y-%m-%d} to {rep.until:%Y-%m-%d}\n")
    top = max([c for _, c in rep.stages] + [1])
    bar = _bar_char()
    for name, count in rep.stages:
        echo(f"{name:<19} {count:>4}  {bar * round(30 * count / top)}".rstrip())
    echo(f"\nFollow-ups sent: {rep.followups_sent}")
    if rep.reply_rate is None:
        echo("Reply rate: nobody was first written to in this period.")
    else:
        median = ("" if rep.median_days_to_reply is None
                  else f"; median {rep.median_days_to_reply:g} days to reply")
        echo(f"Reply rate: {rep.reply_rate:.0%} of the {rep.reply_cohort} first written to in this period{median}.")
    echo(f"Weeks in a row with outreach: {rep.streak_weeks}")
    if rep.targets:
        width = max(6, *(len(t.target.name) for t in rep.targets))
        echo(f"\n{'target':<{width}}  known  written  replied  met  referrals  job  this period")
        for t in rep.targets:
            p = t.period
            echo(f"{t.target.name:<{width}}  {t.known:>5}  {t.written:>7}  {t.replied:>7}  {t.met:>3}"
                 f"  {t.referrals:>9}  {'yes' if t.job else '-':>3}  {p.get('written', 0)} written,"
                 f" {p.get('replied', 0)} replied, {p.get('met', 0)} met")
    late = f" ({rep.late} late)" if rep.late else ""
    echo(f"\nDue now: {len(rep.due)}{late}" + ("; `outreach due` says why" if rep.due else ""))
    for item in rep.due[:10]:
        what = item.contact or item.subject
        echo(f"  {'LATE' if item.late else 'due '} {item.due_at:%Y-%m-%d}  {item.kind:<10} {what}")
    if len(rep.due) > 10:
        echo(f"  ... and {len(rep.due) - 10} more")


@click.command("report")
@click.option("--since", metavar="DATE", help="Start of the period (default: 7 days ago).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option("--html", "html_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write a self-contained HTML page (funnel chart, per-target table) to this file.")
def report_cmd(since: str | None, as_json: bool, html_file: Path | None) -> None:
    """The week (or the period since DATE) at a glance: the funnel, reply rate, targets, what is due, the streak."""
    config = load()
    current = now()
    start = _date(since, "--since") if since else None
    if start is not None and start > current:
        raise click.BadParameter("the period cannot start in the future", param_hint="--since")
    with errors(as_json):
        rep = app(config).report(since=start, now=current)
    if html_file is not None:
        from ..private import write_private
        from ..targets.html import render_html

        try:
            write_private(html_file, render_html(rep).encode("utf-8"))
        except OSError as exc:
            fail(f"cannot write {html_file}: {exc.strerror or exc}", EXIT_FAILED)
    if as_json:
        echo(json.dumps(rep.as_json(), ensure_ascii=False))
    else:
        _print_report(rep)
    if html_file is not None:
        echo(f"Wrote {html_file}.", err=True)


COMMANDS = (targets, events, report_cmd)
