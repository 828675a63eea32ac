"""Networking events: .ics import (idempotent, updates, cancellations), attending, reminders, met at an event."""

from __future__ import annotations

import json
import re
import unicodedata
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from smtp_server import Sink

from outreach import Contact, Renderer, Sender, Store, TargetError
from outreach.cli import cli
from outreach.compose.controls import printable
from outreach.lifecycle.followups import Policy, due_items, thread_state
from outreach.lifecycle.threads import Threads
from outreach.targets import Events

NOW = datetime(2026, 12, 10, 12, 0, tzinfo=timezone.utc)
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC here, so that "the day before" is the same day wherever the tests run."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def vevent(uid: str | None, summary: str | None, start: str | None, *extra: str) -> str:
    lines = ["BEGIN:VEVENT", "DTSTAMP:20261101T000000Z"]
    lines += [f"UID:{uid}"] if uid else []
    lines += [f"SUMMARY:{summary}"] if summary else []
    lines += [start] if start else []
    return "\r\n".join([*lines, *extra, "END:VEVENT"])


def calendar(*events: str, method: str = "PUBLISH") -> bytes:
    return ("\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//State University//Career Office//EN",
                         f"METHOD:{method}", *events, "END:VCALENDAR"]) + "\r\n").encode()


FAIR = vevent("fair-2026@career.example.edu", "Fall Career Fair", "DTSTART:20261211T150000Z",
              "DTEND:20261211T180000Z", "LOCATION:Student Center\\, Hall B", "URL:https://career.example.edu/fair",
              "DESCRIPTION:Bring your resume.\\nDress code: business casual.")
MIXER = vevent("mixer@career.example.edu", "Alumni Mixer", "DTSTART;TZID=America/New_York:20261215T180000")
DAY = vevent("day@career.example.edu", "Employer Day", "DTSTART;VALUE=DATE:20261220")


def test_import_reads_events_and_reimport_never_duplicates(tmp_path: Path) -> None:
    events = Events(Store(tmp_path / "s.sqlite3"))
    first = events.import_ics(calendar(FAIR, MIXER, DAY))
    assert (first.added, first.updated, first.unchanged, first.skipped) == (3, 0, 0, [])
    again = events.import_ics(calendar(FAIR, MIXER, DAY))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    fair, mixer, day = events.list()
    assert fair.summary == "Fall Career Fair" and fair.location == "Student Center, Hall B"
    assert fair.url == "https://career.example.edu/fair" and "business casual" in fair.description
    assert fair.starts_at == datetime(2026, 12, 11, 15, tzinfo=timezone.utc) and fair.ends_at is not None
    assert mixer.starts_at == datetime(2026, 12, 15, 23, tzinfo=timezone.utc) and not mixer.all_day
    assert day.all_day and day.starts_at.date().isoformat() == "2026-12-20"
    assert [e.summary for e in events.list(now=NOW, upcoming=timedelta(days=5))] == ["Fall Career Fair"]


def test_a_changed_event_is_updated_in_place(tmp_path: Path) -> None:
    events = Events(Store(tmp_path / "s.sqlite3"))
    events.import_ics(calendar(FAIR, MIXER))
    events.attend(1)
    moved = vevent("fair-2026@career.example.edu", "Fall Career Fair (moved)", "DTSTART:20261212T150000Z",
                   "SEQUENCE:1", "LOCATION:Gym")
    result = events.import_ics(calendar(moved, MIXER))
    assert (result.added, result.updated, result.unchanged) == (0, 1, 1)
    [fair] = [e for e in events.list() if e.uid.startswith("fair")]
    assert (fair.id, fair.summary, fair.location, fair.attending) == (1, "Fall Career Fair (moved)", "Gym", True)
    assert fair.starts_at == datetime(2026, 12, 12, 15, tzinfo=timezone.utc)
    stale = events.import_ics(calendar(FAIR))
    assert (stale.updated, stale.unchanged) == (0, 1)
    assert events.get(1).summary == "Fall Career Fair (moved)"
    assert len(events.list()) == 2


def test_cancelled_events_are_marked_and_not_reminded(tmp_path: Path) -> None:
    events = Events(Store(tmp_path / "s.sqlite3"))
    events.import_ics(calendar(FAIR, MIXER))
    events.attend(1)
    events.attend(2)
    assert [i.subject for i in events.reminders(NOW)] == ["Fall Career Fair"]
    cancelled = vevent("fair-2026@career.example.edu", "Fall Career Fair", "DTSTART:20261211T150000Z",
                       "STATUS:CANCELLED", "SEQUENCE:2")
    result = events.import_ics(calendar(cancelled))
    assert (result.updated, result.cancelled) == (1, 1)
    assert events.get(1).cancelled and events.reminders(NOW) == []
    assert events.import_ics(calendar(cancelled)).cancelled == 0
    with pytest.raises(TargetError, match="was cancelled"):
        events.attend(1)
    whole = events.import_ics(calendar(MIXER, method="CANCEL"))
    assert whole.cancelled == 1 and events.get(2).cancelled


def test_unusable_events_are_skipped_with_why(tmp_path: Path) -> None:
    events = Events(Store(tmp_path / "s.sqlite3"))
    result = events.import_ics(calendar(vevent("a", "No start", None), vevent("b", None, "DTSTART:20261211T150000Z"),
                                        vevent(None, "No UID", "DTSTART:20261211T150000Z",
                                               "URL:javascript:alert(1)")))
    assert result.added == 1
    assert result.skipped == ["event 1 (No start): it has no readable start (DTSTART)",
                              "event 2: it has no title (SUMMARY)"]
    [event] = events.list()
    assert event.summary == "No UID" and event.url == "" and event.uid.startswith("outreach-")
    assert events.import_ics(calendar(vevent(None, "No UID", "DTSTART:20261211T150000Z"))).unchanged == 1
    with pytest.raises(TargetError, match=r"not an iCalendar \(.ics\) file") as info:
        events.import_ics(b"\x89PNG\xff not a calendar")
    assert "PNG" not in str(info.value)
    with pytest.raises(TargetError, match="no event #9"):
        events.attend(9)


def test_reminder_falls_due_the_day_before_until_the_event_starts(tmp_path: Path) -> None:
    events = Events(Store(tmp_path / "s.sqlite3"))
    events.import_ics(calendar(FAIR, DAY))
    assert events.reminders(NOW) == []
    events.attend("#1")
    [item] = events.reminders(NOW)
    assert (item.kind, item.due_at) == ("event", datetime(2026, 12, 10, tzinfo=timezone.utc))
    assert "Fall Career Fair, Fri 2026-12-11 15:00 at Student Center, Hall B" in item.reason
    assert events.reminders(NOW - timedelta(days=1)) == []
    assert len(events.reminders(NOW - timedelta(days=1), timedelta(days=1))) == 1
    assert events.reminders(datetime(2026, 12, 11, 15, 1, tzinfo=timezone.utc)) == []
    events.attend(1, attending=False)
    assert events.reminders(NOW) == []


def test_met_at_an_event_owes_a_nice_to_meet_you_within_two_days() -> None:
    from outreach.lifecycle.threads import Event, MessageView, ThreadView

    met = Event("met", NOW, {"event": "Fall Career Fair"})
    view = ThreadView("<t>", "zed@example.com", "", "met", NOW, (), (met,))
    [item] = due_items([view], NOW + timedelta(hours=1), Policy())
    assert (item.kind, item.template, item.late) == ("intro", "met-at-event", False)
    assert "Fall Career Fair" in item.reason and item.as_json()["template"] == "met-at-event"
    [late] = due_items([view], NOW + timedelta(days=2, hours=1), Policy())
    assert late.late and late.template == "met-at-event" and "late since" in late.reason
    hello = MessageView("<m>", "intro", "met-at-event", "Nice to meet you", NOW + timedelta(days=1), "sent")
    answered = ThreadView("<t>", "zed@example.com", "", "met", NOW, (hello,), (met,))
    assert thread_state(answered, NOW + timedelta(days=1), Policy()) == "thanked"
    assert due_items([answered], NOW + timedelta(days=3), Policy()) == []
    interview = ThreadView("<t>", "zed@example.com", "", "met", NOW, (), (Event("met", NOW, {}),))
    assert [i.kind for i in due_items([interview], NOW, Policy())] == ["thank-you"]


def test_met_at_event_template_names_the_event(sender: Sender) -> None:
    info = Renderer().template("met-at-event").info
    assert (info.kind, info.reply) == ("intro", True)
    draft = Renderer().render("met-at-event", Contact(email="zed@example.com", name="Zed Ito", company="Initech",
                                                      fields={"event": "Fall Career Fair"}), sender)
    assert draft.subject == "Nice to meet you at the Fall Career Fair"
    assert "Hi Zed," in draft.text and "Fall Career Fair" in draft.text and "Initech" in draft.text


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_cli_events_log_met_and_send_nice_to_meet_you(config_file: Path, plain_server: tuple[Sink, int],
                                                      tmp_path: Path) -> None:
    sink, port = plain_server
    config_file.write_text(config_file.read_text() + f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n')
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y%m%d")
    ics = tmp_path / "events.ics"
    ics.write_bytes(calendar(vevent("fair@x", "Fall Career Fair", f"DTSTART:{tomorrow}T230000Z",
                                    "LOCATION:Student Center"), MIXER))
    code, out, _ = run("events", "import", str(ics))
    assert code == 0 and "2 added, 0 updated, 0 unchanged" in out
    code, out, _ = run("events", "import", str(ics), "--json")
    assert json.loads(out) == {"added": 0, "updated": 0, "unchanged": 2, "cancelled": 0, "skipped": []}
    code, out, _ = run("events", "list", "--upcoming", "2")
    assert out.count("\n") == 1 and "Fall Career Fair  Student Center" in out
    assert run("due")[1].startswith("Nothing is due")
    code, out, _ = run("events", "attend", "1")
    assert code == 0 and "reminds you the day before" in out
    code, out, _ = run("due")
    assert "event" in out and "Fall Career Fair" in out
    code, out, _ = run("due", "--json")
    assert json.loads(out)["kind"] == "event"
    code, _, err = run("log", "zed@example.com", "--replied", "--event", "Fall Career Fair")
    assert code == 2 and "--event and --company go with --met" in err
    code, _, err = run("log", "zed@example.com", "--met", "--company", "Initech")
    assert code == 2 and "--company goes with --met --event" in err
    code, out, err = run("log", "zed@example.com", "--met", "--event", "fall career fair", "--name", "Zed Ito",
                         "--company", "Initech", "--notes", "Works on pricing")
    assert code == 0, err
    assert "now met" in out and "Logged on the thread with Zed Ito <zed@example.com>" in out
    contact = json.loads(run("contacts", "show", "zed@example.com", "--json")[1])
    assert (contact["name"], contact["company"], contact["fields"]) == ("Zed Ito", "Initech",
                                                                       {"event": "Fall Career Fair"})
    code, out, _ = run("due", "--json")
    items = [json.loads(line) for line in out.splitlines()]
    assert [(i["kind"], i["contact"]) for i in items] == [("event", ""), ("intro", "zed@example.com")]
    assert [i["command"] for i in items] == ["outreach events list --upcoming 2",
                                             "outreach send met-at-event --contact zed@example.com"]
    code, out, err = run("send", "intro", "--due", "--var", "topic=pricing")
    assert code == 0 and "No intro is due" in out and sink.messages == [], "the nice-to-meet-you is met-at-event's"
    code, out, err = run("send", "met-at-event", "--due", "--json")
    assert code == 0, err
    [message] = sink.messages
    assert message["Subject"] == "Nice to meet you at the Fall Career Fair" and message["To"] == "Zed Ito <zed@example.com>"
    assert "Fall Career Fair" in message.get_body(("plain",)).get_content()
    assert json.loads(run("threads", "--json")[1])["state"] == "thanked"
    assert [json.loads(line)["kind"] for line in run("due", "--json")[1].splitlines()] == ["event"]
    code, out, err = run("send", "met-at-event", "--due")
    assert code == 0 and len(sink.messages) == 1
    assert run("log", "kim@example.com", "--met", "--event", "Spring Meetup", "--name", "Kim")[0] == 0
    assert json.loads(run("contacts", "show", "kim@example.com", "--json")[1])["fields"] == {"event": "Spring Meetup"}
    code, _, err = run("log", "kim@example.com", "--met", "--event", "#42")
    assert code == 2 and "no event #42" in err


def test_event_threads_keep_the_existing_rules(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    view = Threads(store).log("zed@example.com", "met", NOW, {"event": "Fall Career Fair"})
    assert thread_state(view, NOW, Policy()) == "met"


@given(st.lists(st.tuples(st.text(min_size=1, max_size=40), st.text(max_size=40),
                          st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1),
                                       timezones=st.just(timezone.utc))),
                min_size=1, max_size=6))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
def test_any_calendar_imports_once_and_reads_back(tmp_path: Path, events: list[tuple[str, str, datetime]]) -> None:
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//test//test//EN")
    cal.add("version", "2.0")
    for number, (summary, location, start) in enumerate(events):
        event = icalendar.Event()
        event.add("uid", f"e{number}@test")
        event.add("summary", summary)
        event.add("location", location)
        event.add("dtstart", start.replace(microsecond=0))
        cal.add_component(event)
    data = cal.to_ical()
    store = Store(tmp_path / f"{uuid.uuid4().hex}.sqlite3")
    try:
        book = Events(store)
        first = book.import_ics(data)
        readable = [e for e in events  # printable() takes whole escape sequences out, as the import does
                    if any(unicodedata.category(c)[0] in "LNPS"
                           for c in printable(e[0]))]
        assert first.added + len(first.skipped) == len(events)
        again = book.import_ics(data)
        assert (again.added, again.updated, again.unchanged) == (0, 0, first.added)
        for event in book.list():
            assert event.summary == " ".join(event.summary.split()) and not CONTROL.search(event.summary)
            assert not CONTROL.search(event.location)
        assert first.added == len(readable)
    finally:
        store.close()


def test_a_meeting_at_an_event_gives_its_thread_the_event(tmp_path: Path) -> None:
    from outreach.book.people import People
    from outreach.lifecycle.context import thread_variables
    from outreach.lifecycle.logbook import log_event

    store = Store(tmp_path / "s.sqlite3")
    view = Threads(store).log("zed@example.com", "met", NOW, {"event": "Fall Career Fair", "event_id": 3})
    assert thread_variables(store, view.id)["event"] == "Fall Career Fair"
    kim = People(store).resolve("kim@example.com", new=True)
    logged = log_event(store, kim, "met", NOW, {"event": "Spring Meetup", "notes": "pricing"})
    assert [e.detail for e in logged.events] == [{"event": "Spring Meetup", "notes": "pricing"}]
