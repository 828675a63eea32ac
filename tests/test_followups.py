"""The lifecycle rules, table-driven with a fixed now, and the lifecycle end to end against a real server."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner
from smtp_server import Sink

from outreach import Contact, Recipient, Renderer, Sender, Store, prepare_batch, send_batch
from outreach.lifecycle.agenda import agenda
from outreach.cli import cli
from outreach.config import Config
from outreach.lifecycle.followups import Policy, due_items, thread_state
from outreach.lifecycle.ics import due_to_ics
from outreach.lifecycle.threads import Event, MessageView, Threads, ThreadView
from outreach.transports.smtp import SmtpTransport

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
POLICY = Policy()


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)


def msg(kind: str, age: float, followup_days: int | None = 7) -> MessageView:
    return MessageView(message_id=f"<{kind}-{age}@x>", kind=kind, template=kind, subject="Coffee?", at=days_ago(age),
                       status="sent", followup_days=followup_days)


def ev(kind: str, age: float, **detail: str) -> Event:
    return Event(kind, days_ago(age), detail)


def thread(*parts: MessageView | Event, contact: str = "ada@example.com") -> ThreadView:
    messages = tuple(sorted((p for p in parts if isinstance(p, MessageView)), key=lambda m: m.at))
    events = tuple(sorted((p for p in parts if isinstance(p, Event)), key=lambda e: e.at))
    return ThreadView(id="<t@x>", contact=contact, subject="Coffee?", purpose="intro",
                      created_at=min([m.at for m in messages] + [e.at for e in events]),
                      messages=messages, events=events)


CASES = [
    ("intro 3 days ago: nothing yet", thread(msg("intro", 3)), "awaiting-reply", []),
    ("intro 8 days ago: first follow-up", thread(msg("intro", 8)), "awaiting-reply", [("follow-up", 1, False)]),
    ("one follow-up 2 days ago: wait", thread(msg("intro", 10), msg("follow-up", 2)), "awaiting-reply", []),
    ("one follow-up 8 days ago: second", thread(msg("intro", 20), msg("follow-up", 8)), "awaiting-reply",
     [("follow-up", 2, False)]),
    ("two follow-ups, 8 days: quiet", thread(msg("intro", 30), msg("follow-up", 16), msg("follow-up", 8)), "quiet", []),
    ("two follow-ups, 3 days: waiting", thread(msg("intro", 30), msg("follow-up", 10), msg("follow-up", 3)),
     "awaiting-reply", []),
    ("reply stops follow-ups", thread(msg("intro", 20), ev("replied", 12)), "replied", []),
    ("template delay of 14 days", thread(msg("intro", 10, followup_days=14)), "awaiting-reply", []),
    ("scheduled meeting", thread(msg("intro", 10), ev("replied", 8), ev("scheduled", 7)), "meeting-scheduled", []),
    ("met 2 hours ago: thank-you due", thread(msg("intro", 10), ev("met", 2 / 24)), "met", [("thank-you", 1, False)]),
    ("met 2 days ago: thank-you late", thread(msg("intro", 10), ev("met", 2)), "met", [("thank-you", 1, True)]),
    ("thanked recently", thread(msg("intro", 10), ev("met", 2), msg("thank-you", 1)), "thanked", []),
    ("thanked 100 days ago: check-in", thread(msg("intro", 120), ev("met", 101), msg("thank-you", 100)), "thanked",
     [("check-in", 1, False)]),
    ("replied 91 days ago: check-in", thread(msg("intro", 95), ev("replied", 91)), "replied", [("check-in", 1, False)]),
    ("checked in 10 days ago", thread(msg("intro", 200), ev("replied", 190), msg("check-in", 10)), "in-touch", []),
    ("closed", thread(msg("intro", 30), ev("closed", 1)), "closed", []),
    ("met at a fair, no email", thread(ev("met", 0.5)), "met", [("thank-you", 1, False)]),
    ("out of office pushes the follow-up", thread(msg("intro", 8), ev("auto-reply", 7, until="2026-12-05")),
     "awaiting-reply", []),
    ("meeting tomorrow: prepare", thread(msg("intro", 10), ev("replied", 8), ev("scheduled", 7, date="2026-12-02T14:00:00+00:00")),
     "meeting-scheduled", [("prepare", 1, False)]),
    ("meeting three hours ago: did you meet?", thread(msg("intro", 10), ev("replied", 8),
                                                   ev("scheduled", 7, date="2026-12-01T06:00:00+00:00")),
     "meeting-scheduled", [("log-meeting", 1, False)]),
    ("meeting started 30 minutes ago: not yet over", thread(msg("intro", 10), ev("replied", 8),
                                                           ev("scheduled", 7, date="2026-12-01T08:30:00+00:00")),
     "meeting-scheduled", [("prepare", 1, False)]),
    ("all-day meeting last week: did you meet?", thread(msg("intro", 20), ev("replied", 18),
                                                       ev("scheduled", 17, date="2026-11-24T00:00:00+00:00",
                                                          all_day=True)),
     "meeting-scheduled", [("log-meeting", 1, False)]),
    ("meeting in a week: nothing yet", thread(msg("intro", 10), ev("scheduled", 7, date="2026-12-08T14:00:00+00:00")),
     "meeting-scheduled", []),
    ("cancelled 3 days ago: wait", thread(msg("intro", 10), ev("scheduled", 7, date="2026-12-08T14:00:00+00:00"),
                                         ev("cancelled", 3)), "meeting-cancelled", []),
    ("cancelled 8 days ago: follow up to rearrange",
     thread(msg("intro", 20), ev("scheduled", 15, date="2026-12-08T14:00:00+00:00"), ev("cancelled", 8)),
     "meeting-cancelled", [("follow-up", 1, False)]),
    ("rescheduled after a cancel", thread(msg("intro", 20), ev("scheduled", 15, date="2026-11-20T14:00:00+00:00"),
                                          ev("cancelled", 14), ev("rescheduled", 8, date="2026-12-10T09:00:00+00:00")),
     "meeting-scheduled", []),
    ("a reply after a cancel", thread(msg("intro", 20), ev("scheduled", 15, date="2026-11-20T14:00:00+00:00"),
                                      ev("cancelled", 14), ev("replied", 12)), "replied", []),
    ("an action promised 31 days ago: check-in", thread(msg("intro", 60), ev("met", 32, action="build a dbt project"),
                                                        msg("thank-you", 31)), "thanked", [("check-in", 1, False)]),
    ("no action, 31 days: nothing", thread(msg("intro", 60), ev("met", 32), msg("thank-you", 31)), "thanked", []),
]


@pytest.mark.parametrize(("label", "view", "state", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rules(label: str, view: ThreadView, state: str, expected: list[tuple[str, int, bool]]) -> None:
    assert thread_state(view, NOW, POLICY) == state
    assert [(i.kind, i.step, i.late) for i in due_items([view], NOW, POLICY)] == expected


LANDED = Event("landed", days_ago(3), {"company": "Globex", "role": "Data Analyst"})
# After you landed a job (3 days ago): (label, view, what is due besides job-updates)
AFTER_LANDING = [
    ("never answered: no follow-up", thread(msg("intro", 8)), []),
    ("never answered, one follow-up: no second", thread(msg("intro", 20), msg("follow-up", 8)), []),
    ("written after landing: follow-up still due", thread(msg("intro", 2, followup_days=1)), [("follow-up", 1, False)]),
    ("meeting cancelled: still rearrange it",
     thread(msg("intro", 20), ev("replied", 18), ev("scheduled", 15, date="2026-12-08T14:00:00+00:00"),
            ev("cancelled", 8)), [("follow-up", 1, False)]),
    ("met, not thanked: thank-you still due", thread(msg("intro", 10), ev("met", 2)), [("thank-you", 1, True)]),
]


@pytest.mark.parametrize(("label", "view", "expected"), AFTER_LANDING, ids=[c[0] for c in AFTER_LANDING])
def test_rules_after_landing(label: str, view: ThreadView, expected: list[tuple[str, int, bool]]) -> None:
    items = due_items([view], NOW, POLICY, landed=LANDED)
    assert [(i.kind, i.step, i.late) for i in items if i.kind != "job-update"] == expected


def test_a_promise_is_quoted_as_the_user_wrote_it() -> None:
    view = thread(msg("intro", 60), ev("met", 32, action="polish my GitHub portfolio"), msg("thank-you", 31))
    [item] = due_items([view], NOW, POLICY)
    assert item.reason.startswith("you promised: polish my GitHub portfolio; tell them how it went")


def test_an_event_is_named_with_its_article() -> None:
    [item] = due_items([thread(ev("met", 0.5, event="Winter Career Fair"))], NOW, POLICY)
    assert item.reason.startswith("you met at the Winter Career Fair on ")


def test_out_of_office_return_date_sets_the_follow_up_date() -> None:
    view = thread(msg("intro", 8), ev("auto-reply", 7, until="2026-12-05"))
    [item] = due_items([view], NOW, POLICY, horizon=timedelta(days=10))
    assert item.due_at == datetime(2026, 12, 6, tzinfo=timezone.utc)


def test_policy_numbers_come_from_config() -> None:
    view = thread(msg("intro", 5))
    assert due_items([view], NOW, Policy(followup_days=4))[0].kind == "follow-up"
    three = thread(msg("intro", 30), msg("follow-up", 20), msg("follow-up", 10))
    assert due_items([three], NOW, Policy(max_followups=3))[0].step == 3
    assert thread_state(three, NOW, Policy(max_followups=2)) == "quiet"


def test_job_update_for_everyone_who_replied_or_met_once() -> None:
    landed = Event("landed", days_ago(1), {"company": "Globex", "role": "Data Analyst"})
    views = [thread(msg("intro", 40), ev("replied", 35), contact="a@example.com"),
             thread(msg("intro", 40), ev("met", 30), msg("thank-you", 29), contact="b@example.com"),
             thread(msg("intro", 5), contact="c@example.com"),
             thread(msg("intro", 40), ev("replied", 35), msg("job-update", 0.5), contact="d@example.com")]
    items = [i for i in due_items(views, NOW, POLICY, landed=landed) if i.kind == "job-update"]
    assert sorted(i.contact for i in items) == ["a@example.com", "b@example.com"]
    assert "Data Analyst at Globex" in items[0].reason


def test_blocked_contacts_owe_nothing() -> None:
    view = thread(msg("intro", 8))
    assert due_items([view], NOW, POLICY, is_blocked=lambda c: c == "ada@example.com") == []


def test_items_are_oldest_first() -> None:
    views = [thread(msg("intro", 8), contact="new@example.com"), thread(msg("intro", 20), contact="old@example.com")]
    assert [i.contact for i in due_items(views, NOW, POLICY)] == ["old@example.com", "new@example.com"]


def test_meetings_are_calendar_events() -> None:
    from outreach.lifecycle.followups import meeting_of

    timed = thread(msg("intro", 10), ev("scheduled", 7, date="2026-12-03T14:00:00+00:00", where="Zoom"),
                   ev("note", 6, text="ask about dbt"))
    all_day = thread(msg("intro", 10), ev("scheduled", 7, date="2026-12-04T00:00:00+00:00", all_day=True),
                     contact="zoe@example.com")
    meetings = [m for m in (meeting_of(timed), meeting_of(all_day)) if m is not None]
    cal = icalendar.Calendar.from_ical(due_to_ics([], NOW, meetings=meetings, names={"ada@example.com": "Ada L"}))
    first, second = cal.walk("VEVENT")
    assert str(first["summary"]) == "Meeting with Ada L" and str(first["location"]) == "Zoom"
    assert first["dtstart"].dt == datetime(2026, 12, 3, 14, tzinfo=timezone.utc)
    assert "Thread: Coffee?" in str(first["description"]) and "Note: ask about dbt" in str(first["description"])
    assert str(second["dtstart"].dt) == "2026-12-04" and str(second["summary"]) == "Meeting with zoe@example.com"
    assert meeting_of(thread(msg("intro", 10), ev("scheduled", 7, date="2026-12-03"), ev("met", 1))) is None


def test_ics_parses_back_with_stable_uids() -> None:
    views = [thread(msg("intro", 8)), thread(ev("met", 2), contact="zoe@example.com")]
    items = due_items(views, NOW, POLICY)
    cal = icalendar.Calendar.from_ical(due_to_ics(items, NOW))
    todos = [c for c in cal.walk("VTODO")]
    assert [str(t["summary"]) for t in todos] == ["Send a thank-you to zoe@example.com",
                                                  "Send a follow-up to ada@example.com"]
    named = icalendar.Calendar.from_ical(due_to_ics(items, NOW, names={"ada@example.com": "Ada Lovelace"}))
    assert [str(t["summary"]) for t in named.walk("VTODO")] == ["Send a thank-you to zoe@example.com",
                                                                "Send a follow-up to Ada Lovelace"]
    other = [thread(ev("met", 0.5, event="Fair"), contact="priya@example.com"),
             thread(msg("intro", 10), ev("replied", 8), ev("scheduled", 7, date="2026-12-02T14:00:00+00:00"))]
    titles = [str(t["summary"]) for t in icalendar.Calendar.from_ical(
        due_to_ics(due_items(other, NOW, POLICY), NOW, names={"priya@example.com": "Priya Shah"})).walk("VTODO")]
    assert sorted(titles) == ["Prepare for your meeting with ada@example.com", "Send an intro to Priya Shah"]
    assert todos[0]["due"].dt == days_ago(2) and int(todos[0]["priority"]) == 1
    assert "outreach send follow-up --contact ada@example.com" in str(todos[1]["description"])
    again = icalendar.Calendar.from_ical(due_to_ics(items, NOW + timedelta(hours=1)))
    assert [str(t["uid"]) for t in again.walk("VTODO")] == [str(t["uid"]) for t in todos]


def test_intro_then_due_follow_up_threads_under_it(tmp_path: Path, plain_server: tuple[Sink, int]) -> None:
    sink, port = plain_server
    store = Store(tmp_path / "s.sqlite3")
    sender = Sender("Sam Rivera", "sam@example.edu")
    ada = [Recipient(Contact(email="ada@example.com", name="Ada Lovelace"), {"topic": "UX"})]

    def send(template: str, now: datetime, recipients: list[Recipient]) -> None:
        entries = prepare_batch(template, recipients, sender=sender, renderer=Renderer(), store=store, now=now)
        assert send_batch(entries, SmtpTransport("127.0.0.1", port, security="none"), store).ok

    send("intro", datetime.now(timezone.utc), ada)
    config = Config(home=tmp_path)
    assert agenda(store, config, datetime.now(timezone.utc)) == []
    later = datetime.now(timezone.utc) + timedelta(days=8)
    [item] = agenda(store, config, later)
    assert (item.kind, item.contact, item.step) == ("follow-up", "ada@example.com", 1)
    send("follow-up", later, [Recipient(ada[0].contact, key=item.key)])
    send("follow-up", later, [Recipient(ada[0].contact, key=item.key)])
    intro, follow = sink.messages
    assert len(sink.messages) == 2
    assert follow["In-Reply-To"] == intro["Message-ID"] and follow["References"] == intro["Message-ID"]
    assert follow["Subject"] == "Re: " + intro["Subject"]
    assert agenda(store, config, datetime.now(timezone.utc) + timedelta(days=1)) == []
    assert [i.step for i in agenda(store, config, datetime.now(timezone.utc) + timedelta(days=8))] == [2]
    Threads(store).log("ada@example.com", "replied", later + timedelta(days=1))
    assert agenda(store, config, later + timedelta(days=30)) == []
    [view] = Threads(store).views()
    assert thread_state(view, later, Policy()) == "replied"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_cli_lifecycle(config_file: Path, plain_server: tuple[Sink, int], tmp_path: Path) -> None:
    sink, port = plain_server
    config_file.write_text(config_file.read_text() + f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                           "[followups]\ndays = 0\n")
    assert run("send", "intro", "--to", "ada@example.com", "--name", "Ada", "--var", "topic=UX")[0] == 0
    code, out, _ = run("due", "--json", "--ics", str(tmp_path / "due.ics"))
    [item] = [json.loads(line) for line in out.splitlines()]
    assert item["kind"] == "follow-up" and item["contact"] == "ada@example.com"
    [todo] = icalendar.Calendar.from_ical((tmp_path / "due.ics").read_bytes()).walk("VTODO")
    assert str(todo["summary"]) == "Send a follow-up to Ada"
    code, out, _ = run("follow-up", "--all", "--json")
    assert code == 0 and json.loads(out)["status"] == "sent"
    code, out, _ = run("follow-up", "--all", "--json")
    assert code == 0 and json.loads(out)["key"].endswith(":2") and len(sink.messages) == 3
    code, out, _ = run("follow-up", "--all", "--json")
    assert code == 0 and "No follow-up is due" in out and len(sink.messages) == 3
    assert json.loads(run("threads", "--json")[1])["state"] == "quiet"
    assert run("log", "ada@example.com", "--met", "--notes", "Use SQL daily", "--at", "yesterday")[0] == 0
    code, out, _ = run("due")
    assert "LATE" in out and "thank-you" in out and "follow-up" not in out
    code, out, err = run("send", "thank-you", "--to", "ada@example.com", "--var", "learned=SQL",
                         "--var", "action=practise SQL")
    assert code == 0, err
    assert sink.messages[-1]["In-Reply-To"] == sink.messages[2]["Message-ID"]
    code, out, _ = run("threads", "--json")
    assert json.loads(out)["state"] == "thanked"
    code, out, _ = run("thread", "ada@example.com")
    assert "met notes=Use SQL daily" in out and "sent thank-you" in out
    assert run("log", "ada@example.com", "--referral", "maya@example.com", "--name", "Maya Chen",
               "--may-use-name")[0] == 0
    code, out, _ = run("contacts", "show", "maya@example.com", "--json")
    assert json.loads(out)["referred_by"] == "ada@example.com" and json.loads(out)["may_use_name"] is True
    assert run("landed", "--company", "Globex", "--role", "Data Analyst")[0] == 0
    code, out, _ = run("due", "--json")
    assert [json.loads(line)["kind"] for line in out.splitlines()] == ["job-update"]
    code, out, err = run("send", "job-update", "--due", "--var", "new_role=Data Analyst", "--var",
                         "new_company=Globex", "--json")
    assert code == 0, err
    assert [json.loads(line)["to"] for line in out.splitlines()] == ["ada@example.com"]
    assert sink.messages[-1]["In-Reply-To"] == sink.messages[-2]["Message-ID"]
    assert str(sink.messages[-1]["Subject"]) == "Re: " + str(sink.messages[0]["Subject"])
    assert "Data Analyst at Globex" in sink.messages[-1].get_body(("plain",)).get_content()
    assert run("due")[1].startswith("Nothing is due")
    code, out, _ = run("send", "job-update", "--due", "--var", "new_role=x", "--var", "new_company=y")
    assert code == 0 and "No job-update is due" in out
    assert run("log", "ada@example.com", "--closed")[0] == 0
    assert run("due")[1].startswith("Nothing is due")
    assert json.loads(run("threads", "--json")[1])["state"] == "closed"


def test_a_meeting_that_is_over_asks_to_be_logged_not_prepared() -> None:
    view = thread(msg("intro", 30), ev("replied", 25), ev("scheduled", 24, date="2026-11-30T10:00:00+00:00"))
    [item] = due_items([view], NOW + timedelta(days=20), POLICY)
    assert item.kind == "log-meeting" and item.due_at == datetime(2026, 11, 30, 11, 0, tzinfo=timezone.utc)
    assert "did you meet?" in item.reason and "outreach log ada@example.com --cancelled" in item.reason
    assert "prepare" not in item.reason


def test_a_meeting_to_log_is_a_to_do_naming_the_person() -> None:
    over = thread(msg("intro", 10), ev("replied", 8), ev("scheduled", 7, date="2026-11-28T14:00:00+00:00"))
    [todo] = icalendar.Calendar.from_ical(due_to_ics(due_items([over], NOW, POLICY), NOW,
                                                     names={"ada@example.com": "Ada Lovelace"})).walk("VTODO")
    assert str(todo["summary"]) == "Log your meeting with Ada Lovelace"
