"""Render templates for one contact (strictly, sandboxed); the files themselves are read by ``templatefiles``.

Without a ``NAME.txt`` beside a template, the text part is made from the HTML (once per template
where that is safe, see :mod:`outreach.compose.textonce`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox

from ..errors import TemplateError
from .filters import FILTERS
from ..models import Contact, Draft, Sender
from .textonce import TextOnce
from .spelling import DEFAULT_LOCALE, localize_source
from .templatefiles import (BUILTIN_DIR, KINDS, TemplateSource, check_template_name, inside, list_templates,
                            load_template, parse_template, search_path)
from .variants import found_via

__all__ = ["BUILTIN_DIR", "KINDS", "Renderer", "TemplateSource", "check_template_name", "inside", "list_templates",
           "load_template", "parse_template"]


class _Loader(jinja2.BaseLoader):
    """Loads template bodies for ``{% include %}`` and ``{% extends %}`` across the search path."""

    def __init__(self, dirs: Iterable[Path]) -> None:
        self.folders = [folder for folder, _ in search_path(dirs)]

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        for folder in self.folders:
            path = inside(folder, template)
            if path is not None:
                text = path.read_text(encoding="utf-8")
                mtime = path.stat().st_mtime
                return text, str(path), lambda: path.stat().st_mtime == mtime
        raise jinja2.TemplateNotFound(f"{template} (templates may include only files inside their template folders)")


class _Missing(jinja2.StrictUndefined):
    """A missing (or empty) variable: an error when written out, false in ``{% if %}`` and ``or``."""

    def __bool__(self) -> bool:  # type: ignore[override]
        return False


def _present(values: Mapping[str, Any]) -> dict[str, Any]:
    """Leave out empty strings: an empty ``--var``, CSV cell or contact field counts as missing."""
    return {k: v for k, v in values.items() if not (isinstance(v, str) and not v.strip())}


def _context(contact: Contact, sender: Sender, variables: Mapping[str, Any]) -> dict[str, Any]:
    sender_vars = {"name": sender.name, "email": sender.email, **sender.fields}
    sender_vars["first_name"] = sender.name.split()[0] if sender.name.split() else ""
    return {
        "found_via": found_via(contact, sender_vars, variables),
        **_present({
            "email": contact.email,
            "name": contact.name,
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "company": contact.company,
            "position": contact.position,
            **contact.fields,
        }),
        **_present(variables),
        "contact": contact,
        "referrer": contact.referrer if contact.may_use_referrer_name and contact.referrer else None,
        "sender": sender_vars,
    }


class Renderer:
    """Renders templates from the built-ins and the user's folders into :class:`Draft` objects."""

    def __init__(self, template_dirs: Iterable[Path] = ()) -> None:
        self.template_dirs = tuple(Path(d) for d in template_dirs)
        loader = _Loader(self.template_dirs)
        # Templates are shared between people: they run sandboxed, unable to reach Python internals.
        self._html_env = jinja2.sandbox.ImmutableSandboxedEnvironment(
            loader=loader, autoescape=True, undefined=_Missing, keep_trailing_newline=True
        )
        self._text_env = jinja2.sandbox.ImmutableSandboxedEnvironment(
            loader=loader, autoescape=False, undefined=_Missing, keep_trailing_newline=True
        )
        for env in (self._html_env, self._text_env):
            env.filters.update(FILTERS)
        self._text_once = TextOnce(loader, FILTERS, _Missing)
        self._cache: dict[tuple[str, str], tuple[TemplateSource, jinja2.Template, jinja2.Template,
                                                 jinja2.Template | None, str]] = {}

    def template(self, name: str) -> TemplateSource:
        """The parsed template ``name`` (user folders win over built-ins)."""
        return self._compiled(name)[0]

    def _compiled(self, name: str, locale: str = DEFAULT_LOCALE
                  ) -> tuple[TemplateSource, jinja2.Template, jinja2.Template, jinja2.Template | None, str]:
        if (name, locale) not in self._cache:
            src = load_template(name, self.template_dirs)
            where = str(src.info.path)

            def words(source: str) -> str:
                return localize_source(source, locale) if src.info.source == "built-in" else source

            try:
                subject = self._text_env.from_string(words(src.subject))
                html = self._html_env.from_string("{#" + "\n" * src.html_offset + "#}" + words(src.html))
                text = self._text_env.from_string(words(src.text)) if src.text is not None else None
            except jinja2.TemplateSyntaxError as exc:
                raise TemplateError(f"{where}:{exc.lineno}: {exc.message}") from exc
            self._cache[(name, locale)] = (src, subject, html, text, words(src.html))
        return self._cache[(name, locale)]

    def render(self, name: str, contact: Contact, sender: Sender, variables: Mapping[str, Any] | None = None) -> Draft:
        """Render template ``name`` for ``contact``; a missing variable names template, variable and contact."""
        locale = str(sender.fields.get("locale") or DEFAULT_LOCALE)
        src, subject_t, html_t, text_t, html_source = self._compiled(name, locale)
        context = _context(contact, sender, variables or {})
        try:
            subject = subject_t.render(context).strip()
            html = html_t.render(context)
            text = (text_t.render(context) if text_t is not None
                    else self._text_once.text((name, locale), html_source, context, html))
        except jinja2.UndefinedError as exc:
            raise TemplateError(
                f"template {name!r} ({src.info.path}): {exc.message} for contact {contact.email or contact.name!r}"
                " (give it with --var KEY=VALUE or a column of that name)"
            ) from exc
        except jinja2.TemplateError as exc:
            raise TemplateError(f"template {name!r} ({src.info.path}): {exc} for contact {contact.email!r}") from exc
        return Draft(template=name, to=contact, subject=subject, html=html, text=text)
