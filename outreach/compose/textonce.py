"""The text part made once per template: html2text applied to the template, Jinja tags kept, then rendered.

Converting each rendered message costs as much as rendering it. Converting the template instead
gives the same text when every Jinja tag sits in text (not inside an HTML tag or attribute) and
every value written out is plain text (no markup, markdown marks or runs of white space). Each
template is checked against per-message conversion on its first message; any template or value
that fails a check falls back to converting the message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import jinja2

from .bounds import BoundedEnvironment
from .plaintext import convert, finish, html_to_text

__all__ = ["TextOnce", "template_text"]

# A Jinja tag inside an HTML tag or attribute, markup that html2text reads differently from text,
# or a tag that could write markup (``safe``, ``e``/``escape`` marks, macros and raw blocks).
_UNSAFE = re.compile(r"<[^>]*\{[{%#]|\{[{%#][^}]*[<>]|<(?:pre|textarea|script|style)\b|\bsafe\b|\bmarkup\b|"
                     r"\{%-?\s*(?:macro|call|raw|filter|autoescape)\b", re.IGNORECASE)
# A link that shows its own address reads the same whatever the address: html2text writes the text once.
_SELF_LINK = re.compile(r'<a href="(?:mailto:)?(\{\{[^{}<>"]*\}\})">\1</a>')
# A value html2text would not copy as it is: white space other than single spaces, markdown or HTML marks.
# An ``&`` may be written: the HTML carries it as ``&amp;``, which html2text reads back as ``&`` whatever
# follows it, and leaves unescaped (``tests/test_textonce.py`` compares values full of them both ways).
_NOT_PLAIN = re.compile(r"\s\s|[^\S ]|^ | $|[\\`*_\[\]{}#<>|~]")


class _NotPlain(Exception):
    """A value written out is not plain text: this message is converted on its own."""


def _plain(value: Any) -> Any:
    text = value if isinstance(value, str) else str(value) if value is not None else ""
    if _NOT_PLAIN.search(text):
        raise _NotPlain
    return value


def template_text(source: str) -> str | None:
    """The text of an HTML template with its Jinja tags kept, or None when converting it is not safe."""
    if _UNSAFE.search(_SELF_LINK.sub("", source)):
        return None
    return convert(source)


class _TextLoader(jinja2.BaseLoader):
    """The HTML templates' loader, each included template converted to text as it is loaded."""

    def __init__(self, inner: jinja2.BaseLoader) -> None:
        self.inner = inner

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None,
                                                                                   Callable[[], bool] | None]:
        source, path, uptodate = self.inner.get_source(environment, template)
        text = template_text(source)
        if text is None:
            raise _NotPlain
        return text, path, uptodate


class TextOnce:
    """Text parts from templates converted once; ``uses`` tells which templates passed their check."""

    def __init__(self, loader: jinja2.BaseLoader, filters: Mapping[str, Callable[..., Any]],
                 undefined: type[jinja2.Undefined]) -> None:
        self._env = BoundedEnvironment(
            loader=_TextLoader(loader), autoescape=False, undefined=undefined, keep_trailing_newline=True,
            finalize=_plain)
        self._env.filters.update(filters)
        self._templates: dict[object, jinja2.Template | None] = {}

    def uses(self, key: object) -> bool:
        """True when template ``key`` passed its check and its text parts are made from the converted template."""
        return self._templates.get(key) is not None

    def text(self, key: object, source: str, context: Mapping[str, Any], html: str) -> str:
        """The text part of ``html``, rendered by template ``key`` (HTML ``source``) for ``context``."""
        if key not in self._templates:
            mine = self._compile(source)
            wanted = html_to_text(html)
            self._templates[key] = mine if mine is not None and self._render(mine, context) == wanted else None
            return wanted
        template = self._templates[key]
        if template is not None:
            text = self._render(template, context)
            if text is not None:
                return text
        return html_to_text(html)

    def _compile(self, source: str) -> jinja2.Template | None:
        text = template_text(source)
        if text is None:
            return None
        try:
            return self._env.from_string(text)
        except jinja2.TemplateError:
            return None

    @staticmethod
    def _render(template: jinja2.Template, context: Mapping[str, Any]) -> str | None:
        try:
            return finish(template.render(context))
        except (_NotPlain, jinja2.TemplateError):
            return None
