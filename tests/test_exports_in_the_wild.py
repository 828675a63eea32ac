"""Contact exports as phones, Excel, Outlook and LinkedIn write them (fixtures written here, modelled on real ones)."""

from __future__ import annotations

import codecs
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from outreach.cli import cli
from outreach.book.contacts import ContactBook
from outreach.errors import ImportFormatError
from outreach.book.formats import read_contacts, read_export
from outreach.store import Store


@pytest.fixture
def book(tmp_path: Path) -> ContactBook:
    return ContactBook(Store(tmp_path / "s.sqlite3"))


VCARD_21 = (
    "BEGIN:VCARD\r\nVERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BC=\r\nller\r\n"
    "ORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Gr=C3=BCn, Blau & Co=\r\n=2E KG;Vertrieb\r\n"
    "TITLE:Head of Sales, EMEA\r\n"
    "EMAIL;INTERNET:juergen.private@example.de\r\n"
    "EMAIL;PREF;INTERNET:juergen@example.de\r\n"
    "NOTE;ENCODING=QUOTED-PRINTABLE:Met at the fair=0D=0ASecond line=\r\n"
    "\r\n"
    "PHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHR\r\n"
    "oeHR0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwh\r\n"
    "MjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjL/wAARCAABAAE\r\n"
    "\r\n"
    "TEL;CELL:+49 30 1234567\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:2.1\r\nFN;ENCODING=BASE64;CHARSET=UTF-8:w4lsb2RpZSBQYXJpcw==\r\n"
    "EMAIL;TYPE=INTERNET,PREF:elodie@example.fr\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Kim Lee\r\nEMAIL;PREF=2:mailto:kim.home@example.org\r\n"
    "EMAIL;PREF=1:kim@example.org\r\nORG:Acme\\, Inc.;R&D\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Broken Card\r\nEMAIL:broken@example.org\r\n"
)


def test_vcard_21_as_phones_and_outlook_write_it(tmp_path: Path) -> None:
    path = tmp_path / "phone.vcf"
    path.write_bytes(VCARD_21.encode("utf-8"))
    _, rows, skipped = read_contacts(path)
    first, second, third = rows
    assert (first.name, first.email, first.other_emails) == ("Jürgen Müller", "juergen@example.de",
                                                              ["juergen.private@example.de"])
    assert (first.company, first.position) == ("Grün, Blau & Co. KG", "Head of Sales, EMEA")
    assert first.notes == "Met at the fair\nSecond line", "a soft break before a blank line ends the value"
    assert (second.name, second.email) == ("Élodie Paris", "elodie@example.fr")
    assert (third.email, third.other_emails, third.company) == ("kim@example.org", ["kim.home@example.org"],
                                                                "Acme, Inc.")
    last_card = max(i for i, line in enumerate(VCARD_21.splitlines(), start=1) if line == "BEGIN:VCARD")
    assert [s.line for s in skipped] == [last_card] and "END:VCARD" in skipped[0].reason


def test_vcard_card_without_name_or_address_is_skipped_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "x.vcf"
    path.write_text("BEGIN:VCARD\nVERSION:3.0\nTEL:123\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:Ada\nEND:VCARD\n")
    _, rows, skipped = read_contacts(path)
    assert [r.name for r in rows] == ["Ada"] and [s.line for s in skipped] == [1]


LINKEDIN_ROWS = [("Ana", "Ruiz", "https://www.linkedin.com/in/ana-ruiz", "ana@example.com", "Núñez & Co", "Analyst")]


@pytest.mark.parametrize(("layout", "date_text"), [
    ("Notes:\n\"When exporting your connection data, you may notice...\"\n\n"
     "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n{first},{last},{url},{email},{company},"
     "{position},{date}\n", "27 Sep 2024"),
    ("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n{first},{last},{url},{email},{company},"
     "{position},{date}\n", "27-Sep-24"),
    ("First Name,Last Name,Email Address,Company,Position,Connected On\n{first},{last},{email},{company},{position},"
     "{date}\n", "9/27/24"),
    ("First Name;Last Name;URL;Email Address;Company;Position;Connected On\n{first};{last};{url};{email};{company};"
     "{position};{date}\n", "2024-09-27"),
    ("First Name\tLast Name\tURL\tEmail Address\tCompany\tPosition\tConnected On\n{first}\t{last}\t{url}\t{email}\t"
     "{company}\t{position}\t{date}\n", "Sep 27, 2024"),
    ("First Name,Last Name,Email Address,Company,Position,Connected On\n{first},{last},{email},{company},{position},"
     "\"{date}\"\n", "9/27/18, 3:14 PM"),
])
def test_linkedin_layouts_and_date_forms(tmp_path: Path, layout: str, date_text: str) -> None:
    first, last, url, email, company, position = LINKEDIN_ROWS[0]
    path = tmp_path / "Connections.csv"
    path.write_text(layout.format(first=first, last=last, url=url, email=email, company=company, position=position,
                                  date=date_text), encoding="utf-8")
    fmt, rows, skipped = read_contacts(path)
    assert fmt == "linkedin" and not skipped
    assert (rows[0].name, rows[0].email, rows[0].company) == ("Ana Ruiz", "ana@example.com", "Núñez & Co")
    assert rows[0].connected_on == ("2018-09-27" if date_text.endswith("PM") else "2024-09-27")


@pytest.mark.parametrize(("encode", "notice"), [
    (lambda t: t.encode("utf-8"), None),
    (lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), None),
    (lambda t: t.encode("utf-16"), None),
    (lambda t: t.encode("cp1252"), "Windows-1252"),
    (lambda t: t.encode("latin-1"), "Windows-1252"),
], ids=["utf-8", "utf-8-bom", "utf-16", "cp1252", "latin-1"])
def test_csv_encodings(book: ContactBook, tmp_path: Path, encode: object, notice: str | None) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(encode("Email,Name,Company\r\nrene@example.com,René Núñez,Café Olé\r\n"))  # type: ignore
    report = book.import_file(path)
    assert report.added == 1 and not report.skipped
    assert (book.get("rene@example.com").name, book.get("rene@example.com").company) == ("René Núñez", "Café Olé")
    assert (notice in report.notices[0]) if notice else report.notices == []


def test_a_file_mixing_utf8_and_cp1252_is_refused_with_the_iconv_hint(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes("email,name\nzoe@example.com,Zoë\n".encode() + b"ren@example.com,Ren\xe9\n")
    with pytest.raises(ImportFormatError, match=r"mixed.csv:3: .*iconv"):
        read_export(path)


def test_import_prints_the_encoding_notice(config_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("Email;Name\r\nrene@example.com;René\r\n".encode("cp1252"))
    result = CliRunner().invoke(cli, ["contacts", "import", str(path)])
    assert result.exit_code == 0 and "1 added" in result.stdout
    assert "Windows-1252" in result.stderr


OUTLOOK = ('"First Name","Middle Name","Last Name","Title","Suffix","Company","Department","Job Title",'
           '"E-mail Address","E-mail Display Name","E-mail 2 Address","Notes","Categories"\r\n'
           '"Priya","","Shah","Dr.","","Initech","Data","Lead Scientist","priya@example.com",'
           '"Priya Shah (priya@example.com)","p.shah@example.net","Met at PyCon","Conference;Data"\r\n')


def test_outlook_csv(tmp_path: Path) -> None:
    path = tmp_path / "outlook.csv"
    path.write_bytes(OUTLOOK.encode("utf-16"))
    fmt, rows, _ = read_contacts(path)
    row = rows[0]
    assert fmt == "outlook"
    assert (row.name, row.email, row.other_emails, row.company, row.position, row.tags) == (
        "Priya Shah", "priya@example.com", ["p.shah@example.net"], "Initech", "Lead Scientist", ["Conference", "Data"])


def test_reimporting_the_same_file_changes_nothing_even_with_repeated_rows(book: ContactBook, tmp_path: Path) -> None:
    path = tmp_path / "Connections.csv"
    path.write_text("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
                    "Ana,Ruiz,https://www.linkedin.com/in/ana,,Acme,Analyst,27 Sep 2024\n"
                    "Ana,Ruiz,https://www.linkedin.com/in/ana,,Globex,,27 Sep 2024\n"
                    "Bo,Li,,bo@example.com,Initech,,1 Oct 2024\n"
                    "Bo,Li,,bo@example.com,,Engineer,1 Oct 2024\n", encoding="utf-8")
    first = book.import_file(path)
    assert first.added == 2
    bo = book.get("bo@example.com")
    assert (bo.company, bo.position) == ("Initech", "Engineer"), "a repeated row fills gaps, never overwrites"
    for _ in range(2):
        again = book.import_file(path)
        assert (again.added, again.updated) == (0, 0)


def test_special_files_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(ImportFormatError, match="not a regular file"):
        read_export(fifo)
    with pytest.raises(ImportFormatError, match="not a regular file"):
        read_export(Path("/dev/null"))


def test_an_oversized_field_is_refused_with_its_row_and_later_rows_are_read(book: ContactBook,
                                                                           tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    huge = "x" * 200_000
    path.write_text(f'email,name,notes\nada@example.com,Ada,ok\nbob@example.com,Bob,"{huge}"\n'
                    'cy@example.com,"Cy\ndee@example.com,Dee,fine\n', encoding="utf-8")
    report = book.import_file(path)
    reasons = {s.line: s.reason for s in report.skipped}
    assert "larger than" in reasons[3] and "quote" in reasons[4]
    assert sorted(c.email for c in book.find()) == ["ada@example.com", "dee@example.com"]


def test_control_characters_in_imports_are_stripped(book: ContactBook, tmp_path: Path) -> None:
    path = tmp_path / "evil.csv"
    path.write_text("email,name,company\nada@example.com,\x1b]0;pwned\x07Ada\x1b[2J,Acme\u202e\n", encoding="utf-8")
    book.import_file(path)
    ada = book.get("ada@example.com")
    assert (ada.name, ada.company) == ("Ada", "Acme")
    assert json.dumps(ada.name) == '"Ada"'


def test_other_csv_address_books(tmp_path: Path) -> None:
    thunderbird = tmp_path / "thunderbird.csv"
    thunderbird.write_text("First Name,Last Name,Display Name,Nickname,Primary Email,Secondary Email\n"
                           "Ana,Ruiz,Ana Ruiz,,ana@example.com,ana.r@example.net\n", encoding="utf-8")
    _, rows, _ = read_contacts(thunderbird)
    assert (rows[0].name, rows[0].email) == ("Ana Ruiz", "ana@example.com")
    google_2019 = tmp_path / "google.csv"
    google_2019.write_text("Name,Given Name,Family Name,Group Membership,E-mail 1 - Type,E-mail 1 - Value\n"
                           "Bo Li,Bo,Li,* myContacts ::: Mentors,* Work,bo@example.com\n", encoding="utf-8")
    fmt, rows, _ = read_contacts(google_2019)
    assert (fmt, rows[0].email, rows[0].tags) == ("google", "bo@example.com", ["Mentors"])
