"""Render a replay report: text for people, JSON for tools."""

from __future__ import annotations

import json
import os
from collections import Counter

from mcp_server.replay.models import CodeLocation, ReplayReport


def text(report: ReplayReport) -> str:
    lines = []
    for result in report.results:
        # The id only when the history records it: a file's name is no workflow id.
        named = f"({result.workflow_id})" if result.workflow_id else ""
        what = " ".join(part for part in (result.workflow_type, named) if part)
        at = f" at event {result.event_id}" if result.event_id else ""
        lines.append(f"{result.status}{at}: {result.history}" + (f"  {what}" if what else ""))
        if result.ok:
            continue
        lines.append(f"  {result.message}")
        if result.explanation:
            lines.append(f"  {result.explanation}")
        if result.likely_causes:
            lines.append("  Likely causes:")
            lines.extend(f"    - {cause}" for cause in result.likely_causes)
        lines.extend(f"  Code: {location_text(where)}" for where in result.code_locations)
    lines.append(summary(report))
    return "\n".join(lines)


def summary(report: ReplayReport) -> str:
    total, failed = len(report.results), report.failed
    noun = "history" if total == 1 else "histories"
    line = f"Replayed {total} {noun}: {total - len(failed)} ok, {len(failed)} failed"
    if failed:
        counts = Counter(result.status for result in failed)
        line += " (" + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) + ")"
    return line + "."


def location_text(where: CodeLocation) -> str:
    try:
        filename = os.path.relpath(where.filename)
    except ValueError:  # another drive on Windows
        filename = where.filename
    if filename.startswith(".."):
        filename = where.filename
    return f"{filename}:{where.row}:{where.column}"


def json_text(report: ReplayReport) -> str:
    return json.dumps(report.to_dict(), indent=2)
