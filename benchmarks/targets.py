"""The research half on a realistic book: `targets list` and `report` against starting a command.

The baseline is `outreach targets --help`: the command line with click and the command group
loaded, as `outreach --help` was when this target was set (`outreach --help` now skips click, see
`outreach/cli/fast.py`, so it is printed beside it for reference only).

Run alone with ``python -m benchmarks.targets [--runs N]``; ``python -m benchmarks`` runs it too.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .workload import SENDER_EMAIL

CONTACTS, TARGETS = 2000, 20
COMPANIES = ["Globex", "Initech", "Hooli", "Umbrella Health", "Stark & Wayne", "Acme", "Vandelay Industries",
             "Wayne Enterprises", "Tyrell", "Cyberdyne", "Soylent", "Wonka", "Aperture", "Black Mesa", "Oscorp",
             "Massive Dynamic", "Pied Piper", "Dunder Mifflin", "Sterling Cooper", "Prestige Worldwide"]
SPELLINGS = ["{}", "{}, Inc.", "{} Corporation", "{} LLC", "{} Ltd", "{} Bank", "{} Labs"]
OTHERS = ["Bluth Company", "Los Pollos Hermanos", "Gringotts", "Monsters Inc", "Krusty Krab"]


def seed(home: Path, contacts: int = CONTACTS, targets: int = TARGETS) -> None:
    """A store with ``contacts`` contacts (60 % at a target, some as false friends), ``targets`` targets,
    and a third of the book written to over eight weeks: replies, meetings, referrals, thank-yous."""
    from outreach import ContactBook, Store
    from outreach.lifecycle.threads import Threads
    from outreach.models import Envelope, Status
    from outreach.store import JournalEntry
    from outreach.targets import Targets

    rng = random.Random(15)
    home.mkdir(parents=True, exist_ok=True)
    csv = home / "book.csv"
    with csv.open("w", encoding="utf-8") as fh:
        fh.write("email,name,company,tags\n")
        for i in range(contacts):
            company = (rng.choice(SPELLINGS).format(rng.choice(COMPANIES[:targets])) if rng.random() < 0.6
                       else rng.choice(OTHERS))
            tag = rng.choice(["alumni", "friends", "family", "linkedin", "linkedin", "linkedin"])
            fh.write(f'person{i}@example.com,Person {i},"{company}",{tag}\n')
    store = Store(home / "outreach.sqlite3")
    ContactBook(store).import_file(csv)
    book = Targets(store)
    for name in COMPANIES[:targets]:
        book.add(name, aliases=[f"{name} Labs"] if rng.random() < 0.3 else [])
    now = datetime.now(timezone.utc)
    written = rng.sample(range(contacts), contacts // 3)
    sent_at: dict[str, str] = {}
    with store.journal_writer() as write:
        for i in written:
            mid = f"<bench{i}@example.edu>"
            sent_at[mid] = (now - timedelta(days=rng.uniform(0, 56))).isoformat()
            write(JournalEntry(key=f"intro:person{i}@example.com", batch="seed", message_id=mid, thread_id=mid,
                               contact=f"person{i}@example.com", template="intro", subject="Coffee?",
                               envelope=Envelope(SENDER_EMAIL, (f"person{i}@example.com",)), data=b"x",
                               status=Status.QUEUED, kind="intro", followup_days=7))
    with store.transaction() as execute:
        for mid, at in sent_at.items():
            execute("UPDATE outreach_messages SET status = 'sent', sent_at = ? WHERE message_id = ?", (at, mid))
    threads = Threads(store)
    for mid, at in list(sent_at.items())[: len(sent_at) // 3]:
        when = datetime.fromisoformat(at) + timedelta(days=2)
        threads.add_event(mid, "replied", when)
        if rng.random() < 0.4:
            threads.add_event(mid, "met", when + timedelta(days=5))
        if rng.random() < 0.2:
            threads.add_event(mid, "referral", when + timedelta(days=5), {"address": "someone@example.com"})
    store.close()


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def measure(work: Path, runs: int) -> dict[str, float]:
    """Median wall times of the two help pages, ``outreach targets list`` and ``outreach report`` on the seeded book."""
    env = {**os.environ, "OUTREACH_HOME": str(work / "home"), "OUTREACH_CONFIG": str(work / "none.toml")}
    # As installed: byte code cached (the warm-up run below writes it), so no run pays for compiling.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    seed(work / "home")
    exe = str(Path(sys.executable).with_name("outreach"))
    cmds = {"outreach --help": [exe, "--help"], "outreach targets --help": [exe, "targets", "--help"],
            "outreach targets list": [exe, "targets", "list"],
            "outreach report": [exe, "report"]}
    for cmd in cmds.values():
        _time(cmd, env)
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            times[name].append(_time(cmd, env))
    return {k: statistics.median(v) for k, v in times.items()}


def print_section(work: Path, runs: int) -> None:
    """Print the section of the benchmark report: each command's median and its ratio to the help pages."""
    times = measure(work, runs)
    base, fast = times["outreach targets --help"], times["outreach --help"]
    print(f"\n## Targets and report: {CONTACTS:,} contacts, {TARGETS} targets, median of {runs}\n")
    for name, seconds in times.items():
        print(f"- {name}: {seconds * 1000:.0f} ms ({seconds / base:.2f}x outreach targets --help, "
              f"{seconds / fast:.2f}x outreach --help)")
    worst = max(times["outreach targets list"], times["outreach report"]) / base
    print(f"\nTarget: `targets list` and `report` each within 3x `outreach targets --help`: {worst:.2f}x at worst"
          f" ({'met' if worst < 3 else 'missed'})")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.targets", description=__doc__)
    parser.add_argument("--runs", type=int, default=15, help="Runs of each command (default 15).")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="outreach-bench-targets-"))
    try:
        print_section(work, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
