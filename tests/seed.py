"""Build a store for the target, event and report tests: messages sent at chosen times, through the journal."""

from __future__ import annotations

import uuid
from datetime import datetime

from outreach.models import Envelope, Status
from outreach.store import JournalEntry, Store


def sent(store: Store, contact: str, kind: str, at: datetime, thread: str | None = None,
         template: str | None = None) -> str:
    """Journal a message of ``kind`` to ``contact``, record it sent at ``at``; returns its thread id."""
    message_id = f"<{uuid.uuid4().hex}@example.edu>"
    key = f"{kind}:{contact}:{message_id}"
    store.journal([JournalEntry(key=key, batch="seed", message_id=message_id, thread_id=thread or message_id,
                                contact=contact, template=template or kind, subject="Coffee?",
                                envelope=Envelope("sam@example.edu", (contact,)), data=b"x", status=Status.QUEUED,
                                kind=kind, followup_days=7)])
    store.mark(key, Status.SENT)
    with store.transaction() as execute:
        execute("UPDATE outreach_messages SET sent_at = ? WHERE key = ?", (at.isoformat(), key))
    return thread or message_id
