"""Render an explain-timeout report: text with a small timeline for people, JSON for tools."""

from __future__ import annotations

import json

from mcp_server.timeouts import durations
from mcp_server.timeouts.models import Schedule, TimeoutExplanation, TimeoutReport

_BAR = 40  # characters of the widest timeline or schedule bar


def json_text(report: TimeoutReport) -> str:
    return json.dumps(report.to_dict(), indent=2)


def text(report: TimeoutReport) -> str:
    lines: list[str] = []
    for item in report.timeouts:
        lines += _timeout(item)
    if report.calls:
        lines.append("Activity and child workflow calls:")
        for call in report.calls:
            shown = ", ".join(f"{key}={value}" for key, value in call.configured.items()) or "-"
            lines.append(f"  {call.filename}:{call.row}:{call.column}: {call.target} ({shown})")
        lines.append("")
    for warning in report.warnings:
        lines.append(
            f"{warning.filename}:{warning.row}:{warning.column}: {warning.code} {warning.message}"
        )
    if report.warnings:
        lines.append("")
    if report.schedule is not None:
        lines += _schedule(report.schedule)
    lines += report.notes
    return "\n".join(lines).rstrip("\n") + "\n"


def _timeout(item: TimeoutExplanation) -> list[str]:
    head = " ".join(filter(None, [item.scope, item.timeout_type, "timeout"]))
    where = f" at event {item.event_id}" if item.event_id else ""
    attempt = f", attempt {item.attempt}" if item.attempt else ""
    retry = f", {item.retry_state}" if item.retry_state else ""
    inferred = " (inferred)" if item.inferred else ""
    subject = f": {item.subject}" if item.subject else ""
    lines = [f"{head}{inferred}{subject}{where}{attempt}{retry}"]
    if item.configured:
        configured = ", ".join(f"{key}={value}" for key, value in item.configured.items())
        lines.append(f"  configured: {configured}")
    if item.timeline:
        end = max(entry.seconds for entry in item.timeline) or 1.0
        for entry in item.timeline:
            offset = round(entry.seconds / end * _BAR)
            mark = " " * offset + "|"
            lines.append(f"  {mark:<{_BAR + 1}} +{durations.text(entry.seconds):<8} {entry.what}")
    lines.append(f"  {item.explanation}")
    if item.likely_cause:
        lines.append(f"  Likely cause: {item.likely_cause}")
    if item.suggestions:
        lines.append("  What to change:")
        lines += [f"    - {suggestion}" for suggestion in item.suggestions]
    lines.append("")
    return lines


def _schedule(schedule: Schedule) -> list[str]:
    lines = ["Attempts (worst case, from the first schedule):"]
    end = max((a.ends_by_seconds for a in schedule.attempts), default=0.0) or 1.0
    for attempt in schedule.attempts:
        start = round(attempt.starts_at_seconds / end * _BAR)
        width = max(1, round(attempt.timeout_seconds / end * _BAR))
        bar = " " * start + "#" * width
        span = (
            f"{durations.text(attempt.starts_at_seconds)}-{durations.text(attempt.ends_by_seconds)}"
        )
        wait = (
            f" after {durations.text(attempt.backoff_before_seconds)}"
            if attempt.backoff_before_seconds
            else ""
        )
        lines.append(f"  {attempt.attempt:>3} {bar:<{_BAR}} {span}{wait}")
    if schedule.unbounded:
        lines.append(f"  ... for ever: {schedule.unbounded_reason}")
    else:
        worst = schedule.worst_case_seconds or 0.0
        lines.append(f"Worst case: {durations.text(worst)} ({worst:g} s)")
    lines += [f"Note: {note}" for note in schedule.notes]
    return lines
