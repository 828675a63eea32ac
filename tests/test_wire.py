"""The exact-bytes builder against ``EmailMessage``: the same drafts parse back to the same message."""

from __future__ import annotations

from datetime import datetime, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach import AttachmentError, Contact, Draft, HeaderError, Sender, build_message, serialize
from outreach.compose.wire import build_bytes, encode_words

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
SENDER = Sender(name="Sam Rivera", email="sam@example.edu")
BIDI = "".join(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85" + BIDI),
               max_size=120)
BODY = st.text(st.characters(blacklist_categories=("Cs",),
                             blacklist_characters="\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"), max_size=400)
LOCAL = st.from_regex(r"[a-z0-9](?:[a-z0-9_+-]{0,12}[a-z0-9])?(?:\.[a-z0-9]{1,6}){0,2}", fullmatch=True)
DOMAIN = st.sampled_from(["example.com", "exämple.de", "b\u00fccher.example", "sub.example.org"])
MSGID = st.from_regex(r"<[a-z0-9.]{1,20}@[a-z]{1,10}\.example>", fullmatch=True)


def _parse(data: bytes) -> EmailMessage:
    return message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


def _utf8(text: str) -> str:
    """A header read from raw UTF-8 bytes (SMTPUTF8), as text."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8")


def _lines(text: str) -> str:
    """Text with its line ends in one form (a part may carry CRLF or LF depending on its transfer encoding)."""
    return text.replace("\r\n", "\n")


def _read(msg: EmailMessage) -> dict[str, object]:
    """Everything a reader sees of a message: headers, addresses, text, HTML and attachments."""
    skip = {"content-type", "mime-version", "content-transfer-encoding"}
    attachments = [(a.get_filename(), a.get_content_type(), a.get_content()) for a in msg.iter_attachments()]
    return {
        "headers": [(k.lower(), str(v)) for k, v in msg.items() if k.lower() not in skip],
        "from": [(_utf8(a.display_name), _utf8(a.addr_spec)) for a in msg["From"].addresses],
        "to": [(_utf8(a.display_name), _utf8(a.addr_spec)) for a in msg["To"].addresses],
        "text": _lines(msg.get_body(("plain",)).get_content()),
        "html": _lines(msg.get_body(("html",)).get_content()),
        "attachments": attachments,
        "type": msg.get_content_type(),
    }


def both(d: Draft, sender: Sender = SENDER) -> tuple[dict[str, object], dict[str, object], bytes]:
    ours, envelope = build_bytes(d, sender, message_id="<m1@example.edu>", now=NOW)
    theirs, their_envelope = serialize(build_message(d, sender, message_id="<m1@example.edu>", now=NOW))
    assert envelope == their_envelope
    return _read(_parse(ours)), _read(_parse(theirs)), ours


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=TEXT, name=TEXT, sender_name=TEXT, text=BODY, html=BODY, local=LOCAL, domain=DOMAIN,
       refs=st.lists(MSGID, max_size=4), extra=st.one_of(st.none(), TEXT))
def test_both_builders_read_back_the_same(subject: str, name: str, sender_name: str, text: str, html: str,
                                          local: str, domain: str, refs: list[str], extra: str | None) -> None:
    d = Draft(template="t", to=Contact(email=f"{local}@{domain}", name=name), subject=subject, html=html, text=text,
              in_reply_to=refs[-1] if refs else None, references=tuple(refs),
              headers={"X-Campaign": extra} if extra is not None else {})
    sender = Sender(name=sender_name, email="sam@example.edu")
    ours, theirs, data = both(d, sender)
    assert ours == theirs
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


@pytest.mark.parametrize("extra", [" \xa0", "  é", "\tü", " a", "é  x", "\xa0 "])
def test_blanks_before_a_header_value_read_back_as_the_standard_library_writes_them(extra: str) -> None:
    d = Draft(template="t", to=Contact(email="a@example.com", name=""), subject="Hi", html="", text="",
              headers={"X-Campaign": extra})
    ours, theirs, _ = both(d)
    assert ours == theirs


@pytest.mark.parametrize("filename", ["cv.pdf", "Lebenslauf Müller.pdf", 'odd "name".txt', "notes.txt", "x" * 200])
def test_attachments_read_back_the_same(tmp_path: Path, filename: str) -> None:
    path = tmp_path / filename
    path.write_bytes(bytes(range(256)) * 40)
    d = Draft(template="t", to=Contact(email="ada@example.com", name="Ada"), subject="CV", html="<p>Hi</p>",
              text="Hi\n", attachments=(path,))
    ours, theirs, _ = both(d)
    assert ours == theirs and ours["type"] == "multipart/mixed"


def test_non_ascii_local_part_is_written_as_utf8() -> None:
    d = Draft(template="t", to=Contact(email="zoë@example.com", name="Zoë"), subject="Hi", html="<p>Hi</p>",
              text="Hi\n")
    ours, theirs, data = both(d)
    assert ours["to"] == theirs["to"] == [("Zoë", "zoë@example.com")] and "zoë@example.com".encode() in data
    assert ours["text"] == theirs["text"] and ours["html"] == theirs["html"]


@pytest.mark.parametrize("draft", [
    Draft(template="t", to=Contact(email="ada@example.com", name="Ada\r\nBcc: x@evil.example"), subject="s",
          html="", text=""),
    Draft(template="t", to=Contact(email="ada@example.com", name="Ada"), subject="=?UTF-8?Q?=0A?=", html="", text=""),
    Draft(template="t", to=Contact(email="ada@example.com", name="A" * 201), subject="s", html="", text=""),
    Draft(template="t", to=Contact(email="ada@example.com", name="Ada"), subject="ü" * 500, html="", text=""),
    Draft(template="t", to=Contact(email="ada@example.com", name="Ada"), subject="s", html="", text="",
          headers={"Subject": "again"}),
    Draft(template="t", to=Contact(email="ada@example.com", name="Ada"), subject="s\x1b[31m", html="", text=""),
])
def test_what_the_standard_builder_refuses_is_refused(draft: Draft) -> None:
    with pytest.raises(HeaderError):
        serialize(build_message(draft, SENDER))
    with pytest.raises(HeaderError):
        build_bytes(draft, SENDER)


def test_missing_attachment_is_refused(tmp_path: Path) -> None:
    d = Draft(template="t", to=Contact(email="ada@example.com", name="Ada"), subject="s", html="", text="",
              attachments=(tmp_path / "nope.pdf",))
    with pytest.raises(AttachmentError):
        build_bytes(d, SENDER)


@given(TEXT)
def test_encoded_words_are_short_and_decode_to_the_text(text: str) -> None:
    from email.header import decode_header, make_header

    words = encode_words(text)
    assert all(len(w) <= 75 for w in words.split(" "))
    assert str(make_header(decode_header(words))) == text


def test_a_non_ascii_message_id_from_a_thread_is_encoded_not_a_crash() -> None:
    d = Draft(template="t", to=Contact(email="ada@example.com", name="Ada"), subject="Re: x", html="<p>Hi</p>",
              text="Hi\n", in_reply_to="<é@example.com>", references=("<a@example.com>", "<é@example.com>"))
    ours, theirs, data = both(d)
    assert ours == theirs and data.isascii()


def test_long_references_fold_between_ids() -> None:
    refs = tuple(f"<{i:04d}.{'x' * 60}@example.com>" for i in range(40))
    d = Draft(template="t", to=Contact(email="ada@example.com", name="Ada"), subject="Re: x", html="<p>Hi</p>",
              text="Hi\n", in_reply_to=refs[-1], references=refs)
    ours, theirs, data = both(d)
    assert ours == theirs
    assert max(len(line) for line in data.split(b"\r\n\r\n")[0].split(b"\r\n")) <= 998


def _registry_reads(field: str, raw: str) -> tuple[tuple[str, str], ...]:
    """The addresses of header line ``raw`` as the standard library's header registry reads them."""
    from email.headerregistry import HeaderRegistry

    header = HeaderRegistry()[field.lower()](field, raw.partition(":")[2].lstrip())
    return tuple((a.display_name, a.addr_spec) for a in header.addresses)


ADDRESS_TEXT = st.text(st.one_of(st.sampled_from(list('"\\<>@,;:.()[] \t=?_\'')), st.characters(
    blacklist_categories=("Cs",), blacklist_characters="\r\n")), max_size=60)


@settings(max_examples=400, deadline=None)
@given(value=st.one_of(ADDRESS_TEXT, st.builds(lambda n, a: f"{n} <{a}>", ADDRESS_TEXT, ADDRESS_TEXT),
                       st.builds(lambda n, l, d: f'"{n}" <{l}@{d}>', ADDRESS_TEXT, LOCAL, DOMAIN)))
def test_address_read_back_is_the_header_registrys(value: str) -> None:
    from outreach.compose.headers import _read_addresses

    def outcome(read: object, field: str) -> object:
        try:
            return read(field, f"{field}: {value}")  # type: ignore[operator]
        except Exception as exc:  # the standard library's own parser fails on some input: both must fail alike
            return type(exc)

    for field in ("From", "To"):
        assert outcome(_read_addresses.__wrapped__, field) == outcome(_registry_reads, field)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=TEXT, local=LOCAL, domain=DOMAIN)
def test_address_read_back_of_built_to_lines_is_the_header_registrys(name: str, local: str, domain: str) -> None:
    from outreach.compose.headers import _header_lines, _read_addresses

    data, _ = build_bytes(Draft(template="t", to=Contact(email=f"{local}@{domain}", name=name), subject="s",
                                html="<p>x</p>", text="x"), SENDER, message_id="<m1@example.edu>", now=NOW)
    raw = b"".join(_header_lines(data)["to"]).decode("utf-8", "replace")
    assert _read_addresses("To", raw) == _registry_reads("To", raw)


def test_the_date_header_is_each_messages_own_time_in_its_own_zone() -> None:
    from datetime import timedelta

    draft = Draft(template="t", to=Contact(email="kai@example.com", name="Kai"), subject="s", html="<p>x</p>", text="x")
    same_moment = NOW.astimezone(timezone(timedelta(hours=1)))
    dates = [_parse(build_bytes(draft, SENDER, message_id="<m@example.edu>", now=when)[0])["Date"]
             for when in (NOW, NOW, same_moment, NOW + timedelta(seconds=1))]
    assert [str(d) for d in dates] == ["Fri, 27 Nov 2026 09:00:00 +0000", "Fri, 27 Nov 2026 09:00:00 +0000",
                                       "Fri, 27 Nov 2026 10:00:00 +0100", "Fri, 27 Nov 2026 09:00:01 +0000"]


@pytest.mark.parametrize("char", [chr(c) for c in range(128)])
def test_an_ascii_address_looks_like_itself_unless_it_routes_on(char: str) -> None:
    """The look-alike check's ASCII shortcut: no ASCII character is full-width, changed by NFKC, or a non-Latin letter."""
    import unicodedata

    from outreach.compose import lookalike

    assert unicodedata.normalize("NFKC", char) == char and not 0xFF00 <= ord(char) <= 0xFFEF
    assert lookalike._script(char) in (None, "LATIN")
    address = f"a{char}b@ex{char}ample.com"
    routes = char in "%!"
    assert (lookalike.lookalike_reason(address) is not None) == routes


NAME_CHARS = st.one_of(st.sampled_from(list("aZéßЖ中ǅ٣²Ⅻ'.,&- ") + ["e\u0301", "\xa0", "_", '"', "(", "=?", "?="]),
                       st.characters(blacklist_categories=("Cs",)))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.lists(NAME_CHARS, max_size=40).map("".join), local=LOCAL, domain=DOMAIN)
def test_a_to_line_taken_as_written_is_what_the_standard_library_reads(name: str, local: str, domain: str) -> None:
    """The To line is not parsed back when its name and address are plain: the library must read exactly those."""
    from outreach.compose.headers import _header_lines
    from outreach.compose.wire import _Mailbox, reads_as_written

    try:
        data, envelope = build_bytes(Draft(template="t", to=Contact(email=f"{local}@{domain}", name=name), subject="s",
                                           html="<p>x</p>", text="x"), SENDER, message_id="<m1@example.edu>", now=NOW)
    except HeaderError:
        return
    box = _Mailbox(" ".join(name.split()), envelope.recipients[0])
    if reads_as_written(box):
        raw = b"".join(_header_lines(data)["to"]).decode("utf-8", "replace")
        assert _registry_reads("To", raw) == ((box.display_name, box.addr_spec),)


@pytest.mark.parametrize("name", ["Zoë O'Brien-Müller", "Stark & Wayne, LLP", "Dr. Ana Lima", "李 小龙", "Ⅻ ٣", "",
                                  "'", "-", ".", "A.", "O'", "Renée-Björn Ø"])
def test_plain_names_are_taken_as_written(name: str) -> None:
    from outreach.compose.headers import _header_lines
    from outreach.compose.wire import _Mailbox, reads_as_written

    data, _ = build_bytes(Draft(template="t", to=Contact(email="kai@example.com", name=name), subject="s",
                                html="<p>x</p>", text="x"), SENDER, message_id="<m1@example.edu>", now=NOW)
    assert reads_as_written(_Mailbox(name, "kai@example.com"))
    raw = b"".join(_header_lines(data)["to"]).decode("utf-8", "replace")
    assert _registry_reads("To", raw) == ((name, "kai@example.com"),)


@pytest.mark.parametrize("name", ['A "B"', "a_b", "x=?y", "e\u0301", "A  B", " A", "(A)", "a@b"])
def test_other_names_are_parsed_back(name: str) -> None:
    from outreach.compose.wire import _Mailbox, reads_as_written

    assert not reads_as_written(_Mailbox(name, "kai@example.com"))
