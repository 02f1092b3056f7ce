"""Replay tests for your own CI: fail with the explanation when a history no longer replays.

    # tests/test_replay.py
    from mcp_server.replay.testing import assert_replays
    from app.workflows import OrderWorkflow

    def test_histories_still_replay():
        assert_replays("tests/histories", [OrderWorkflow])

Keep a few histories of each workflow type in the folder (`temporal workflow show -w ID -o json`
or `WorkflowHandle.fetch_history().to_json()`), refreshed from production now and then.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mcp_server.replay import report
from mcp_server.replay.engine import replay_files
from mcp_server.replay.models import DEFAULT_TIMEOUT, ReplayOptions


def assert_replays(
    paths: str | Path | Sequence[str | Path],
    workflows: Sequence[type],
    *,
    hash_seeds: int = 0,
    timeout: float = DEFAULT_TIMEOUT,
    data_converter: str | None = None,
) -> None:
    """Raise AssertionError, with the text report, unless every history under `paths` replays.
    `data_converter` is the worker's, as "module:name"; the other options are the CLI's."""
    listed = [paths] if isinstance(paths, (str, Path)) else list(paths)
    options = ReplayOptions(hash_seeds, timeout, data_converter)
    result = replay_files([str(path) for path in listed], workflows, options)
    if not result.results:
        raise AssertionError(f"no histories found in {', '.join(map(str, listed))}")
    if result.failed:
        failed = type(result)(result.failed)
        raise AssertionError(f"{report.summary(result)}\n{report.text(failed)}")
