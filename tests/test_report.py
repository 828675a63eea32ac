"""The report: its numbers on a store built here with a clock passed in; the table, JSON and HTML renderings."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from seed import sent

from outreach import ContactBook, Store
from outreach.cli import cli
from outreach.config import Config
from outreach.lifecycle.threads import Threads
from outreach.targets import Targets, report
from outreach.targets.html import render_html

NOW = datetime(2026, 12, 10, 12, 0, tzinfo=timezone.utc)  # a Thursday
DAY = timedelta(days=1)


def build(store: Store, now: datetime = NOW) -> None:
    """Five people, two target organisations, six weeks of outreach up to ``now``."""
    book = ContactBook(store)
    book.add("ada@example.com", name="Ada Lovelace", company="Globex, Inc.")
    book.add("bob@example.com", name="Bob Stone", company="GLOBEX Corporation")
    book.add("cy@example.com", name="Cy Young", company="Initech")
    book.add("dee@example.com", name="Dee Park", company="Hooli")
    book.add("eve@example.com", name="Eve Adams", company="Globex Bank")
    threads = Threads(store)
    ada = sent(store, "ada@example.com", "intro", now - 6 * DAY)
    threads.add_event(ada, "replied", now - 4 * DAY)
    threads.add_event(ada, "met", now - 2 * DAY)
    sent(store, "ada@example.com", "thank-you", now - 2 * DAY + timedelta(hours=3), thread=ada)
    threads.add_event(ada, "referral", now - 1 * DAY, {"address": "x@example.com", "name": "X"})
    sent(store, "bob@example.com", "intro", now - 5 * DAY)
    cy = sent(store, "cy@example.com", "intro", now - 5 * DAY)
    threads.add_event(cy, "replied", now - 4 * DAY)
    dee = sent(store, "dee@example.com", "intro", now - 20 * DAY)
    threads.add_event(dee, "replied", now - 6 * DAY)
    threads.record_milestone("landed", now - 2 * DAY, {"company": "Globex Corporation", "role": "Analyst"})
    sent(store, "dee@example.com", "job-update", now - 1 * DAY, thread=dee)
    eve = sent(store, "eve@example.com", "intro", now - 40 * DAY)
    sent(store, "eve@example.com", "follow-up", now - 25 * DAY, thread=eve)
    sent(store, "eve@example.com", "follow-up", now - 3 * DAY, thread=eve)
    Targets(store).add("Globex", role="Data Analyst", priority=1)
    Targets(store).add("Initech")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "s.sqlite3")
    build(s)
    return s


def test_numbers_of_the_week(store: Store) -> None:
    rep = report(store, now=NOW, config=Config(home=store.path.parent))
    assert (rep.since, rep.until) == (NOW - 7 * DAY, NOW)
    assert dict(rep.stages) == {"written": 3, "replied": 3, "met": 1, "thanked": 1, "referrals received": 1,
                                "job-updates sent": 1}
    assert rep.reply_rate == pytest.approx(2 / 3)
    assert rep.median_days_to_reply == 1.5  # Ada after 2 days, Cy after 1
    assert rep.streak_weeks == 2  # this week and last; none the week of Nov 23
    assert rep.written_ever == 5
    globex, initech = rep.targets
    assert (globex.target.name, globex.known, globex.written, globex.replied, globex.met, globex.referrals,
            globex.job) == ("Globex", 2, 2, 1, 1, 1, True)
    assert globex.period == {"written": 2, "replied": 1, "met": 1}
    assert (initech.known, initech.replied, initech.job, initech.period["replied"]) == (1, 1, False, 1)
    # Ada and Cy helped and have not heard that you landed; Eve and Bob never answered, and since you
    # landed their follow-ups are no longer due.
    assert sorted((i.kind, i.contact) for i in rep.due) == [("job-update", "ada@example.com"),
                                                           ("job-update", "cy@example.com")]
    assert rep.followups_sent == 1 and rep.reply_cohort == 3
    assert rep.late == 0


def test_a_longer_period_and_the_follow_ups_it_brings(store: Store) -> None:
    later = NOW + 3 * DAY
    rep = report(store, since=NOW - 30 * DAY, now=later, config=Config(home=store.path.parent))
    assert dict(rep.stages)["written"] == 4  # Dee's intro 20 days ago counts; Eve's 40 days ago does not
    assert rep.reply_rate == pytest.approx(3 / 4) and rep.median_days_to_reply == 2.0  # 2, 1 and 14 days
    assert ("follow-up", "bob@example.com") not in [(i.kind, i.contact) for i in rep.due]  # moot: you landed
    assert rep.streak_weeks == 2 and rep.followups_sent == 2


def test_someone_met_before_you_wrote_does_not_count_against_the_reply_rate(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    threads = Threads(store)
    priya = sent(store, "priya@example.com", "intro", NOW - 2 * DAY)
    threads.add_event(priya, "met", NOW - 3 * DAY, {"event": "Winter Career Fair"})
    sent(store, "kim@example.com", "intro", NOW - 2 * DAY)
    rep = report(store, now=NOW)
    assert dict(rep.stages)["written"] == 2
    assert (rep.reply_cohort, rep.reply_rate) == (1, 0.0)


def test_streak_counts_back_from_last_week_when_this_week_is_empty(store: Store) -> None:
    next_monday = datetime(2026, 12, 14, 9, tzinfo=timezone.utc)
    assert report(store, now=next_monday).streak_weeks == 2
    assert report(store, now=next_monday + 7 * DAY).streak_weeks == 0


def test_an_empty_store(tmp_path: Path) -> None:
    rep = report(Store(tmp_path / "e.sqlite3"), now=NOW)
    assert dict(rep.stages) == dict.fromkeys(("written", "replied", "met", "thanked", "referrals received",
                                              "job-updates sent"), 0)
    assert (rep.reply_rate, rep.median_days_to_reply, rep.streak_weeks, rep.targets, rep.due) == (
        None, None, 0, (), ())
    assert "No targets yet" in render_html(rep)


def test_json_has_the_same_numbers(store: Store) -> None:
    data = json.loads(json.dumps(report(store, now=NOW).as_json()))
    assert data["stages"]["replied"] == 3 and data["median_days_to_reply"] == 1.5 and data["streak_weeks"] == 2
    assert data["targets"][0]["name"] == "Globex" and data["targets"][0]["period"]["written"] == 2
    assert sorted(i["kind"] for i in data["due"]) == ["job-update", "job-update"] and data["late"] == 0
    assert data["followups_sent"] == 1 and data["reply_cohort"] == 3


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.references: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.references += [v or "" for k, v in attrs if k in ("src", "href", "xlink:href", "srcset", "action")]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_one_self_contained_page(store: Store) -> None:
    Targets(store).add("Smith & <b>Sons</b>", role='<img src="https://tracker.example/x.png">')
    page = render_html(report(store, now=NOW))
    parsed = _Page()
    parsed.feed(page)
    assert "script" not in parsed.tags and "link" not in parsed.tags and "iframe" not in parsed.tags
    assert parsed.references == [] and "url(" not in page and "@import" not in page
    assert parsed.tags.count("svg") == 1 and parsed.tags.count("rect") == 6
    text = " ".join(parsed.text)
    assert "Globex" in text and "Data Analyst" in text and "67%" in text and "1.5 days" in text
    assert "Smith &amp; &lt;b&gt;Sons&lt;/b&gt;" in page and "Smith & <b>Sons</b>" in text
    assert "img" not in parsed.tags


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_cli_report(home: Path, tmp_path: Path) -> None:
    store = Store(home / "outreach.sqlite3")
    build(store, datetime.now(timezone.utc) - timedelta(minutes=1))
    store.close()
    since = (datetime.now(timezone.utc) - timedelta(days=400)).date().isoformat()
    code, out, err = run("report", "--since", since, "--html", str(tmp_path / "r.html"))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"Networking report, {since} to ")
    written = next(line for line in lines if line.startswith("written"))
    met = next(line for line in lines if line.startswith("met"))
    assert written.split()[1] == "5" and written.count("█") == 30 and met.count("█") == 6
    assert any(line.split()[:2] == ["Globex", "2"] for line in lines)
    assert "Weeks in a row with outreach:" in out
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (tmp_path / "r.html").stat().st_mode & 0o777 == 0o600
    assert f"Wrote {tmp_path / 'r.html'}" in err
    code, _, err = run("report", "--html", str(tmp_path / "missing" / "r.html"))
    assert code == 1 and "cannot write" in err
    code, out, _ = run("report", "--json", "--since", since)
    assert json.loads(out)["stages"]["written"] == 5
    code, _, err = run("report", "--since", "last tuesday")
    assert code == 2 and "not a date" in err
    code, _, err = run("report", "--since", "2999-01-01")
    assert code == 2 and "future" in err


def test_cli_report_whole_output_on_a_clock(home: Path) -> None:
    store = Store(home / "outreach.sqlite3")
    build(store)
    store.close()
    result = CliRunner().invoke(cli, ["report"], obj={"clock": lambda: NOW}, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == """Networking report, 2026-12-03 to 2026-12-10

written                3  ██████████████████████████████
replied                3  ██████████████████████████████
met                    1  ██████████
thanked                1  ██████████
referrals received     1  ██████████
job-updates sent       1  ██████████

Follow-ups sent: 1
Reply rate: 67% of the 3 first written to in this period; median 1.5 days to reply.
Weeks in a row with outreach: 2

target   known  written  replied  met  referrals  job  this period
Globex       2        2        1    1          1  yes  2 written, 1 replied, 1 met
Initech      1        1        1    0          0    -  1 written, 1 replied, 0 met

Due now: 2; `outreach due` says why
  due  2026-12-08  job-update ada@example.com
  due  2026-12-08  job-update cy@example.com
"""
    listing = CliRunner().invoke(cli, ["targets", "list"], obj={"clock": lambda: NOW}, catch_exceptions=False)
    assert listing.stdout == """target   pri  known  written  replied  met  referrals  job  role
Globex     1      2        2        1    1          1  yes  Data Analyst
Initech    2      1        1        1    0          0    -
"""


def test_late_items_are_counted(store: Store) -> None:
    Threads(store).log("zoe@example.com", "met", NOW - 3 * DAY, {"event": "Fall Career Fair"})
    rep = report(store, now=NOW)
    [late] = [i for i in rep.due if i.late]
    assert (late.contact, late.template, rep.late) == ("zoe@example.com", "met-at-event", 1)
    assert dict(rep.stages)["met"] == 2 and rep.as_json()["late"] == 1
    assert "late 2026-12-07" in render_html(rep)


@given(st.lists(st.integers(0, 40), max_size=12), st.none() | st.integers(0, 40), st.none() | st.integers(0, 40))
def test_counting_a_stage_in_a_window(days: list[int], since: int | None, until: int | None) -> None:
    from outreach.targets.activity import Activity

    times = tuple(sorted(NOW - d * DAY for d in days))
    low = None if since is None else NOW - since * DAY
    high = None if until is None else NOW - until * DAY
    expected = sum(1 for t in times if (low is None or t >= low) and (high is None or t <= high))
    assert Activity("a@example.com", times={"written": times}).count("written", low, high) == expected
