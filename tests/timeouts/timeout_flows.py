"""Workflows and activities whose runs end in each kind of Temporal timeout (make_histories.py)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    import stall

SECOND = timedelta(seconds=1)
TWO_ATTEMPTS = RetryPolicy(maximum_attempts=2)
NOBODY_POLLS = "nobody-polls"


@activity.defn
async def sleepy(seconds: float) -> str:
    await asyncio.sleep(seconds)
    return "woke"


@activity.defn
async def slow_first_attempt(seconds: float) -> str:
    if activity.info().attempt == 1:
        await asyncio.sleep(seconds)
    return f"attempt {activity.info().attempt}"


@activity.defn
async def progress_then_stall(beats: int) -> str:
    for n in range(1, beats + 1):
        activity.heartbeat(f"progress-{n}")
        await asyncio.sleep(0.3)
    await asyncio.sleep(10)
    return "never"


@activity.defn
async def failing(name: str) -> str:
    raise RuntimeError(f"{name} failed")


@activity.defn
async def quick(name: str) -> str:
    return f"hello {name}"


ACTIVITIES = [sleepy, slow_first_attempt, progress_then_stall, failing, quick]


@workflow.defn
class StartToCloseExhausted:
    @workflow.run
    async def run(self) -> str:
        return await workflow.execute_activity(
            sleepy, 3.0, start_to_close_timeout=SECOND, retry_policy=TWO_ATTEMPTS
        )


@workflow.defn
class StartToCloseThenSuccess:
    @workflow.run
    async def run(self) -> str:
        return await workflow.execute_activity(
            slow_first_attempt,
            3.0,
            start_to_close_timeout=SECOND,
            retry_policy=RetryPolicy(maximum_attempts=3),
        )


@workflow.defn
class HeartbeatStalls:
    @workflow.run
    async def run(self) -> str:
        return await workflow.execute_activity(
            progress_then_stall,
            3,
            start_to_close_timeout=timedelta(seconds=30),
            heartbeat_timeout=SECOND,
            retry_policy=RetryPolicy(maximum_attempts=1),
        )


@workflow.defn
class ScheduleToClose:
    """Each attempt times out after 1 s and retries 1 s later: the 2.5 s overall deadline ends it."""

    @workflow.run
    async def run(self) -> str:
        return await workflow.execute_activity(
            sleepy,
            3.0,
            start_to_close_timeout=SECOND,
            schedule_to_close_timeout=timedelta(seconds=2.5),
        )


@workflow.defn
class ScheduleToCloseAfterFailures:
    """Attempts fail (not time out) until the overall deadline leaves no room for another."""

    @workflow.run
    async def run(self) -> str:
        return await workflow.execute_activity(
            failing,
            "charge",
            start_to_close_timeout=SECOND,
            schedule_to_close_timeout=timedelta(seconds=2.5),
        )


@workflow.defn
class ScheduleToStart:
    @workflow.run
    async def run(self) -> str:
        try:
            return await workflow.execute_activity(
                quick,
                "nobody",
                task_queue=NOBODY_POLLS,
                schedule_to_start_timeout=timedelta(seconds=2),
                start_to_close_timeout=timedelta(seconds=10),
            )
        except ActivityError as err:
            return f"gave up: {err.cause}"


@workflow.defn
class Sleeper:
    @workflow.run
    async def run(self, seconds: float) -> str:
        await workflow.sleep(seconds)
        return "rested"


@workflow.defn
class Parent:
    @workflow.run
    async def run(self) -> str:
        return await workflow.execute_child_workflow(
            Sleeper.run,
            30.0,
            id="timed-out-child",
            execution_timeout=timedelta(seconds=2),
        )


@workflow.defn
class LocalTimeout:
    @workflow.run
    async def run(self) -> str:
        return await workflow.execute_local_activity(
            sleepy, 3.0, start_to_close_timeout=SECOND, retry_policy=TWO_ATTEMPTS
        )


@workflow.defn
class LocalTimeoutTimerBackoff:
    """The retry backoff (1.5 s) exceeds `local_retry_threshold` (1 s): the worker records a marker
    per attempt and waits on a workflow timer between them, instead of retrying in-process."""

    @workflow.run
    async def run(self) -> str:
        return await workflow.execute_local_activity(
            sleepy,
            1.0,
            start_to_close_timeout=timedelta(seconds=0.5),
            retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1.5), maximum_attempts=2),
            local_retry_threshold=SECOND,
        )


@workflow.defn
class LocalOutlastsTask:
    """A local activity that runs longer than the workflow task timeout (started with 1 s)."""

    @workflow.run
    async def run(self) -> str:
        return await workflow.execute_local_activity(
            sleepy, 2.5, start_to_close_timeout=timedelta(seconds=10)
        )


@workflow.defn
class BlocksFirstTask:
    """Its first workflow task blocks 1.5 s: longer than the 1 s task timeout it is started with,
    shorter than the SDK's 2 s deadlock detector."""

    @workflow.run
    async def run(self) -> str:
        stall.block_once(workflow.info().workflow_id, 1.5)
        return await workflow.execute_activity(quick, "after", start_to_close_timeout=SECOND)


@workflow.defn
class WaitsForSignal:
    def __init__(self) -> None:
        self.released = False

    @workflow.run
    async def run(self) -> str:
        await workflow.wait_condition(lambda: self.released)
        return "released"

    @workflow.signal
    def release(self) -> None:
        self.released = True


@workflow.defn
class NoTimeout:
    @workflow.run
    async def run(self) -> list[str]:
        # No retry policy, and only schedule-to-close: the scheduled events show the server's fill-ins.
        return [
            await workflow.execute_activity(
                quick, "a", start_to_close_timeout=timedelta(seconds=10)
            ),
            await workflow.execute_activity(
                quick, "b", schedule_to_close_timeout=timedelta(seconds=10)
            ),
        ]


WORKFLOWS = [
    StartToCloseExhausted,
    StartToCloseThenSuccess,
    HeartbeatStalls,
    ScheduleToClose,
    ScheduleToCloseAfterFailures,
    ScheduleToStart,
    Sleeper,
    Parent,
    LocalTimeout,
    LocalTimeoutTimerBackoff,
    LocalOutlastsTask,
    BlocksFirstTask,
    WaitsForSignal,
    NoTimeout,
]
