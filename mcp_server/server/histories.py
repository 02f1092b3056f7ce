"""The histories a tool call may name, as replay_history and explain_timeout both take them: JSON
text or an object, files inside the roots, or a workflow id fetched from the operator's server.
Each is held to the server's limits here, once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mcp_server.errors import InputError
from mcp_server.replay.histories import discover
from mcp_server.replay.models import ServerSpec
from mcp_server.server.settings import ServerSettings

HistoryJson = str | dict[str, Any] | list[Any] | None


def sources(settings: ServerSettings, history_json: HistoryJson) -> tuple[tuple[str, bytes], ...]:
    """An inline history as (name, content); the SDK may hand JSON text over already parsed."""
    if history_json is None:
        return ()
    text = history_json if isinstance(history_json, str) else json.dumps(history_json)
    data = text.encode("utf-8", "surrogatepass")
    _within(settings, len(data), "history_json")
    return (("history_json", data),)


def files(settings: ServerSettings, paths: list[str]) -> list[Path]:
    """The history files under `paths`, each inside the roots and within the limits."""
    found = discover([str(settings.roots.resolve(path, "history_paths")) for path in paths])
    if len(found) > settings.limits.files:
        raise InputError(f"history_paths hold {len(found):,} files, over --max-files")
    for file in found:
        _within(settings, file.stat().st_size, str(file))
    return found


def server(settings: ServerSettings, workflow_id: str | None) -> ServerSpec | None:
    """The operator's server, when a workflow id asks for a fetch; never one a model names."""
    if not workflow_id:
        return None
    if not settings.temporal_address:
        raise InputError(
            "workflow_id: this server was started without --temporal-address, so histories "
            "cannot be fetched; pass history_json or history_paths"
        )
    return ServerSpec(settings.temporal_address, settings.temporal_namespace)


def _within(settings: ServerSettings, size: int, what: str) -> None:
    limit = settings.limits.history_bytes
    if size > limit:
        raise InputError(
            f"{what}: {size:,} bytes, over this server's limit of {limit:,} for one history "
            "(--max-history-bytes)"
        )
