"""The import's shortcuts answer as what they stand for: the once-per-domain address check as email-validator
(through validate_address), the clean-row shortcut as cleaning each value."""

from __future__ import annotations

import email_validator
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.book.formats import ImportedContact, _clean
from outreach.compose.controls import printable
from outreach.compose import addresses
from outreach.errors import AddressError

DOMAINS = ["example.com", "Example.COM", "mail.example.org", "bücher.example.com", "xn--bcher-kva.example.com",
           "BÜCHER.example.com", "ﬁ.example.com", "localhost", "example", "test.local", "a..b.com", "-a.com",
           "exa_mple.com", "[127.0.0.1]", "example.com.", "ex ample.com", "e\u0301xample.com", "x" * 63 + ".com",
           "x" * 64 + ".com", ".".join(["abcdefghi"] * 24) + ".com"]
LOCALS = ["p", "first.last", "f_l", "x+tag", "a-b", "info", "Postmaster", "ABUSE", "www", "a..b", ".a", "a.",
          '"quoted"', "ünï", "e\u0301", "sp ace", "a@b", "a,b", "a;b", "o'brien", "x" * 64, "x" * 65, "", "A" * 200]


def truth(text: str) -> Address | str:
    """What validate_address answers, without its cache and knowing no domain: the address, or the error's message."""
    saved = dict(addresses._DOMAINS)
    addresses._DOMAINS.clear()
    try:
        return addresses._validate.__wrapped__(text, False)  # type: ignore[attr-defined]
    except AddressError as exc:
        return str(exc)
    finally:
        addresses._DOMAINS.clear()
        addresses._DOMAINS.update(saved)


Address = addresses.Address


def outcome(text: str) -> Address | str:
    """What validate_address answers, without its cache but with the domains it has learnt."""
    try:
        return addresses._validate.__wrapped__(text, False)  # type: ignore[attr-defined, no-any-return]
    except AddressError as exc:
        return str(exc)


def agrees_with_email_validator(text: str, found: Address | str) -> None:
    if isinstance(found, str):
        return
    valid = email_validator.validate_email(text.strip(), check_deliverability=False, allow_smtputf8=True)
    assert (found.normalized, found.ascii) == (valid.normalized, valid.ascii_email)


label = st.from_regex(r"[a-zA-Z0-9\-üß_]{1,66}", fullmatch=True)
generated_domain = st.lists(label, min_size=1, max_size=6).map(".".join)
local_part = st.one_of(
    st.sampled_from(LOCALS),
    st.from_regex(r"[A-Za-z0-9_+\-.]{0,90}", fullmatch=True),
    st.text(alphabet=st.sampled_from(list("aZ09._+-!#$%&'*/=?^`{|}~\"() ,;@\\üé\u0301\r\n\t")), max_size=70),
)
padding = st.sampled_from(["", " ", "\t", "\n", " \r\n", "\u00a0"])


@st.composite
def address_runs(draw: st.DrawFn) -> list[str]:
    """Addresses of one import: a few domains, each shared by several local parts."""
    pool = draw(st.lists(st.one_of(st.sampled_from(DOMAINS), generated_domain), min_size=1, max_size=4))
    made = []
    for _ in range(draw(st.integers(1, 25))):
        if draw(st.integers(0, 9)) == 0:
            made.append(draw(st.text(max_size=40)))
            continue
        made.append(draw(padding) + draw(local_part) + "@" + draw(st.sampled_from(pool)) + draw(padding))
    return made


@pytest.mark.parametrize("domain", ["d" * 60 + "." + "e" * 60 + "." + "f" * 60 + ".com", "ü" * 50 + ".example.com"])
def test_addresses_at_the_length_limit_are_checked_in_full(domain: str) -> None:
    addresses._DOMAINS.clear()
    assert outcome(f"a@{domain}") == truth(f"a@{domain}")  # the domain is learnt
    assert domain in addresses._DOMAINS
    for n in range(1, 80):
        text = "l" * n + "@" + domain
        assert outcome(text) == truth(text), n


def cleaned_field_by_field(row: ImportedContact) -> ImportedContact:
    """What cleaning a row was before the shortcut for clean rows: every value through ``printable``."""
    out = ImportedContact(line=row.line)
    for name in ("email", "name", "company", "position", "linkedin_url", "connected_on"):
        setattr(out, name, printable(getattr(row, name)).strip())
    for name in ("name", "company", "position"):
        setattr(out, name, " ".join(getattr(out, name).split()))
    out.notes = printable(row.notes, keep_newlines=True).strip()
    out.other_emails = [printable(e).strip() for e in row.other_emails]
    out.tags = [printable(t).strip() for t in row.tags]
    out.fields = {printable(k).strip(): printable(v, keep_newlines=True).strip() for k, v in row.fields.items()}
    return out


cell = st.text(alphabet=st.sampled_from(list("aZ ü\u00a0\u2003\t\r\n\x1b[2J\x07\u202e\u2066\x85\x9b.,@")), max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.builds(ImportedContact, line=st.just(3), email=cell, name=cell, company=cell, position=cell,
                 linkedin_url=cell, connected_on=cell, notes=cell, other_emails=st.lists(cell, max_size=2),
                 tags=st.lists(cell, max_size=2), fields=st.dictionaries(cell, cell, max_size=2)))
def test_cleaning_a_row_gives_what_cleaning_each_value_gives(row: ImportedContact) -> None:
    expected = cleaned_field_by_field(row)
    assert _clean(row) == expected


@settings(max_examples=400, deadline=None)
@given(address_runs())
def test_validate_address_answers_once_per_domain_as_email_validator_does(texts: list[str]) -> None:
    """validate_address itself reuses a domain's answer: each address of a run is still what email-validator says."""
    addresses._DOMAINS.clear()
    addresses._validate.cache_clear()
    for text in texts:
        found = outcome(text)
        assert found == truth(text), text
        try:
            public: Address | str = addresses.validate_address(text)
        except AddressError as exc:
            public = str(exc)
        assert public == found, text
        agrees_with_email_validator(text, found)
