"""The three-week story of a student's search, end to end against a real SMTP server, on a clock passed in."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from clocked import Clock, cli_on_clock
from smtp_server import Sink


PEOPLE = {
    "ada@example.com": ("Ada Lovelace", "Analytical Engines"),
    "bob@example.com": ("Bob Stone", "Globex"),
    "carol@example.org": ("Carol Danvers", "Initech"),
    "dan@example.com": ("Dan Brown", "Umbrella"),
    "eve@example.com": ("Eve Moss", "Hooli"),
}


@pytest.fixture
def story(config_file: Path, plain_server: tuple[Sink, int], tmp_path: Path):  # type: ignore[no-untyped-def]
    sink, port = plain_server
    clock = Clock()
    run = cli_on_clock(config_file, port, clock)

    csv = tmp_path / "people.csv"
    csv.write_text("name,email,company\n" + "".join(f"{n},{a},{c}\n" for a, (n, c) in PEOPLE.items()))
    return sink, clock, run, csv


def body(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def to(msg: EmailMessage) -> str:
    return str(msg["To"].addresses[0].addr_spec)


def test_three_weeks_of_networking(story) -> None:  # type: ignore[no-untyped-def]
    sink, clock, run, csv = story

    # Day 0: an intro to five people from a CSV; each is now in the book, with the name it was sent with.
    code, out, err = run("send", "intro", "--contacts", str(csv), "--var", "topic=data engineering")
    assert code == 0, err
    intros = {to(m): m for m in sink.messages}
    assert set(intros) == set(PEOPLE)
    assert all(m["To"].addresses[0].display_name == PEOPLE[a][0] for a, m in intros.items())
    listed = {c["email"]: c for c in map(json.loads, run("contacts", "list", "--json")[1].splitlines())}
    assert {a: (c["name"], c["company"]) for a, c in listed.items()} == PEOPLE

    # Day 8: the follow-ups greet each by name, in the thread.
    clock.day(8)
    assert "outreach follow-up --all" in run("follow-up")[1]
    code, out, err = run("follow-up", "--all")
    assert code == 0, err
    follow_ups = {to(m): m for m in sink.messages[5:]}
    assert set(follow_ups) == set(PEOPLE)
    for address, msg in follow_ups.items():
        assert body(msg).startswith(f"Hi {PEOPLE[address][0].split()[0]},")
        assert msg["To"].addresses[0].display_name == PEOPLE[address][0]
        assert msg["In-Reply-To"] == intros[address]["Message-ID"]
        assert msg["Subject"] == "Re: " + intros[address]["Subject"]

    # Day 9: a reply logged by a typo'd address is refused with the suggestion; case does not matter.
    clock.day(9)
    code, _, err = run("log", "carol@exmaple.org", "--replied")
    assert code == 2 and "did you mean carol@example.org?" in err and "--new" in err
    assert run("log", "carol@example.org", "--replied")[0] == 0
    assert run("log", "Ada@Example.COM", "--replied")[0] == 0
    states = {t["contact"]: t["state"] for t in map(json.loads, run("threads", "--json")[1].splitlines())}
    assert states["ada@example.com"] == states["carol@example.org"] == "replied"
    assert len(states) == 5

    # The meeting, as it really goes: scheduled, cancelled, rearranged, rescheduled, held.
    assert run("log", "carol@example.org", "--scheduled", "2026-11-13 14:00", "--where", "Zoom")[0] == 0
    clock.day(10)
    assert run("log", "carol@example.org", "--cancelled")[0] == 0
    clock.day(17)
    code, out, _ = run("due")
    assert "follow-up  carol@example.org" in out and "cancelled" in out
    assert run("log", "carol@example.org", "--rescheduled", "2026-11-23 15:00", "--where", "Blue Bottle")[0] == 0
    code, out, _ = run("due")
    assert "carol@example.org" not in out
    clock.day(20)
    code, out, _ = run("due")
    assert "prepare" in out and "outreach prep carol@example.org" in out and "Blue Bottle" in out
    code, out, _ = run("prep", "carol@example.org")
    assert code == 0 and "Meeting:   2026-11-23 15:00 at Blue Bottle" in out and "meeting cancelled" in out
    clock.day(21)
    assert run("log", "carol@example.org", "--met", "--learned", "how analytics teams use dbt",
               "--action", "build a small dbt project this month")[0] == 0

    # The thank-you needs no --var: what was learned and promised comes from the log.
    code, out, err = run("send", "thank-you", "--contact", "carol@example.org")
    assert code == 0, err
    thanks = sink.messages[-1]
    assert to(thanks) == "carol@example.org" and thanks["To"].addresses[0].display_name == "Carol Danvers"
    assert body(thanks).startswith("Hi Carol,")
    assert "how analytics teams use dbt" in body(thanks) and "build a small dbt project this month" in body(thanks)
    assert thanks["In-Reply-To"] == follow_ups["carol@example.org"]["Message-ID"]
    code, out, _ = run("due", "--upcoming", "40", "--json")
    checkin = [json.loads(line) for line in out.splitlines() if json.loads(line)["kind"] == "check-in"]
    assert checkin and datetime.fromisoformat(checkin[0]["due_at"]) <= clock() + timedelta(days=30)

    # A referral to a new person: the intro names the referrer.
    assert run("log", "carol@example.org", "--referral", "maya@example.com", "--name", "Maya Chen",
               "--may-use-name")[0] == 0
    code, out, err = run("send", "intro", "--contact", "maya@example.com", "--var", "topic=data engineering")
    assert code == 0, err
    maya = sink.messages[-1]
    assert "Carol Danvers suggested I get in touch" in body(maya) and body(maya).startswith("Hi Maya,")
    shown = json.loads(run("contacts", "show", "maya@example.com", "--json")[1])
    assert shown["referred_by"] == "carol@example.org"
    assert json.loads(run("contacts", "show", "carol@example.org", "--json")[1])["referred"] == ["maya@example.com"]

    # Landed: the job-update goes, with no --var, to exactly those who replied or met, each in their thread.
    clock.day(23)
    code, out, _ = run("landed", "--company", "Globex", "--role", "Data Analyst")
    assert code == 0 and "outreach send job-update --due" in out
    before = len(sink.messages)
    code, out, err = run("send", "job-update", "--due")
    assert code == 0, err
    updates = {to(m): m for m in sink.messages[before:]}
    assert set(updates) == {"ada@example.com", "carol@example.org"}
    for address, msg in updates.items():
        assert body(msg).startswith(f"Hi {PEOPLE[address][0].split()[0]},")
        assert "Data Analyst at Globex" in body(msg)
        assert msg["Subject"] == "Re: " + intros[address]["Subject"]
    assert updates["carol@example.org"]["In-Reply-To"] == thanks["Message-ID"]
    assert updates["ada@example.com"]["In-Reply-To"] == follow_ups["ada@example.com"]["Message-ID"]
    code, out, _ = run("send", "job-update", "--due")
    assert "No job-update is due" in out and len(sink.messages) == before + 2
