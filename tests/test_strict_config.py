"""Finding 5: the config file is checked against a schema; `outreach config check` shows what it means."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from outreach import ConfigError, load_config
from outreach.cli import cli

BASE = '[sender]\nname = "Sam"\nemail = "sam@example.edu"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(BASE + text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, words", [
    ('[smtp]\nhost = "h"\nsecurity = "none"\nusername = "u"\nallow_insecure_auth = "false"\n',
     ["line 8", "allow_insecure_auth", "true or false"]),
    ('[smtp]\nhost = "h"\nsecurty = "none"\n', ["line 6", "securty", "did you mean security?"]),
    ('[smpt]\nhost = "h"\n', ["line 4", "[smpt]", "did you mean smtp?"]),
    ('[send]\nrate_per_min = 5\n', ["line 5", "rate_per_min", "did you mean rate_per_minute?"]),
    ('[send]\nrate_per_minute = nan\n', ["line 5", "rate_per_minute", "finite"]),
    ('[send]\nrate_per_minute = inf\n', ["line 5", "rate_per_minute", "finite"]),
    ('[send]\nrate_per_minute = -1\n', ["line 5", "rate_per_minute"]),
    ('[send]\ncheck_deliverability = 1\n', ["line 5", "check_deliverability", "true or false"]),
    ('[imap]\nhost = "h"\nsave_sent = "yes"\n', ["line 6", "save_sent"]),
    ('[smtp]\nhost = "h"\ntimeout = nan\n', ["line 6", "timeout"]),
    ('[followups]\ndays = true\n', ["line 5", "days"]),
])
def test_bad_config_lines_are_refused_with_the_key_named(tmp_path: Path, text: str, words: list[str]) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message
    for word in words:
        assert word in message


def test_an_unknown_top_level_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('homee = "/tmp"\n' + BASE, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 1: homee .*did you mean home\?"):
        load_config(path)


def test_sender_keeps_free_template_fields(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[sender]\nname = "Sam"\nemail = "sam@example.edu"\nabout = "a student"\n', encoding="utf-8")
    assert load_config(path).sender.fields == {"about": "a student"}  # type: ignore[union-attr]


def test_config_check_prints_the_effective_config_without_the_password(tmp_path: Path, memory_keyring: object
                                                                       ) -> None:
    write(tmp_path, '[smtp]\nhost = "smtp.example.edu"\nusername = "sam"\n')
    memory_keyring.set_password("outreach", "sam", "hunter2-secret")  # type: ignore[attr-defined]
    result = CliRunner().invoke(cli, ["config", "check"])
    assert result.exit_code == 0, result.output
    assert "smtp.example.edu" in result.output and "587" in result.output and "starttls" in result.output
    assert "hunter2-secret" not in result.output
    assert "# password: stored in the OS keyring (not shown)" in result.output
    assert "rate_per_minute = 20" in result.output


def test_config_check_fails_with_exit_2_on_a_bad_file(tmp_path: Path) -> None:
    write(tmp_path, '[smpt]\nhost = "h"\n')
    result = CliRunner().invoke(cli, ["config", "check"])
    assert result.exit_code == 2 and "did you mean smtp?" in result.output


@pytest.mark.parametrize("rate", ["nan", "inf", "-1", "1e-300"])
def test_send_refuses_a_rate_that_is_not_a_sane_number(config_file: Path, rate: str) -> None:
    result = CliRunner().invoke(cli, ["send", "intro", "--to", "ada@example.com", "--var", "topic=x",
                                      "--rate", rate])
    assert result.exit_code == 2 and "--rate" in result.output


@pytest.mark.parametrize("rate", [float("nan"), float("inf"), -1.0, 1e-300])
def test_send_batch_refuses_a_rate_that_would_turn_pacing_off_or_overflow(rate: float) -> None:
    from outreach import MemoryTransport, send_batch

    with pytest.raises(ValueError, match="rate_per_minute"):
        send_batch([], MemoryTransport(), rate_per_minute=rate)


@pytest.mark.parametrize("key, meant", [("abuot", "about"), ("shcool", "school"), ("progam", "program"),
                                        ("phnoe", "phone"), ("linkdin", "linkedin"), ("lcoale", "locale"),
                                        ("nmae", "name"), ("emial", "email"), ("About", "about")])
def test_a_misspelt_sender_key_is_refused_with_did_you_mean(tmp_path: Path, key: str, meant: str) -> None:
    path = write(tmp_path, f'{key} = "a final-year statistics student"\n')
    with pytest.raises(ConfigError, match=rf"line 4: \[sender\] {key} is not a known key; did you mean {meant}\?"):
        load_config(path)


@pytest.mark.parametrize("key", ["pronouns", "github", "website", "major", "title", "city", "hobby"])
def test_other_sender_keys_stay_template_variables(tmp_path: Path, key: str) -> None:
    path = write(tmp_path, f'{key} = "x"\n')
    assert load_config(path).sender.fields == {key: "x"}  # type: ignore[union-attr]


def test_config_check_names_the_misspelt_sender_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, 'abuot = "a student"\n')
    monkeypatch.setenv("OUTREACH_CONFIG", str(path))
    result = CliRunner().invoke(cli, ["config", "check"])
    assert result.exit_code == 2 and "did you mean about?" in result.stderr
