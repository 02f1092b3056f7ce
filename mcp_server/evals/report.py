"""Render an eval run: a terminal summary, JSON for tools, and a self-contained HTML page (inline
CSS and SVG, no network needed to open it) with mistakes per category and every sample."""

from __future__ import annotations

import json
from html import escape

from mcp_server.evals.models import EvalReport


def json_text(report: EvalReport) -> str:
    return json.dumps(report.to_dict(), indent=2)


def text(report: EvalReport) -> str:
    summary = report.summary
    lines = [
        f"{summary['samples']} samples over {summary['tasks']} tasks: mean score "
        f"{summary['mean_score']:.3f}, {summary['clean_rate']:.0%} clean, "
        f"{summary['parsed_rate']:.0%} parsed, {summary['mistakes']} mistakes, "
        f"{summary['warnings']} warnings",
    ]
    if report.by_category:
        lines.append("Mistakes per category:")
        width = max(map(len, report.by_category))
        most = max(row["mistakes"] for row in report.by_category.values())
        for category, row in sorted(report.by_category.items(), key=lambda kv: -kv[1]["mistakes"]):
            bar = "#" * max(1, round(row["mistakes"] / most * 30))
            lines.append(f"  {category:<{width}} {row['mistakes']:>4} {bar}")
    if report.baseline:
        base = report.baseline
        lines.append(
            f"Against {base['file']}: mean score {base['mean_score']:.3f} vs "
            f"{base['baseline_mean_score']:.3f}; mistakes per sample by category:"
        )
        for category, row in base["by_category"].items():
            lines.append(
                f"  {category:<24} {row['per_sample']:.3f} vs {row['baseline_per_sample']:.3f} "
                f"({row['change']:+.3f})"
            )
    worst = [s for s in report.samples if s.score < 1.0]
    if worst:
        lines.append("Samples that lost points:")
        lines += [f"  {s.task_id:<32} {s.score:.2f}  {s.reason}" for s in worst]
    return "\n".join(lines) + "\n"


def html(report: EvalReport, title: str = "temporal-python-pro eval") -> str:
    summary = report.summary
    chart = _chart(report)
    rows = "\n".join(
        "<tr>"
        f"<td>{escape(s.task_id)}</td><td class=num>{s.score:.2f}</td>"
        f"<td>{'yes' if s.parsed else 'no'}</td>"
        f"<td>{escape(', '.join(f'{m.code} {m.category} (line {m.row})' for m in s.mistakes))}</td>"
        f"<td>{escape(', '.join(f'{m.code} (line {m.row})' for m in s.warnings))}</td>"
        f"<td>{escape(s.reason)}</td><td>{escape(s.name)}</td>"
        "</tr>"
        for s in report.samples
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>
body {{ font: 14px system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }}
td.num {{ text-align: right; }}
.bar {{ fill: #c0392b; }} .label {{ font-size: 12px; }}
</style></head><body>
<h1>{escape(title)}</h1>
<p>{summary["samples"]} samples over {summary["tasks"]} tasks. Mean score
<b>{summary["mean_score"]:.3f}</b>; {summary["clean_rate"]:.0%} clean;
{summary["parsed_rate"]:.0%} parsed; {summary["mistakes"]} mistakes;
{summary["warnings"]} warnings.</p>
<h2>Mistakes per category</h2>
{chart}
<h2>Samples</h2>
<table><thead><tr><th>task</th><th>score</th><th>parsed</th><th>mistakes</th><th>warnings</th>
<th>reason</th><th>output</th></tr></thead>
<tbody>
{rows}
</tbody></table>
</body></html>
"""


def _chart(report: EvalReport) -> str:
    items = sorted(report.by_category.items(), key=lambda kv: -kv[1]["mistakes"])
    if not items:
        return "<p>No mistakes.</p>"
    most = max(row["mistakes"] for _, row in items)
    height, label_width, bar_width = 22, 190, 420
    bars = []
    for index, (category, row) in enumerate(items):
        y = index * height
        width = max(2, round(row["mistakes"] / most * bar_width))
        count_x = label_width + width + 6
        bars.append(
            f'<text class="label" x="0" y="{y + 15}">{escape(category)}</text>'
            f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{width}" height="16"/>'
            f'<text class="label" x="{count_x}" y="{y + 15}">{row["mistakes"]}</text>'
        )
    size = f'width="{label_width + bar_width + 60}" height="{len(items) * height}"'
    return (
        f'<svg role="img" aria-label="mistakes per category" {size} '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(bars)}</svg>'
    )
