"""Reply detection and Sent copies against a real Dovecot server on 127.0.0.1."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from imap_server import PASSWORD, USER, Dovecot
from mailfixtures import dsn, intro, mailbox, raw
from smtp_server import Sink

from outreach import AuthError, Store
from outreach.lifecycle.agenda import agenda
from outreach.cli import cli
from outreach.config import Config
from outreach.book.contacts import ContactBook
from outreach.lifecycle.followups import Policy, thread_state
from outreach.mailbox.replies import return_date
from outreach.mailbox.sync import sync_mailbox
from outreach.lifecycle.threads import Threads

def test_sync_reads_replies_auto_replies_bounces_and_probable(dovecot: Dovecot, tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    ids = intro(store, "ada@example.com", "bob@example.com", "carol@example.com", "dan@example.com")
    with mailbox(dovecot) as box:
        box.append("INBOX", raw({"From": "Ada <ada@example.com>", "Subject": "Re: Could I ask you about UX?",
                                 "Message-ID": "<r1@example.com>", "In-Reply-To": ids["ada@example.com"],
                                 "References": ids["ada@example.com"]}, "Happy to chat!"))
        box.append("INBOX", raw({"From": "bob@example.com", "Subject": "Automatic reply: Could I ask you about UX?",
                                 "Message-ID": "<a1@example.com>", "Auto-Submitted": "auto-replied",
                                 "In-Reply-To": ids["bob@example.com"]},
                                "I am out of the office until December 20, 2026 with limited access to email."))
        box.append("INBOX", dsn("carol@example.com", ids["carol@example.com"]))
        box.append("INBOX", raw({"From": "dan@example.com", "Subject": "RE: Could I ask you about UX?",
                                 "Message-ID": "<p1@example.com>"}, "Sure, next week?"))
        box.append("INBOX", raw({"From": "news@example.org", "Subject": "Weekly digest",
                                 "Message-ID": "<n1@example.org>"}, "Nothing to do with you."))
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    report = sync_mailbox(store, mailbox(dovecot), sender_domain="example.edu", folders=("INBOX",), now=now)
    assert [r["contact"] for r in report.replies] == ["ada@example.com"]
    assert [r.as_json() for r in report.auto_replies] == [{"contact": "bob@example.com",
                                                           "thread_id": ids["bob@example.com"], "until": "2026-12-20"}]
    assert report.auto_replies[0].until == "2026-12-20"
    assert [(b["contact"], b["reason"]) for b in report.bounces] == [("carol@example.com", "550 5.1.1 User unknown")]
    assert [(p["contact"], p["confirm"]) for p in report.probable] == [
        ("dan@example.com", "outreach log dan@example.com --replied")]
    assert report.fetched == 4, "the digest from a stranger is never downloaded"
    states = {v.contact: thread_state(v, now, Policy()) for v in Threads(store).views()}
    assert states == {"ada@example.com": "replied", "bob@example.com": "awaiting-reply",
                      "carol@example.com": "blocked", "dan@example.com": "awaiting-reply"}
    due = {i.contact: i.due_at for i in agenda(store, Config(home=tmp_path), now + timedelta(days=30))}
    assert "ada@example.com" not in due and "carol@example.com" not in due
    assert due["bob@example.com"] == datetime(2026, 12, 21, tzinfo=timezone.utc)
    assert "bounced" in (ContactBook(store).is_blocked("carol@example.com") or "")

    again = sync_mailbox(store, mailbox(dovecot), sender_domain="example.edu", folders=("INBOX",), now=now)
    assert again.fetched == 0 and not again.replies
    with mailbox(dovecot) as box:
        box.append("INBOX", raw({"From": "dan@example.com", "Subject": "Re: Could I ask you about UX?",
                                 "Message-ID": "<r2@example.com>", "In-Reply-To": ids["dan@example.com"]}, "Yes!"))
    third = sync_mailbox(store, mailbox(dovecot), sender_domain="example.edu", folders=("INBOX",), now=now)
    assert third.fetched == 1 and [r["contact"] for r in third.replies] == ["dan@example.com"]
    with store.transaction() as execute:
        execute("UPDATE outreach_imap_state SET uidvalidity = uidvalidity + 1")
    reset = sync_mailbox(store, mailbox(dovecot), sender_domain="example.edu", folders=("INBOX",), now=now)
    assert reset.fetched == 5, "a new UIDVALIDITY means reading the folder again"
    assert not (reset.replies or reset.auto_replies or reset.bounces), "but nothing is counted twice"


def test_wrong_password_and_starttls(dovecot: Dovecot, tmp_path: Path) -> None:
    with pytest.raises(AuthError, match="refused the login"):
        mailbox(dovecot, password="wrong").open()
    with mailbox(dovecot, security="starttls") as box:
        assert box.sent_folder() == "Sent"


def test_cli_send_saves_exact_copy_in_sent_and_sync(dovecot: Dovecot, config_file: Path,
                                                    plain_server: tuple[Sink, int], memory_keyring: object) -> None:
    sink, port = plain_server
    config_file.write_text(config_file.read_text() + f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                           f'[imap]\nhost = "127.0.0.1"\nport = {dovecot.port}\nusername = "{USER}"\n'
                           f'ca_file = "{dovecot.ca_file}"\nsave_sent = true\n')
    runner = CliRunner()
    assert runner.invoke(cli, ["login", "--imap", "--password-stdin"], input=PASSWORD + "\n").exit_code == 0
    assert memory_keyring.passwords == {("outreach", "imap:" + USER): PASSWORD}  # type: ignore[attr-defined]
    result = runner.invoke(cli, ["send", "intro", "--to", "ada@example.com", "--var", "topic=UX", "--json"])
    assert result.exit_code == 0, result.stderr
    mid = json.loads(result.stdout)["message_id"]
    with mailbox(dovecot) as box:
        box.select("Sent")
        [uid] = box.search(["ALL"])
        copy = box.fetch([uid])[uid]
    from outreach.cli.common import load, open_store

    stored = [m for m in open_store(load()).messages() if m.message_id == mid][0]
    assert copy == stored.data
    with mailbox(dovecot) as box:
        box.append("INBOX", raw({"From": "ada@example.com", "Subject": "Re: x", "Message-ID": "<z@example.com>",
                                 "In-Reply-To": mid}, "Sure"))
    result = runner.invoke(cli, ["sync", "--json"])
    assert result.exit_code == 0, result.stderr
    assert [r["contact"] for r in json.loads(result.stdout)["replies"]] == ["ada@example.com"]
    result = runner.invoke(cli, ["threads", "--json"])
    assert json.loads(result.stdout)["state"] == "replied"


def test_sent_copy_failure_never_fails_the_send(config_file: Path, plain_server: tuple[Sink, int],
                                                memory_keyring: object) -> None:
    sink, port = plain_server
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    config_file.write_text(config_file.read_text() + f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                           f'[imap]\nhost = "127.0.0.1"\nport = {closed}\nusername = "{USER}"\nsave_sent = true\n')
    memory_keyring.passwords[("outreach", USER)] = PASSWORD  # type: ignore[attr-defined]
    result = CliRunner().invoke(cli, ["send", "intro", "--to", "ada@example.com", "--var", "topic=UX", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["status"] == "sent"
    assert "Could not save a copy in the Sent folder (the message was sent)" in result.stderr
    assert len(sink.messages) == 1


@pytest.mark.parametrize(("text", "expected"), [
    ("I am out of the office until December 5.", date(2026, 12, 5)),
    ("Back on Monday, 7th of December 2026.", date(2026, 12, 7)),
    ("I will return on 2026-12-03.", date(2026, 12, 3)),
    ("Ich bin bis 05.12.2026 abwesend.", date(2026, 12, 5)),
    ("Away from 3 Dec until 10.12.2026.", date(2026, 12, 10)),
    ("Back on January 4.", date(2027, 1, 4)),
    ("Thanks for your email.", None),
])
def test_return_dates(text: str, expected: date | None) -> None:
    assert return_date(text, date(2026, 11, 25)) == expected


def test_sync_without_a_password_says_what_to_do(config_file: Path) -> None:
    config_file.write_text(config_file.read_text() + f'[imap]\nhost = "127.0.0.1"\nport = 1\nusername = "{USER}"\n')
    result = CliRunner().invoke(cli, ["sync"])
    assert result.exit_code == 3 and "outreach login --imap" in result.stderr
    result = CliRunner().invoke(cli, ["sync"], env={"OUTREACH_CONFIG": str(config_file.with_name("none.toml"))})
    assert result.exit_code == 2 and "no [imap]" in result.stderr


def nested(depth: int, headers: dict[str, str]) -> bytes:
    """A message whose MIME parts nest ``depth`` deep: more than any parser should recurse into."""
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    opening = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(depth))
    closing = "".join(f"\r\n--b{i}--\r\n" for i in reversed(range(depth)))
    return (head + opening + "Content-Type: text/plain\r\n\r\nhello\r\n" + closing).encode()


def test_one_poisoned_message_never_stops_sync(dovecot: Dovecot, tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    ids = intro(store, "ada@example.com", "zoë@example.com")
    with mailbox(dovecot) as box:
        box.append("INBOX", nested(5000, {"From": "ada@example.com", "Subject": "Re: Could I ask you about UX?",
                                          "Message-ID": "<poison@example.com>", "In-Reply-To": ids["ada@example.com"]}))
        box.append("INBOX", raw({"From": "ada@example.com", "Subject": "Re: Could I ask you about UX?",
                                 "Date": "Mon, 01 Jan 99999 00:00:00", "In-Reply-To": ids["ada@example.com"]},
                                "No Message-ID and a date out of range"))
        box.append("INBOX", raw({"From": "Ada <ada@example.com>", "Subject": "Re: Could I ask you about UX?",
                                 "Message-ID": "<r1@example.com>", "In-Reply-To": ids["ada@example.com"]},
                                "Happy to chat!"))
        box.append("INBOX", "\r\n".join([
            "From: =?utf-8?q?Zo=C3=AB?= <zoë@example.com>", "Subject: Re: Could I ask you about UX?",
            "Message-ID: <z1@example.com>", "Content-Type: text/plain; charset=utf-8", "", "Gern!"]).encode())
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    report = sync_mailbox(store, mailbox(dovecot), sender_domain="example.edu", folders=("INBOX",), now=now)
    assert [s["uid"] for s in report.skipped] == ["1"] and "nest too deeply" in report.skipped[0]["reason"]
    assert [r["contact"] for r in report.replies] == ["ada@example.com", "ada@example.com"]
    assert [p["contact"] for p in report.probable] == ["zoë@example.com"], "a non-ASCII address is searched for"
    assert "skipped     INBOX UID 1" in "\n".join(report.lines())
    again = sync_mailbox(store, mailbox(dovecot), sender_domain="example.edu", folders=("INBOX",), now=now)
    assert again.fetched == 0 and not again.skipped, "the folder's position moved past the poisoned message"


def dsn_for(recipient: str, original_id: str, action: str = "failed", status: str = "5.1.1") -> bytes:
    return dsn(recipient, original_id).replace(b"Action: failed", f"Action: {action}".encode()).replace(
        b"Status: 5.1.1", f"Status: {status}".encode())


def test_reports_and_replies_act_only_on_their_own_thread(dovecot: Dovecot, tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    ids = intro(store, "ada@example.com", "bob@example.com", "carol@example.com", "dan@example.com",
                "eve@example.com", "fay@example.com")
    arf = "\r\n".join([
        "From: fbl@isp.example.net", "To: sam@example.edu", "Subject: complaint", "Message-ID: <arf1@isp.example.net>",
        'Content-Type: multipart/report; report-type=feedback-report; boundary="F"', "", "--F",
        "Content-Type: message/feedback-report", "", "Feedback-Type: abuse", "Original-Rcpt-To: dan@example.com", "",
        "--F", "Content-Type: text/rfc822-headers", "", f"Message-ID: {ids['dan@example.com']}", "", "--F--", ""])
    with mailbox(dovecot) as box:
        box.append("INBOX", dsn_for("someone.else@example.org", ids["ada@example.com"]))
        box.append("INBOX", dsn_for("bob@example.com", "<not-ours@example.org>").replace(
            b"Message-ID: <dsn1", b"Message-ID: <dsn2"))
        box.append("INBOX", dsn_for("stranger@example.org", "<not-ours@example.org>").replace(
            b"Message-ID: <dsn1", b"Message-ID: <dsn3"))
        box.append("INBOX", dsn_for("carol@example.com", ids["carol@example.com"], "delayed", "4.4.1").replace(
            b"Message-ID: <dsn1", b"Message-ID: <dsn4"))
        box.append("INBOX", arf.encode())
        box.append("INBOX", raw({"From": "assistant@example.com", "Subject": "Re: Could I ask you about UX?",
                                 "Message-ID": "<o1@example.com>", "In-Reply-To": ids["eve@example.com"]},
                                "Eve asked me to answer."))
        box.append("INBOX", raw({"From": "fay@example.com", "Subject": "Please verify your message",
                                 "Message-ID": "<c1@example.com>", "Auto-Submitted": "auto-replied"},
                                "Please verify that you are human: https://verify.example.net/x1"))
        box.append("INBOX", raw({"From": "fay@example.com", "Subject": "Re: Could I ask you about UX?",
                                 "List-Unsubscribe": "<https://news.example.com/u>", "Precedence": "bulk",
                                 "Message-ID": "<l1@example.org>"}, "Fay's company newsletter"))
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    report = sync_mailbox(store, mailbox(dovecot), sender_domain="example.edu", folders=("INBOX",), now=now)
    assert [b["contact"] for b in report.bounces] == ["bob@example.com"], "matched by its failed address"
    assert [(u["address"], "ada@example.com" in u["why"]) for u in report.unmatched] == [
        ("someone.else@example.org", True), ("stranger@example.org", False)]
    assert [d["contact"] for d in report.delays] == ["carol@example.com"]
    assert [c["contact"] for c in report.complaints] == ["dan@example.com"]
    assert [(o["from"], o["contact"]) for o in report.from_others] == [("assistant@example.com", "eve@example.com")]
    assert [(c["contact"], c["link"]) for c in report.challenges] == [
        ("fay@example.com", "https://verify.example.net/x1")]
    assert not report.replies and not report.auto_replies and not report.probable, "a newsletter is no reply"
    book = ContactBook(store)
    assert book.is_blocked("ada@example.com") is None and book.is_blocked("someone.else@example.org") is None
    assert book.is_blocked("carol@example.com") is None, "a delay blocks nothing"
    assert "bounced" in (book.is_blocked("bob@example.com") or "")
    assert "do-not-contact" in (book.is_blocked("dan@example.com") or "")
    states = {v.contact: thread_state(v, now, Policy()) for v in Threads(store).views()}
    assert states == {"ada@example.com": "awaiting-reply", "bob@example.com": "blocked",
                      "carol@example.com": "awaiting-reply", "dan@example.com": "blocked",
                      "eve@example.com": "awaiting-reply", "fay@example.com": "awaiting-reply"}
    text = "\n".join(report.lines())
    assert "unmatched   stranger@example.org" in text and "complaint   dan@example.com" in text
