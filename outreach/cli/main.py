"""The ``outreach`` console script: a few plain command lines take the fast path, the rest go to click."""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    """Entry point of the ``outreach`` console script."""
    import atexit

    atexit.register(_before_exit)
    from .fast import run_fast

    if run_fast(sys.argv[1:]):
        return
    from .group import run

    run()


def _before_exit() -> None:
    """At exit: collect what the command left (closing its store, flushing its files), then freeze the rest.

    Python's own shutdown runs the cyclic garbage collector over every object of every module it
    tears down: about 25 ms after a ``send`` (issue 16), more than the command's own work for one
    message. Everything unreachable is collected here, finalisers and all, as shutdown would have;
    what is left is still reachable, freed by reference counting as modules are cleared, and
    ``gc.freeze`` only spares the collector from scanning it again and again. It runs as the
    interpreter exits (``atexit``), so a program that calls ``main`` and goes on is not affected.
    """
    import gc

    gc.collect()
    gc.freeze()
