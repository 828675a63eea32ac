"""Before and after on the local sink: ``python -m benchmarks.ab BEFORE_CHECKOUT [MESSAGES RUNS]``.

Runs ``outreach send`` (CLI) and the Python API of another checkout (put first on ``PYTHONPATH``)
and of this one, with the transport floor and mailmerge, interleaved, and prints medians and ratios.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from . import cases
from .sink import Sink
from .workload import Person, people, write_csv

ROOT = str(Path(__file__).resolve().parents[1])
Case = Callable[[cases.Target, list[Person], Path], float]

def cli(root: str) -> Case:
    """``outreach send`` of the checkout at ``root``."""

    def case(target: cases.Target, rows: list[Person], work: Path) -> float:
        config = cases._outreach_config(target, work, 1)
        contacts = write_csv(work / "contacts.csv", rows)
        env = {**os.environ, "OUTREACH_CONFIG": str(config), "OUTREACH_HOME": str(work / "home"), "PYTHONPATH": root}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        start = time.perf_counter()
        # Run in the work folder: ``-m`` puts the current folder first on sys.path, ahead of PYTHONPATH,
        # so started from a checkout it would measure that checkout whatever ``root`` says.
        subprocess.run([sys.executable, "-m", "outreach", "send", "bench-intro", "--contacts", str(contacts), "--json"],
                       env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work)
        return time.perf_counter() - start
    return case

def api(root: str) -> Case:
    """``queue_batch`` + ``send_batch`` of the checkout at ``root``."""
    script = """
import sys, time
from pathlib import Path
import outreach
from outreach import Contact, Recipient, Renderer, Sender, SmtpTransport, Store, queue_batch, send_batch
assert outreach.__file__.startswith(sys.argv[5]), (outreach.__file__, sys.argv[5])
sys.path.insert(0, sys.argv[4])
from benchmarks.workload import people, write_outreach_template, SENDER_NAME, SENDER_EMAIL
work = Path(sys.argv[1]); n = int(sys.argv[2]); port = int(sys.argv[3])
rows = people(n)
templates = write_outreach_template(work / "templates")
start = time.perf_counter()
store = Store(work / "api.sqlite3")
recipients = [Recipient(Contact(email=p.email, name=f"{p.first_name} {p.last_name}", company=p.company,
                                position=p.position), p.variables()) for p in rows]
keys = queue_batch("bench-intro", recipients, store=store, sender=Sender(SENDER_NAME, SENDER_EMAIL),
                   renderer=Renderer([templates]))
assert send_batch(keys, SmtpTransport("127.0.0.1", port, security="none"), store).ok
print(time.perf_counter() - start)
"""

    def case(target: cases.Target, rows: list[Person], work: Path) -> float:
        env = {**os.environ, "PYTHONPATH": root}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        out = subprocess.run([sys.executable, "-c", script, str(work), str(len(rows)), str(target.port), ROOT, root],
                             env=env, check=True, capture_output=True, text=True, cwd=work)
        return float(out.stdout.split()[-1])

    return case


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    before = str(Path(sys.argv[1]).resolve())
    n, runs = (int(sys.argv[2]), int(sys.argv[3])) if len(sys.argv) > 3 else (1000, 3)
    work = cases.fresh_dir()
    sink = Sink(workdir=work)
    t = cases.Target(sink.port, False, "")
    named: dict[str, Case] = {"floor": cases.floor, "mailmerge": cases.mailmerge_cli}
    for label, root in (("before", before), ("after", ROOT)):
        named[f"CLI {label}"] = cli(root)
        named[f"API {label}"] = api(root)
    rows = people(n)
    rates: dict[str, list[float]] = {k: [] for k in named}
    try:
        for _ in range(runs):
            for k, c in named.items():
                w = cases.fresh_dir()
                sink.reset()
                seconds = c(t, rows, w)
                if sink.messages != n:
                    raise SystemExit(f"{k}: the sink received {sink.messages} of {n} messages")
                rates[k].append(n / seconds)
                shutil.rmtree(w, ignore_errors=True)
    finally:
        sink.stop()
    med = {k: statistics.median(v) for k, v in rates.items()}
    print(f"| case | msgs/s (median of {runs}) | min - max | vs mailmerge | vs floor |")
    print("|---|---:|---:|---:|---:|")
    for k, v in med.items():
        print(f"| {k} | {v:.0f} | {min(rates[k]):.0f} - {max(rates[k]):.0f} | {v / med['mailmerge']:.2f} |"
              f" {v / med['floor']:.2f} |")
    print(f"after/before: CLI {med['CLI after'] / med['CLI before']:.2f}x,"
          f" API {med['API after'] / med['API before']:.2f}x")


if __name__ == "__main__":
    main()
