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


def test_log_json_prints_the_thread_and_its_state(world) -> None:  # type: ignore[no-untyped-def]
    sink, clock, run, csv = world
    assert run("send", "intro", "--to", "ada@example.com", "--var", "topic=UX")[0] == 0
    clock.day(0, hour=11)
    code, out, err = run("log", "ada@example.com", "--replied", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["state"] == "replied" and data["contact"] == "ada@example.com"
    assert [h["what"].split(":")[0] for h in data["history"]] == ["sent intro", "replied"]
    code, out, _ = run("log", "nobody@example.com", "--replied", "--json")
    assert code == 2 and "did you mean" not in json.loads(out)["error"] and json.loads(out)["exit_code"] == 2


@pytest.mark.parametrize("args", [["due", "--json", "--upcoming", "x"], ["report", "--json", "--since", "2026-13-01"],
                                  ["log", "ada@example.com", "--json"], ["threads", "--json", "--state", "nope"],
                                  ["log", "ada@example.com", "--json", "--scheduled", "2020-01-01"]])
def test_usage_errors_under_json_are_the_json_error_object(world, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    sink, clock, run, csv = world
    code, out, err = run(*args)
    assert code == 2
    data = json.loads(out)
    assert data["exit_code"] == 2 and data["error"] and err == ""
    code, out, err = run(*[a for a in args if a != "--json"])
    assert code == 2 and out == "" and "Error:" in err


def test_a_follow_up_before_it_is_due_is_sent_with_a_warning_naming_the_date(world) -> None:  # type: ignore[no-untyped-def]
    sink, clock, run, csv = world
    assert run("send", "intro", "--to", "ada@example.com", "--var", "topic=UX")[0] == 0
    clock.day(0, hour=10)
    code, out, err = run("send", "follow-up", "--contact", "ada@example.com")
    assert code == 0, err
    due = START + timedelta(days=7)
    assert f"ada@example.com: this follow-up is not due until {due:%Y-%m-%d} (no reply since" in err
    assert len(sink.messages) == 2
    clock.day(20)
    code, out, err = run("send", "follow-up", "--contact", "ada@example.com")
    assert code == 0 and "not due until" not in err
    code, out, err = run("follow-up", "--all")
    assert "not due until" not in err


def test_an_identical_duplicate_row_is_skipped_and_counted(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sink, clock, run, csv = world
    people = tmp_path / "dupes.csv"
    people.write_text("name,email,topic\nAda Lovelace,ada@example.com,UX\nBob Stone,bob@example.com,UX\n"
                      "Ada Lovelace,Ada@Example.com,UX\n")
    code, out, err = run("send", "intro", "--contacts", str(people))
    assert code == 0, err
    assert "Skipping 1 row of dupes.csv identical to an earlier row." in err
    assert sorted(to for _, [to] in sink.envelopes) == ["ada@example.com", "bob@example.com"]


def test_a_conflicting_duplicate_row_stays_a_problem(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sink, clock, run, csv = world
    people = tmp_path / "dupes.csv"
    people.write_text("name,email,topic\nAda Lovelace,ada@example.com,UX\nAda Lovelace,ada@example.com,data\n")
    code, out, err = run("send", "intro", "--contacts", str(people))
    assert code == 2 and "dupes.csv:3: ada@example.com is already in this batch (dupes.csv:2)" in err
    assert sink.messages == []


def test_a_dry_run_reports_what_an_earlier_run_did_like_the_real_run(world) -> None:  # type: ignore[no-untyped-def]
    sink, clock, run, csv = world
    assert run("send", "intro", "--to", "ada@example.com", "--var", "topic=UX")[0] == 0
    code, dry, dry_err = run("send", "intro", "--to", "ada@example.com", "--to", "bob@example.com", "--var",
                             "topic=UX", "--dry-run")
    assert code == 0
    assert "sent (earlier run)" in dry and "1 already done by an earlier run" in dry + dry_err
    assert "1 written" in dry + dry_err
    code, real, real_err = run("send", "intro", "--to", "ada@example.com", "--to", "bob@example.com", "--var",
                               "topic=UX")
    assert code == 0 and "1 already done by an earlier run" in real + real_err
    assert len(sink.messages) == 2
