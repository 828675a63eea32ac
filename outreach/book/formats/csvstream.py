"""CSV records read line by line (a file, or an export's text through ``base.csv_rows``), each with its first line."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

__all__ = ["csv_problem", "stream_rows"]


def csv_problem(exc: csv.Error) -> str:
    """What is wrong with a CSV record the ``csv`` module could not read, said for the user."""
    if "field limit" in str(exc):
        return f"a field is larger than {csv.field_size_limit():,} characters"
    return f"malformed CSV ({exc}); check for a quote that is never closed"


class _Lines:
    """Physical lines, keeping those of the record being read, to read them again after a broken record."""

    def __init__(self, source: Iterator[str]) -> None:
        self.source = source
        self.again: list[str] = []  # lines to read again, the next one last
        self.record: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.again.pop() if self.again else next(self.source)
        self.record.append(line)
        return line

    def start_record(self) -> None:
        self.record.clear()

    def after_first(self) -> None:
        """Go on from the line after the first line of the record being read."""
        self.again.extend(reversed(self.record[1:]))
        self.record.clear()


def stream_rows(lines: Iterable[str], start_line: int = 1,
                delimiter: str = ",") -> Iterator[tuple[int, list[str] | None, str]]:
    """Yield ``(first line of the record, cells, error)`` for each record of ``lines`` (physical lines, ends kept).

    A record that cannot be read (a quote never closed, a field over the csv module's limit) is
    reported with its line, and reading goes on from the line after it. Only the lines of the
    record being read are held.
    """
    source = _Lines(iter(lines))
    done = 0  # lines before the ones the current reader reads
    while True:
        reader = csv.reader(source, strict=True, delimiter=delimiter)
        while True:
            first = reader.line_num + 1
            source.start_record()
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield done + first + start_line - 1, None, csv_problem(exc)
                source.after_first()
                done += first
                break
            yield done + first + start_line - 1, cells, ""
