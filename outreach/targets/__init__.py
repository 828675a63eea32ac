"""The research half of networking: target organisations, networking events, and the progress report.

Names load on first use, so that a command needing one part does not import the others.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .events import EventImport, Events
    from .match import company_key, same_company
    from .progress import Report, report
    from .targets import Person, TargetSummary, Targets, TargetView

_LAZY = {"EventImport": "events", "Events": "events", "company_key": "match", "same_company": "match",
         "Report": "progress", "report": "progress", "Person": "targets", "TargetSummary": "targets",
         "TargetView": "targets", "Targets": "targets"}

__all__ = ["EventImport", "Events", "Person", "Report", "TargetSummary", "TargetView", "Targets", "company_key",
           "report", "same_company"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'outreach.targets' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
