"""Turn a rendered HTML body into a plain-text part that reads like a hand-written email."""

from __future__ import annotations

import re

import html2text

__all__ = ["convert", "finish", "html_to_text"]

_UNESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")
_BLANK_RUNS = re.compile(r"\n{3,}")
_LIST_ITEM = re.compile(r"^  ((?:  )*(?:- |\d+\. ))")


class _Converter(html2text.HTML2Text):
    """html2text without markdown noise: no ``**``, links as ``text (url)``, no wrapping."""

    def __init__(self) -> None:
        super().__init__(bodywidth=0)
        self.ignore_emphasis = True
        self.unicode_snob = True
        self.ignore_images = True
        self.ul_item_mark = "-"
        self._href: str | None = None
        self._link_text = ""

    def handle_tag(self, tag: str, attrs: dict[str, str | None], start: bool) -> None:
        if tag != "a":
            super().handle_tag(tag, attrs, start)
            return
        if start:
            self._href = (attrs or {}).get("href") or None
            self._link_text = ""
            return
        href, self._href = self._href, None
        if not href or href.startswith("#"):
            return
        shown = href.removeprefix("mailto:")
        if self._link_text.strip() in (href, shown):
            return
        if not self._link_text.strip():
            self.o(shown)
            return
        self.o(f" ({shown})")

    def handle_data(self, data: str, entity_char: bool = False) -> None:
        if self._href is not None:
            self._link_text += data
        super().handle_data(data, entity_char)


def convert(html: str) -> str:
    """html2text's reading of ``html``, markdown escapes removed; :func:`finish` makes it the text part."""
    return _UNESCAPE.sub(r"\1", _Converter().handle(html))


def finish(text: str) -> str:
    """Tidy converted text: no trailing spaces, list items at the margin, at most one blank line in a row."""
    lines = [_LIST_ITEM.sub(r"\1", line.rstrip()) if line[:2] == "  " else line.rstrip() for line in text.splitlines()]
    joined = "\n".join(lines)
    return (_BLANK_RUNS.sub("\n\n", joined) if "\n\n\n" in joined else joined).strip() + "\n"


def html_to_text(html: str) -> str:
    """Plain text of an HTML email body: paragraphs kept, links written out, no markdown marks."""
    return finish(convert(html))
