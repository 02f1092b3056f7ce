"""Shuffle shards with the workflow's seeded random, deal them into buckets, reindex in parallel."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow


@dataclass
class ReindexJob:
    job_id: str
    shard_ids: list[str]
    worker_count: int


@dataclass
class ReindexSummary:
    assignments: list[list[str]]
    documents_indexed: int


@activity.defn
async def reindex_bucket(bucket: int, shard_ids: list[str]) -> int:
    # Stub: the real activity rebuilds each shard's index and returns the documents written.
    activity.logger.info("bucket %d: reindexing %s", bucket, shard_ids)
    return 1000 * len(shard_ids)


@workflow.defn
class ShardReindex:
    @workflow.run
    async def run(self, job: ReindexJob) -> ReindexSummary:
        shards = list(job.shard_ids)
        # workflow.random() is seeded from the history: the same shuffle on every replay.
        workflow.random().shuffle(shards)
        buckets = [shards[i :: job.worker_count] for i in range(job.worker_count)]
        counts = await asyncio.gather(
            *(
                workflow.execute_activity(
                    reindex_bucket,
                    args=[number, bucket],
                    start_to_close_timeout=timedelta(hours=2),
                    heartbeat_timeout=timedelta(minutes=5),
                )
                for number, bucket in enumerate(buckets)
                if bucket
            )
        )
        return ReindexSummary(assignments=buckets, documents_indexed=sum(counts))
