"""What a reply template may say about the relationship so far, read from the contact's threads.

``thread_facts`` gives variables such as ``followup_number`` (the second follow-up differs from the
first), ``meeting_cancelled`` (the thread's meeting was called off and nothing was written since),
``helped`` (``referral`` when someone they referred you to answered or met you, ``introduction``
when nobody did, ``conversation`` or ``reply``: what the person really did), the names they
``referred`` you to (and of those, ``referred_answered``) and dates as a reader writes them. ``previous_text`` is the text of
the last message in a thread, so that the lint can refuse sending the same words twice.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from ..store.db import Store
from .threads import ThreadRef, Threads, ThreadView

__all__ = ["ANSWERED", "answered_checker", "long_date", "previous_text", "reply_context", "thread_facts"]

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def long_date(when: datetime, locale: str = "en-US") -> str:
    """A date as a reader writes it: "November 25" (US) or "25 November" (GB)."""
    month = MONTHS[when.month - 1]
    return f"{when.day} {month}" if locale == "en-GB" else f"{month} {when.day}"


ANSWERED = ("replied", "scheduled", "rescheduled", "met")


def _cancelled_meeting(view: ThreadView, locale: str) -> dict[str, Any]:
    """``meeting_cancelled`` (and ``meeting_on``) when the thread's meeting was called off and not yet followed up."""
    meeting = [e for e in view.events if e.kind in ("scheduled", "rescheduled", "cancelled", "met")]
    if not meeting or meeting[-1].kind != "cancelled":
        return {}
    cancelled = meeting[-1]
    if any(m.at >= cancelled.at for m in view.messages):
        return {}
    facts: dict[str, Any] = {"meeting_cancelled": True}
    planned = [e for e in meeting if e.kind in ("scheduled", "rescheduled") and e.detail.get("date")]
    if planned:
        try:
            facts["meeting_on"] = long_date(datetime.fromisoformat(str(planned[-1].detail["date"])), locale)
        except ValueError:
            pass
    return facts


def thread_facts(views: list[ThreadView], thread_id: str | None, locale: str = "en-US",
                 answered: Callable[[str], bool] | Collection[str] = ()) -> dict[str, Any]:
    """Template variables about the contact's threads; only what is known is set.

    ``answered`` tells whether a person they referred you to (by the address the referral names)
    replied or met you: a referral is thanked for as one only then.
    """
    facts: dict[str, Any] = {}
    current = next((v for v in views if v.id == thread_id), None)
    followups = sum(1 for m in current.messages if m.kind == "follow-up") if current else 0
    facts["followup_number"] = followups + 1
    if current is not None and current.messages:
        facts["sent_on"] = long_date(current.messages[0].at.astimezone(), locale)
    if current is not None:
        facts.update(_cancelled_meeting(current, locale))
    did_answer = answered if callable(answered) else set(answered).__contains__
    events = sorted((e for v in views for e in v.events), key=lambda e: e.at)
    referrals = [(str(e.detail.get("name") or e.detail.get("address") or ""), str(e.detail.get("address") or ""))
                 for e in events if e.kind == "referral"]
    referred = [n for n in dict.fromkeys(n for n, _ in referrals) if n]
    replied_names = [n for n in dict.fromkeys(n for n, a in referrals if a and did_answer(a)) if n]
    met = [e for e in events if e.kind == "met"]
    if referred:
        facts["referred"] = referred
    if replied_names:
        facts["referred_answered"] = replied_names
    if met:
        facts["met_on"] = long_date(met[-1].at.astimezone(), locale)
    if replied_names:
        facts["helped"] = "referral"
    elif referred:
        facts["helped"] = "introduction"
    elif met:
        facts["helped"] = "conversation"
    elif any(e.kind == "replied" for e in events):
        facts["helped"] = "reply"
    return facts


def answered_checker(store: Store) -> Callable[[str], bool]:
    """Whether the person at an address (any form, a secondary address) replied to you or met you."""
    from ..book.people import People
    from ..errors import OutreachError

    people, threads = People(store), Threads(store)

    def answered(address: str) -> bool:
        try:
            key = people.resolve(address, new=True).key
        except OutreachError:
            return False
        return any(e.kind in ANSWERED for v in threads.views(key) for e in v.events)

    return answered


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
    facts = thread_facts(threads.views(contact), thread.thread_id if thread else None, locale,
                         answered=answered_checker(store))
    before = None
    if thread is not None and thread.message_ids:
        before = previous_text(store, contact, thread.message_ids[-1])
    return thread, facts, before
