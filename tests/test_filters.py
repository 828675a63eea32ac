"""The sentence filters, each against a table of cases, and as a template uses them."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from outreach import Contact, Renderer, Sender
from outreach.compose.filters import a, first_name, join_and, sentence_end
from outreach.names import last_name, split_name


@pytest.mark.parametrize(("phrase", "expected"), [
    ("Data Analyst", "a Data Analyst"),
    ("Engineer", "an Engineer"),
    ("MBA candidate", "an MBA candidate"),
    ("UX designer", "a UX designer"),
    ("HR manager", "an HR manager"),
    ("SEO specialist", "an SEO specialist"),
    ("NASA engineer", "a NASA engineer"),
    ("FBI agent", "an FBI agent"),
    ("hourly lead", "an hourly lead"),
    ("honest broker", "an honest broker"),
    ("historian", "a historian"),
    ("university recruiter", "a university recruiter"),
    ("user researcher", "a user researcher"),
    ("unpaid intern", "an unpaid intern"),
    ("European analyst", "a European analyst"),
    ("one-person team", "a one-person team"),
    ("Executive Director", "an Executive Director"),
    ("iOS developer", "an iOS developer"),
    ("8-week course", "an 8-week course"),
    ("11-month contract", "an 11-month contract"),
    ("18-month contract", "an 18-month contract"),
    ("1,100-person firm", "a 1,100-person firm"),
    ("X-ray technician", "an X-ray technician"),
    ("year-long role", "a year-long role"),
    ("  Analyst  ", "an Analyst"),
    ("", ""),
])
def test_a_chooses_the_article_by_sound(phrase: str, expected: str) -> None:
    assert a(phrase) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Globex", "Globex."),
    ("Acme, Inc.", "Acme, Inc."),
    ("Acme Inc", "Acme Inc."),
    ("Really?", "Really?"),
    ("Wow!", "Wow!"),
    ('the "Data Days."', 'the "Data Days."'),
    ("(see above.)", "(see above.)"),
    ("I finished my capstone.  ", "I finished my capstone."),
    ("a list,", "a list."),
    ("wait…", "wait…"),
    ("", ""),
])
def test_sentence_end_ends_a_sentence_once(text: str, expected: str) -> None:
    assert sentence_end(text) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ([], ""),
    (["Ada"], "Ada"),
    (["Ada", "Kai"], "Ada and Kai"),
    (["Ada", "Kai", "Maya"], "Ada, Kai and Maya"),
    (["Ada", "", "Maya"], "Ada and Maya"),
    ("dbt; Airflow; Spark", "dbt, Airflow and Spark"),
    ("Acme, Inc.", "Acme, Inc."),
    (None, ""),
])
def test_join_and_lists_like_a_sentence(value: object, expected: str) -> None:
    assert join_and(value) == expected


@pytest.mark.parametrize(("full", "first", "last"), [
    ("Ada Lovelace", "Ada", "Lovelace"),
    ("Dr. Ana de la Cruz", "Ana", "de la Cruz"),
    ("Dr Ana de la Cruz", "Ana", "de la Cruz"),
    ("Prof. Dr. Hans von Braun", "Hans", "von Braun"),
    ("Lovelace, Ada", "Ada", "Lovelace"),
    ("Martin Luther King, Jr.", "Martin", "Luther King"),
    ("Cher", "Cher", ""),
    ("Dr. de la Cruz", "", "de la Cruz"),
    ("Van Morrison", "Van", "Morrison"),
    ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
    ("J. Robert Oppenheimer", "Robert", "Oppenheimer"),
    ("Zoë O'Brien-Müller", "Zoë", "O'Brien-Müller"),
    ("Jean-Luc Picard", "Jean-Luc", "Picard"),
    ("  Ada   Lovelace ", "Ada", "Lovelace"),
    ("Ms. Inès Lefèvre, PhD", "Inès", "Lefèvre"),
    ("Hon Lee", "Hon", "Lee"),
    ("Rev. Hon Lee", "Hon", "Lee"),
    ("", "", ""),
])
def test_first_name_handles_titles_particles_and_order(full: str, first: str, last: str) -> None:
    assert first_name(full) == first and last_name(full) == last
    assert split_name(full) == (first, last)
    assert Contact(email="x@example.com", name=full).first_name == first


def test_escaped_values_stay_escaped() -> None:
    value = Markup("Tom &amp; Jerry")
    assert a(value) == Markup("a Tom &amp; Jerry") and isinstance(a(value), Markup)
    assert sentence_end(value) == Markup("Tom &amp; Jerry.")


def test_filters_work_in_user_templates_with_escaping(tmp_path: Path) -> None:
    (tmp_path / "t.html").write_text(
        '+++\nsubject = "As {{ position | a }}"\n+++\n'
        "<p>Hi {{ name | first_name }}, you work at {{ company | sentence_end }} "
        "I met {{ people | join_and }}.</p>\n")
    contact = Contact(email="a@example.com", name="Dr. Ana de la Cruz", company="Tom & Jerry, Inc.",
                      position="Engineer")
    draft = Renderer([tmp_path]).render("t", contact, Sender("Sam", "sam@example.edu"),
                                        {"people": ["Kai", "Maya <b>", "Lee"]})
    assert draft.subject == "As an Engineer"
    assert "Hi Ana, you work at Tom &amp; Jerry, Inc. I met Kai, Maya &lt;b&gt; and Lee." in draft.html
    assert "Hi Ana, you work at Tom & Jerry, Inc. I met Kai, Maya <b> and Lee." in draft.text


@given(st.text(min_size=1, max_size=40))
def test_sentence_end_is_idempotent_and_never_doubles_a_period(text: str) -> None:
    once = sentence_end(text)
    assert sentence_end(once) == once
    if text.strip():
        assert not once.endswith("..") or text.rstrip().endswith("..")


@given(st.text(alphabet=st.characters(categories=("L",)), min_size=1, max_size=20))
def test_a_always_gives_a_or_an(word: str) -> None:
    assert a(word).split(" ", 1)[0] in ("a", "an")
