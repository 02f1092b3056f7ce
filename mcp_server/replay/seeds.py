"""`--hash-seeds N`: replay every history in N fresh processes, one per PYTHONHASHSEED 1..N.

Iterating a set of strings (or anything ordered by `hash()`) gives an order that is fixed within
one process and differs between processes, so a workflow whose commands follow that order replays
fine in the worker that recorded the history and fails after a restart. One replay cannot show it;
replays under other seeds do.

    python -m mcp_server.replay.seeds < job.json    # the child: prints its results as JSON
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from typing import Any

from temporalio.client import WorkflowHistory

from mcp_server.replay.histories import History
from mcp_server.replay.models import CodeLocation, ReplayError, ReplayOptions, ReplayResult


def replay(
    histories: Sequence[History], workflows: Sequence[type], options: ReplayOptions
) -> list[ReplayResult]:
    job = json.dumps(
        {
            "sys_path": sys.path,
            "workflows": [f"{cls.__module__}:{cls.__qualname__}" for cls in workflows],
            "timeout": options.timeout,
            "data_converter": options.data_converter,
            "histories": [
                {
                    **{key: value for key, value in vars(item).items() if key != "history"},
                    # the id the replay runs under, which may stand in for a missing workflow_id
                    "replay_id": item.history.workflow_id if item.history else None,
                    "document": item.history.to_json_dict() if item.history else None,
                }
                for item in histories
            ],
        }
    )
    seeds = options.hash_seeds
    with ThreadPoolExecutor(max(1, min(seeds, os.cpu_count() or 1))) as pool:
        runs = list(pool.map(lambda seed: _child(job, seed), range(1, seeds + 1)))
    return [
        _merge([(seed, run[index]) for seed, run in enumerate(runs, 1)])
        for index in range(len(histories))
    ]


def _child(job: str, seed: int) -> list[ReplayResult]:
    import subprocess

    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    done = subprocess.run(
        [sys.executable, "-m", "mcp_server.replay.seeds"],
        input=job,
        capture_output=True,
        text=True,
        env=env,
    )
    try:
        rows = json.loads(done.stdout)
    except ValueError:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["no output"]
        raise ReplayError(f"the replay under PYTHONHASHSEED={seed} failed: {lines[-1]}") from None
    for row in rows:
        row["code_locations"] = [CodeLocation(**where) for where in row["code_locations"]]
    return [ReplayResult(**row) for row in rows]


def _merge(per_seed: list[tuple[int, ReplayResult]]) -> ReplayResult:
    """One result for a history: ok when every seed passed, else the first failure, which says
    which seeds failed and, when others passed, that hash order decides the outcome."""
    bad = [seed for seed, result in per_seed if not result.ok]
    good = [seed for seed, result in per_seed if result.ok]
    if not bad:
        return per_seed[0][1]
    first = per_seed[bad[0] - 1][1]
    if first.status in ("invalid-history", "workflow-not-registered"):
        return first
    first.message = f"PYTHONHASHSEED={bad[0]}: {first.message}"
    if good:
        first.explanation = (
            f"Replay fails under PYTHONHASHSEED={_join(bad)} and passes under {_join(good)}: the "
            f"workflow's decisions depend on hash order. {first.explanation}"
        )
        first.likely_causes.insert(
            0,
            "the workflow iterates a set or frozenset (or orders by hash()) while issuing "
            "commands: iterate sorted(...) or a list instead",
        )
    return first


def _join(seeds: list[int]) -> str:
    return ", ".join(map(str, seeds))


def _main() -> None:
    from mcp_server.replay import engine, workflows

    job: dict[str, Any] = json.load(sys.stdin)
    sys.path[:0] = [p for p in job["sys_path"] if p not in sys.path]
    classes = workflows.load(job["workflows"])
    items = []
    for row in job["histories"]:
        replay_id, document = row.pop("replay_id"), row.pop("document")
        history = WorkflowHistory.from_json(replay_id, document) if document else None
        items.append(History(**row, history=history))
    options = ReplayOptions(timeout=job["timeout"], data_converter=job["data_converter"])
    results = engine.run(items, classes, options)
    print(json.dumps([asdict(result) for result in results]))
    sys.stdout.flush()
    os._exit(0)  # skip tearing down a Replayer that a blocked workflow may still hold


if __name__ == "__main__":
    _main()
