"""What ``outreach templates`` and ``outreach due`` print, without click.

The click commands call these, and so does the console script's fast path (``cli/fast.py``), so
both print the same thing from the same code.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .output import EXIT_FAILED, echo, errors, fail, read_config

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime
    from pathlib import Path

    from ..store.db import Store

__all__ = ["show_due", "show_templates"]


def show_templates(as_json: bool) -> None:
    """``outreach templates [--json]``: the templates, their kind, and where each comes from."""
    from ..compose.templatefiles import list_templates

    broken: list[tuple[Path, str]] = []
    with errors(as_json):
        infos = list_templates(read_config(as_json).template_dirs, broken)
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


def show_due(as_json: bool, ics: Path | None, upcoming: int, clock: Callable[[], datetime]) -> None:
    """``outreach due``: what you owe whom, oldest first, with why; ``clock`` is the command's."""
    from datetime import timedelta

    from ..lifecycle.agenda import agenda, meetings
    from ..store.db import Store

    config = read_config(as_json)
    current = clock()
    with errors(as_json):
        store = Store(config.store_path, clock=clock)
        items = agenda(store, config, current, timedelta(days=upcoming))
        commands: dict[str, str] = {}
        if items:
            from ..compose.render import Renderer
            from ..lifecycle.suggest import suggested_command

            renderer = Renderer(config.template_dirs)
            commands = {i.key: suggested_command(store, renderer, config.sender, i) for i in items}
        if ics is not None:
            from ..lifecycle.ics import due_to_ics
            from ..private import write_private

            booked = meetings(store, current)
            names = _names(store, [*(m.contact for m in booked), *(i.contact for i in items)])
            try:
                write_private(ics, due_to_ics(items, current, commands=commands, meetings=booked, names=names))
            except OSError as exc:
                fail(f"cannot write {ics}: {exc.strerror or exc}", EXIT_FAILED, as_json=as_json)
        from ..targets.events import Events

        reminders = Events(store).reminders(current, timedelta(days=upcoming))
    commands.update({r.key: "outreach events list --upcoming 2" for r in reminders})
    items = sorted([*items, *reminders], key=lambda i: (i.due_at, i.contact))
    for item in items:
        if as_json:
            echo(json.dumps({**item.as_json(), "command": commands[item.key]}, ensure_ascii=False))
        else:
            when = "LATE " if item.late else ("due  " if item.due_at <= current else "soon ")
            echo(f"{when}{item.due_at:%Y-%m-%d}  {item.kind:<10} {item.contact:<34} {item.reason}")
            echo(f"{'':<17}{commands[item.key]}")
    if not as_json:
        if not items:
            echo("Nothing is due. Well done.")
        if ics is not None:
            echo(f"Wrote {len(items) - len(reminders)} to-dos and {len(booked)} meetings to {ics}.", err=True)


def _names(store: Store, addresses: list[str]) -> dict[str, str]:
    """The names the book knows for these addresses."""
    from ..book.people import People

    people = People(store)
    return {a: people.resolve(a, new=True).name for a in addresses}
