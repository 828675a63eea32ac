"""The hand-written answer for plain ASCII addresses (compose/plainaddress.py) is email-validator's, and a plain
address is checked without importing email-validator."""

from __future__ import annotations

import subprocess
import sys
from unittest.mock import patch

import email_validator
import pytest
from email_validator import rfc_constants
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.compose import addresses, plainaddress
from outreach.errors import AddressError

ATEXT = "abcXYZ019!#$%&'*+-/=?^_`{|}~"
LOCALS = ["p", "first.last", "f_l", "x+tag", "a-b", "o'brien", "info", "INFO", "Postmaster", "ABUSE", "www", "wWw",
          "sales.team", "a..b", ".a", "a.", ".", "", '"quoted"', '"a b"', '"a@b"', "ünï", "e\u0301", "sp ace", "a@b",
          "a(b)", "a[b]", "a\\b", "a<b>", "a:b", "x" * 64, "x" * 65, "A" * 200, "\x00", "a\tb"]
LABELS = ["a", "A", "com", "COM", "Co", "c0m", "x1", "1", "123", "9a", "a-b", "a--b", "ab--c", "xn--bcher-kva",
          "XN--BCHER-KVA", "xn--", "-a", "a-", "-", "", "x" * 63, "x" * 64, "localhost", "LocalHost", "local", "test",
          "TEST", "onion", "arpa", "invalid", "example", "bücher", "ß", "ﬁ", "a_b", " ", "ａ", "İ", "K", "k\u0301"]
DOMAINS = ["example.com", "Example.COM", "mail.example.org", "localhost", "example", "test.local", "a.localhost",
           "[127.0.0.1]", "[IPv6:::1]", "[ipv6:::1]", "[1.2.3]", "example.com.", ".example.com", "example..com",
           "ex ample.com", "x" * 63 + ".com", "x" * 64 + ".com", ".".join(["abcdefghi"] * 24) + ".com",
           ".".join(["abcdefghi"] * 25) + ".com", "a.b-.com", "a.-b.com", "1.2.3.4", "example.c0m", "example.c1",
           "localhost.example.com", "test.example.com", "xn--bcher-kva.example.com", "ab--cd.example.com",
           "bücher.example.com", "BÜCHER.example.com", "ﬁ.example.com", "example。com", "exa_mple.com"]

label = st.one_of(st.sampled_from(LABELS), st.from_regex(r"[A-Za-z0-9\-]{1,66}", fullmatch=True))
domain = st.one_of(st.sampled_from(DOMAINS), st.lists(label, min_size=1, max_size=6).map(".".join),
                   st.lists(st.from_regex(r"[a-z0-9]{1,63}", fullmatch=True), min_size=2, max_size=6).map(
                       lambda labels: ".".join(labels) + ".com"))
local = st.one_of(st.sampled_from(LOCALS), st.from_regex(r"[A-Za-z0-9_+\-.]{0,70}", fullmatch=True),
                  st.lists(st.text(st.sampled_from(ATEXT), min_size=1, max_size=20), min_size=1, max_size=4).map(
                      ".".join),
                  st.text(alphabet=st.sampled_from(list(ATEXT + ".\"() ,;@\\üé\u0301[]<>:")), max_size=70),
                  st.sampled_from(sorted(plainaddress.ROLE_NAMES)).map(str.upper))


def email_validators(text: str) -> tuple[str, str | None] | None:
    """email-validator's normalised and ASCII forms of ``text``, or None when it refuses it."""
    try:
        valid = email_validator.validate_email(text, check_deliverability=False, allow_smtputf8=True)
    except email_validator.EmailNotValidError:
        return None
    return valid.normalized, valid.ascii_email


def fast(text: str) -> tuple[str, str | None] | None:
    """The hand-written answer for ``text`` (one address, stripped), or None when it leaves it to email-validator."""
    head, _, host = text.partition("@")
    plain_local, plain_domain = plainaddress.plain_local(head), plainaddress.plain_domain(host)
    if plain_local is None or plain_domain is None or len(text) > plainaddress.EMAIL_MAX_LENGTH:
        return None
    found = f"{plain_local}@{plain_domain}"
    return found, found


def test_the_constants_are_email_validators() -> None:
    assert plainaddress.ROLE_NAMES == frozenset(rfc_constants.CASE_INSENSITIVE_MAILBOX_NAMES)
    assert plainaddress.SPECIAL_USE_DOMAINS == frozenset(email_validator.SPECIAL_USE_DOMAIN_NAMES)
    assert plainaddress.EMAIL_MAX_LENGTH == rfc_constants.EMAIL_MAX_LENGTH
    assert (plainaddress._LOCAL_MAX, plainaddress._DOMAIN_MAX, plainaddress._LABEL_MAX) == (
        rfc_constants.LOCAL_PART_MAX_LENGTH, rfc_constants.DOMAIN_MAX_LENGTH, rfc_constants.DNS_LABEL_LENGTH_LIMIT)


@settings(max_examples=3000, deadline=None)
@given(local=local, domain=domain)
def test_a_plain_answer_is_email_validators(local: str, domain: str) -> None:
    text = f"{local}@{domain}"
    mine = fast(text)
    if mine is not None:
        assert email_validators(text) == mine, text


@settings(max_examples=1000, deadline=None)
@given(local=local, domain=domain, padding=st.sampled_from(["", " ", "\t", " \r\n", "\u00a0"]))
def test_validate_address_accepts_and_normalises_as_email_validator(local: str, domain: str, padding: str) -> None:
    """The public function, whichever way it answers (hand-written, a learnt domain, email-validator)."""
    text = f"{padding}{local}@{domain}{padding}"
    try:
        with patch.object(addresses, "_by_hand", lambda: True):  # as in a process that never loaded email-validator
            found: tuple[str, str | None] | None = (lambda a: (a.normalized, a.ascii))(addresses.validate_address(text))
    except AddressError:
        found = None
    expected = email_validators(text.strip())
    if expected is not None and ("\r" in text or "\n" in text or "," in text or ";" in text or text.count("@") > 1):
        expected = None  # outreach refuses these before email-validator sees them (one address per field)
    assert found == expected, text


@pytest.mark.parametrize("text, expected", [
    ("ada@example.com", "ada@example.com"), ("Ada.Lovelace+x@Example.COM", "Ada.Lovelace+x@example.com"),
    ("o'brien@mail.example.org", "o'brien@mail.example.org"), ("INFO@acme.co.uk", "info@acme.co.uk"),
    ("a@" + "x" * 63 + ".com", "a@" + "x" * 63 + ".com"), ("contact0@example.com", "contact0@example.com"),
    ("x@a-b.c0m", "x@a-b.c0m"), ("{x}|~@example.com", "{x}|~@example.com"),
])
def test_common_addresses_are_answered_by_hand(text: str, expected: str) -> None:
    assert fast(text) == (expected, expected)
    assert email_validators(text) == (expected, expected)


@pytest.mark.parametrize("text", [
    "a@bücher.de", "a@xn--bcher-kva.de", "a@ab--cd.com", "a@localhost", "a@mail.localhost", "a@x.test", "a@x.local",
    "a@[127.0.0.1]", '"a b"@example.com', "zoë@example.com", "a@example", "a@example.c1", "a@example.com.",
    "a..b@example.com", "x" * 65 + "@example.com", "a@" + "x" * 64 + ".com", "a@-x.com", "a@x-.com", "a@x_y.com",
])
def test_anything_else_is_left_to_email_validator(text: str) -> None:
    assert fast(text) is None


def test_the_longest_plain_address_is_checked_as_email_validator_does() -> None:
    host = "d" * 60 + "." + "e" * 60 + "." + "f" * 60 + ".com"
    for n in range(1, 80):
        text = "l" * n + "@" + host
        try:
            found: tuple[str, str | None] | None = (lambda a: (a.normalized, a.ascii))(addresses.validate_address(text))
        except AddressError:
            found = None
        assert found == email_validators(text), n


def test_plain_addresses_do_not_import_email_validator() -> None:
    probe = ("import sys\nfrom outreach.compose.addresses import validate_address, address_key\n"
             "validate_address('Ada.Lovelace@Example.COM'); address_key('info@acme.co.uk'); address_key('bad@@x')\n"
             "print('email_validator' in sys.modules)\n"
             "validate_address('zoë@bücher.example.com')\nprint('email_validator' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]


def test_a_program_that_changed_email_validators_settings_gets_its_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """email-validator lets a program add special-use domains; once it is loaded, it answers for new domains."""
    monkeypatch.setattr(email_validator, "SPECIAL_USE_DOMAIN_NAMES",
                        [*email_validator.SPECIAL_USE_DOMAIN_NAMES, "internal"])
    with pytest.raises(AddressError, match="special-use or reserved"):
        addresses.validate_address("ada@corp.internal")
    assert plainaddress.plain_domain("corp.internal") == "corp.internal"  # what the hand-made answer would say
