"""`outreach prep`, `log --question`, and `outreach init` asking for what the emails need."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tomllib
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from outreach import ConfigError, load_config
from outreach.cli import cli
from outreach.lifecycle.prep import DEFAULT_QUESTIONS, REMINDERS, _meeting
from outreach.lifecycle.threads import Event


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_prep_brings_together_who_how_thread_notes_questions_and_reminders(config_file: Path) -> None:
    config_file.write_text(config_file.read_text() + 'school = "State University"\n')
    assert run("contacts", "add", "kai@example.com", "--name", "Kai Kim")[0] == 0
    assert run("contacts", "add", "ana@example.com", "--name", "Dr. Ana de la Cruz", "--company", "Acme, Inc.",
               "--position", "Engineer", "--referred-by", "kai@example.com", "--may-use-name",
               "--field", "school=State University")[0] == 0
    assert run("log", "ana@example.com", "--replied", "--at", "2026-11-20")[0] == 0
    assert run("log", "ana@example.com", "--scheduled", "2026-12-03 14:00", "--at", "2026-11-21")[0] == 0
    assert run("log", "ana@example.com", "--question", "How does your team test pipelines?")[0] == 0
    assert run("log", "ana@example.com", "--note", "Moved from academia in 2019")[0] == 0
    code, out, _ = run("prep", "ana@example.com")
    assert code == 0
    assert "Who:       Dr. Ana de la Cruz, an Engineer at Acme, Inc." in out
    assert "referred by Kai Kim (you may mention them)" in out and "alumni network (State University" in out
    assert "Meeting:   2026-12-03 14:00" in out
    assert "2026-11-20  they replied" in out and "meeting scheduled for 2026-12-03 14:00" in out
    assert "Moved from academia in 2019" in out
    assert out.index("How does your team test pipelines?") < out.index(DEFAULT_QUESTIONS[0])
    assert all(q in out for q in DEFAULT_QUESTIONS) and all(r in out for r in REMINDERS)
    code, out, _ = run("prep", "ana@example.com", "--json")
    brief = json.loads(out)
    assert brief["referrer"] == "Kai Kim" and brief["may_mention_referrer"] is True
    assert brief["questions"][0] == "How does your team test pipelines?" and brief["own_questions"] == 1
    assert brief["meeting"]["when"].startswith("2026-12-03") and len(brief["history"]) == 3


def test_prep_lists_the_thread_in_the_order_it_happened_and_says_how_to_log_the_meeting(config_file: Path) -> None:
    assert run("contacts", "add", "aria@example.com", "--name", "Aria Stark")[0] == 0
    assert run("log", "aria@example.com", "--replied", "--at", "2026-11-20")[0] == 0
    assert run("log", "aria@example.com", "--scheduled", "2026-12-03 14:00", "--where", "Zoom",
               "--at", "2026-11-20")[0] == 0
    code, out, _ = run("prep", "aria@example.com")
    assert code == 0
    assert out.index("they replied") < out.index("meeting scheduled for 2026-12-03 14:00 at Zoom")
    assert ('Afterwards: outreach log aria@example.com --met --learned "..." --action "...",'
            " then outreach send thank-you --contact aria@example.com") in out
    assert "--notes" not in out.split("Afterwards:")[1]


def test_prep_says_when_the_referrer_may_not_be_named(config_file: Path) -> None:
    run("contacts", "add", "kai@example.com", "--name", "Kai Kim")
    run("contacts", "add", "lee@example.com", "--name", "Lee", "--referred-by", "kai@example.com")
    code, out, _ = run("prep", "lee@example.com")
    assert code == 0 and "referred by Kai Kim (you may NOT mention them)" in out
    assert "none scheduled yet (outreach log lee@example.com --scheduled DATE)" in out


def test_prep_of_nobody_is_a_usage_error_and_a_typo_gets_a_suggestion(config_file: Path) -> None:
    code, _, err = run("prep", "nobody@example.com")
    assert code == 2 and "neither in your contact book nor in your sent mail" in err
    run("contacts", "add", "kai@example.com", "--name", "Kai Kim")
    code, _, err = run("prep", "kai@exmaple.com")
    assert code == 2 and "did you mean kai@example.com?" in err
    code, out, _ = run("prep", "KAI@example.com")
    assert code == 0 and "Brief: Kai Kim <kai@example.com>" in out


def test_meetings_moved_cancelled_or_held_are_read_tolerantly() -> None:
    at = datetime(2026, 12, 1, tzinfo=timezone.utc)
    events = [Event("scheduled", at, {"date": "2026-12-03T14:00:00+00:00"}),
              Event("rescheduled", at, {"date": "2026-12-05T10:00:00+00:00", "where": "Blue Bottle"})]
    assert _meeting(events).where == "Blue Bottle"  # type: ignore[union-attr]
    assert _meeting([*events, Event("cancelled", at)]).status == "cancelled"  # type: ignore[union-attr]
    assert _meeting([*events, Event("met", at)]).status == "held"  # type: ignore[union-attr]
    loose = _meeting([Event("scheduled", at, {"date": "next Tuesday"})])
    assert loose is not None and loose.when == "next Tuesday"
    assert _meeting([Event("note", at, {"text": "x"})]) is None
    day = _meeting([Event("scheduled", at, {"date": "2026-12-03T00:00:00+01:00", "all_day": True})])
    assert day is not None and day.when == "2026-12-03"


def test_init_with_flags_writes_every_sender_key(tmp_path: Path) -> None:
    code, out, _ = run("init", "--name", "Sam Rivera", "--email", "sam@example.edu", "--about",
                       "a final-year statistics student", "--school", "State University", "--program",
                       "MSc Data Science", "--phone", "+1 555 010 2030", "--linkedin", "linkedin.com/in/sam",
                       "--locale", "en-GB")
    assert code == 0 and "Tip" not in out
    sender = tomllib.loads((tmp_path / "config.toml").read_text())["sender"]
    assert sender == {"name": "Sam Rivera", "email": "sam@example.edu", "about": "a final-year statistics student",
                      "school": "State University", "program": "MSc Data Science", "phone": "+1 555 010 2030",
                      "linkedin": "https://linkedin.com/in/sam", "locale": "en-GB"}
    code, out, _ = run("preview", "intro", "--to", "ada@example.com", "--name", "Ada", "--var", "topic=dbt")
    assert code == 0 and "https://linkedin.com/in/sam" in out


def test_init_force_replaces_the_config_and_keeps_the_old_one(tmp_path: Path) -> None:
    assert run("init", "--name", "Sam Rivera", "--email", "sam@example.edu")[0] == 0
    code, _, err = run("init", "--name", "Sam R", "--email", "sam@example.com")
    assert code == 2 and "already exists" in err and "--force" in err
    code, out, err = run("init", "--name", "Sam R", "--email", "sam@example.com", "--force")
    assert code == 0 and "Note: replaced the existing" in err and "config.toml.bak" in err
    assert tomllib.loads((tmp_path / "config.toml").read_text())["sender"]["email"] == "sam@example.com"
    assert tomllib.loads((tmp_path / "config.toml.bak").read_text())["sender"]["email"] == "sam@example.edu"
    assert (tmp_path / "config.toml.bak").stat().st_mode & 0o777 == 0o600


def test_init_without_a_terminal_needs_name_and_email() -> None:
    code, _, err = run("init", "--name", "Sam")
    assert code == 2 and "--email" in err


def test_init_with_only_name_and_email_gives_a_good_intro_and_a_tip() -> None:
    code, out, _ = run("init", "--name", "Sam Rivera", "--email", "sam@example.edu")
    assert code == 0 and 'about = "..."' in out
    code, out, _ = run("lint", "intro")
    assert code == 0 and "0 errors, 0 warnings" in out


def test_personal_email_is_a_sender_key(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[sender]\nname = "Sam"\nemail = "sam@example.edu"\npersonal_email = "sam@example.com"\n')
    assert load_config(path).sender.fields["personal_email"] == "sam@example.com"  # type: ignore[union-attr]


@pytest.mark.parametrize(("line", "needle"), [
    ('locale = "fr-FR"', 'locale must be "en-US" or "en-GB"'),
    ('linkedin = "http://linkedin.com/in/sam"', "linkedin must be an https:// URL"),
    ("school = 3", "school must be a string"),
    ('personal_email = "sam at example.com"', "personal_email must be an email address"),
])
def test_sender_keys_are_checked(tmp_path: Path, line: str, needle: str) -> None:
    from outreach.config import SENDER_KEYS
    from outreach.config_schema import SCHEMA

    assert set(SENDER_KEYS) <= set(SCHEMA["sender"])
    path = tmp_path / "c.toml"
    path.write_text(f'[sender]\nname = "Sam"\nemail = "sam@example.edu"\n{line}\n')
    with pytest.raises(ConfigError, match=needle):
        load_config(path)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_init_asks_on_a_terminal(tmp_path: Path) -> None:
    config = tmp_path / "asked.toml"
    env = {**os.environ, "OUTREACH_CONFIG": str(config), "OUTREACH_HOME": str(tmp_path / "h")}
    master, slave = os.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "outreach", "init"], stdin=slave, stdout=slave, stderr=slave,
                            env=env, close_fds=True)
    os.close(slave)
    answers = ["Sam Rivera", "sam@example.edu", "a final-year statistics student", "State University", "",
               "", "https://www.linkedin.com/in/samrivera"]
    os.write(master, "".join(a + "\n" for a in answers).encode())
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait(timeout=30) == 0, seen.decode(errors="replace")
    os.close(master)
    assert b"One sentence about you" in seen and b"LinkedIn profile URL" in seen
    sender = tomllib.loads(config.read_text())["sender"]
    assert sender == {"name": "Sam Rivera", "email": "sam@example.edu", "about": "a final-year statistics student",
                      "school": "State University", "linkedin": "https://www.linkedin.com/in/samrivera"}
