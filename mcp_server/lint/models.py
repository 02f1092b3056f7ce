"""Typed results of the lint engine; `--format json` prints `LintReport.to_dict()`.

Stdlib dataclasses rather than pydantic models: importing pydantic costs ~0.15 s, most of the
start-up budget of a one-file lint. No slots either: creating slotted classes costs more at
start-up than they save on a report's few hundred objects. pydantic validates and serializes these
dataclasses as they are wherever a front end needs a schema (the MCP server).

Only these public results are dataclasses. Defining one costs 0.2-0.8 ms (it compiles its
methods from source), so the linter's internal records are NamedTuples (immutable, about 0.05 ms)
or plain classes (mutable, about nothing): with the 18 it had, defining them took a fifth of a
cold run's start-up. For the same reason these are not frozen (freezing compiles two methods
more and doubles the cost; the lists they hold would stay mutable anyway), and each has a
docstring (without one, defining it also computes its signature).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]
Category = Literal[
    "wall-clock",
    "randomness",
    "uuid",
    "blocking-sleep",
    "file-io",
    "network",
    "subprocess",
    "threading",
    "environment",
    "iteration-order",
    "global-state",
    "asyncio-nondeterminism",
    "missing-timeout",
    "unawaited-call",
    "direct-activity-call",
    "handler-misuse",
    "activity-blocking",
    "nonexistent-api",
    "module-side-effect",
    "replay-logging",
    "sandbox-escape",
    "cancellation-handling",
    "syntax-error",
    "other",
]


@dataclass(kw_only=True)
class Location:
    """A 1-based position; as an `end_location` it is exclusive."""

    row: int
    column: int


@dataclass(kw_only=True)
class ChainHop:
    """One step of the call chain from a workflow (or activity) entry point to the finding."""

    function: str
    filename: str
    row: int
    column: int

    @property
    def is_reason(self) -> bool:
        """The first hop of a root outside a workflow class says why it was taken as workflow
        code ("`lib.step` runs in a workflow: it calls ..."); a function name has no space."""
        return " " in self.function


@dataclass(kw_only=True)
class Edit:
    """Replace the text from `location` up to (not including) `end_location` with `content`.
    Positions count characters of the decoded text (a UTF-8 byte-order mark is not part of it);
    `content` ends its lines the way the file does (CRLF in a CRLF file)."""

    content: str
    location: Location
    end_location: Location


@dataclass(kw_only=True)
class Fix:
    """An automatic fix. "safe" fixes keep the program's meaning; "unsafe" ones may change it
    (a naive local datetime becoming an aware UTC one) and apply only with --unsafe-fixes.

    `edits` are in document order and never overlap nor start at one point; every position
    refers to the original text, so they apply from the last to the first. Applied so, they give
    exactly the text `--fix` writes for this finding alone."""

    applicability: Literal["safe", "unsafe"]
    message: str
    edits: list[Edit]


@dataclass(kw_only=True)
class Finding:
    """One mistake: where it is, the rule it breaks, why, and how the workflow reaches it."""

    code: str
    name: str
    category: Category
    severity: Severity
    filename: str
    location: Location
    end_location: Location
    message: str
    fix_title: str | None
    chain: list[ChainHop] = field(default_factory=list)
    fix: Fix | None = None


@dataclass(kw_only=True)
class Summary:
    """How many files were linted and how many findings they have."""

    files: int
    findings: int


@dataclass(kw_only=True)
class LintReport:
    """A run's findings, sorted by file and position, and its summary."""

    findings: list[Finding]
    summary: Summary

    def to_dict(self) -> dict[str, Any]:
        # By hand: dataclasses.asdict deep-copies recursively and is 3x slower on large reports.
        return {
            "findings": [_finding_dict(f) for f in self.findings],
            "summary": {"files": self.summary.files, "findings": self.summary.findings},
        }


def _location(location: Location) -> dict[str, int]:
    return {"row": location.row, "column": location.column}


def _finding_dict(f: Finding) -> dict[str, Any]:
    fix = f.fix
    return {
        "code": f.code, "name": f.name, "category": f.category, "severity": f.severity,
        "filename": f.filename, "location": _location(f.location),
        "end_location": _location(f.end_location), "message": f.message,
        "fix_title": f.fix_title,
        "chain": [
            {"function": h.function, "filename": h.filename, "row": h.row, "column": h.column}
            for h in f.chain
        ],
        "fix": None if fix is None else {
            "applicability": fix.applicability, "message": fix.message,
            "edits": [
                {"content": e.content, "location": _location(e.location),
                 "end_location": _location(e.end_location)}
                for e in fix.edits
            ],
        },
    }  # fmt: skip


@dataclass(kw_only=True)
class RuleInfo:
    """A rule as `rules` lists it: its code, name, category, severity and one-line summary."""

    code: str
    name: str
    category: Category
    severity: Severity
    summary: str
