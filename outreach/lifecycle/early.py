"""A follow-up written before it is due: a warning that names the date it falls due."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ..errors import OutreachError, Problem
from ..models import Recipient
from ..store.db import Store
from .followups import Policy, next_followup
from .threads import Threads

__all__ = ["early_followups"]


def early_followups(store: Store, recipients: Iterable[Recipient], now: datetime, policy: Policy) -> list[Problem]:
    """A warning for each recipient whose thread's follow-up is not due yet at ``now``; due items are skipped."""
    from ..book.people import People

    people, threads = People(store), Threads(store)
    found: list[Problem] = []
    for index, recipient in enumerate(recipients, start=1):
        if recipient.key:
            continue
        try:
            key = people.key(recipient.contact.email)
        except OutreachError:
            continue
        view = threads.view(recipient.thread_id) if recipient.thread_id else threads.latest(key)
        item = next_followup(view, now, policy) if view is not None and view.messages else None
        if item is None or item.due_at <= now:
            continue
        found.append(Problem(recipient.where or f"recipient {index}",
                             f"{key}: this follow-up is not due until {item.due_at:%Y-%m-%d} ({item.reason});"
                             " sent now it may come too soon", contact=key))
    return found
