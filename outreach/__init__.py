"""outreach: networking emails for job seekers, rendered from templates, sent safely, threaded.

The public API is re-exported here; every submodule loads on first use, so that the command line
starts fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from .models import Contact, ContactRecord, Draft, Envelope, Outcome, Sender, Status, TemplateInfo
    from .compose.addresses import Address, validate_address
    from .send import Summary, send_batch
    from .prepare import Recipient, prepare_batch, queue_batch
    from .config import Config, SmtpConfig, load_config
    from .book.contacts import ContactBook, ImportReport
    from .compose.message import build_message, serialize
    from .compose.plaintext import html_to_text
    from .compose.render import Renderer, list_templates
    from .store.db import Store
    from .targets import Events, Report, Targets, report
    from .transports import MemoryTransport, OutboxTransport, SmtpTransport, Transport

__version__ = "0.1.0"

_ERRORS = ("AddressError", "AttachmentError", "AuthError", "ConfigError", "ConnectError", "ContactError",
           "CredentialsError", "HeaderError", "ImportFormatError", "OutreachError", "PermanentError", "Problem",
           "StoreError", "TargetError", "TemplateError", "TransientError", "TransportError", "UnknownOutcomeError",
           "ValidationError")
_MODELS = ("Contact", "ContactRecord", "Draft", "Outcome", "Sender", "Status", "TemplateInfo")

_LAZY = {
    **dict.fromkeys(_ERRORS, "errors"),
    **dict.fromkeys(_MODELS, "models"),
    "Address": "compose.addresses",
    "validate_address": "compose.addresses",
    "Recipient": "prepare",
    "Summary": "send",
    "prepare_batch": "prepare",
    "queue_batch": "prepare",
    "send_batch": "send",
    "Config": "config",
    "SmtpConfig": "config",
    "load_config": "config",
    "ContactBook": "book.contacts",
    "ImportReport": "book.contacts",
    "Envelope": "models",
    "build_message": "compose.message",
    "serialize": "compose.message",
    "html_to_text": "compose.plaintext",
    "Renderer": "compose.render",
    "list_templates": "compose.render",
    "Store": "store.db",
    "Events": "targets",
    "Report": "targets",
    "Targets": "targets",
    "report": "targets",
    "MemoryTransport": "transports",
    "OutboxTransport": "transports",
    "SmtpTransport": "transports",
    "Transport": "transports",
}

__all__ = [
    "AddressError",
    "Address",
    "AttachmentError",
    "AuthError",
    "Config",
    "ConfigError",
    "ConnectError",
    "Contact",
    "ContactBook",
    "ContactError",
    "ContactRecord",
    "Events",
    "CredentialsError",
    "Draft",
    "Envelope",
    "HeaderError",
    "ImportFormatError",
    "ImportReport",
    "MemoryTransport",
    "Outcome",
    "OutboxTransport",
    "OutreachError",
    "PermanentError",
    "Problem",
    "Recipient",
    "Renderer",
    "Report",
    "Sender",
    "SmtpConfig",
    "SmtpTransport",
    "Status",
    "Store",
    "StoreError",
    "Summary",
    "TargetError",
    "Targets",
    "TemplateError",
    "TemplateInfo",
    "TransientError",
    "Transport",
    "TransportError",
    "UnknownOutcomeError",
    "ValidationError",
    "build_message",
    "html_to_text",
    "list_templates",
    "load_config",
    "prepare_batch",
    "queue_batch",
    "report",
    "send_batch",
    "serialize",
    "validate_address",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'outreach' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
