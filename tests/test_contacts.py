"""The contact book: every import format, idempotent re-import, edits kept, referrals, blocks."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.cli import cli
from outreach.book.contacts import ContactBook
from outreach.errors import ContactError, ImportFormatError
from outreach.book.formats import detect_format, read_contacts
from outreach.compose.controls import printable
from outreach.store import Store

DATA = Path(__file__).parent / "data"


@pytest.fixture
def book(tmp_path: Path) -> ContactBook:
    return ContactBook(Store(tmp_path / "store.sqlite3"))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_linkedin_export_with_preamble_and_hidden_addresses(book: ContactBook) -> None:
    report = book.import_file(DATA / "Connections.csv")
    assert report.format == "linkedin"
    assert (report.added, report.updated, report.unchanged) == (3, 0, 0)
    assert [str(s) for s in report.skipped] == [
        "line 8: 'eve@exmaple' is not a valid address: The part after the @-sign is not valid. It should have a period.",
        "line 9: has 5 cells but the header has 7",
    ]
    kai = book.get("kai.kim@mail.example.com")
    assert (kai.name, kai.company, kai.position, kai.linkedin_url, kai.connected_on) == (
        "Kai Kim", "Acme, Inc.", "Product Manager", "https://www.linkedin.com/in/kai-kim", "2016-09-27")
    zoe = book.get("zoe.obrien@example.org")
    assert zoe.name == "Zoë O'Brien-Müller" and zoe.company == 'Wonka "Chocolate" Co.'
    assert zoe.position == "Director, Talent Acquisition" and zoe.email == "Zoe.OBrien@example.org"
    bo = [c for c in book.find() if c.name == "Bo López"][0]
    assert bo.email == "" and bo.linkedin_url == "https://www.linkedin.com/in/bo-lopez"
    assert report.without_address == 1


def test_google_export_with_bom_crlf_multiline_notes_and_several_addresses(book: ContactBook) -> None:
    report = book.import_file(DATA / "google.csv")
    assert report.format == "google" and report.added == 3 and not report.skipped
    nadia = book.get("nadia.lee@mail.example.com")
    assert nadia.notes == "Met at the spring career fair.\r\nAsked about data roles."
    renee = book.get("rene.okafor@example.com")
    assert renee.fields["other_emails"] == "rene.home@example.net, renee.second@example.com"
    assert renee.tags == ("Alumni",)
    bjorn = book.get("bjorn.okafor@example.org")
    assert bjorn.company == 'Wonka "Chocolate" Co.' and bjorn.fields["phone"] == "+1 555-0166"
    assert bjorn.tags == ("Networking",)


def test_vcard_3_and_4_with_folded_lines_and_escaped_commas(book: ContactBook) -> None:
    report = book.import_file(DATA / "contacts.vcf")
    assert report.format == "vcard" and report.added == 3 and report.without_address == 1
    renee = book.get("renee.perez@example.org")
    assert renee.company == "Acme, Inc." and renee.name == "Renée Pérez"
    zoe = book.get("zoe.obrien.with.a.very.long.address@example.com")
    assert zoe.position == "Director, Talent Acquisition" and zoe.company == "Globex"
    assert zoe.notes == "Met at PyCon\nwants a referral"
    assert zoe.fields["other_emails"] == "zoe.home@example.org"


@pytest.mark.parametrize("name", ["Connections.csv", "google.csv", "contacts.vcf"])
def test_reimport_is_a_no_op(book: ContactBook, name: str) -> None:
    book.import_file(DATA / name, tags=["fall-search"])
    before = [c.as_json() for c in book.find()]
    again = book.import_file(DATA / name, tags=["fall-search"])
    assert again.added == 0 and again.updated == 0 and again.unchanged == 3
    assert [c.as_json() for c in book.find()] == before


def test_new_information_fills_in_but_user_edits_are_kept(book: ContactBook, tmp_path: Path) -> None:
    book.import_file(DATA / "Connections.csv")
    bo = [c for c in book.find() if c.name == "Bo López"][0]
    book.edit(bo.id, position="Head of Talent")
    updated = (DATA / "Connections.csv").read_text(encoding="utf-8").replace(
        "bo-lopez,,\"Acme, Inc.\",Recruiter", "bo-lopez,bo@example.com,\"Acme, Inc.\",Senior Recruiter").replace(
        "Kai,Kim,https://www.linkedin.com/in/kai-kim,kai.kim@mail.example.com,\"Acme, Inc.\"",
        "Kai,Kim,https://www.linkedin.com/in/kai-kim,kai.kim@mail.example.com,Globex")
    path = tmp_path / "Connections.csv"
    path.write_text(updated, encoding="utf-8")
    report = book.import_file(path)
    assert (report.added, report.updated, report.unchanged) == (0, 2, 1)
    bo = book.get(bo.id)
    assert bo.email == "bo@example.com" and bo.position == "Head of Talent"
    assert book.get("kai.kim@mail.example.com").company == "Globex"


def test_address_matching_ignores_domain_case_and_idn_form(book: ContactBook, tmp_path: Path) -> None:
    book.add("ada@bücher.de", name="Ada")
    path = tmp_path / "people.csv"
    path.write_text("Email,Name,Company\nada@XN--BCHER-KVA.DE,Ada Lovelace,Engines\n", encoding="utf-8")
    report = book.import_file(path)
    assert report.added == 0 and report.updated == 1
    ada = book.get("ada@bücher.de")
    assert ada.name == "Ada" and ada.company == "Engines"


def test_runs_of_spaces_in_imported_names_become_one(book: ContactBook, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("email,name,company,position\npat@example.com,Pat  Lee, Acme \t Inc ,Data   Analyst\n",
                    encoding="utf-8")
    book.import_file(path)
    pat = book.get("pat@example.com")
    assert (pat.name, pat.company, pat.position) == ("Pat Lee", "Acme Inc", "Data Analyst")


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file"),
     ("email,name\nzoe@example.com,Zoë\n".encode() + b"bad,\xe9\n", "mixes both"),
     (b"name,company\nAda,Globex\n", "no email column"),
     (b"", "empty")],
)
def test_broken_files_give_clear_errors_and_import_nothing(book: ContactBook, tmp_path: Path, content: bytes,
                                                           needle: str) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFormatError, match=needle):
        book.import_file(path)
    assert book.find() == []


def test_truncated_quote_reports_the_row_and_keeps_the_good_ones(book: ContactBook, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('email,name\nada@example.com,Ada\nbob@example.com,"Bob\n', encoding="utf-8")
    report = book.import_file(path)
    assert report.added == 1 and report.skipped[0].line == 3 and "quote" in report.skipped[0].reason


def test_detection_by_content() -> None:
    assert detect_format(Path("x.csv"), (DATA / "Connections.csv").read_text()) == "linkedin"
    assert detect_format(Path("x.csv"), (DATA / "google.csv").read_text(encoding="utf-8-sig")) == "google"
    assert detect_format(Path("x.txt"), "BEGIN:VCARD\r\n") == "vcard"
    assert detect_format(Path("x.csv"), "email,name\n") == "csv"


NAMES = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).map(str.strip).filter(bool)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(NAMES, NAMES, st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60)),
                min_size=1, max_size=8))
def test_generic_csv_round_trips_quotes_commas_newlines_unicode(tmp_path: Path, rows: list) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["E-mail", "Name", "Company", "Notes"])
    for i, (name, company, notes) in enumerate(rows):
        writer.writerow([f"p{i}@example.com", name, company, notes])
    path = tmp_path / "gen.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    _, parsed, skipped = read_contacts(path)
    assert not skipped
    assert [(c.email, c.name, c.company, c.notes) for c in parsed] == [
        (f"p{i}@example.com", " ".join(printable(n).split()), " ".join(printable(c).split()),
         printable(t, keep_newlines=True).strip())
        for i, (n, c, t) in enumerate(rows)]


def test_referrals_and_permission_reach_the_intro(book: ContactBook) -> None:
    from outreach import Renderer, Sender

    book.add("maya@example.com", name="Maya Chen")
    allowed = book.add("ada@example.com", name="Ada", referred_by="maya@example.com", may_use_name=True)
    withheld = book.add("bob@example.com", name="Bob", referred_by="maya@example.com")
    sender = Sender("Sam Rivera", "sam@example.edu")
    yes = Renderer().render("intro", allowed.as_contact(), sender, {"topic": "UX"})
    no = Renderer().render("intro", withheld.as_contact(), sender, {"topic": "UX"})
    assert "Maya Chen suggested" in yes.text and "Maya" not in no.text + no.subject
    assert allowed.referrer_email == "maya@example.com"
    with pytest.raises(ContactError, match="own referrer"):
        book.edit("maya@example.com", referred_by="maya@example.com")


def test_remove_keeps_history_and_import_does_not_resurrect(book: ContactBook) -> None:
    book.import_file(DATA / "google.csv")
    book.remove("nadia.lee@mail.example.com")
    assert "nadia.lee@mail.example.com" not in [c.email for c in book.find()]
    report = book.import_file(DATA / "google.csv")
    assert report.skipped and "removed from the book" in report.skipped[0].reason
    with pytest.raises(ContactError):
        book.get("nadia.lee@mail.example.com")


def test_blocks_by_address_and_domain(book: ContactBook) -> None:
    book.block("Ada@Example.com")
    book.block("@Globex.com")
    assert book.is_blocked("ada@example.com") and "do-not-contact" in book.is_blocked("ada@example.com")
    assert book.is_blocked("anyone@globex.com") and not book.is_blocked("bob@example.com")
    assert book.unblock("@globex.com") and not book.is_blocked("anyone@globex.com")


def test_cli_import_list_show_and_send_by_tag(config_file: Path, home: Path) -> None:
    code, out, _ = run("contacts", "import", str(DATA / "Connections.csv"), "--tag", "linkedin")
    assert code == 0
    assert out.splitlines()[0] == "Imported Connections.csv (linkedin): 3 added, 0 updated, 0 unchanged, 2 skipped."
    assert "Connections.csv:8:" in out and "1 contact has no email address" in out
    code, out, _ = run("contacts", "import", str(DATA / "Connections.csv"), "--tag", "linkedin", "--json")
    assert json.loads(out)["unchanged"] == 3
    code, out, _ = run("contacts", "list", "--tag", "linkedin", "--search", "müller", "--json")
    assert [json.loads(line)["name"] for line in out.splitlines()] == ["Zoë O'Brien-Müller"]
    code, out, err = run("send", "intro", "--tag", "linkedin", "--var", "topic=product", "--json")
    assert code == 0, err
    assert sorted(json.loads(line)["to"] for line in out.splitlines()) == ["kai.kim@mail.example.com",
                                                                         "zoe.obrien@example.org"]
    assert "Skipping 1 contacts tagged 'linkedin' without an email address" in err


def test_cli_blocked_contact_is_refused_at_validation(config_file: Path, home: Path) -> None:
    assert run("contacts", "block", "@example.com")[0] == 0
    code, _, err = run("send", "intro", "--to", "ada@example.com", "--var", "topic=UX")
    assert code == 2 and "do-not-contact" in err
    assert not (home / "outbox").exists()
    code, out, _ = run("contacts", "block")
    assert out.startswith("@example.com")


def test_cli_add_edit_show_remove(config_file: Path) -> None:
    assert run("contacts", "add", "maya@example.com", "--name", "Maya Chen")[0] == 0
    code, out, _ = run("contacts", "add", "ada@example.com", "--name", "Ada Lovelace", "--company", "Engines",
                       "--referred-by", "maya@example.com", "--may-use-name", "--tag", "alumni",
                       "--field", "school=MIT")
    assert code == 0 and "Ada Lovelace" in out
    code, _, err = run("contacts", "add", "ada@example.com", "--name", "Again")
    assert code == 2 and "already in the book" in err
    assert run("contacts", "edit", "ada@example.com", "--position", "CTO", "--untag", "alumni")[0] == 0
    code, out, _ = run("contacts", "show", "ada@example.com", "--json")
    shown = json.loads(out)
    assert shown["position"] == "CTO" and shown["tags"] == [] and shown["referred_by"] == "maya@example.com"
    assert shown["may_use_name"] is True and shown["fields"] == {"school": "MIT"}
    code, out, _ = run("preview", "intro", "--to", "x@example.com", "--var", "topic=x")
    code, out, err = run("send", "intro", "--contact", "ada@example.com", "--var", "topic=UX")
    assert code == 0, err
    code, out, _ = run("preview", "intro", "--to", "ada@example.com", "--var", "topic=UX")
    assert out.startswith("Subject: Maya Chen suggested I reach out") and "Hi Ada," in out
    code, out, err = run("send", "intro", "--to", "ada@example.com", "--var", "topic=UX", "--again", "--dry-run",
                         "--json")
    assert code == 0, err
    from email import message_from_bytes, policy

    msg = message_from_bytes(Path(json.loads(out)["path"]).read_bytes(), policy=policy.default)
    assert msg["To"].addresses[0].display_name == "Ada Lovelace"
    assert "Maya Chen suggested" in msg.get_body(("plain",)).get_content()
    assert run("contacts", "remove", "ada@example.com")[0] == 0
    code, _, err = run("contacts", "show", "#999")
    assert code == 2 and "no contact" in err
    code, _, err = run("send", "intro", "--contact", "#999", "--var", "topic=UX")
    assert code == 2 and "no contact" in err
    code, out, err = run("send", "intro", "--contact", "not.in.book@example.com", "--var", "topic=UX")
    assert code == 2 and "not.in.book@example.com is neither in your contact book" in err and "--to" in err
