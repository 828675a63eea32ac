"""Preparing a batch: render, lint and check every message before anything is sent, then journal it.

It sits above compose/, book/ and lifecycle/: a reply is threaded from the contact's history and
every recipient of a real send is remembered in the contact book.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import make_msgid
from pathlib import Path

from .compose.addresses import validate_address
from .compose.lint import lint_draft
from .compose.lookalike import lookalike_reason
from .compose.message import reply_subject
from .compose.render import Renderer
from .compose.typos import suggest_domain
from .compose.wire import build_bytes
from .errors import AddressError, AttachmentError, HeaderError, Problem, TemplateError, ValidationError
from .lifecycle.context import inherit
from .lifecycle.history import reply_context
from .models import BatchOptions, Contact, Draft, Recipient, Sender, Status
from .record import replace
from .store.db import JournalEntry, Store

__all__ = ["BatchOptions", "Preview", "Recipient", "iter_prepared", "prepare_batch", "preview_message", "queue_batch"]


_TYPO_HINT = "if the address is right, send with --no-typo-check"
_AGAIN_HINT = "reply in that thread, or send with --again to start a second conversation on purpose"


def _stored_variables(contact: Contact, variables: Mapping[str, str]) -> dict[str, str]:
    """The variables a message was rendered with, kept so that replies in its thread can reuse them."""
    found = {"name": contact.name, "company": contact.company, "position": contact.position,
             **{k: str(v) for k, v in contact.fields.items()}, **{k: str(v) for k, v in variables.items()}}
    return {k: v for k, v in found.items() if v.strip()}


def _earlier_intro(store: Store, contact_key: str, template: str) -> str | None:
    """Why a first-contact template must not go to someone already introduced to, or None."""
    earlier = [e for e in store.earlier_of_kind(contact_key, "intro") if e.template != template]
    if not earlier:
        return None
    first = earlier[0]
    when = (first.sent_at or first.created_at)[:10]
    return (f"{contact_key} already got an intro on {when} (template {first.template!r}, subject"
            f" {first.subject!r}); a person gets one intro")

def _key(recipient: Recipient, template: str, contact: str, thread_id: str | None, reply: bool,
         now: datetime, again: bool) -> str:
    if recipient.key:
        return recipient.key
    if again:
        return f"{template}:{contact}:{uuid.uuid4().hex}"
    if not reply:
        return f"{template}:{contact}"
    return f"{template}:{contact}:{thread_id or 'new'}:{now.date().isoformat()}"


def iter_prepared(
    template: str,
    recipients: Iterable[Recipient],
    *,
    sender: Sender,
    renderer: Renderer,
    store: Store | None = None,
    options: BatchOptions = BatchOptions(),
    now: datetime | None = None,
    is_blocked: Callable[[str], str | None] | None = None,
    problems: list[Problem],
    warnings: list[Problem] | None = None,
) -> Iterator[JournalEntry]:
    """Render, lint and check each message, yielding the good ones and adding the rest to ``problems``.

    Lint errors are problems; lint warnings are added to ``warnings`` when it is given.
    """
    now = now or (store.clock() if store is not None else datetime.now(timezone.utc))
    seen: dict[str, str] = {}
    batch = uuid.uuid4().hex
    try:
        source = renderer.template(template)
        info = source.info
    except TemplateError as exc:
        raise ValidationError([Problem("template", str(exc))]) from exc
    usable: list[Path] = []
    for path in map(Path, options.attachments):
        if path.is_file():
            usable.append(path)
        else:
            problems.append(Problem("attachment", f"{path} does not exist or is not a file"))
    try:
        domain = validate_address(sender.email).envelope.rpartition("@")[2]
    except AddressError as exc:
        raise ValidationError([Problem("sender", f"the sender address in the config: {exc}")]) from exc
    people = None
    if store is not None:
        from .book.people import People

        people = People(store)
    index = 0
    for index, recipient in enumerate(recipients, start=1):
        where = recipient.where or f"recipient {index}"
        try:
            address = validate_address(recipient.contact.email, check_deliverability=options.check_deliverability)
        except AddressError as exc:
            problems.append(Problem(where, str(exc), contact=recipient.contact.email, hint=exc.hint))
            continue
        local, _, domain_part = address.normalized.rpartition("@")
        lookalike = (lookalike_reason(recipient.contact.email.strip()) or lookalike_reason(address.normalized)
                     if options.typo_check else None)
        if lookalike:
            problems.append(Problem(where, f"{address.normalized}: {lookalike}, so it may imitate another address",
                                    contact=address.normalized, hint=_TYPO_HINT))
            continue
        suggestion = suggest_domain(domain_part) if options.typo_check else None
        if suggestion:
            problems.append(Problem(where, f"{address.normalized}: did you mean {local}@{suggestion}?",
                                    contact=address.normalized, hint=_TYPO_HINT))
            continue
        meant = people.domain_typo(address.key) if people is not None and options.typo_check else None
        if meant:
            known = meant.rpartition("@")[2]
            problems.append(Problem(where, f"{address.normalized}: did you mean {local}@{known}? (none of your other"
                                           f" contacts uses {domain_part}; {known} is one letter away, and they do)",
                                    contact=address.normalized, hint=_TYPO_HINT))
            continue
        reason = is_blocked(address.key) if is_blocked else None
        contact_key = people.key(address.key) if people is not None else address.key
        seen_key = f"{contact_key} {recipient.thread_id or ''}"
        if seen_key in seen:
            problems.append(Problem(where, f"{address.normalized} is already in this batch ({seen[seen_key]})",
                                    contact=address.normalized))
            continue
        seen[seen_key] = where
        reason = reason or (is_blocked(contact_key) if is_blocked and contact_key != address.key else None)
        if reason:
            problems.append(Problem(where, reason, contact=address.normalized))
            continue
        if info.kind == "intro" and store is not None and not options.again and not recipient.key:
            reason = _earlier_intro(store, contact_key, template)
            if reason:
                problems.append(Problem(where, reason, contact=address.normalized, hint=_AGAIN_HINT))
                continue
        try:
            thread, facts, before = (
                reply_context(store, contact_key, str(sender.fields.get("locale") or "en-US"), recipient.thread_id)
                if (store is not None and info.reply) else (None, {}, None))
            contact, variables = recipient.contact, {**facts, **recipient.variables}
            if thread is not None and store is not None:
                contact, variables = inherit(store, thread.thread_id, contact, variables)
            draft = renderer.render(template, contact, sender, variables)
            message_id = make_msgid(domain=domain)
            draft = replace(draft, attachments=tuple(usable), headers=dict(options.headers))
            if thread is not None and thread.message_ids:
                draft = replace(
                    draft,
                    subject=reply_subject(thread.subject),
                    in_reply_to=thread.message_ids[-1],
                    references=thread.message_ids,
                )
            findings = lint_draft(draft, max_words=info.max_words, previous_text=before,
                                  own_text=source.text is not None)
            if any(f.error for f in findings):
                problems.extend(Problem(where, f"{address.normalized}: {f}", contact=address.normalized)
                                for f in findings if f.error)
                continue
            if warnings is not None:
                warnings.extend(Problem(where, f"{address.normalized}: {f}", contact=address.normalized)
                                for f in findings)
            data, envelope = build_bytes(draft, sender, message_id=message_id, now=now,
                                         check_deliverability=options.check_deliverability, where=where)
        except (TemplateError, AddressError, HeaderError, AttachmentError) as exc:
            problems.append(Problem(where, str(exc), contact=address.normalized, hint=exc.hint))
            continue
        thread_id = thread.thread_id if thread is not None else message_id
        yield JournalEntry(
            key=_key(recipient, template, contact_key, thread.thread_id if thread else None, info.reply, now, options.again),
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
            variables=_stored_variables(contact, variables),
        )
    if not index:
        problems.append(Problem("batch", "no recipients given"))


def prepare_batch(
    template: str,
    recipients: Iterable[Recipient],
    *,
    sender: Sender,
    renderer: Renderer,
    store: Store | None = None,
    options: BatchOptions = BatchOptions(),
    now: datetime | None = None,
    is_blocked: Callable[[str], str | None] | None = None,
    warnings: list[Problem] | None = None,
) -> list[JournalEntry]:
    """Render and check every message of a batch in memory; raise :class:`ValidationError` listing all problems.

    Nothing is written or sent. ``store`` is read to thread replies under the contact's latest open
    thread (In-Reply-To, References, ``Re:``); ``is_blocked`` names do-not-contact addresses;
    ``typo_check`` refuses likely misspelt domains such as ``gmial.com``. Every message is linted
    (:mod:`outreach.compose.lint`): its errors are problems, its warnings go to ``warnings`` if given.
    """
    problems: list[Problem] = []
    entries = list(iter_prepared(
        template, recipients, sender=sender, renderer=renderer, store=store, options=options, now=now,
        is_blocked=is_blocked, problems=problems, warnings=warnings))
    if problems:
        raise ValidationError(problems)
    return entries


def queue_batch(
    template: str,
    recipients: Iterable[Recipient],
    *,
    store: Store,
    sender: Sender,
    renderer: Renderer,
    options: BatchOptions = BatchOptions(),
    now: datetime | None = None,
    is_blocked: Callable[[str], str | None] | None = None,
    warnings: list[Problem] | None = None,
) -> list[str]:
    """Check every message and journal it as ``queued``, all or nothing; return the idempotency keys.

    Each message is written to the store as soon as it is built, inside one transaction that is
    rolled back if any message has a problem, so memory stays flat however large the batch.
    Keys already in the journal keep their row (and so their status and Message-ID). Each
    recipient is then recorded in the contact book (added, or its gaps filled; hand edits kept), in
    the same transaction: recipients that can be read again (a list, a file read in passes) are read
    a second time for that rather than held, and a file that changed meanwhile journals nothing.
    """
    from .book.remember import remember
    from .passes import reiterable

    problems: list[Problem] = []
    keys: list[str] = []
    recipients = reiterable(recipients)
    with store.journal_writer() as write:
        for entry in iter_prepared(
            template, recipients, sender=sender, renderer=renderer, store=store, options=options, now=now,
            is_blocked=is_blocked, problems=problems, warnings=warnings,
        ):
            write(entry)
            keys.append(entry.key)
        if problems:
            raise ValidationError(problems)
        remember(store, (r.contact for r in recipients))  # in the journal's transaction: a changed file undoes both
    return keys


@dataclass(frozen=True)
class Preview:
    """One message as a send would make it, without writing anything: the draft and what it was made from."""

    draft: Draft | None
    data: bytes
    variables: dict[str, str]
    missing: list[str]
    warnings: list[Problem]


def preview_message(template: str, recipient: Recipient, *, sender: Sender, renderer: Renderer,
                    store: Store | None = None) -> Preview:
    """Render one message as it would be sent (threaded when the template is a reply); nothing is written.

    When variables are missing, ``draft`` is None and ``missing`` names them.
    """
    from .compose.missing import missing_variables
    from .lifecycle.threads import Threads

    contact, used = recipient.contact, dict(recipient.variables)
    info = renderer.template(template).info
    thread = None
    if store is not None and info.reply:
        from .book.people import People

        key = People(store).resolve(contact.email, new=True).key
        thread = Threads(store).ref(key, recipient.thread_id)
    if thread is not None and store is not None:
        contact, used = inherit(store, thread.thread_id, contact, used)
    shown = {"name": contact.name, "company": contact.company, "position": contact.position,
             **{k: str(v) for k, v in contact.fields.items()}, **used}
    shown = {k: v for k, v in shown.items() if str(v).strip()}
    missing = missing_variables(renderer, template, contact, sender, used)
    if missing:
        return Preview(None, b"", shown, missing, [])
    warnings: list[Problem] = []
    [entry] = prepare_batch(template, [replace(recipient, contact=contact, variables=used)], sender=sender,
                            renderer=renderer, store=store, options=BatchOptions(typo_check=False), warnings=warnings)
    draft = _draft_of(template, contact, entry.data)
    return Preview(draft, entry.data, shown, [], warnings)


def _draft_of(template: str, contact: Contact, data: bytes) -> Draft:
    """The draft a serialised message carries: subject, threading headers, text and HTML as sent."""
    from email import message_from_bytes, policy

    msg = message_from_bytes(data, policy=policy.default)
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    references = tuple(str(msg.get("References", "")).split())
    return Draft(template=template, to=contact, subject=str(msg["Subject"]),
                 html=html.get_content() if html is not None else "",
                 text=text.get_content() if text is not None else "",
                 in_reply_to=str(msg["In-Reply-To"]) if msg["In-Reply-To"] else None, references=references)
