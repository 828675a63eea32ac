"""``outreach --help`` without click: the text click prints, rendered from the same command table.

Hand-written because importing click alone takes longer than the whole of ``--help`` may
(issue 16); ``tests/test_startup.py`` compares it with click's rendering at every width.
"""

from __future__ import annotations

import os
import sys

from .commands import COMMANDS, GROUP_HELP

__all__ = ["render_help", "short_help", "terminal_columns"]

_USAGE = "Usage: outreach [OPTIONS] COMMAND [ARGS]..."
_OPTIONS = (("--version", "Show the version and exit."), ("-h, --help", "Show this message and exit."))


def terminal_columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` finds it (``COLUMNS``, then the terminal, then 80)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            size = os.get_terminal_size(sys.__stdout__.fileno())  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            size = os.terminal_size((80, 24))
        columns = size.columns or 80
    return columns


def short_help(text: str, limit: int) -> str:
    """The first sentence of ``text``, shortened with ``...`` to ``limit`` characters, as click shortens it."""
    words = text.partition("\n\n")[0].split()
    if words and words[0] == "\b":
        words = words[1:]
    if not words:
        return ""
    for i, word in enumerate(words):
        if word.endswith(".") and (i == len(words) - 1 or not words[i + 1][0].islower()):
            words = words[: i + 1]
            break
    whole = " ".join(words)
    if len(whole) <= limit:
        return whole
    if limit < 3:
        return "..."
    import textwrap

    return textwrap.shorten(whole, limit, placeholder="...", break_on_hyphens=False).strip()


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    """``text`` wrapped to ``width`` as click wraps help: paragraphs end at an empty line, each is refilled."""
    import textwrap

    wrapper = textwrap.TextWrapper(width, initial_indent=indent, subsequent_indent=indent, replace_whitespace=False)
    paragraphs: list[list[str]] = [[]]
    for line in text.expandtabs().splitlines():
        if line:
            paragraphs[-1].append(line if paragraphs[-1] else line.lstrip())
        elif paragraphs[-1]:
            paragraphs.append([])
    filled = [wrapper.fill(" ".join(lines)) for lines in paragraphs if lines]
    return "\n\n".join(filled).splitlines()


def _definitions(rows: tuple[tuple[str, str], ...] | list[tuple[str, str]], width: int) -> list[str]:
    """Rows of two columns as click's definition lists: the terms, then their text wrapped beside them."""
    first_col = min(max(len(term) for term, _ in rows), 30) + 2
    out: list[str] = []
    for term, text in rows:
        lines = _wrap(text, max(width - first_col - 2, 10))
        if not text:
            out.append(f"  {term}")
            continue
        if len(term) <= first_col - 2:
            out.append(f"  {term}{' ' * (first_col - len(term))}{lines[0] if lines else ''}")
        else:
            out += [f"  {term}", f"{' ' * (first_col + 2)}{lines[0] if lines else ''}"]
        out += [f"{' ' * (first_col + 2)}{line}" for line in lines[1:]]
    return out


def render_help(columns: int) -> str:
    """The text of ``outreach --help`` on a terminal ``columns`` wide, ending in a newline."""
    width = max(min(columns, 80) - 2, 50)
    limit = width - 6 - max(map(len, COMMANDS))
    commands = [(name, short_help(text, limit)) for name, (_, _, text) in sorted(COMMANDS.items())]
    lines = [_USAGE, "", *_wrap(GROUP_HELP.strip(), width, "  "), "", "Options:", *_definitions(_OPTIONS, width),
             "", "Commands:", *_definitions(commands, width)]
    return "\n".join(lines).rstrip("\n") + "\n"
