"""Text from outside (replies, imports, servers) made safe to print: no terminal control characters.

C0 controls (except tab and newline), DEL, C1 controls and the bidirectional overrides and
isolates (U+202A-U+202E, U+2066-U+2069) can set a terminal's title, write its clipboard (OSC 52),
or make text read differently from what it is. They are stripped on output and refused in headers.
"""

from __future__ import annotations

import re

__all__ = ["CONTROL", "SURROGATE", "clean", "find_control", "printable"]

_BIDI = "\u202a-\u202e\u2066-\u2069"
CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
_CONTROL_OR_LINE = re.compile(f"[\x00-\x08\x0a-\x1f\x7f-\x9f{_BIDI}]")
SURROGATE = re.compile("[\ud800-\udfff]")
# Anything printable() would change: a control (tab, line ends and ESC among them), a bidi mark, a surrogate.
_CHANGED = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")
_ESCAPE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")


def clean(text: str, *, newlines: bool = True) -> str:
    """``text`` without control characters; tab always kept, newline kept when ``newlines``."""
    return SURROGATE.sub("\ufffd", (CONTROL if newlines else _CONTROL_OR_LINE).sub("", text))


def find_control(text: str) -> str | None:
    """The first control character or lone surrogate in ``text`` (tab allowed), or None."""
    match = _CONTROL_OR_LINE.search(text) or SURROGATE.search(text)
    return match.group(0) if match else None


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """Text read from mail or an import, fit to store and show: escape sequences and controls removed.

    Whole escape sequences go (not only their ESC, which would leave ``[2J`` behind); tabs become
    spaces, and line ends too unless ``keep_newlines`` (then CRLF stays CRLF).
    """
    if not _CHANGED.search(text):
        return text  # the common case, an import's plain cell: nothing to take out
    text = _ESCAPE.sub("", text).replace("\t", " ")
    if not keep_newlines:
        return clean(text.replace("\r\n", " ").replace("\r", " ").replace("\n", " "))
    return "\r\n".join(clean(part) for part in text.split("\r\n"))
