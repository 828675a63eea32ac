"""Auto-replies, mailing-list traffic and challenge/response mails, and the return dates of out-of-office notes."""

from __future__ import annotations

from datetime import date
from email import message_from_bytes, policy

import pytest

from outreach.mailbox.replies import classify
from outreach.mailbox.returndate import return_date
from outreach.compose.controls import printable

TODAY = date(2026, 11, 27)


def incoming(headers: dict[str, str], body: str = "Thanks for your message.") -> object:
    lines = [f"{k}: {v}" for k, v in {"From": "Ada <ada@example.com>", "To": "sam@example.edu",
                                       "Subject": "Re: Hello", **headers}.items()]
    raw = "\r\n".join([*lines, "Content-Type: text/plain; charset=utf-8", "", body]).encode()
    return classify(message_from_bytes(raw, policy=policy.default), TODAY)  # type: ignore[arg-type]


@pytest.mark.parametrize("headers", [
    {"Auto-Submitted": "auto-replied"},
    {"Auto-Submitted": "auto-generated"},
    {"X-Autoreply": "yes"},
    {"X-Autorespond": "Out of office"},
    {"Precedence": "auto_reply"},
    {"Precedence": "bulk"},
    {"Subject": "Automatic reply: Hello"},
    {"Subject": "Out of Office: Hello"},
    {"Subject": "Abwesenheitsnotiz: Hello"},
    {"Subject": "Réponse automatique : Hello"},
    {"Subject": "Respuesta automática: Hello"},
    {"X-MS-Exchange-Inbox-Rules-Loop": "ada@example.com", "Subject": "Hello"},
])
def test_auto_replies(headers: dict[str, str]) -> None:
    assert incoming(headers).kind == "auto-reply"  # type: ignore[attr-defined]


@pytest.mark.parametrize("headers", [
    {"List-Id": "<jobs.lists.example.org>", "Precedence": "bulk"},
    {"List-Unsubscribe": "<mailto:leave@lists.example.org>"},
    {"Precedence": "list"},
    {"Mailing-List": "contact jobs-help@example.org"},
])
def test_mailing_list_traffic_is_neither_a_reply_nor_an_auto_reply(headers: dict[str, str]) -> None:
    assert incoming(headers).kind == "list"  # type: ignore[attr-defined]


def test_a_persons_post_on_a_discussion_list_is_a_reply_not_an_auto_reply() -> None:
    inc = incoming({"List-Id": "<jobs.lists.example.org>", "List-Post": "<mailto:jobs@lists.example.org>",
                    "Precedence": "bulk", "In-Reply-To": "<q@example.org>"})
    assert inc.kind == "reply"  # type: ignore[attr-defined]
    auto = incoming({"List-Id": "<jobs.lists.example.org>", "Precedence": "bulk",
                     "Auto-Submitted": "auto-replied", "In-Reply-To": "<q@example.org>"})
    assert auto.kind == "auto-reply"  # type: ignore[attr-defined]


def test_a_person_writing_is_a_reply_even_with_outlook_headers() -> None:
    assert incoming({"X-Auto-Response-Suppress": "All", "Thread-Topic": "Hello",
                     "Auto-Submitted": "no"}).kind == "reply"  # type: ignore[attr-defined]


def test_challenge_response_is_reported_with_its_link() -> None:
    inc = incoming({"Subject": "Please verify your message", "Auto-Submitted": "auto-replied"},
                   "I use a spam filter. Please verify that you are human by clicking "
                   "https://verify.example.net/c/abc123. Thank you.")
    assert (inc.kind, inc.link) == ("challenge", "https://verify.example.net/c/abc123")  # type: ignore[attr-defined]


def test_an_out_of_office_gives_its_return_date() -> None:
    inc = incoming({"Auto-Submitted": "auto-replied"}, "Ich bin bis zum 14. Dezember 2026 nicht im Büro.")
    assert inc.until == date(2026, 12, 14)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("text", "expected"), [
    ("I am out of the office until December 5.", date(2026, 12, 5)),
    ("Back on Monday, 7th of December 2026.", date(2026, 12, 7)),
    ("I will return on 2026-12-03.", date(2026, 12, 3)),
    ("Back on January 4.", date(2027, 1, 4)),
    ("Ich bin bis 05.12.2026 abwesend.", date(2026, 12, 5)),
    ("Ab dem 3. Dezember bin ich unterwegs, wieder am 10. Dezember 2026 im Büro.", date(2026, 12, 10)),
    ("Bis Montag, 11. Januar bin ich nicht erreichbar.", date(2027, 1, 11)),
    ("Je suis absent jusqu'au 12 décembre 2026.", date(2026, 12, 12)),
    ("De retour le lundi 4 janvier.", date(2027, 1, 4)),
    ("Estaré fuera hasta el 9 de diciembre de 2026.", date(2026, 12, 9)),
    ("Regreso el 15 de enero.", date(2027, 1, 15)),
    ("Away from 3 Dec until 10.12.2026.", date(2026, 12, 10)),
    ("Out until 12/20/2026.", date(2026, 12, 20)),
    ("Out until 20/12/2026.", date(2026, 12, 20)),
    ("Out until 11/30/2026, then travelling.", date(2026, 11, 30)),
    ("Out until 03/04/2027.", None),
    ("I was away until 2 November 2026.", None),
    ("Thanks for your email.", None),
])
def test_return_dates(text: str, expected: date | None) -> None:
    assert return_date(text, TODAY) == expected


def test_terminal_control_characters_are_stripped_before_printing() -> None:
    inc = incoming({"Subject": "Re: =?utf-8?q?Hi=1B=5B2J=1B=5D0=3Bpwned=07_there?="})
    assert "\x1b" not in inc.subject and "\x07" not in inc.subject  # type: ignore[attr-defined]
    assert printable("a\x1b[31mred\x1b[0m\u202eb\tc\r\nd") == "aredb c d"
