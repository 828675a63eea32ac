"""Preparing a batch: render and check every message before anything is sent, then journal it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from email.utils import make_msgid
from pathlib import Path

from .addresses import validate_address
from ..errors import AddressError, AttachmentError, HeaderError, Problem, TemplateError, ValidationError
from .lookalike import lookalike_reason
from .message import build_message, reply_subject, serialize
from ..models import Contact, Sender, Status
from .render import Renderer
from ..store.db import JournalEntry, Store
from ..lifecycle.threads import Threads
from .typos import suggest_domain

__all__ = ["Recipient", "iter_prepared", "prepare_batch", "queue_batch"]


@dataclass(frozen=True)
class Recipient:
    """One message to make: a contact, its own variables, and where it came from (for errors)."""

    contact: Contact
    variables: Mapping[str, str] = field(default_factory=dict)
    where: str = ""
    key: str | None = None


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
    attachments: Sequence[Path] = (),
    store: Store | None = None,
    check_deliverability: bool = False,
    headers: Mapping[str, str] | None = None,
    again: bool = False,
    now: datetime | None = None,
    is_blocked: Callable[[str], str | None] | None = None,
    typo_check: bool = True,
    problems: list[Problem],
) -> Iterator[JournalEntry]:
    """Render and check each message, yielding the good ones and adding the rest to ``problems``."""
    now = now or datetime.now(timezone.utc)
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
        lookalike = (lookalike_reason(recipient.contact.email.strip()) or lookalike_reason(address.normalized)
                     if typo_check else None)
        if lookalike:
            problems.append(Problem(where, f"{address.normalized}: {lookalike}, so it may imitate another address"
                                           " (if the address is right, send with --no-typo-check)"))
            continue
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
        yield JournalEntry(
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
    """Render and check every message of a batch in memory; raise :class:`ValidationError` listing all problems.

    Nothing is written or sent. ``store`` is read to thread replies under the contact's latest open
    thread (In-Reply-To, References, ``Re:``); ``is_blocked`` names do-not-contact addresses;
    ``typo_check`` refuses likely misspelt domains such as ``gmial.com``.
    """
    problems: list[Problem] = []
    entries = list(iter_prepared(
        template, recipients, sender=sender, renderer=renderer, attachments=attachments, store=store,
        check_deliverability=check_deliverability, headers=headers, again=again, now=now, is_blocked=is_blocked,
        typo_check=typo_check, problems=problems))
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
    attachments: Sequence[Path] = (),
    check_deliverability: bool = False,
    headers: Mapping[str, str] | None = None,
    again: bool = False,
    now: datetime | None = None,
    is_blocked: Callable[[str], str | None] | None = None,
    typo_check: bool = True,
) -> list[str]:
    """Check every message and journal it as ``queued``, all or nothing; return the idempotency keys.

    Each message is written to the store as soon as it is built, inside one transaction that is
    rolled back if any message has a problem, so memory stays flat however large the batch.
    Keys already in the journal keep their row (and so their status and Message-ID).
    """
    problems: list[Problem] = []
    keys: list[str] = []
    with store.journal_writer() as write:
        for entry in iter_prepared(
            template, recipients, sender=sender, renderer=renderer, attachments=attachments, store=store,
            check_deliverability=check_deliverability, headers=headers, again=again, now=now,
            is_blocked=is_blocked, typo_check=typo_check, problems=problems,
        ):
            write(entry)
            keys.append(entry.key)
        if problems:
            raise ValidationError(problems)
    return keys
