"""Sync the tags of a batch of articles into the taxonomy service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy


@dataclass
class Article:
    article_id: str
    tags: list[str]


@dataclass
class TagSyncInput:
    articles: list[Article]


@dataclass
class TagSyncResult:
    unique_tags: list[str]
    created: list[str]


@activity.defn
async def tag_exists(tag: str) -> bool:
    # Real code: GET https://taxonomy.internal/api/tags/{tag} and check for a 404.
    return tag in {"python", "temporal", "databases"}


@activity.defn
async def create_tag(tag: str) -> None:
    # Real code: POST https://taxonomy.internal/api/tags
    activity.logger.info("created tag %s", tag)


@workflow.defn
class TagSync:
    @workflow.run
    async def run(self, req: TagSyncInput) -> TagSyncResult:
        unique = {tag.strip().lower() for article in req.articles for tag in article.tags}
        # sorted(): the activities run in the same order on every worker, whatever the hash seed.
        tags = sorted(t for t in unique if t)
        created: list[str] = []
        retry = RetryPolicy(maximum_attempts=5)
        for tag in tags:
            exists = await workflow.execute_activity(
                tag_exists, tag, start_to_close_timeout=timedelta(seconds=30), retry_policy=retry
            )
            if not exists:
                await workflow.execute_activity(
                    create_tag,
                    tag,
                    start_to_close_timeout=timedelta(seconds=30),
                    retry_policy=retry,
                )
                created.append(tag)
        return TagSyncResult(unique_tags=tags, created=created)
