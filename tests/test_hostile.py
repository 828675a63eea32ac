"""Findings 2, 3, 4 and 6: garbage after DATA, long display names, hostile templates, control characters."""

from __future__ import annotations

import os
import time
from email import message_from_bytes, policy
from email.headerregistry import Address as HeaderAddress
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from raw_smtp import raw_server

from outreach import (
    Contact,
    Draft,
    HeaderError,
    Recipient,
    Renderer,
    Sender,
    Status,
    Store,
    TemplateError,
    UnknownOutcomeError,
    ValidationError,
    build_message,
    prepare_batch,
    send_batch,
    serialize,
)
from outreach.compose.controls import clean
from outreach.transports.smtp import SmtpTransport

SENDER = Sender(name="Sam Rivera", email="sam@example.edu")


def draft(name: str, to: str = "bob@example.com") -> Draft:
    return Draft(template="intro", to=Contact(email=to, name=name), subject="Hello", html="<p>Hi</p>", text="Hi\n")


# Finding 2 ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("pipelining", [False, True])
def test_garbage_after_data_is_unknown_and_never_retried(tmp_path: Path, pipelining: bool) -> None:
    store = Store(tmp_path / "s.sqlite3")
    with raw_server("garbage", pipelining=pipelining) as server:
        entries = prepare_batch("intro", [Recipient(Contact(email="ada@example.com", name="Ada"), {"topic": "x"})],
                                sender=SENDER, renderer=Renderer(), store=store)
        transport = SmtpTransport("127.0.0.1", server.port, security="none", timeout=5)
        summary = send_batch(entries, transport, store, retry_delays=(0.0, 0.0))
        again = send_batch(entries, SmtpTransport("127.0.0.1", server.port, security="none", timeout=5), store,
                           retry_delays=(0.0, 0.0))
        assert server.deliveries == 1
    assert [o.status for o in summary.outcomes] == [Status.UNKNOWN]
    assert [o.status for o in again.outcomes] == [Status.UNKNOWN] and again.outcomes[0].earlier


@pytest.mark.parametrize("pipelining", [False, True])
def test_a_dripping_server_is_cut_off_at_the_message_deadline(pipelining: bool) -> None:
    data, envelope = serialize(build_message(draft("Ada"), SENDER))
    with raw_server("drip", pipelining=pipelining) as server:
        transport = SmtpTransport("127.0.0.1", server.port, security="none", timeout=0.3)
        started = time.monotonic()
        with transport, pytest.raises(UnknownOutcomeError) as info:
            transport.send(data, envelope)
        took = time.monotonic() - started
    assert took < 0.3 * 4 + 2
    assert "deadline" in str(info.value) or "longer than" in str(info.value)


def test_a_reconnection_that_drips_is_cut_off_at_the_message_deadline() -> None:
    from outreach import TransientError

    data, envelope = serialize(build_message(draft("Ada"), SENDER))
    with raw_server("drip-ehlo") as server:
        transport = SmtpTransport("127.0.0.1", server.port, security="none", timeout=0.3)
        started = time.monotonic()
        with pytest.raises(TransientError, match="deadline"):
            transport.send(data, envelope)
        took = time.monotonic() - started
        transport.close()
    assert took < 0.3 * 4 + 2


# Finding 3 ---------------------------------------------------------------------------------------------------

def test_a_long_name_with_a_comma_and_an_address_is_refused_naming_the_contact() -> None:
    name = "Ada Lovelace " * 80 + ", Evil <evil@attacker.example>"
    with pytest.raises(HeaderError) as info:
        build_message(draft(name), SENDER)
    assert "bob@example.com" in str(info.value) and "200" in str(info.value)


def test_a_padded_quoted_name_is_refused_in_a_batch() -> None:
    name = "Lovelace, Ada" + "a" * 987
    with pytest.raises(ValidationError) as info:
        prepare_batch("intro", [Recipient(Contact(email="bob@example.com", name=name), {"topic": "x"},
                                          where="row 2")], sender=SENDER, renderer=Renderer())
    assert "row 2" in str(info.value) and "too long" in str(info.value)


def test_a_subject_over_998_encoded_octets_is_refused() -> None:
    long = Draft(template="intro", to=Contact(email="bob@example.com", name="Bob"), subject="é" * 400,
                 html="<p>Hi</p>", text="Hi\n")
    with pytest.raises(HeaderError) as info:
        serialize(build_message(long, SENDER))
    assert "998" in str(info.value)


names = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp")), max_size=200)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=names, sender_name=names)
def test_every_address_header_parses_back_to_the_same_single_address(name: str, sender_name: str) -> None:
    try:
        data, _ = serialize(build_message(draft(name), Sender(name=sender_name, email="sam@example.edu")))
    except HeaderError:
        return
    head = data.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 998 for line in head.split(b"\r\n"))
    msg = message_from_bytes(data, policy=policy.default)
    to = msg["To"].addresses
    assert len(to) == 1 and to[0].addr_spec == "bob@example.com"
    assert to[0].display_name == " ".join(name.split())
    sender = msg["From"].addresses
    assert len(sender) == 1 and sender[0].addr_spec == "sam@example.edu"
    assert sender[0].display_name == " ".join(sender_name.split())
    assert isinstance(to[0], HeaderAddress)


# Finding 4 ---------------------------------------------------------------------------------------------------

def template(folder: Path, name: str, body: str) -> None:
    (folder / f"{name}.html").write_text(f'+++\nkind = "intro"\nsubject = "Hi"\n+++\n{body}\n', encoding="utf-8")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    mine = tmp_path / "templates"
    mine.mkdir()
    (tmp_path / "secret.txt").write_text("the keyring file", encoding="utf-8")
    return mine


@pytest.mark.parametrize("body", [
    '{% include "SECRET" %}',
    '{% include "../secret.txt" %}',
    '{% include "sub/../../secret.txt" %}',
    '{% extends "SECRET" %}',
])
def test_templates_cannot_include_files_outside_their_folders(folder: Path, body: str) -> None:
    template(folder, "evil", body.replace("SECRET", str(folder.parent / "secret.txt")))
    with pytest.raises(TemplateError):
        Renderer([folder]).render("evil", Contact(email="a@example.com", name="A"), SENDER)


def test_a_symlink_out_of_the_folder_is_refused(folder: Path) -> None:
    os.symlink(folder.parent / "secret.txt", folder / "link.txt")
    template(folder, "evil", '{% include "link.txt" %}')
    with pytest.raises(TemplateError):
        Renderer([folder]).render("evil", Contact(email="a@example.com", name="A"), SENDER)


def test_a_symlinked_template_out_of_the_folder_is_refused(folder: Path) -> None:
    outside = folder.parent / "outside.html"
    outside.write_text('+++\nsubject = "x"\n+++\nhi\n', encoding="utf-8")
    os.symlink(outside, folder / "sneaky.html")
    with pytest.raises(TemplateError):
        Renderer([folder]).render("sneaky", Contact(email="a@example.com", name="A"), SENDER)


def test_an_include_inside_the_folder_still_works(folder: Path) -> None:
    (folder / "sig.txt").write_text("Best, {{ sender.name }}", encoding="utf-8")
    template(folder, "ok", '<p>Hi</p>{% include "sig.txt" %}')
    out = Renderer([folder]).render("ok", Contact(email="a@example.com", name="A"), SENDER)
    assert "Best, Sam Rivera" in out.html


@pytest.mark.parametrize("expr", [
    '{{ cycler.__init__.__globals__.os.popen("id").read() }}',
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    '{{ self._TemplateReference__context }}',
])
def test_templates_cannot_reach_python_internals(folder: Path, expr: str) -> None:
    template(folder, "evil", expr)
    with pytest.raises(TemplateError):
        Renderer([folder]).render("evil", Contact(email="a@example.com", name="A"), SENDER)


@pytest.mark.parametrize("name", ["../secret", "/etc/passwd", "sub/intro", "..", ""])
def test_template_names_are_names_not_paths(folder: Path, name: str) -> None:
    with pytest.raises(TemplateError):
        Renderer([folder]).template(name)


# Finding 6 ---------------------------------------------------------------------------------------------------

HOSTILE = "\x1b]0;pwned\x07Re: hi\x1b]52;c;ZXZpbA==\x07\x9b31m\u202eevil\u2066x\u2069\x00\r"


def test_control_characters_are_stripped_for_the_terminal() -> None:
    assert clean(HOSTILE) == "]0;pwnedRe: hi]52;c;ZXZpbA==31mevilx"
    assert clean("a\tb\nc") == "a\tb\nc"


@pytest.mark.parametrize("bad", ["\x1b[31m", "\x07", "\x9b", "\u202e", "\u2067", "\x7f"])
def test_control_characters_are_refused_in_display_names(bad: str) -> None:
    with pytest.raises(HeaderError) as info:
        build_message(draft(f"Ada{bad}Lovelace"), SENDER)
    assert "control character" in str(info.value)


def test_cli_output_of_outside_text_is_cleaned(config_file: Path) -> None:
    from click.testing import CliRunner

    from outreach.cli import cli

    result = CliRunner().invoke(cli, ["contacts", "add", "ada@example.com", "--name", "Ada Lovelace",
                                      "--company", "\x1b]0;pwned\x07Acme"])
    result = CliRunner().invoke(cli, ["contacts", "list"])
    assert "Acme" in result.output and "\x1b" not in result.output and "\x07" not in result.output


@pytest.mark.parametrize("name", ["../somewhere", "/etc/passwd", "templates/intro"])
def test_preview_and_send_take_template_names_not_paths(config_file: Path, name: str) -> None:
    from click.testing import CliRunner

    from outreach.cli import cli

    for command in (["preview", name], ["send", name, "--to", "ada@example.com", "--var", "topic=x"]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 2 and "not a template name" in result.output, result.output
