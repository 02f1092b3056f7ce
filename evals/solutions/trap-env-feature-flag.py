"""Checkout with a new flow behind a feature flag read from the worker's environment."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy


@dataclass
class CheckoutRequest:
    cart_id: str
    customer_id: str
    amount_cents: int


@dataclass
class CheckoutResult:
    flow: str
    payment_id: str
    shipment_id: str


@activity.defn
async def new_checkout_enabled() -> bool:
    # Read the flag in an activity: its result is recorded in the history, so a replay on a
    # worker with another environment takes the branch the original run took.
    return os.environ.get("NEW_CHECKOUT", "").strip().lower() in {"1", "true", "yes", "on"}


@activity.defn
async def charge_card(customer_id: str, amount_cents: int) -> str:
    # Real code: legacy one-step charge through the payment provider.
    return f"ch-{customer_id}-{amount_cents}"


@activity.defn
async def authorize_payment(customer_id: str, amount_cents: int) -> str:
    # Real code: create a payment intent and authorize it.
    return f"pi-{customer_id}-{amount_cents}"


@activity.defn
async def capture_payment(payment_id: str) -> None:
    # Real code: capture the authorized payment intent.
    activity.logger.info("captured %s", payment_id)


@activity.defn
async def create_shipment(cart_id: str) -> str:
    # Real code: call the warehouse API.
    return f"sh-{cart_id}"


@workflow.defn
class CheckoutWorkflow:
    @workflow.run
    async def run(self, req: CheckoutRequest) -> CheckoutResult:
        timeout = timedelta(seconds=30)
        retry = RetryPolicy(maximum_attempts=5)
        use_new = await workflow.execute_activity(
            new_checkout_enabled, start_to_close_timeout=timedelta(seconds=5)
        )
        if use_new:
            payment_id = await workflow.execute_activity(
                authorize_payment,
                args=[req.customer_id, req.amount_cents],
                start_to_close_timeout=timeout,
                retry_policy=retry,
            )
            _, shipment_id = await asyncio.gather(
                workflow.execute_activity(
                    capture_payment, payment_id, start_to_close_timeout=timeout, retry_policy=retry
                ),
                workflow.execute_activity(
                    create_shipment, req.cart_id, start_to_close_timeout=timeout, retry_policy=retry
                ),
            )
            return CheckoutResult("new", payment_id, shipment_id)

        payment_id = await workflow.execute_activity(
            charge_card,
            args=[req.customer_id, req.amount_cents],
            start_to_close_timeout=timeout,
            retry_policy=retry,
        )
        shipment_id = await workflow.execute_activity(
            create_shipment, req.cart_id, start_to_close_timeout=timeout, retry_policy=retry
        )
        return CheckoutResult("legacy", payment_id, shipment_id)
