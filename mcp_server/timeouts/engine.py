"""explain-timeout's one entry point, for the command line and the MCP server: any combination of
histories (files, texts, or one fetched from a server), code, values and an error text."""

from __future__ import annotations

from dataclasses import dataclass

from mcp_server.replay.models import ReplayError, ServerSpec
from mcp_server.timeouts.models import TimeoutInputError, TimeoutReport
from mcp_server.timeouts.schedule import Values


@dataclass(frozen=True)
class TimeoutRequest:
    history_paths: tuple[str, ...] = ()
    history_sources: tuple[tuple[str, bytes], ...] = ()  # (name, content) not on disk
    server: ServerSpec | None = None  # fetch workflow_id's history from it
    workflow_id: str | None = None
    run_id: str | None = None
    code_paths: tuple[str, ...] = ()
    values: Values | None = None
    error: str | None = None
    confine: tuple[str, ...] | None = None  # the only folders code analysis may read

    def __post_init__(self) -> None:
        given = (
            self.history_paths or self.history_sources or self.workflow_id or self.code_paths
            or self.values or self.error is not None
        )  # fmt: skip
        if not given:
            raise TimeoutInputError(
                "give --history, --workflow-id, --code, values (--start-to-close ...) or --error"
            )
        if self.workflow_id and self.server is None:
            raise TimeoutInputError("--workflow-id needs a Temporal server to fetch from")
        if self.run_id and not self.workflow_id:
            raise TimeoutInputError("--run-id needs --workflow-id")
        if self.error is not None and not self.error.strip():
            raise TimeoutInputError("--error is empty: give the error text (or - for stdin)")
        if self.values is not None:
            self.values.check()


def explain(request: TimeoutRequest) -> TimeoutReport:
    report = TimeoutReport()
    if request.history_paths or request.history_sources or request.workflow_id:
        _histories(request, report)
    if request.code_paths:
        from mcp_server.timeouts.code import analyze_code

        report.calls, report.warnings = analyze_code(list(request.code_paths), request.confine)
    if request.values is not None:
        from mcp_server.timeouts.schedule import schedule

        report.schedule = schedule(request.values)
    if request.error is not None:
        from mcp_server.timeouts.errors import explain_error

        found = explain_error(request.error)
        report.timeouts += found
        if not found:
            report.notes.append(
                "The error text names no timeout (no 'timed out', TimeoutError or timeout type "
                "in it): explain-timeout explains timeouts only"
            )
    return report


def _histories(request: TimeoutRequest, report: TimeoutReport) -> None:
    from mcp_server.replay import histories
    from mcp_server.timeouts.history import explain_history

    try:
        items = histories.read_files(request.history_paths)
    except ReplayError as error:
        raise TimeoutInputError(str(error)) from None
    for name, data in request.history_sources:
        items += histories.read_bytes(data, name)
    if request.workflow_id and request.server is not None:
        import asyncio

        from mcp_server.replay import live

        try:
            items += asyncio.run(
                live.fetch(
                    request.server, workflow_id=request.workflow_id, run_id=request.run_id,
                    query=None, limit=1,
                )
            )  # fmt: skip
        except ReplayError as error:
            raise TimeoutInputError(str(error)) from None
    if request.history_paths and not items:
        raise TimeoutInputError(f"no history files in {', '.join(request.history_paths)}")
    for item in items:
        if item.history is None:
            raise TimeoutInputError(f"{item.name}: {item.problem}")
        found = explain_history(item.history)
        report.timeouts += found
        if not found:
            events = len(item.history.events)
            report.notes.append(f"{item.name}: no timeout in this history ({events} events)")
