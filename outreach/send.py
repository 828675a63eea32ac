"""Sending a prepared batch: journal each step, pace, retry, and record every outcome."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .config_schema import check_rate
from .errors import ConnectError, PermanentError, TransientError, TransportError, UnknownOutcomeError
from .models import Outcome, Status
from .prepare import Recipient, iter_prepared, prepare_batch, queue_batch
from .store.db import JournalEntry, JournalState, Settled, Store
from .transports.base import Transport

__all__ = ["Recipient", "Summary", "iter_prepared", "prepare_batch", "queue_batch", "send_batch"]

DEFAULT_RETRY_DELAYS: tuple[float, ...] = (2.0, 10.0)
DEFAULT_GIVE_UP_AFTER = 3
CLAIMED_ELSEWHERE = "being sent by another outreach process"
_SENDABLE = (Status.QUEUED, Status.DEFERRED)


@dataclass
class Summary:
    """What a batch did: how many messages ended in each status, each outcome if kept, and whether Ctrl-C stopped it.

    ``outcomes`` lists one outcome per message unless the batch was sent with ``keep_outcomes=False``
    (the command line's summary, which needs only the counts: memory stays flat however large the batch).
    """

    outcomes: list[Outcome] = field(default_factory=list)
    interrupted: bool = False
    recovered: list[JournalEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    gave_up: bool = False
    keep_outcomes: bool = True
    _tally: Counter[str] = field(default_factory=Counter, repr=False)
    _not_done: int = field(default=0, repr=False)  # neither sent nor written

    def __post_init__(self) -> None:
        given, self.outcomes = self.outcomes, []
        for outcome in given:
            self.add(outcome)

    def add(self, outcome: Outcome) -> None:
        """Count ``outcome`` (and keep it, unless the batch keeps counts only)."""
        self._tally["elsewhere" if outcome.status is Status.SENDING else "earlier" if outcome.earlier
                    else outcome.status.value] += 1
        if outcome.status not in (Status.SENT, Status.WRITTEN):
            self._not_done += 1
        if self.keep_outcomes:
            self.outcomes.append(outcome)

    @property
    def total(self) -> int:
        """How many messages have an outcome."""
        return sum(self._tally.values())

    @property
    def counts(self) -> Counter[str]:
        """How many messages ended in each status; ``earlier`` ones and ``elsewhere`` (another run's) apart."""
        return Counter(self._tally)

    @property
    def ok(self) -> bool:
        """True when every message was sent or written (now or by an earlier run) and nothing is pending."""
        return not self.interrupted and not self._not_done


class _Pacer:
    """Spaces sends ``60 / rate`` seconds apart across all connections, sleeping on the stop event."""

    def __init__(self, rate_per_minute: float, stop: threading.Event) -> None:
        self.interval = 60.0 / rate_per_minute if rate_per_minute > 0 else 0.0
        self.stop = stop
        self.next_at = time.monotonic()
        self.lock = threading.Lock()

    def wait(self) -> bool:
        """Wait for this message's turn; False when the batch is being stopped."""
        if self.interval:
            with self.lock:
                slot = max(self.next_at, time.monotonic())
                self.next_at = slot + self.interval
            delay = slot - time.monotonic()
            if delay > 0 and self.stop.wait(delay):
                return False
        return not self.stop.is_set()


def _outcome(key: str, to: str, message_id: str, status: Status, reply: str = "", *, earlier: bool = False,
             path: Path | None = None, refused: Mapping[str, str] | None = None) -> Outcome:
    return Outcome(key=key, to=to, message_id=message_id, status=status, reply=reply, earlier=earlier, path=path,
                   refused=dict(refused or {}))


class _Run:
    """The shared state of one batch being sent over one or more connections."""

    def __init__(self, todo: Sequence[str | JournalEntry], load: Callable[[str | JournalEntry], JournalEntry],
                 store: Store | None, pacer: _Pacer, retry_delays: Sequence[float], summary: Summary,
                 report: Callable[[Outcome], None], give_up_after: int = 0) -> None:
        self.todo = iter(todo)
        self.load = load
        self.store = store
        self.pacer = pacer
        self.retry_delays = retry_delays
        self.summary = summary
        self.report = report
        self.lock = threading.Lock()
        self.errors: list[BaseException] = []
        self.untried: list[str | JournalEntry] = []  # taken, then not sent: the batch was being stopped
        self.give_up_after = give_up_after
        self.deferred_in_row = 0

    def take(self) -> str | JournalEntry | None:
        with self.lock:
            if self.summary.gave_up:
                return None
            return next(self.todo, None)

    def note(self, outcome: Outcome) -> None:
        """Count temporary failures in a row; after ``give_up_after`` of them the batch stops trying."""
        if outcome.status is Status.DEFERRED and not outcome.earlier:
            self.deferred_in_row += 1
            if self.give_up_after and self.deferred_in_row >= self.give_up_after:
                self.summary.gave_up = True
        elif outcome.status is not Status.SENDING:
            self.deferred_in_row = 0

    def work(self, transport: Transport) -> None:
        """Send messages over ``transport`` until none is left or the batch is stopped.

        A message's outcome is recorded with the claim of the next one on this connection (one fsync
        per message), and on its own before any wait, at the end, on error and on Ctrl-C.
        """
        pending = _Pending(self.store)
        ahead = _Ahead(self.take, self.load)
        try:
            with transport:
                while (item := ahead.next()) is not None:
                    if self.summary.gave_up:  # read ahead before the batch gave up: not tried
                        with self.lock:
                            self.untried.append(item)
                        return
                    if self.pacer.interval:
                        pending.flush()
                    if not self.pacer.wait():
                        with self.lock:
                            self.untried.append(item)
                        self.summary.interrupted = True
                        return
                    outcome = _send_one(ahead.entry(item), transport, pending, self.retry_delays, self.pacer.stop,
                                        ahead.fetch)
                    with self.lock:
                        self.summary.add(outcome)
                        self.note(outcome)
                        self.report(outcome)
        finally:
            pending.flush()
            if ahead.taken is not None:  # fetched while the last message was sent, then not sent
                with self.lock:
                    self.untried.append(ahead.taken)

    def work_in_thread(self, transport: Transport) -> None:
        try:
            self.work(transport)
        except BaseException as exc:  # handed to the main thread, which re-raises the first one
            with self.lock:
                self.errors.append(exc)
            self.pacer.stop.set()


def send_batch(
    batch: Sequence[JournalEntry] | Sequence[str],
    transport: Transport,
    store: Store | None = None,
    *,
    rate_per_minute: float = 0.0,
    retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
    stop: threading.Event | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    connections: int = 1,
    give_up_after: int = DEFAULT_GIVE_UP_AFTER,
    keep_outcomes: bool = True,
) -> Summary:
    """Send a batch (entries from :func:`prepare_batch`, or keys from :func:`queue_batch`).

    With a journaling transport and a store, every message is in the journal ``queued`` before the
    first is sent, ``sending`` before its data goes out, then has its outcome. Keys already decided
    by an earlier run are not sent again (queued and deferred ones are, with their original bytes); a
    dry run given the store reports them the same way, so that its summary predicts the real one.
    ``connections`` > 1 sends over that many connections at once, each message still journaled
    exactly. Each message is claimed in the store before it is sent, so two runs on one store never
    both send it; one claimed by another live process is reported as being sent by it. After
    ``give_up_after`` temporary failures in a row (0: never) the rest is left ``deferred`` untried.
    With ``keep_outcomes=False`` the summary counts the outcomes without listing them.
    Raises :class:`AuthError` or another :class:`TransportError` when the batch cannot go
    on; what was decided until then is in the journal.
    """
    if connections < 1:
        raise ValueError("connections must be at least 1")
    problem = check_rate(rate_per_minute)
    if problem:
        raise ValueError(f"rate_per_minute {problem}, not {rate_per_minute!r}")
    stop = stop or threading.Event()
    summary = Summary(keep_outcomes=keep_outcomes)
    report = on_outcome or (lambda _o: None)
    journaled = transport.journaled and store is not None
    todo: list[str | JournalEntry]
    if journaled:
        assert store is not None
        summary.recovered = store.recover()
        in_memory = [item for item in batch if isinstance(item, JournalEntry)]
        if in_memory:
            store.journal(in_memory)
        keys = [item if isinstance(item, str) else item.key for item in batch]
        todo = []
        for start in range(0, len(keys), 500):  # a slice of the states at a time, not the whole batch's
            chunk = keys[start:start + 500]
            states = store.states(chunk)
            for key in chunk:
                state = states[key]
                if state.status in _SENDABLE:
                    todo.append(key)
                    continue
                outcome = _settled(state)
                summary.add(outcome)
                report(outcome)

        def load(item: str | JournalEntry) -> JournalEntry:
            entry = store.get(item if isinstance(item, str) else item.key)
            assert entry is not None
            return entry
    else:
        if any(isinstance(item, str) for item in batch):
            raise ValueError("keys from queue_batch need a store and a journaling transport;"
                             " give prepare_batch's entries to a dry-run transport")
        entries = [item for item in batch if isinstance(item, JournalEntry)]
        if store is not None:  # a dry run reports what the journal already has as a real run would
            settled = {k: s for k, s in store.states([e.key for e in entries]).items() if s.status not in _SENDABLE}
            for entry in entries:
                if entry.key in settled:
                    outcome = _settled(settled[entry.key])
                    summary.add(outcome)
                    report(outcome)
            entries = [e for e in entries if e.key not in settled]
        todo = list(entries)

        def load(item: str | JournalEntry) -> JournalEntry:
            assert isinstance(item, JournalEntry)
            return item
    if not todo:
        return summary
    run = _Run(todo, load, store if journaled else None, _Pacer(rate_per_minute, stop), retry_delays, summary,
               report, give_up_after)
    count = min(connections, len(todo))
    if count == 1:
        run.work(transport)
    else:
        threads = [threading.Thread(target=run.work_in_thread, args=(t,), daemon=True)
                   for t in [transport, *(transport.clone() for _ in range(count - 1))]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if run.errors:
            raise run.errors[0]
    untried = [*run.untried, *run.todo]  # never sent: taken as the batch stopped, and never taken
    if summary.gave_up and store is not None and journaled:
        why = (f"not tried: the server gave {give_up_after} temporary failures in a row;"
               " run the same command later to retry")
        for item in untried:
            entry = load(item)
            if store.defer(entry.key, why):
                outcome = _outcome(entry.key, entry.contact, entry.message_id, Status.DEFERRED, why)
            else:
                outcome = _settled(store.states([entry.key])[entry.key])
            summary.add(outcome)
            report(outcome)
    elif summary.interrupted or stop.is_set():
        summary.interrupted = summary.interrupted or summary.total < len(batch)
        for item in untried:
            entry = load(item)
            summary.add(_outcome(entry.key, entry.contact, entry.message_id, Status.QUEUED, "not sent: interrupted"))
    return summary


def _settled(state: JournalState) -> Outcome:
    """The outcome of a message this run did not send: decided earlier, or being sent by another process."""
    if state.claimed_elsewhere:
        return _outcome(state.key, state.contact, state.message_id, Status.SENDING, CLAIMED_ELSEWHERE, earlier=True)
    return _outcome(state.key, state.contact, state.message_id, state.status,
                    state.reply or f"{state.status} by an earlier run", earlier=True)


class _Ahead:
    """The next message of one connection, taken and read from the store while the server works on this one."""

    def __init__(self, take: Callable[[], str | JournalEntry | None],
                 load: Callable[[str | JournalEntry], JournalEntry]) -> None:
        self.take = take
        self.load = load
        self.taken: str | JournalEntry | None = None
        self.loaded: JournalEntry | None = None
        self.failed: Exception | None = None

    def next(self) -> str | JournalEntry | None:
        """The next item to send: the one fetched ahead, or a new one."""
        if self.taken is None:
            return self.take()
        item, self.taken = self.taken, None
        return item

    def entry(self, item: str | JournalEntry) -> JournalEntry:
        """The journal entry of ``item``: read ahead, or read now (a read that failed ahead raises now)."""
        loaded, failed, self.loaded, self.failed = self.loaded, self.failed, None, None
        if failed is not None:
            raise failed
        return loaded if loaded is not None else self.load(item)

    def fetch(self) -> None:
        """Take and read the next item now; called while the server works on the message in flight."""
        if self.taken is not None or self.loaded is not None or self.failed is not None:
            return
        self.taken = self.take()
        if self.taken is None:
            return
        try:
            self.loaded = self.load(self.taken)
        except Exception as exc:  # raised when that message's turn comes, not into the one in flight
            self.failed = exc


class _Pending:
    """The outcome of the last message one connection sent, not yet in the journal."""

    def __init__(self, store: Store | None) -> None:
        self.store = store
        self.settled: Settled | None = None

    def claim(self, key: str) -> bool:
        """Claim ``key`` in the store, recording the pending outcome in the same transaction."""
        assert self.store is not None
        settled, self.settled = self.settled, None
        return self.store.claim(key, settle=settled)

    def flush(self) -> None:
        """Record the pending outcome now, on its own."""
        settled, self.settled = self.settled, None
        if settled is not None and self.store is not None:
            self.store.mark(settled.key, settled.status, settled.reply, dict(settled.refused or {}))


class _Claim:
    """The claim of one message, for the transport to make before the data goes out; ``won`` says how it went."""

    def __init__(self, pending: _Pending, key: str) -> None:
        self.pending = pending
        self.key = key
        self.won = False

    def __call__(self) -> bool:
        """Claim the message (recording the previous outcome with it); True when this run may send it."""
        self.won = self.pending.claim(self.key) if self.pending.store is not None else True
        return self.won


def _send_one(entry: JournalEntry, transport: Transport, pending: _Pending,
              retry_delays: Sequence[float], stop: threading.Event,
              meanwhile: Callable[[], None] | None = None) -> Outcome:
    store = pending.store

    def record(status: Status, reply: str = "", refused: Mapping[str, str] | None = None) -> None:
        if store is not None:
            store.mark(entry.key, status, reply, dict(refused or {}))

    def outcome(status: Status, reply: str = "", **kw: object) -> Outcome:
        return _outcome(entry.key, entry.contact, entry.message_id, status, reply, **kw)  # type: ignore[arg-type]

    attempt = 0
    while True:
        claim = _Claim(pending, entry.key)
        try:
            delivery = transport.send_claimed(entry.data, entry.envelope, claim, meanwhile)
        except UnknownOutcomeError as exc:
            record(Status.UNKNOWN, str(exc))
            return outcome(Status.UNKNOWN, str(exc))
        except PermanentError as exc:
            record(Status.FAILED, exc.reply or str(exc))
            return outcome(Status.FAILED, exc.reply or str(exc))
        except TransientError as exc:
            if attempt < len(retry_delays) and not stop.wait(retry_delays[attempt]):
                attempt += 1
                record(Status.QUEUED, exc.reply or str(exc))
                continue
            record(Status.DEFERRED, exc.reply or str(exc))
            if isinstance(exc, ConnectError):
                raise
            return outcome(Status.DEFERRED, exc.reply or str(exc))
        except TransportError:
            record(Status.QUEUED, "not sent: the batch stopped")
            raise
        except BaseException:
            if claim.won:
                record(Status.UNKNOWN if transport.may_have_delivered() else Status.QUEUED, "interrupted")
            raise
        if delivery is None:
            assert store is not None
            return _settled(store.states([entry.key])[entry.key])
        status = Status.SENT if transport.journaled else Status.WRITTEN
        if store is not None:
            pending.settled = Settled(entry.key, status, delivery.reply, dict(delivery.refused))
        return outcome(status, delivery.reply, path=delivery.path, refused=delivery.refused)
