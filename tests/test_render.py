"""Templates: the built-ins, strict variables, escaping rules, user overrides, the plain-text part."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from outreach import Contact, Renderer, Sender, TemplateError, html_to_text, list_templates
from outreach.compose.render import BUILTIN_DIR, parse_template

BUILTINS = {"intro": "intro", "follow-up": "follow-up", "thank-you": "thank-you", "check-in": "check-in",
            "job-update": "job-update", "met-at-event": "intro"}
VARS = {"topic": "product analytics", "learned": "how teams pick metrics", "action": "build a small dashboard",
        "update": "I finished my capstone.", "new_role": "Data Analyst", "new_company": "Globex",
        "event": "the Fall Career Fair"}


def test_builtin_templates_have_their_kinds_and_metadata() -> None:
    infos = {t.name: t for t in list_templates()}
    assert {n: i.kind for n, i in infos.items()} == BUILTINS
    assert infos["intro"].reply is False and infos["intro"].followup_days == 7
    assert infos["follow-up"].reply is True
    assert all(i.source == "built-in" and i.path.parent == BUILTIN_DIR for i in infos.values())


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_every_builtin_renders_a_short_personal_message(name: str, renderer: Renderer, sender: Sender) -> None:
    contact = Contact(email="ada@example.com", name="Ada Lovelace", company="Analytical Engines")
    draft = renderer.render(name, contact, sender, VARS)
    assert draft.subject and "\n" not in draft.subject
    assert "Hi Ada," in draft.text and "Sam Rivera" in draft.text
    assert len(draft.text.split()) < 120
    assert "{{" not in draft.html and "{%" not in draft.text


def test_intro_names_the_referrer_only_with_permission(renderer: Renderer, sender: Sender) -> None:
    allowed = Contact(email="a@example.com", name="Ada", referrer="Maya Chen", may_use_referrer_name=True)
    withheld = Contact(email="a@example.com", name="Ada", referrer="Maya Chen", may_use_referrer_name=False)
    with_name = renderer.render("intro", allowed, sender, VARS)
    without = renderer.render("intro", withheld, sender, VARS)
    assert "Maya Chen" in with_name.subject and "Maya Chen suggested" in with_name.text
    assert "Maya" not in without.subject + without.text + without.html


def test_missing_variable_names_template_variable_and_contact(renderer: Renderer, sender: Sender) -> None:
    with pytest.raises(TemplateError) as info:
        renderer.render("thank-you", Contact(email="ada@example.com", name="Ada"), sender, {"learned": "x"})
    message = str(info.value)
    assert "'thank-you'" in message and "'action'" in message and "ada@example.com" in message


def test_html_is_autoescaped_but_subject_and_text_are_not(tmp_path: Path, sender: Sender) -> None:
    (tmp_path / "t.html").write_text('+++\nsubject = "Hello {{ company }}"\n+++\n<p>{{ company }}</p>\n')
    (tmp_path / "t.txt").write_text("Text: {{ company }}\n")
    draft = Renderer([tmp_path]).render("t", Contact(email="a@example.com", company="Tom & Jerry <script>"), sender)
    assert draft.subject == "Hello Tom & Jerry <script>"
    assert "<p>Tom &amp; Jerry &lt;script&gt;</p>" in draft.html
    assert draft.text == "Text: Tom & Jerry <script>\n"


def test_contact_data_is_never_evaluated_as_template(renderer: Renderer, sender: Sender) -> None:
    contact = Contact(email="a@example.com", name="Ada", company="{{ 7*7 }} {% raw %}")
    draft = renderer.render("intro", contact, sender, {"topic": "{{ sender.email }}"})
    assert "{{ 7*7 }}" in draft.text and "49" not in draft.text
    assert "{{ sender.email }}" in draft.subject


def test_user_folder_overrides_builtin_by_name(tmp_path: Path, sender: Sender) -> None:
    (tmp_path / "intro.html").write_text('+++\nkind = "intro"\nsubject = "Mine"\n+++\n<p>custom</p>\n')
    infos = {t.name: t for t in list_templates([tmp_path])}
    assert infos["intro"].source == "user" and infos["follow-up"].source == "built-in"
    assert Renderer([tmp_path]).render("intro", Contact(email="a@example.com"), sender).subject == "Mine"


def test_first_user_folder_wins(tmp_path: Path, sender: Sender) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for folder, word in ((first, "first"), (second, "second")):
        folder.mkdir()
        (folder / "x.html").write_text(f'+++\nsubject = "{word}"\n+++\n<p>{word}</p>\n')
    assert Renderer([first, second]).render("x", Contact(email="a@example.com"), sender).subject == "first"


def test_templates_can_include_shared_parts(tmp_path: Path, sender: Sender) -> None:
    (tmp_path / "signature.part").write_text("<p>-- {{ sender.name }}</p>")
    (tmp_path / "x.html").write_text('+++\nsubject = "s"\n+++\n<p>Hi</p>{% include "signature.part" %}\n')
    assert "-- Sam Rivera" in Renderer([tmp_path]).render("x", Contact(email="a@example.com"), sender).text


@pytest.mark.parametrize(
    ("source", "needle"),
    [
        ("<p>no front matter</p>", r"starts with a '\+\+\+'"),
        ("+++\nsubject = 'x'\n<p>never closed</p>", "no closing"),
        ("+++\nsubject = \n+++\n<p>x</p>", "not valid TOML"),
        ("+++\nkind = 'intro'\n+++\n<p>x</p>", "needs a subject"),
        ("+++\nsubject = 'x'\nkind = 'spam'\n+++\n<p>x</p>", "kind must be one of"),
    ],
)
def test_malformed_templates_say_what_is_wrong(tmp_path: Path, source: str, needle: str) -> None:
    path = tmp_path / "bad.html"
    path.write_text(source)
    with pytest.raises(TemplateError, match=needle) as info:
        parse_template(path)
    assert str(path) in str(info.value)


def test_syntax_error_reports_the_file_line(tmp_path: Path, sender: Sender) -> None:
    (tmp_path / "x.html").write_text('+++\nsubject = "s"\n+++\n<p>ok</p>\n<p>{% if %}</p>\n')
    with pytest.raises(TemplateError, match=r"x\.html:5:"):
        Renderer([tmp_path]).render("x", Contact(email="a@example.com"), sender)


def test_unknown_template_lists_known_ones(renderer: Renderer, sender: Sender) -> None:
    with pytest.raises(TemplateError, match="known: check-in, follow-up, intro"):
        renderer.render("intor", Contact(email="a@example.com"), sender)


def test_plain_text_reads_like_an_email() -> None:
    html = ('<p>Hi <b>Ada</b>,</p><p>See <a href="https://x.org/a">my portfolio</a> or '
            '<a href="https://y.org">https://y.org</a> or <a href="mailto:s@x.org">s@x.org</a>.</p>'
            "<ul><li>one</li><li>two</li></ul><p>1. not a list - 50% *off* C:\\path</p><p>Thanks,<br>Sam</p>")
    text = html_to_text(html)
    assert text == (
        "Hi Ada,\n\nSee my portfolio (https://x.org/a) or https://y.org or s@x.org.\n\n"
        "- one\n- two\n\n1. not a list - 50% *off* C:\\path\n\nThanks,\nSam\n"
    )

VALUES = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=VALUES)
def test_any_variable_value_renders_literally(tmp_path: Path, sender: Sender, value: str) -> None:
    assume(value.strip())
    (tmp_path / "t.html").write_text('+++\nsubject = "S {{ v }}"\n+++\n<p>[{{ v }}]</p>\n')
    (tmp_path / "t.txt").write_text("[{{ v }}]\n")
    draft = Renderer([tmp_path]).render("t", Contact(email="a@example.com"), sender, {"v": value})
    assert draft.text == f"[{value}]\n"
    assert f"<p>[{escape(value)}]</p>" in draft.html
    assert draft.subject == f"S {value}".strip()


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_value_counts_as_missing(tmp_path: Path, sender: Sender, value: str) -> None:
    (tmp_path / "t.html").write_text('+++\nsubject = "About {{ topic }}"\n+++\n<p>Hi {{ first_name }}</p>\n')
    with pytest.raises(TemplateError, match="'topic' is undefined for contact 'a@example.com'"):
        Renderer([tmp_path]).render("t", Contact(email="a@example.com", name="Ada"), sender, {"topic": value})
    with pytest.raises(TemplateError, match="'first_name' is undefined for contact 'a@example.com'"):
        Renderer([tmp_path]).render("t", Contact(email="a@example.com", name=value), sender, {"topic": "x"})


def test_optional_values_still_read_as_false(sender: Sender, tmp_path: Path) -> None:
    draft = Renderer().render("follow-up", Contact(email="a@example.com"), sender, {})
    assert draft.text.startswith("Hello,\n")
    (tmp_path / "t.html").write_text('+++\nsubject = "s"\n+++\n<p>Hi {{ first_name or "there" }},</p>\n')
    assert Renderer([tmp_path]).render("t", Contact(email="a@example.com"), sender).text == "Hi there,\n"
