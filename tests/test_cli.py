"""The command line, run through click's runner with real files, stores and servers."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from smtp_server import PASSWORD, USER, Sink

from outreach.cli import cli


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def smtp_config(config_file: Path, port: int, **extra: str) -> None:
    lines = ["\n[smtp]", 'host = "127.0.0.1"', f"port = {port}", 'security = "none"']
    lines += [f"{k} = {v}" for k, v in extra.items()]
    config_file.write_text(config_file.read_text() + "\n".join(lines) + "\n")


def test_init_writes_a_config_that_send_uses(home: Path, tmp_path: Path) -> None:
    code, out, _ = run("init", "--name", "Zoë O'Brien-Müller", "--email", "zoe@example.edu")
    assert code == 0 and str(tmp_path / "config.toml") in out
    code, out, _ = run("send", "intro", "--to", "ada@example.com", "--name", "Ada Lovelace", "--var", "topic=UX")
    assert code == 0, out
    [eml] = (home / "outbox").glob("*.eml")
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert msg["From"].addresses[0].display_name == "Zoë O'Brien-Müller"
    assert "written" in out and str(eml) in out and "nothing was sent" in out
    code, _, err = run("init", "--name", "X", "--email", "x@example.com")
    assert code == 2 and "already exists" in err


def test_init_refuses_a_bad_address() -> None:
    code, _, err = run("init", "--name", "Sam", "--email", "sam@gmail")
    assert code == 2 and "sam@gmail" in err


def test_templates_lists_kind_and_origin(config_file: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "coffee.html").write_text('+++\nkind = "intro"\nsubject = "Coffee?"\n+++\n<p>Hi</p>\n')
    config_file.write_text(config_file.read_text() + f'\n[templates]\ndirs = ["{mine}"]\n')
    code, out, _ = run("templates", "--json")
    rows = {r["name"]: r for r in map(json.loads, out.splitlines())}
    assert code == 0
    assert rows["coffee"]["source"] == "user" and rows["intro"]["source"] == "built-in"
    assert rows["follow-up"]["kind"] == "follow-up" and rows["follow-up"]["reply"] is True


def test_preview_prints_subject_and_text(config_file: Path) -> None:
    code, out, _ = run("preview", "intro", "--to", "ada@example.com", "--name", "Ada", "--var", "topic=robotics",
                       "--referred-by", "Maya Chen", "--may-use-name")
    assert code == 0
    assert out.startswith("Subject: Maya Chen suggested I reach out\n\nHi Ada,\n")
    assert "a data science student" in out and "<p>" not in out


def test_send_without_sender_says_to_run_init() -> None:
    code, _, err = run("send", "intro", "--to", "ada@example.com", "--var", "topic=x")
    assert code == 2 and "outreach init" in err


def test_validation_errors_list_every_row_and_send_nothing(config_file: Path, home: Path, tmp_path: Path) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text("Email,Name,topic\nada@example.com,Ada,UX\nbob@exmaple,Bob,UX\ncy@example.com,Cy,\n"
                   "dee@example.com,\"Dee\nBcc: eve@example.com\",UX\n", encoding="utf-8")
    code, out, err = run("send", "intro", "--contacts", str(csv), "--attach", str(tmp_path / "cv.pdf"))
    assert code == 2
    assert "people.csv:3:" in err and "bob@exmaple" in err
    assert "people.csv:4:" in err and "'topic'" in err
    assert "people.csv:5:" in err and "line break" in err
    assert "cv.pdf does not exist" in err and "nothing was sent" in err
    assert not (home / "outbox").exists()


def test_csv_that_is_not_utf8_is_explained(config_file: Path, tmp_path: Path) -> None:
    csv = tmp_path / "latin1.csv"
    csv.write_bytes("email,name\nzoe@example.com,Zoë\n".encode("latin-1"))
    code, _, err = run("send", "intro", "--contacts", str(csv), "--var", "topic=x")
    assert code == 2 and "latin1.csv:2" in err and "UTF-8" in err


def test_send_over_smtp_with_json_and_exit_codes(config_file: Path, plain_server: tuple[Sink, int]) -> None:
    sink, port = plain_server
    smtp_config(config_file, port)
    code, out, err = run("send", "intro", "--to", "ada@example.com", "--to", "nouser550@example.com",
                         "--var", "topic=UX", "--rate", "0", "--json")
    assert code == 1
    outcomes = [json.loads(line) for line in out.splitlines()]
    assert [(o["to"], o["status"]) for o in outcomes] == [("ada@example.com", "sent"),
                                                          ("nouser550@example.com", "failed")]
    assert "550" in outcomes[1]["reply"] and "Done: 1 failed, 1 sent" in err
    code, out, _ = run("send", "intro", "--to", "ada@example.com", "--var", "topic=UX", "--json")
    assert code == 0 and json.loads(out)["earlier"] is True
    assert len(sink.messages) == 1
    code, out, _ = run("journal", "--status", "failed", "--json")
    assert [json.loads(line)["to"] for line in out.splitlines()] == ["nouser550@example.com"]


def test_unknown_outcome_is_shown_and_can_be_resolved(config_file: Path, plain_server: tuple[Sink, int]) -> None:
    sink, port = plain_server
    smtp_config(config_file, port)
    code, out, err = run("send", "intro", "--to", "dropafterdata@example.com", "--var", "topic=UX", "--json")
    assert code == 1 and "may have arrived" in err
    mid = json.loads(out)["message_id"]
    code, out, _ = run("journal", "resolve", mid, "--resend")
    assert code == 0
    code, out, _ = run("send", "intro", "--to", "dropafterdata@example.com", "--var", "topic=UX", "--json")
    assert json.loads(out)["message_id"] == mid
    assert sink.message_ids == [mid, mid]


def test_connection_error_exits_3(config_file: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    smtp_config(config_file, port)
    code, _, err = run("send", "intro", "--to", "ada@example.com", "--var", "topic=UX")
    assert code == 3 and f"127.0.0.1:{port}" in err


def test_login_stores_password_and_send_uses_it(config_file: Path, starttls_server: tuple[Sink, int],
                                                ca_file: Path, memory_keyring: object) -> None:
    sink, port = starttls_server
    config_file.write_text(config_file.read_text() + f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\n'
                           f'username = "{USER}"\nca_file = "{ca_file}"\n')
    code, _, err = run("send", "intro", "--to", "ada@example.com", "--var", "topic=UX")
    assert code == 3 and "outreach login" in err
    code, out, _ = run("login", "--password-stdin", input=PASSWORD + "\n")
    assert code == 0 and PASSWORD not in out
    assert memory_keyring.passwords == {("outreach", USER): PASSWORD}  # type: ignore[attr-defined]
    code, out, _ = run("send", "intro", "--to", "ada@example.com", "--var", "topic=UX")
    assert code == 0 and len(sink.messages) == 1
    code, out, _ = run("logout")
    assert code == 0 and memory_keyring.passwords == {}  # type: ignore[attr-defined]


def test_login_never_prompts_without_a_terminal(config_file: Path) -> None:
    smtp_config(config_file, 25, username='"sam@example.edu"')
    code, _, err = run("login", input="")
    assert code == 3 and "--password-stdin" in err


def test_no_keyring_backend_says_what_to_do(config_file: Path) -> None:
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    smtp_config(config_file, 25, username='"sam@example.edu"')
    code, _, err = run("login", "--password-stdin", input="pw\n")
    assert code == 3 and "keyrings.alt" in err
    code, _, err = run("send", "intro", "--to", "ada@example.com", "--var", "topic=UX")
    assert code == 3 and "keyrings.alt" in err


def test_every_command_is_documented_in_the_readme() -> None:
    import click

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")

    def walk(group: click.Group, prefix: str) -> None:
        for name, command in group.commands.items():
            full = f"{prefix} {name}"
            assert full in readme, f"`{full}` is not in README.md"
            for param in command.params:
                for opt in getattr(param, "opts", []) + getattr(param, "secondary_opts", []):
                    if opt.startswith("--") and opt != "--help":
                        assert opt in readme, f"{opt} of `{full}` is not in README.md"
            if isinstance(command, click.Group):
                walk(command, full)

    walk(cli, "outreach")


def test_locked_keyring_says_so(config_file: Path) -> None:
    import keyring
    from keyring.errors import KeyringLocked

    class Locked(type(keyring.get_keyring())):  # type: ignore[misc]
        def get_password(self, service: str, username: str) -> str | None:
            raise KeyringLocked("locked")

    keyring.set_keyring(Locked())
    smtp_config(config_file, 25, username='"sam@example.edu"')
    code, _, err = run("send", "intro", "--to", "ada@example.com", "--var", "topic=UX")
    assert code == 3 and "keyring is locked" in err


@pytest.mark.parametrize("args", [["--help"], ["due"], ["threads"], ["contacts", "list"], ["targets", "list"],
                                  ["report"], ["events", "list"]])
def test_light_commands_do_not_import_heavy_libraries(args: list[str], tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    probe = ("import sys\nfrom outreach.cli import cli\ntry:\n    cli(%r, standalone_mode=False)\n"
             "except SystemExit:\n    pass\n"
             "heavy = ('email', 'jinja2', 'keyring', 'email_validator', 'html2text', 'icalendar', 'imapclient',"
             " 'vobject')\nprint(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n") % (args,)
    env = {**os.environ, "OUTREACH_HOME": str(tmp_path / "home"), "OUTREACH_CONFIG": str(tmp_path / "c.toml")}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_shell_completion_completes_template_names(config_file: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "_OUTREACH_COMPLETE": "bash_complete", "COMP_WORDS": "outreach send follow", "COMP_CWORD": "2",
           "OUTREACH_CONFIG": str(config_file)}
    done = subprocess.run([sys.executable, "-c", "from outreach.cli import main; main()"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "plain,follow-up" in done.stdout.splitlines()
