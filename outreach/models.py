"""Plain data passed between the layers: contacts, templates, drafts and send outcomes. No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .kinds import EventKind, Status, TemplateKind, ThreadState
from .record import field, record

__all__ = [
    "BatchOptions",
    "Contact",
    "ContactRecord",
    "Draft",
    "Envelope",
    "EventKind",
    "Outcome",
    "Recipient",
    "Sender",
    "Status",
    "TemplateInfo",
    "TemplateKind",
    "ThreadState",
]


@record
class Sender:
    """Who the messages come from, as set in the ``[sender]`` table of the config."""

    name: str
    email: str
    fields: Mapping[str, str] = field(default_factory=dict)


@record
class Contact:
    """A person to write to. ``fields`` holds any other data (columns, ``--var`` values)."""

    email: str
    name: str = ""
    company: str = ""
    position: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)
    referrer: str = ""
    may_use_referrer_name: bool = False

    @property
    def first_name(self) -> str:
        """The given name, without a title: "Dr. Ana de la Cruz" gives "Ana" (empty when unknown)."""
        from .names import first_name

        return first_name(self.name)

    @property
    def last_name(self) -> str:
        """The family name with its particles: "Dr. Ana de la Cruz" gives "de la Cruz"."""
        from .names import last_name

        return last_name(self.name)


@record
class ContactRecord:
    """A contact as the contact book keeps it: its id, everything imported or edited, and its tags."""

    id: int
    email: str
    name: str
    company: str = ""
    position: str = ""
    linkedin_url: str = ""
    connected_on: str = ""
    notes: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    referred_by: int | None = None
    referrer_name: str = ""
    referrer_email: str = ""
    may_use_name: bool = False
    removed: bool = False

    def as_contact(self) -> Contact:
        """The :class:`Contact` a template sees: the referrer only with permission to use the name."""
        return Contact(
            email=self.email, name=self.name, company=self.company, position=self.position,
            fields=dict(self.fields), referrer=self.referrer_name, may_use_referrer_name=self.may_use_name,
        )

    def as_json(self) -> dict[str, object]:
        """A JSON-ready dict, the shape ``--json`` prints."""
        return {
            "id": self.id, "email": self.email, "name": self.name, "company": self.company,
            "position": self.position, "linkedin_url": self.linkedin_url, "connected_on": self.connected_on,
            "notes": self.notes, "fields": dict(self.fields), "tags": list(self.tags),
            "referred_by": self.referrer_email or None, "may_use_name": self.may_use_name, "removed": self.removed,
        }


@record
class TemplateInfo:
    """A template's metadata, readable without rendering it."""

    name: str
    kind: str
    description: str
    reply: bool
    followup_days: int | None
    path: Path
    source: str
    max_words: int | None = None


@record
class Draft:
    """A rendered message, not yet turned into MIME: what the template produced for one contact."""

    template: str
    to: Contact
    subject: str
    html: str
    text: str
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    attachments: tuple[Path, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)


@record
class Recipient:
    """One message to make: a contact, its own variables, and where it came from (for errors)."""

    contact: Contact
    variables: Mapping[str, str] = field(default_factory=dict)
    where: str = ""
    key: str | None = None
    thread_id: str | None = None


@record
class BatchOptions:
    """How a batch is checked and built, the same for every message of it."""

    attachments: tuple[Path, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    again: bool = False
    typo_check: bool = True
    check_deliverability: bool = False


@record
class Envelope:
    """What the SMTP transaction needs besides the bytes: sender, recipients, SMTPUTF8 or not."""

    sender: str
    recipients: tuple[str, ...]
    smtputf8: bool = False


@record
class Outcome:
    """What happened to one message of a batch; ``earlier`` is true when a previous run decided it."""

    key: str
    to: str
    message_id: str
    status: Status
    reply: str = ""
    earlier: bool = False
    path: Path | None = None
    refused: Mapping[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        """A JSON-ready dict, the shape ``--json`` prints for each message."""
        return {
            "key": self.key,
            "to": self.to,
            "message_id": self.message_id,
            "status": self.status.value,
            "reply": self.reply,
            "earlier": self.earlier,
            "path": str(self.path) if self.path else None,
            "refused": dict(self.refused),
        }
