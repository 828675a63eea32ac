"""The ``outreach`` console script: a few plain command lines take the fast path, the rest go to click."""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    """Entry point of the ``outreach`` console script."""
    try:
        _run()
    except SystemExit as exc:
        code = exc.code
    else:
        code = None
    _before_exit()  # here, not in the except clause: its traceback would keep the command's store alive
    if code is not None:
        sys.exit(code)


def _run() -> None:
    from .fast import run_fast

    if run_fast(sys.argv[1:]):
        return
    from .group import run

    run()


def _before_exit() -> None:
    """Collect what the command left (closing its store, flushing its files), then freeze the rest for the exit.

    Python's own shutdown runs the cyclic garbage collector over every object of every module it
    tears down: about 25 ms after a ``send`` (issue 16), more than the command's own work for one
    message. Everything unreachable is collected here, finalisers and all, as shutdown would have;
    what is left is still reachable, freed by reference counting as modules are cleared, and
    ``gc.freeze`` only spares the collector from scanning it again and again.
    """
    import gc

    gc.collect()
    gc.freeze()
