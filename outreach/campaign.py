"""The send pipeline: validate a whole batch, journal it, send it, record every outcome."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from email.utils import make_msgid
from pathlib import Path

from .addresses import validate_address
from .errors import (
    AddressError,
    AttachmentError,
    ConnectError,
    HeaderError,
    PermanentError,
    Problem,
    TemplateError,
    TransientError,
    TransportError,
    UnknownOutcomeError,
    ValidationError,
)
from .message import build_message, reply_subject, serialize
from .models import Contact, Outcome, Sender, Status
from .render import Renderer
from .store import JournalEntry, Store
from .threads import Threads
from .typos import suggest_domain
from .transports.base import Transport

__all__ = ["Recipient", "Summary", "prepare_batch", "send_batch"]

DEFAULT_RETRY_DELAYS: tuple[float, ...] = (2.0, 10.0)
_SENDABLE = (Status.QUEUED, Status.DEFERRED)


@dataclass(frozen=True)
class Recipient:
    """One message to make: a contact, its own variables, and where it came from (for errors)."""

    contact: Contact
    variables: Mapping[str, str] = field(default_factory=dict)
    where: str = ""
    key: str | None = None


@dataclass
class Summary:
    """What a batch did: one outcome per message, and whether Ctrl-C stopped it early."""

    outcomes: list[Outcome] = field(default_factory=list)
    interrupted: bool = False
    recovered: list[JournalEntry] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        """How many messages ended in each status (``earlier`` ones counted apart)."""
        return Counter("earlier" if o.earlier else o.status.value for o in self.outcomes)

    @property
    def ok(self) -> bool:
        """True when every message was sent or written (now or by an earlier run) and nothing is pending."""
        return not self.interrupted and all(o.status in (Status.SENT, Status.WRITTEN) for o in self.outcomes)


def _key(recipient: Recipient, template: str, contact: str, thread_id: str | None, reply: bool,
         now: datetime, again: bool) -> str:
    if recipient.key:
        return recipient.key
    if again:
        return f"{template}:{contact}:{uuid.uuid4().hex}"
    if not reply:
        return f"{template}:{contact}"
    return f"{template}:{contact}:{thread_id or 'new'}:{now.date().isoformat()}"


def prepare_batch(
    template: str,
    recipients: Iterable[Recipient],
    *,
    sender: Sender,
    renderer: Renderer,
    attachments: Sequence[Path] = (),
    store: Store | None = None,
    check_deliverability: bool = False,
    headers: Mapping[str, str] | None = None,
    again: bool = False,
    now: datetime | None = None,
    is_blocked: Callable[[str], str | None] | None = None,
    typo_check: bool = True,
) -> list[JournalEntry]:
    """Render and check every message of a batch; raise :class:`ValidationError` listing all problems.

    Nothing is written or sent here. ``typo_check`` refuses likely misspelt domains
    (``gmial.com``, ``.con``). Reply templates thread under the contact's latest thread
    in ``store`` (In-Reply-To, References, ``Re:`` subject).
    """
    now = now or datetime.now(timezone.utc)
    problems: list[Problem] = []
    entries: list[JournalEntry] = []
    seen: dict[str, str] = {}
    batch = uuid.uuid4().hex
    try:
        info = renderer.template(template).info
    except TemplateError as exc:
        raise ValidationError([Problem("template", str(exc))]) from exc
    usable: list[Path] = []
    for path in map(Path, attachments):
        if path.is_file():
            usable.append(path)
        else:
            problems.append(Problem("attachment", f"{path} does not exist or is not a file"))
    try:
        domain = validate_address(sender.email).envelope.rpartition("@")[2]
    except AddressError as exc:
        raise ValidationError([Problem("sender", f"the sender address in the config: {exc}")]) from exc
    recipients = list(recipients)
    if not recipients:
        problems.append(Problem("batch", "no recipients given"))
    for index, recipient in enumerate(recipients, start=1):
        where = recipient.where or f"recipient {index}"
        try:
            address = validate_address(recipient.contact.email, check_deliverability=check_deliverability)
        except AddressError as exc:
            problems.append(Problem(where, str(exc)))
            continue
        local, _, domain_part = address.normalized.rpartition("@")
        suggestion = suggest_domain(domain_part) if typo_check else None
        if suggestion:
            problems.append(Problem(where, f"{address.normalized}: did you mean {local}@{suggestion}?"
                                           " (if the address is right, send with --no-typo-check)"))
            continue
        contact_key = address.key
        if contact_key in seen:
            problems.append(Problem(where, f"{address.normalized} is already in this batch ({seen[contact_key]})"))
            continue
        seen[contact_key] = where
        reason = is_blocked(contact_key) if is_blocked else None
        if reason:
            problems.append(Problem(where, reason))
            continue
        try:
            draft = renderer.render(template, recipient.contact, sender, recipient.variables)
            thread = Threads(store).ref(contact_key) if (store is not None and info.reply) else None
            message_id = make_msgid(domain=domain)
            draft = replace(draft, attachments=tuple(usable), headers=dict(headers or {}))
            if thread is not None and thread.message_ids:
                draft = replace(
                    draft,
                    subject=reply_subject(thread.subject),
                    in_reply_to=thread.message_ids[-1],
                    references=thread.message_ids,
                )
            msg = build_message(draft, sender, message_id=message_id, now=now,
                                check_deliverability=check_deliverability)
            data, envelope = serialize(msg, where=where)
        except (TemplateError, AddressError, HeaderError, AttachmentError) as exc:
            problems.append(Problem(where, str(exc)))
            continue
        thread_id = thread.thread_id if thread is not None else message_id
        entries.append(
            JournalEntry(
                key=_key(recipient, template, contact_key, thread.thread_id if thread else None, info.reply, now, again),
                batch=batch,
                message_id=message_id,
                thread_id=thread_id,
                contact=contact_key,
                template=template,
                subject=draft.subject,
                envelope=envelope,
                data=data,
                status=Status.QUEUED,
                kind=info.kind,
                followup_days=info.followup_days,
            )
        )
    if problems:
        raise ValidationError(problems)
    return entries


class _Pacer:
    """Spaces sends ``60 / rate`` seconds apart without busy-waiting; wakes early on stop."""

    def __init__(self, rate_per_minute: float, stop: threading.Event) -> None:
        self.interval = 60.0 / rate_per_minute if rate_per_minute > 0 else 0.0
        self.stop = stop
        self.next_at = time.monotonic()

    def wait(self) -> bool:
        delay = self.next_at - time.monotonic()
        if delay > 0 and self.stop.wait(delay):
            return False
        self.next_at = max(self.next_at, time.monotonic()) + self.interval
        return not self.stop.is_set()


def _outcome(entry: JournalEntry, status: Status, reply: str = "", *, earlier: bool = False,
             path: Path | None = None, refused: Mapping[str, str] | None = None) -> Outcome:
    return Outcome(key=entry.key, to=entry.contact, message_id=entry.message_id, status=status, reply=reply,
                   earlier=earlier, path=path, refused=dict(refused or {}))


def send_batch(
    entries: Sequence[JournalEntry],
    transport: Transport,
    store: Store | None = None,
    *,
    rate_per_minute: float = 0.0,
    retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
    stop: threading.Event | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> Summary:
    """Send prepared messages through ``transport``, journaling each step in ``store``.

    With a journaling transport and a store, every message is recorded ``queued`` before the
    first is sent, ``sending`` before its data goes out, then its outcome. Keys already in the
    journal are not sent again (queued and deferred ones are, with their original bytes).
    Raises :class:`AuthError` or another :class:`TransportError` when the batch cannot go on;
    what was decided until then is in the journal.
    """
    stop = stop or threading.Event()
    summary = Summary()
    report = on_outcome or (lambda _o: None)
    journaled = transport.journaled and store is not None
    if journaled:
        assert store is not None
        summary.recovered = store.recover()
        stored = store.journal(entries)
    else:
        stored = list(entries)
    todo: list[JournalEntry] = []
    for entry in stored:
        if entry.status in _SENDABLE:
            todo.append(entry)
        else:
            outcome = _outcome(entry, entry.status, entry.reply or f"{entry.status} by an earlier run", earlier=True)
            summary.outcomes.append(outcome)
            report(outcome)
    if not todo:
        return summary
    pacer = _Pacer(rate_per_minute, stop)
    with transport:
        for entry in todo:
            if not pacer.wait():
                summary.interrupted = True
                break
            outcome = _send_one(entry, transport, store if journaled else None, retry_delays, stop)
            summary.outcomes.append(outcome)
            report(outcome)
    if summary.interrupted:
        done = {o.key for o in summary.outcomes}
        for entry in todo:
            if entry.key not in done:
                summary.outcomes.append(_outcome(entry, Status.QUEUED, "not sent: interrupted"))
    return summary


def _send_one(entry: JournalEntry, transport: Transport, store: Store | None,
              retry_delays: Sequence[float], stop: threading.Event) -> Outcome:
    def record(status: Status, reply: str = "", refused: Mapping[str, str] | None = None) -> None:
        if store is not None:
            store.mark(entry.key, status, reply, dict(refused or {}))

    attempt = 0
    while True:
        if store is not None:
            store.mark_sending(entry.key)
        try:
            delivery = transport.send(entry.data, entry.envelope)
        except UnknownOutcomeError as exc:
            record(Status.UNKNOWN, str(exc))
            return _outcome(entry, Status.UNKNOWN, str(exc))
        except PermanentError as exc:
            record(Status.FAILED, exc.reply or str(exc))
            return _outcome(entry, Status.FAILED, exc.reply or str(exc))
        except TransientError as exc:
            if attempt < len(retry_delays) and not stop.wait(retry_delays[attempt]):
                attempt += 1
                record(Status.QUEUED, exc.reply or str(exc))
                continue
            record(Status.DEFERRED, exc.reply or str(exc))
            if isinstance(exc, ConnectError):
                raise
            return _outcome(entry, Status.DEFERRED, exc.reply or str(exc))
        except TransportError:
            record(Status.QUEUED, "not sent: the batch stopped")
            raise
        except BaseException:
            record(Status.UNKNOWN if transport.may_have_delivered() else Status.QUEUED, "interrupted")
            raise
        status = Status.SENT if transport.journaled else Status.WRITTEN
        record(status, delivery.reply, delivery.refused)
        return _outcome(entry, status, delivery.reply, path=delivery.path, refused=delivery.refused)
