"""Typed results of the lint engine; the JSON output format is `LintReport.model_dump_json()`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

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


class Location(BaseModel):
    """A 1-based position; as an `end_location` it is exclusive."""

    row: int
    column: int


class ChainHop(BaseModel):
    """One step of the call chain from a workflow (or activity) entry point to the finding."""

    function: str
    filename: str
    row: int
    column: int


class Finding(BaseModel):
    code: str
    name: str
    category: Category
    severity: Severity
    filename: str
    location: Location
    end_location: Location
    message: str
    fix_title: str | None
    chain: list[ChainHop] = []


class Summary(BaseModel):
    files: int
    findings: int


class LintReport(BaseModel):
    findings: list[Finding]
    summary: Summary


class RuleInfo(BaseModel):
    code: str
    name: str
    category: Category
    severity: Severity
    summary: str
