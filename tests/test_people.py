"""One person, one relationship: the resolver, recording people on send, one intro each, and what a user trips on."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from legacy_schema import legacy_store
from smtp_server import Sink
from clocked import START, Clock, cli_on_clock

from outreach import Contact, Recipient, Renderer, Sender, Store, ValidationError, prepare_batch, queue_batch
from outreach.book.contacts import ContactBook
from outreach.book.people import People, UnknownPersonError
from outreach.cli import cli
from outreach.lifecycle.threads import Threads
from outreach.store import MIGRATIONS

SAM = Sender("Sam Rivera", "sam@example.edu")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "s.sqlite3", clock=lambda: START)


@pytest.fixture
def cli_run(config_file: Path, plain_server: tuple[Sink, int]):  # type: ignore[no-untyped-def]
    sink, port = plain_server
    clock = Clock()
    run = cli_on_clock(config_file, port, clock)

    run.sink, run.clock = sink, clock  # type: ignore[attr-defined]
    return run


def test_every_form_of_a_person_resolves_to_one(store: Store) -> None:
    book = ContactBook(store)
    ada = book.add("ada@bücher.de", name="Ada Lovelace", fields={"other_emails": "ada.l@work.example"})
    people = People(store)
    for ref in ("ada@bücher.de", "ADA@BÜCHER.DE", "ada@xn--bcher-kva.de", "ada.l@work.example", str(ada.id),
                f"#{ada.id}"):
        person = people.resolve(ref)
        assert person.record is not None and person.record.id == ada.id and person.key == "ada@xn--bcher-kva.de"
    with pytest.raises(UnknownPersonError, match=r"did you mean ada@xn--bcher-kva.de\?") as caught:
        people.resolve("ada@xn--bchr-kva.de")
    assert caught.value.suggestion == "ada@xn--bcher-kva.de"
    assert people.resolve("new@example.com", new=True).record is None


def test_the_threads_api_acts_on_one_thread_whatever_the_case(store: Store) -> None:
    threads = Threads(store)
    threads.log("Ada@Example.com", "met", START)
    threads.log("ada@example.com", "note", START + timedelta(hours=1), {"text": "likes dbt"})
    [view] = threads.views()
    assert view.contact == "ada@example.com" and [e.kind for e in view.events] == ["met", "note"]
    assert threads.latest("ADA@example.com") == view


def test_a_send_records_the_person_and_keeps_hand_edits(store: Store) -> None:
    book = ContactBook(store)
    book.add("bob@example.com", name="Robert Stone")
    people = [Recipient(Contact("ada@example.com", name="Ada Lovelace", company="Globex", fields={"team": "Data"}),
                        {"topic": "UX"}),
              Recipient(Contact("bob@example.com", name="Bob S", company="Initech"), {"topic": "UX"})]
    queue_batch("intro", people, store=store, sender=SAM, renderer=Renderer())
    ada, bob = book.get("ada@example.com"), book.get("bob@example.com")
    assert (ada.name, ada.company, ada.fields["team"]) == ("Ada Lovelace", "Globex", "Data")
    assert (bob.name, bob.company) == ("Robert Stone", "Initech")


def test_a_reply_inherits_the_threads_variables(store: Store) -> None:
    [entry] = prepare_batch("intro", [Recipient(Contact("ada@example.com", name="Ada Lovelace"),
                                                {"topic": "UX", "company": "Globex"})],
                            sender=SAM, renderer=Renderer(), store=store)
    store.journal([entry])
    store.mark(entry.key, __import__("outreach").Status.SENT)
    tmp = Path(store.path).parent / "t"
    tmp.mkdir()
    (tmp / "nudge.html").write_text('+++\nkind = "follow-up"\nreply = true\nsubject = "x"\n+++\n'
                                    "<p>Hi {{ first_name }}, about {{ topic }} at {{ company }}</p>\n")
    [reply] = prepare_batch("nudge", [Recipient(Contact("ada@example.com"))], sender=SAM, renderer=Renderer([tmp]),
                            store=store)
    msg = message_from_bytes(reply.data, policy=policy.default)
    assert msg["To"].addresses[0].display_name == "Ada Lovelace"
    assert msg.get_body(("plain",)).get_content().strip() == "Hi Ada, about UX at Globex"
    [over] = prepare_batch("nudge", [Recipient(Contact("ada@example.com", company="Initech"), {"topic": "ML"})],
                           sender=SAM, renderer=Renderer([tmp]), store=store)
    assert "about ML at Initech" in message_from_bytes(over.data, policy=policy.default).get_body(
        ("plain",)).get_content()


def test_one_intro_per_person_whatever_the_template(cli_run, tmp_path: Path, config_file: Path) -> None:  # type: ignore[no-untyped-def]
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "alum.html").write_text('+++\nkind = "intro"\nsubject = "Fellow alum"\n+++\n<p>Hi {{ first_name }}</p>\n')
    config_file.write_text(config_file.read_text() + f'[templates]\ndirs = ["{mine}"]\n')
    assert cli_run("send", "alum", "--to", "ada@example.com", "--name", "Ada Lovelace")[0] == 0
    code, _, err = cli_run("send", "intro", "--to", "ada@example.com", "--var", "topic=UX")
    assert code == 2 and "already got an intro on 2026-11-02 (template 'alum'" in err and "--again" in err
    assert "already done by an earlier run" in cli_run("send", "alum", "--to", "ada@example.com")[1]
    assert cli_run("send", "intro", "--to", "ada@example.com", "--var", "topic=UX", "--again")[0] == 0
    cli_run.clock.day(8)
    code, out, err = cli_run("follow-up", "--all", "--json")
    assert code == 0, err
    assert len(out.splitlines()) == 2 and len(cli_run.sink.messages) == 4


def test_batches_skip_blocked_contacts_but_explicit_sends_refuse(cli_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    csv = tmp_path / "p.csv"
    csv.write_text("name,email\nAda Lovelace,ada@example.com\nBob Stone,bob@blocked.example\n")
    assert cli_run("contacts", "block", "@blocked.example")[0] == 0
    code, out, err = cli_run("send", "intro", "--contacts", str(csv), "--var", "topic=UX")
    assert code == 0 and "Skipping 1 contacts in p.csv on the do-not-contact list" in err
    assert [str(m["To"].addresses[0].addr_spec) for m in cli_run.sink.messages] == ["ada@example.com"]
    code, _, err = cli_run("send", "intro", "--to", "bob@blocked.example", "--var", "topic=UX")
    assert code == 2 and "do-not-contact" in err


def test_a_referral_needs_the_referrers_name(cli_run) -> None:  # type: ignore[no-untyped-def]
    assert cli_run("send", "intro", "--to", "kai@example.com", "--var", "topic=UX")[0] == 0
    code, _, err = cli_run("log", "kai@example.com", "--referral", "maya@example.com", "--name", "Maya Chen",
                           "--may-use-name")
    assert code == 2 and '--referrer-name "First Last"' in err
    assert cli_run("log", "kai@example.com", "--referral", "maya@example.com", "--name", "Maya Chen",
                   "--may-use-name", "--referrer-name", "Kai Kim")[0] == 0
    code, out, _ = cli_run("preview", "intro", "--contact", "maya@example.com", "--var", "topic=UX")
    assert code == 0 and "To: Maya Chen <maya@example.com>" in out and "Kai Kim suggested" in out
    code, out, _ = cli_run("contacts", "show", "kai@example.com")
    assert "referred you to: Maya Chen <maya@example.com>" in out


def test_preview_knows_the_person_and_the_thread(cli_run) -> None:  # type: ignore[no-untyped-def]
    assert cli_run("send", "intro", "--to", "ada@example.com", "--name", "Ada Lovelace", "--var", "topic=UX")[0] == 0
    code, out, err = cli_run("preview", "check-in", "--contact", "ADA@example.com")
    assert code == 2 and "To: Ada Lovelace <ada@example.com>" in out and "topic = UX" in out
    assert 'Missing: update (give --var update="...")' in err
    code, out, _ = cli_run("preview", "check-in", "--contact", "ada@example.com", "--var", "update=I start in May")
    assert code == 0
    assert "To: Ada Lovelace <ada@example.com>" in out and "Subject: Re: Could I ask you about UX?" in out
    assert "update = I start in May" in out and "Hi Ada," in out


def test_journal_retry_queues_a_failed_message_again(cli_run, config_file: Path) -> None:  # type: ignore[no-untyped-def]
    cli_run.sink.fail_times["nouser550"] = 1
    code, _, _ = cli_run("send", "intro", "--to", "nouser550@example.com", "--name", "Ada", "--var", "topic=UX")
    assert code == 1
    [row] = map(json.loads, cli_run("journal", "--json")[1].splitlines())
    assert row["status"] == "failed"
    code, out, _ = cli_run("journal", "retry", row["message_id"])
    assert code == 0 and "Queued 1 failed message again" in out
    code, out, _ = cli_run("send", "intro", "--to", "nouser550@example.com", "--name", "Ada", "--var", "topic=UX")
    assert code == 0 and out.startswith("sent ")
    assert cli_run("journal", "retry", "--failed")[0] == 2


def test_migration_keeps_an_earlier_store(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = legacy_store(path, 4)
    db.execute("INSERT INTO messages (key, batch, message_id, thread_id, contact, template, subject, envelope, data,"
               " status, kind, created_at, updated_at, sent_at) VALUES ('intro:ada@example.com', 'b', '<m@x>',"
               " '<m@x>', 'ada@example.com', 'intro', 'Hi',"
               " '{\"sender\": \"s@x.org\", \"recipients\": [\"ada@example.com\"], \"smtputf8\": false}',"
               " CAST('To: Ada Lovelace <ada@example.com>' || char(13, 10, 13, 10) || 'Hi' AS BLOB), 'sent', 'intro', '2026-11-01T09:00:00+00:00',"
               " '2026-11-01T09:00:00+00:00', '2026-11-01T09:00:00+00:00')")
    db.commit()
    db.close()
    store = Store(path)
    assert store.migrations == [m.name for m in MIGRATIONS]
    [entry] = store.messages()
    assert entry.key == "intro:ada@example.com" and entry.variables == {}
    person = People(store).resolve("Ada@Example.com")
    assert person.key == "ada@example.com" and person.name == "Ada Lovelace"


def test_small_things_a_real_user_tripped_on(cli_run, tmp_path: Path, config_file: Path) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli_run("log", "ada@example.com", "--met", "--replied", "--new")
    assert code == 2 and "one event per call" in err
    code, _, err = cli_run("log", "ada@example.com", "--met", "--new", "--at", "tomorrow")
    assert code == 2 and "--at" in err
    code, _, err = cli_run("thread", "nobody@example.com")
    assert code == 2
    code, out, _ = cli_run("contacts", "block")
    assert code == 0 and "No blocks" in out
    cli_run("contacts", "add", "jo@example.com", "--name", "Jo Müller", "--field", "other_emails=jo@home.example")
    for search in ("MÜLLER", "Muller", "müller"):
        assert "Jo Müller" in cli_run("contacts", "list", "--search", search)[1]
    code, out, _ = cli_run("contacts", "show", "JO@home.example")
    assert code == 0 and "Jo Müller" in out
    generic = tmp_path / "people.csv"
    generic.write_text("name,email\nNo Address,\nAl Bo,al@example.com\n")
    code, out, _ = cli_run("contacts", "import", str(generic))
    assert "LinkedIn" not in out and "1 contact has no email address" in out
    noemail = tmp_path / "noemail.csv"
    noemail.write_text("name,phone\nAl,123\n")
    code, _, err = cli_run("send", "intro", "--contacts", str(noemail), "--var", "topic=x")
    assert code == 2 and "noemail.csv" in err and err.count("noemail.csv") == 1
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "broken.html").write_text("no front matter\n")
    config_file.write_text(config_file.read_text() + f'[templates]\ndirs = ["{mine}"]\n')
    code, out, _ = cli_run("templates")
    assert code == 0 and "broken" in out and "BROKEN" in out and "intro" in out


def test_journal_columns_line_up(cli_run) -> None:  # type: ignore[no-untyped-def]
    for address in ("a@example.com", "a.very.long.address.indeed@subdomain.example.com"):
        assert cli_run("send", "intro", "--to", address, "--var", "topic=x")[0] == 0
    lines = cli_run("journal")[1].splitlines()
    assert len({line.index("<") for line in lines}) == 1


def test_init_refuses_its_own_typod_domain() -> None:
    result = CliRunner().invoke(cli, ["init", "--name", "Sam", "--email", "sam@gmial.com"])
    assert result.exit_code == 2 and "did you mean sam@gmail.com?" in result.stderr


def test_dry_runs_are_not_paced(config_file: Path, tmp_path: Path) -> None:
    csv = tmp_path / "many.csv"
    csv.write_text("email\n" + "".join(f"p{i}@example.com\n" for i in range(6)))
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["send", "intro", "--contacts", str(csv), "--var", "topic=x", "--rate", "2"])
    assert result.exit_code == 0 and time.monotonic() - started < 10


def test_follow_ups_for_an_empty_name_are_refused_not_hi_comma(store: Store, tmp_path: Path) -> None:
    (tmp_path / "hi.html").write_text('+++\nsubject = "x"\n+++\n<p>Hi {{ first_name }},</p>\n')
    with pytest.raises(ValidationError, match="'first_name' is undefined for contact 'ada@example.com'"):
        prepare_batch("hi", [Recipient(Contact("ada@example.com", name=" "))], sender=SAM,
                      renderer=Renderer([tmp_path]), store=store, now=datetime.now(timezone.utc))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flips=st.lists(st.booleans(), min_size=24, max_size=24))
def test_any_casing_of_a_known_address_is_the_same_person(store: Store, flips: list[bool]) -> None:
    address = "carol.danvers@example.org"
    if not ContactBook(store).find():
        ContactBook(store).add(address, name="Carol Danvers")
    variant = "".join(c.upper() if flip else c for c, flip in zip(address, flips + [False] * len(address)))
    assert People(store).resolve(variant).name == "Carol Danvers"


_CAROL = "carol@example.org"


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.sampled_from([i for i, c in enumerate(_CAROL) if c.isalpha()]), letter=st.sampled_from("qxzw"))
def test_one_typo_away_from_a_known_address_is_refused_with_it(store: Store, position: int, letter: str) -> None:
    typo = _CAROL[:position] + letter + _CAROL[position + 1:]
    assume(typo != _CAROL)
    if not ContactBook(store).find():
        ContactBook(store).add(_CAROL, name="Carol Danvers")
    with pytest.raises(UnknownPersonError) as caught:
        People(store).resolve(typo)
    assert caught.value.suggestion == _CAROL and f"did you mean {_CAROL}?" in str(caught.value)


def test_a_contact_without_an_address_is_still_shown_and_edited_by_id(cli_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    csv = tmp_path / "p.csv"
    csv.write_text("name,email,company\nLin Park,,Globex\n")
    assert cli_run("contacts", "import", str(csv))[0] == 0
    [row] = map(json.loads, cli_run("contacts", "list", "--json")[1].splitlines())
    code, out, _ = cli_run("contacts", "show", str(row["id"]))
    assert code == 0 and "Lin Park" in out
    code, out, _ = cli_run("contacts", "edit", f"#{row['id']}", "--email", "lin@example.com")
    assert code == 0 and "lin@example.com" in out
    code, _, err = cli_run("send", "intro", "--contact", str(row["id"] + 1), "--var", "topic=x")
    assert code == 2 and "no contact" in err


@pytest.mark.parametrize("new", [True, False])
@pytest.mark.parametrize("ref", ["ada@bücher.de", "ADA@xn--bcher-kva.de", "ada.l@work.example", "Ada.L@Work.Example",
                                 "grace@example.com", "sent@example.org", "nobody@example.net", "ada@bucher.de",
                                 "not an address", "1", "#1", "#99"])
def test_a_persons_key_is_the_key_resolve_finds(store: Store, ref: str, new: bool) -> None:
    """key() answers for an address without asking the book twice; it is still what resolve() finds, errors alike."""
    book = ContactBook(store)
    book.add("ada@bücher.de", name="Ada Lovelace", fields={"other_emails": "ada.l@work.example"})
    book.add("grace@example.com", name="Grace Hopper")
    store.journal([_entry_to("sent@example.org")])

    def outcome(find):  # type: ignore[no-untyped-def]
        try:
            return find()
        except Exception as exc:  # noqa: BLE001 - the same error either way is what is asserted
            return (type(exc), str(exc))

    assert outcome(lambda: People(store).key(ref, new=new)) == outcome(lambda: People(store).resolve(ref, new=new).key)


def _entry_to(address: str):  # type: ignore[no-untyped-def]
    from outreach.models import Envelope, Status
    from outreach.store.db import JournalEntry

    return JournalEntry(key=f"t:{address}", batch="b", message_id=f"<{address}>", thread_id=f"<{address}>",
                        contact=address, template="t", subject="s", envelope=Envelope("sam@example.edu", (address,)),
                        data=b"x", status=Status.QUEUED, kind="intro")
