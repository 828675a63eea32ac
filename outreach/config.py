"""Where outreach keeps its files, and the TOML config file that says who sends and how."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .private import private_dir, write_private
from .record import field, record

if TYPE_CHECKING:
    from .models import Sender

__all__ = ["SENDER_KEYS", "Config", "ImapConfig", "SmtpConfig", "TargetsConfig", "config_path", "data_dir",
           "load_config", "write_initial_config"]

APP = "outreach"
SECURITY_MODES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
# The [sender] keys the built-in templates use (checked by config_schema.SCHEMA); any other key is a
# template variable too.
SENDER_KEYS = {
    "name": "your name as recipients see it",
    "email": "your address",
    "about": "one sentence about you, e.g. \"a final-year statistics student\"",
    "school": "your school or university (alumni intros compare it with a contact's school)",
    "program": "your program or degree, e.g. \"MSc Data Science\"",
    "phone": "a phone number for the signature",
    "linkedin": "your LinkedIn profile URL for the signature (https://...)",
    "locale": "en-US (default) or en-GB: the spelling of the built-in templates",
    "personal_email": "an address that outlasts this one (the job-update gives it to keep in touch)",
}


def data_dir() -> Path:
    """The data folder: ``$OUTREACH_HOME`` or the platform's user data dir."""
    env = os.environ.get("OUTREACH_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def config_path() -> Path:
    """The config file: ``$OUTREACH_CONFIG``, else ``config.toml`` in the user config dir."""
    env = os.environ.get("OUTREACH_CONFIG")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP, appauthor=False)) / "config.toml"


@record
class SmtpConfig:
    """The ``[smtp]`` table: how to reach the user's mail server."""

    host: str
    port: int
    security: str = "starttls"
    username: str = ""
    allow_insecure_auth: bool = False
    ca_file: Path | None = None
    timeout: float = 30.0


@record
class ImapConfig:
    """The ``[imap]`` table: the mailbox that ``outreach sync`` reads and Sent copies go to."""

    host: str
    port: int
    security: str = "ssl"
    username: str = ""
    ca_file: Path | None = None
    folders: tuple[str, ...] = ("INBOX",)
    sent_folder: str = ""
    save_sent: bool = False
    allow_insecure_auth: bool = False
    timeout: float = 30.0


@record
class TargetsConfig:
    """The ``[targets]`` table: how many new people to suggest per target a week, and which tags are warm."""

    per_week: int = 3
    warm_tags: tuple[str, ...] = ("alumni", "friends", "family")


@record
class Config:
    """Everything read from the config file, with defaults filled in."""

    sender: Sender | None = None
    smtp: SmtpConfig | None = None
    imap: ImapConfig | None = None
    rate_per_minute: float = 20.0
    connections: int = 1
    give_up_after: int = 3
    check_deliverability: bool = False
    template_dirs: tuple[Path, ...] = ()
    followup_days: int | None = None
    max_followups: int = 2
    checkin_days: int = 90
    targets: TargetsConfig = field(default_factory=TargetsConfig)
    home: Path = field(default_factory=data_dir)
    path: Path | None = None

    @property
    def outbox_dir(self) -> Path:
        """Where the dry-run transport writes ``.eml`` files."""
        return self.home / "outbox"

    @property
    def store_path(self) -> Path:
        """The SQLite store of sent messages and threads."""
        return self.home / "outreach.sqlite3"


def _table(raw: dict[str, Any], name: str, path: Path) -> dict[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [{name}] must be a table")
    return value


def _str(table: dict[str, Any], key: str, where: str, default: str = "") -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {key} must be a string, not {value!r}")
    return value


def _sender(table: dict[str, Any], where: str) -> Sender | None:
    if not table:
        return None
    name = _str(table, "name", where)
    email = _str(table, "email", where)
    if not email:
        raise ConfigError(f"{where}: [sender] needs an email")
    extra = {k: str(v) for k, v in table.items() if k not in ("name", "email")}
    from .models import Sender

    return Sender(name=name, email=email, fields=extra)


def _server(table: dict[str, Any], where: str, base: Path, section: str, default_security: str,
            ports: dict[str, int]) -> dict[str, Any]:
    """The settings ``[smtp]`` and ``[imap]`` share, checked: host, security, port, username, CA, timeout."""
    host = _str(table, "host", where)
    if not host:
        raise ConfigError(f"{where}: [{section}] needs a host")
    security = _str(table, "security", where, default_security).lower()
    if security not in SECURITY_MODES:
        raise ConfigError(f"{where}: [{section}] security must be one of {', '.join(SECURITY_MODES)}, not {security!r}")
    port = table.get("port", ports[security])
    if not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigError(f"{where}: [{section}] port must be a whole number from 1 to 65535")
    timeout = table.get("timeout", 30.0)
    if not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ConfigError(f"{where}: [{section}] timeout must be a positive number of seconds")
    ca_file = table.get("ca_file")
    return {
        "host": host, "port": port, "security": security, "username": _str(table, "username", where),
        "allow_insecure_auth": bool(table.get("allow_insecure_auth", False)),
        "ca_file": (base / Path(ca_file).expanduser()) if isinstance(ca_file, str) and ca_file else None,
        "timeout": float(timeout),
    }


def _smtp(table: dict[str, Any], where: str, base: Path) -> SmtpConfig | None:
    if not table:
        return None
    return SmtpConfig(**_server(table, where, base, "smtp", "starttls", DEFAULT_PORTS))


def _imap(table: dict[str, Any], where: str, base: Path) -> ImapConfig | None:
    if not table:
        return None
    folders = table.get("folders", ["INBOX"])
    if not isinstance(folders, list) or not folders or not all(isinstance(f, str) for f in folders):
        raise ConfigError(f"{where}: [imap] folders must be a list of folder names")
    return ImapConfig(
        **_server(table, where, base, "imap", "ssl", {"ssl": 993, "starttls": 143, "none": 143}),
        folders=tuple(folders), sent_folder=_str(table, "sent_folder", where),
        save_sent=bool(table.get("save_sent", False)),
    )


def _targets(table: dict[str, Any], where: str) -> TargetsConfig:
    per_week = table.get("per_week", 3)
    if not isinstance(per_week, int) or isinstance(per_week, bool) or not 1 <= per_week <= 50:
        raise ConfigError(f"{where}: [targets] per_week must be a whole number from 1 to 50")
    warm = table.get("warm_tags", list(TargetsConfig.warm_tags))
    if not isinstance(warm, list) or not all(isinstance(t, str) and t.strip() for t in warm):
        raise ConfigError(f"{where}: [targets] warm_tags must be a list of tags")
    return TargetsConfig(per_week=per_week, warm_tags=tuple(t.strip() for t in warm))


def load_config(path: Path | None = None) -> Config:
    """Read the config file; a missing file gives the defaults (dry run, no sender)."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(path=None)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    import tomllib  # only when there is a file to read: a command without one starts without the parser

    from .config_schema import check_config

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    check_config(raw, text, path)
    where = str(path)
    base = path.parent
    send = _table(raw, "send", path)
    rate = send.get("rate_per_minute", 20.0)
    if not isinstance(rate, (int, float)) or rate < 0:
        raise ConfigError(f"{where}: [send] rate_per_minute must be a number >= 0 (0 means no limit)")
    connections = send.get("connections", 1)
    if not isinstance(connections, int) or not 1 <= connections <= 32:
        raise ConfigError(f"{where}: [send] connections must be a whole number from 1 to 32")
    dirs = _table(raw, "templates", path).get("dirs", [])
    if not isinstance(dirs, list) or not all(isinstance(d, str) for d in dirs):
        raise ConfigError(f"{where}: [templates] dirs must be a list of folder paths")
    home = raw.get("home")
    policy = _table(raw, "followups", path)
    for key in ("days", "max", "checkin_days"):
        value = policy.get(key)
        if value is not None and (not isinstance(value, int) or value < 0):
            raise ConfigError(f"{where}: [followups] {key} must be a whole number >= 0")
    return Config(
        followup_days=policy.get("days"),
        max_followups=policy.get("max", 2),
        checkin_days=policy.get("checkin_days", 90),
        targets=_targets(_table(raw, "targets", path), where),
        sender=_sender(_table(raw, "sender", path), where),
        smtp=_smtp(_table(raw, "smtp", path), where, base),
        imap=_imap(_table(raw, "imap", path), where, base),
        rate_per_minute=float(rate),
        connections=connections,
        give_up_after=send.get("give_up_after", 3),
        check_deliverability=bool(send.get("check_deliverability", False)),
        template_dirs=tuple(base / Path(d).expanduser() for d in dirs),
        home=Path(home).expanduser() if isinstance(home, str) and home else data_dir(),
        path=path,
    )


def write_initial_config(path: Path, name: str, email: str, *, replace: bool = False, **sender: str) -> Path | None:
    """Create a config file with the sender filled in (``about``, ``school``... when given) and the rest as comments.

    An existing file is an error, unless ``replace``: it is then kept beside the new one as ``NAME.bak``,
    whose path is returned.
    """
    backup = None
    if path.exists() and not replace:
        raise ConfigError(f"{path} already exists; edit it instead (or replace it: outreach init --force)")
    unknown = set(sender) - set(SENDER_KEYS)
    if unknown:
        raise ConfigError(f"unknown [sender] keys: {', '.join(sorted(unknown))}")
    import json

    private_dir(path.parent)
    lines = []
    for key, value in {"name": name, "email": email, **sender}.items():
        if value:
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}\n")
    for key, what in SENDER_KEYS.items():
        if key not in ("name", "email") and not sender.get(key):
            lines.append(f"# {key} = \"\"   # {what}\n")
    text = (
        "# outreach configuration: see README.md for every key.\n"
        "[sender]\n"
        + "".join(lines) +
        "\n"
        "# Until [smtp] is set, `outreach send` writes .eml files to the outbox (a dry run).\n"
        "# [smtp]\n"
        '# host = "smtp.gmail.com"\n'
        "# port = 587\n"
        '# security = "starttls"   # or "ssl" (port 465), or "none" for a local relay\n'
        f"# username = {json.dumps(email, ensure_ascii=False)}\n"
        "\n"
        "[send]\n"
        "rate_per_minute = 20\n"
    )
    if path.exists():
        backup = path.with_name(path.name + ".bak")
        write_private(backup, path.read_bytes())
    write_private(path, text.encode("utf-8"), exclusive=not replace)
    return backup
