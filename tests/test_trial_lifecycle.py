"""The user trial's findings on people, meetings and the command line, each as the trial met it."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from smtp_server import Sink
from test_story import START, Clock

from outreach.cli import cli


@pytest.fixture
def world(config_file: Path, plain_server: tuple[Sink, int], tmp_path: Path):  # type: ignore[no-untyped-def]
    sink, port = plain_server
    config_file.write_text(config_file.read_text() + f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                           '[send]\nrate_per_minute = 0\n')
    clock = Clock()

    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(cli, list(args), obj={"clock": clock}, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    csv = tmp_path / "people.csv"
    csv.write_text("name,email\nAda Lovelace,ada@example.com\nBob Stone,bob@example.com\n"
                   "Carol Danvers,carol@exmaple.org\n")
    return sink, clock, run, csv


def test_scheduled_accepts_tomorrow_and_refuses_the_past(world) -> None:  # type: ignore[no-untyped-def]
    sink, clock, run, csv = world
    assert run("send", "intro", "--contacts", str(csv), "--var", "topic=UX", "--no-typo-check")[0] == 0
    code, out, err = run("log", "ada@example.com", "--scheduled", "tomorrow")
    assert code == 0, err
    code, out, err = run("thread", "ada@example.com", "--json")
    assert f"meeting scheduled for {START + timedelta(days=1):%Y-%m-%d}" in out
    code, out, err = run("log", "bob@example.com", "--scheduled", "2025-01-05 10:00")
    assert code == 2 and "'2025-01-05 10:00' is in the past" in err and "--met --at" in err
    code, out, err = run("log", "ada@example.com", "--rescheduled", f"{START - timedelta(days=1):%Y-%m-%d}")
    assert code == 2 and "is in the past" in err
    assert run("log", "ada@example.com", "--rescheduled", f"{START:%Y-%m-%d}")[0] == 0
    assert run("log", "bob@example.com", "--replied", "--at", "2025-01-05")[0] == 0
