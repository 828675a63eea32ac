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
    """Messages per second rendered and built (no sending): outreach (as a batch builds) vs Jinja2 + EmailMessage."""
    from outreach import Contact, Renderer, Sender
    from outreach.compose.wire import build_bytes

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
        build_bytes(renderer.render("bench-intro", contact, sender, p.variables()), sender)
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


_PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,"
         " stderr=subprocess.DEVNULL, check=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def peak_kib(cmd: list[str], env: dict[str, str] | None = None) -> int:
    """Peak RSS in KiB of ``cmd`` run as the only child of a fresh watcher process."""
    out = subprocess.run([sys.executable, "-c", _PEAK, *cmd], env=env, capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1])


def cli_peak_memory(n: int, port: int, work: Path) -> int:
    """Peak RSS in KiB of ``outreach send`` (the command line, no ``--json``) sending ``n`` messages."""
    from .cases import Target, _outreach_config
    from .workload import write_csv

    config = _outreach_config(Target(port, False, ""), work, 1)
    contacts = write_csv(work / "contacts.csv", people(n))
    env = {**os.environ, "OUTREACH_CONFIG": str(config), "OUTREACH_HOME": str(work / "home")}
    exe = str(Path(sys.executable).with_name("outreach"))
    return peak_kib([exe, "send", "bench-intro", "--contacts", str(contacts)], env)


def fsyncs_per_message(n: int, port: int, work: Path) -> tuple[float, float] | None:
    """``fsync``/``fdatasync`` calls per message while a queued batch is sent, and their mean wall time in ms.

    Counted by ``strace -c -w``; None without strace. The time is this disk's, in this run: the one commit a
    message sits between the envelope's answer and the data, so it bounds how fast any journaled send can go.
    """
    import shutil

    strace = shutil.which("strace")
    if strace is None:
        return None
    from outreach import Contact, Recipient, Renderer, Sender, Store, queue_batch

    store = Store(work / "fsync.sqlite3")
    recipients = [Recipient(Contact(email=p.email, name=p.first_name, company=p.company), p.variables())
                  for p in people(n)]
    queue_batch("bench-intro", recipients, store=store, sender=Sender(SENDER_NAME, SENDER_EMAIL),
                renderer=Renderer([write_outreach_template(work / "templates")]))
    store.close()
    script = f"""
from pathlib import Path
from outreach import SmtpTransport, Status, Store, send_batch
store = Store(Path({str(work / "fsync.sqlite3")!r}))
keys = [e.key for e in store.messages(Status.QUEUED)]
assert send_batch(keys, SmtpTransport("127.0.0.1", {port}, security="none"), store).ok
"""
    log = work / "strace.txt"
    subprocess.run([strace, "-f", "--seccomp-bpf", "-c", "-w", "-e", "trace=fsync,fdatasync", "-o", str(log),
                    sys.executable, "-c", script], check=True, capture_output=True,
                   cwd=Path(__file__).resolve().parents[1])
    calls, seconds = 0, 0.0
    for line in log.read_text().splitlines():
        parts = line.split()
        if parts and parts[-1] in ("fsync", "fdatasync"):
            seconds += float(parts[1])
            calls += int(parts[3])
    return calls / n, seconds / calls * 1000 if calls else 0.0


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def _installed_env(work: Path) -> dict[str, str]:
    """The environment of a command run as installed: byte code cached (a warm-up run writes it)."""
    env = {**os.environ, "OUTREACH_HOME": str(work / "home"), "OUTREACH_CONFIG": str(work / "none.toml")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def startup(work: Path, runs: int, threads: int) -> dict[str, float]:
    """Median wall time of ``python -c pass``, ``outreach --help`` and ``outreach due`` (``threads`` threads)."""
    env = _installed_env(work)
    _seed_threads(work / "home" / "outreach.sqlite3", threads)
    exe = str(Path(sys.executable).with_name("outreach"))
    cmds = {"python -c pass": [sys.executable, "-c", "pass"], "outreach --help": [exe, "--help"],
            "outreach templates": [exe, "templates"], f"outreach due ({threads:,} threads)": [exe, "due"]}
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for cmd in cmds.values():
        _time(cmd, env)
    for _ in range(runs):
        for name, cmd in cmds.items():
            times[name].append(_time(cmd, env))
    return {k: statistics.median(v) for k, v in times.items()}


def due_at_scale(work: Path, runs: int, threads: int) -> dict[str, float]:
    """``outreach due`` on ``threads`` threads against ``python -c pass``: median seconds and peak RSS (MiB)."""
    env = _installed_env(work)
    _seed_threads(work / "home" / "outreach.sqlite3", threads)
    exe = str(Path(sys.executable).with_name("outreach"))
    base_cmd, due_cmd, help_cmd = [sys.executable, "-c", "pass"], [exe, "due"], [exe, "--help"]
    base: list[float] = []
    due: list[float] = []
    _time(due_cmd, env)  # the warm-up run: writes the byte code
    for _ in range(runs):
        base.append(_time(base_cmd, env))
        due.append(_time(due_cmd, env))
    return {"python -c pass": statistics.median(base), "due": statistics.median(due),
            "due MiB": peak_kib(due_cmd, env) / 1024, "--help MiB": peak_kib(help_cmd, env) / 1024}


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
    return {"first import": middle - start, "re-import (no-op)": end - middle, "bare csv + email-validator":
            _bare_import(path)}


def _bare_import(path: Path) -> float:
    """Seconds for the least any importer does: read the CSV and validate each address (no DNS)."""
    import csv

    from email_validator import EmailNotValidError, validate_email

    start = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as fh:
        lines = iter(fh)
        for line in lines:
            if line.startswith("First Name,"):
                break
        for row in csv.DictReader(lines, fieldnames=line.strip().split(",")):
            if row["Email Address"]:
                try:
                    validate_email(row["Email Address"], check_deliverability=False)
                except EmailNotValidError:
                    pass
    return time.perf_counter() - start


def maxrss_self() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


__all__ = ["cli_peak_memory", "due_at_scale", "fsyncs_per_message", "linkedin_import", "peak_kib", "peak_memory",
           "render_throughput", "startup", "Person"]
