"""The transport contract: a context manager that opens once per batch and sends bytes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType

from ..models import Envelope
from ..record import field, record

__all__ = ["Delivery", "Transport"]


@record
class Delivery:
    """What the transport knows after a message was accepted."""

    reply: str = ""
    refused: Mapping[str, str] = field(default_factory=dict)
    path: Path | None = None


class Transport:
    """Base class: ``open`` before the first message, ``send`` each, ``close`` at the end.

    ``journaled`` says whether messages sent through it are real sends that the journal records
    (False for the dry-run outbox). ``may_have_delivered`` tells, after an interrupted ``send``,
    whether the server may have received the message.
    """

    journaled: bool = True

    def open(self) -> None:
        """Connect (or prepare); called once per batch."""

    def send(self, data: bytes, envelope: Envelope) -> Delivery:
        """Deliver one serialised message; raise a TransportError subclass when it is not accepted."""
        raise NotImplementedError

    def send_claimed(self, data: bytes, envelope: Envelope, claim: Callable[[], bool],
                     meanwhile: Callable[[], None] | None = None) -> Delivery | None:
        """Send once ``claim()`` (the journal's claim of the message) is won; None, nothing sent, when it is lost.

        ``claim`` is called exactly once before any ``TransportError`` is raised and before any of the
        message's data can go out; a transport may start the mail transaction (an SMTP envelope)
        first, so that the claim is written while the server answers. Any other exception may come
        before ``claim`` was called. ``meanwhile``, if given, is called at most once, after the claim
        was won, while the server is working on the message (a transport without such a wait calls
        it after sending); it must not raise.
        """
        if not claim():
            return None
        delivery = self.send(data, envelope)
        if meanwhile is not None:
            meanwhile()
        return delivery

    def close(self) -> None:
        """Disconnect; safe to call twice."""

    def clone(self) -> Transport:
        """Another transport like this one, for sending over several connections at once."""
        raise NotImplementedError(f"{type(self).__name__} cannot open more connections")

    def may_have_delivered(self) -> bool:
        """True if the last ``send`` got as far as handing over the whole message."""
        return False

    def __enter__(self) -> Transport:
        self.open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
