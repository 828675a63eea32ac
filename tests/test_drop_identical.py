"""Rows identical to an earlier one are dropped from a contacts file, found by address key, in the file's order."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.book.recipients import drop_identical
from outreach.compose.addresses import validate_address
from outreach.errors import AddressError
from outreach.models import Contact, Recipient


def _plain_drop(recipients: list[Recipient]) -> tuple[list[Recipient], int]:
    """The rule as first written: each row compared with every row kept before it."""
    seen: list[tuple[str, Contact, dict[str, str]]] = []
    keep: list[Recipient] = []
    for r in recipients:
        try:
            key = validate_address(r.contact.email).key
        except AddressError:
            keep.append(r)
            continue
        same = (key, replace(r.contact, email=""), dict(r.variables))
        if same in seen:
            continue
        seen.append(same)
        keep.append(r)
    return keep, len(recipients) - len(keep)


ROW = st.builds(lambda email, name, var: Recipient(Contact(email=email, name=name), {"topic": var} if var else {}),
                st.sampled_from(["kai@example.com", "KAI@Example.com", "wen@example.org", "not an address", ""]),
                st.sampled_from(["Kai", "Wen", ""]), st.sampled_from(["", "data", "ml"]))


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(ROW, max_size=12))
def test_drop_identical_keeps_what_comparing_every_row_keeps(rows: list[Recipient]) -> None:
    assert drop_identical(rows) == _plain_drop(rows)


def test_a_second_row_with_other_values_stays_and_an_identical_one_goes() -> None:
    a = Recipient(Contact(email="kai@example.com", name="Kai"), {"topic": "data"})
    b = Recipient(Contact(email="KAI@example.com", name="Kai"), {"topic": "data"})
    c = Recipient(Contact(email="kai@example.com", name="Kai"), {"topic": "ml"})
    assert drop_identical([a, b, c]) == ([a, c], 1)
