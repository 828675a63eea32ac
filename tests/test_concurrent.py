"""Finding 1: two `outreach send` processes on one store deliver each message exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from smtp_server import Sink, start_server

from outreach import Contact, Recipient, Renderer, Sender, Status, Store, queue_batch

BATCH = 50


class SlowSink(Sink):
    """Takes a little while over each message, so that two runs overlap for the whole batch."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.slow
@pytest.mark.parametrize("connections", [1, 3])
def test_two_processes_deliver_each_message_exactly_once(tmp_path: Path, connections: int) -> None:
    sink = SlowSink()
    controller = start_server(sink)
    try:
        config = tmp_path / "config.toml"
        config.write_text('[sender]\nname = "Sam Rivera"\nemail = "sam@example.edu"\n'
                          f'[smtp]\nhost = "127.0.0.1"\nport = {controller.port}\nsecurity = "none"\n',
                          encoding="utf-8")
        csv = tmp_path / "people.csv"
        csv.write_text("email,name\n" + "".join(f"p{i}@example.com,Person {i}\n" for i in range(BATCH)),
                       encoding="utf-8")
        env = {**os.environ, "OUTREACH_HOME": str(tmp_path / "home"), "OUTREACH_CONFIG": str(config)}
        cmd = [sys.executable, "-m", "outreach", "send", "intro", "--contacts", str(csv), "--var", "topic=UX",
               "--rate", "0", "--json", "--connections", str(connections)]
        procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        outputs = [p.communicate(timeout=120) for p in procs]
    finally:
        controller.stop()
    received = Counter(sink.message_ids)
    assert len(received) == BATCH, outputs
    assert set(received.values()) == {1}, "a message was delivered twice"
    with Store(tmp_path / "home" / "outreach.sqlite3") as store:
        assert {r.status for r in store.messages()} == {Status.SENT}
    rows = [json.loads(line) for out, _ in outputs for line in out.splitlines()]
    assert sum(1 for r in rows if r["status"] == "sent" and not r.get("earlier")) == BATCH


def test_a_claimed_message_is_not_sent_by_a_second_connection(tmp_path: Path, plain_server: tuple[Sink, int]) -> None:
    from outreach import send_batch
    from outreach.transports.smtp import SmtpTransport

    sink, port = plain_server
    store = Store(tmp_path / "s.sqlite3")
    other = Store(tmp_path / "s.sqlite3")
    keys = queue_batch("intro", [Recipient(Contact(email=f"p{i}@example.com", name="P"), {"topic": "x"})
                                 for i in range(3)],
                       sender=Sender("Sam", "sam@example.edu"), renderer=Renderer(), store=store)
    assert other.claim(keys[0]) is True
    assert store.claim(keys[0]) is False
    summary = send_batch(keys, SmtpTransport("127.0.0.1", port, security="none", timeout=5), store)
    by_key = {o.key: o for o in summary.outcomes}
    assert "being sent by another outreach process" in by_key[keys[0]].reply
    assert len(sink.messages) == 2
