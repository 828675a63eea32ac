"""A real `outreach send` process killed (SIGKILL) or interrupted (SIGINT) mid-batch, then re-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from smtp_server import Sink

from outreach import Status, Store

BATCH = 300


def setup(tmp_path: Path, port: int) -> tuple[dict[str, str], list[str]]:
    config = tmp_path / "config.toml"
    config.write_text('[sender]\nname = "Sam Rivera"\nemail = "sam@example.edu"\n'
                      f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n', encoding="utf-8")
    csv = tmp_path / "people.csv"
    csv.write_text("email,name\n" + "".join(f"p{i}@example.com,Person {i}\n" for i in range(BATCH)),
                   encoding="utf-8")
    env = {**os.environ, "OUTREACH_HOME": str(tmp_path / "home"), "OUTREACH_CONFIG": str(config)}
    cmd = [sys.executable, "-m", "outreach", "send", "intro", "--contacts", str(csv), "--var", "topic=UX",
           "--rate", "0", "--json"]
    return env, cmd


def check_journal(sink: Sink, tmp_path: Path, *, killed: bool = False) -> dict[str, int]:
    """Each message delivered at most once, and every delivered one recorded.

    Right after a SIGKILL, the message in flight is still ``sending``: the next run turns it ``unknown``.
    """
    received = Counter(sink.message_ids)
    assert all(n == 1 for n in received.values()), "a message was delivered twice"
    with Store(tmp_path / "home" / "outreach.sqlite3") as store:
        rows = store.messages()
    by_status = Counter(r.status.value for r in rows)
    kept = (Status.SENT, Status.UNKNOWN, Status.SENDING) if killed else (Status.SENT, Status.UNKNOWN)
    recorded = {r.message_id for r in rows if r.status in kept}
    assert set(received) <= recorded, "a delivered message has no sent/unknown record"
    assert {r.message_id for r in rows if r.status is Status.SENT} <= set(received)
    assert len(rows) == BATCH
    return dict(by_status)


@pytest.mark.slow
@pytest.mark.parametrize("connections", [1, 4])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_batch_resumes_without_duplicates(sig: signal.Signals, connections: int, tmp_path: Path,
                                                      plain_server: tuple[Sink, int]) -> None:
    sink, port = plain_server
    sink.arrive_at = 100
    env, cmd = setup(tmp_path, port)
    cmd += ["--connections", str(connections)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert sink.arrived.wait(60), "the batch never got going"
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    if sig == signal.SIGINT:
        assert proc.returncode == 130, err
        assert "Interrupted:" in err and "Run the same command again" in err
        statuses = check_journal(sink, tmp_path)
        assert statuses.get("sending", 0) == 0 and statuses.get("unknown", 0) == 0
        assert statuses["sent"] == len(sink.messages) == len(out.splitlines())
    else:
        assert proc.returncode == -signal.SIGKILL
        assert check_journal(sink, tmp_path, killed=True).get("sending", 0) <= connections
    assert 100 <= len(sink.messages) < BATCH
    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    statuses = check_journal(sink, tmp_path)
    assert statuses.get("queued", 0) == 0 and statuses.get("sending", 0) == 0
    assert statuses["sent"] + statuses.get("unknown", 0) == BATCH
    assert rerun.returncode == (0 if not statuses.get("unknown") else 1), rerun.stderr
    assert statuses.get("unknown", 0) <= connections


@pytest.mark.slow
def test_two_outreach_processes_at_once_both_work(tmp_path: Path, plain_server: tuple[Sink, int]) -> None:
    sink, port = plain_server
    env, cmd = setup(tmp_path, port)
    other = tmp_path / "others.csv"
    other.write_text("email,name\n" + "".join(f"q{i}@example.com,Q {i}\n" for i in range(BATCH)), encoding="utf-8")
    second = [*cmd[:cmd.index("--contacts") + 1], str(other), *cmd[cmd.index("--contacts") + 2:]]
    procs = [subprocess.Popen(c, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for c in (cmd, second)]
    errs = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errs
    with Store(tmp_path / "home" / "outreach.sqlite3") as store:
        rows = store.messages()
    assert len(rows) == 2 * BATCH and {r.status for r in rows} == {Status.SENT}
    assert sorted(sink.message_ids) == sorted(r.message_id for r in rows)
