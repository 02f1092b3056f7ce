"""replay_history's request: histories and workflow code checked against the server's roots and
limits, then `engine.run_request` in a child process (replay imports the user's code)."""

from __future__ import annotations

from mcp_server.replay import report
from mcp_server.replay.isolated import run_isolated
from mcp_server.replay.models import ReplayError, ReplayOptions, ReplayRequest
from mcp_server.server import histories, models
from mcp_server.server.settings import ServerSettings


async def replay(
    settings: ServerSettings,
    workflows: list[str],
    history_json: histories.HistoryJson,
    history_paths: list[str],
    workflow_id: str | None,
    run_id: str | None,
    data_converter: str | None,
    hash_seeds: int,
) -> models.ReplayOutput:
    roots, limits = settings.roots, settings.limits
    converter = _spec(settings, data_converter, "data_converter") if data_converter else None
    request = ReplayRequest(
        workflows=tuple(_spec(settings, spec, "workflows") for spec in workflows),
        paths=tuple(map(str, histories.files(settings, history_paths))),
        sources=histories.sources(settings, history_json),
        server=histories.server(settings, workflow_id),
        workflow_id=workflow_id,
        run_id=run_id,
        options=ReplayOptions(hash_seeds, data_converter=converter),
    )
    result = await run_isolated(
        request,
        cwd=str(roots.folders[0]),
        seconds=limits.replay_seconds,
        memory_mb=limits.replay_memory_mb,
        max_answer_bytes=limits.output_bytes,
        extra_paths=roots.real_paths,
    )
    counts = result.to_dict()["summary"]
    return models.ReplayOutput(
        results=result.results, summary=models.ReplaySummary(**counts), report=report.text(result)
    )


def _spec(settings: ServerSettings, spec: str, what: str) -> str:
    """A workflow (or converter) spec with its file inside the roots: `file.py[:Name]` becomes
    an absolute path; `package.module[:Name]` must be a module file under one of the roots."""
    target, colon, name = spec.partition(":")
    if target.endswith(".py") or "/" in target or "\\" in target:
        return str(settings.roots.resolve(target, what)) + colon + name
    parts = target.split(".")
    if not all(part.isidentifier() for part in parts):
        raise ReplayError(f"{what} {spec}: expected file.py, package.module, or either with :Name")
    for root in settings.roots.folders:
        module, package = root.joinpath(*parts).with_suffix(".py"), root.joinpath(*parts)
        for candidate in (module, package / "__init__.py"):
            if candidate.is_file():
                settings.roots.resolve(str(candidate), what)  # a symlink out is refused
                return spec
    where = ", ".join(str(root) for root in settings.roots.folders)
    raise ReplayError(f"{what} {spec}: no module {target} in this server's folders ({where})")
