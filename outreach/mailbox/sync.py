"""Read the mailbox and update threads: replies, auto-replies and bounces, incrementally by UID."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email import message_from_bytes, policy
from typing import Any

from ..compose.addresses import validate_address
from ..errors import AddressError
from .imap import Mailbox
from .replies import Incoming, classify
from ..compose.controls import printable
from ..store.blocks import BlockTable
from ..store.db import Store
from ..store.mailbox import MailboxTable
from ..lifecycle.threads import Threads

__all__ = ["SyncItem", "SyncReport", "sync_mailbox"]

_PREFIX = re.compile(r"^\s*((re|aw|sv|fw|fwd|wg|tr)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_FROM_CHUNK = 40
_REPORTS = ("bounce", "delay", "complaint")


@dataclass(frozen=True)
class SyncItem:
    """One finding of a sync: which thread and contact it concerns and what was read.

    Each list of :class:`SyncReport` fills the fields that apply to it; the others stay empty.
    ``item["contact"]`` reads a field by its JSON name (``"from"`` is :attr:`sender`).
    """

    contact: str = ""
    thread_id: str = ""
    subject: str = ""
    reason: str = ""
    until: str = ""
    link: str = ""
    sender: str = ""
    kind: str = ""
    address: str = ""
    why: str = ""
    message_id: str = ""
    confirm: str = ""
    folder: str = ""
    uid: str = ""
    keys: tuple[str, ...] = ()

    @classmethod
    def of(cls, **values: str) -> SyncItem:
        """An item with these fields (``from`` for the sender), remembering which were given for JSON."""
        given = tuple(values)
        if "from" in values:
            values["sender"] = values.pop("from")
        return cls(**values, keys=given)

    def __getitem__(self, key: str) -> str:
        return str(getattr(self, "sender" if key == "from" else key))

    def as_json(self) -> dict[str, str]:
        """The fields this kind of finding has, by their JSON names."""
        return {k: self[k] for k in self.keys}


@dataclass
class SyncReport:
    """What a sync found, folder by folder."""

    replies: list[SyncItem] = field(default_factory=list)
    auto_replies: list[SyncItem] = field(default_factory=list)
    bounces: list[SyncItem] = field(default_factory=list)
    probable: list[SyncItem] = field(default_factory=list)
    delays: list[SyncItem] = field(default_factory=list)
    complaints: list[SyncItem] = field(default_factory=list)
    challenges: list[SyncItem] = field(default_factory=list)
    from_others: list[SyncItem] = field(default_factory=list)
    unmatched: list[SyncItem] = field(default_factory=list)
    skipped: list[SyncItem] = field(default_factory=list)
    fetched: int = 0
    folders: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        def items(found: list[SyncItem]) -> list[dict[str, str]]:
            return [i.as_json() for i in found]

        return {"replies": items(self.replies), "auto_replies": items(self.auto_replies),
                "bounces": items(self.bounces), "probable": items(self.probable), "delays": items(self.delays),
                "complaints": items(self.complaints), "challenges": items(self.challenges),
                "from_someone_else": items(self.from_others), "unmatched": items(self.unmatched),
                "skipped": items(self.skipped), "fetched": self.fetched, "folders": self.folders}

    def lines(self) -> list[str]:
        """The report as lines for a terminal, one per finding, then a summary."""
        out = [f"replied     {r['contact']:<34} {r['subject']}" for r in self.replies]
        out += [f"auto-reply  {r['contact']:<34} " + (f"back {r['until']}" if r["until"] else "no return date")
                for r in self.auto_replies]
        out += [f"bounced     {r['contact']:<34} {r['reason']}" for r in self.bounces]
        out += [f"delayed     {r['contact']:<34} still trying: {r['reason']}" for r in self.delays]
        out += [f"complaint   {r['contact']:<34} {r['reason']}; no more mail will go to this address"
                for r in self.complaints]
        out += [f"challenge   {r['contact']:<34} verify at {r['link'] or '(no link)'}" for r in self.challenges]
        out += [f"probable    {r['contact']:<34} {r['subject']}  (confirm: {r['confirm']})" for r in self.probable]
        out += [f"other       {r['from']:<34} {r['kind']} from someone else on the thread with {r['contact']}"
                for r in self.from_others]
        out += [f"unmatched   {r['address'] or '(no address)':<34} {r['kind']}: {r['why']}" for r in self.unmatched]
        out += [f"skipped     {r['folder']} UID {r['uid']:<26} {r['reason']}" for r in self.skipped]
        out.append(f"Read {self.fetched} messages in {', '.join(self.folders) or 'no folder'}: {len(self.replies)}"
                   f" replies, {len(self.auto_replies)} auto-replies, {len(self.bounces)} bounces,"
                   f" {len(self.probable)} probable" + "".join(
                       f", {n} {label}" for n, label in ((len(self.delays), "delays"),
                                                         (len(self.complaints), "complaints"),
                                                         (len(self.challenges), "challenges"),
                                                         (len(self.from_others), "from someone else"),
                                                         (len(self.unmatched), "unmatched"),
                                                         (len(self.skipped), "skipped")) if n) + ".")
        return out


def _key(address: str) -> str:
    """The address as the block and bounce lists key it."""
    try:
        return validate_address(address).key
    except AddressError:
        return address.lower()


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
        self.table = MailboxTable(store)
        self.blocks = BlockTable(store)
        self.report = SyncReport()
        self.views = {v.id: v for v in self.threads.views()}

    def _candidates(self, base: list[Any]) -> set[int]:
        found: set[int] = set()
        for header in ("In-Reply-To", "References"):
            found |= self.mailbox.search([*base, "HEADER", header, self.marker])
        found |= self.mailbox.search([*base, "OR", "FROM", "mailer-daemon", "FROM", "postmaster"])
        found |= self.mailbox.search([*base, "HEADER", "Content-Type", "report"])
        found |= self.mailbox.search([*base, "HEADER", "Return-Path", "<>"])
        found |= self.mailbox.search([*base, "BODY", self.marker])
        waiting = sorted({v.contact for v in self.views.values() if not v.closed})
        for start in range(0, len(waiting), _FROM_CHUNK):
            found |= self.mailbox.search([*base, *_or_from(waiting[start:start + _FROM_CHUNK])])
        return found

    def folder(self, name: str, since: date | None) -> None:
        validity, uidnext = self.mailbox.select(name)
        state = self.table.folder_state(name)
        last = state[1] if state and state[0] == validity else 0
        base: list[Any] = ["UID", f"{last + 1}:*"]
        if since is not None:
            base += ["SINCE", since]
        uids = {u for u in self._candidates(base) if u > last}
        messages = self.mailbox.fetch(uids)
        self.report.fetched += len(messages)
        self.report.folders[name] = len(messages)
        for uid in sorted(messages):
            try:
                self._one(message_from_bytes(messages[uid], policy=policy.default))
            except RecursionError:
                self.report.skipped.append(SyncItem.of(**{"folder": name, "uid": str(uid),
                                            "reason": "its MIME parts nest too deeply to be read"}))
            except Exception as exc:  # one unreadable message must never stop the sync of the others
                self.report.skipped.append(SyncItem.of(**{"folder": name, "uid": str(uid),
                                            "reason": printable(f"cannot be read: {type(exc).__name__}: {exc}")[:300]}))
        newest = max([uidnext - 1, last, *uids]) if (uidnext or uids) else last
        self.table.save_folder_state(name, validity, newest)

    def _thread_of(self, inc: Incoming) -> tuple[str, str] | None:
        for ref in reversed(inc.references):
            found = self.store.delivered_thread(ref)
            if found:
                return found
        return None

    def _seen(self, inc: Incoming, thread_id: str | None) -> bool:
        if not inc.message_id:
            return False
        return not self.table.first_sight(inc.message_id, inc.kind, thread_id, inc.sender, inc.subject,
                                          self.now.isoformat())

    def _by_address(self, addresses: tuple[str, ...]) -> tuple[str, str] | None:
        for address in addresses:
            found = self.store.latest_delivered_to(address, _key(address))
            if found:
                return found
        return None

    def _one(self, msg: Any) -> None:
        inc = classify(msg, self.now.date())
        if inc.kind in ("delivered", "list"):
            return
        match = self._thread_of(inc)
        named = match is not None
        if match is None and inc.kind in _REPORTS:
            match = self._by_address(inc.recipients)
        elif match is None and inc.kind == "challenge":  # challenge systems rarely keep our Message-ID
            match = self._by_address((inc.sender,))
        if self._seen(inc, match[0] if match else None):
            return
        at = inc.received or self.now
        info = {"message_id": inc.message_id, "from": inc.sender, "subject": inc.subject}
        if inc.kind in _REPORTS:
            self._report(inc, match, named, at, info)
        elif match is not None and _key(inc.sender) != _key(match[1]):
            self.report.from_others.append(SyncItem.of(**{"contact": match[1], "thread_id": match[0], "from": inc.sender,
                                            "kind": inc.kind, "subject": inc.subject}))
        elif match is not None and inc.kind == "challenge":
            self.report.challenges.append(SyncItem.of(**{"contact": match[1], "thread_id": match[0], "link": inc.link}))
        elif match is not None and inc.kind == "auto-reply":
            detail = {**info, **({"until": inc.until.isoformat()} if inc.until else {})}
            self.threads.add_event(match[0], "auto-reply", at, detail)
            self.report.auto_replies.append(SyncItem.of(**{"contact": match[1], "thread_id": match[0],
                                             "until": inc.until.isoformat() if inc.until else ""}))
        elif match is not None:
            self.threads.add_event(match[0], "replied", at, info)
            self.report.replies.append(SyncItem.of(**{"contact": match[1], "thread_id": match[0], "subject": inc.subject}))
        elif inc.kind == "reply":
            self._probable(inc, at)

    def _report(self, inc: Incoming, match: tuple[str, str] | None, named: bool, at: datetime,
                info: dict[str, str]) -> None:
        """A bounce, delay or complaint: acted on only when it is about one of our threads and its contact."""
        if match is None:
            why = "names none of our messages, and no thread's contact" if inc.recipients else \
                "names none of our messages and no address"
            self.report.unmatched.append(SyncItem.of(**{"kind": inc.kind, "address": inc.bounced, "why": why,
                                          "message_id": inc.message_id, "subject": inc.subject}))
            return
        thread_id, contact = match
        recipients = {_key(r) for r in inc.recipients}
        if recipients and _key(contact) not in recipients:
            self.report.unmatched.append(SyncItem.of(**{
                "kind": inc.kind, "address": inc.bounced, "message_id": inc.message_id, "subject": inc.subject,
                "why": f"about our message to {contact}, but it names {', '.join(sorted(recipients))};"
                       " nothing changed"}))
            return
        reason = inc.bounce_reason
        row = SyncItem.of(contact=contact, thread_id=thread_id, reason=reason)
        if inc.kind == "delay":
            self.threads.add_event(thread_id, "delayed", at, {**info, "address": contact, "reason": reason})
            self.report.delays.append(row)
        elif inc.kind == "complaint":
            self.threads.add_event(thread_id, "complained", at, {**info, "address": contact, "reason": reason})
            self.blocks.block(_key(contact), at.isoformat())
            self.report.complaints.append(row)
        else:
            self.threads.add_event(thread_id, "bounced", at, {**info, "address": contact, "reason": reason,
                                                             "matched_by": "message-id" if named else "address"})
            self.blocks.mark_bounced(_key(contact), at.isoformat(), reason)
            self.report.bounces.append(row)

    def _probable(self, inc: Incoming, at: datetime) -> None:
        subject = _bare_subject(inc.subject)
        for view in self.views.values():
            if (_key(view.contact) == _key(inc.sender) and not view.closed and subject
                    and _bare_subject(view.subject) == subject
                    and view.created_at <= at):
                self.report.probable.append(SyncItem.of(**{"contact": view.contact, "thread_id": view.id, "subject": inc.subject,
                                             "message_id": inc.message_id,
                                             "confirm": f"outreach log {view.contact} --replied"}))
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
