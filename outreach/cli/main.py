"""The ``outreach`` console script: a few plain command lines take the fast path, the rest go to click."""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    """Entry point of the ``outreach`` console script."""
    from .fast import run_fast

    if run_fast(sys.argv[1:]):
        return
    from .group import run

    run()
