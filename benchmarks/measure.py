"""Measurements other than sending: render throughput, memory, start-up, contact import."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from .workload import SENDER_EMAIL, SENDER_NAME, Person, people, write_outreach_template


def render_throughput(n: int, work: Path) -> dict[str, float]:
    """Messages per second rendered and built (no sending): outreach vs a bare Jinja2 + EmailMessage loop."""
    from outreach import Contact, Renderer, Sender, build_message, serialize

    from .cases import _build, _env

    rows = people(n)
    env = _env()
    subject, body = env.from_string("{{ school }} {{ topic }}"), env.from_string("<p>{{ first_name }}</p>")
    from .workload import SUBJECT, TEMPLATE_HTML

    subject, body = env.from_string(SUBJECT), env.from_string(TEMPLATE_HTML)
    start = time.perf_counter()
    for p in rows:
        _build(env, subject, body, p).as_bytes()
    bare = n / (time.perf_counter() - start)
    renderer = Renderer([write_outreach_template(work / "templates")])
    sender = Sender(SENDER_NAME, SENDER_EMAIL)
    start = time.perf_counter()
    for p in rows:
        contact = Contact(email=p.email, name=f"{p.first_name} {p.last_name}", company=p.company)
        serialize(build_message(renderer.render("bench-intro", contact, sender, p.variables()), sender))
    ours = n / (time.perf_counter() - start)
    return {"bare jinja2 + EmailMessage": bare, "outreach render + text part + checks": ours}


def peak_memory(n: int, port: int, work: Path) -> int:
    """Peak RSS in KiB of a fresh process that queues and sends ``n`` messages through the API."""
    script = f"""
import resource, sys
from pathlib import Path
from outreach import Contact, Recipient, Renderer, Sender, SmtpTransport, Store, queue_batch, send_batch
from benchmarks.workload import people, write_outreach_template, SENDER_NAME, SENDER_EMAIL
work = Path({str(work)!r})
rows = people({n})
store = Store(work / "mem.sqlite3")
recipients = (Recipient(Contact(email=p.email, name=p.first_name, company=p.company), p.variables()) for p in rows)
keys = queue_batch("bench-intro", recipients, store=store, sender=Sender(SENDER_NAME, SENDER_EMAIL),
                   renderer=Renderer([write_outreach_template(work / "templates")]))
summary = send_batch(keys, SmtpTransport("127.0.0.1", {port}, security="none"), store)
assert summary.ok
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    return int(out.stdout.strip())


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def startup(work: Path, runs: int, threads: int) -> dict[str, float]:
    """Median wall time of ``python -c pass``, ``outreach --help`` and ``outreach due`` (``threads`` threads)."""
    env = {**os.environ, "OUTREACH_HOME": str(work / "home"), "OUTREACH_CONFIG": str(work / "none.toml")}
    _seed_threads(work / "home" / "outreach.sqlite3", threads)
    exe = str(Path(sys.executable).with_name("outreach"))
    cmds = {"python -c pass": [sys.executable, "-c", "pass"], "outreach --help": [exe, "--help"],
            f"outreach due ({threads:,} threads)": [exe, "due"]}
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            times[name].append(_time(cmd, env))
    return {k: statistics.median(v) for k, v in times.items()}


def _seed_threads(path: Path, count: int) -> None:
    from datetime import datetime, timedelta, timezone

    from outreach import Store
    from outreach.compose.message import Envelope
    from outreach.models import Status
    from outreach.store import JournalEntry

    path.parent.mkdir(parents=True, exist_ok=True)
    store = Store(path)
    sent = (datetime.now(timezone.utc) - timedelta(days=3)).isoformat()
    with store.journal_writer() as write:
        for i in range(count):
            mid = f"<seed{i}@example.edu>"
            write(JournalEntry(key=f"seed:{i}", batch="seed", message_id=mid, thread_id=mid,
                               contact=f"c{i}@example.com", template="intro", subject="Coffee?",
                               envelope=Envelope(SENDER_EMAIL, (f"c{i}@example.com",)), data=b"x",
                               status=Status.QUEUED, kind="intro", followup_days=7))
    with store.transaction() as execute:
        execute("UPDATE outreach_messages SET status = 'sent', sent_at = ?", (sent,))
    store.close()


def linkedin_import(work: Path, rows: int) -> dict[str, float]:
    """Seconds to import a LinkedIn export of ``rows`` rows, then to import it again (a no-op)."""
    from outreach import ContactBook, Store

    path = work / "Connections.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write('Notes:\n"When exporting your connection data, you may notice..."\n\n'
                 "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n")
        for i in range(rows):
            email = f"person{i}@example.com" if i % 4 == 0 else ""
            fh.write(f'Zoë,O\'Brien {i},https://www.linkedin.com/in/p-{i},{email},"Acme, Inc.",Analyst,27 Sep 2016\n')
    book = ContactBook(Store(work / "import.sqlite3"))
    start = time.perf_counter()
    first = book.import_file(path)
    middle = time.perf_counter()
    again = book.import_file(path)
    end = time.perf_counter()
    assert first.added == rows and again.unchanged == rows
    return {"first import": middle - start, "re-import (no-op)": end - middle}


def maxrss_self() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


__all__ = ["linkedin_import", "peak_memory", "render_throughput", "startup", "Person"]
