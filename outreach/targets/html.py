"""The report as one self-contained HTML page: inline CSS and an inline SVG funnel, no scripts, no network."""

from __future__ import annotations

from html import escape

from .progress import Report

__all__ = ["render_html"]

_CSS = """
body { font: 15px/1.45 system-ui, sans-serif; color: #1d2430; margin: 2rem auto; max-width: 52rem; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.period { color: #5a6475; margin-top: 0; }
.numbers { display: flex; gap: 1rem; flex-wrap: wrap; padding: 0; list-style: none; }
.numbers li { border: 1px solid #d5dae3; border-radius: 6px; padding: .5rem .8rem; }
.numbers b { display: block; font-size: 1.3rem; }
table { border-collapse: collapse; width: 100%; } th, td { padding: .35rem .5rem; border-bottom: 1px solid #e3e7ee; }
th { text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.late { color: #a3261b; font-weight: 600; }
svg { max-width: 100%; height: auto; }
@media print { body { margin: 0; } }
"""
_WIDTH, _ROW, _LABEL = 640, 34, 170


def _funnel(report: Report) -> str:
    """The stages as an SVG funnel: one centred bar per stage, as wide as its count allows."""
    top = max([count for _, count in report.stages] + [1])
    span = _WIDTH - _LABEL - 50
    parts = [f'<svg role="img" width="{_WIDTH}" '
             f'height="{_ROW * len(report.stages) + 8}" viewBox="0 0 {_WIDTH} {_ROW * len(report.stages) + 8}">',
             "<title>Networking funnel</title>"]
    for row, (name, count) in enumerate(report.stages):
        y = 4 + row * _ROW
        width = max(2.0, span * count / top)
        x = _LABEL + (span - width) / 2
        parts.append(f'<text x="{_LABEL - 10}" y="{y + 21}" text-anchor="end" font-size="14">{escape(name)}</text>')
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{_ROW - 8}" rx="4" fill="#3b6fb6" '
                     f'fill-opacity="{0.95 - 0.1 * row:.2f}"><title>{escape(name)}: {count}</title></rect>')
        parts.append(f'<text x="{_LABEL + span + 10}" y="{y + 21}" font-size="14" font-weight="600">{count}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def render_html(report: Report, *, title: str = "Networking report") -> str:
    """The whole page as a string (UTF-8 when written); every value from the store is escaped."""
    days = "—" if report.median_days_to_reply is None else f"{report.median_days_to_reply:g} days"
    numbers = [("reply rate", _percent(report.reply_rate)), ("median time to reply", days),
               ("follow-ups sent", str(report.followups_sent)),
               ("due now", f"{len(report.due)}" + (f" ({report.late} late)" if report.late else "")),
               ("weeks in a row with outreach", str(report.streak_weeks))]
    rows = []
    for t in report.targets:
        p = t.period
        rows.append(
            "<tr>" + f"<td>{escape(t.target.name)}</td><td>{escape(t.target.role)}</td>"
            + "".join(f'<td class="n">{v}</td>' for v in (t.known, t.written, t.replied, t.met, t.referrals))
            + f'<td class="n">{p.get("written", 0)}</td><td>{"yes" if t.job else ""}</td></tr>')
    due_rows = [f'<tr><td{" class=late" if i.late else ""}>{"late" if i.late else "due"} {i.due_at:%Y-%m-%d}</td>'
                f"<td>{escape(i.kind)}</td><td>{escape(i.contact)}</td><td>{escape(i.reason)}</td></tr>"
                for i in report.due]
    page = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="period">{report.since:%Y-%m-%d} to {report.until:%Y-%m-%d}</p>',
        '<ul class="numbers">' + "".join(f"<li><b>{escape(v)}</b>{escape(k)}</li>" for k, v in numbers) + "</ul>",
        "<h2>This period, stage by stage</h2>", _funnel(report),
        "<h2>Target organisations</h2>",
        ("<table><thead><tr><th>target</th><th>role</th><th>known</th><th>written</th><th>replied</th><th>met</th>"
         "<th>referrals</th><th>written this period</th><th>job</th></tr></thead><tbody>" + "".join(rows)
         + "</tbody></table>") if rows else "<p>No targets yet: <code>outreach targets add NAME</code>.</p>",
        "<h2>Due</h2>",
        ("<table><tbody>" + "".join(due_rows) + "</tbody></table>") if due_rows else "<p>Nothing is due.</p>",
        "</body>", "</html>", "",
    ]
    return "\n".join(page)
