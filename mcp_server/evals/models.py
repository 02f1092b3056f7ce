"""The eval suite's data and results; `temporal-pro eval score --format json` prints
`EvalReport.to_dict()`. Stdlib dataclasses, like the other engines' results."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from mcp_server.errors import InputError


class EvalError(InputError):
    """Input that stops a whole run (an outputs path that does not exist, a bad baseline): one
    line. A bad sample is never one of these: it is scored, with its reason."""


@dataclass(frozen=True, kw_only=True)
class Task:
    id: str
    pattern: str
    title: str
    prompt: str
    workflow: str  # the @workflow.defn class an answer must define
    input: Any = None  # run()'s argument as JSON, for a dynamic run
    signals: tuple[dict[str, Any], ...] = ()
    invites: tuple[str, ...] = ()  # the mistake categories the task tempts


@dataclass(kw_only=True)
class Mistake:
    code: str
    category: str
    severity: Literal["error", "warning"]
    row: int
    source: Literal["lint", "replay"]
    message: str = ""


@dataclass(kw_only=True)
class Sample:
    task_id: str
    score: float
    parsed: bool
    mistakes: list[Mistake] = field(default_factory=list)  # error level: lower the score
    warnings: list[Mistake] = field(default_factory=list)  # listed, not counted
    reason: str = ""
    name: str = ""  # where the output came from: a file, or a JSONL line


@dataclass(kw_only=True)
class EvalReport:
    samples: list[Sample]
    by_task: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_category: dict[str, dict[str, Any]] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    baseline: dict[str, Any] | None = None  # with --baseline: the comparison per category

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.baseline is None:
            del data["baseline"]
        return data
