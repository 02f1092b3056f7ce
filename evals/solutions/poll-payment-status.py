"""Poll a payment provider until the payment settles or fails, with jitter between checks."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy


@dataclass
class PollRequest:
    payment_id: str
    provider: str
    poll_interval_seconds: int
    max_attempts: int


@dataclass
class PollResult:
    payment_id: str
    status: str
    attempts: int


@dataclass
class StatusCheck:
    payment_id: str
    provider: str
    attempt: int


@dataclass
class PaymentUpdate:
    payment_id: str
    status: str


@activity.defn
async def check_payment_status(check: StatusCheck) -> str:
    # Stub: the real call is GET /payments/{id} on the provider's API and returns its status
    # ("pending", "settled" or "failed"); here the payment settles on the third check.
    return "settled" if check.attempt >= 3 else "pending"


@activity.defn
async def mark_payment(update: PaymentUpdate) -> None:
    # Stub: the real call updates the payment's row in the billing database.
    activity.logger.info("payment %s is %s", update.payment_id, update.status)


CHECK_TIMEOUT = timedelta(seconds=15)
CHECK_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=3)


@workflow.defn
class PaymentStatusPoller:
    @workflow.run
    async def run(self, request: PollRequest) -> PollResult:
        status = "pending"
        attempts = 0
        while attempts < request.max_attempts:
            attempts += 1
            status = await workflow.execute_activity(
                check_payment_status,
                StatusCheck(request.payment_id, request.provider, attempts),
                start_to_close_timeout=CHECK_TIMEOUT,
                retry_policy=CHECK_RETRY,
            )
            if status in ("settled", "failed") or attempts == request.max_attempts:
                break
            # Up to 20% jitter from the workflow's seeded generator; asyncio.sleep is a timer.
            jitter = workflow.random().uniform(0, 0.2 * request.poll_interval_seconds)
            await asyncio.sleep(request.poll_interval_seconds + jitter)

        final = status if status in ("settled", "failed") else "timed_out"
        await workflow.execute_activity(
            mark_payment,
            PaymentUpdate(request.payment_id, final),
            start_to_close_timeout=CHECK_TIMEOUT,
            retry_policy=CHECK_RETRY,
        )
        return PollResult(payment_id=request.payment_id, status=final, attempts=attempts)
