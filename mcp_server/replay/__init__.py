"""Replay workflow histories against workflow code and explain every failure.

    from mcp_server.replay import replay_files
    report = replay_files(["histories/"], [OrderWorkflow])

`mcp_server.replay.testing.assert_replays` is the same for a user's own pytest suite.
"""

from __future__ import annotations

from collections.abc import Sequence

from mcp_server.replay import engine, histories, seeds
from mcp_server.replay.models import ReplayError, ReplayReport, ReplayResult

__all__ = ["ReplayError", "ReplayReport", "ReplayResult", "replay_files", "replay_histories"]


def replay_histories(
    items: Sequence[histories.History],
    workflows: Sequence[type],
    *,
    hash_seeds: int = 0,
    timeout: float = engine.DEFAULT_TIMEOUT,
) -> ReplayReport:
    """Replay loaded histories; with `hash_seeds`, in that many fresh processes (see seeds.py)."""
    if hash_seeds:
        return ReplayReport(seeds.replay(items, workflows, hash_seeds, timeout))
    return ReplayReport(engine.run(items, workflows, timeout=timeout))


def replay_files(
    paths: Sequence[str],
    workflows: Sequence[type],
    *,
    hash_seeds: int = 0,
    timeout: float = engine.DEFAULT_TIMEOUT,
) -> ReplayReport:
    """Replay every history in these files and folders against these workflow classes."""
    return replay_histories(
        histories.read_files(paths), workflows, hash_seeds=hash_seeds, timeout=timeout
    )
