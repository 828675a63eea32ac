"""How well outreach reads mail and contact exports written by other programs.

``python -m benchmarks corpus PATH`` takes a folder laid out like ``shared/data/real/``:
``mail/labels.json`` (each message's ``kind`` and failed ``recipients``), the messages under
``mail/``, and contact exports (``.vcf``, ``.csv``) in any other folder (``vcard/``, ``csv/``...).
It prints one table and then every miss, so a change to the classifier or the importers can be
judged by rerunning it. Nothing here touches the network; imports go into a throw-away SQLite store.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

__all__ = ["Tally", "main", "measure_contacts", "measure_mail"]

TODAY = date(2026, 11, 27)
_EMAIL_LINE = re.compile(r"^(?:[\w-]+\.)?EMAIL[;:]", re.IGNORECASE)
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass
class Tally:
    """One row of the table: how many of how many, and the misses by file."""

    label: str
    hits: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)
    lower_is_better: bool = False

    def add(self, ok: bool, miss: str) -> None:
        """Count one case; a miss is kept with its description."""
        self.total += 1
        if ok:
            self.hits += 1
        else:
            self.misses.append(miss)

    def cell(self) -> str:
        """``hits/total (percent)``."""
        if not self.total:
            return "0/0"
        return f"{self.hits}/{self.total} ({100 * self.hits / self.total:.0f}%)"


def _classify(raw: bytes) -> Any:
    from outreach.mailbox.replies import classify

    return classify(message_from_bytes(raw, policy=policy.default), TODAY)


def measure_mail(root: Path) -> list[Tally]:
    """Classify every labelled message under ``root/mail`` and compare with its label."""
    labels: dict[str, dict[str, Any]] = json.loads((root / "mail" / "labels.json").read_text())["labels"]
    recognised = Tally("bounces recognised")
    address = Tally("bounced address extracted correctly (bounces with a known recipient)")
    unusable = Tally("recognised bounces sync can use (an original Message-ID, or an address from a mail system)")
    delays = Tally("delay warnings recorded as delays, not bounces")
    delivered = Tally("success notices not taken as failures")
    complaints = Tally("ARF reports recognised as complaints")
    replies = Tally("human replies classified as replies")
    autos = Tally("auto-replies classified as auto-replies")
    others = Tally("other messages not taken as bounces or complaints")
    readable = Tally("messages read without an error")
    for name, label in sorted(labels.items()):
        path = root / "mail" / name
        if not path.is_file():
            continue
        kind = label["kind"]
        expected = {r.lower() for r in label.get("recipients", [])}
        try:
            inc = _classify(path.read_bytes())
        except Exception as exc:  # a crash is a measured miss, not the end of the run
            readable.add(False, f"{name}: {type(exc).__name__}: {exc}")
            continue
        readable.add(True, "")
        got = inc.kind
        bounced = getattr(inc, "bounced", "")
        if kind == "bounce":
            recognised.add(got == "bounce", f"{name}: taken as {got}")
            if expected:
                address.add(got == "bounce" and bounced in expected,
                            f"{name}: got {bounced or 'none'!r}, expected {', '.join(sorted(expected))}")
            if got == "bounce":
                unusable.add(bool((bounced and getattr(inc, "from_system", True)) or getattr(inc, "originals", ())
                                  or inc.references),
                             f"{name}: no original Message-ID, and no address from a mail system")
        elif kind == "delay":
            delays.add(got == "delay", f"{name}: taken as {got}")
        elif kind == "delivered":
            delivered.add(got not in ("bounce", "complaint"), f"{name}: taken as {got}")
        elif kind == "feedback":
            complaints.add(got == "complaint", f"{name}: taken as {got}")
        elif kind == "reply":
            replies.add(got == "reply", f"{name}: taken as {got}")
        elif kind == "auto-reply":
            autos.add(got == "auto-reply", f"{name}: taken as {got}")
        else:
            others.add(got not in ("bounce", "complaint"), f"{name}: taken as {got}")
    return [recognised, address, unusable, delays, delivered, complaints, replies, autos, others, readable]


def _expected_addresses(text: str) -> set[str]:
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    found: set[str] = set()
    for line in unfolded.splitlines():
        if _EMAIL_LINE.match(line):
            found.update(a.lower() for a in _ADDRESS.findall(line.split(":", 1)[1]))
    return found


def _import_twice(path: Path) -> tuple[int, int, str]:
    """Import ``path`` into a fresh store twice: rows added the first time, updated the second, error."""
    from outreach.book.contacts import ContactBook
    from outreach.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        book = ContactBook(Store(Path(tmp) / "s.sqlite3"))
        try:
            first = book.import_file(path)
            second = book.import_file(path)
        except Exception as exc:  # a refusal is a measured miss
            return 0, 0, f"{type(exc).__name__}: {exc}"
        return first.added, second.updated + second.added, ""


def _exports(root: Path, *suffixes: str) -> list[Path]:
    """Contact exports with one of ``suffixes`` in any folder of ``root`` but ``mail/`` (``vcard/``, ``csv/``...)."""
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in suffixes
                  and p.relative_to(root).parts[0] != "mail")


def measure_contacts(root: Path) -> list[Tally]:
    """Read every vCard and CSV under ``root``: cards and addresses kept, and whether re-import changes nothing."""
    from outreach.book.formats import read_contacts

    cards = Tally("vCard cards imported")
    addresses = Tally("vCard addresses imported")
    csv_files = Tally("CSV exports read (not refused)")
    reimport = Tally("exports whose re-import changes nothing")
    for path in _exports(root, ".vcf", ".vcard"):
        text = path.read_bytes().decode("utf-8", "replace")
        want_cards = len(re.findall(r"^\s*BEGIN:VCARD\s*$", text, re.IGNORECASE | re.MULTILINE))
        want = _expected_addresses(text)
        try:
            _, rows, skipped = read_contacts(path)
        except Exception as exc:  # a refusal is a measured miss
            rows, skipped = [], [f"refused: {exc}"]
        got = {a.lower() for r in rows for a in [r.email, *r.other_emails] if a}
        for n in range(want_cards):
            cards.add(n < len(rows), f"{path.name}: card {n + 1} of {want_cards} lost ({'; '.join(map(str, skipped))})")
        for a in sorted(want):
            addresses.add(a in got, f"{path.name}: {a} not imported")
    for path in _exports(root, ".csv", ".tsv", ".txt"):
        try:
            read_contacts(path)
            csv_files.add(True, "")
        except Exception as exc:  # a refusal is a measured miss
            csv_files.add(False, f"{path.name}: {exc}")
    for suffixes in ((".vcf", ".vcard"), (".csv", ".tsv", ".txt")):
        for path in _exports(root, *suffixes):
            added, changed, error = _import_twice(path)
            if error:
                continue
            reimport.add(changed == 0, f"{path.name}: {changed} of {added} contacts changed on re-import")
    return [cards, addresses, csv_files, reimport]


def report(tallies: list[Tally], out: Callable[[str], None] = print) -> None:
    """Print the table, then every miss under its row."""
    out("| measured | result |")
    out("|---|---|")
    for t in tallies:
        if t.total:
            out(f"| {t.label} | {t.cell()} |")
    for t in tallies:
        if t.misses:
            out(f"\n### Misses: {t.label} ({len(t.misses)})\n")
            for miss in t.misses:
                out(f"- {miss}")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m benchmarks corpus PATH``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks corpus", description=__doc__)
    parser.add_argument("path", type=Path, help="a folder laid out like shared/data/real/")
    args = parser.parse_args(argv)
    root: Path = args.path
    if not (root / "mail" / "labels.json").is_file() and not _exports(root, ".vcf", ".vcard", ".csv"):
        parser.error(f"{root} has neither mail/labels.json nor contact exports (.vcf, .csv)")
    tallies: list[Tally] = []
    if (root / "mail" / "labels.json").is_file():
        tallies += measure_mail(root)
    tallies += measure_contacts(root)
    print(f"# outreach corpus evaluation: {root}\n")
    report(tallies)
    return 0


if __name__ == "__main__":
    sys.exit(main())
