#!/usr/bin/env python3
"""Throughput benchmark for `temporal-pro replay`.

Run: python bench/replay_bench.py [--histories N] [--repeat K] [--keep DIR]

It makes N real histories (default 500) by running the `Order` workflow of
tests/replay/orders.py in the time-skipping test server (tests/replay/make_histories.py), then
times, in the same process and in interleaved rounds:

* the bare SDK: read each file, `WorkflowHistory.from_json`, and one
  `Replayer(...).replay_workflows(...)` over the batch, the reference;
* our engine: `histories.read_files` and `engine.run` over the same files, which also
  watches for task failures and classifies every result (explanations only run on failures).

It prints histories per second for each, and our throughput as a ratio of the bare one
(goal: at least 0.8x). Both must replay every history successfully. It is a measurement,
not a test: it exits 0 whatever the numbers are, 2 when a replay fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO_ROOT / "tests" / "replay"
GOAL = 0.8


def make(out: Path, count: int) -> list[Path]:
    files = sorted((out / "orders").glob("*.json"))
    if len(files) < count:
        subprocess.run(
            [
                sys.executable,
                str(WORKFLOWS / "make_histories.py"),
                str(out),
                "--orders",
                str(count),
            ],
            check=True,
        )
        files = sorted((out / "orders").glob("*.json"))
    return files[:count]


def bare(files: list[Path], workflows: list[type]) -> int:
    from temporalio.client import WorkflowHistory
    from temporalio.worker import Replayer

    async def histories() -> AsyncIterator[WorkflowHistory]:
        for file in files:
            yield WorkflowHistory.from_json(file.stem, file.read_text())

    replayer = Replayer(workflows=workflows)
    results = asyncio.run(replayer.replay_workflows(histories(), raise_on_replay_failure=False))
    return len(results.replay_failures)


def ours(files: list[Path], workflows: list[type]) -> int:
    from mcp_server.replay import engine, histories

    results = engine.run(histories.read_files([str(f) for f in files]), workflows)
    return sum(not result.ok for result in results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--histories", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="make (or reuse) the histories here")
    args = parser.parse_args()

    scratch = args.keep or Path(tempfile.mkdtemp(prefix="replay-bench-"))
    started = time.perf_counter()
    files = make(scratch, args.histories)
    took = time.perf_counter() - started
    print(f"{len(files)} histories from real runs in {scratch} ({took:.1f} s)")

    sys.path.insert(0, str(WORKFLOWS))
    os.chdir(WORKFLOWS)
    import orders

    workflows = [orders.Order, orders.Shipping]
    runs: dict[str, list[float]] = {"bare Replayer": [], "temporal-pro": []}
    for name, run in (("bare Replayer", bare), ("temporal-pro", ours)):
        if run(files, workflows):  # warm-up, and both must pass every history
            print(f"{name}: some histories failed to replay", file=sys.stderr)
            return 2
    for _ in range(args.repeat):
        for name, run in (("bare Replayer", bare), ("temporal-pro", ours)):
            started = time.perf_counter()
            run(files, workflows)
            runs[name].append(len(files) / (time.perf_counter() - started))
    for name, rates in runs.items():
        print(
            f"{name:14} {statistics.median(rates):8.1f} histories/s (median of {args.repeat}; "
            f"best {max(rates):.1f})"
        )
    ratio = statistics.median(runs["temporal-pro"]) / statistics.median(runs["bare Replayer"])
    verdict = "meets" if ratio >= GOAL else "misses"
    print(f"temporal-pro / bare: {ratio:.2f}x ({verdict} the {GOAL}x goal)")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # the SDK's runtime can abort while the interpreter tears down
