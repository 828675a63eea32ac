"""The console script's fast path: ``--help``, ``templates`` and ``due`` in their plain forms, without click.

Importing click takes about four times as long as starting Python (issue 16), so these command
lines run here, on the same code the click commands call (``cli/listings.py``, ``cli/helptext.py``).
Any other command line, and any place where click would print differently (another encoding than
UTF-8, Windows, shell completion), goes to click.
"""

from __future__ import annotations

import os
import sys

__all__ = ["run_fast"]

_HELP = (["--help"], ["-h"])
_TEMPLATES = (["templates"], ["templates", "--json"])
_DUE = (["due"], ["due", "--json"])


def _plain_streams() -> bool:
    """True where writing to ``sys.stdout``/``sys.stderr`` is what ``click.echo`` does: UTF-8 text streams."""
    import codecs

    if sys.platform == "win32" or "_OUTREACH_COMPLETE" in os.environ:
        return False
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        if not encoding or getattr(stream, "errors", None) is None:
            return False
        try:
            if codecs.lookup(encoding).name != "utf-8":
                return False
        except LookupError:
            return False
    return True


def run_fast(argv: list[str]) -> bool:
    """Run ``argv`` if it is one of the fast command lines and return True; False: click must run it."""
    if argv not in (*_HELP, *_TEMPLATES, *_DUE) or not _plain_streams():
        return False
    try:
        if argv in _HELP:
            from .helptext import render_help, terminal_columns

            sys.stdout.write(render_help(terminal_columns()))
            sys.stdout.flush()
        elif argv in _TEMPLATES:
            from .listings import show_templates

            show_templates("--json" in argv)
        else:
            from datetime import datetime, timezone

            from .listings import show_due

            show_due("--json" in argv, None, 0, lambda: datetime.now(timezone.utc))
    except (EOFError, KeyboardInterrupt):
        from .output import EXIT_INTERRUPTED

        sys.stderr.write("\n\nInterrupted; nothing was left half-written.\n")
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        from .output import EXIT_FAILED

        _quiet_pipe()
        sys.exit(EXIT_FAILED)
    return True


def _quiet_pipe() -> None:
    """After the reader of standard output went away: no second error when Python flushes at exit."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
