"""The company matcher: one organisation however people write it, never two merged by a near miss."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outreach.targets.match import LEGAL_SUFFIXES, company_key, same_company

SAME = [
    ("Globex", "Globex"),
    ("Globex", "globex"),
    ("Globex", "GLOBEX Corporation"),
    ("Globex", "Globex Inc."),
    ("Globex", "Globex, Inc"),
    ("Globex", "Globex, LLC"),
    ("Globex", "Globex L.L.C."),
    ("Globex", "Globex Corp."),
    ("Globex", "  Globex   Ltd  "),
    ("Globex", "The Globex Company"),
    ("Globex", "Globex GmbH"),
    ("Globex", "Globex S.A."),
    ("Initech", "INITECH PLC"),
    ("Acme", "Acme, Inc."),
    ("Stark & Wayne", "Stark and Wayne LLP"),
    ("Procter & Gamble", "Procter & Gamble Co."),
    ("Hewlett-Packard", "Hewlett Packard"),
    ("McDonald's", "McDonalds Corporation"),
    ("Nestlé", "NESTLE S.A."),
    ("Société Générale", "Societe Generale SA"),
    ("Yahoo!", "Yahoo Inc"),
    ("AT&T", "AT & T Inc."),
    ("Umbrella Health", "umbrella-health, inc."),
    ("Globex Bank", "Globex Bank, N.V."),
    ("Ørsted", "ØRSTED A/S"),
    ("Ørsted", "Orsted"),
    ("华为", "华为"),
    ("Johnson & Co.", "Johnson"),
]
DIFFERENT = [
    ("Globex", "Globex Bank"),
    ("Globex", "Globex Banking Corp"),
    ("Globex", "Globe"),
    ("Globex", "Globexx"),
    ("Globex", "Globex Health"),
    ("Globex", "New Globex"),
    ("Globex", ""),
    ("Initech", "Initrode"),
    ("Acme", "Acme Bank Inc."),
    ("Stark & Wayne", "Stark"),
    ("Hooli", "Hooli XYZ"),
    ("Amazon", "Amazon.com"),
    ("Bank of America", "America Bank"),
    ("Company", "Globex Company"),
    ("Globex", "Globex Holdings"),
    ("华为", "华为银行"),
]


@pytest.mark.parametrize(("target", "written"), SAME)
def test_spellings_of_one_organisation_match(target: str, written: str) -> None:
    assert company_key(target) == company_key(written)
    assert same_company(written, [target])


@pytest.mark.parametrize(("target", "written"), DIFFERENT)
def test_false_friends_do_not_match(target: str, written: str) -> None:
    assert not same_company(written, [target])


def test_table_is_large_enough() -> None:
    assert len(SAME) + len(DIFFERENT) >= 25
    assert ("Globex", "Globex Bank") in DIFFERENT


def test_aliases_are_names_of_the_same_target() -> None:
    assert same_company("Globex Holdings, Inc.", ["Globex", "Globex Holdings"])
    assert not same_company("Globex Bank", ["Globex", "Globex Holdings"])


def test_keys_are_plain_words() -> None:
    assert company_key("  GLOBEX, Corporation ") == "globex"
    assert company_key("Stark & Wayne LLP") == "stark and wayne"
    assert company_key("The Company") == "company"
    assert company_key("Inc.") == "inc"
    assert company_key("!!!") == ""
    assert company_key("The The") == "the" and company_key("Tom and and Co") == "tom"


names = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), max_size=30)


@given(names)
def test_the_key_of_a_key_is_itself(name: str) -> None:
    key = company_key(name)
    assert company_key(key) == key


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=12).filter(
    lambda w: w not in LEGAL_SUFFIXES and w not in ("the", "and")), st.sampled_from(sorted(LEGAL_SUFFIXES)),
    st.sampled_from(["", ",", ".", ", "]))
def test_a_legal_form_never_changes_the_organisation(word: str, suffix: str, sep: str) -> None:
    assert company_key(f"{word.title()}{sep} {suffix.upper()}.") == company_key(word)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=12).filter(
    lambda w: w not in LEGAL_SUFFIXES and w not in ("the", "and")), st.sampled_from(["bank", "health", "labs"]))
def test_another_word_is_another_organisation(word: str, extra: str) -> None:
    assert not same_company(f"{word} {extra}", [word])
