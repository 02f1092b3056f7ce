"""Results of a replay run; `temporal-pro replay --format json` prints `ReplayReport.to_dict()`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from mcp_server.errors import InputError

Status = Literal[
    "ok", "nondeterminism", "task-failure", "workflow-not-registered", "invalid-history"
]


# One history may take a while (each activation may run up to the SDK's 2 s deadlock detector);
# past this the workflow is taken to block forever and the run goes on with the next history.
DEFAULT_TIMEOUT = 60.0


class ReplayError(InputError):
    """Bad input that stops the whole run (workflow code, server, options): one line, exit 2.
    A bad history is not one of these; it is an `invalid-history` result."""


@dataclass(frozen=True)
class ReplayOptions:
    hash_seeds: int = 0  # > 0: replay in that many processes, PYTHONHASHSEED=1..N (seeds.py)
    timeout: float = DEFAULT_TIMEOUT  # per history
    data_converter: str | None = None  # module:name of the worker's DataConverter (codecs)

    def __post_init__(self) -> None:
        if self.hash_seeds < 0:
            raise ReplayError(f"--hash-seeds must be 0 or more, not {self.hash_seeds}")
        if not 0 < self.timeout < float("inf"):  # nan and inf too
            raise ReplayError(f"--timeout must be positive, not {self.timeout:g}")


DEFAULT_OPTIONS = ReplayOptions()


@dataclass(frozen=True)
class ServerSpec:
    """A Temporal server to fetch histories from; unset fields come from the SDK's environment
    configuration (TEMPORAL_* variables, the temporal CLI's profiles)."""

    address: str | None = None
    namespace: str | None = None
    api_key: str | None = None
    tls: bool = False
    tls_cert: str | None = None
    tls_key: str | None = None
    tls_ca: str | None = None
    tls_server_name: str | None = None
    profile: str | None = None


@dataclass(frozen=True)
class ReplayRequest:
    """One replay, whoever asks for it (the command line, the MCP server, a test): the workflow
    code, the histories (files, texts not on disk, or fetched from a server) and the options."""

    workflows: tuple[str, ...]  # a file, a module, or either with :Class
    paths: tuple[str, ...] = ()  # history files and folders
    sources: tuple[tuple[str, bytes], ...] = ()  # (name, content): stdin, a tool's JSON text
    server: ServerSpec | None = None  # fetch histories from it, by one of:
    workflow_id: str | None = None
    run_id: str | None = None
    query: str | None = None
    limit: int | None = None  # with query; 100 when not given
    options: ReplayOptions = DEFAULT_OPTIONS

    def __post_init__(self) -> None:
        if self.workflow_id and self.query:
            raise ReplayError("give --workflow-id or --query, not both")
        if self.limit is not None and not self.query:
            raise ReplayError("--limit needs --query")
        if self.limit is not None and self.limit < 1:
            raise ReplayError(f"--limit must be at least 1, not {self.limit}")
        if self.run_id and not self.workflow_id:
            raise ReplayError("--run-id needs --workflow-id")
        if (self.workflow_id or self.query) and self.server is None:
            raise ReplayError("--workflow-id and --query need a Temporal server to fetch from")
        if not (self.paths or self.sources or self.workflow_id or self.query):
            raise ReplayError("give history files or folders, or --workflow-id / --query")
        if not self.workflows:
            raise ReplayError("--workflows: give a workflow file, module or module:Class")


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


@dataclass(kw_only=True)
class ReplayResult:
    history: str  # `file`, `file#index`, or namespace/workflow id/run id when fetched
    file: str | None = None  # the file the history was read from; None when fetched from a server
    index: int | None = None  # the history's place, from 1, in a file that holds several
    workflow_id: str | None  # as the history records it; None when it does not (servers < 1.21)
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
