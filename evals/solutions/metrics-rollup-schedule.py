"""Long-running metrics rollup: one window per interval, continuing as new to keep history short."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from temporalio import activity, workflow
from temporalio.common import RetryPolicy

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass
class RollupInput:
    metric_names: list[str]
    interval_minutes: int
    max_runs: int
    runs_per_execution: int = 24
    runs_done: int = 0
    rows_written: int = 0
    last_window_end: str = ""


@dataclass
class WindowRequest:
    metric: str
    window_start: str
    window_end: str


@dataclass
class RollupSummary:
    runs: int
    rows_written: int
    last_window_end: str


@activity.defn
async def rollup_window(req: WindowRequest) -> int:
    # Real code: INSERT INTO metrics_hourly SELECT ... FROM metrics_raw WHERE ts in the window.
    return 10 + len(req.metric) * 3


@workflow.defn
class MetricsRollup:
    @workflow.run
    async def run(self, params: RollupInput) -> RollupSummary:
        metrics = sorted(set(params.metric_names))  # sorted: the same order on every worker
        interval = timedelta(minutes=params.interval_minutes)
        runs_done = params.runs_done
        rows = params.rows_written
        last_end = params.last_window_end
        runs_here = 0

        while runs_done < params.max_runs:
            if runs_here >= params.runs_per_execution:
                workflow.continue_as_new(
                    dataclasses.replace(
                        params, runs_done=runs_done, rows_written=rows, last_window_end=last_end
                    )
                )
            # Sleep on a durable timer until the next interval boundary.
            now = workflow.now()
            window_end = EPOCH + ((now - EPOCH) // interval + 1) * interval
            await workflow.sleep(window_end - now)

            window_start = window_end - interval
            written = await asyncio.gather(
                *(
                    workflow.execute_activity(
                        rollup_window,
                        WindowRequest(metric, window_start.isoformat(), window_end.isoformat()),
                        start_to_close_timeout=timedelta(minutes=5),
                        retry_policy=RetryPolicy(maximum_attempts=10),
                    )
                    for metric in metrics
                )
            )
            rows += sum(written)
            last_end = window_end.isoformat()
            runs_done += 1
            runs_here += 1

        return RollupSummary(runs=runs_done, rows_written=rows, last_window_end=last_end)
