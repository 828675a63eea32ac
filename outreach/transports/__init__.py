"""Transports send serialised messages: SMTP for real, the outbox for dry runs, memory for tests."""

from __future__ import annotations

from .base import Delivery, Transport
from .file import OutboxTransport
from .memory import MemoryTransport

__all__ = ["Delivery", "MemoryTransport", "OutboxTransport", "SmtpTransport", "Transport"]


def __getattr__(name: str) -> object:
    if name == "SmtpTransport":
        from .smtp import SmtpTransport

        return SmtpTransport
    raise AttributeError(name)
