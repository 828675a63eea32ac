"""The ``outreach`` command: one module per command group; it parses, prints and maps errors to exit codes.

``main`` (the console script) imports no click for the command lines of ``cli/fast.py``; ``cli``,
the click group, is imported on first use.
"""

from __future__ import annotations

from .main import main

TYPE_CHECKING = False  # not typing's: see outreach/__init__.py

if TYPE_CHECKING:
    from .group import cli

__all__ = ["cli", "main"]


def __getattr__(name: str) -> object:
    """``cli``, the click group, imported when asked for."""
    if name == "cli":
        from .group import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
