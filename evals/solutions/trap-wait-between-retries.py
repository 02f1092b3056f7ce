"""Submit a charge; on a soft decline wait 30 seconds (a durable timer) and try again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy


@dataclass
class ChargeRequest:
    payment_id: str
    amount_cents: int
    max_attempts: int


@dataclass
class ChargeOutcome:
    status: str
    attempts: int
    gateway_reference: str | None


@dataclass
class ChargeAttempt:
    payment_id: str
    amount_cents: int
    attempt: int


@dataclass
class GatewayReply:
    status: str
    reference: str


@activity.defn
async def submit_charge(charge: ChargeAttempt) -> GatewayReply:
    # Stub: the real call posts to the gateway with the payment id as the idempotency key. The
    # gateway's sandbox soft-declines the first two attempts.
    status = "soft_decline" if charge.attempt < 3 else "captured"
    return GatewayReply(status=status, reference=f"gw-{charge.payment_id}-{charge.attempt}")


@workflow.defn
class ChargeWithBackoff:
    @workflow.run
    async def run(self, request: ChargeRequest) -> ChargeOutcome:
        reference: str | None = None
        for attempt in range(1, request.max_attempts + 1):
            reply = await workflow.execute_activity(
                submit_charge,
                ChargeAttempt(request.payment_id, request.amount_cents, attempt),
                start_to_close_timeout=timedelta(seconds=30),
                # Network errors are retried by Temporal; declines are answers, handled below.
                retry_policy=RetryPolicy(maximum_attempts=5),
            )
            reference = reply.reference
            if reply.status == "captured":
                return ChargeOutcome("captured", attempt, reference)
            if reply.status == "hard_decline":
                return ChargeOutcome("declined", attempt, reference)
            if attempt < request.max_attempts:
                # A durable timer: the worker is free meanwhile and a restart does not reset it.
                await workflow.sleep(timedelta(seconds=30))
        return ChargeOutcome("gave_up", request.max_attempts, reference)
