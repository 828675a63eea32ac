"""One contract, every transport: memory, outbox (dry run) and SMTP against a real local server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from smtp_server import Sink

from outreach import Contact, Draft, MemoryTransport, OutboxTransport, Sender, Transport, build_message, serialize
from outreach.models import Envelope
from outreach.transports.smtp import SmtpTransport

SENDER = Sender(name="Sam Rivera", email="sam@example.edu")


@dataclass
class Rig:
    """A transport factory and a way to read back what it delivered, as parsed messages."""

    make: Callable[[], Transport]
    delivered: Callable[[], list[bytes]]


def _message(to: str, subject: str = "Hello") -> tuple[bytes, Envelope]:
    draft = Draft(template="intro", to=Contact(email=to, name="Ada Lovelace"), subject=subject,
                  html="<p>Hi Ada</p>", text="Hi Ada\n")
    return serialize(build_message(draft, SENDER))


@pytest.fixture(params=["memory", "outbox", "smtp", "smtp-pipelining"])
def rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    """Each transport with its own way of reading back the bytes it delivered."""
    if request.param == "memory":
        memory = MemoryTransport()
        yield Rig(lambda: memory, lambda: [data for data, _ in memory.sent])
    elif request.param == "outbox":
        folder = tmp_path / "outbox"
        yield Rig(lambda: OutboxTransport(folder), lambda: [p.read_bytes() for p in sorted(folder.glob("*.eml"))])
    else:
        sink, port = request.getfixturevalue("plain_server")
        assert isinstance(sink, Sink)
        sink.pipelining = request.param == "smtp-pipelining"
        yield Rig(lambda: SmtpTransport("127.0.0.1", port, security="none", timeout=5),
                  lambda: [m.as_bytes() for m in sink.messages])


def _ids(blobs: list[bytes]) -> list[str]:
    return [str(message_from_bytes(b, policy=policy.default)["Message-ID"]) for b in blobs]


def test_delivers_each_message_once_in_order(rig: Rig) -> None:
    batch = [_message(f"ada{i}@example.com") for i in range(3)]
    with rig.make() as transport:
        deliveries = [transport.send(data, env) for data, env in batch]
    assert len(deliveries) == 3
    assert _ids(rig.delivered()) == _ids([data for data, _ in batch])


def test_delivered_message_keeps_subject_and_body(rig: Rig) -> None:
    data, env = _message("zoe@example.com", subject="Zoë O'Brien-Müller: a question")
    with rig.make() as transport:
        transport.send(data, env)
    (got,) = rig.delivered()
    parsed = message_from_bytes(got, policy=policy.default)
    assert parsed["Subject"] == "Zoë O'Brien-Müller: a question"
    assert "Hi Ada" in parsed.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_close_is_safe_twice_and_without_open(rig: Rig) -> None:
    transport = rig.make()
    transport.close()
    transport.open()
    transport.close()
    transport.close()


def test_clone_delivers_to_the_same_place(rig: Rig) -> None:
    data, env = _message("ada@example.com")
    with rig.make() as first:
        second = first.clone()
        with second:
            second.send(data, env)
    assert _ids(rig.delivered()) == _ids([data])


def test_journaled_says_whether_it_is_a_real_send(rig: Rig) -> None:
    transport = rig.make()
    assert transport.journaled is not isinstance(transport, OutboxTransport)
    assert transport.may_have_delivered() is False


def test_send_claimed_sends_only_what_it_won_and_claims_each_once(rig: Rig) -> None:
    won, lost, after = _message("ada@example.com"), _message("bob@example.com"), _message("cy@example.com")
    asked: list[str] = []

    def claim(name: str, result: bool) -> Callable[[], bool]:
        return lambda: asked.append(name) or result

    with rig.make() as transport:
        assert transport.send_claimed(*won, claim("won", True)) is not None
        assert transport.send_claimed(*lost, claim("lost", False)) is None
        assert transport.send_claimed(*after, claim("after", True)) is not None
    assert asked == ["won", "lost", "after"]
    assert _ids(rig.delivered()) == _ids([won[0], after[0]])
