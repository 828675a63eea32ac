"""The lint with its cheap tests before each pattern finds exactly what the plain lint finds."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lint_reference
from outreach.compose import lint
from outreach.models import Contact, Draft

# Fragments that the lint's patterns look for, mixed with ordinary text, so that generated messages hit them.
FRAGMENTS = ["Click Here", "cLICK HERE", "act now", "100% FREE", "free money", "risk-free", "risk free", "RİSK",
             "guarantee", "GUARANTEED", "winner", "urgent", "urgently", "limited time", "cash bonus", "no obligation",
             "dear friend", "once in a lifetime", "I found you", "\u0130", "\u0131", "\u017f", "\u212a", "ſ", "K",
             "None", "undefined", "none", " , ", " .", "\t;", "\n:", "!", "?", "!!", "?!", "..", "...", ", ,", ";.",
             "()", "( )", "[ ]", "“ ”", "(", ")", "[", "]", "{", "}", "“", "”", "«", "»", '"', ":)", ";-(", "=(",
             "the the", "Walla Walla", "had had", "\n", "\t", " ", "Hi", "Dear", "http://x.example/a",
             "https://y.example", "{{", "%}", "about?", "at ", "word", "Zoë", "É", "ß", "about undefined", "at None",
             ", None", "??", "? ?", "\n, so", "\n!", "\t.", ". ,", "a ;"]
TEXT = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=30).map("".join)
NAME = st.one_of(st.sampled_from(["", "Kai Kim", "Walla Walla", "None Such", "Zoë O'Brien-Müller"]), st.text(max_size=12))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=TEXT, text=TEXT, html=TEXT, name=NAME, company=NAME, previous=st.one_of(st.none(), TEXT),
       max_words=st.one_of(st.none(), st.integers(0, 40)), own_text=st.booleans())
def test_the_lint_finds_what_the_plain_lint_finds(subject: str, text: str, html: str, name: str, company: str,
                                                  previous: str | None, max_words: int | None, own_text: bool) -> None:
    draft = Draft(template="t", to=Contact(email="kai@example.com", name=name, company=company,
                                           fields={"city": company[::-1]}),
                  subject=subject, html=html, text=text)
    ours = lint.lint_draft(draft, max_words=max_words, previous_text=previous, own_text=own_text)
    plain = lint_reference.lint_draft(draft, max_words=max_words, previous_text=previous, own_text=own_text)
    assert [f.as_json() for f in ours] == [f.as_json() for f in plain]


def test_only_four_letters_match_an_ascii_letter_without_being_one_of_its_cases() -> None:
    """The spam phrases' cheap test folds these four into ASCII; every other letter IGNORECASE matches is ASCII."""
    literal = re.compile(r"[a-z0-9% \-]", re.I)
    folded = {}
    for point in range(0x80, 0x110000):
        char = chr(point)
        if literal.fullmatch(char):
            folded[char] = next(p for p in "abcdefghijklmnopqrstuvwxyz0123456789% -" if re.fullmatch(p, char, re.I))
    assert folded == {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
    assert all(char.translate(lint._ASCII_FOLD) == ascii_char for char, ascii_char in folded.items())


def test_every_spam_phrase_holds_one_of_the_words_looked_for_first() -> None:
    phrases = lint._SPAM_PHRASES.pattern.split("(", 1)[1].rsplit(")", 1)[0]
    for phrase in ["click here", "act now", "100% free", "free money", "risk-free", "risk free", "guarantee",
                   "guaranteed", "winner", "urgent", "urgently", "limited time", "cash bonus", "no obligation",
                   "dear friend", "once in a lifetime", "i found you"]:
        assert re.fullmatch(phrases, phrase) and any(word in phrase for word in lint._SPAM_WORDS)
    assert phrases.count("|") == 13
