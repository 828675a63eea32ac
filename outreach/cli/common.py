"""What every ``outreach`` command shares: exit codes, error reporting, config and store loading."""

from __future__ import annotations

import sys
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

__all__ = ["EXIT_CONNECTION", "EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "errors", "fail", "load",
           "open_store"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CONNECTION, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def fail(message: str, code: int) -> NoReturn:
    """Print ``Error: message`` on standard error and exit with ``code``."""
    click.echo(f"Error: {message}", err=True)
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


def open_store(config: Config) -> Store:
    """The store in the data folder, created on first use."""
    from ..store.db import Store

    return Store(config.store_path)
