"""Start a data export, poll it until it is done or the time budget runs out, return its link."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy


@dataclass
class ExportRequest:
    export_id: str
    dataset: str
    export_format: str
    poll_every_seconds: int
    timeout_minutes: int


@dataclass
class ExportResult:
    export_id: str
    job_id: str
    status: str
    download_url: str | None
    elapsed_seconds: int


@dataclass
class StartExport:
    export_id: str
    dataset: str
    export_format: str


@dataclass
class StatusQuery:
    job_id: str
    poll_number: int


@dataclass
class ExportStatus:
    state: str
    progress_percent: int


@activity.defn
async def start_export(request: StartExport) -> str:
    # The bucket is worker configuration: read here, in the activity, never in the workflow.
    bucket = os.environ.get("EXPORT_BUCKET", "exports-dev")
    # Stub: the real call is POST /exports on the warehouse API, with export_id as its
    # idempotency key so that a second start for the same export returns the existing job.
    activity.logger.info("export %s to s3://%s", request.export_id, bucket)
    return f"job-{request.export_id}"


@activity.defn
async def get_export_status(query: StatusQuery) -> ExportStatus:
    # Stub: the real call is GET /exports/{job_id}; here the job finishes on the third poll.
    if query.poll_number >= 3:
        return ExportStatus(state="done", progress_percent=100)
    return ExportStatus(state="running", progress_percent=30 * query.poll_number)


@activity.defn
async def get_download_url(job_id: str) -> str:
    # Stub: the real call asks the warehouse for a signed link to the finished file.
    return f"https://exports.example.com/{job_id}.csv?sig=stub"


@activity.defn
async def cancel_export(job_id: str) -> None:
    # Stub: the real call is DELETE /exports/{job_id}.
    activity.logger.info("cancelled %s", job_id)


CALL_TIMEOUT = timedelta(seconds=30)
CALL_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=5)


@workflow.defn
class ExportJobWatcher:
    @workflow.run
    async def run(self, request: ExportRequest) -> ExportResult:
        # workflow.now() advances with the workflow's timers and replays identically.
        started = workflow.now()
        deadline = started + timedelta(minutes=request.timeout_minutes)
        job_id = await workflow.execute_activity(
            start_export,
            StartExport(request.export_id, request.dataset, request.export_format),
            start_to_close_timeout=CALL_TIMEOUT,
            retry_policy=CALL_RETRY,
        )
        status = "running"
        polls = 0
        while True:
            polls += 1
            current = await workflow.execute_activity(
                get_export_status,
                StatusQuery(job_id, polls),
                start_to_close_timeout=CALL_TIMEOUT,
                retry_policy=CALL_RETRY,
            )
            if current.state in ("done", "failed"):
                status = current.state
                break
            if workflow.now() + timedelta(seconds=request.poll_every_seconds) > deadline:
                status = "timed_out"
                await workflow.execute_activity(
                    cancel_export,
                    job_id,
                    start_to_close_timeout=CALL_TIMEOUT,
                    retry_policy=CALL_RETRY,
                )
                break
            await asyncio.sleep(request.poll_every_seconds)

        download_url = None
        if status == "done":
            download_url = await workflow.execute_activity(
                get_download_url,
                job_id,
                start_to_close_timeout=CALL_TIMEOUT,
                retry_policy=CALL_RETRY,
            )
        return ExportResult(
            export_id=request.export_id,
            job_id=job_id,
            status=status,
            download_url=download_url,
            elapsed_seconds=int((workflow.now() - started).total_seconds()),
        )
