"""Results of a replay run; `temporal-pro replay --format json` prints `ReplayReport.to_dict()`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal[
    "ok", "nondeterminism", "task-failure", "workflow-not-registered", "invalid-history"
]


# One history may take a while (each activation may run up to the SDK's 2 s deadlock detector);
# past this the workflow is taken to block forever and the run goes on with the next history.
DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True)
class ReplayOptions:
    hash_seeds: int = 0  # > 0: replay in that many processes, PYTHONHASHSEED=1..N (seeds.py)
    timeout: float = DEFAULT_TIMEOUT  # per history
    data_converter: str | None = None  # module:name of the worker's DataConverter (codecs)


DEFAULT_OPTIONS = ReplayOptions()


class ReplayError(Exception):
    """Bad input that stops the whole run (workflow code, server, options): one line, exit 2.
    A bad history is not one of these; it is an `invalid-history` result."""


def one_line(error: BaseException, *, with_type: bool = True) -> str:
    """An exception as one line of a report: its type and the first line of its message."""
    lines = str(error).strip().splitlines()
    if not with_type:
        return lines[0] if lines else type(error).__name__
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


@dataclass(frozen=True)
class CodeLocation:
    filename: str
    row: int
    column: int


@dataclass
class ReplayResult:
    history: str
    workflow_id: str
    workflow_type: str
    status: Status
    message: str = ""
    event_id: int | None = None
    explanation: str = ""
    likely_causes: list[str] = field(default_factory=list)
    code_locations: list[CodeLocation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class ReplayReport:
    results: list[ReplayResult]

    @property
    def failed(self) -> list[ReplayResult]:
        return [result for result in self.results if not result.ok]

    def to_dict(self) -> dict[str, Any]:
        total = len(self.results)
        return {
            "results": [asdict(result) for result in self.results],
            "summary": {"total": total, "ok": total - len(self.failed), "failed": len(self.failed)},
        }
