"""The SMTP transport against real aiosmtpd servers on 127.0.0.1: TLS, AUTH, and injected faults."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
import trustme
from smtp_client import message, transport
from smtp_server import PASSWORD, USER, Sink, start_server

from outreach import AuthError, ConnectError, PermanentError, TransientError, TransportError, UnknownOutcomeError
from outreach.compose.message import Envelope
from outreach.transports.smtp import SmtpTransport



def test_plain_relay_delivers_over_one_connection(plain_server: tuple[Sink, int]) -> None:
    sink, port = plain_server
    sent = [message(f"ada{i}@example.com") for i in range(5)]
    t = transport(port)
    with t:
        replies = [t.send(data, env).reply for data, env in sent]
    assert t.connections == 1
    assert all(r.startswith("250") for r in replies)
    assert [str(m["Message-ID"]) for m in sink.messages] == [
        str(__import__("email").message_from_bytes(d)["Message-ID"]) for d, _ in sent
    ]


def test_starttls_with_verified_certificate_and_auth(starttls_server: tuple[Sink, int], ca_file: Path) -> None:
    sink, port = starttls_server
    t = transport(port, security="starttls", ca_file=ca_file, username=USER, password=lambda: PASSWORD)
    with t:
        t.send(*message("ada@example.com"))
    assert len(sink.messages) == 1


def test_implicit_tls_with_auth(ssl_server: tuple[Sink, int], ca_file: Path) -> None:
    sink, port = ssl_server
    with transport(port, security="ssl", ca_file=ca_file, username=USER, password=lambda: PASSWORD) as t:
        t.send(*message("ada@example.com"))
    assert len(sink.messages) == 1


def test_wrong_password_is_an_auth_error_without_the_password(starttls_server: tuple[Sink, int],
                                                               ca_file: Path) -> None:
    _, port = starttls_server
    t = transport(port, security="starttls", ca_file=ca_file, username=USER, password=lambda: "hunter2-wrong")
    with pytest.raises(AuthError, match="535") as info:
        t.open()
    assert "hunter2" not in str(info.value) and "outreach login" in str(info.value)


def test_untrusted_certificate_is_refused(starttls_server: tuple[Sink, int]) -> None:
    _, port = starttls_server
    with pytest.raises(TransportError, match="certificate could not be verified"):
        transport(port, security="starttls", username=USER, password=lambda: PASSWORD).open()


def test_self_signed_server_is_refused(sink: Sink, ca_file: Path) -> None:
    other = trustme.CA()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    other.issue_cert("127.0.0.1").configure_cert(ctx)
    controller = start_server(sink, ssl_context=ctx)
    try:
        with pytest.raises(TransportError, match="certificate could not be verified"):
            transport(controller.port, security="ssl", ca_file=ca_file).open()
    finally:
        controller.stop()


def test_server_without_starttls_is_refused_before_auth(plain_server: tuple[Sink, int]) -> None:
    _, port = plain_server
    with pytest.raises(AuthError, match="does not offer STARTTLS"):
        transport(port, security="starttls", username=USER, password=lambda: pytest.fail("password read")).open()


def test_no_auth_in_clear_text_unless_allowed(sink: Sink) -> None:
    controller = start_server(sink, auth=True, auth_require_tls=False)
    try:
        with pytest.raises(AuthError, match="without TLS"):
            transport(controller.port, username=USER, password=lambda: pytest.fail("password read")).open()
        with transport(controller.port, username=USER, password=lambda: PASSWORD, allow_insecure_auth=True) as t:
            t.send(*message("ada@example.com"))
        assert len(sink.messages) == 1
    finally:
        controller.stop()


def test_connection_refused_is_a_connect_error() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ConnectError, match=f"127.0.0.1:{port}"):
        transport(port).open()


@pytest.mark.parametrize(
    ("to", "error", "code"),
    [("tempfail451@example.com", TransientError, 451), ("full452@example.com", TransientError, 452),
     ("nouser550@example.com", PermanentError, 550), ("shutdown421@example.com", TransientError, 421),
     ("reject554@example.com", PermanentError, 554)],
)
def test_server_replies_are_classified(plain_server: tuple[Sink, int], to: str, error: type, code: int) -> None:
    sink, port = plain_server
    with transport(port) as t:
        with pytest.raises(error) as info:
            t.send(*message(to))
        assert str(code) in str(info.value)
        t.send(*message("ok@example.com"))
    assert [e[1] for e in sink.envelopes] == [["ok@example.com"]]


def test_connection_lost_after_data_is_unknown(plain_server: tuple[Sink, int]) -> None:
    sink, port = plain_server
    t = transport(port)
    with t:
        with pytest.raises(UnknownOutcomeError):
            t.send(*message("dropafterdata@example.com"))
        assert t.may_have_delivered()
        t.send(*message("ok@example.com"))
    assert t.connections == 2
    assert len(sink.messages) == 2


def test_smtputf8_address_needs_server_support(sink: Sink) -> None:
    plain = start_server(sink)
    utf8 = start_server(sink, enable_SMTPUTF8=True)
    try:
        with transport(plain.port) as t, pytest.raises(PermanentError, match="SMTPUTF8"):
            t.send(*message("zoë@example.com"))
        with transport(utf8.port) as t:
            t.send(*message("zoë@example.com"))
        assert sink.envelopes == [("sam@example.edu", ["zoë@example.com"])]
    finally:
        plain.stop()
        utf8.stop()


def test_a_server_that_never_answers_times_out() -> None:
    import socket
    import time

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        start = time.monotonic()
        with pytest.raises(ConnectError, match="cannot connect"):
            SmtpTransport("127.0.0.1", listener.getsockname()[1], security="none", timeout=0.5).open()
        assert time.monotonic() - start < 5


def test_partly_refused_recipients_are_each_reported(plain_server: tuple[Sink, int], tmp_path: Path) -> None:
    from outreach import Store
    from outreach.models import Status
    from outreach.store import JournalEntry

    sink, port = plain_server
    data, env = message("ok@example.com")
    both = Envelope(env.sender, ("ok@example.com", "nouser550@example.com"))
    with transport(port) as t:
        delivery = t.send(data, both)
    assert delivery.refused == {"nouser550@example.com": "550 5.1.1 No such user"}
    assert sink.envelopes == [("sam@example.edu", ["ok@example.com"])]
    store = Store(tmp_path / "s.sqlite3")
    entry = JournalEntry(key="k", batch="b", message_id="<m@x>", thread_id="<m@x>", contact="ok@example.com",
                         template="intro", subject="Hello", envelope=both, data=data, status=Status.QUEUED)
    from outreach import send_batch

    summary = send_batch([entry], transport(port), store)
    assert summary.outcomes[0].status is Status.SENT
    assert store.get("k").refused == {"nouser550@example.com": "550 5.1.1 No such user"}  # type: ignore[union-attr]
