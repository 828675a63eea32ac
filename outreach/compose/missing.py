"""Which variables a template still needs for one contact: render, and collect what is undefined."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..errors import TemplateError
from ..models import Contact, Sender
from .render import Renderer

__all__ = ["missing_variables"]

_UNDEFINED = re.compile(r"'([^']+)' is undefined")


def missing_variables(renderer: Renderer, template: str, contact: Contact, sender: Sender,
                      variables: Mapping[str, str]) -> list[str]:
    """The variables ``template`` needs that neither ``contact`` nor ``variables`` give, in the order it meets them."""
    given = dict(variables)
    missing: list[str] = []
    for _ in range(25):
        try:
            renderer.render(template, contact, sender, given)
        except TemplateError as exc:
            found = _UNDEFINED.search(str(exc))
            if found is None or found.group(1) in given:
                raise
            missing.append(found.group(1))
            given[found.group(1)] = "..."
            continue
        break
    return missing
