"""What `temporal-pro explain-timeout` answers; `--format json` prints `TimeoutReport.to_dict()`.

Stdlib dataclasses, like the linter's results: the MCP server reuses them as pydantic fields."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from mcp_server.errors import InputError

Scope = Literal[
    "activity",
    "local-activity",
    "child-workflow",
    "workflow-task",
    "workflow-execution",
    "workflow-run",
]
TimeoutType = Literal["START_TO_CLOSE", "SCHEDULE_TO_CLOSE", "SCHEDULE_TO_START", "HEARTBEAT"]


class TimeoutInputError(InputError):
    """Input that cannot be explained (a malformed duration, an unreadable file): one line."""


@dataclass(kw_only=True)
class TimelineEntry:
    """One moment of a timed-out activity or workflow, as the history records it."""

    at: str  # the event's time, ISO 8601 (UTC)
    seconds: float  # since the first entry
    event_id: int | None
    what: str  # "scheduled", "started (attempt 2)", "heartbeat", "timed out", ...


@dataclass(kw_only=True)
class TimeoutExplanation:
    scope: Scope
    timeout_type: TimeoutType | None  # null for workflow execution, run and child timeouts
    subject: str  # the activity type for activity scopes, the workflow type otherwise
    event_id: int | None = None  # the event that records the timeout
    attempt: int | None = None
    retry_state: str | None = None  # RETRY_STATE_..., as the history records it
    configured: dict[str, str] = field(default_factory=dict)  # "start_to_close": "30s", ...
    timeline: list[TimelineEntry] = field(default_factory=list)
    explanation: str = ""  # which timeout, what it measures
    likely_cause: str = ""
    suggestions: list[str] = field(default_factory=list)
    inferred: bool = False  # the timeout is deduced (e.g. from a retry), not recorded as such


@dataclass(kw_only=True)
class TimeoutWarning:
    code: str  # kebab-case: missing-timeout, heartbeat-never-sent, ...
    filename: str
    row: int
    column: int
    message: str


@dataclass(kw_only=True)
class ConfiguredCall:
    """An activity, local activity or child workflow call found in code, with its configuration
    resolved where it is literal."""

    scope: Scope
    call: str  # the API called: workflow.execute_activity, ...
    target: str  # the activity or workflow it starts, as written
    filename: str
    row: int
    column: int
    configured: dict[str, str] = field(default_factory=dict)  # unresolved values are "?"


@dataclass(kw_only=True)
class Attempt:
    attempt: int
    starts_at_seconds: float  # worst case, from the first schedule
    timeout_seconds: float  # how long this attempt may run
    ends_by_seconds: float
    backoff_before_seconds: float  # the wait before it (0 for the first)


@dataclass(kw_only=True)
class Schedule:
    attempts: list[Attempt]
    worst_case_seconds: float | None  # None when unbounded
    unbounded: bool
    unbounded_reason: str | None
    notes: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class TimeoutReport:
    timeouts: list[TimeoutExplanation] = field(default_factory=list)
    warnings: list[TimeoutWarning] = field(default_factory=list)
    calls: list[ConfiguredCall] = field(default_factory=list)
    schedule: Schedule | None = None
    notes: list[str] = field(default_factory=list)  # "the history holds no timeout", ...

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
