"""A batch sent with ``keep_outcomes=False`` (the command line's) counts what a batch keeping its outcomes lists."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from smtp_server import Sink

from outreach import Contact, MemoryTransport, Recipient, Renderer, Sender, Status, Store, queue_batch, send_batch
from outreach.models import Outcome
from outreach.send import Summary
from outreach.transports.smtp import SmtpTransport

SENDER = Sender("Sam Rivera", "sam@example.edu")


def _batch(store: Store, *addresses: str) -> list[str]:
    people = [Recipient(Contact(email=a, name="Ada Lovelace"), {"topic": "data"}, where=f"row {i}")
              for i, a in enumerate(addresses, start=2)]
    return queue_batch("intro", people, store=store, sender=SENDER, renderer=Renderer())


def _both(tmp_path: Path, addresses: tuple[str, ...], send: Callable[[list[str], Store, bool], Summary],
          runs: int = 1) -> tuple[Summary, Summary, list[Status], list[Status]]:
    """The last of ``runs`` sends of the same batch on two stores, keeping outcomes and counting them only."""
    results = []
    for keep in (True, False):
        store = Store(tmp_path / f"{keep}.sqlite3")
        keys = _batch(store, *addresses)
        for _ in range(runs):
            summary = send(keys, store, keep)
        results.append((summary, [e.status for e in store.messages()]))
    (kept, kept_journal), (counted, counted_journal) = results
    return kept, counted, kept_journal, counted_journal


def _same(kept: Summary, counted: Summary) -> None:
    assert counted.outcomes == [] and len(kept.outcomes) == kept.total
    assert counted.counts == kept.counts == _recount(kept)
    assert (counted.ok, counted.interrupted, counted.gave_up, counted.total) == (
        kept.ok, kept.interrupted, kept.gave_up, kept.total)


def _recount(summary: Summary) -> Counter[str]:
    """The counts of a summary's listed outcomes, as the summary counted them before it kept counts."""
    return Counter("elsewhere" if o.status is Status.SENDING else "earlier" if o.earlier else o.status.value
                   for o in summary.outcomes)


ADDRESSES = ("ada@example.com", "nouser550@example.com", "bob@example.com", "tempfail451@example.com")


@pytest.mark.parametrize("runs", [1, 2])
def test_sent_failed_deferred_and_earlier_are_counted_alike(tmp_path: Path, plain_server: tuple[Sink, int],
                                                            runs: int) -> None:
    _, port = plain_server

    def send(keys: list[str], store: Store, keep: bool) -> Summary:
        return send_batch(keys, SmtpTransport("127.0.0.1", port, security="none", timeout=5), store,
                          retry_delays=(0.0,), keep_outcomes=keep)

    kept, counted, kept_journal, counted_journal = _both(tmp_path, ADDRESSES, send, runs)
    _same(kept, counted)
    assert kept_journal == counted_journal
    assert not counted.ok
    assert counted.counts == ({"sent": 2, "failed": 1, "deferred": 1} if runs == 1
                              else {"earlier": 3, "deferred": 1})


def test_a_batch_that_gives_up_defers_the_rest_alike(tmp_path: Path, plain_server: tuple[Sink, int]) -> None:
    _, port = plain_server

    def send(keys: list[str], store: Store, keep: bool) -> Summary:
        return send_batch(keys, SmtpTransport("127.0.0.1", port, security="none", timeout=5), store,
                          retry_delays=(0.0,), give_up_after=3, keep_outcomes=keep)

    kept, counted, kept_journal, counted_journal = _both(
        tmp_path, tuple(f"tempfail451+{i}@example.com" for i in range(8)), send)
    _same(kept, counted)
    assert counted.gave_up and counted.counts == {"deferred": 8}
    assert kept_journal == counted_journal == [Status.DEFERRED] * 8


@pytest.mark.parametrize("rate", [0.0, 60.0])
def test_a_stopped_batch_counts_the_rest_as_queued_alike(tmp_path: Path, rate: float) -> None:
    """Stopped in flight, or while waiting for its turn (the message taken is then not sent either)."""

    def send(keys: list[str], store: Store, keep: bool) -> Summary:
        stop = threading.Event()

        class StopAfterTwo(MemoryTransport):
            def send(self, data: bytes, envelope: Any) -> Any:
                if len(self.sent) == 1:
                    stop.set()
                return super().send(data, envelope)

        return send_batch(keys, StopAfterTwo(), store, stop=stop, rate_per_minute=rate, keep_outcomes=keep)

    kept, counted, kept_journal, counted_journal = _both(
        tmp_path, tuple(f"p{i}@example.com" for i in range(5)), send)
    _same(kept, counted)
    assert counted.interrupted and counted.counts == {"sent": 2, "queued": 3}
    assert kept_journal == counted_journal == [Status.SENT] * 2 + [Status.QUEUED] * 3


def test_a_summary_made_from_outcomes_counts_them() -> None:
    def outcome(status: Status, earlier: bool = False) -> Outcome:
        return Outcome(key=f"k{status}", to="ada@example.com", message_id="<m@example.edu>", status=status,
                       earlier=earlier)

    summary = Summary(outcomes=[outcome(Status.SENT), outcome(Status.SENT, True), outcome(Status.FAILED)])
    assert summary.counts == {"sent": 1, "earlier": 1, "failed": 1} and summary.total == 3 and not summary.ok
    assert len(summary.outcomes) == 3
    assert Summary(outcomes=[outcome(Status.WRITTEN)]).ok
