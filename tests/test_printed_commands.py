"""Commands printed for the user to paste run as printed: every value in them is shell-quoted."""

from __future__ import annotations

import shlex
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.cli import cli

PAYLOAD = "Mixer $(touch {marker}) `touch {marker}` ; touch {marker} \"it's\" \\ & | > x"


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC here, so that the event's day is the same wherever the tests run."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _printed(output: str, after: str) -> str:
    line = output.split(after, 1)[1].splitlines()[0].strip()
    return line.removeprefix("`").removesuffix("`.") if line.startswith("`") else line


def _argv_in_a_shell(command: str, cwd: Path) -> list[str]:
    """The words a POSIX shell makes of ``command`` (run with printf in place of outreach, so nothing else runs)."""
    words = shlex.split(command)
    assert words[0] == "outreach"
    done = subprocess.run(["sh", "-c", "printf '%s\\0' " + command.removeprefix("outreach ")], cwd=cwd,
                          capture_output=True, check=True)
    return ["outreach", *done.stdout.decode().split("\0")[:-1]]


def test_events_attend_prints_a_command_whose_event_name_is_quoted(config_file: Path, tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    summary = PAYLOAD.format(marker=marker).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    ics = tmp_path / "e.ics"
    ics.write_bytes(("\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//x//EN", "BEGIN:VEVENT",
                                  "UID:m@x", "DTSTAMP:20261101T000000Z", f"SUMMARY:{summary}",
                                  "DTSTART:20991211T150000Z", "END:VEVENT", "END:VCALENDAR"]) + "\r\n").encode())
    assert CliRunner().invoke(cli, ["events", "import", str(ics)]).exit_code == 0
    result = CliRunner().invoke(cli, ["events", "attend", "1"])
    assert result.exit_code == 0, result.output
    command = _printed(result.output, "Afterwards: ")
    expected = ["outreach", "log", "ADDRESS", "--met", "--event", PAYLOAD.format(marker=marker)]
    assert shlex.split(command) == expected
    assert _argv_in_a_shell(command, tmp_path) == expected
    assert not marker.exists()


NAME = st.text(st.sampled_from("Acme $()`'\"\\;&|<>*?!#~{}[]=%^,.-_ab"), min_size=1, max_size=30).filter(
    lambda s: any(c.isalpha() for c in s)).map(lambda s: " ".join(s.split())).filter(bool)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAME)
def test_targets_add_hint_gives_back_the_name_through_a_shell(config_file: Path, tmp_path: Path, name: str) -> None:
    fresh = tempfile.mkdtemp(dir=tmp_path)  # each name in a store of its own
    result = CliRunner().invoke(cli, ["targets", "add", name], env={"OUTREACH_HOME": fresh})
    if result.exit_code != 0:  # not a company name at all: nothing printed to paste
        assert "targets show" not in result.output
        return
    command = _printed(result.output, "See who you know there: ")
    assert shlex.split(command) == ["outreach", "targets", "show", name]
    assert _argv_in_a_shell(command, tmp_path) == ["outreach", "targets", "show", name]


def test_send_target_with_nobody_left_prints_a_quoted_show_command(config_file: Path, tmp_path: Path) -> None:
    name = "Acme $(touch PWNED)"
    assert CliRunner().invoke(cli, ["targets", "add", name]).exit_code == 0
    result = CliRunner().invoke(cli, ["send", "intro", "--target", name, "--var", "topic=UX", "--dry-run"])
    command = _printed(result.output, "see ")
    assert _argv_in_a_shell(command, tmp_path) == ["outreach", "targets", "show", name]
    assert not (tmp_path / "PWNED").exists()


def test_an_address_with_shell_characters_is_quoted_in_the_unblock_hint(config_file: Path, tmp_path: Path) -> None:
    address = "o`touch${IFS}PWNED`@example.com"  # backticks, $, { and } are allowed in an address
    assert CliRunner().invoke(cli, ["contacts", "block", address]).exit_code == 0
    result = CliRunner().invoke(cli, ["send", "intro", "--to", address, "--var", "topic=UX", "--dry-run"])
    assert result.exit_code == 2
    command = result.output.split("; `", 1)[1].split("` lifts it", 1)[0]
    assert _argv_in_a_shell(command, tmp_path) == ["outreach", "contacts", "unblock", address.lower()]
    assert not (tmp_path / "PWNED").exists()
