"""A ``--contacts`` CSV read in passes gives what reading it whole gives: the same records, recipients and errors."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outreach.book.formats.base import csv_rows, physical_lines, sniff_delimiter
from outreach.book.formats.csvstream import csv_problem, stream_rows
from outreach.book.recipientfile import RecipientsFile
from outreach.book.recipients import drop_identical, read_recipients_csv
from outreach.compose.addresses import validate_address
from outreach.errors import AddressError, ValidationError
from outreach.models import Recipient

TEXT = st.text(alphabet=st.sampled_from(['a', 'b', ' ', ',', ';', '\t', '"', '\r', '\n', 'é', '\u2028', '\x1e']),
               max_size=80)


def _lines(text: str, chunk: int) -> Iterator[str]:
    """The physical lines of ``text`` as a file opened with ``newline=""`` yields them, decoded ``chunk`` at a time."""
    stream = io.TextIOWrapper(io.BufferedReader(io.BytesIO(text.encode("utf-8")), buffer_size=max(chunk, 1)),
                              encoding="utf-8", newline="")
    stream._CHUNK_SIZE = chunk  # type: ignore[attr-defined]
    return iter(stream)


def _whole_text_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str] | None, str]]:
    """The records as the csv module reads the whole text, which is split into lines only after a broken record."""
    rest, done = text, 0
    while True:
        reader = csv.reader(io.StringIO(rest, newline=""), strict=True, delimiter=delimiter)
        while True:
            first = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield done + first, None, csv_problem(exc)
                rest, done = "".join(physical_lines(rest)[first:]), done + first
                break
            yield done + first, cells, ""


@given(TEXT, st.sampled_from([1, 2, 3, 8192]))
def test_streamed_records_are_the_whole_texts(text: str, chunk: int) -> None:
    delimiter = sniff_delimiter(physical_lines(text)[0]) if text else ","
    expected = list(_whole_text_rows(text, delimiter))
    assert list(stream_rows(_lines(text, chunk), delimiter=delimiter)) == expected
    assert list(csv_rows(text, delimiter=delimiter)) == expected


def test_a_broken_record_is_reported_and_reading_goes_on_from_the_next_line() -> None:
    text = 'email,name\na@example.com,"Ann\nb@example.com,Bob\nc@example.com,"Cy"x\nd@example.com,Di\n'
    streamed = list(stream_rows(_lines(text, 4)))
    assert streamed == list(csv_rows(text))
    assert [line for line, cells, _ in streamed if cells is None] == [2, 4]
    assert [cells[1] for _, cells, _ in streamed if cells] == ["name", "Bob", "Di"]


def test_a_field_over_the_csv_limit_is_reported_as_the_whole_text_reports_it() -> None:
    text = 'email,name\na@example.com,' + "x" * 300 + '\nb@example.com,Bob\n'
    old = csv.field_size_limit(100)
    try:
        streamed = list(stream_rows(_lines(text, 16)))
        assert streamed == list(csv_rows(text))
    finally:
        csv.field_size_limit(old)
    assert streamed[1][1] is None and "larger than 100 characters" in streamed[1][2]


def _old_way(path: Path, variables: dict[str, str],
             blocked: Callable[[str], str | None]) -> tuple[list[Recipient], int, int]:
    """What the command did before: read the whole file, drop identical rows, then blocked ones."""
    rows, twice = drop_identical(read_recipients_csv(path))
    keep = []
    for r in rows:
        try:
            key = validate_address(r.contact.email).key
        except AddressError:
            keep.append(r)
            continue
        if not blocked(key):
            keep.append(r)
    return ([Recipient(contact=r.contact, variables={**r.variables, **variables}, where=r.where) for r in keep],
            twice, len(rows) - len(keep))


ROW = st.tuples(st.sampled_from(["ann@example.com", "ANN@example.com", "bob@example.org", "cy@blocked.example",
                                 "not an address", "", "dee@example.net"]),
                st.sampled_from(["Ann", "Bob", "", "Zoë Müller", '"Quoted, Name"']),
                st.sampled_from(["", "Acme", "Acme, Inc."]),
                st.sampled_from(["", "yes", "no"]),
                st.sampled_from(["", "Maya Chen"]))


def _blocked(key: str) -> str | None:
    return "on the do-not-contact list" if key.endswith("@blocked.example") else None


@given(st.lists(ROW, max_size=12), st.sampled_from([",", ";"]), st.booleans())
def test_the_recipients_are_those_the_whole_file_gives(tmp_path_factory: pytest.TempPathFactory,
                                                       rows: list[tuple[str, ...]], delimiter: str, crlf: bool) -> None:
    path = tmp_path_factory.mktemp("csv") / "people.csv"
    end = "\r\n" if crlf else "\n"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=end)
    writer.writerow(["email", "name", "company", "may_use_name", "referred_by"])
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    recipients, identical, blocked = _old_way(path, {"topic": "UX"}, _blocked)
    for hold in (0, None):  # read again on every pass, and held after the first read
        streamed = RecipientsFile(path, {"topic": "UX"}, _blocked, hold=hold)
        assert list(streamed) == recipients
        assert list(streamed) == recipients
        assert (streamed.identical, streamed.blocked, len(streamed)) == (identical, blocked, len(recipients))


@pytest.mark.parametrize("content", [
    b"",
    b"name,company\nAnn,Acme\n",
    b"email,name\nann@example.com,Ann,extra\nbob@example.com,Bob\nfoo,bar,baz\n",
    b"email,name\nann@example.com,Ann\x00\n",
    b"email,name\nann@example.com,Ren\xe9e\n",
    b"email,name\nann@example.com,\"Ann\nbob@example.com,Bob\n",
])
def test_a_file_it_cannot_use_gets_the_same_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(content)
    try:
        expected = read_recipients_csv(path)
    except ValidationError as exc:
        with pytest.raises(ValidationError) as got:
            RecipientsFile(path)
        assert got.value.problems == exc.problems
    else:
        assert list(RecipientsFile(path)) == expected


def test_a_folder_is_refused_as_the_whole_file_reader_refuses_it(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as whole:
        read_recipients_csv(tmp_path)
    with pytest.raises(ValidationError) as streamed:
        RecipientsFile(tmp_path)
    assert streamed.value.problems == whole.value.problems


def test_a_file_changed_between_passes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("email,name\nann@example.com,Ann\nbob@example.com,Bob\n", encoding="utf-8")
    rows = RecipientsFile(path, hold=1)  # two rows: more than it holds, so each pass reads the file
    assert [r.contact.name for r in rows] == ["Ann", "Bob"]
    path.write_text("email,name\nann@example.com,Ann\nbob@example.com,Robert\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="changed while the batch was being read"):
        list(rows)


def test_a_small_file_is_held_as_first_read_so_a_later_edit_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("email,name\nann@example.com,Ann\nbob@example.com,Bob\n", encoding="utf-8")
    rows = RecipientsFile(path, hold=2)
    path.write_text("email,name\nann@example.com,Ann\nbob@example.com,Robert\n", encoding="utf-8")
    assert [r.contact.name for r in rows] == ["Ann", "Bob"] and [r.contact.name for r in rows] == ["Ann", "Bob"]


def test_a_file_changed_before_the_book_pass_leaves_nothing_queued(tmp_path: Path) -> None:
    """The error says "nothing was sent; run the command again": the journal must not keep the refused batch."""
    from outreach.book.contacts import ContactBook
    from outreach.compose.render import Renderer
    from outreach.models import Sender
    from outreach.prepare import queue_batch
    from outreach.store.db import Store

    path = tmp_path / "people.csv"
    path.write_text("email,name\nann@example.com,Ann\nbob@example.com,Bob\n", encoding="utf-8")

    class EditedAfterJournal(RecipientsFile):
        """The user saves the file just as the journal pass has ended (the pass after it is the book's)."""

        read_whole = False

        def __iter__(self) -> Iterator[Recipient]:
            if self.read_whole:
                path.write_text("email,name\nann@example.com,Ann\n", encoding="utf-8")
            yield from super().__iter__()
            self.read_whole = True

    store = Store(tmp_path / "s.sqlite3")
    with pytest.raises(ValidationError, match="changed while the batch was being read"):
        queue_batch("intro", EditedAfterJournal(path, {"topic": "x"}, hold=0), store=store,
                    sender=Sender("Sam", "sam@example.edu"), renderer=Renderer())
    assert store.messages() == []
    assert ContactBook(store).find() == []
