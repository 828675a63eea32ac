"""What a reply template may say about the relationship so far, read from the contact's threads.

``thread_facts`` gives variables such as ``followup_number`` (the second follow-up differs from the
first), ``helped`` (``referral``, ``conversation`` or ``reply``: what the person really did), the
names they ``referred`` you to and dates as a reader writes them. ``previous_text`` is the text of
the last message in a thread, so that the lint can refuse sending the same words twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..store.db import Store
from .threads import ThreadRef, Threads, ThreadView

__all__ = ["long_date", "previous_text", "reply_context", "thread_facts"]

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def long_date(when: datetime, locale: str = "en-US") -> str:
    """A date as a reader writes it: "November 25" (US) or "25 November" (GB)."""
    month = MONTHS[when.month - 1]
    return f"{when.day} {month}" if locale == "en-GB" else f"{month} {when.day}"


def thread_facts(views: list[ThreadView], thread_id: str | None, locale: str = "en-US") -> dict[str, Any]:
    """Template variables about the contact's threads; only what is known is set."""
    facts: dict[str, Any] = {}
    current = next((v for v in views if v.id == thread_id), None)
    followups = sum(1 for m in current.messages if m.kind == "follow-up") if current else 0
    facts["followup_number"] = followups + 1
    if current is not None and current.messages:
        facts["sent_on"] = long_date(current.messages[0].at.astimezone(), locale)
    events = sorted((e for v in views for e in v.events), key=lambda e: e.at)
    referred = [str(e.detail.get("name") or e.detail.get("address") or "") for e in events if e.kind == "referral"]
    referred = [n for n in dict.fromkeys(referred) if n]
    met = [e for e in events if e.kind == "met"]
    if referred:
        facts["referred"] = referred
    if met:
        facts["met_on"] = long_date(met[-1].at.astimezone(), locale)
    if referred:
        facts["helped"] = "referral"
    elif met:
        facts["helped"] = "conversation"
    elif any(e.kind == "replied" for e in events):
        facts["helped"] = "reply"
    return facts


def previous_text(store: Store, contact: str, message_id: str) -> str | None:
    """The plain-text body of message ``message_id`` to ``contact`` as it was sent, if the journal has it."""
    from email import message_from_bytes, policy

    for entry in store.messages(contact=contact):
        if entry.message_id == message_id:
            msg = message_from_bytes(entry.data, policy=policy.default)
            body = msg.get_body(("plain",))
            return str(body.get_content()) if body is not None else None
    return None


def reply_context(store: Store, contact: str, locale: str = "en-US", thread_id: str | None = None
                  ) -> tuple[ThreadRef | None, dict[str, Any], str | None]:
    """For a reply to ``contact`` (in ``thread_id``, else their latest open thread): the thread, the facts
    for its template, and the previous message's text."""
    threads = Threads(store)
    thread = threads.ref(contact, thread_id)
    facts = thread_facts(threads.views(contact), thread.thread_id if thread else None, locale)
    before = None
    if thread is not None and thread.message_ids:
        before = previous_text(store, contact, thread.message_ids[-1])
    return thread, facts, before
