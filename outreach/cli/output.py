"""What every command prints through, without click: exit codes, ``echo``, errors as a message or JSON.

The fast path of the console script (``cli/fast.py``) runs on these alone; ``cli/common.py`` adds
what needs click (the running command's ``--json``, its clock).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

from ..errors import CredentialsError, OutreachError, Problem, StoreError, TransportError, ValidationError

if TYPE_CHECKING:
    from ..config import Config

__all__ = ["EXIT_CONNECTION", "EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "echo", "errors",
           "exit_code", "fail", "read_config"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CONNECTION, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print ``message`` without terminal control characters: every CLI print goes here.

    Under click (any command it runs, and its test runner) this is ``click.echo``; the fast path
    writes to the stream itself, and runs only where that prints the same (``cli/fast.py``).
    """
    from ..compose.controls import clean

    text = clean(str(message)) + ("\n" if nl else "")
    click = sys.modules.get("click")
    if click is not None:
        click.echo(text, err=err, nl=False)
        return
    stream = sys.stderr if err else sys.stdout
    stream.write(text)
    stream.flush()


def fail(message: str, code: int, *, hint: str = "", as_json: bool = False,
         problems: list[Problem] | None = None) -> NoReturn:
    """Report an error and exit with ``code``: ``Error: message`` and its hint, or one JSON object with ``as_json``."""
    if as_json:
        import json

        echo(json.dumps({"error": message, "hint": hint, "exit_code": code,
                         "problems": [p.as_json() for p in problems or []]}, ensure_ascii=False))
    else:
        echo(f"Error: {message}", err=True)
        if hint:
            echo(f"Hint: {hint}", err=True)
    sys.exit(code)


def exit_code(exc: OutreachError) -> int:
    """The documented exit code of a library error."""
    if isinstance(exc, (CredentialsError, TransportError, StoreError)):
        return EXIT_CONNECTION
    return EXIT_USAGE


@contextmanager
def errors(as_json: bool) -> Iterator[None]:
    """Turn outreach errors into a message and the documented exit code (one JSON object with ``as_json``).

    The object is ``{"error": ..., "hint": ..., "exit_code": ..., "problems": [{"line", "contact", "message",
    "hint"}]}``, printed on standard output.
    """
    try:
        yield
    except ValidationError as exc:
        first = "1 problem found" if len(exc.problems) == 1 else f"{len(exc.problems)} problems found"
        fail(str(exc) if not as_json else f"{first}; nothing was sent", EXIT_USAGE, hint=exc.hint, as_json=as_json,
             problems=exc.problems)
    except OutreachError as exc:
        fail(str(exc), exit_code(exc), hint=exc.hint, as_json=as_json)


def read_config(as_json: bool) -> Config:
    """The config file, read once per command; an error in it is reported as ``errors`` does."""
    from ..config import load_config

    with errors(as_json):
        return load_config()
