"""outreach: networking emails for job seekers, rendered from templates, sent safely, threaded.

Start with :class:`Outreach`, the one object a script or another career tool needs. Every name
here loads its module on first use, so that the command line starts fast.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: importing typing costs the fast `outreach --help` (cli/fast.py) time

if TYPE_CHECKING:
    from typing import Any

    from .errors import (
        AddressError,
        AttachmentError,
        AuthError,
        ConfigError,
        ConnectError,
        ContactError,
        CredentialsError,
        HeaderError,
        ImportFormatError,
        OutreachError,
        PermanentError,
        Problem,
        StoreError,
        TargetError,
        TemplateError,
        TransientError,
        TransportError,
        UnknownOutcomeError,
        ValidationError,
    )
    from .models import (
        BatchOptions,
        Contact,
        ContactRecord,
        Draft,
        Envelope,
        EventKind,
        Outcome,
        Recipient,
        Sender,
        Status,
        TemplateInfo,
        TemplateKind,
        ThreadState,
    )
    from .service import Batch, Outreach, ThreadSummary
    from .clock import Clock, system_clock
    from .compose.addresses import Address, validate_address
    from .compose.message import build_message, serialize
    from .compose.plaintext import html_to_text
    from .compose.render import Renderer
    from .compose.templatefiles import list_templates
    from .prepare import Preview, prepare_batch, preview_message, queue_batch
    from .send import Summary, send_batch
    from .config import Config, ImapConfig, SmtpConfig, load_config
    from .book.contacts import ContactBook, ImportReport
    from .book.people import People, Person, UnknownPersonError
    from .lifecycle.threads import Event, MessageView, ThreadView, Threads
    from .lifecycle.followups import DueItem, Meeting, Policy, due_items, thread_state
    from .lifecycle.agenda import agenda, due_recipients
    from .mailbox.imap import Mailbox, mailbox_from_config
    from .mailbox.sync import SyncItem, SyncReport, sync_mailbox
    from .mailbox.sentcopies import SentCopies
    from .store.db import JournalEntry, Store
    from .targets import Events, Report, Targets, report
    from .transports import Delivery, MemoryTransport, OutboxTransport, SmtpTransport, Transport
    from .transports.factory import transport_from_config

__version__ = "0.1.0"

_LAZY = {
    "AddressError": "errors",
    "AttachmentError": "errors",
    "AuthError": "errors",
    "ConfigError": "errors",
    "ConnectError": "errors",
    "ContactError": "errors",
    "CredentialsError": "errors",
    "HeaderError": "errors",
    "ImportFormatError": "errors",
    "OutreachError": "errors",
    "PermanentError": "errors",
    "Problem": "errors",
    "StoreError": "errors",
    "TargetError": "errors",
    "TemplateError": "errors",
    "TransientError": "errors",
    "TransportError": "errors",
    "UnknownOutcomeError": "errors",
    "ValidationError": "errors",
    "BatchOptions": "models",
    "Contact": "models",
    "ContactRecord": "models",
    "Draft": "models",
    "Envelope": "models",
    "EventKind": "models",
    "Outcome": "models",
    "Recipient": "models",
    "Sender": "models",
    "Status": "models",
    "TemplateInfo": "models",
    "TemplateKind": "models",
    "ThreadState": "models",
    "Batch": "service",
    "Outreach": "service",
    "ThreadSummary": "service",
    "Clock": "clock",
    "system_clock": "clock",
    "Address": "compose.addresses",
    "validate_address": "compose.addresses",
    "build_message": "compose.message",
    "serialize": "compose.message",
    "html_to_text": "compose.plaintext",
    "Renderer": "compose.render",
    "list_templates": "compose.templatefiles",
    "Preview": "prepare",
    "prepare_batch": "prepare",
    "preview_message": "prepare",
    "queue_batch": "prepare",
    "Summary": "send",
    "send_batch": "send",
    "Config": "config",
    "ImapConfig": "config",
    "SmtpConfig": "config",
    "load_config": "config",
    "ContactBook": "book.contacts",
    "ImportReport": "book.contacts",
    "People": "book.people",
    "Person": "book.people",
    "UnknownPersonError": "book.people",
    "Event": "lifecycle.threads",
    "MessageView": "lifecycle.threads",
    "ThreadView": "lifecycle.threads",
    "Threads": "lifecycle.threads",
    "DueItem": "lifecycle.followups",
    "Meeting": "lifecycle.followups",
    "Policy": "lifecycle.followups",
    "due_items": "lifecycle.followups",
    "thread_state": "lifecycle.followups",
    "agenda": "lifecycle.agenda",
    "due_recipients": "lifecycle.agenda",
    "Mailbox": "mailbox.imap",
    "mailbox_from_config": "mailbox.imap",
    "SyncItem": "mailbox.sync",
    "SyncReport": "mailbox.sync",
    "sync_mailbox": "mailbox.sync",
    "SentCopies": "mailbox.sentcopies",
    "JournalEntry": "store.db",
    "Store": "store.db",
    "Events": "targets",
    "Report": "targets",
    "Targets": "targets",
    "report": "targets",
    "Delivery": "transports",
    "MemoryTransport": "transports",
    "OutboxTransport": "transports",
    "SmtpTransport": "transports",
    "Transport": "transports",
    "transport_from_config": "transports.factory",
}

__all__ = [
    "Address",
    "AddressError",
    "AttachmentError",
    "AuthError",
    "Batch",
    "BatchOptions",
    "Clock",
    "Config",
    "ConfigError",
    "ConnectError",
    "Contact",
    "ContactBook",
    "ContactError",
    "ContactRecord",
    "CredentialsError",
    "Delivery",
    "Draft",
    "DueItem",
    "Envelope",
    "Event",
    "EventKind",
    "Events",
    "HeaderError",
    "ImapConfig",
    "ImportFormatError",
    "ImportReport",
    "JournalEntry",
    "Mailbox",
    "Meeting",
    "MemoryTransport",
    "MessageView",
    "OutboxTransport",
    "Outcome",
    "Outreach",
    "OutreachError",
    "People",
    "PermanentError",
    "Person",
    "Policy",
    "Preview",
    "Problem",
    "Recipient",
    "Renderer",
    "Report",
    "Sender",
    "SentCopies",
    "SmtpConfig",
    "SmtpTransport",
    "Status",
    "Store",
    "StoreError",
    "Summary",
    "SyncItem",
    "SyncReport",
    "TargetError",
    "Targets",
    "TemplateError",
    "TemplateInfo",
    "TemplateKind",
    "ThreadState",
    "ThreadSummary",
    "ThreadView",
    "Threads",
    "TransientError",
    "Transport",
    "TransportError",
    "UnknownOutcomeError",
    "UnknownPersonError",
    "ValidationError",
    "agenda",
    "build_message",
    "due_items",
    "due_recipients",
    "html_to_text",
    "list_templates",
    "load_config",
    "mailbox_from_config",
    "prepare_batch",
    "preview_message",
    "queue_batch",
    "report",
    "send_batch",
    "serialize",
    "sync_mailbox",
    "system_clock",
    "thread_state",
    "transport_from_config",
    "validate_address",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'outreach' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
