"""Thumbnail generation: one activity per image, run a chunk at a time, failures collected."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError


@dataclass
class ThumbnailJob:
    job_id: str
    image_keys: list[str]
    sizes: list[int]
    chunk_size: int


@dataclass
class ThumbnailReport:
    job_id: str
    thumbnails: dict[str, list[str]]
    failed: list[str]


@dataclass
class ThumbnailRequest:
    image_key: str
    sizes: list[int]


@activity.defn
def make_thumbnails(request: ThumbnailRequest) -> list[str]:
    # A plain (sync) activity: the worker runs it in its thread pool, so CPU-heavy resizing does
    # not block the event loop. Stub: the real code downloads the image, resizes it with Pillow
    # to each size and uploads the results next to the original.
    stem = request.image_key.rsplit(".", 1)[0]
    return [f"{stem}_{size}.jpg" for size in request.sizes]


RESIZE_TIMEOUT = timedelta(minutes=2)
RESIZE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), maximum_attempts=3)


@workflow.defn
class ThumbnailFanOut:
    @workflow.run
    async def run(self, job: ThumbnailJob) -> ThumbnailReport:
        thumbnails: dict[str, list[str]] = {}
        failed: list[str] = []
        size = max(1, job.chunk_size)
        for start in range(0, len(job.image_keys), size):
            chunk = job.image_keys[start : start + size]
            # Parallelism comes from the workers running activities at once; gather keeps the
            # results in the chunk's order.
            results = await asyncio.gather(
                *(
                    workflow.execute_activity(
                        make_thumbnails,
                        ThumbnailRequest(key, job.sizes),
                        start_to_close_timeout=RESIZE_TIMEOUT,
                        retry_policy=RESIZE_RETRY,
                    )
                    for key in chunk
                ),
                return_exceptions=True,
            )
            for key, result in zip(chunk, results, strict=True):
                if isinstance(result, ActivityError):
                    workflow.logger.warning("thumbnails for %s failed: %s", key, result)
                    failed.append(key)
                elif isinstance(result, BaseException):
                    raise result
                else:
                    thumbnails[key] = result
        return ThumbnailReport(job_id=job.job_id, thumbnails=thumbnails, failed=failed)
