"""Batches gone through in passes: a large batch is read again instead of held whole in memory."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

__all__ = ["Passes", "reiterable"]

T = TypeVar("T")


class Passes(Generic[T]):
    """An iterable whose every ``iter()`` starts a new pass, made by ``start``."""

    def __init__(self, start: Callable[[], Iterator[T]]) -> None:
        self._start = start

    def __iter__(self) -> Iterator[T]:
        return self._start()


def reiterable(items: Iterable[T]) -> Iterable[T]:
    """``items`` when it can be gone through again (a list, a file read in passes); else a list of it."""
    return items if iter(items) is not items else list(items)
