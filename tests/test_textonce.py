"""The text part made once per template equals the text converted from each rendered message."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from outreach import Contact, Renderer, Sender
from outreach.compose.plaintext import html_to_text
from outreach.compose.render import BUILTIN_DIR
from outreach.compose.samples import SAMPLE_SENDER, SAMPLE_VARS, sample_recipients

BUILT_INS = sorted(p.stem for p in BUILTIN_DIR.glob("*.html"))
EXTRA = {"event": "the Spring Fair", "met_at": "the Spring Fair", "last_step": "our call", "learned": "a lot",
         "question": "how you plan a quarter", "days_since": "10", "previous_subject": "Coffee?"}
# Values that cannot go through the converted template (markup, markdown marks, runs of white space)
# and plain ones: each message must read the same either way.
HOSTILE = [Contact("x@example.com", "Ana  Lima", "A_B *Co*", "Lead"), Contact("y@example.com", "<b>Bo</b>", "R&D"),
           Contact("z@example.com", "Zed", "Line\nBreak Ltd", "[Head] of #data"),
           Contact("w@example.com", "Wu", "Ltd.")]
SENDERS = [SAMPLE_SENDER, Sender("Sam Rivera", "sam@example.edu"),
           Sender("Sam Rivera", "sam@example.edu", fields={"locale": "en-GB", "school": "State University"})]


def _people() -> list[tuple[Contact, dict[str, str]]]:
    rows = [(r.contact, {**EXTRA, **r.variables}) for r in sample_recipients()]
    return rows + [(c, {**SAMPLE_VARS, **EXTRA}) for c in HOSTILE]


def _html_and_text(renderer: Renderer, name: str, contact: Contact, sender: Sender,
                   variables: dict[str, str]) -> tuple[str, str] | None:
    try:
        draft = renderer.render(name, contact, sender, variables)
    except Exception:  # a template that needs a fact this table does not give: nothing to compare
        return None
    return draft.html, draft.text


@pytest.mark.parametrize("sender", SENDERS, ids=["sample", "bare", "en-GB"])
@pytest.mark.parametrize("name", BUILT_INS)
def test_every_built_in_gives_the_same_text_both_ways(name: str, sender: Sender) -> None:
    renderer = Renderer()
    compared = 0
    for contact, variables in _people():
        found = _html_and_text(renderer, name, contact, sender, variables)
        if found is None:
            continue
        html, text = found
        assert text == html_to_text(html), (name, contact)
        compared += 1
    assert compared >= 5
    locale = str(sender.fields.get("locale") or "en-US")
    assert renderer._text_once.uses((name, locale)), f"{name} fell back to per-message conversion"


def _user_template(tmp_path: Path, body: str) -> Renderer:
    (tmp_path / "mine.html").write_text(f'+++\nkind = "intro"\nsubject = "Hi"\n+++\n{body}', encoding="utf-8")
    return Renderer([tmp_path])


@pytest.mark.parametrize("body", [
    '<p>Hi {{ name | default("there") }},</p>'
    '<p><a href="https://example.com/{{ name | default("there") }}">my page</a></p>',
    "<p>Hi {{ name | default('there') }},</p><pre>{{ company | default('x') }}\n  indented</pre>",
    "<p>Hi {{ name | default('there') | safe }}</p>",
])
def test_tags_inside_tags_fall_back_to_per_message_conversion(tmp_path: Path, body: str) -> None:
    renderer = _user_template(tmp_path, body)
    for contact, variables in _people():
        draft = renderer.render("mine", contact, SAMPLE_SENDER, variables)
        assert draft.text == html_to_text(draft.html)
    assert not renderer._text_once.uses(("mine", "en-US"))


def test_a_plain_user_template_is_converted_once(tmp_path: Path) -> None:
    renderer = _user_template(tmp_path, "<p>Hi {{ name | default('there') }},</p>\n"
                                        "<ul><li>{{ company | default('you') }}</li></ul>"
                                        '<p><a href="https://example.com">site</a></p>')
    for contact, variables in _people():
        draft = renderer.render("mine", contact, SAMPLE_SENDER, variables)
        assert draft.text == html_to_text(draft.html)
    assert renderer._text_once.uses(("mine", "en-US"))


AMPERSAND_BODY = ("<p>Hi {{ a }},</p>\n<p>{{ b }} met you at <b>{{ a }}</b>&amp;{{ b }} &lt;{{ a }}; {{ b }}.</p>\n"
                  "<ul><li>{{ a }}</li><li>{{ b }}&#39;s team</li></ul>\n<p>{{ b }}</p>\n"
                  '<p><a href="https://example.com/x">{{ a }}</a> and <a href="mailto:{{ b }}">{{ b }}</a></p>')
# Values around ampersands: entities written out as text, marks markdown would escape, letters beyond ASCII.
VALUE = st.lists(st.sampled_from(["&", "&amp;", "&#39;", "&lt;", "&nbsp;", "&x", "&;", "&#", ";", "amp;", "1.", "-",
                                  "+", "'", '"', "é", ".", "!", "(", ")", "R", "D", "1", " ", "  ", "#", "*", "_", "lt;", "&&"]),
                 min_size=1, max_size=10).map("".join).filter(str.strip)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.tuples(VALUE, VALUE), min_size=1, max_size=4))
@example(values=[("R  D", "x")]).via("a value written out differently in HTML")
@example(values=[("a*b*", "R&D &amp; &#39;")]).via("markdown marks and entities written as text")
def test_values_with_ampersands_give_the_same_text_both_ways(tmp_path: Path, values: list[tuple[str, str]]) -> None:
    renderer = _user_template(tmp_path, AMPERSAND_BODY)
    for a, b in [("Kai", "Stark & Wayne LLP"), *values]:
        draft = renderer.render("mine", Contact("kai@example.com", "Kai"), SAMPLE_SENDER, {"a": a, "b": b})
        assert draft.text == html_to_text(draft.html), (a, b)
    assert renderer._text_once.uses(("mine", "en-US"))
