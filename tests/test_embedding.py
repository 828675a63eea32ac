"""outreach as another career tool uses it: only ``import outreach``, its own database, transport and clock."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import outreach

README = Path(__file__).resolve().parent.parent / "README.md"


class Clock:
    """The host's clock, moved by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


def host_database(path: Path) -> None:
    """A job tracker's own database: its own ``contacts`` table and its own user_version."""
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE contacts (id INTEGER PRIMARY KEY, full_name TEXT NOT NULL, employer TEXT);
        INSERT INTO contacts (full_name, employer) VALUES ('Grace Hopper', 'Navy');
        CREATE TABLE applications (id INTEGER PRIMARY KEY, company TEXT, status TEXT);
        INSERT INTO applications (company, status) VALUES ('Globex', 'applied');
        PRAGMA user_version = 7;
    """)
    db.commit()
    db.close()


def test_a_host_tool_sends_logs_reads_due_and_hears_hooks(tmp_path: Path) -> None:
    path = tmp_path / "tracker.sqlite3"
    host_database(path)
    clock = Clock()
    transport = outreach.MemoryTransport()
    outcomes: list[outreach.Outcome] = []
    replies: list[object] = []
    config = outreach.Config(sender=outreach.Sender("Sam Rivera", "sam@example.edu",
                                                   {"about": "a final-year statistics student"}),
                             home=tmp_path / "data")
    people = [outreach.Contact(email="ada@example.com", name="Ada Lovelace", company="Analytical Engines"),
              outreach.Contact(email="grace@example.com", name="Grace Hopper", company="Navy")]

    with outreach.Outreach(config, store=path, transport=transport, clock=clock, on_outcome=outcomes.append,
                           on_reply=replies.append) as app:
        batch = app.check("intro", people, variables={"topic": "data engineering"})
        assert len(batch) == 2 and transport.sent == []
        summary = app.send("intro", people, variables={"topic": "data engineering"})
        assert summary.ok and [o.to for o in outcomes] == ["ada@example.com", "grace@example.com"]
        assert all(o.status is outreach.Status.SENT for o in outcomes)
        assert len(transport.sent) == 2

        again = app.send("intro", people, variables={"topic": "data engineering"})
        assert [o.earlier for o in again.outcomes] == [True, True] and len(transport.sent) == 2

        app.log("Ada@Example.com", outreach.EventKind.REPLIED)
        clock.now += timedelta(days=8)
        due = app.due()
        assert [(d.kind, d.contact) for d in due] == [("follow-up", "grace@example.com")]
        states = {t.view.contact: t.state for t in app.threads()}
        assert states == {"ada@example.com": outreach.ThreadState.REPLIED,
                          "grace@example.com": outreach.ThreadState.AWAITING_REPLY}

        follow = app.send("follow-up", app.due_recipients("follow-up"))
        assert follow.ok
        data = transport.sent[-1][0]
        assert b"In-Reply-To:" in data and b"Hi Grace," in data
        assert app.thread("grace@example.com").state == outreach.ThreadState.AWAITING_REPLY
        assert app.contacts.get("ada@example.com").name == "Ada Lovelace"

    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone() == (7,)
    assert db.execute("SELECT full_name, employer FROM contacts").fetchall() == [("Grace Hopper", "Navy")]
    assert db.execute("SELECT company, status FROM applications").fetchall() == [("Globex", "applied")]
    db.close()


def test_validation_errors_list_every_problem_with_its_contact_and_hint(tmp_path: Path) -> None:
    config = outreach.Config(sender=outreach.Sender("Sam Rivera", "sam@example.edu"), home=tmp_path)
    app = outreach.Outreach(config, store=tmp_path / "s.sqlite3", transport=outreach.MemoryTransport())
    with pytest.raises(outreach.ValidationError) as caught:
        app.send("intro", ["ada@gmial.com", "not an address"], variables={"topic": "UX"})
    problems = caught.value.problems
    assert [p.contact for p in problems] == ["ada@gmial.com", "not an address"]
    assert "did you mean ada@gmail.com?" in problems[0].message
    assert "--no-typo-check" not in problems[0].message and "--no-typo-check" in problems[0].hint
    app.close()


def test_the_readme_python_api_example_runs_as_printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Python API"):]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    monkeypatch.chdir(tmp_path)
    exec(compile(code.group(1), "README.md", "exec"), {"__name__": "readme"})


def test_json_failures_are_one_object_with_every_problem(config_file: Path) -> None:
    import json

    from click.testing import CliRunner

    from outreach.cli import cli

    result = CliRunner().invoke(cli, ["send", "intro", "--to", "ada@gmial.com", "--to", "bob@", "--var", "topic=UX",
                                      "--json"])
    assert result.exit_code == 2
    failure = json.loads(result.stdout)
    assert failure["exit_code"] == 2 and "nothing was sent" in failure["error"]
    assert [p["contact"] for p in failure["problems"]] == ["ada@gmial.com", "bob@"]
    assert "--no-typo-check" in failure["problems"][0]["hint"]
    assert "--no-typo-check" not in failure["problems"][0]["message"]
