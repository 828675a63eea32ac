"""One thread that enforces the deadline of whatever a transport is sending, armed and disarmed per message.

A ``threading.Timer`` per message starts (and waits for) a new thread each time: about a
millisecond, as much as sending the message itself to a server on the same machine. Nor is the
thread woken per message: it sleeps until the deadline it last saw, and only when that one has
passed does it look at the current one (deadlines are all alike, so a later arm never needs it sooner).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["Watchdog"]


class Watchdog:
    """Calls ``on_expire(token)`` when an armed deadline passes before :meth:`disarm`; one thread, started lazily."""

    def __init__(self, on_expire: Callable[[threading.Event], None]) -> None:
        self._on_expire = on_expire
        self._cond = threading.Condition()
        self._deadline: float | None = None
        self._token: threading.Event | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._wakes_at: float | None = None  # when the thread will look again; None: only when notified

    def arm(self, seconds: float, token: threading.Event) -> None:
        """Start the clock: ``on_expire(token)`` runs in ``seconds`` unless disarmed first."""
        with self._cond:
            self._deadline = deadline = time.monotonic() + seconds
            self._token = token
            self._stopping = False
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="outreach-smtp-deadline", daemon=True)
                self._thread.start()
            elif self._wakes_at is None or self._wakes_at > deadline:
                self._cond.notify()

    def disarm(self) -> None:
        """Stop the clock of the message that just finished."""
        with self._cond:
            self._deadline = None
            self._token = None

    def stop(self) -> None:
        """Let the thread end (a later :meth:`arm` starts a new one)."""
        with self._cond:
            self._deadline = None
            self._token = None
            self._stopping = True
            self._wakes_at = None
            self._cond.notify()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _run(self) -> None:
        with self._cond:
            while not self._stopping:
                if self._deadline is None:
                    self._wakes_at = None
                    self._cond.wait()
                    continue
                left = self._deadline - time.monotonic()
                if left > 0:
                    self._wakes_at = self._deadline
                    self._cond.wait(left)
                    continue
                token, self._deadline, self._token = self._token, None, None
                if token is not None:
                    self._on_expire(token)
