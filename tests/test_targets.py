"""Targets: adding, aliases, who you know there with their state, whom to write next, send --target."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from legacy_schema import LEGACY_SCRIPTS, legacy_store
from seed import sent
from smtp_server import Sink

from outreach import ContactBook, Store, TargetError
from outreach.cli import cli
from outreach.config import load_config
from outreach.errors import ConfigError
from outreach.lifecycle.threads import Threads
from outreach.store import MIGRATIONS
from outreach.targets import Targets

NOW = datetime(2026, 12, 10, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "s.sqlite3")


def book_with_globex(store: Store) -> ContactBook:
    book = ContactBook(store)
    maya = book.add("maya@example.com", name="Maya Chen", company="Initech")
    assert maya.id
    book.add("ada@example.com", name="Ada Lovelace", company="Globex, Inc.")
    book.add("bob@example.com", name="Bob Stone", company="GLOBEX Corporation", tags=["alumni"])
    book.add("cy@example.com", name="Cy Young", company="Globex", referred_by="maya@example.com", may_use_name=True)
    book.add("dee@example.com", name="Dee Park", company="globex llc", referred_by="maya@example.com")
    book.add("eve@example.com", name="Eve Adams", company="Globex Corp.", tags=["friends"])
    book.add("fay@example.com", name="Fay Wong", company="Globex Bank")
    book.add("gus@example.com", name="Gus Hill", company="Globex Holdings")
    return book


def test_add_update_get_remove(store: Store) -> None:
    targets = Targets(store)
    globex = targets.add("Globex", role="Data Analyst", aliases=["Globex Holdings", "Globex Corp"], priority=1)
    assert (globex.name, globex.role, globex.priority, globex.aliases) == ("Globex", "Data Analyst", 1,
                                                                           ("Globex Holdings",))
    assert targets.get("GLOBEX, Inc.").id == globex.id
    assert targets.get("globex holdings llc").id == globex.id
    again = targets.add("Globex Corporation", notes="met them at the fair")
    assert again.id == globex.id and again.notes == "met them at the fair" and again.role == "Data Analyst"
    targets.add("Initech")
    assert [t.name for t in targets.table.all()] == ["Globex", "Initech"]
    with pytest.raises(TargetError, match="already names target 'Globex'"):
        targets.add("Initech", aliases=["Globex Holdings"])
    with pytest.raises(TargetError, match="already an alias of target 'Globex'"):
        targets.add("Globex Holdings Inc")
    with pytest.raises(TargetError, match="priority"):
        targets.add("Hooli", priority=4)
    with pytest.raises(TargetError, match="no target 'Globex Bank'"):
        targets.get("Globex Bank")
    assert targets.remove("globex").name == "Globex"
    with pytest.raises(TargetError):
        targets.get("Globex Holdings")


def test_contacts_match_by_company_and_alias_never_a_false_friend(store: Store) -> None:
    book_with_globex(store)
    targets = Targets(store)
    targets.add("Globex")
    names = [p.record.name for p in targets.show("Globex", NOW).people]
    assert names == ["Ada Lovelace", "Bob Stone", "Cy Young", "Dee Park", "Eve Adams"]
    targets.add("Globex", aliases=["Globex Holdings"])
    assert "Gus Hill" in [p.record.name for p in targets.show("Globex", NOW).people]
    assert "Fay Wong" not in [p.record.name for p in targets.show("Globex", NOW).people]


def test_states_and_numbers(store: Store) -> None:
    book_with_globex(store)
    ContactBook(store).add("hal@example.com", name="Hal", company="Globex")
    ContactBook(store).import_file(_linkedin(store.path.parent))
    threads = Threads(store)
    sent(store, "ada@example.com", "intro", NOW - timedelta(days=20))
    threads.log("ada@example.com", "replied", NOW - timedelta(days=18))
    threads.log("ada@example.com", "met", NOW - timedelta(days=10))
    threads.log("ada@example.com", "referral", NOW - timedelta(days=10), {"address": "x@example.com"})
    sent(store, "bob@example.com", "intro", NOW - timedelta(days=2))
    ContactBook(store).block("hal@example.com")
    targets = Targets(store)
    targets.add("Globex")
    view = targets.show("Globex", NOW)
    states = {p.record.name: p.state for p in view.people}
    assert states == {"Ada Lovelace": "met", "Bob Stone": "awaiting-reply", "Cy Young": "never-written",
                      "Dee Park": "never-written", "Eve Adams": "never-written", "Hal": "blocked",
                      "Lin Nakamura": "no-address"}
    cy = next(p for p in view.people if p.record.name == "Cy Young")
    assert cy.as_json()["referred_by"] == "maya@example.com" and cy.as_json()["referrer_name"] == "Maya Chen"
    [summary] = targets.list(NOW)
    assert (summary.known, summary.written, summary.replied, summary.met, summary.referrals, summary.job) == (
        7, 2, 1, 1, 1, False)
    threads.record_milestone("landed", NOW - timedelta(days=1), {"company": "Globex Inc.", "role": "Analyst"})
    assert targets.list(NOW)[0].job is True


def _linkedin(folder: Path) -> Path:
    path = folder / "Connections.csv"
    path.write_text("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
                    "Lin,Nakamura,https://www.linkedin.com/in/lin,,Globex Inc,Engineer,27 Sep 2016\n",
                    encoding="utf-8")
    return path


def test_suggestions_warm_paths_first_at_most_per_week(store: Store) -> None:
    book_with_globex(store)
    targets = Targets(store, per_week=3)
    targets.add("Globex")
    people = targets.suggest("Globex", NOW)
    # Cy: a referrer who allowed their name; Bob and Eve: warm tags (by name); Ada and Dee (referrer
    # without permission) are cold and come later.
    assert [p.record.name for p in people] == ["Cy Young", "Bob Stone", "Eve Adams"]
    assert people[0].warm.startswith("referred by Maya Chen")
    assert people[1].warm == "tagged alumni"
    assert [p.record.name for p in targets.suggest("Globex", NOW, limit=1)] == ["Cy Young"]
    assert [p.record.name for p in Targets(store, per_week=10).suggest("Globex", NOW)] == [
        "Cy Young", "Bob Stone", "Eve Adams", "Ada Lovelace", "Dee Park"]
    only_family = Targets(store, per_week=10, warm_tags=["family"])
    assert [p.record.name for p in only_family.suggest("Globex", NOW)][:2] == ["Cy Young", "Ada Lovelace"]


def test_people_written_to_this_week_use_up_the_weekly_suggestions(store: Store) -> None:
    book_with_globex(store)
    targets = Targets(store, per_week=3)
    targets.add("Globex")
    sent(store, "cy@example.com", "intro", NOW - timedelta(days=1))
    sent(store, "bob@example.com", "intro", NOW - timedelta(days=3))
    view = targets.show("Globex", NOW)
    assert view.written_this_week == 2
    assert [p.record.name for p in view.suggestions] == ["Eve Adams"]
    assert [p.record.name for p in targets.suggest("Globex", NOW + timedelta(days=7))] == [
        "Eve Adams", "Ada Lovelace", "Dee Park"]
    Threads(store).log("eve@example.com", "met", NOW)
    assert "Eve Adams" not in [p.record.name for p in targets.suggest("Globex", NOW + timedelta(days=7))]


def test_targets_config(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[targets]\nper_week = 5\nwarm_tags = ["alumni", "bootcamp"]\n')
    config = load_config(path)
    assert config.targets.per_week == 5 and config.targets.warm_tags == ("alumni", "bootcamp")
    assert load_config(tmp_path / "none.toml").targets.per_week == 3
    for bad in ("per_week = 0", 'per_week = "3"', "warm_tags = 'alumni'", "warm_tags = [1]"):
        path.write_text(f"[targets]\n{bad}\n")
        with pytest.raises(ConfigError, match=r"\[targets\]"):
            load_config(path)


def test_migration_keeps_existing_data(tmp_path: Path) -> None:
    before = next(i for i, script in enumerate(LEGACY_SCRIPTS) if "CREATE TABLE targets" in script)
    path = tmp_path / "old.sqlite3"
    db = legacy_store(path, before)
    db.execute("INSERT INTO contacts (email_key, email, name, company, created_at, updated_at)"
               " VALUES ('ada@example.com', 'ada@example.com', 'Ada', 'Globex', 'x', 'x')")
    db.commit()
    db.close()
    store = Store(path)
    assert store.migrations == [m.name for m in MIGRATIONS] and len(MIGRATIONS) > before
    Targets(store).add("Globex")
    assert [p.record.name for p in Targets(store).show("Globex", NOW).people] == ["Ada"]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_cli_targets_and_send_to_a_target(config_file: Path, plain_server: tuple[Sink, int]) -> None:
    sink, port = plain_server
    config_file.write_text(config_file.read_text() + f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                           "[targets]\nper_week = 2\n")
    for address, name, company, extra in (("ada@example.com", "Ada Lovelace", "Globex, Inc.", []),
                                          ("bob@example.com", "Bob Stone", "GLOBEX Corp", ["--tag", "alumni"]),
                                          ("cy@example.com", "Cy Young", "Globex", []),
                                          ("fay@example.com", "Fay Wong", "Globex Bank", ["--tag", "alumni"])):
        assert run("contacts", "add", address, "--name", name, "--company", company, *extra)[0] == 0
    code, out, _ = run("targets", "add", "Globex", "--role", "Data Analyst", "--priority", "1")
    assert code == 0 and "Target Globex, priority 1: Data Analyst." in out
    code, out, _ = run("targets", "add", "Hooli", "--alias", "Hooli XYZ", "--alias", "Hooli, Inc.")
    assert code == 0 and "Target Hooli (also Hooli XYZ)" in out and "'Hooli, Inc.' needs no alias" in out
    code, out, _ = run("targets", "list")
    assert code == 0
    assert out.splitlines()[0].split() == ["target", "pri", "known", "written", "replied", "met", "referrals", "job",
                                           "role"]
    assert out.splitlines()[1].split() == ["Globex", "1", "3", "0", "0", "0", "0", "-", "Data", "Analyst"]
    code, out, _ = run("targets", "show", "globex")
    assert "never-written     Bob Stone" in out and "Fay" not in out
    assert "Write next (up to 2 new people a week; 0 written to in the last 7 days):" in out
    code, out, _ = run("targets", "show", "Globex", "--json")
    assert [p["name"] for p in json.loads(out)["suggestions"]] == ["Bob Stone", "Ada Lovelace"]
    code, out, err = run("send", "follow-up", "--target", "Globex")
    assert code == 2 and "intro template" in err and not sink.messages
    code, out, err = run("send", "intro", "--target", "Globex", "--limit", "1", "--var", "topic=analytics", "--json")
    assert code == 0, err
    assert [json.loads(line)["to"] for line in out.splitlines()] == ["bob@example.com"]
    code, out, err = run("send", "intro", "--target", "Globex", "--var", "topic=analytics", "--json")
    assert code == 0, err
    assert [json.loads(line)["to"] for line in out.splitlines()] == ["ada@example.com"]
    assert [m["To"] for m in sink.messages] == ["Bob Stone <bob@example.com>", "Ada Lovelace <ada@example.com>"]
    code, out, err = run("send", "intro", "--target", "Globex", "--var", "topic=analytics")
    assert code == 0 and "Nobody to write at Globex now" in err and len(sink.messages) == 2
    code, out, _ = run("targets", "show", "Globex")
    assert "You wrote to 2 people here in the last 7 days" in out and "awaiting-reply    Ada Lovelace" in out
    code, out, _ = run("targets", "list", "--json")
    assert [(t["name"], t["known"], t["written"]) for t in map(json.loads, out.splitlines())] == [
        ("Globex", 3, 2), ("Hooli", 0, 0)]
    code, _, err = run("targets", "show", "Globex Bank")
    assert code == 2 and "no target 'Globex Bank'" in err and "Hint: see `outreach targets list`" in err
    code, out, _ = run("targets", "show", "Globex Bank", "--json")
    assert code == 2 and json.loads(out)["error"] == "no target 'Globex Bank'"
    code, _, err = run("send", "intro", "--target", "Nope", "--var", "topic=x")
    assert code == 2 and "no target 'Nope'" in err
    code, _, err = run("send", "intro", "--to", "zed@example.com", "--limit", "1", "--var", "topic=x")
    assert code == 2 and "--limit goes with --target" in err
    assert run("targets", "remove", "Hooli")[0] == 0
    assert [json.loads(line)["name"] for line in run("targets", "list", "--json")[1].splitlines()] == ["Globex"]


def test_the_facade_offers_targets_events_and_the_report(tmp_path: Path) -> None:
    from outreach.service import Outreach

    config = tmp_path / "c.toml"
    config.write_text(f'home = "{tmp_path / "home"}"\n[sender]\nname = "Sam Rivera"\nemail = "sam@example.edu"\n'
                      '[targets]\nper_week = 1\nwarm_tags = ["bootcamp"]\n')
    with Outreach(config, clock=lambda: NOW) as app:
        book_with_globex(app.store)
        app.targets.add("Globex")
        assert [p.record.name for p in app.targets.suggest("Globex", NOW)] == ["Cy Young"]
        assert (app.targets.per_week, app.targets.warm_tags) == (1, ("bootcamp",))
        assert app.events.list() == []
        sent(app.store, "bob@example.com", "intro", NOW - timedelta(days=1))
        rep = app.report()
        assert rep.until == NOW and dict(rep.stages)["written"] == 1 and rep.targets[0].written == 1
