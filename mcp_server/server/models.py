"""What the tools return: pydantic models, so clients get an output schema and structured content.
The engines' own result types (stdlib dataclasses) are reused as fields, not copied."""

from __future__ import annotations

from pydantic import BaseModel, Field

from mcp_server.evals.models import Mistake
from mcp_server.lint.models import Finding, RuleInfo, Summary
from mcp_server.replay.models import ReplayResult
from mcp_server.timeouts.models import (
    ConfiguredCall,
    Schedule,
    TimeoutExplanation,
    TimeoutWarning,
)

SCHEME = "temporal-python-pro"


def rule_uri(code: str) -> str:
    return f"{SCHEME}://rules/{code}"


def reference_uri(topic: str) -> str:
    return f"{SCHEME}://references/{topic}"


class RuleLink(BaseModel):
    name: str
    summary: str
    uri: str = Field(description="read it as a resource, or call explain_lint_rule")


class LintOutput(BaseModel):
    findings: list[Finding] = Field(
        description="each with its call chain from a workflow entry point and, where one "
        "exists, a fix whose edits (applied last to first) give the fixed code"
    )
    summary: Summary
    rules: dict[str, RuleLink] = Field(description="the documentation of each rule found")
    errors: list[str] = Field(description="files that could not be read, one line each")
    warnings: list[str] = Field(
        default_factory=list, description="files skipped (over the size limit), one line each"
    )
    fixed: int = Field(0, description="findings the fixed source or diff fixes")
    fixed_source: str | None = Field(None, description="with fix='fixed_source'")
    diff: str | None = Field(None, description="with fix='diff': a unified diff, nothing written")


class RuleList(BaseModel):
    rules: list[RuleInfo]


class RuleDoc(BaseModel):
    code: str
    name: str
    severity: str
    documentation: str = Field(description="Markdown: what it does, why, examples, the fix")


class ReferenceSection(BaseModel):
    topic: str
    heading: str
    parent: str | None
    uri: str
    text: str = Field(description="Markdown")


class SearchOutput(BaseModel):
    query: str
    sections: list[ReferenceSection] = Field(description="best first")
    more: int = Field(description="further matching sections not shown; add words to narrow")


class ReplaySummary(BaseModel):
    total: int
    ok: int
    failed: int


class ReplayOutput(BaseModel):
    results: list[ReplayResult] = Field(
        description="one per history: status (ok, nondeterminism, task-failure, "
        "workflow-not-registered, invalid-history), the event that broke, the explanation, "
        "likely causes and the code locations that issued the command"
    )
    summary: ReplaySummary
    report: str = Field(description="the same as text, as `temporal-pro replay` prints it")


class TimeoutValues(BaseModel):
    """An activity's timeouts and retry policy; durations such as 30s, 5m, 1h30m, 250ms."""

    start_to_close: str | None = None
    schedule_to_close: str | None = None
    schedule_to_start: str | None = None
    heartbeat: str | None = None
    retry_initial: str | None = None
    retry_max_interval: str | None = None
    retry_backoff: float | None = Field(None, ge=1)
    retry_max_attempts: int | None = Field(None, ge=0, description="0: unlimited")


class TimeoutOutput(BaseModel):
    timeouts: list[TimeoutExplanation] = Field(
        description="each timeout found: scope, type, subject, configured values, timeline, "
        "explanation, likely cause, suggestions"
    )
    warnings: list[TimeoutWarning] = Field(description="configurations in code that will bite")
    calls: list[ConfiguredCall] = Field(description="activity and child workflow calls in code")
    schedule: Schedule | None = Field(description="for values: attempts and the worst case")
    notes: list[str]
    report: str = Field(description="the same as text, as `temporal-pro explain-timeout` prints")


class ScoredSample(BaseModel):
    task_id: str
    score: float = Field(description="1.0 clean; 1/(1+mistakes); 0 without usable code")
    parsed: bool
    mistakes: list[Mistake] = Field(description="error-level findings: they break replay")
    warnings: list[Mistake]
    reason: str


class ScaffoldedFile(BaseModel):
    path: str = Field(description="relative to the package folder")
    content: str


class ScaffoldOutput(BaseModel):
    files: list[ScaffoldedFile]
    written_to: str | None = Field(description="the folder the files were written to, if asked")
    tests: int = Field(description="how many tests the package's suite holds")
