"""Read the mailbox and update threads: replies, auto-replies and bounces, incrementally by UID."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email import message_from_bytes, policy
from typing import Any

from .imap import Mailbox
from .replies import Incoming, classify
from ..store.db import Store
from ..lifecycle.threads import Threads

__all__ = ["SyncReport", "sync_mailbox"]

_PREFIX = re.compile(r"^\s*((re|aw|sv|fw|fwd|wg|tr)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_FROM_CHUNK = 40


@dataclass
class SyncReport:
    """What a sync found, folder by folder."""

    replies: list[dict[str, str]] = field(default_factory=list)
    auto_replies: list[dict[str, str]] = field(default_factory=list)
    bounces: list[dict[str, str]] = field(default_factory=list)
    probable: list[dict[str, str]] = field(default_factory=list)
    fetched: int = 0
    folders: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"replies": self.replies, "auto_replies": self.auto_replies, "bounces": self.bounces,
                "probable": self.probable, "fetched": self.fetched, "folders": self.folders}


def _bare_subject(subject: str) -> str:
    return " ".join(_PREFIX.sub("", subject).lower().split())


def _or_from(addresses: list[str]) -> list[Any]:
    criteria: list[Any] = ["FROM", addresses[-1]]
    for address in reversed(addresses[:-1]):
        criteria = ["OR", "FROM", address, *criteria]
    return criteria


class _Syncer:
    def __init__(self, store: Store, mailbox: Mailbox, marker: str, now: datetime) -> None:
        self.store = store
        self.mailbox = mailbox
        self.marker = marker
        self.now = now
        self.threads = Threads(store)
        self.report = SyncReport()
        self.views = {v.id: v for v in self.threads.views()}

    def _candidates(self, base: list[Any]) -> set[int]:
        found: set[int] = set()
        for header in ("In-Reply-To", "References"):
            found |= self.mailbox.search([*base, "HEADER", header, self.marker])
        found |= self.mailbox.search([*base, "OR", "FROM", "mailer-daemon", "FROM", "postmaster"])
        found |= self.mailbox.search([*base, "HEADER", "Content-Type", "report"])
        waiting = sorted({v.contact for v in self.views.values() if not v.closed})
        for start in range(0, len(waiting), _FROM_CHUNK):
            found |= self.mailbox.search([*base, *_or_from(waiting[start:start + _FROM_CHUNK])])
        return found

    def folder(self, name: str, since: date | None) -> None:
        validity, uidnext = self.mailbox.select(name)
        rows = self.store.query("SELECT uidvalidity, last_uid FROM imap_state WHERE folder = ?", (name,))
        last = rows[0]["last_uid"] if rows and rows[0]["uidvalidity"] == validity else 0
        base: list[Any] = ["UID", f"{last + 1}:*"]
        if since is not None:
            base += ["SINCE", since]
        uids = {u for u in self._candidates(base) if u > last}
        messages = self.mailbox.fetch(uids)
        self.report.fetched += len(messages)
        self.report.folders[name] = len(messages)
        for uid in sorted(messages):
            self._one(message_from_bytes(messages[uid], policy=policy.default))
        newest = max([uidnext - 1, last, *uids]) if (uidnext or uids) else last
        with self.store.transaction() as execute:
            execute("INSERT INTO imap_state (folder, uidvalidity, last_uid) VALUES (?, ?, ?) ON CONFLICT(folder)"
                    " DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid",
                    (name, validity, newest))

    def _thread_of(self, inc: Incoming) -> tuple[str, str] | None:
        for ref in reversed(inc.references):
            rows = self.store.query("SELECT thread_id, contact FROM messages WHERE message_id = ?"
                                    " AND status IN ('sent', 'unknown')", (ref,))
            if rows:
                return rows[0]["thread_id"], rows[0]["contact"]
        return None

    def _seen(self, inc: Incoming, thread_id: str | None) -> bool:
        if not inc.message_id:
            return False
        with self.store.transaction() as execute:
            cur = execute("INSERT OR IGNORE INTO inbox (message_id, kind, thread_id, sender, subject, seen_at)"
                          " VALUES (?, ?, ?, ?, ?, ?)", (inc.message_id, inc.kind, thread_id, inc.sender, inc.subject,
                                                         self.now.isoformat()))
        return cur.rowcount == 0

    def _one(self, msg: Any) -> None:
        inc = classify(msg, self.now.date())
        match = self._thread_of(inc)
        if match is None and inc.kind == "bounce" and inc.bounced:
            rows = self.store.query("SELECT thread_id, contact FROM messages WHERE contact = ?"
                                    " AND status IN ('sent', 'unknown') ORDER BY id DESC LIMIT 1", (inc.bounced,))
            match = (rows[0]["thread_id"], rows[0]["contact"]) if rows else None
        if self._seen(inc, match[0] if match else None):
            return
        at = inc.received or self.now
        info = {"message_id": inc.message_id, "from": inc.sender, "subject": inc.subject}
        if inc.kind == "bounce":
            if match is None:
                return
            address = inc.bounced or match[1]
            self.threads.add_event(match[0], "bounced", at, {**info, "address": address, "reason": inc.bounce_reason})
            with self.store.transaction() as execute:
                execute("INSERT INTO bounces (address, at, reason) VALUES (?, ?, ?) ON CONFLICT(address) DO UPDATE"
                        " SET at = excluded.at, reason = excluded.reason", (address, at.isoformat(), inc.bounce_reason))
            self.report.bounces.append({"contact": address, "thread_id": match[0], "reason": inc.bounce_reason})
        elif match is not None and inc.kind == "auto-reply":
            detail = {**info, **({"until": inc.until.isoformat()} if inc.until else {})}
            self.threads.add_event(match[0], "auto-reply", at, detail)
            self.report.auto_replies.append({"contact": match[1], "thread_id": match[0],
                                             "until": inc.until.isoformat() if inc.until else ""})
        elif match is not None:
            self.threads.add_event(match[0], "replied", at, info)
            self.report.replies.append({"contact": match[1], "thread_id": match[0], "subject": inc.subject})
        elif inc.kind == "reply":
            self._probable(inc, at)

    def _probable(self, inc: Incoming, at: datetime) -> None:
        subject = _bare_subject(inc.subject)
        for view in self.views.values():
            if (view.contact == inc.sender and not view.closed and subject and _bare_subject(view.subject) == subject
                    and view.created_at <= at):
                self.report.probable.append({"contact": view.contact, "thread_id": view.id, "subject": inc.subject,
                                             "message_id": inc.message_id,
                                             "confirm": f"outreach log {view.contact} --replied"})
                return


def sync_mailbox(store: Store, mailbox: Mailbox, *, sender_domain: str, folders: tuple[str, ...],
                 since: date | None = None, now: datetime | None = None) -> SyncReport:
    """Look through ``folders`` for replies to messages in the store, and record what they mean.

    Only new UIDs are read (UIDVALIDITY and the last UID are kept per folder), and only messages
    that IMAP SEARCH finds referring to our Message-IDs, from a contact, or looking like a bounce
    are downloaded. Replies mark threads ``replied``; auto-replies do not, but their return date
    pushes the next follow-up; bounces block the thread and the address. Replies that lost their
    headers but match a thread's sender and subject are reported as probable, for the user to confirm.
    """
    syncer = _Syncer(store, mailbox, f"@{sender_domain}>", now or datetime.now(timezone.utc))
    with mailbox:
        for folder in folders:
            syncer.folder(folder, since)
    return syncer.report
