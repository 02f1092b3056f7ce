"""explain_timeout's request: paths inside the roots, inputs within the limits, a live server only
at the operator's address, then the engine `temporal-pro explain-timeout` calls."""

from __future__ import annotations

from mcp_server.server import histories, models
from mcp_server.server.settings import ServerSettings
from mcp_server.timeouts import durations, report
from mcp_server.timeouts.engine import TimeoutRequest
from mcp_server.timeouts.engine import explain as explain_timeouts
from mcp_server.timeouts.models import TimeoutInputError
from mcp_server.timeouts.schedule import Values


def explain(
    settings: ServerSettings,
    error: str | None,
    history_json: histories.HistoryJson,
    history_paths: list[str],
    workflow_id: str | None,
    code_paths: list[str],
    values: models.TimeoutValues | None,
) -> models.TimeoutOutput:
    roots, limits = settings.roots, settings.limits
    if error is not None and len(error.encode()) > limits.source_bytes:
        raise TimeoutInputError("error: over this server's limit (--max-source-bytes)")
    request = TimeoutRequest(
        history_paths=tuple(map(str, histories.files(settings, history_paths))),
        history_sources=histories.sources(settings, history_json),
        server=histories.server(settings, workflow_id),
        workflow_id=workflow_id,
        code_paths=tuple(str(roots.resolve(path, "code_paths")) for path in code_paths),
        values=_values(values) if values is not None else None,
        error=error,
        confine=roots.real_paths,
    )
    result = explain_timeouts(request)
    return models.TimeoutOutput(
        timeouts=result.timeouts, warnings=result.warnings, calls=result.calls,
        schedule=result.schedule, notes=result.notes, report=report.text(result),
    )  # fmt: skip


def _values(given: models.TimeoutValues) -> Values:
    seconds = {
        name: durations.parse(value, name)
        for name, value in given.model_dump().items()
        if value is not None and name not in ("retry_backoff", "retry_max_attempts")
    }
    return Values(
        **seconds, retry_backoff=given.retry_backoff, retry_max_attempts=given.retry_max_attempts
    )
