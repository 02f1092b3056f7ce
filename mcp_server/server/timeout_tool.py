"""explain_timeout's request: paths inside the roots, inputs within the limits, a live server only
at the operator's address, then the engine `temporal-pro explain-timeout` calls."""

from __future__ import annotations

import json
from typing import Any

from mcp_server.replay.models import ServerSpec
from mcp_server.server import models
from mcp_server.server.settings import ServerSettings
from mcp_server.timeouts import durations, report
from mcp_server.timeouts.engine import TimeoutRequest
from mcp_server.timeouts.engine import explain as explain_timeouts
from mcp_server.timeouts.models import TimeoutInputError
from mcp_server.timeouts.schedule import Values


def explain(
    settings: ServerSettings,
    error: str | None,
    history_json: str | dict[str, Any] | list[Any] | None,
    history_paths: list[str],
    workflow_id: str | None,
    code_paths: list[str],
    values: models.TimeoutValues | None,
) -> models.TimeoutOutput:
    roots, limits = settings.roots, settings.limits
    if workflow_id and not settings.temporal_address:
        raise TimeoutInputError(
            "workflow_id: this server was started without --temporal-address, so histories "
            "cannot be fetched; pass history_json or history_paths"
        )
    sources: tuple[tuple[str, bytes], ...] = ()
    if history_json is not None:
        text = history_json if isinstance(history_json, str) else json.dumps(history_json)
        data = text.encode("utf-8", "surrogatepass")
        if len(data) > limits.history_bytes:
            raise TimeoutInputError(
                f"history_json: {len(data):,} bytes, over this server's limit of "
                f"{limits.history_bytes:,} (--max-history-bytes)"
            )
        sources = (("history_json", data),)
    if error is not None and len(error.encode()) > limits.source_bytes:
        raise TimeoutInputError("error: over this server's limit (--max-source-bytes)")
    paths = [roots.resolve(path, "history_paths") for path in history_paths]
    for path in paths:
        if path.is_file() and path.stat().st_size > limits.history_bytes:
            raise TimeoutInputError(f"{path}: over this server's limit (--max-history-bytes)")
    request = TimeoutRequest(
        history_paths=tuple(map(str, paths)),
        history_sources=sources,
        server=ServerSpec(settings.temporal_address, settings.temporal_namespace)
        if workflow_id else None,
        workflow_id=workflow_id,
        code_paths=tuple(str(roots.resolve(path, "code_paths")) for path in code_paths),
        values=_values(values) if values is not None else None,
        error=error,
        confine=roots.real_paths,
    )  # fmt: skip
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
