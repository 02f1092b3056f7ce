"""Ask two carriers for a quote at once and take the first good answer, cancelling the other."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError


@dataclass
class QuoteRequest:
    order_id: str
    weight_kg: float
    destination_zip: str


@dataclass
class ShippingQuote:
    order_id: str
    carrier: str
    price_cents: int


@activity.defn
async def quote_fedex(request: QuoteRequest) -> ShippingQuote:
    # Stub: the real call posts the parcel to the FedEx Rate API and parses the cheapest service.
    await asyncio.sleep(0.5)
    return ShippingQuote(
        order_id=request.order_id,
        carrier="fedex",
        price_cents=899 + int(request.weight_kg * 120),
    )


@activity.defn
async def quote_ups(request: QuoteRequest) -> ShippingQuote:
    # Stub: the real call posts the parcel to the UPS Rating API.
    return ShippingQuote(
        order_id=request.order_id,
        carrier="ups",
        price_cents=949 + int(request.weight_kg * 110),
    )


@workflow.defn
class FastestShippingQuote:
    @workflow.run
    async def run(self, request: QuoteRequest) -> ShippingQuote:
        # A few quick retries per carrier: a flaky carrier must not hold up the answer for long.
        retry = RetryPolicy(maximum_attempts=3)
        quotes = [
            workflow.start_activity(
                quote_fedex,
                request,
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=retry,
            ),
            workflow.start_activity(
                quote_ups, request, start_to_close_timeout=timedelta(seconds=10), retry_policy=retry
            ),
        ]
        errors: list[str] = []
        # workflow.as_completed, not asyncio's: the order is deterministic on replay.
        for next_done in workflow.as_completed(quotes):
            try:
                quote = await next_done
            except ActivityError as err:
                errors.append(str(err.cause or err))
                continue
            for other in quotes:
                if not other.done():
                    other.cancel()
            return quote
        raise ApplicationError(
            f"no carrier could quote order {request.order_id}: {'; '.join(errors)}",
            non_retryable=True,
        )
