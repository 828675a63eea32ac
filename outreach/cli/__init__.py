"""The ``outreach`` command: one module per command group; it parses, prints and maps errors to exit codes."""

from .main import cli, main

__all__ = ["cli", "main"]
