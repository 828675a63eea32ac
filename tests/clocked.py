"""A clock the tests move by hand, and the ``outreach`` command run on it against the local SMTP server."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from click.testing import CliRunner

from outreach.cli import cli

START = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)

Run = Callable[..., tuple[int, str, str]]


@dataclass
class Clock:
    """A clock the test moves by hand."""

    at: datetime = START

    def __call__(self) -> datetime:
        return self.at

    def day(self, n: float, hour: int = 9) -> None:
        self.at = (START + timedelta(days=n)).replace(hour=hour)


def cli_on_clock(config_file: Path, port: int, clock: Clock) -> Run:
    """Configure sending to the local server at ``port`` (no pacing) and return ``run(*args) -> (code, out, err)``."""
    config_file.write_text(config_file.read_text() + f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                           '[send]\nrate_per_minute = 0\n')

    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(cli, list(args), obj={"clock": clock}, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run
