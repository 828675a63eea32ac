"""Text from mail and imports, made safe to print: no terminal control characters."""

from __future__ import annotations

import re

__all__ = ["printable"]

_ESCAPE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` without escape sequences, C0/C1 controls or bidi overrides; tabs and (unless kept) line ends as spaces."""
    cleaned = _CONTROL.sub("", _ESCAPE.sub("", text.replace("\t", " ")))
    if keep_newlines:
        return re.sub(r"\r(?!\n)", "", cleaned)
    return cleaned.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
