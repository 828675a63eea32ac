"""What every ``outreach`` command shares: exit codes, error reporting, config and store loading."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

import click

from ..errors import (
    ConfigError,
    CredentialsError,
    ImportFormatError,
    OutreachError,
    StoreError,
    TransportError,
    ValidationError,
)

if TYPE_CHECKING:
    from ..config import Config
    from ..store.db import Store

__all__ = ["EXIT_CONNECTION", "EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "RATE", "echo", "errors",
           "fail", "load", "now", "open_store"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CONNECTION, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class _Rate(click.ParamType):
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


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print ``message`` like ``click.echo``, without terminal control characters: every CLI print goes here."""
    from ..compose.controls import clean

    click.echo(clean(str(message)), err=err, nl=nl)


def fail(message: str, code: int) -> NoReturn:
    """Print ``Error: message`` on standard error and exit with ``code``."""
    echo(f"Error: {message}", err=True)
    sys.exit(code)


@contextmanager
def errors() -> Iterator[None]:
    """Turn outreach errors into a message and the documented exit code."""
    try:
        yield
    except (ValidationError, ConfigError, ImportFormatError) as exc:
        fail(str(exc), EXIT_USAGE)
    except OutreachError as exc:
        code = EXIT_CONNECTION if isinstance(exc, (CredentialsError, TransportError, StoreError)) else EXIT_USAGE
        fail(str(exc), code)


def load() -> Config:
    """The config file, read once per command."""
    from ..config import load_config

    with errors():
        return load_config()


def now() -> datetime:
    """The current time: the clock passed in as ``obj={"clock": ...}`` when the command is invoked, else the system's."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    clock = obj.get("clock") if isinstance(obj, dict) else None
    return clock() if clock is not None else datetime.now(timezone.utc)


def open_store(config: Config) -> Store:
    """The store in the data folder, created on first use, on the command's clock."""
    from ..store.db import Store

    return Store(config.store_path, clock=now)
