"""The console script's send: what it imports, and its exit (garbage collected, then frozen) closing the store
and giving the same exit codes and output as the click app."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from smtp_server import Sink

SCRIPT = "import sys\nPATH = sys.argv.pop(1)\nfrom outreach.cli import main\ntry:\n    main()\nfinally:\n" \
         "    open(PATH, 'w').write(repr(sorted(sys.modules)))\n"
CLICK = "import sys\nsys.argv[1:2] = []\nfrom outreach.cli.group import run\nrun()\n"
# Not needed to send plain ASCII addresses over plain SMTP: the send path must not bring them back.
NOT_ON_THE_SEND_PATH = ("email_validator", "idna", "difflib", "keyring", "icalendar", "imapclient", "vobject")


def _env(config_file: Path, port: int) -> dict[str, str]:
    config_file.write_text(config_file.read_text() + f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\n'
                           'security = "none"\n', encoding="utf-8")
    return {**os.environ, "PYTHONIOENCODING": "utf-8"}


def _send(code: str, argv: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, str(tmp_path / "modules.txt"), *argv], env=env,
                          capture_output=True, text=True, timeout=120)


def _store_files(home: Path) -> list[str]:
    return sorted(p.name for p in home.iterdir() if p.name.startswith("outreach.sqlite3"))


def test_a_send_closes_its_store_and_imports_only_what_it_needs(config_file: Path, home: Path, tmp_path: Path,
                                                              plain_server: tuple[Sink, int]) -> None:
    sink, port = plain_server
    env = _env(config_file, port)
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("email,name,topic\nada@example.com,Ada Lovelace,UX\nINFO@Example.COM,Info Desk,UX\n",
                        encoding="utf-8")
    done = _send(SCRIPT, ["send", "intro", "--contacts", str(contacts), "--json"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["to"] for line in done.stdout.splitlines()] == ["ada@example.com", "info@example.com"]
    assert len(sink.messages) == 2
    assert _store_files(home) == ["outreach.sqlite3"]  # closed and checkpointed: no -wal or -shm left behind
    modules = eval((tmp_path / "modules.txt").read_text())  # noqa: S307 (written by the probe above)
    assert [m for m in modules if m.split(".")[0] in NOT_ON_THE_SEND_PATH] == []
    assert "outreach.lifecycle.followups" not in modules  # the due rules: an intro does not need them


@pytest.mark.parametrize("argv", [
    ["send", "intro", "--to", "ada@example.com", "--var", "topic=UX", "--json"],
    ["send", "intro", "--to", "ada@example.com", "--var", "topic=UX"],
    ["send", "intro", "--to", "nouser550@example.com", "--var", "topic=UX", "--json"],
    ["send", "intro", "--to", "not-an-address", "--json"],
    ["send", "no-such-template", "--to", "ada@example.com"],
    ["send", "intro", "--rate", "abc"],
    ["send", "intro", "--var", "topic=UX", "--to", "zoë@bücher.example"],
])
def test_the_console_script_exits_as_the_click_app_does(argv: list[str], config_file: Path, home: Path,
                                                      tmp_path: Path, plain_server: tuple[Sink, int]) -> None:
    _, port = plain_server
    env = _env(config_file, port)
    results = []
    for code in (SCRIPT, CLICK):
        for path in home.glob("outreach.sqlite3*"):
            path.unlink()
        done = _send(code, argv, env, tmp_path)
        stdout = re.sub(r"<[^<>@]+@example\.edu>", "<id>", done.stdout)  # each run makes its own Message-ID
        stdout = re.sub(r"queued as \d+", "queued", stdout)  # and the server counts what it queued
        results.append((done.returncode, stdout, done.stderr, _store_files(home) if home.exists() else []))
    assert results[0] == results[1]
    assert "Traceback" not in results[0][2]


def test_a_program_that_calls_main_and_goes_on_keeps_its_garbage_collector(config_file: Path) -> None:
    """The freeze happens as the interpreter exits, not when ``main`` returns."""
    probe = ("import atexit, gc, sys\nsys.argv = ['outreach', 'templates']\nfrom outreach.cli import main\n"
             "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))  # runs after main's\n"
             "main()\nprint('frozen after main:', gc.get_freeze_count())\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-2:] == ["frozen after main: 0", "frozen at exit: True"]
