"""Messages: MIME structure parsed back, threading headers, attachments, header and address safety."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach import (
    AddressError,
    AttachmentError,
    Contact,
    Draft,
    HeaderError,
    Sender,
    build_message,
    serialize,
    validate_address,
)
from outreach.compose.message import reply_subject, tidy

SENDER = Sender(name="Sam Rivera", email="sam@example.edu")


def draft(**kw: object) -> Draft:
    base: dict[str, object] = {"template": "intro", "to": Contact(email="ada@example.com", name="Ada Lovelace"),
                               "subject": "Hello", "html": "<p>Hi</p>", "text": "Hi\n"}
    base.update(kw)
    return Draft(**base)  # type: ignore[arg-type]


def parsed(d: Draft, sender: Sender = SENDER) -> EmailMessage:
    data, _ = serialize(build_message(d, sender))
    return message_from_bytes(data.replace(b"\r\n", b"\n"), policy=policy.default)  # type: ignore[return-value]


def test_multipart_alternative_with_text_first_and_html_last() -> None:
    msg = parsed(draft())
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg.get_body(("plain",)).get_content() == "Hi\n"
    html = msg.get_body(("html",)).get_content()
    assert html.startswith("<!DOCTYPE html>\n<html>") and "<body>\n<p>Hi</p>" in html and html.endswith("</html>\n")
    assert str(msg["From"]) == "Sam Rivera <sam@example.edu>"
    assert msg["To"].addresses[0].display_name == "Ada Lovelace"
    assert msg["Date"].datetime is not None


def test_message_ids_are_unique_and_use_the_sender_domain() -> None:
    ids = {str(parsed(draft())["Message-ID"]) for _ in range(50)}
    assert len(ids) == 50
    assert all(i.startswith("<") and i.endswith("@example.edu>") for i in ids)


def test_unicode_names_round_trip() -> None:
    to = Contact(email="zoe@example.com", name="Zoë O'Brien-Müller")
    msg = parsed(draft(to=to, subject="Über café ☕ — Tom & Jerry"), Sender("Łucja Nowak", "sam@example.edu"))
    assert msg["To"].addresses[0].display_name == "Zoë O'Brien-Müller"
    assert str(msg["Subject"]) == "Über café ☕ — Tom & Jerry"
    assert msg["From"].addresses[0].display_name == "Łucja Nowak"


def test_reply_headers_and_subject() -> None:
    msg = parsed(draft(subject=reply_subject("Re: Coffee?"), in_reply_to="<b@x>", references=("<a@x>", "<b@x>")))
    assert str(msg["In-Reply-To"]) == "<b@x>"
    assert str(msg["References"]) == "<a@x> <b@x>"
    assert str(msg["Subject"]) == "Re: Coffee?"
    assert reply_subject("Coffee?") == "Re: Coffee?"
    assert reply_subject("RE: Coffee?") == "RE: Coffee?"


def test_attachment_is_added_with_a_guessed_type(tmp_path: Path) -> None:
    resume = tmp_path / "Résumé Sam.pdf"
    resume.write_bytes(b"%PDF-1.4 fake")
    msg = parsed(draft(attachments=(resume,)))
    assert msg.get_content_type() == "multipart/mixed"
    parts = list(msg.iter_attachments())
    assert len(parts) == 1 and parts[0].get_content_type() == "application/pdf"
    assert parts[0].get_filename() == "Résumé Sam.pdf" and parts[0].get_content() == b"%PDF-1.4 fake"
    assert msg.get_body(("plain",)).get_content() == "Hi\n"


def test_missing_attachment_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(AttachmentError, match="does not exist"):
        build_message(draft(attachments=(tmp_path / "nope.pdf",)), SENDER)
    with pytest.raises(AttachmentError, match="folder"):
        build_message(draft(attachments=(tmp_path,)), SENDER)


@pytest.mark.parametrize(
    "bad",
    ["a@x.com, b@y.com", "a@x.com;b@y.com", "a@x.com b@y.com", "ada@", "@example.com", "ada@exmaple",
     "Ada <ada@example.com>", "ada@example.com\nBcc: eve@example.com", ""],
)
def test_invalid_addresses_are_refused(bad: str) -> None:
    with pytest.raises(AddressError):
        validate_address(bad)
    with pytest.raises(AddressError):
        build_message(draft(to=Contact(email=bad)), SENDER)


def test_internationalised_domain_is_sent_in_ascii() -> None:
    msg = parsed(draft(to=Contact(email="ada@bücher.de", name="Ada")))
    assert msg["To"].addresses[0].addr_spec == "ada@xn--bcher-kva.de"


def test_non_ascii_local_part_needs_smtputf8() -> None:
    data, envelope = serialize(build_message(draft(to=Contact(email="zoë@example.com")), SENDER))
    assert envelope.smtputf8 is True and envelope.recipients == ("zoë@example.com",)
    assert "zoë@example.com".encode() in data
    assert validate_address("zoë@example.com").needs_smtputf8


@pytest.mark.parametrize("field", ["subject", "to_name", "from_name", "extra", "in_reply_to"])
@pytest.mark.parametrize("evil", ["x\nBcc: eve@example.com", "x\r\nBcc: eve@example.com", "x\r", "=?UTF-8?Q?=0A?=Bcc: e",
                                  "=?utf-8?b?Cg==?=", "a =?UTF-8?Q?x=0D=0ABcc:_e?= b"])
def test_line_breaks_are_refused_in_every_header(field: str, evil: str) -> None:
    d = {
        "subject": lambda: draft(subject=evil),
        "to_name": lambda: draft(to=Contact(email="ada@example.com", name=evil)),
        "from_name": lambda: draft(),
        "extra": lambda: draft(headers={"X-Campaign": evil}),
        "in_reply_to": lambda: draft(in_reply_to=evil),
    }[field]()
    sender = Sender(name=evil, email="sam@example.edu") if field == "from_name" else SENDER
    with pytest.raises(HeaderError):
        serialize(build_message(d, sender))


def test_headers_outreach_sets_cannot_be_overridden() -> None:
    with pytest.raises(HeaderError, match="set by outreach"):
        build_message(draft(headers={"Bcc": "eve@example.com"}), SENDER)
    with pytest.raises(HeaderError, match="not a valid header name"):
        build_message(draft(headers={"X Bad": "v"}), SENDER)


NEWLINE_TEXT = st.text().flatmap(
    lambda s: st.integers(0, len(s)).map(lambda i: s[:i] + "\n" + s[i:])
) | st.text().map(lambda s: s + "\r")
ENCODED_NEWLINE = st.sampled_from(["=?UTF-8?Q?=0A?=", "=?utf-8?q?a=0D?=", "=?UTF-8?B?Cg==?=", "=?iso-8859-1?q?=0d=0a?="])


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(NEWLINE_TEXT, st.tuples(st.text(), ENCODED_NEWLINE, st.text()).map("".join)))
def test_any_text_with_a_line_break_is_refused(value: str) -> None:
    with pytest.raises(HeaderError):
        serialize(build_message(draft(subject=value), SENDER))
    with pytest.raises(HeaderError):
        serialize(build_message(draft(to=Contact(email="ada@example.com", name=value)), SENDER))


BIDI_CONTROLS = "".join(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
SAFE_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"),
                                  blacklist_characters="\u2028\u2029\x85" + BIDI_CONTROLS),
                    max_size=200).filter(lambda s: "=?" not in s)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(SAFE_TEXT, SAFE_TEXT)
def test_any_other_text_round_trips(subject: str, name: str) -> None:
    msg = parsed(draft(subject=subject, to=Contact(email="ada@example.com", name=name)))
    assert str(msg["Subject"]) == tidy(subject)
    assert msg["To"].addresses[0].display_name == tidy(name)
    assert msg["To"].addresses[0].addr_spec == "ada@example.com"
    assert set(msg.keys()) == {"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"}


@pytest.mark.parametrize("subject", [
    "Société at engineering München in Société I reach Générale café München question I O'Brien-Müller résumé",
    "000000¡¡¡¡¡¡\U00010000\U00010000\U00010000\U00010000\U00010000\U00010000 ¡ ¡",
])
def test_long_non_ascii_subjects_keep_their_spaces(subject: str) -> None:
    # Folding at 78 columns in the standard library drops the space between two encoded words.
    assert str(parsed(draft(subject=subject))["Subject"]) == subject


LOCAL = st.from_regex(r"[a-z0-9](?:[a-z0-9_+-]{0,15}[a-z0-9])?(?:\.[a-z0-9]{1,8}){0,2}", fullmatch=True)
# IDNA reserves "??--" (two characters then two hyphens) for Punycode labels.
LABEL = st.from_regex(r"[a-z](?:[a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True).filter(lambda label: label[2:4] != "--")
DOMAIN = st.tuples(st.lists(LABEL, min_size=1, max_size=3), st.sampled_from(["com", "org", "net", "io", "de"])).map(
    lambda parts: ".".join([*parts[0], parts[1]]))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(LOCAL, DOMAIN)
def test_valid_addresses_reach_the_envelope_and_header(local: str, domain: str) -> None:
    address = f"{local}@{domain}"
    data, envelope = serialize(build_message(draft(to=Contact(email=address, name="Ada")), SENDER))
    msg = message_from_bytes(data, policy=policy.default)
    assert envelope.recipients == (address,)
    assert msg["To"].addresses[0].addr_spec == address


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(LOCAL, DOMAIN, st.sampled_from([",", ";", " ", "\n", "\t"]), LOCAL, DOMAIN)
def test_two_addresses_in_one_field_are_refused(l1: str, d1: str, sep: str, l2: str, d2: str) -> None:
    with pytest.raises(AddressError):
        validate_address(f"{l1}@{d1}{sep}{l2}@{d2}")
