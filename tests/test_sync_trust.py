"""What a sync believes: reports from strangers change nothing, and a reply's date is sane (real Dovecot)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from imap_server import Dovecot
from mailfixtures import dsn, intro, mailbox, raw

from outreach.book.contacts import ContactBook
from outreach.lifecycle.threads import Threads
from outreach.mailbox.sync import sync_mailbox
from outreach import Store

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)


def _report(recipient: str, message_id: str, kind: str = "delivery-status",
            sender: str = "Mallory <mallory@evil.example>", return_path: str = "") -> bytes:
    boundary = "B"
    if kind == "delivery-status":
        part = ["Content-Type: message/delivery-status", "", "Reporting-MTA: dns; evil.example", "",
                f"Final-Recipient: rfc822; {recipient}", "Action: failed", "Status: 5.1.1", ""]
    else:
        part = ["Content-Type: message/feedback-report", "", "Feedback-Type: abuse",
                f"Original-Rcpt-To: {recipient}", ""]
    head = [f"Return-Path: {return_path}"] if return_path else []
    return "\r\n".join([*head, f"From: {sender}", "To: sam@example.edu", "Subject: hello", f"Message-ID: {message_id}",
                        f'Content-Type: multipart/report; report-type={kind}; boundary="{boundary}"', "",
                        f"--{boundary}", "Content-Type: text/plain", "", "hi", "", f"--{boundary}", *part,
                        f"--{boundary}--", ""]).encode()


def _sync(server: Dovecot, store: Store, now: datetime = NOW):  # type: ignore[no-untyped-def]
    return sync_mailbox(store, mailbox(server), sender_domain="example.edu", folders=("INBOX",), now=now)


def test_forged_reports_from_a_stranger_block_nobody(dovecot: Dovecot, tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    intro(store, "ada@example.com", "bob@example.com")
    with mailbox(dovecot) as box:
        box.append("INBOX", _report("ada@example.com", "<f1@evil.example>"))
        box.append("INBOX", _report("bob@example.com", "<f2@evil.example>", "feedback-report"))
    report = _sync(dovecot, store)
    assert not report.bounces and not report.complaints
    assert sorted(u["address"] for u in report.unmatched) == ["ada@example.com", "bob@example.com"]
    assert all("nothing changed" in u["why"] for u in report.unmatched)
    book = ContactBook(store)
    assert not book.is_blocked("ada@example.com") and not book.is_blocked("bob@example.com")
    assert {e.kind for v in Threads(store).views() for e in v.events} == set()


def test_a_complaint_needs_one_of_our_message_ids_even_from_a_mail_system(dovecot: Dovecot, tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    ids = intro(store, "ada@example.com", "bob@example.com")
    with mailbox(dovecot) as box:
        box.append("INBOX", _report("ada@example.com", "<c1@fbl.example>", "feedback-report",
                                    sender="<postmaster@fbl.example>", return_path="<>"))
        named = _report("bob@example.com", "<c2@fbl.example>", "feedback-report", sender="<fbl@isp.example>")
        box.append("INBOX", named.replace(b"Subject: hello", f"In-Reply-To: {ids['bob@example.com']}".encode()))
    report = _sync(dovecot, store)
    assert [c["contact"] for c in report.complaints] == ["bob@example.com"]
    assert [u["address"] for u in report.unmatched] == ["ada@example.com"]
    assert not ContactBook(store).is_blocked("ada@example.com")
    assert ContactBook(store).is_blocked("bob@example.com")


def test_a_mail_system_bounce_still_matches_by_address_alone(dovecot: Dovecot, tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    intro(store, "ada@example.com", "bob@example.com")
    with mailbox(dovecot) as box:
        box.append("INBOX", dsn("ada@example.com", "<not-ours@elsewhere.example>"))
        box.append("INBOX", _report("bob@example.com", "<d2@mx.example>", return_path="<>"))
    report = _sync(dovecot, store)
    assert sorted(b["contact"] for b in report.bounces) == ["ada@example.com", "bob@example.com"]


def _reply(sender: str, in_reply_to: str, message_id: str, date: str) -> bytes:
    return raw({"From": sender, "Subject": "Re: x", "Message-ID": message_id, "In-Reply-To": in_reply_to,
                "Date": date}, "thanks")


def test_replies_with_impossible_dates_are_recorded_at_the_sync_time(dovecot: Dovecot, tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    ids = intro(store, "ada@example.com", "bob@example.com", "carol@example.com", "dan@example.com",
                "eve@example.com")
    sent = min(m.at for v in Threads(store).views() for m in v.messages)
    fine = sent + timedelta(hours=2)
    with mailbox(dovecot) as box:
        box.append("INBOX", _reply("ada@example.com", ids["ada@example.com"], "<r1@example.com>",
                                   "Fri, 31 Dec 9999 23:59:59 -1200"))
        box.append("INBOX", _reply("bob@example.com", ids["bob@example.com"], "<r2@example.com>",
                                   "Mon, 01 Jan 0001 00:00:00 +1400"))
        box.append("INBOX", _reply("carol@example.com", ids["carol@example.com"], "<r3@example.com>", "garbage"))
        box.append("INBOX", _reply("dan@example.com", ids["dan@example.com"], "<r4@example.com>",
                                   (NOW + timedelta(days=3)).strftime("%a, %d %b %Y %H:%M:%S +0000")))
        box.append("INBOX", _reply("eve@example.com", ids["eve@example.com"], "<r5@example.com>",
                                   fine.strftime("%a, %d %b %Y %H:%M:%S +0000")))
    later = max(NOW, fine + timedelta(days=1))
    report = _sync(dovecot, store, later)
    assert not report.skipped
    assert sorted(r["contact"] for r in report.replies) == ["ada@example.com", "bob@example.com", "carol@example.com",
                                                            "dan@example.com", "eve@example.com"]
    at = {v.contact: [e.at for e in v.events if e.kind == "replied"] for v in Threads(store).views()}
    assert at["eve@example.com"] == [fine.replace(microsecond=0)]
    for who in ("ada", "bob", "carol", "dan"):
        assert at[f"{who}@example.com"] == [later], who
