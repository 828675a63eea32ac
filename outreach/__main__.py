"""``python -m outreach`` runs the command-line interface."""

from .cli import main

main()
