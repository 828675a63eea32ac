"""``outreach config check``: validate the config file and print what it means, defaults filled in."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from .common import echo, errors

if TYPE_CHECKING:
    from ..config import Config

__all__ = ["config_group", "effective"]


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def effective(config: Config) -> dict[str, dict[str, Any]]:
    """The settings in effect, table by table; passwords live in the keyring and are never part of it."""
    out: dict[str, dict[str, Any]] = {"": {"home": str(config.home)}}
    if config.sender is not None:
        out["sender"] = {"name": config.sender.name, "email": config.sender.email, **config.sender.fields}
    for name, server in (("smtp", config.smtp), ("imap", config.imap)):
        if server is None:
            continue
        table = {k: v for k, v in vars(server).items() if v is not None}
        out[name] = {k: (str(v) if k == "ca_file" else v) for k, v in table.items()}
    out["send"] = {"rate_per_minute": config.rate_per_minute, "connections": config.connections,
                   "check_deliverability": config.check_deliverability, "give_up_after": config.give_up_after}
    out["templates"] = {"dirs": [str(d) for d in config.template_dirs]}
    followups: dict[str, Any] = {"max": config.max_followups, "checkin_days": config.checkin_days}
    if config.followup_days is not None:
        followups["days"] = config.followup_days
    out["followups"] = followups
    out["targets"] = {"per_week": config.targets.per_week, "warm_tags": list(config.targets.warm_tags)}
    return out


def _password_state(username: str) -> str:
    """Whether a password is stored for ``username`` (never the password itself)."""
    from ..credentials import get_password, plain_text_backend
    from ..errors import CredentialsError

    try:
        get_password(username)
    except CredentialsError as exc:
        return f"not available ({exc})"
    plain = plain_text_backend()
    return f"stored in plain text by {plain} (not shown)" if plain else "stored in the OS keyring (not shown)"


@click.group("config")
def config_group() -> None:
    """Check the config file."""


@config_group.command("check")
def check_cmd() -> None:
    """Validate the config file and print the effective settings (never a password)."""
    from ..config import config_path, load_config

    with errors():
        config = load_config()
    where = config.path or config_path()
    echo(f"# {where}: OK" if config.path else f"# {where} does not exist: defaults (a dry run, no sender)")
    if config.smtp is None:
        echo("# no [smtp]: `outreach send` writes .eml files to the outbox (a dry run)")
    for table, values in effective(config).items():
        if table:
            echo(f"\n[{table}]")
        for key, value in values.items():
            echo(f"{key} = {_toml(value)}")
        if table == "smtp" and config.smtp is not None and config.smtp.username:
            echo(f"# password: {_password_state(config.smtp.username)}")
