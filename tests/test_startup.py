"""Start-up: the lazy command table, and the click-free fast path proven equal to the click app."""

from __future__ import annotations

import inspect
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seed import sent

from outreach import Store
from outreach.cli import cli
from outreach.cli.commands import COMMANDS, GROUP_HELP
from outreach.cli.helptext import render_help, short_help, terminal_columns

FAST = "import sys\nPATH = sys.argv.pop(1)\nfrom outreach.cli import main\ntry:\n    main()\nfinally:\n" \
       "    open(PATH, 'w').write(repr(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r})))\n"
CLICK = "import sys\nsys.argv[1:2] = []\nfrom outreach.cli.group import run\nrun()\n"
HEAVY = ("click", "jinja2", "html2text", "email_validator", "keyring", "email", "icalendar", "imapclient", "vobject")
COMMAND_MODULES = sorted({f"outreach.cli.{module}" for module, _, _ in COMMANDS.values()})


def _run(code: str, argv: list[str], env: dict[str, str], tmp_path: Path) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "modules.txt"), *argv], env=env,
                          capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout, done.stderr


def both(argv: list[str], env: dict[str, str], tmp_path: Path) -> tuple[tuple[int, str, str], list[str]]:
    """Run ``argv`` through the console script and through the click app: the same result, and the fast
    path's heavy imports."""
    fast = _run(FAST.format(heavy=HEAVY), argv, env, tmp_path)
    modules = eval((tmp_path / "modules.txt").read_text())  # noqa: S307 (written by the probe above)
    slow = _run(CLICK, argv, env, tmp_path)
    assert fast == slow
    return fast, modules


@pytest.fixture
def env(home: Path) -> dict[str, str]:
    """The environment of a command: the test's data folder and config, no terminal, no width set."""
    values = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "_OUTREACH_COMPLETE")}
    return {**values, "OUTREACH_HOME": os.environ["OUTREACH_HOME"], "OUTREACH_CONFIG": os.environ["OUTREACH_CONFIG"],
            "PYTHONIOENCODING": "utf-8"}


def test_the_table_says_what_each_command_says_of_itself() -> None:
    for name, (module, attribute, text) in COMMANDS.items():
        command = cli.commands[name]
        assert command.name == name and command.callback is not None
        assert command is getattr(sys.modules[f"outreach.cli.{module}"], attribute)
        assert " ".join(inspect.cleandoc(command.help or "").partition("\n\n")[0].split()) == text, name
    assert sorted(cli.commands) == sorted(COMMANDS)
    assert cli.help == GROUP_HELP


@pytest.mark.parametrize("argv, loaded", [(["--help"], []), (["due", "--help"], ["outreach.cli.threads"]),
                                          (["targets", "list"], ["outreach.cli.targets"]),
                                          (["report", "--json"], ["outreach.cli.targets"]),
                                          (["templates"], ["outreach.cli.lint"])])
def test_the_group_imports_only_the_command_that_runs(argv: list[str], loaded: list[str], env: dict[str, str],
                                                      tmp_path: Path) -> None:
    probe = ("import sys\nfrom outreach.cli.group import cli\ntry:\n    cli.main(sys.argv[1:], 'outreach', "
             "standalone_mode=False)\nexcept SystemExit:\n    pass\n"
             f"print(sorted(m for m in sys.modules if m in {COMMAND_MODULES!r}))\n")
    done = subprocess.run([sys.executable, "-c", probe, *argv], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == repr(loaded)


@pytest.mark.parametrize("columns", [1, 20, 49, 50, 52, 53, 60, 64, 65, 70, 77, 78, 79, 80, 81, 100, 300])
def test_the_fast_help_is_clicks_at_every_width(columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    with click.Context(cli, info_name="outreach", **cli.context_settings) as ctx:
        assert render_help(terminal_columns()) == ctx.get_help() + "\n"


@pytest.mark.parametrize("columns", [None, "", "0", "-5", "abc", "40", "120"])
@pytest.mark.parametrize("lines", [None, "0", "30"])
def test_terminal_columns_are_shutils(columns: str | None, lines: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (("COLUMNS", columns), ("LINES", lines)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert terminal_columns() == shutil.get_terminal_size().columns


WORD = st.text(st.sampled_from("abcXYZ-.,:'()`é"), min_size=1, max_size=12)


@settings(max_examples=400, deadline=None)
@given(words=st.lists(WORD, max_size=25), breaks=st.lists(st.sampled_from([" ", "  ", "\n", "\n\n", "\t"]),
                                                          min_size=25, max_size=25),
       limit=st.integers(0, 120))
def test_short_help_is_clicks(words: list[str], breaks: list[str], limit: int) -> None:
    text = "".join(word + gap for word, gap in zip(words, breaks))
    assert short_help(text, limit) == click.Command("x", help=text).get_short_help_str(limit)


@pytest.mark.parametrize("argv", [["--help"], ["-h"]])
@pytest.mark.parametrize("columns", [None, "60", "200"])
def test_help_through_the_console_script_is_clicks(argv: list[str], columns: str | None, env: dict[str, str],
                                                   tmp_path: Path) -> None:
    if columns:
        env["COLUMNS"] = columns
    (code, out, err), modules = both(argv, env, tmp_path)
    assert code == 0 and out.startswith("Usage: outreach [OPTIONS] COMMAND [ARGS]...") and err == ""
    assert modules == []


TEMPLATES = [["templates"], ["templates", "--json"]]
DUE = [["due"], ["due", "--json"]]


@pytest.mark.parametrize("argv", TEMPLATES + DUE)
def test_no_config(argv: list[str], env: dict[str, str], tmp_path: Path) -> None:
    (code, out, _), modules = both(argv, env, tmp_path)
    assert code == 0 and (out or argv == ["due", "--json"])
    assert modules == []


@pytest.mark.parametrize("argv", TEMPLATES + DUE)
def test_a_broken_config(argv: list[str], config_file: Path, env: dict[str, str], tmp_path: Path) -> None:
    config_file.write_text("[sender\nname = 'Sam'\n", encoding="utf-8")
    (code, out, err), modules = both(argv, env, tmp_path)
    assert code == 2
    assert (json.loads(out)["exit_code"] == 2) if "--json" in argv else ("Error:" in err and out == "")
    assert modules == []


@pytest.mark.parametrize("argv", TEMPLATES)
def test_templates_of_the_user_and_a_broken_one(argv: list[str], config_file: Path, env: dict[str, str],
                                               tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "coffee.html").write_text('+++\nkind = "intro"\nsubject = "Coffee?"\n+++\n<p>Hi Zoë</p>\n', "utf-8")
    (mine / "broken.html").write_text('+++\nkind = "nonsense"\n+++\n<p>x</p>\n', encoding="utf-8")
    config_file.write_text(config_file.read_text() + f'\n[templates]\ndirs = ["{mine}"]\n', encoding="utf-8")
    (code, out, _), modules = both(argv, env, tmp_path)
    assert code == 0 and "coffee" in out and "broken" in out
    assert modules == []


@pytest.mark.parametrize("argv", DUE)
def test_nothing_due(argv: list[str], config_file: Path, home: Path, env: dict[str, str], tmp_path: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    with Store(home / "outreach.sqlite3") as store:
        sent(store, "ada@example.com", "intro", datetime.now(timezone.utc) - timedelta(days=1))
    (code, out, _), modules = both(argv, env, tmp_path)
    assert code == 0 and out == ("" if "--json" in argv else "Nothing is due. Well done.\n")
    assert modules == []


@pytest.mark.parametrize("argv", DUE)
def test_some_due(argv: list[str], config_file: Path, home: Path, env: dict[str, str], tmp_path: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    now = datetime.now(timezone.utc)
    with Store(home / "outreach.sqlite3") as store:
        sent(store, "ada@example.com", "intro", now - timedelta(days=10))
        sent(store, "grace@example.com", "intro", now - timedelta(days=30))
        sent(store, "zoe@example.com", "intro", now - timedelta(days=1))
    (code, out, _), _ = both(argv, env, tmp_path)
    assert code == 0 and "ada@example.com" in out and "grace@example.com" in out and "zoe@" not in out


@pytest.mark.parametrize("argv", DUE)
def test_an_unreadable_store(argv: list[str], config_file: Path, home: Path, env: dict[str, str],
                             tmp_path: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "outreach.sqlite3").write_bytes(b"this is not a database" * 100)
    (code, out, err), _ = both(argv, env, tmp_path)
    assert code == 3
    assert (json.loads(out)["exit_code"] == 3) if "--json" in argv else "Error:" in err


@pytest.mark.parametrize("argv", [["templates", "--json", "--json"], ["due", "--upcoming", "3"], ["due", "-h"],
                                  ["--version"], [], ["due", "--jsn"], ["templatez"]])
def test_other_command_lines_go_to_click(argv: list[str], env: dict[str, str], tmp_path: Path) -> None:
    (code, _, _), modules = both(argv, env, tmp_path)
    assert "click" in modules


def test_another_encoding_goes_to_click(env: dict[str, str], tmp_path: Path) -> None:
    env["PYTHONIOENCODING"] = "latin-1"
    (code, out, _), modules = both(["--help"], env, tmp_path)
    assert code == 0 and "click" in modules


def test_the_fast_path_is_what_the_console_script_runs() -> None:
    from importlib.metadata import entry_points

    [script] = [e for e in entry_points(group="console_scripts") if e.name == "outreach"]
    assert script.value == "outreach.cli:main"


@pytest.mark.parametrize("argv", [["--help"], ["templates"], ["due"]])
def test_a_closed_pipe_ends_both_alike(argv: list[str], env: dict[str, str], tmp_path: Path) -> None:
    results = []
    for code in (FAST.format(heavy=HEAVY), CLICK):
        read, write = os.pipe()
        os.close(read)
        try:
            done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "modules.txt"), *argv], env=env,
                                  stdout=write, stderr=subprocess.PIPE, text=True, timeout=60)
        finally:
            os.close(write)
        results.append((done.returncode, done.stderr))
    assert results[0] == results[1]
    assert results[0] == (1, "")
