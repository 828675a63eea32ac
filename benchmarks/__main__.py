"""Run every benchmark and print tables: ``python -m benchmarks [--quick]``; ``corpus PATH`` for the corpus."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from . import cases, measure
from . import targets as targets_bench
from .proxy import LatencyProxy
from .sink import Sink
from .workload import Person, people

Case = Callable[[cases.Target, list[Person], Path], float]
Row = tuple[str, str, str, str, str, bool]


def _print_targets(rows: list[Row]) -> None:
    """The issue's table of targets, each measured as a ratio in this run."""
    print("\n## Targets, each a ratio measured in this run\n")
    print("| measure | outreach | baseline | ratio | target | met? |")
    print("|---|---|---|---|---|---|")
    for measure_, ours, base, ratio, target, met in rows:
        print(f"| {measure_} | {ours} | {base} | {ratio} | {target} | {'yes' if met else '**no**'} |")


def _run_section(title: str, sink: Sink, target: cases.Target, named: dict[str, Case], n: int, runs: int,
                 baseline: str) -> dict[str, float]:
    rows = people(n)
    rates: dict[str, list[float]] = {name: [] for name in named}
    conns: dict[str, int] = {}
    for _ in range(runs):
        for name, case in named.items():
            work = cases.fresh_dir()
            sink.reset()
            seconds = case(target, rows, work)
            delivered = sink.messages
            shutil.rmtree(work, ignore_errors=True)
            if delivered != n:
                raise SystemExit(f"{name}: the sink received {delivered} of {n} messages")
            rates[name].append(n / seconds)
            conns[name] = sink.connections
    medians = {name: statistics.median(v) for name, v in rates.items()}
    base = medians[baseline]
    print(f"\n## {title}: {n} messages, {runs} interleaved run(s) each; ratio against '{baseline}'\n")
    print(f"| {'case':<34} | {'msgs/s (median)':>15} | {'min - max':>17} | {'ratio':>6} | {'connections':>11} |")
    print(f"|{'-' * 36}|{'-' * 17}|{'-' * 19}|{'-' * 8}|{'-' * 13}|")
    for name, values in rates.items():
        print(f"| {name:<34} | {medians[name]:>15.1f} | {min(values):>7.1f} - {max(values):>7.1f} | "
              f"{medians[name] / base:>6.2f} | {conns[name]:>11} |")
    sys.stdout.flush()
    return medians


def _peer_cases() -> dict[str, Case]:
    return {"mailmerge (CLI)": cases.mailmerge_cli, "yagmail": cases.yagmail_send, "redmail": cases.redmail_send}


def main() -> None:
    if sys.argv[1:2] == ["corpus"]:
        from . import corpus

        raise SystemExit(corpus.main(sys.argv[2:]))
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="Fewer messages and runs (a smoke test).")
    args = parser.parse_args()
    quick = args.quick
    n_local, runs_local = (200, 1) if quick else (1000, 3)
    n_far, runs_far = (20, 1) if quick else (60, 2)
    n_very_far = 10 if quick else 20
    began = time.perf_counter()
    rows: list[Row] = []
    work = cases.fresh_dir()
    print(f"# outreach benchmarks ({time.strftime('%Y-%m-%d')}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores)")

    plain = Sink(workdir=work)
    secure = Sink(secure=True, workdir=work)
    os.environ["SSL_CERT_FILE"] = secure.ca_path
    try:
        local = cases.Target(plain.port, False, "")
        named = {"floor: raw smtplib, pre-serialised": cases.floor, "hand loop: jinja2+email+smtplib": cases.hand_loop,
                 **_peer_cases(), "outreach send (CLI)": cases.outreach_cli(), "outreach (Python API)": cases.outreach_api()}
        med = _run_section("Local sink, plain SMTP", plain, local, named, n_local, runs_local,
                           "floor: raw smtplib, pre-serialised")
        best_peer = max(med[k] for k in _peer_cases())
        ours = max(med["outreach send (CLI)"], med["outreach (Python API)"])
        print(f"\nTarget: full pipeline >= 1.5x the fastest peer: {ours / best_peer:.2f}x; "
              f">= 0.5x the transport floor: {ours / med['floor: raw smtplib, pre-serialised']:.2f}x")
        cli, mm, floor = med["outreach send (CLI)"], med["mailmerge (CLI)"], med["floor: raw smtplib, pre-serialised"]
        rows.append((f"loopback, {n_local:,} msgs, CLI `--rate 0`", f"{cli:.0f} msg/s", f"mailmerge {mm:.0f}",
                     f"{cli / mm:.2f}x", ">= 1.5x", cli / mm >= 1.5))
        rows.append(("same vs transport floor (pre-serialised smtplib)", f"{cli:.0f}", f"{floor:.0f}",
                     f"{cli / floor:.2f}x", ">= 0.5x", cli / floor >= 0.5))
        synced = measure.fsyncs_per_message(200 if quick else 1000, plain.port, cases.fresh_dir())
        if synced is not None:
            fsyncs, fsync_ms = synced
            print(f"\nfsync/fdatasync calls per message sent (strace): {fsyncs:.2f}, {fsync_ms:.2f} ms each"
                  f" (wall, mean); the floor takes {1000 / floor:.2f} ms a message in all")
            rows.append(("fsyncs per message sent (strace)", f"{fsyncs:.2f}", "2.03 before", "", "<= 1.05",
                         fsyncs <= 1.05))

        far: dict[str, Case] = {"floor: raw smtplib, pre-serialised": cases.floor,
                                "hand loop: jinja2+email+smtplib": cases.hand_loop, **_peer_cases(),
                                "outreach send (CLI), 1 connection": cases.outreach_cli(1),
                                "outreach send (CLI), 8 connections": cases.outreach_cli(8),
                                "outreach (Python API), 8 connections": cases.outreach_api(8)}
        for rtt, n, runs in ((20, n_far, runs_far), (100, n_very_far, 1)):
            proxy = LatencyProxy(secure.port, rtt)
            try:
                target = cases.Target(proxy.port, True, secure.ca_path)
                med = _run_section(f"{rtt} ms round trip, STARTTLS + AUTH", secure, target, far, n, runs,
                                   "mailmerge (CLI)")
            finally:
                proxy.stop()
            print(f"\nTarget ({rtt} ms): outreach >= 8x mailmerge: "
                  f"{med['outreach send (CLI), 8 connections'] / med['mailmerge (CLI)']:.1f}x with 8 connections, "
                  f"{med['outreach send (CLI), 1 connection'] / med['mailmerge (CLI)']:.1f}x with 1")

        print("\n## Render only (no sending), messages per second\n")
        for name, rate in measure.render_throughput(300 if quick else 2000, work).items():
            print(f"- {name}: {rate:,.0f}")

        print("\n## Peak memory of one process sending a batch (local sink)\n")
        one = measure.peak_memory(1, plain.port, cases.fresh_dir())
        many_n = 1000 if quick else 10_000
        many = measure.peak_memory(many_n, plain.port, cases.fresh_dir())
        print(f"- API, 1 message: {one / 1024:.1f} MiB; {many_n:,} messages: {many / 1024:.1f} MiB; "
              f"difference {(many - one) / 1024:.1f} MiB (target: within 30 MiB)")
        one = measure.cli_peak_memory(1, plain.port, cases.fresh_dir())
        many = measure.cli_peak_memory(many_n, plain.port, cases.fresh_dir())
        extra = (many - one) / 1024
        print(f"- CLI, 1 message: {one / 1024:.1f} MiB; {many_n:,} messages: {many / 1024:.1f} MiB; "
              f"difference {extra:.1f} MiB (target: within 10 MiB)")
        rows.append((f"CLI peak memory, {many_n:,} vs 1 message batch", f"+{extra:.1f} MiB",
                     f"{one / 1024:.1f} MiB", "", "<= +10 MiB", extra <= 10))

        print("\n## Start-up, median wall time\n")
        threads = 1000 if quick else 10_000
        times = measure.startup(cases.fresh_dir(), 5 if quick else 15, threads)
        base = times["python -c pass"]
        for name, seconds in times.items():
            print(f"- {name}: {seconds * 1000:.0f} ms ({seconds / base:.1f}x python -c pass)")
        for name, limit in (("outreach --help", 4), ("outreach templates", 5),
                            (f"outreach due ({threads:,} threads)", 5)):
            ratio = times[name] / base
            rows.append((f"`{name.removeprefix('outreach ')}`" if "due" not in name else f"`due`, {threads:,} threads",
                         f"{times[name] * 1000:.0f} ms", f"`python -c pass` {base * 1000:.0f} ms", f"{ratio:.1f}x",
                         f"<= {limit}x", ratio <= limit))
        big = 10_000 if quick else 100_000
        scale = measure.due_at_scale(cases.fresh_dir(), 3 if quick else 5, big)
        ratio = scale["due"] / scale["python -c pass"]
        extra = scale["due MiB"] - scale["--help MiB"]
        print(f"- outreach due ({big:,} threads): {scale['due'] * 1000:.0f} ms ({ratio:.1f}x python -c pass), "
              f"peak {scale['due MiB']:.0f} MiB ({extra:+.0f} MiB over `outreach --help`)")
        rows.append((f"`due`, {big:,} threads", f"{scale['due'] * 1000:.0f} ms, {scale['due MiB']:.0f} MiB",
                     f"{scale['python -c pass'] * 1000:.0f} ms; `--help` {scale['--help MiB']:.0f} MiB",
                     f"{ratio:.1f}x, {extra:+.0f} MiB", "<= 10x, <= +50 MiB", ratio <= 10 and extra <= 50))

        targets_bench.print_section(cases.fresh_dir(), 5 if quick else 15)

        print("\n## Importing a LinkedIn export\n")
        n_rows = 3000 if quick else 30_000
        imports = measure.linkedin_import(cases.fresh_dir(), n_rows)
        for name, seconds in imports.items():
            print(f"- {n_rows:,} rows, {name}: {seconds:.2f} s")
        ratio = imports["first import"] / imports["bare csv + email-validator"]
        rows.append((f"{n_rows:,}-row LinkedIn import", f"{imports['first import']:.2f} s",
                     f"bare csv + email-validator {imports['bare csv + email-validator']:.2f} s", f"{ratio:.1f}x",
                     "<= 2x", ratio <= 2))
        _print_targets(rows)
    finally:
        plain.stop()
        secure.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nTotal benchmark time: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
