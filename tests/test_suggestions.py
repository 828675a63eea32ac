"""Every command that `due`, `landed`, the .ics descriptions and error messages suggest runs as printed."""

from __future__ import annotations

import re
import shlex
from datetime import timedelta
from pathlib import Path

import icalendar
import pytest
from smtp_server import Sink
from clocked import START, Clock, cli_on_clock


_QUOTED = re.compile(r"`(outreach [^`]+)`")


def commands_in(text: str) -> list[str]:
    """The ``outreach ...`` commands a piece of output suggests, as printed."""
    found: list[str] = []
    for line in text.splitlines():
        quoted = _QUOTED.findall(line)
        if quoted:
            found += quoted
        elif "outreach " in line:
            found.append(line[line.index("outreach "):].strip())
    return found


@pytest.fixture
def world(config_file: Path, plain_server: tuple[Sink, int], tmp_path: Path):  # type: ignore[no-untyped-def]
    sink, port = plain_server
    clock = Clock()
    run = cli_on_clock(config_file, port, clock)

    def run_printed(command: str) -> tuple[int, str, str]:
        words = shlex.split(command)
        assert words[0] == "outreach", command
        return run(*words[1:])

    csv = tmp_path / "people.csv"
    csv.write_text("name,email\nAda Lovelace,ada@example.com\nBob Stone,bob@example.com\n"
                   "Carol Danvers,carol@example.org\nDan Brown,dan@example.com\nEve Moss,eve@example.com\n"
                   "Fay Lin,fay@example.com\n")
    return sink, clock, run, run_printed, csv


def test_every_suggested_command_runs_as_printed(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sink, clock, run, run_printed, csv = world
    assert run("send", "intro", "--contacts", str(csv), "--var", "topic=UX research")[0] == 0
    assert run("log", "ada@example.com", "--replied")[0] == 0
    clock.day(1)
    assert run("log", "carol@example.org", "--met")[0] == 0
    meeting = START + timedelta(days=92)
    assert run("log", "dan@example.com", "--scheduled", f"{meeting:%Y-%m-%d} 14:00", "--where", "Zoom")[0] == 0
    assert run("log", "eve@example.com", "--scheduled", "2026-12-01 10:00")[0] == 0
    assert run("log", "eve@example.com", "--cancelled")[0] == 0
    assert run("log", "fay@example.com", "--scheduled", f"{START + timedelta(days=3):%Y-%m-%d} 10:00")[0] == 0
    clock.day(91)
    code, landed, _ = run("landed", "--company", "Globex", "--role", "Data Analyst")
    assert code == 0
    code, due, _ = run("due", "--ics", str(tmp_path / "due.ics"))
    kinds = {line.split()[2] for line in due.splitlines() if line[:4] in ("due ", "LATE", "soon")}
    assert kinds == {"follow-up", "thank-you", "check-in", "prepare", "job-update", "log-meeting"}
    assert 'outreach log fay@example.com --met --learned "..." --action "..."' in due
    assert 'outreach send check-in --contact ada@example.com --var update="..."' in due
    assert 'outreach send thank-you --contact carol@example.org --var learned="..." --var action="..."' in due
    cal = icalendar.Calendar.from_ical((tmp_path / "due.ics").read_bytes())
    [event] = cal.walk("VEVENT")
    assert "Dan Brown" in str(event["summary"]) and str(event["location"]) == "Zoom"
    from_ics = [c for part in [*cal.walk("VTODO"), event] for c in commands_in(str(part["description"]))]
    suggested = list(dict.fromkeys(commands_in(due) + commands_in(landed) + from_ics))
    assert len(suggested) >= 8
    assert "--contact bob@example.com" not in due  # Bob never answered: after landing, no follow-up is owed
    for command in suggested:
        code, out, err = run_printed(command)
        assert code == 0, f"{command}: {out}{err}"
    assert "follow-up" not in run("due")[1]


def test_commands_in_error_messages_run_as_printed(world) -> None:  # type: ignore[no-untyped-def]
    sink, clock, run, run_printed, csv = world
    assert run("send", "intro", "--to", "zed@example.com", "--var", "topic=UX")[0] == 0
    code, _, err = run("log", "zed@example.com", "--referral", "yan@example.com", "--name", "Yan Li", "--may-use-name")
    assert code == 2 and "--referrer-name" in err
    [command] = commands_in(err)
    assert run_printed(command)[0] == 0
    code, _, err = run("contacts", "show", "nobody@example.com")
    assert code == 2
    clock.day(8)
    code, out, _ = run("follow-up")
    [command] = commands_in(out)
    assert command == "outreach follow-up --all" and run_printed(command)[0] == 0
    assert run("contacts", "block", "zed@example.com")[0] == 0
    code, _, err = run("send", "follow-up", "--contact", "zed@example.com")
    assert code == 2
    [command] = commands_in(err)
    assert run_printed(command)[0] == 0
