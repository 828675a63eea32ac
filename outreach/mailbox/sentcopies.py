"""A send hook that appends each sent message to the IMAP Sent folder; a failure is noted, never fatal."""

from __future__ import annotations

from ..config import Config
from ..errors import OutreachError
from ..models import Outcome, Status
from ..store.db import Store
from .imap import Mailbox, mailbox_from_config

__all__ = ["SentCopies"]


class SentCopies:
    """Call it with each :class:`Outcome`; sent messages are appended to the Sent folder over one connection."""

    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store
        self.mailbox: Mailbox | None = None
        self.failures: list[str] = []

    def __call__(self, outcome: Outcome) -> None:
        if outcome.status is not Status.SENT or outcome.earlier:
            return
        try:
            if self.mailbox is None:
                self.mailbox = mailbox_from_config(self.config)
            entry = self.store.get(outcome.key)
            if entry is None:
                raise OutreachError(f"the journal has no message {outcome.message_id}")
            self.mailbox.append_sent(entry.data)
        except OutreachError as exc:
            self.failures.append(f"{outcome.to}: {exc}")

    def close(self) -> None:
        """Close the IMAP connection if one was opened."""
        if self.mailbox is not None:
            self.mailbox.close()
            self.mailbox = None
