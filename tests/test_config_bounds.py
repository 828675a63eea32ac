"""Timeouts in the config are bounded: a value a socket cannot take is refused with the key named."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach import ConfigError
from outreach.cli import cli
from outreach.config_schema import MAX_TIMEOUT, check_config

BASE = '[sender]\nname = "Sam"\nemail = "sam@example.edu"\n'


def _text(section: str, value: float) -> str:
    return BASE + f'[{section}]\nhost = "127.0.0.1"\ntimeout = {value!r}\n'


@settings(max_examples=200, deadline=None)
@given(section=st.sampled_from(["smtp", "imap"]), value=st.floats(allow_nan=True, allow_infinity=True))
def test_timeouts_outside_the_bounds_are_refused_naming_the_key(section: str, value: float) -> None:
    text = _text(section, value)
    path = Path("config.toml")
    if 0 < value <= MAX_TIMEOUT:
        check_config(tomllib.loads(text), text, path)
    else:
        with pytest.raises(ConfigError, match=rf"line 6: \[{section}\] timeout must be"):
            check_config(tomllib.loads(text), text, path)


@pytest.mark.parametrize("args", [["config", "check"],
                                  ["send", "intro", "--to", "ada@example.com", "--var", "topic=UX"]])
def test_a_huge_timeout_is_a_config_error_not_a_crash(tmp_path: Path, plain_server: tuple[object, int],
                                                      args: list[str]) -> None:
    port = plain_server[1]
    (tmp_path / "config.toml").write_text(BASE + f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                                          "timeout = 1e308\n", encoding="utf-8")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "timeout" in result.output and "Traceback" not in result.output
