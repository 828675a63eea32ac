"""The config file's schema: every section and key, its type and allowed values, checked with line numbers.

An unknown key or section is an error that names the file, the line and the closest known key, so
that ``securty = "none"`` or ``[smpt]`` never silently means "use the default".
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .edits import edit_distance
from .errors import ConfigError

__all__ = ["MAX_TIMEOUT", "MIN_RATE", "SCHEMA", "check_config", "check_rate"]

MIN_RATE = 0.01
MAX_TIMEOUT = 3600
SECURITY_MODES = ("starttls", "ssl", "none")

Check = Callable[[Any], str | None]


def _string(value: Any) -> str | None:
    return None if isinstance(value, str) else "must be a string in quotes"


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false (a TOML boolean, without quotes)"


def _whole(low: int, high: int | None = None) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
            return f"must be a whole number from {low}" + (f" to {high}" if high is not None else " up")
        return None
    return check


def _seconds(value: Any) -> str | None:
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0
            or value > MAX_TIMEOUT):
        return f"must be a number of seconds above 0 and at most {MAX_TIMEOUT}"
    return None


def check_rate(value: Any) -> str | None:
    """Why ``value`` is not a usable messages-per-minute rate (0 means no limit), or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return "must be a finite number (messages per minute; 0 means no limit)"
    if value < 0 or 0 < value < MIN_RATE:
        return f"must be 0 (no limit) or at least {MIN_RATE} messages per minute"
    return None


def _choice(*allowed: str) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, str) or value.lower() not in allowed:
            return f"must be one of {', '.join(repr(a) for a in allowed)}"
        return None
    return check


def _names(value: Any) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "must be a list of strings, e.g. [\"a\", \"b\"]"
    return None


def _scalar(value: Any) -> str | None:
    return None if isinstance(value, (str, int, float)) else "must be a string or a number"


def _locale(value: Any) -> str | None:
    return None if value in ("en-US", "en-GB") else 'must be "en-US" or "en-GB"'


def _address(value: Any) -> str | None:
    if not isinstance(value, str) or (value and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value)):
        return "must be an email address in quotes, e.g. \"sam.rivera@example.com\""
    return None


def _https(value: Any) -> str | None:
    if not isinstance(value, str) or (value and not value.startswith("https://")):
        return "must be an https:// URL in quotes"
    return None


_SERVER: dict[str, Check] = {"host": _string, "port": _whole(1, 65535), "security": _choice(*SECURITY_MODES),
                             "username": _string, "allow_insecure_auth": _boolean, "ca_file": _string,
                             "timeout": _seconds}

SCHEMA: dict[str, dict[str, Check]] = {
    "sender": {"name": _string, "email": _string, "about": _string, "school": _string, "program": _string,
               "phone": _string, "linkedin": _https, "locale": _locale, "personal_email": _address},
    "smtp": dict(_SERVER),
    "imap": {**_SERVER, "folders": _names, "sent_folder": _string, "save_sent": _boolean},
    "send": {"rate_per_minute": check_rate, "connections": _whole(1, 32), "check_deliverability": _boolean,
             "give_up_after": _whole(0)},
    "templates": {"dirs": _names},
    "followups": {"days": _whole(0), "max": _whole(0), "checkin_days": _whole(0)},
    "targets": {"per_week": _whole(1, 50), "warm_tags": _names},
}
TOP_LEVEL: dict[str, Check] = {"home": _string}
# [sender] may hold any other scalar: each becomes a template variable (sender.about, ...).
OPEN_SECTIONS = {"sender": _scalar}


def _closest(word: str, known: list[str]) -> str:
    import difflib  # only when a key is unknown: most runs never need it

    match = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f"; did you mean {match[0]}?" if match else f" (known: {', '.join(sorted(known))})"


def _misspelt(key: str, known: list[str]) -> str | None:
    """The known key ``key`` is within two edits of (one for keys of four letters or fewer), or None."""
    for name in known:
        if edit_distance(key.lower(), name) <= (1 if len(name) <= 4 else 2):
            return name
    return None


def _line(lines: list[str], section: str | None, key: str | None) -> int | None:
    """The line of ``[section]`` (key None) or of ``key = `` inside it (section None: before any table)."""
    current: str | None = None
    header = re.compile(r"^\s*\[\s*([^\]\s]+)\s*\]")
    for number, text in enumerate(lines, start=1):
        found = header.match(text)
        if found:
            current = found.group(1).strip("\"'")
            if key is None and current == section:
                return number
            continue
        if key is not None and current == section and re.match(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", text):
            return number
    return None


def check_config(raw: Mapping[str, Any], text: str, path: Path) -> None:
    """Refuse any key, section or value the schema does not allow; errors name the file, line and key."""
    lines = text.splitlines()

    def fail(section: str | None, key: str | None, message: str) -> ConfigError:
        line = _line(lines, section, key)
        return ConfigError(f"{path}{f', line {line}' if line else ''}: {message}")

    for name, value in raw.items():
        if name in SCHEMA:
            if not isinstance(value, dict):
                raise fail(None, name, f"{name} must be a table, written [{name}]")
            _check_table(name, value, fail)
        elif name in TOP_LEVEL:
            problem = TOP_LEVEL[name](value)
            if problem:
                raise fail(None, name, f"{name} {problem}, not {value!r}")
        elif isinstance(value, dict):
            raise fail(name, None, f"[{name}] is not a known section{_closest(name, list(SCHEMA))}")
        else:
            raise fail(None, name, f"{name} is not a known setting{_closest(name, [*TOP_LEVEL, *SCHEMA])}")


def _check_table(section: str, table: Mapping[str, Any], fail: Callable[[str | None, str | None, str], ConfigError]
                 ) -> None:
    keys = SCHEMA[section]
    for key, value in table.items():
        check = keys.get(key) or OPEN_SECTIONS.get(section)
        near = _misspelt(key, list(keys)) if key not in keys and section in OPEN_SECTIONS else None
        if near:
            raise fail(section, key, f"[{section}] {key} is not a known key; did you mean {near}? (a key of your own"
                                     " is allowed when it differs from the known ones by more than two letters)")
        if check is None:
            raise fail(section, key, f"[{section}] {key} is not a known key{_closest(key, list(keys))}")
        problem = check(value)
        if problem:
            raise fail(section, key, f"[{section}] {key} {problem}, not {value!r}")
