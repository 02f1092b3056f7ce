"""Assign a random reviewer to a pull request, reassigning when nobody answers in time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy


@dataclass
class ReviewRequest:
    pr_number: int
    author: str
    team: list[str]
    response_hours: int = 24


@dataclass
class ReviewOutcome:
    reviewer: str
    verdict: str
    reviewers_asked: list[str] = field(default_factory=list)


@activity.defn
async def request_review(pr_number: int, reviewer: str) -> None:
    # Real code: POST /repos/{owner}/{repo}/pulls/{pr_number}/requested_reviewers
    activity.logger.info("asked %s to review #%d", reviewer, pr_number)


@activity.defn
async def notify_channel(text: str) -> None:
    # Real code: post to the team's Slack channel through its webhook.
    activity.logger.info("slack: %s", text)


@workflow.defn
class ReviewAssignment:
    def __init__(self) -> None:
        self.verdict: str | None = None

    @workflow.signal
    def review_submitted(self, verdict: str) -> None:
        self.verdict = verdict

    @workflow.run
    async def run(self, req: ReviewRequest) -> ReviewOutcome:
        asked: list[str] = []
        # sorted(): a fixed order to draw from, whatever order the team list or set came in.
        candidates = sorted(set(req.team) - {req.author})
        while candidates:
            # workflow.random() is seeded by the workflow: replay draws the same reviewer.
            reviewer = workflow.random().choice(candidates)
            candidates.remove(reviewer)
            asked.append(reviewer)
            await workflow.execute_activity(
                request_review,
                args=[req.pr_number, reviewer],
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=RetryPolicy(maximum_attempts=5),
            )
            try:
                await workflow.wait_condition(
                    lambda: self.verdict is not None,
                    timeout=timedelta(hours=req.response_hours),
                )
            except TimeoutError:
                continue
            return ReviewOutcome(
                reviewer=reviewer, verdict=self.verdict or "", reviewers_asked=asked
            )

        await workflow.execute_activity(
            notify_channel,
            f"PR #{req.pr_number} has no reviewer: nobody answered in time.",
            start_to_close_timeout=timedelta(seconds=30),
        )
        return ReviewOutcome(reviewer="", verdict="unassigned", reviewers_asked=asked)
