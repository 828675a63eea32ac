"""The message lint: a table of broken messages, the batch it refuses, and `outreach lint`."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from outreach.models import BatchOptions
from outreach import (Contact, Draft, MemoryTransport, Recipient, Renderer, Sender, Store, ValidationError,
                      prepare_batch, send_batch)
from outreach.cli import cli
from outreach.errors import Problem
from outreach.compose.lint import lint_draft

SENDER = Sender("Sam Rivera", "sam@example.edu")


def draft(text: str, subject: str = "Could we talk?", name: str = "Ada Lovelace", html: str = "<p>x</p>") -> Draft:
    return Draft("t", Contact("ada@example.com", name), subject, html, text)


@pytest.mark.parametrize(("subject", "text", "html", "name", "codes"), [
    ("Could I ask you about ?", "Hi Ada,\n\nThanks.\n", "<p>x</p>", "Ada", ["empty-slot"]),
    ("Hello", "Hi ,\n\nThanks.\n", "<p>x</p>", "", ["empty-slot"]),
    ("Hello", "Hi Ada,\n\nYour work at Acme, Inc.. was great.\n", "<p>x</p>", "Ada", ["empty-slot"]),
    ("Hello", "Hi Ada,\n\nI met you at , and then.\n", "<p>x</p>", "Ada", ["empty-slot"]),
    ("Hello", "Hi Ada,\n\nYou work at None as an analyst.\n", "<p>x</p>", "Ada", ["empty-slot"]),
    ("Following up:", "Hi Ada,\n\nThanks.\n", "<p>x</p>", "Ada", ["empty-slot"]),
    ("Hello", "Hi there,\n\nThanks.\n", "<p>x</p>", "Ada Lovelace", ["greeting"]),
    ("Hello", "Hello,\n\nThanks.\n", "<p>x</p>", "Ada Lovelace", ["greeting"]),
    ("Hello", "Dear,\n\nThanks.\n", "<p>x</p>", "", ["empty-slot"]),
    ("Hello", "Hi Ada,\n\nMy portfolio (link below.\n", "<p>x</p>", "Ada", ["unbalanced"]),
    ("Hello", 'Hi Ada,\n\nShe said "yes.\n', "<p>x</p>", "Ada", ["unbalanced"]),
    ("Hello", "Hi Ada,\n\nFirst ) then ( again.\n", "<p>x</p>", "Ada", ["unbalanced"]),
    ("Hello", "Hi Ada,\n\nSee me.\n", "<p><A HREF='http://x.example'>me</A></p>", "Ada", ["http-link"]),
    ("Hello", "Hi Ada,\n\nThis is {{ topic }}.\n", "<p>x</p>", "Ada", ["template-syntax"]),
    ("Hello", "Hi Ada,\n\nThanks.\n", "<p>{% if x %}</p>", "Ada", ["template-syntax"]),
    ("Hello", "Hi Ada,\n\nSee my site.\n", '<p><a href="www.example.com">site</a></p>', "Ada", ["bad-link"]),
    ("Hello", "Hi Ada,\n\nSee my site.\n", '<p><a href="http://example.com">site</a></p>', "Ada", ["http-link"]),
    ("Hello", "Hi Ada,\n\nSee http://example.com today.\n", "<p>x</p>", "Ada", ["http-link"]),
    ("X" + "x" * 78, "Hi Ada,\n\nThanks.\n", "<p>x</p>", "Ada", ["long-subject"]),
    ("FREE OFFER INSIDE NOW", "Hi Ada,\n\nThanks.\n", "<p>x</p>", "Ada", ["spam-caps"]),
    ("Hello", "Hi Ada,\n\nClick here to win!!!\n", "<p>x</p>", "Ada", ["spam-marks", "spam-words"]),
    ("Hello", "Hi Ada,\n\nI read about you in the the State University network.\n", "<p>x</p>", "Ada",
     ["repeated-word"]),
    ("Hello", "Hi Ada,\n\nI would like to\nto ask.\n", "<p>x</p>", "Ada", ["repeated-word"]),
    ("Hello", "Hi Ada,\n\nWe met in Walla Walla.\n", "<p>x</p>", "Ada", ["repeated-word"]),
    ("the State University connection", "Hi Ada,\n\nThanks.\n", "<p>x</p>", "Ada", ["subject-case"]),
    ("Re: the State University connection", "Hi Ada,\n\nThanks.\n", "<p>x</p>", "Ada", ["subject-case"]),
    # Fine: they must not be flagged.
    ("iOS roles at Apple", "Hi Ada,\n\nI said that that was fine, and I had had a look. The theory then.\n",
     "<p>x</p>", "Ada", []),
    ("Re: Hello", "Hi Ada,\n\nThe book.\nThe end.\n", "<p>x</p>", "Ada", []),
    ("Hello", "Hi Ada,\n\nThanks :) for the tips (and the book). See you at 3 p.m.\n", "<p>x</p>", "Ada", []),
    ("Hello", 'Hi Ada,\n\nA one-line "not now" is fine... really.\n', "<p>x</p>", "Ada", []),
    ("Hello", "Hello,\n\nThanks.\n", "<p>x</p>", "", []),
    ("Hello", "Hi Ada,\n\nI use .NET and C# at Acme, Inc., where I work.\n", "<p>x</p>", "Ada", []),
    ("Hello", "Hi Ada,\n\nMail me.\n", '<p><a href="mailto:s@example.edu">s</a> '
                                       '<a href="https://example.edu/cv">cv</a></p>', "Ada", []),
])
def test_lint_finds_what_a_reader_would(subject: str, text: str, html: str, name: str, codes: list[str]) -> None:
    found = lint_draft(draft(text, subject, name, html))
    assert sorted({f.code for f in found}) == sorted(codes), [str(f) for f in found]


def test_a_repeated_small_word_is_an_error_and_others_are_warnings() -> None:
    the = lint_draft(draft("Hi Ada,\n\nI read about you in the the State University network.\n"))
    assert [(f.code, f.severity) for f in the] == [("repeated-word", "error")]
    walla = lint_draft(draft("Hi Ada,\n\nWe met in Walla Walla.\n"))
    assert [(f.code, f.severity) for f in walla] == [("repeated-word", "warning")]
    own = Draft("t", Contact("ada@example.com", "Ada", company="Walla Walla College"), "Hello", "<p>x</p>",
                "Hi Ada,\n\nYour work at Walla Walla College.\n")
    assert lint_draft(own) == []
    lower = lint_draft(draft("Hi Ada,\n\nThanks.\n", subject="the State University connection"))
    assert [(f.code, f.severity) for f in lower] == [("subject-case", "warning")]


def test_word_limit_is_the_templates() -> None:
    long = "Hi Ada,\n\n" + " ".join(f"word{i}" for i in range(81)) + "\n"
    assert [f.code for f in lint_draft(draft(long), max_words=80)] == ["too-long"]
    assert lint_draft(draft(long), max_words=150) == []


def test_errors_refuse_the_batch_and_warnings_are_listed(tmp_path: Path) -> None:
    (tmp_path / "ask.html").write_text('+++\nsubject = "Could I ask you about {{ topic | default(\'\') }}?"\n+++\n'
                                       '<p>Hi {{ first_name }},</p><p>See <a href="http://x.example">me</a>.</p>\n')
    renderer = Renderer([tmp_path])
    people = [Recipient(Contact("ada@example.com", "Ada"), {"topic": ""}, where="row 2"),
              Recipient(Contact("kai@example.com", "Kai"), {"topic": "dbt"}, where="row 3")]
    with pytest.raises(ValidationError) as info:
        prepare_batch("ask", people, sender=SENDER, renderer=renderer)
    assert [p.where for p in info.value.problems] == ["row 2"]
    assert "about ?" in info.value.problems[0].message
    warnings: list[Problem] = []
    batch = prepare_batch("ask", people[1:], sender=SENDER, renderer=renderer, warnings=warnings)
    assert len(batch) == 1 and len(warnings) == 1 and "http-link" in warnings[0].message


def test_the_same_text_twice_in_a_thread_is_refused(tmp_path: Path) -> None:
    (tmp_path / "nudge.html").write_text('+++\nkind = "follow-up"\nsubject = "Nudge"\nreply = true\n+++\n'
                                         "<p>Hi {{ first_name }},</p><p>Just checking in.</p>\n")
    store = Store(tmp_path / "s.sqlite3")
    ada = [Recipient(Contact("ada@example.com", "Ada"))]
    renderer = Renderer([tmp_path])
    now = datetime(2026, 11, 2, tzinfo=timezone.utc)
    first = prepare_batch("nudge", ada, sender=SENDER, renderer=renderer, store=store, now=now)
    store.journal(first)
    with MemoryTransport() as transport:
        send_batch(first, transport, store, rate_per_minute=0)
    with pytest.raises(ValidationError, match="same text as the previous message"):
        prepare_batch("nudge", ada, sender=SENDER, renderer=renderer, store=store, options=BatchOptions(again=True))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("template", ["intro", "follow-up", "thank-you", "check-in", "job-update", "met-at-event"])
def test_outreach_lint_passes_every_builtin_for_the_sample_people(template: str) -> None:
    code, out, _ = run("lint", template)
    assert code == 0 and "0 errors, 0 warnings; ready to send." in out


def test_outreach_lint_reports_errors_with_exit_1_and_json(config_file: Path, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("email,name,company\nada@example.com,Ada Lovelace,Acme\nkai@example.com,,\n", encoding="utf-8")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "ask.html").write_text('+++\nsubject = "About {{ topic | default(\'\') }}?"\n+++\n<p>Hi {{ name }},</p>\n')
    config_file.write_text(config_file.read_text() + f'\n[templates]\ndirs = ["{mine}"]\n')
    code, out, _ = run("lint", "ask", "--contacts", str(people))
    assert code == 1 and "people.csv:2" in out and "empty-slot" in out and "errors" in out
    code, out, err = run("lint", "intro", "--contacts", str(people), "--var", "topic=dbt", "--json")
    assert code == 0 and out == "" and "0 errors" in err
    code, out, _ = run("lint", "intro", "--contacts", str(people), "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and {r["code"] for r in rows} == {"render"} and "'topic'" in rows[0]["message"]


def test_send_lists_warnings_and_json_reports_them(config_file: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "site.html").write_text('+++\nsubject = "My site"\n+++\n<p>Hi {{ first_name }},</p>'
                                    '<p><a href="http://sam.example">my site</a></p>\n')
    config_file.write_text(config_file.read_text() + f'\n[templates]\ndirs = ["{mine}"]\n')
    code, out, err = run("send", "site", "--to", "ada@example.com", "--name", "Ada", "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and lines[0]["lint"] == "warning" and "http-link" in lines[0]["message"]
    assert lines[1]["status"] == "written"
    code, out, err = run("send", "site", "--to", "kai@example.com", "--name", "Kai")
    assert code == 0 and "Warning: --to kai@example.com: kai@example.com: warning [http-link]" in err


def test_a_hand_written_text_part_must_read_like_the_html(tmp_path: Path, config_file: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "two.html").write_text('+++\nsubject = "Hello"\n+++\n<p>Hi {{ first_name }},</p><p>Could we talk about'
                                   " data engineering next week?</p>\n")
    (mine / "two.txt").write_text("Hi {{ first_name }},\n\nBuy cheap watches today.\n")
    (mine / "same.html").write_text('+++\nsubject = "Hello"\n+++\n<p>Hi {{ first_name }},</p><p>Could we talk?</p>\n')
    (mine / "same.txt").write_text("Hi {{ first_name }},\n\nCould we talk?\n")
    config_file.write_text(config_file.read_text() + f'\n[templates]\ndirs = ["{mine}"]\n')
    people = tmp_path / "people.csv"
    people.write_text("email,name\nada@example.com,Ada Lovelace\n", encoding="utf-8")
    code, out, _ = run("lint", "two", "--contacts", str(people), "--json")
    assert code == 0 and {json.loads(line)["code"] for line in out.splitlines()} == {"text-differs"}
    code, out, _ = run("lint", "same", "--contacts", str(people), "--json")
    assert code == 0 and out == ""
    code, out, _ = run("lint", "same")
    assert code == 1 and "sample: no name at all" in out and "'first_name' is undefined" in out
