"""Document review: a randomly chosen lead reviewer, reviews arriving as signals, a deadline."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy


@dataclass
class ReviewInput:
    document_id: str
    title: str
    reviewers: list[str]
    required_approvals: int
    review_days: int


@dataclass
class Review:
    reviewer: str
    approved: bool
    comment: str = ""


@dataclass
class ReviewProgress:
    approvals: list[str] = field(default_factory=list)
    rejections: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


@dataclass
class ReviewOutcome:
    document_id: str
    status: str
    lead_reviewer: str
    approvals: list[str]
    rejections: list[str]
    comments: list[str]


@dataclass
class ReviewRequest:
    document_id: str
    title: str
    reviewer: str
    is_lead: bool
    due: str


@dataclass
class OutcomeNotice:
    document_id: str
    status: str
    recipients: list[str]


@activity.defn
async def request_review(request: ReviewRequest) -> None:
    # Stub: the real call emails the reviewer a link to the document and the due date.
    activity.logger.info("asked %s to review %s", request.reviewer, request.document_id)


@activity.defn
async def publish_outcome(notice: OutcomeNotice) -> None:
    # Stub: the real call updates the document's status in the DMS and notifies the reviewers.
    activity.logger.info("%s is %s", notice.document_id, notice.status)


CALL_TIMEOUT = timedelta(seconds=30)
CALL_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), maximum_attempts=5)


@workflow.defn
class DocumentReview:
    @workflow.init
    def __init__(self, request: ReviewInput) -> None:
        # dict.fromkeys drops duplicates and keeps the input's order (a set would not).
        self._reviewers = list(dict.fromkeys(request.reviewers))
        self._progress = ReviewProgress()

    @workflow.signal
    def submit_review(self, review: Review) -> None:
        seen = self._progress.approvals + self._progress.rejections
        if review.reviewer not in self._reviewers or review.reviewer in seen:
            return
        if review.approved:
            self._progress.approvals.append(review.reviewer)
        else:
            self._progress.rejections.append(review.reviewer)
        if review.comment:
            self._progress.comments.append(f"{review.reviewer}: {review.comment}")

    @workflow.query
    def progress(self) -> ReviewProgress:
        return self._progress

    @workflow.run
    async def run(self, request: ReviewInput) -> ReviewOutcome:
        # workflow.random() is seeded by the workflow, so a replay picks the same lead.
        lead = workflow.random().choice(self._reviewers)
        due = (workflow.now() + timedelta(days=request.review_days)).date().isoformat()
        ordered = [lead] + [r for r in self._reviewers if r != lead]
        for reviewer in ordered:
            await workflow.execute_activity(
                request_review,
                ReviewRequest(request.document_id, request.title, reviewer, reviewer == lead, due),
                start_to_close_timeout=CALL_TIMEOUT,
                retry_policy=CALL_RETRY,
            )

        needed = min(request.required_approvals, len(self._reviewers))
        try:
            await workflow.wait_condition(
                lambda: self._decided(needed) is not None,
                timeout=timedelta(days=request.review_days),
            )
            status = self._decided(needed) or "expired"
        except asyncio.TimeoutError:
            status = "expired"

        await workflow.execute_activity(
            publish_outcome,
            OutcomeNotice(request.document_id, status, self._reviewers),
            start_to_close_timeout=CALL_TIMEOUT,
            retry_policy=CALL_RETRY,
        )
        return ReviewOutcome(
            document_id=request.document_id,
            status=status,
            lead_reviewer=lead,
            approvals=list(self._progress.approvals),
            rejections=list(self._progress.rejections),
            comments=list(self._progress.comments),
        )

    def _decided(self, needed: int) -> str | None:
        if len(self._progress.approvals) >= needed:
            return "approved"
        # Rejected once the reviewers still to answer cannot bring the approvals up to `needed`.
        answered = len(self._progress.approvals) + len(self._progress.rejections)
        if len(self._progress.approvals) + len(self._reviewers) - answered < needed:
            return "rejected"
        return None
