"""The kinds and states the whole package names, as StrEnums equal to their strings.

Kept apart from ``models.py`` (dataclasses) so that the command line can offer them as choices
without importing more than :mod:`enum`.
"""

from __future__ import annotations

import enum

__all__ = ["MEETING_EVENTS", "EventKind", "Status", "TemplateKind", "ThreadState"]


class TemplateKind(enum.StrEnum):
    """What a template is for; the due rules and the never-twice key depend on it."""

    INTRO = "intro"
    FOLLOW_UP = "follow-up"
    THANK_YOU = "thank-you"
    CHECK_IN = "check-in"
    JOB_UPDATE = "job-update"
    OTHER = "other"


class ThreadState(enum.StrEnum):
    """Where a conversation stands, as the due rules read it."""

    AWAITING_REPLY = "awaiting-reply"
    REPLIED = "replied"
    MEETING_SCHEDULED = "meeting-scheduled"
    MEETING_CANCELLED = "meeting-cancelled"
    MET = "met"
    THANKED = "thanked"
    IN_TOUCH = "in-touch"
    QUIET = "quiet"
    CLOSED = "closed"
    BLOCKED = "blocked"


class EventKind(enum.StrEnum):
    """Something recorded on a thread: logged by the user, or read from the mailbox by sync."""

    REPLIED = "replied"
    SCHEDULED = "scheduled"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"
    MET = "met"
    NOTE = "note"
    REFERRAL = "referral"
    CLOSED = "closed"
    AUTO_REPLY = "auto-reply"
    BOUNCED = "bounced"
    DELAYED = "delayed"
    COMPLAINED = "complained"
    QUESTION = "question"
    READDRESSED = "readdressed"


# The events that set, move or cancel a meeting (the agenda's meetings read only threads with one).
MEETING_EVENTS = (EventKind.SCHEDULED.value, EventKind.RESCHEDULED.value, EventKind.CANCELLED.value)


class Status(enum.StrEnum):
    """Where a message stands in the send journal."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DEFERRED = "deferred"
    UNKNOWN = "unknown"
    WRITTEN = "written"
