"""SMTP PIPELINING (RFC 2920) against real servers: used only when offered, every reply and fault mapped as without it."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from raw_smtp import raw_server
from smtp_client import SENDER, message, transport
from smtp_server import PASSWORD, USER, Sink, start_server

from outreach import Contact, TransportError
from outreach.compose.message import Envelope
from outreach.transports.pipelining import quote_data, quoteaddr
from outreach.transports.smtp import SmtpTransport



@pytest.fixture
def servers() -> Iterator[dict[bool, tuple[Sink, int]]]:
    """Two aiosmtpd servers alike but for PIPELINING: offered (True) and not (False)."""
    sinks = {True: Sink(pipelining=True), False: Sink()}
    controllers = {k: start_server(s, enable_SMTPUTF8=True) for k, s in sinks.items()}
    yield {k: (sinks[k], c.port) for k, c in controllers.items()}
    for c in controllers.values():
        c.stop()


def test_the_transport_pipelines_only_when_the_server_offers_it(servers: dict[bool, tuple[Sink, int]]) -> None:
    for offered, (_, port) in servers.items():
        with transport(port) as t:
            t.send(*message("ada@example.com"))
            assert t._conn is not None and t._conn.has_extn("pipelining") is offered


def test_a_pipelining_server_gets_every_command_before_answering_any() -> None:
    # This server holds its replies to MAIL and RCPT until DATA arrives: waiting for each reply would hang.
    with raw_server("ok", pipelining=True) as server:
        with transport(server.port) as t:
            replies = [t.send(*message(f"ada{i}@example.com")).reply for i in range(3)]
        assert server.deliveries == 3
    assert replies == ["250 accepted"] * 3


def test_without_pipelining_offered_the_commands_go_one_by_one() -> None:
    with raw_server("ok") as server, transport(server.port) as t:
        assert t.send(*message("ada@example.com")).reply == "250 accepted"
        assert server.deliveries == 1


def test_many_messages_over_one_pipelined_connection_arrive_whole(servers: dict[bool, tuple[Sink, int]]) -> None:
    sink, port = servers[True]
    sent = [message(f"ada{i}@example.com") for i in range(20)]
    with transport(port) as t:
        for data, env in sent:
            t.send(data, env)
    assert t.connections == 1
    assert [m["Message-ID"] for m in sink.messages] == [
        __import__("email").message_from_bytes(d)["Message-ID"] for d, _ in sent]
    assert sink.envelopes == [(SENDER.email, [f"ada{i}@example.com"]) for i in range(20)]


def _attempt(t: SmtpTransport, data: bytes, env: Envelope) -> tuple[str, str, int | None, bool]:
    """What one send did, in words that do not depend on the port."""
    try:
        delivery = t.send(data, env)
    except TransportError as exc:
        return type(exc).__name__, str(exc).replace(t.where, "HOST"), exc.code, t.may_have_delivered()
    return "Delivery", f"{delivery.reply} {sorted(delivery.refused.items())}", None, t.may_have_delivered()


FAULTS = [
    ("sendertemp451@example.edu", ("ok@example.com",)),
    ("senderbad550@example.edu", ("ok@example.com",)),
    ("sendershutdown421@example.edu", ("ok@example.com",)),
    ("sendergarbage@example.edu", ("ok@example.com",)),
    (SENDER.email, ("tempfail451@example.com",)),
    (SENDER.email, ("full452@example.com",)),
    (SENDER.email, ("nouser550@example.com",)),
    (SENDER.email, ("nouser550@example.com", "tempfail451@example.com")),
    (SENDER.email, ("ok@example.com", "nouser550@example.com")),
    (SENDER.email, ("nouser550@example.com", "ok@example.com", "full452@example.com")),
    (SENDER.email, ("droprcpt@example.com",)),
    (SENDER.email, ("ok@example.com", "droprcpt@example.com")),
    (SENDER.email, ("shutdown421@example.com",)),
    (SENDER.email, ("reject554@example.com",)),
    (SENDER.email, ("dropafterdata@example.com",)),
]


@pytest.mark.parametrize(("sender", "recipients"), FAULTS)
def test_every_fault_is_mapped_as_without_pipelining(servers: dict[bool, tuple[Sink, int]], sender: str,
                                                     recipients: tuple[str, ...]) -> None:
    data, _ = message(recipients[0])
    env = Envelope(sender, recipients)
    seen = {}
    for offered, (sink, port) in servers.items():
        with transport(port) as t:
            first = _attempt(t, data, env)
            after = _attempt(t, *message("after@example.com"))
            seen[offered] = (first, after, t.connections, sink.envelopes)
    assert seen[True] == seen[False]
    first, after, _, envelopes = seen[True]
    assert after[0] == "Delivery" and envelopes[-1] == (SENDER.email, ["after@example.com"])


def test_non_ascii_addresses_are_pipelined_with_smtputf8(servers: dict[bool, tuple[Sink, int]]) -> None:
    sink, port = servers[True]
    with transport(port) as t:
        t.send(*message("zoë@example.com"))
        t.send(*message("ada@example.com"))
    assert sink.envelopes == [(SENDER.email, ["zoë@example.com"]), (SENDER.email, ["ada@example.com"])]


def test_starttls_and_auth_then_pipelining(ca_file: Path, server_ssl_context: object) -> None:
    sink = Sink(pipelining=True)
    controller = start_server(sink, tls_context=server_ssl_context, require_starttls=True, auth=True)
    try:
        with transport(controller.port, security="starttls", ca_file=ca_file, username=USER,
                       password=lambda: PASSWORD) as t:
            t.send(*message("ada@example.com"))
            assert t._conn is not None and t._conn.has_extn("pipelining")
        assert sink.envelopes == [(SENDER.email, ["ada@example.com"])]
    finally:
        controller.stop()


BODIES = [b".\r\n", b"..\r\n.\r\nx", b"a\r\n.\r\n.b\r\n", b"no final newline", b".leading dot", b"a\n.bare lf\n",
          b"\r\n\r\n.\r\n", b"ends with cr\r"]


@pytest.mark.parametrize("body", BODIES)
def test_the_server_receives_the_same_bytes_either_way(servers: dict[bool, tuple[Sink, int]], body: bytes) -> None:
    got = {}
    for offered, (sink, port) in servers.items():
        received: list[bytes] = []
        original = Sink.handle_DATA

        async def keep(self: Sink, server: object, session: object, envelope: object) -> str:
            received.append(envelope.original_content)  # type: ignore[attr-defined]
            return "250 kept"

        sink.handle_DATA = keep.__get__(sink)  # type: ignore[method-assign]
        data = b"From: sam@example.edu\r\nSubject: dots\r\n\r\n" + body
        with transport(port) as t:
            t.send(data, Envelope(SENDER.email, ("ada@example.com",)))
        sink.handle_DATA = original.__get__(sink)  # type: ignore[method-assign]
        got[offered] = received
    assert got[True] == got[False] and len(got[True]) == 1


@given(st.binary(max_size=200) | st.lists(st.sampled_from([b".", b"\r\n", b"\n", b"\r", b"a", b".."])).map(b"".join))
def test_quote_data_is_what_smtplib_puts_on_the_wire(data: bytes) -> None:
    quoted = smtplib._quote_periods(data)  # type: ignore[attr-defined]
    if quoted[-2:] != b"\r\n":
        quoted += b"\r\n"
    assert quote_data(data) == quoted + b".\r\n"


_ATOM = st.text(st.sampled_from("aZ09_+=-"), min_size=1, max_size=6)
_DOMAIN = st.lists(st.text(st.sampled_from("aZ09-"), min_size=1, max_size=6), min_size=1, max_size=3).map(".".join)
# Plain addresses, and plain ones with one character smtplib may treat otherwise somewhere in them.
_NEAR_PLAIN = st.builds("{}{}{}@{}".format, _ATOM, st.sampled_from(['', '.', '..', '"', '<', '>', '(', ')', ' ', ',', ';',
                                                                   ':', '\\', '[', ']', '!', '#', 'ü', '\t', '@']),
                        _ATOM, _DOMAIN)


@given(_NEAR_PLAIN | st.builds("{}@{}{}".format, _ATOM, _DOMAIN, st.sampled_from(["", ".", "..", ">", " ", "(x)"]))
       | st.emails() | st.text(max_size=30))
@settings(max_examples=1000)  # cheap examples; the near-plain ones differ by one character
def test_quoteaddr_is_what_smtplib_puts_in_mail_from_and_rcpt_to(address: str) -> None:
    assert quoteaddr(address) == smtplib.quoteaddr(address)


# The journal's claim is written while the server answers the envelope, and always before the data goes out.

def _entries(store_path: Path, *addresses: str) -> list:  # type: ignore[type-arg]
    from outreach import Recipient, Renderer, Store, prepare_batch

    with Store(store_path) as store:
        return prepare_batch("intro", [Recipient(Contact(email=a, name="Ada Lovelace"), {"topic": "UX"})
                                       for a in addresses], sender=SENDER, renderer=Renderer(), store=store)


@pytest.mark.parametrize("offered", [True, False])
def test_each_message_is_claimed_in_the_journal_before_its_data_arrives(
        servers: dict[bool, tuple[Sink, int]], tmp_path: Path, offered: bool) -> None:
    import sqlite3

    from outreach import Store, send_batch

    sink, port = servers[offered]
    path = tmp_path / "s.sqlite3"
    seen: list[tuple[str, str]] = []

    async def look(self: Sink, server: object, session: object, envelope: object) -> str:
        with sqlite3.connect(path) as other:  # another connection sees only what was committed
            seen.extend(other.execute("SELECT contact, status FROM outreach_messages WHERE status != 'queued'"
                                      " ORDER BY id").fetchall())
        return "250 ok"

    sink.handle_DATA = look.__get__(sink)  # type: ignore[method-assign]
    entries = _entries(path, "a@example.com", "b@example.com", "c@example.com")
    with Store(path) as store:
        summary = send_batch(entries, transport(port), store)
        assert {o.status.value for o in summary.outcomes} == {"sent"}
    # At each arrival: the message itself ``sending``, the one before already ``sent`` (in the same commit).
    assert seen == [("a@example.com", "sending"),
                    ("a@example.com", "sent"), ("b@example.com", "sending"),
                    ("a@example.com", "sent"), ("b@example.com", "sent"), ("c@example.com", "sending")]


def test_a_message_claimed_by_another_process_is_not_sent_and_the_batch_goes_on(
        servers: dict[bool, tuple[Sink, int]], tmp_path: Path) -> None:
    import os
    import sqlite3

    from outreach import Store, send_batch

    sink, port = servers[True]
    path = tmp_path / "s.sqlite3"
    entries = _entries(path, "a@example.com", "b@example.com", "c@example.com")
    original = Sink.handle_DATA

    async def race(self: Sink, server: object, session: object, envelope: object) -> str:
        if not self.messages:  # while a arrives, another live process (our parent) takes b
            with sqlite3.connect(path) as other:
                other.execute("UPDATE outreach_messages SET status = 'sending', owner = ? WHERE contact = ?",
                              (os.getppid(), "b@example.com"))
        return await original(self, server, session, envelope)

    sink.handle_DATA = race.__get__(sink)  # type: ignore[method-assign]
    t = transport(port)
    with Store(path) as store:
        summary = send_batch(entries, t, store)
    assert [(o.to, o.status.value, o.earlier) for o in summary.outcomes] == [
        ("a@example.com", "sent", False), ("b@example.com", "sending", True), ("c@example.com", "sent", False)]
    assert [e[1] for e in sink.envelopes] == [["a@example.com"], ["c@example.com"]]
    assert t.connections == 2  # b's transaction was abandoned by closing the connection mid-envelope


def test_a_store_that_fails_at_the_claim_sends_nothing(servers: dict[bool, tuple[Sink, int]], tmp_path: Path) -> None:
    from outreach import Store, StoreError, send_batch

    sink, port = servers[True]
    path = tmp_path / "s.sqlite3"
    entries = _entries(path, "a@example.com")

    class Broken(Store):
        def claim(self, key: str, *, settle: object = None) -> bool:
            raise StoreError("disk on fire")

    t = transport(port)
    with Broken(path) as store, pytest.raises(StoreError):
        send_batch(entries, t, store)
    assert sink.envelopes == [] and t._conn is None


def _cli(tmp_path: Path, port: int, name: str, count: int) -> tuple[dict[str, str], list[str]]:
    import os
    import sys

    config = tmp_path / "config.toml"
    config.write_text('[sender]\nname = "Sam Rivera"\nemail = "sam@example.edu"\n'
                      f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n', encoding="utf-8")
    csv = tmp_path / f"{name}.csv"
    csv.write_text("email,name\n" + "".join(f"{name}{i}@example.com,Person {i}\n" for i in range(count)),
                   encoding="utf-8")
    env = {**os.environ, "OUTREACH_HOME": str(tmp_path / "home"), "OUTREACH_CONFIG": str(config)}
    return env, [sys.executable, "-m", "outreach", "send", "intro", "--contacts", str(csv), "--var", "topic=UX",
                 "--rate", "0", "--json"]


@pytest.mark.slow
def test_killed_mid_batch_and_raced_by_a_second_process_nothing_goes_twice(
        servers: dict[bool, tuple[Sink, int]], tmp_path: Path) -> None:
    import signal
    import subprocess
    from collections import Counter

    from outreach import Status, Store

    sink, port = servers[True]
    sink.arrive_at = 60
    env, first = _cli(tmp_path, port, "p", 200)
    _, second = _cli(tmp_path, port, "q", 200)
    proc = subprocess.Popen(first, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert sink.arrived.wait(60), "the batch never got going"
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
    finally:
        proc.kill()
    assert 60 <= len(sink.messages) < 200
    runs = [subprocess.Popen(c, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for c in (first, [*second, "--connections", "4"], [*first, "--connections", "4"])]
    [run.communicate(timeout=120) for run in runs]
    assert all(n == 1 for n in Counter(sink.message_ids).values()), "a message was delivered twice"
    with Store(tmp_path / "home" / "outreach.sqlite3") as store:
        rows = store.messages()
    statuses = Counter(r.status for r in rows)
    assert len(rows) == 400 and statuses[Status.SENT] + statuses[Status.UNKNOWN] == 400
    assert statuses[Status.UNKNOWN] <= 1
    assert {r.message_id for r in rows if r.status is Status.SENT} <= set(sink.message_ids)


# While the server reads one message, the batch reads the next one from the journal.

def test_meanwhile_runs_while_the_server_holds_its_answer_to_the_data(
        servers: dict[bool, tuple[Sink, int]]) -> None:
    import threading

    sink, port = servers[True]
    released = threading.Event()
    waited: list[bool] = []

    async def hold(self: Sink, server: object, session: object, envelope: object) -> str:
        waited.append(released.wait(10))  # answers only once ``meanwhile`` ran (or after 10 s: the test fails)
        return "250 held"

    sink.handle_DATA = hold.__get__(sink)  # type: ignore[method-assign]
    calls: list[str] = []
    with transport(port) as t:
        delivery = t.send_claimed(*message("ada@example.com"), lambda: calls.append("claim") is None,
                                  lambda: (calls.append("meanwhile"), released.set()) and None)
    assert delivery is not None and delivery.reply == "250 held"
    assert calls == ["claim", "meanwhile"] and waited == [True]


@pytest.mark.parametrize("offered", [True, False])
def test_meanwhile_runs_once_per_sent_message_and_never_for_a_lost_claim(
        servers: dict[bool, tuple[Sink, int]], offered: bool) -> None:
    _, port = servers[offered]
    calls: list[str] = []
    with transport(port) as t:
        assert t.send_claimed(*message("ada@example.com"), lambda: True, lambda: calls.append("ada")) is not None
        assert t.send_claimed(*message("bob@example.com"), lambda: False, lambda: calls.append("bob")) is None
        assert t.send_claimed(*message("cy@example.com"), lambda: True, lambda: calls.append("cy")) is not None
    assert calls == ["ada", "cy"]


def test_a_journal_read_that_fails_ahead_fails_that_message_not_the_one_in_flight(
        servers: dict[bool, tuple[Sink, int]], tmp_path: Path) -> None:
    from outreach import Status, Store, StoreError, queue_batch
    from outreach import Recipient, Renderer

    sink, port = servers[True]

    class Unreadable(Store):
        def get(self, key: str):  # type: ignore[no-untyped-def]
            if "b@example.com" in key:
                raise StoreError("the row for b is damaged")
            return super().get(key)

    with Unreadable(tmp_path / "s.sqlite3") as store:
        keys = queue_batch("intro", [Recipient(Contact(email=a, name="Ada Lovelace"), {"topic": "UX"})
                                     for a in ("a@example.com", "b@example.com", "c@example.com")],
                           sender=SENDER, renderer=Renderer(), store=store)
        with pytest.raises(StoreError, match="damaged"):
            __import__("outreach").send_batch(keys, transport(port), store)
        statuses = {e.contact: e.status for e in store.messages()}
    assert statuses == {"a@example.com": Status.SENT, "b@example.com": Status.QUEUED,
                        "c@example.com": Status.QUEUED}
    assert [e[1] for e in sink.envelopes] == [["a@example.com"]]
