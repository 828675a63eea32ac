"""The dry-run transport: each message becomes an ``.eml`` file in the outbox folder."""

from __future__ import annotations

import os
import threading
import re
from datetime import datetime, timezone
from pathlib import Path

from ..errors import TransientError
from ..models import Envelope
from ..private import private_dir, write_private
from .base import Delivery, Transport

__all__ = ["OutboxTransport"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")


class OutboxTransport(Transport):
    """Writes ``YYYYMMDDTHHMMSS.ffffffZ-NNNN-recipient.eml`` files, so a listing sorts by time."""

    journaled = False

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._count = 0
        self._lock = threading.Lock()

    def clone(self) -> OutboxTransport:
        """The same outbox serves every connection; file names stay unique."""
        return self

    def open(self) -> None:
        try:
            private_dir(self.folder)
        except OSError as exc:
            raise TransientError(f"cannot create outbox folder {self.folder}: {exc.strerror or exc}") from exc

    def send(self, data: bytes, envelope: Envelope) -> Delivery:
        with self._lock:
            self._count += 1
            count = self._count
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        who = _UNSAFE.sub("_", envelope.recipients[0] if envelope.recipients else "message")[:60]
        path = self.folder / f"{stamp}-{count:04d}-{who}.eml"
        tmp = path.with_suffix(".tmp")
        try:
            write_private(tmp, data)
            os.replace(tmp, path)
        except OSError as exc:
            raise TransientError(f"cannot write {path}: {exc.strerror or exc}") from exc
        return Delivery(reply=f"written to {path}", path=path)
