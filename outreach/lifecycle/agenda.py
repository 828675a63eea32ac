"""The user's agenda: what is due now, read from the store with the configured policy."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..config import Config
from ..book.contacts import ContactBook
from .followups import DueItem, Policy, due_items
from ..store.db import Store
from .threads import Threads

__all__ = ["agenda", "policy_from"]


def policy_from(config: Config) -> Policy:
    """The follow-up policy set in ``[followups]``."""
    return Policy(followup_days=config.followup_days, max_followups=config.max_followups,
                  checkin_days=config.checkin_days)


def agenda(store: Store, config: Config, now: datetime, horizon: timedelta = timedelta(0)) -> list[DueItem]:
    """Everything due by ``now + horizon``, oldest first, for contacts not on the do-not-contact list."""
    threads = Threads(store)
    return due_items(threads.views(), now, policy_from(config), landed=threads.milestone("landed"),
                     is_blocked=ContactBook(store).blocked_checker(), horizon=horizon)
