"""Finding 7: odd input gives a one-line message and a documented exit code, never a traceback."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.cli import cli

CODES = {0, 1, 2, 3, 130}


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in CODES
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [
    ["send", "intro", "--to", "ada@example.com", "--name", "Ada \udcff", "--var", "topic=x"],
    ["send", "intro", "--contact", "99999999999999999999999", "--var", "topic=x"],
    ["log", "ada@example.com", "--replied", "--at", "9999-12-31T23:59:59"],
    ["log", "ada@example.com", "--scheduled", "0001-01-01"],
    ["log", "ada@example.com", "--replied", "--at", "0001-01-01T00:00:00+14:00"],
    ["due", "--upcoming", "99999999999"],
    ["contacts", "show", "99999999999999999999999"],
])
def test_odd_values_exit_with_a_message(config_file: Path, args: list[str]) -> None:
    result = invoke(*args)
    no_traceback(result)
    assert result.exit_code == 2, result.output
    assert "Error" in result.output


def test_due_ics_into_a_missing_folder(config_file: Path, tmp_path: Path) -> None:
    result = invoke("due", "--ics", str(tmp_path / "nowhere" / "due.ics"))
    no_traceback(result)
    assert result.exit_code == 1 and "nowhere" in result.output


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_due_ics_onto_a_full_disk(config_file: Path) -> None:
    result = invoke("due", "--ics", "/dev/full")
    no_traceback(result)
    assert result.exit_code == 1 and "/dev/full" in result.output


def test_a_damaged_store_is_a_message(config_file: Path, home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "outreach.sqlite3").write_bytes(b"this is not a database" * 100)
    result = invoke("send", "intro", "--to", "ada@example.com", "--var", "topic=x")
    no_traceback(result)
    assert result.exit_code == 3 and "store" in result.output


def test_a_journal_row_with_broken_json(config_file: Path, home: Path) -> None:
    assert invoke("send", "intro", "--to", "ada@example.com", "--var", "topic=x").exit_code == 0
    from outreach import Store

    Store(home / "outreach.sqlite3").close()
    db = sqlite3.connect(home / "outreach.sqlite3")
    db.execute("INSERT INTO outreach_messages (key, batch, message_id, thread_id, contact, template, subject, envelope, data,"
               " status, created_at, updated_at) VALUES ('k','b','<m@x>','<m@x>','bob@example.com','intro','s',"
               "'{broken','x','sent','2026-01-01','2026-01-01')")
    db.commit()
    db.close()
    result = invoke("journal")
    no_traceback(result)
    assert result.exit_code == 3 and "damaged" in result.output


def test_a_tiny_rate_is_refused(config_file: Path) -> None:
    result = invoke("send", "intro", "--to", "ada@example.com", "--to", "bob@example.com", "--var", "topic=x",
                    "--rate", "1e-300", "--dry-run")
    no_traceback(result)
    assert result.exit_code == 2


text = st.text(max_size=30) | st.sampled_from(["nan", "inf", "-1", "0", "1e-300", "1e308", "99999999999999999999",
                                               "9999-12-31T23:59:59", "0001-01-01", "\udcff", "../x", "/etc/passwd",
                                               "-", "--", "#1", "a@b.c"])
COMMANDS = [
    ["send", "intro", "--dry-run", "--var", "topic=x", "--to"],
    ["send", "intro", "--dry-run", "--to", "ada@example.com", "--var", "topic=x", "--rate"],
    ["send", "intro", "--dry-run", "--to", "ada@example.com", "--var", "topic=x", "--name"],
    ["send", "intro", "--dry-run", "--var", "topic=x", "--contact"],
    ["send", "--dry-run", "--to", "ada@example.com", "--var", "topic=x", "--template-name-last"],
    ["preview", "intro", "--to"],
    ["log", "ada@example.com", "--replied", "--at"],
    ["log", "ada@example.com", "--scheduled"],
    ["due", "--upcoming"],
    ["contacts", "show"],
    ["thread"],
    ["journal", "resolve"],
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(command=st.sampled_from(COMMANDS), value=text)
def test_random_option_values_never_give_a_traceback(config_file: Path, command: list[str], value: str) -> None:
    if command[-1] == "--template-name-last":
        args = ["send", value, *command[1:-1]]
    else:
        args = [*command, value]
    no_traceback(invoke(*args))
