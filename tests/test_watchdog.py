"""The deadline thread of an SMTP connection: fires for the message armed, never for one disarmed in time."""

from __future__ import annotations

import threading
import time

from outreach.transports.watchdog import Watchdog


def _watchdog() -> tuple[Watchdog, list[threading.Event]]:
    fired: list[threading.Event] = []

    def expire(token: threading.Event) -> None:
        fired.append(token)
        token.set()

    return Watchdog(expire), fired


def test_a_shorter_deadline_armed_after_a_long_one_still_fires_on_time() -> None:
    dog, fired = _watchdog()
    long, short = threading.Event(), threading.Event()
    dog.arm(3600, long)
    dog.disarm()
    started = time.monotonic()
    dog.arm(0.05, short)
    try:
        assert short.wait(5)
        assert time.monotonic() - started < 2
        assert fired == [short]
    finally:
        dog.stop()


def test_messages_disarmed_in_time_never_fire_and_the_next_one_does() -> None:
    dog, fired = _watchdog()
    done = [threading.Event() for _ in range(200)]
    try:
        for token in done:
            dog.arm(0.3, token)
            dog.disarm()
        last = threading.Event()
        dog.arm(0.3, last)
        assert last.wait(5)
        assert fired == [last]
    finally:
        dog.stop()


def test_rearmed_after_the_thread_slept_past_an_old_deadline() -> None:
    dog, fired = _watchdog()
    first, second = threading.Event(), threading.Event()
    try:
        dog.arm(0.05, first)
        assert first.wait(5)
        dog.arm(0.05, second)
        assert second.wait(5)
        assert fired == [first, second]
    finally:
        dog.stop()


def test_stop_ends_the_thread_and_a_later_arm_starts_another() -> None:
    dog, fired = _watchdog()
    dog.arm(3600, threading.Event())
    dog.stop()
    token = threading.Event()
    dog.arm(0.05, token)
    try:
        assert token.wait(5) and fired == [token]
    finally:
        dog.stop()
