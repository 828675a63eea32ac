"""A transport that keeps messages in a list: for scripts that want to inspect before sending."""

from __future__ import annotations

from ..models import Envelope
from .base import Delivery, Transport

__all__ = ["MemoryTransport"]


class MemoryTransport(Transport):
    """Collects ``(bytes, envelope)`` pairs in ``sent``; accepts everything."""

    journaled = True

    def __init__(self) -> None:
        self.sent: list[tuple[bytes, Envelope]] = []

    def clone(self) -> MemoryTransport:
        """The same list serves every connection (appending is atomic)."""
        return self

    def send(self, data: bytes, envelope: Envelope) -> Delivery:
        self.sent.append((data, envelope))
        return Delivery(reply="250 kept in memory")
