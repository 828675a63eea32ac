"""A hostile template is bounded: output size, sizes it builds, CPU time; its own errors are TemplateErrors."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach import Contact, MemoryTransport, Outreach, Recipient, Renderer, Sender, TemplateError
from outreach.cli import cli
from outreach.cli.batch import run_batch
from outreach.compose.bounds import MAX_OUTPUT
from outreach.config import load_config

ADA = Contact(email="ada@example.com", name="Ada")
SAM = Sender("Sam Rivera", "sam@example.edu")


def template(folder: Path, name: str, body: str, text: str | None = None) -> Path:
    """A user template ``name`` whose HTML body is ``body`` (and plain part ``text`` when given)."""
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.html").write_text(f'+++\nsubject = "Hello"\n+++\n{body}', encoding="utf-8")
    if text is not None:
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.one_of(st.integers(0, 600_000), st.integers(600_000, 10**15)))
def test_a_repeated_string_renders_up_to_the_bound_and_no_further(tmp_path: Path, n: int) -> None:
    folder = template(tmp_path / "t", "rep", "{{ 'ab' * n }}", text="short")
    renderer = Renderer([folder])
    if 2 * n <= MAX_OUTPUT:
        assert len(renderer.render("rep", ADA, SAM, {"n": n}).html) == 2 * n
    else:
        with pytest.raises(TemplateError, match=r"template 'rep' .* was stopped: .*1,000,000 characters"):
            renderer.render("rep", ADA, SAM, {"n": n})


BUILDERS = ["'x' * {n}", "{n} * ['x']", "'x' + ('y' * ({n} // 2)) + ('z' * ({n} // 2))", "'x'.ljust({n})",
            "'x'|center({n})", "'%{n}d' % 1", "'{{:>{n}}}'.format(1)", "'{{:>{{}}}}'.format(1, {n})", "10 ** {n}",
            "('x' * ({n} // 3)) ~ ('y' * ({n} // 3)) ~ ('z' * ({n} // 3))", "(['x' * 1000] * ({n} // 1000))|join",
            "'%s'|format('x')|indent({n})"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(builder=st.sampled_from(BUILDERS), n=st.integers(3 * MAX_OUTPUT, 10**15))
def test_whatever_a_template_builds_past_the_bound_is_refused_before_memory_runs_out(tmp_path: Path, builder: str,
                                                                                       n: int) -> None:
    folder = template(tmp_path / "t", "big", "{{ " + builder.format(n=n) + " }}", text="short")
    with pytest.raises(TemplateError, match="template 'big'.*was stopped"):
        Renderer([folder]).render("big", ADA, SAM)


def test_output_past_the_bound_stops_the_render_while_it_streams(tmp_path: Path) -> None:
    body = "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}"
    with pytest.raises(TemplateError, match="template 'loop' .* was stopped: its output is larger than"):
        Renderer([template(tmp_path / "t", "loop", body)]).render("loop", ADA, SAM)


def test_a_template_that_only_spins_is_stopped_by_its_cpu_time(tmp_path: Path) -> None:
    body = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
    renderer = Renderer([template(tmp_path / "t", "spin", body)], max_seconds=0.3)
    with pytest.raises(TemplateError, match="template 'spin' .* was stopped: it ran for more than 0.3 seconds of CPU"):
        renderer.render("spin", ADA, SAM)


@pytest.mark.parametrize("name, body, words", [
    ("div", "{{ 1/0 }}", "ZeroDivisionError: division by zero"),
    ("self", "{% include 'self.html' %}", "includes or calls itself"),
    ("macro", "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "includes or calls itself"),
    ("int", "{{ 'x'|int + [] }}", "TypeError"),
])
def test_a_template_runtime_error_is_one_template_error(tmp_path: Path, name: str, body: str, words: str) -> None:
    with pytest.raises(TemplateError, match=rf"template '{name}' .*{words}"):
        Renderer([template(tmp_path / "t", name, body)]).render(name, ADA, SAM)


@pytest.mark.parametrize("name, body", [("div", "{{ 1/0 }}"), ("self", "{% include 'self.html' %}"),
                                        ("mul", "{{ 'x' * 100000000000 }}")])
def test_send_with_a_broken_template_is_a_clear_error_exit_2(config_file: Path, tmp_path: Path, name: str,
                                                                body: str) -> None:
    folder = template(tmp_path / "t", name, body)
    config_file.write_text(config_file.read_text() + f'[templates]\ndirs = ["{folder}"]\n')
    result = CliRunner().invoke(cli, ["send", name, "--to", "ada@example.com", "--dry-run"])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.startswith("Error: ") and "nothing was sent" in result.output
    assert f"template '{name}'" in result.output and "Traceback" not in result.output
    assert not list((tmp_path / "home").rglob("*.eml"))


class SignalWhenRendered:
    """A template variable that sends this process SIGTERM the first time it is written out."""

    def __init__(self) -> None:
        self.sent = False

    def __str__(self) -> str:
        if not self.sent:
            self.sent = True
            os.kill(os.getpid(), signal.SIGTERM)
        return "x"


class Seen:
    """A template variable that remembers whether it was written out."""

    seen = False

    def __str__(self) -> str:
        self.seen = True
        return "y"


def test_sigterm_while_the_batch_is_rendered_ends_it_at_once_and_sends_nothing(config_file: Path,
                                                                              tmp_path: Path) -> None:
    body = "{{ trigger }}{% for a in range(3000) %}{% for b in range(3000) %}{% endfor %}{% endfor %}"
    folder = template(tmp_path / "t", "slow", body)
    config_file.write_text(config_file.read_text() + f'[templates]\ndirs = ["{folder}"]\n')
    transport = MemoryTransport()
    app = Outreach(load_config(config_file), store=tmp_path / "s.sqlite3", transport=transport)
    first, second = SignalWhenRendered(), Seen()
    recipients = [Recipient(Contact(email="pat@example.com", name="Pat"), {"trigger": first}),
                  Recipient(Contact(email="lee@example.com", name="Lee"), {"trigger": second})]
    code = run_batch(app, "slow", recipients, dry_run=False, rate=None, as_json=False)
    assert code == 130
    assert first.sent and not second.seen, "the batch stops at the signal, not after rendering the rest"
    assert transport.sent == [] and app.threads() == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
