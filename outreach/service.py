"""``Outreach``: the one entry point for scripts and other career tools; the CLI goes through it too.

It ties a config, a store, a transport and a clock together and offers what the command line does
(check, send, preview, due, log, threads, landed, sync, targets, events, report) as methods that
return dataclasses and raise ``OutreachError`` subclasses. Hooks (``on_outcome``, ``on_reply``) let a host mirror events.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .clock import Clock, system_clock
from .config import Config, load_config
from .errors import ConfigError, OutreachError, Problem, ValidationError
from .models import BatchOptions, Contact, EventKind, Outcome, Recipient, Sender, TemplateKind, ThreadState
from .record import field, record, replace
from .store.db import Store

if TYPE_CHECKING:
    from .book.contacts import ContactBook
    from .book.people import People, Person
    from .compose.render import Renderer
    from .lifecycle.followups import DueItem, Policy
    from .lifecycle.threads import ThreadView
    from .mailbox.imap import Mailbox
    from .mailbox.sentcopies import SentCopies
    from .mailbox.sync import SyncItem, SyncReport
    from .models import Draft
    from .prepare import Preview
    from .send import Summary
    from .store.db import JournalEntry
    from .targets.events import Events
    from .targets.progress import Report
    from .targets.targets import Targets
    from .transports.base import Transport

__all__ = ["Batch", "Outreach", "ThreadSummary"]

PersonLike = str | int


@record
class Batch:
    """A checked batch: every message rendered and validated, nothing sent; ``entries`` in journal form."""

    template: str
    entries: list[JournalEntry] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.entries)


@record
class ThreadSummary:
    """One conversation with its state as the due rules see it now."""

    view: ThreadView
    state: str


class Outreach:
    """Networking email for a host program: config, store, transport and clock in one object.

    ``config`` is a :class:`Config`, a path to a TOML file, or None for the user's config file.
    ``store`` is a :class:`Store`, a path to a SQLite file (the host's own database is fine: every
    table is prefixed ``outreach_``), or None for the user's data folder. ``transport`` is used for
    real sends when given; otherwise one is built from the config (the keyring holds the password).
    """

    def __init__(self, config: Config | str | os.PathLike[str] | None = None, *,
                 store: Store | str | os.PathLike[str] | None = None, transport: Transport | None = None,
                 clock: Clock | None = None, on_outcome: Callable[[Outcome], None] | None = None,
                 on_reply: Callable[[SyncItem], None] | None = None,
                 password: str | Callable[[], str] | None = None) -> None:
        self.config = config if isinstance(config, Config) else load_config(Path(config) if config else None)
        self.clock: Clock = clock or system_clock
        self._own_store = not isinstance(store, Store)
        if isinstance(store, Store):
            self.store = store
        else:
            self.store = Store(Path(store) if store is not None else self.config.store_path, clock=self.clock)
        self._transport = transport
        self._password = password
        self.on_outcome = on_outcome
        self.on_reply = on_reply

    def __enter__(self) -> Outreach:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the store if this object opened it."""
        if self._own_store:
            self.store.close()

    @cached_property
    def contacts(self) -> ContactBook:
        """The contact book."""
        from .book.contacts import ContactBook

        return ContactBook(self.store)

    @cached_property
    def people(self) -> People:
        """The resolver for "a person": an address in any form, a secondary address, or a contact ID."""
        from .book.people import People

        return People(self.store)

    @cached_property
    def renderer(self) -> Renderer:
        """The template renderer over the configured folders and the built-in templates."""
        from .compose.render import Renderer

        return Renderer(self.config.template_dirs)

    @property
    def sender(self) -> Sender:
        """The configured sender; :class:`ConfigError` when there is none."""
        if self.config.sender is None:
            raise ConfigError("no sender configured", hint='run `outreach init --name "Your Name" --email you@example.com`')
        return self.config.sender

    @property
    def policy(self) -> Policy:
        """The follow-up policy of the config."""
        from .lifecycle.agenda import policy_from

        return policy_from(self.config)

    def transport(self, *, dry_run: bool = False) -> Transport:
        """The transport a send uses: the one given, else built from the config (the outbox for a dry run)."""
        from .transports.factory import transport_from_config

        if self._transport is not None and not dry_run:
            return self._transport
        return transport_from_config(self.config, password=self._password, dry_run=dry_run)

    def person(self, ref: PersonLike, *, new: bool = False) -> Person:
        """Resolve a reference to a person; unknown addresses raise unless ``new``."""
        return self.people.resolve(ref, new=new)

    def recipients(self, items: Iterable[Recipient | Contact | str],
                   variables: Mapping[str, str] | None = None) -> list[Recipient]:
        """Recipients from ``Recipient``s, ``Contact``s or addresses (an address the book knows brings its fields)."""
        return list(self._each_recipient(items, variables))

    def _each_recipient(self, items: Iterable[Recipient | Contact | str],
                        variables: Mapping[str, str] | None) -> Iterable[Recipient]:
        """What :meth:`recipients` gives, made again on each pass when ``items`` can be read again (never all held)."""
        from .passes import Passes, reiterable

        source = reiterable(items)

        def each() -> Iterator[Recipient]:
            for index, item in enumerate(source, start=1):
                if isinstance(item, Recipient):
                    yield replace(item, variables={**item.variables, **(variables or {})}) if variables else item
                    continue
                contact = item if isinstance(item, Contact) else self._contact(item)
                yield Recipient(contact, dict(variables or {}), where=f"recipient {index} ({contact.email})")

        return Passes(each)

    def _contact(self, address: str) -> Contact:
        """What the book knows about ``address``; an address it cannot read is left to batch validation."""
        try:
            person = self.people.resolve(address, new=True)
        except OutreachError:
            return Contact(email=address)
        return person.record.as_contact() if person.record else Contact(email=person.email)

    def check(self, template: str, recipients: Iterable[Recipient | Contact | str], *,
              options: BatchOptions | None = None, variables: Mapping[str, str] | None = None,
              **overrides: Any) -> Batch:
        """Render and validate every message of a batch without writing or sending anything.

        Raises :class:`ValidationError` listing every problem. ``options`` (or keyword overrides of
        its fields) carry attachments, headers, ``again``, ``typo_check`` and ``check_deliverability``.
        """
        from .prepare import prepare_batch

        opts = self._options(options, overrides)
        recipients = self.recipients(recipients, variables)
        warnings: list[Problem] = self._early(template, recipients)
        entries = prepare_batch(template, recipients, sender=self.sender,
                                renderer=self.renderer, store=self.store, options=opts, now=self.clock(),
                                is_blocked=self.contacts.blocked_checker(), warnings=warnings)
        return Batch(template, entries, warnings)

    def send(self, template: str, recipients: Iterable[Recipient | Contact | str], *,
             options: BatchOptions | None = None, dry_run: bool = False, rate_per_minute: float | None = None,
             connections: int | None = None, stop: threading.Event | None = None,
             on_outcome: Callable[[Outcome], None] | None = None, on_start: Callable[[int], None] | None = None,
             warnings: list[Problem] | None = None, variables: Mapping[str, str] | None = None,
             keep_outcomes: bool = True, **overrides: Any) -> Summary:
        """Validate the whole batch, journal it, then send it; returns what happened to each message.

        Nothing is sent while any message has a problem (:class:`ValidationError`). A message already
        sent by an earlier run is not sent again. ``stop`` (a ``threading.Event``) ends the batch after
        the message in flight. ``on_outcome`` is called after each message, besides the object's hook;
        ``on_start`` with the number of messages once the batch is checked; lint warnings are added to
        ``warnings`` when given. ``variables`` apply to every recipient (their own win). Recipients
        that can be read again (a list, a file read in passes) are read once to check and journal the
        batch and once to record them in the book, never all held; with ``keep_outcomes=False`` the
        summary counts the outcomes without listing them.
        """
        from .prepare import prepare_batch, queue_batch
        from .send import send_batch

        opts = self._options(options, overrides)
        transport = self.transport(dry_run=dry_run)
        prepare = queue_batch if transport.journaled else prepare_batch
        recipients = self._each_recipient(recipients, variables)
        if warnings is not None:
            warnings.extend(self._early(template, recipients))
        todo = prepare(template, recipients, sender=self.sender, renderer=self.renderer,
                       store=self.store, options=opts, now=self.clock(), is_blocked=self.contacts.blocked_checker(),
                       warnings=warnings)
        if on_start is not None:
            on_start(len(todo))
        hooks = [h for h in (self.on_outcome, on_outcome) if h is not None]
        copies = self._sent_copies() if transport.journaled else None
        if copies is not None:
            hooks.append(copies)

        def report(outcome: Outcome) -> None:
            for hook in hooks:
                hook(outcome)

        rate = self.config.rate_per_minute if rate_per_minute is None else rate_per_minute
        try:
            summary = send_batch(todo, transport, self.store, stop=stop, on_outcome=report,
                                 rate_per_minute=rate if transport.journaled else 0.0,
                                 connections=self.config.connections if connections is None else connections,
                                 give_up_after=self.config.give_up_after, keep_outcomes=keep_outcomes)
        finally:
            if copies is not None:
                copies.close()
        if copies is not None:
            summary.notes.extend(f"Could not save a copy in the Sent folder (the message was sent): {failure}"
                                 for failure in copies.failures)
        return summary

    def _early(self, template: str, recipients: Iterable[Recipient]) -> list[Problem]:
        """Warnings for follow-ups written before they are due (none for other templates)."""
        try:
            kind = self.renderer.template(template).info.kind
        except OutreachError:
            return []
        if kind != "follow-up":
            return []
        from .lifecycle.early import early_followups  # the due rules: only a follow-up needs them

        return early_followups(self.store, recipients, self.clock(), self.policy)

    def _options(self, options: BatchOptions | None, overrides: Mapping[str, Any]) -> BatchOptions:
        opts = options or BatchOptions(check_deliverability=self.config.check_deliverability)
        return replace(opts, **overrides) if overrides else opts

    def _sent_copies(self) -> SentCopies | None:
        """The Sent-folder hook when ``[imap] save_sent`` is on."""
        if self.config.imap is None or not self.config.imap.save_sent:
            return None
        from .mailbox.sentcopies import SentCopies

        return SentCopies(self.config, self.store)

    def preview(self, template: str, recipient: Recipient | Contact | str,
                variables: Mapping[str, str] | None = None) -> Draft:
        """One message as a send would make it (To with the name, ``Re:`` and In-Reply-To in a thread); nothing written.

        Raises :class:`ValidationError` naming the variables that are missing.
        """
        result = self.preview_message(template, recipient, variables)
        if result.draft is None:
            raise ValidationError([Problem(template, f"missing: {', '.join(result.missing)}",
                                           hint="give them as variables (on the command line: --var KEY=VALUE)")])
        return result.draft

    def preview_message(self, template: str, recipient: Recipient | Contact | str,
                        variables: Mapping[str, str] | None = None) -> Preview:
        """Like :meth:`preview`, with the bytes, the variables used, the missing ones and lint warnings."""
        from .prepare import preview_message

        (one,) = self.recipients([recipient], variables)
        return preview_message(template, one, sender=self.sender, renderer=self.renderer, store=self.store)

    def due(self, now: datetime | None = None, *, upcoming: timedelta = timedelta(0)) -> list[DueItem]:
        """What is owed to whom by ``now`` (+ ``upcoming``), oldest first: follow-ups, thank-yous, check-ins..."""
        from .lifecycle.agenda import agenda

        return agenda(self.store, self.config, now or self.clock(), upcoming)

    def due_recipients(self, template: str, variables: Mapping[str, str] | None = None) -> list[Recipient]:
        """Everyone a message of ``template``'s kind is due to now, each in their thread; blocked or bounced
        people are left out."""
        from .lifecycle.agenda import due_recipients

        kind = self.renderer.template(template).info.kind
        recipients, _ = due_recipients(self.store, self.config, kind, variables or {}, self.clock(), template)
        return recipients

    def log(self, person: PersonLike, event: EventKind | str, *, at: datetime | None = None, new: bool = False,
            **detail: Any) -> ThreadView:
        """Record one event with ``person``: replied, scheduled/rescheduled (``date=``), cancelled, met, note...

        ``event="referral"`` takes ``address=``, ``name=``, ``may_use_name=`` and ``referrer_name=``.
        """
        from .lifecycle.logbook import log_event, log_referral

        who = self.person(person, new=new)
        when = at or self.clock()
        if EventKind(event) is EventKind.REFERRAL:
            return log_referral(self.store, who, detail.pop("address"), detail.pop("name"), when, **detail)
        return log_event(self.store, who, event, when, detail)

    def threads(self, state: ThreadState | str | None = None) -> list[ThreadSummary]:
        """Every conversation with its state now, most recently active first; only those in ``state`` if given."""
        from .lifecycle.followups import thread_state
        from .lifecycle.threads import Threads

        current, policy = self.clock(), self.policy
        found = [ThreadSummary(v, thread_state(v, current, policy)) for v in Threads(self.store).views()]
        found.sort(key=lambda t: t.view.last_activity, reverse=True)
        return [t for t in found if state is None or t.state == state]

    def thread(self, person: PersonLike) -> ThreadSummary | None:
        """The latest conversation with ``person`` (closed ones included), or None before any."""
        from .lifecycle.followups import thread_state
        from .lifecycle.threads import Threads

        view = Threads(self.store).latest(self.person(person).key, include_closed=True)
        return None if view is None else ThreadSummary(view, thread_state(view, self.clock(), self.policy))

    def landed(self, company: str, role: str, *, at: datetime | None = None) -> list[Person]:
        """Record the job you landed; returns the people a job-update is now due to (who replied or met you)."""
        from .lifecycle.threads import Threads

        Threads(self.store).record_milestone("landed", at or self.clock(), {"company": company, "role": role})
        return [self.people.resolve(i.contact, new=True) for i in self.due() if i.kind == TemplateKind.JOB_UPDATE]

    def sync(self, *, since: date | None = None, mailbox: Mailbox | None = None) -> SyncReport:
        """Read the configured IMAP folders: replies, auto-replies, bounces; ``on_reply`` hears each reply."""
        from .compose.addresses import validate_address
        from .mailbox.imap import mailbox_from_config
        from .mailbox.sync import sync_mailbox

        box = mailbox or mailbox_from_config(self.config)
        domain = validate_address(self.sender.email).envelope.rpartition("@")[2]
        folders = self.config.imap.folders if self.config.imap else ("INBOX",)
        report = sync_mailbox(self.store, box, sender_domain=domain, folders=folders, since=since, now=self.clock())
        if self.on_reply is not None:
            for reply in report.replies:
                self.on_reply(reply)
        return report

    @cached_property
    def targets(self) -> Targets:
        """Target organisations: who you know at each and whom to write next, with ``[targets]`` of the config."""
        from .targets.targets import Targets

        return Targets(self.store, per_week=self.config.targets.per_week, warm_tags=self.config.targets.warm_tags,
                       policy=self.policy)

    @cached_property
    def events(self) -> Events:
        """Networking events: calendar import, attending, the reminders of the day before."""
        from .targets.events import Events

        return Events(self.store)

    def report(self, *, since: datetime | None = None, now: datetime | None = None) -> Report:
        """The progress report of ``[since, now]`` (the last 7 days, up to this object's clock, by default)."""
        from .targets.progress import report

        return report(self.store, since=since, now=now or self.clock(), config=self.config)
