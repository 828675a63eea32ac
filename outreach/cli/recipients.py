"""The recipients of one ``send``: its parts chained in order, a ``--contacts`` file read in passes, never all held."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sized
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from .common import echo

if TYPE_CHECKING:
    from ..book.recipientfile import RecipientsFile
    from ..models import Recipient

__all__ = ["Recipients", "contacts_file"]


class Recipients:
    """Recipients from several parts (lists, a file read in passes), in order; each ``iter()`` is a new pass."""

    def __init__(self, *parts: Iterable[Recipient]) -> None:
        self.parts: list[Iterable[Recipient]] = []
        for part in parts:
            self.parts += part.parts if isinstance(part, Recipients) else [part]

    def __iter__(self) -> Iterator[Recipient]:
        return chain.from_iterable(self.parts)

    def __len__(self) -> int:
        return sum(len(part) if isinstance(part, Sized) else len(list(part)) for part in self.parts)


def contacts_file(path: Path, variables: dict[str, str], blocked: Callable[[str], str | None]) -> RecipientsFile:
    """``--contacts FILE``, checked whole now and read again on each pass; says which rows are left out."""
    from ..book.recipientfile import RecipientsFile

    rows = RecipientsFile(path, variables, blocked)
    if rows.identical:
        echo(f"Skipping {rows.identical} row{'s' if rows.identical != 1 else ''} of {path.name} identical to an"
             " earlier row.", err=True)
    if rows.blocked:
        echo(f"Skipping {rows.blocked} contacts in {path.name} on the do-not-contact list or whose address"
             " bounced.", err=True)
    return rows
