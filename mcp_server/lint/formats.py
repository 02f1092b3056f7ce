"""Renderers for a `LintReport`: text, JSON, SARIF 2.1.0, GitHub Actions annotations and
per-rule statistics. Pure functions returning the whole output, each line ending in a newline
(empty when there is nothing to print), so front ends write them as they are.

Importing this module is nearly free: the rule table and hashlib load only for SARIF.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from mcp_server import __version__
from mcp_server.lint.parse import source_lines

if TYPE_CHECKING:
    from mcp_server.lint.models import ChainHop, Finding, LintReport, Location
    from mcp_server.lint.rules import Rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "temporal-pro"


# --- text and JSON ------------------------------------------------------------------------------
def render_text(report: LintReport, errors: int = 0) -> str:
    """The human format: `file:row:col: CODE message`, the fix, the call path, a summary."""
    lines: list[str] = []
    for f in report.findings:
        lines.append(f"{f.filename}:{f.location.row}:{f.location.column}: {f.code} {f.message}")
        if f.fix_title:
            lines.append(f"    fix: {f.fix_title}")
        if _shows_chain(f.chain):
            lines.append(f"    via: {_via(f.chain)}")
            lines += [f"      {h.filename}:{h.row}:{h.column}: {h.function}" for h in f.chain[:-1]]
    lines.append(_summary_line(report, errors))
    return "\n".join(lines) + "\n"


def render_json(report: LintReport) -> str:
    """One finding per line: readable, and each line goes through json's C encoder (indent=
    forces the pure-Python one, which costs more than the rest of a warm run)."""
    data = report.to_dict()
    findings = ",\n  ".join(json.dumps(finding) for finding in data["findings"])
    body = f"[\n  {findings}\n ]" if findings else "[]"
    return f'{{"findings": {body},\n "summary": {json.dumps(data["summary"])}}}\n'


def _via(chain: list[ChainHop]) -> str:
    return " -> ".join(hop.function for hop in chain)


def _shows_chain(chain: list[ChainHop]) -> bool:
    """A two-hop chain is the entry point calling the offender directly: nothing to add, unless
    its first hop is the reason library code was taken as workflow code."""
    return len(chain) > 2 or (len(chain) == 2 and chain[0].is_reason)


def _summary_line(report: LintReport, errors: int = 0) -> str:
    files, count = report.summary.files, report.summary.findings
    checked = f"{files} file{'s' if files != 1 else ''}"
    found = f"{count} finding{'s' if count != 1 else ''}" if count else "No findings"
    if errors:  # never "All clear" when something could not be checked
        return f"{found} in {checked}, and {errors} error{'s' if errors != 1 else ''} (above)"
    if not count:
        return f"All clear: {checked} checked"
    return f"{found} in {checked}"


# --- statistics ---------------------------------------------------------------------------------
def statistics(report: LintReport) -> list[dict[str, object]]:
    """Per rule with findings, most frequent first (Ruff's `--statistics`): code, name, count,
    and whether `--fix` (safe fixes only) can fix some of them."""
    counts = Counter(f.code for f in report.findings)
    names = {f.code: f.name for f in report.findings}
    fixable = {f.code for f in report.findings if f.fix and f.fix.applicability == "safe"}
    ordered = sorted(counts, key=lambda code: (-counts[code], code))
    return [
        {"code": code, "name": names[code], "count": counts[code], "fixable": code in fixable}
        for code in ordered
    ]


def render_statistics(report: LintReport, errors: int = 0) -> str:
    """One line per rule: count, code, name and `[*]` when `--fix` can fix some of its
    findings; then the summary."""
    rows = statistics(report)
    count_width = max((len(str(row["count"])) for row in rows), default=1)
    name_width = max((len(str(row["name"])) for row in rows), default=0)
    lines = [
        f"{row['count']:>{count_width}}  {row['code']}  {row['name']:<{name_width}}"
        f"  {'[*]' if row['fixable'] else ''}".rstrip()
        for row in rows
    ]
    lines.append(_summary_line(report, errors))
    return "\n".join(lines) + "\n"


def render_statistics_json(report: LintReport) -> str:
    return json.dumps(statistics(report), indent=1) + "\n"


# --- GitHub Actions workflow commands -----------------------------------------------------------
def render_github(report: LintReport) -> str:
    """`::error file=…,line=…::message` lines, which GitHub Actions shows as annotations."""
    return "".join(_github_line(f) + "\n" for f in report.findings)


def _github_line(f: Finding) -> str:
    start, end = f.location, f.end_location
    props = [("file", f.filename), ("line", str(start.row))]
    # GitHub rejects columns on an annotation that spans several lines.
    if start.row == end.row:
        props.append(("col", str(start.column)))
    props.append(("endLine", str(end.row)))
    if start.row == end.row:
        props.append(("endColumn", str(end.column)))
    props.append(("title", f"{f.code} {f.name}"))
    text = f.message
    if f.fix_title:
        text += f"\nfix: {f.fix_title}"
    if _shows_chain(f.chain):
        text += f"\nvia: {_via(f.chain)}"
    joined = ",".join(f"{key}={_escape_property(value)}" for key, value in props)
    return f"::{f.severity} {joined}::{_escape_data(text)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


# --- SARIF 2.1.0 --------------------------------------------------------------------------------
def render_sarif(report: LintReport, root: Path | None = None) -> str:
    """A SARIF 2.1.0 log for GitHub code scanning. Paths under `root` (default: the current
    folder) become `%SRCROOT%`-relative URIs, others absolute `file:` URIs."""
    from mcp_server.lint.rules import RULES

    base = os.path.abspath(root if root is not None else os.getcwd())
    index = {code: i for i, code in enumerate(RULES)}
    lines = _SourceLines()
    seen: Counter[str] = Counter()
    results = []
    for f in report.findings:
        result = _sarif_result(f, index.get(f.code), base)
        # GitHub's own fingerprints count repeats ("hash:2"), so equal lines stay apart.
        line_hash = _line_hash(f, result, lines)
        seen[line_hash] += 1
        result["partialFingerprints"] = {
            "primaryLocationLineHash": f"{line_hash}:{seen[line_hash]}"
        }
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_sarif_rule(rule) for rule in RULES.values()],
                    }
                },
                # Columns count characters, as in the text output, not SARIF's default
                # UTF-16 code units.
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _sarif_rule(rule: type[Rule]) -> dict[str, Any]:
    docs = rule.documentation()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {"text": docs, "markdown": docs},
        "defaultConfiguration": {"level": rule.severity},
        "properties": {"category": rule.category, "tags": ["determinism", rule.category]},
    }


def _sarif_result(f: Finding, rule_index: int | None, base: str) -> dict[str, Any]:
    text = f"{f.message} — {f.fix_title}" if f.fix_title else f.message
    result: dict[str, Any] = {"ruleId": f.code}
    if rule_index is not None:
        result["ruleIndex"] = rule_index
    result |= {
        "level": f.severity,
        "message": {"text": text},
        "locations": [_physical(f.filename, base, _region(f.location, f.end_location))],
    }
    if len(f.chain) >= 2:
        steps = list(_chain_steps(f.chain, base))
        result["codeFlows"] = [
            {"threadFlows": [{"locations": [{"location": step} for step in steps]}]}
        ]
        result["relatedLocations"] = [{"id": i, **step} for i, step in enumerate(steps, 1)]
    if f.fix is not None and f.fix.edits:
        result["fixes"] = [
            {
                "description": {"text": f.fix.message},
                "artifactChanges": [
                    {
                        "artifactLocation": _artifact(f.filename, base),
                        "replacements": [
                            {
                                "deletedRegion": _region(edit.location, edit.end_location),
                                "insertedContent": {"text": edit.content},
                            }
                            for edit in f.fix.edits
                        ],
                    }
                ],
                "properties": {"applicability": f.fix.applicability},
            }
        ]
    return result


def _chain_steps(chain: list[ChainHop], base: str) -> Iterator[dict[str, Any]]:
    # Each hop's position is where it calls the next one; the last hop is the offending call
    # itself, already the result's location, so it shows as the callee of the step before.
    for hop, callee in pairwise(chain):
        text = hop.function if hop.is_reason else f"{hop.function} calls {callee.function}"
        yield {
            **_physical(hop.filename, base, {"startLine": hop.row, "startColumn": hop.column}),
            "message": {"text": text},
        }


def _physical(filename: str, base: str, region: dict[str, int]) -> dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": _artifact(filename, base), "region": region}}


def _region(start: Location, end: Location) -> dict[str, int]:
    return {
        "startLine": start.row,
        "startColumn": start.column,
        "endLine": end.row,
        "endColumn": end.column,
    }


def _artifact(filename: str, base: str) -> dict[str, str]:
    path = os.path.abspath(filename)
    try:
        relative = os.path.relpath(path, base)
    except ValueError:  # another drive on Windows
        relative = os.pardir
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(Path(relative).as_posix()), "uriBaseId": "%SRCROOT%"}


def _line_hash(f: Finding, result: dict[str, Any], lines: _SourceLines) -> str:
    import hashlib

    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    # Hashing the line's text rather than its number keeps an alert across edits above it.
    line = lines.get(f.filename, f.location.row)
    anchor = line.strip() if line is not None else str(f.location.row)
    return hashlib.sha256(f"{f.code}\0{uri}\0{anchor}".encode()).hexdigest()[:32]


class _SourceLines:
    """Each file's lines, read once; None when the file cannot be read (stdin, deleted)."""

    def __init__(self) -> None:
        self._files: dict[str, list[str] | None] = {}

    def get(self, filename: str, row: int) -> str | None:
        if filename not in self._files:
            try:
                text = Path(filename).read_bytes().decode("utf-8", errors="replace")
            except OSError:
                self._files[filename] = None
            else:
                self._files[filename] = [line.rstrip("\r\n") for line in source_lines(text)]
        lines = self._files[filename]
        return lines[row - 1] if lines is not None and 0 < row <= len(lines) else None


def render_diff(changed: dict[str, tuple[str, str]]) -> str:
    """A unified diff of each file's text before and after, as `git apply` and `patch` take it."""
    import difflib

    return "".join(
        # A last line without a newline gets diff's marker, or `patch` rejects the hunk.
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
        for name, (before, after) in changed.items()
        for line in difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True),
            fromfile=_diff_name("a", name), tofile=_diff_name("b", name),
        )
    )  # fmt: skip


def _diff_name(side: str, name: str) -> str:
    return name if os.path.isabs(name) else f"{side}/{name}"  # git's a/ b/ for relative paths
