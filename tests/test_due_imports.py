"""What ``outreach due`` runs below the command line imports only what a store with nothing due needs."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from seed import sent

from outreach.store import Store
from outreach.targets.events import Events

# The calls the `due` command makes (cli/threads.py due_cmd) on a store where nothing is due, then
# the modules that were loaded.
_SCRIPT = """
import sys
from datetime import datetime, timedelta, timezone
from outreach.config import load_config
from outreach.store.db import Store
from outreach.lifecycle.agenda import agenda, meetings
from outreach.targets.events import Events

now = datetime.fromisoformat(sys.argv[1])
config = load_config()
store = Store(config.store_path)
items = agenda(store, config, now, timedelta(days=1))
reminders = Events(store).reminders(now, timedelta(days=1))
booked = meetings(store, now)
print(repr({"items": len(items), "reminders": len(reminders), "meetings": len(booked),
            "modules": sorted(sys.modules)}))
"""

# Libraries of other commands, and the standard library's slow imports that nothing here needs.
NEVER = {"click", "jinja2", "html2text", "email_validator", "keyring", "icalendar", "imapclient", "smtplib", "email",
         "dataclasses", "inspect", "tomllib", "json.decoder", "hashlib", "uuid", "csv", "difflib", "shlex",
         "threading", "platformdirs"}
# Ours that read threads, rules, messages or the book: loaded only once a thread may owe something.
NOT_OURS = {"outreach.models", "outreach.lifecycle.threads", "outreach.lifecycle.followups", "outreach.book.contacts",
            "outreach.book.people", "outreach.compose.render", "outreach.store.threads", "outreach.config_schema"}


def _run(home: Path, now: datetime) -> dict[str, object]:
    env = {**os.environ, "OUTREACH_HOME": str(home), "OUTREACH_CONFIG": str(home / "none.toml")}
    done = subprocess.run([sys.executable, "-c", _SCRIPT, now.isoformat()], env=env, capture_output=True, text=True,
                          check=True, cwd=home)
    return ast.literal_eval(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_due_with_nothing_due_loads_no_rule_thread_or_library_module(tmp_path: Path) -> None:
    now = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
    with Store(tmp_path / "outreach.sqlite3") as store:
        for i in range(30):
            sent(store, f"p{i}@example.com", "intro", now - timedelta(days=3))
        Events(store)  # an empty events table: no reminder
    found = _run(tmp_path, now)
    assert (found["items"], found["reminders"], found["meetings"]) == (0, 0, 0)
    modules = set(found["modules"])  # type: ignore[arg-type]
    assert not modules & NEVER, modules & NEVER
    assert not modules & NOT_OURS, modules & NOT_OURS


def test_the_same_run_loads_the_rules_once_something_is_due(tmp_path: Path) -> None:
    """The guard above can fail: with a follow-up due, the rules and threads are loaded and the item found."""
    now = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
    with Store(tmp_path / "outreach.sqlite3") as store:
        sent(store, "ada@example.com", "intro", now - timedelta(days=8))
    found = _run(tmp_path, now)
    assert found["items"] == 1
    assert {"outreach.lifecycle.followups", "outreach.lifecycle.threads"} <= set(found["modules"])  # type: ignore[arg-type]
