"""The user's agenda: what is due now, read from the store with the configured policy."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import Config
    from ..models import Recipient
    from ..store.db import Store
    from .followups import DueItem, Meeting, Policy

__all__ = ["agenda", "due_recipients", "meetings", "policy_from"]

# The threads, rules and contact book load only when the store has a thread that may owe something:
# the daily `outreach due` on a store where nothing is due imports none of them.


def policy_from(config: Config) -> Policy:
    """The follow-up policy set in ``[followups]``."""
    from .followups import Policy

    return Policy(followup_days=config.followup_days, max_followups=config.max_followups,
                  checkin_days=config.checkin_days)


def agenda(store: Store, config: Config, now: datetime, horizon: timedelta = timedelta(0)) -> list[DueItem]:
    """Everything due by ``now + horizon``, oldest first, for contacts not on the do-not-contact list."""
    from ..store.due import due_candidates

    only = due_candidates(store, now + horizon, max_followups=config.max_followups,
                          followup_days=config.followup_days, checkin_days=config.checkin_days)
    if not only:  # no thread to read: the rules give nothing (a job update needs a thread with an event)
        return []
    from ..book.contacts import ContactBook
    from .followups import due_items
    from .threads import Threads

    threads = Threads(store)
    return due_items(threads.views(only=only), now, policy_from(config), landed=threads.milestone("landed"),
                     is_blocked=ContactBook(store).blocked_checker(), horizon=horizon)


def meetings(store: Store, now: datetime) -> list[Meeting]:
    """The meetings that are set and not yet held or cancelled, soonest first (those past a day ago left out)."""
    from ..kinds import MEETING_EVENTS
    from ..store.due import threads_with_events

    only = threads_with_events(store, MEETING_EVENTS)
    if not only:
        return []
    from .followups import meeting_of
    from .threads import Threads

    found = [m for m in (meeting_of(v) for v in Threads(store).views(only=only) if not v.closed) if m is not None]
    return sorted((m for m in found if m.at >= now - timedelta(days=1)), key=lambda m: m.at)


def due_recipients(store: Store, config: Config, kind: str, variables: Mapping[str, str],
                   now: datetime, template: str | None = None) -> tuple[list[Recipient], int]:
    """One recipient per item of ``kind`` due at ``now``, in its thread, keyed by the item so that a re-run sends
    nothing twice; and how many were left out because they are on the do-not-contact list or bounced.

    An item that names its own template (the nice-to-meet-you names ``met-at-event``) is only for that
    template when ``template`` is given, so ``send intro --due`` does not pick it up.
    """
    from ..book.contacts import ContactBook
    from ..book.people import People
    from ..models import Contact, Recipient

    people = People(store)
    blocked = ContactBook(store).blocked_checker()
    recipients: list[Recipient] = []
    skipped = 0
    for item in agenda(store, config, now):
        if item.kind != kind or (template is not None and item.template and item.template != template):
            continue
        if blocked(item.contact):
            skipped += 1
            continue
        person = people.resolve(item.contact, new=True)
        contact = person.record.as_contact() if person.record else Contact(email=person.email)
        recipients.append(Recipient(contact, dict(variables), where=f"thread with {item.contact}", key=item.key,
                                    thread_id=item.thread_id))
    return recipients, skipped
