"""The research half of networking: target organisations, networking events, and the progress report."""

from .events import EventImport, Events
from .match import company_key, same_company
from .report import Report, report
from .targets import Person, TargetSummary, TargetView, Targets

__all__ = ["EventImport", "Events", "Person", "Report", "TargetSummary", "TargetView", "Targets", "company_key",
           "report", "same_company"]
