"""What every click command shares: ``output`` (exit codes, echo, errors) with the running command's ``--json``
and clock, config and store loading, ``--rate``, template completion."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, NoReturn

import click

from . import output
from ..clock import Clock, system_clock
from ..errors import OutreachError, Problem
from .output import EXIT_CONNECTION, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, echo, exit_code

if TYPE_CHECKING:
    from ..config import Config
    from ..service import Outreach
    from ..store.db import Store

__all__ = ["EXIT_CONNECTION", "EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "RATE", "app", "clock", "complete_template", "echo", "errors",
           "exit_code", "fail", "load", "now", "open_store"]


class _Rate(click.ParamType[float]):
    """Messages per minute: a finite number, 0 (no limit) or at least ``MIN_RATE``."""

    name = "rate"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        from ..config_schema import check_rate

        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        problem = check_rate(number)
        if problem:
            self.fail(f"{value!r} {problem}", param, ctx)
        return number


RATE = _Rate()


def fail(message: str, code: int, *, hint: str = "", as_json: bool | None = None,
         problems: list[Problem] | None = None) -> NoReturn:
    """Report an error and exit with ``code``: ``Error: message`` and its hint, or one JSON object with ``as_json``.

    ``as_json`` None means: as the running command was asked (its ``--json``).
    """
    output.fail(message, code, hint=hint, as_json=_json_wanted() if as_json is None else as_json, problems=problems)


def _json_wanted() -> bool:
    """True when the running command was given ``--json``."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.params.get("as_json"))


def errors(as_json: bool | None = None) -> AbstractContextManager[None]:
    """Turn outreach errors into a message and the documented exit code (see :func:`output.errors`).

    ``as_json`` None means: as the running command was asked (its ``--json``).
    """
    return output.errors(_json_wanted() if as_json is None else as_json)


def load() -> Config:
    """The config file, read once per command."""
    return output.read_config(_json_wanted())


def clock() -> Clock:
    """The running command's clock: the one passed in as ``obj={"clock": ...}`` when it is invoked, else the system's.

    Looked up once for the store and the service, not on each reading (twice a message in a batch).
    """
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    found = obj.get("clock") if isinstance(obj, dict) else None
    return found if found is not None else system_clock


def now() -> datetime:
    """The current time on the running command's clock."""
    return clock()()


def open_store(config: Config) -> Store:
    """The store in the data folder, created on first use, on the command's clock."""
    from ..store.db import Store

    return Store(config.store_path, clock=clock())


def app(config: Config | None = None, store: Store | None = None) -> Outreach:
    """The :class:`Outreach` this command works through: the config file, the store, the command's clock."""
    from ..service import Outreach

    config = config or load()
    return Outreach(config, store=store or open_store(config), clock=clock())


def complete_template(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of a TEMPLATE argument: the names ``outreach templates`` lists."""
    from ..compose.templatefiles import list_templates
    from ..config import load_config

    try:
        dirs = load_config().template_dirs
    except OutreachError:
        dirs = ()
    return [t.name for t in list_templates(dirs, broken=[]) if t.name.startswith(incomplete)]
