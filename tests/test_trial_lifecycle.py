"""The user trial's findings on people, meetings and the command line, each as the trial met it."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner
from smtp_server import Sink
from clocked import START, Clock

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


def test_correcting_an_address_keeps_the_person_and_their_conversation(world) -> None:  # type: ignore[no-untyped-def]
    sink, clock, run, csv = world
    assert run("contacts", "import", str(csv), "--tag", "fall")[0] == 0
    assert run("send", "intro", "--tag", "fall", "--var", "topic=UX research", "--no-typo-check")[0] == 0
    [intro] = [m for m in sink.messages if "carol@exmaple.org" in m["To"]]
    code, out, err = run("contacts", "edit", "carol@exmaple.org", "--email", "carol@example.org")
    assert code == 0, err
    assert "conversations now go to carol@example.org; carol@exmaple.org is kept as a secondary address" in out
    code, out, _ = run("contacts", "show", "carol@example.org", "--json")
    shown = json.loads(out)
    assert len(shown["messages"]) == 1 and "carol@exmaple.org" in json.dumps(shown)
    clock.day(8)
    code, due, _ = run("due")
    assert "carol@example.org" in due and "exmaple" not in due
    code, out, err = run("follow-up", "--all")
    assert code == 0, err
    [follow_up] = [m for m in sink.messages[3:] if "carol" in m["To"]]
    assert "carol@example.org" in follow_up["To"] and follow_up["In-Reply-To"] == intro["Message-ID"]
    clock.day(8, hour=12)
    code, out, err = run("log", "carol@example.org", "--replied")
    assert code == 0 and "no email yet" not in out and "now replied" in out
    code, out, _ = run("thread", "carol@exmaple.org", "--json")
    history = [h["what"] for h in json.loads(out)["history"]]
    assert [h.split(":")[0] for h in history] == ["address corrected from carol@exmaple.org to carol@example.org",
                                                  "sent intro", "sent follow-up", "replied"]
    sent = len(sink.messages)
    code, out, err = run("send", "intro", "--tag", "fall", "--var", "topic=UX research", "--no-typo-check")
    assert code == 0 and "3 already done by an earlier run" in out + err
    code, out, err = run("send", "intro", "--to", "carol@exmaple.org", "--var", "topic=UX", "--no-typo-check")
    assert len(sink.messages) == sent
    code, out, _ = run("contacts", "list", "--json")
    people = [json.loads(line) for line in out.splitlines()]
    assert sorted(p["email"] for p in people) == ["ada@example.com", "bob@example.com", "carol@example.org"]
    assert run("contacts", "import", str(csv), "--tag", "fall")[0] == 0
    code, out, _ = run("contacts", "list", "--json")
    assert len(out.splitlines()) == 3


def test_an_address_of_someone_else_in_the_book_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    sink, clock, run, csv = world
    assert run("contacts", "import", str(csv))[0] == 0
    code, out, err = run("contacts", "edit", "carol@exmaple.org", "--email", "ADA@example.com")
    assert code == 2 and "ADA@example.com is already in the book" in err


def test_a_domain_one_letter_from_your_contacts_domain_is_a_problem(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sink, clock, run, csv = world
    people = tmp_path / "people.csv"
    people.write_text("name,email\nAda Lovelace,ada@example.org\nBob Stone,bob@example.org\n"
                      "Carol Danvers,carol@exmaple.org\n")
    code, out, err = run("contacts", "import", str(people), "--tag", "fall")
    assert code == 0
    assert ("Note: people.csv: line 4: carol@exmaple.org may be a typo of carol@example.org" in err
            and "outreach contacts edit carol@exmaple.org --email carol@example.org" in err)
    code, out, err = run("send", "intro", "--tag", "fall", "--var", "topic=UX")
    assert code == 2 and sink.messages == []
    assert "carol@exmaple.org: did you mean carol@example.org?" in err and "--no-typo-check" in err
    code, out, err = run("send", "intro", "--to", "dan@exampel.org", "--var", "topic=UX", "--json")
    assert code == 2 and "did you mean dan@example.org?" in out
    code, out, err = run("log", "carol@example.org", "--replied")
    assert code == 2 and "your book has carol@exmaple.org, which looks like a typo of it" in err
    assert "`outreach contacts edit carol@exmaple.org --email carol@example.org`" in err
    assert run("send", "intro", "--to", "eve@example.org", "--var", "topic=UX")[0] == 0
    assert run("send", "intro", "--to", "fay@examples.org", "--var", "topic=UX", "--no-typo-check")[0] == 0
    assert run("send", "intro", "--to", "gus@examples.org", "--var", "topic=UX")[0] == 0
    code, out, err = run("send", "intro", "--to", "dan@exmaple.org", "--var", "topic=UX")
    assert code == 0, "a domain another contact already uses is not a typo"


def test_suggest_known_domain() -> None:
    from outreach.compose.typos import suggest_known_domain

    used = {"example.org": 3, "acme.com": 1}
    assert suggest_known_domain("exmaple.org", used) == "example.org"
    assert suggest_known_domain("exampe.org", used) == "example.org"
    assert suggest_known_domain("example.org", used) is None
    assert suggest_known_domain("example.com", used) is None
    assert suggest_known_domain("acme.co", {**used, "acme.co": 1}) is None
    assert suggest_known_domain("acne.com", used) == "acme.com"


def test_the_api_contact_book_edit_moves_the_conversation(tmp_path: Path) -> None:
    import outreach
    from clocked import Clock as StoryClock

    clock = StoryClock()
    transport = outreach.MemoryTransport()
    config = outreach.Config(sender=outreach.Sender("Sam Rivera", "sam@example.edu"), home=tmp_path / "data")
    with outreach.Outreach(config, store=tmp_path / "s.sqlite3", transport=transport, clock=clock) as app:
        carol = outreach.Contact(email="carol@exmaple.org", name="Carol Danvers")
        assert app.send("intro", [carol], variables={"topic": "UX"}, typo_check=False).ok
        from outreach.store.blocks import BlockTable
        from outreach.store.threads import ThreadTable

        clock.day(0, hour=10)
        [entry] = app.store.messages()
        ThreadTable(app.store).add_event(entry.thread_id, "bounced", clock().isoformat(), {"reason": "no such domain"})
        BlockTable(app.store).mark_bounced("carol@exmaple.org", clock().isoformat(), "no such domain")
        assert app.thread("carol@exmaple.org").state == "blocked"  # type: ignore[union-attr]
        clock.day(0, hour=11)
        record = app.contacts.edit("carol@exmaple.org", email="carol@example.org")
        assert app.thread("carol@example.org").state == "awaiting-reply"  # type: ignore[union-attr]
        assert record.email == "carol@example.org" and record.fields["other_emails"] == "carol@exmaple.org"
        assert [e.contact for e in app.store.messages()] == ["carol@example.org"]
        assert app.thread("carol@exmaple.org").view.contact == "carol@example.org"  # type: ignore[union-attr]
        clock.day(8)
        [item] = app.due()
        assert (item.kind, item.contact) == ("follow-up", "carol@example.org")
        assert app.send("follow-up", app.due_recipients("follow-up")).ok
        assert transport.sent[-1][1].recipients == ("carol@example.org",)
        assert app.send("intro", ["carol@example.org"], variables={"topic": "UX"}).outcomes[0].earlier
        assert len(transport.sent) == 2 and len(app.contacts.find()) == 1


_LABEL = st.text(alphabet="abcdex", min_size=1, max_size=6)
_DOMAIN = _LABEL.map(lambda s: s + ".org")


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_DOMAIN, st.integers(1, 3), max_size=12), _DOMAIN)
def test_the_domain_index_finds_what_comparing_every_pair_finds(used: dict[str, int], domain: str) -> None:
    from outreach.compose.typos import NearDomains
    from outreach.edits import edit_distance

    brute = sorted((-n, d) for d, n in used.items() if d != domain and edit_distance(domain, d) == 1)
    assert NearDomains(used).near(domain) == (brute[0][1] if brute else None)
