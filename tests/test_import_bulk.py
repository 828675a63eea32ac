"""A generated export of a few thousand rows imports into exactly the book the row-at-a-time importer made.

The expected digests were computed by the importer as it was before imports were batched (one
``INSERT``/``UPDATE`` per row, every address through email-validator): the contacts (timestamps
left out), their tags, and each import's report. Re-importing the same file changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from outreach.book.contacts import ContactBook
from outreach.store import Store

# sha256 of the book and of each report, from the row-at-a-time importer (commit 6a55429).
EXPECTED = {
    "seed": "ffed74c8cb656d64a88f9c9e3e77f892357b0c10ac7b116f11b59dbe367feefc",
    "google": "7790cd2a3583db16c594d183d73d57a3d84ef0fc566bfa2cde0bdcb4e5db91ec",
    "linkedin": "c49098ae47b1fe0b541da016ba242a34c1a2873686fd36e355a60babd41ddb3e",
    "book": "23bf937d025878951794677e011f7241b058ef4b94a167555dd032c7f260b55a",
}

FIRST = ["Zoë", "Kai", "Bo", "Ana", "Li", "Renée", "Björn", "Nadia", "Omar", "Eve", "Jo", "Sam"]
LAST = ["O'Brien", "Kim", "López", "Müller", "Okafor", "Lee", "Nguyen", "Smith", "Ivanova", "Da Silva"]
COMPANIES = ["Acme, Inc.", "Initech", "Globex", "Hooli", 'Wonka "Chocolate" Co.', "Umbrella", "Stark"]
DOMAINS = ["example.com", "example.org", "mail.example.com", "Example.NET", "bücher.example.com",
           "xn--bcher-kva.example.org", "initech.example.com"]
DATES = ["27 Sep 2016", "02 Sep 2017", "2020-08-17", "8/17/20", "Aug 17, 2020", "17.08.2020", "someday"]


def _email(rng: random.Random, i: int) -> str:
    roll = rng.random()
    if roll < 0.02:
        return rng.choice([f"broken{i}@", f"a{i}@b", f"x{i};y@example.com", f"no-at-{i}", f"two@@{i}.example.com",
                           f"sp ace{i}@example.com", f"dot.{i}.@example.com", f"q{i}@localhost"])
    if roll < 0.04:
        return rng.choice(["Postmaster@Example.COM", f"ünï{i}@example.com", f"\"quoted{i}\"@example.com",
                           f"typo{i}@exmaple.com", f"CASE.{i}@EXAMPLE.ORG", f" pad{i}@example.org "])
    local = rng.choice(["p", "first.last", "f_l", "x+tag", "a-b"]) + str(i)
    return f"{local}@{rng.choice(DOMAINS)}"


def _name(rng: random.Random) -> tuple[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    roll = rng.random()
    if roll < 0.03:
        first = f"  {first}\u202e  "
    elif roll < 0.05:
        last = f"{last}\x1b[2J  Jr."
    return first, last


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def write_exports(folder: Path, rows: int = 3000, seed: int = 16) -> tuple[Path, Path, Path]:
    """A generic CSV to start the book, a Google export, and a LinkedIn export overlapping both."""
    rng = random.Random(seed)
    people = []
    for i in range(rows):
        first, last = _name(rng)
        people.append({"first": first, "last": last, "email": _email(rng, i), "company": rng.choice(COMPANIES),
                       "url": f"https://www.linkedin.com/in/p-{i}" if rng.random() < 0.8 else ""})
    seed_rows = [["email", "name", "company", "title", "linkedin", "notes", "tags", "phone"]]
    for p in people[: rows // 3]:
        seed_rows.append([p["email"], f"{p['first']} {p['last']}", p["company"], rng.choice(["Analyst", ""]),
                          p["url"] if rng.random() < 0.5 else "", rng.choice(["", "met at the fair\nsecond line"]),
                          rng.choice(["", "alumni", "alumni; fair"]), rng.choice(["", "+1 555 0100"])])
    seed_path = folder / "seed.csv"
    seed_path.write_text(_csv(seed_rows), encoding="utf-8")
    google = [["First Name", "Middle Name", "Last Name", "Organization Name", "Organization Title", "Notes",
               "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label", "E-mail 2 - Value"]]
    for i, p in enumerate(people[rows // 4: rows // 2]):
        second = f"home{i}@example.net" if rng.random() < 0.3 else ""
        value = p["email"] + (f" ::: alt{i}@example.org" if rng.random() < 0.1 else "")
        google.append([p["first"], "", p["last"], p["company"], rng.choice(["Engineer", "VP", ""]),
                       rng.choice(["", "coffee in May"]), rng.choice(["* myContacts", "* myContacts ::: Work"]),
                       "* Work", value, "Home" if second else "", second])
    google_path = folder / "google.csv"
    google_path.write_text("\ufeff" + _csv(google), encoding="utf-8")
    linkedin = [["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]]
    order = list(range(rows))
    rng.shuffle(order)
    for i in order + order[: rows // 20]:  # a twentieth of the people appear twice
        p = people[i]
        roll = rng.random()
        email = p["email"] if roll < 0.5 else (p["email"].upper() if roll < 0.55 else "")
        if roll > 0.97:
            email = f"moved{i}@example.com"  # the same URL with another address
        linkedin.append([p["first"], p["last"], p["url"], email, p["company"], rng.choice(["Analyst", "Director"]),
                         rng.choice(DATES)])
    for n, typo in enumerate(["exmaple.com", "exampel.org", "mail.exmaple.com", "xn--bcher-kva.exmaple.com"]):
        linkedin.append(["Ty", f"Po {n}", "", f"ty.po{n}@{typo}", "Initech", "Analyst", "01 Jan 2021"])
    linkedin.append(["Ty", "Po 0", "", "", "Initech", "Analyst", "01 Jan 2021"])  # no address, no URL: by name
    linkedin.append(["No", "Link", "", "", "Initech", "Analyst", "01 Jan 2021"])
    linkedin.append(["no", "  link", "", "", "INITECH", "Director", "02 Jan 2021"])
    linkedin.append(["", "", "", "nameless@example.com", "", "", ""])
    linkedin.append(["Broken", "Row", "", "", "Globex"])
    linkedin.append(["", "", "", "", "", "", ""])
    linkedin_path = folder / "Connections.csv"
    linkedin_path.write_text('Notes:\n"When exporting your connection data, you may notice..."\n\n' + _csv(linkedin),
                             encoding="utf-8")
    return seed_path, google_path, linkedin_path


def dump(path: Path) -> list[dict[str, Any]]:
    """Every contact with its tags, ordered by id; timestamps are left out (``removed`` says whether one is set)."""
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    tags: dict[int, list[str]] = {}
    for contact_id, tag in db.execute("SELECT contact_id, tag FROM outreach_contact_tags ORDER BY contact_id, tag"):
        tags.setdefault(contact_id, []).append(tag)
    rows = []
    for row in db.execute("SELECT * FROM outreach_contacts ORDER BY id"):
        item = {k: row[k] for k in row.keys() if k not in ("created_at", "updated_at", "removed_at")}
        rows.append({**item, "removed": row["removed_at"] is not None, "tags": tags.get(row["id"], [])})
    db.close()
    return rows


def timestamps(path: Path) -> list[tuple[int, str, str]]:
    db = sqlite3.connect(path)
    found = db.execute("SELECT id, created_at, updated_at FROM outreach_contacts ORDER BY id").fetchall()
    db.close()
    return found


def digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def build(folder: Path) -> tuple[ContactBook, dict[str, dict[str, object]], Path]:
    """The book after the seed import, hand edits, the Google import and the LinkedIn import (tagged)."""
    seed_path, google_path, linkedin_path = write_exports(folder)
    store_path = folder / "book.sqlite3"
    book = ContactBook(Store(store_path))
    reports = {"seed": book.import_file(seed_path).as_json()}
    everyone = book.find()
    for record in everyone[::37]:
        book.edit(record.id, name=record.name.upper(), position="Edited")
    for n, record in enumerate(r for r in everyone[5::53] if r.email):
        book.edit(record.id, email=f"corrected{n}@example.com")
    for record in everyone[11::97]:
        book.remove(record.id)
    book.add("hand.added@example.com", name="Hand Added", tags=["vip"])
    reports["google"] = book.import_file(google_path).as_json()
    reports["linkedin"] = book.import_file(linkedin_path, tags=["fall"]).as_json()
    return book, reports, linkedin_path


def test_a_generated_export_makes_the_book_the_row_at_a_time_importer_made(tmp_path: Path) -> None:
    book, reports, linkedin_path = build(tmp_path)
    contacts = dump(book.store.path)
    assert len(contacts) > 2000
    assert {name: digest(report) for name, report in reports.items()} | {"book": digest(contacts)} == EXPECTED
    before = timestamps(book.store.path)
    again = book.import_file(linkedin_path, tags=["fall"])
    assert (again.added, again.updated) == (0, 0)
    assert again.unchanged == reports["linkedin"]["added"] + reports["linkedin"]["updated"] + reports["linkedin"][
        "unchanged"]
    assert again.as_json()["skipped"] == reports["linkedin"]["skipped"]
    assert again.notices == reports["linkedin"]["notices"]
    assert dump(book.store.path) == contacts and timestamps(book.store.path) == before


def test_an_import_that_fails_half_way_leaves_the_book_as_it_was(tmp_path: Path) -> None:
    seed_path, google_path, linkedin_path = write_exports(tmp_path, rows=1200)
    book = ContactBook(Store(tmp_path / "book.sqlite3"))
    book.import_file(seed_path)
    before, stamps = dump(book.store.path), timestamps(book.store.path)

    def stop(done: int) -> None:
        raise KeyboardInterrupt  # as Ctrl-C would, with 500 rows queued to be written

    try:
        book.import_file(linkedin_path, tags=["fall"], progress=stop)
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("the import went on")
    assert dump(book.store.path) == before and timestamps(book.store.path) == stamps
    report = book.import_file(linkedin_path, tags=["fall"])  # the store is usable, and the import goes through
    assert report.added > 0 and len(dump(book.store.path)) == len(before) + report.added


def test_a_process_killed_mid_import_leaves_the_book_as_it_was(tmp_path: Path) -> None:
    seed_path, _, linkedin_path = write_exports(tmp_path, rows=1200)
    store_path = tmp_path / "book.sqlite3"
    book = ContactBook(Store(store_path))
    book.import_file(seed_path)
    before = dump(store_path)
    book.store.close()
    script = ("import os, sys\nfrom pathlib import Path\nfrom outreach.book.contacts import ContactBook\n"
              "from outreach.store import Store\n"
              "book = ContactBook(Store(Path(sys.argv[1])))\n"
              "book.import_file(Path(sys.argv[2]), progress=lambda done: os._exit(9))\n")
    done = subprocess.run([sys.executable, "-c", script, str(store_path), str(linkedin_path)], timeout=120)
    assert done.returncode == 9
    assert dump(store_path) == before
    assert ContactBook(Store(store_path)).import_file(linkedin_path).added > 0


def test_new_contacts_get_ids_from_sqlite_when_the_largest_id_is_taken(tmp_path: Path) -> None:
    store_path = tmp_path / "book.sqlite3"
    book = ContactBook(Store(store_path))
    book.add("last@example.com", name="Last One")
    db = sqlite3.connect(store_path)
    db.execute("UPDATE outreach_contacts SET id = ? WHERE email_key = 'last@example.com'", (2**63 - 1,))
    db.commit()
    db.close()
    export = tmp_path / "contacts.csv"
    export.write_text("email,name\na@example.com,A\nb@example.com,B\nlast@example.com,Last One\n", encoding="utf-8")
    report = book.import_file(export)
    assert (report.added, report.unchanged) == (2, 1)
    ids = {c.email: c.id for c in book.find()}
    assert ids["last@example.com"] == 2**63 - 1 and len(set(ids.values())) == 3
    assert book.import_file(export).unchanged == 3
