"""Fulfil an order unless it is older than 24 hours, judged by the workflow's clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from temporalio import activity, workflow

MAX_AGE = timedelta(hours=24)


@dataclass
class OrderRequest:
    order_id: str
    created_at: str
    sku: str
    quantity: int


@dataclass
class FulfillmentResult:
    order_id: str
    status: str
    tracking_number: str | None


@activity.defn
async def reserve_stock(order_id: str, sku: str, quantity: int) -> str:
    # Stub: the real call reserves stock in the warehouse system.
    return f"rsv-{order_id}"


@activity.defn
async def release_stock(reservation_id: str) -> None:
    # Stub: the real call releases the reservation.
    activity.logger.info("released %s", reservation_id)


@activity.defn
async def charge_customer(order_id: str) -> str:
    # Stub: the real call charges the card on file.
    return f"ch-{order_id}"


@activity.defn
async def create_shipment(order_id: str, reservation_id: str) -> str:
    # Stub: the real call books the parcel with the carrier.
    return f"1Z-{order_id.upper()}"


def _created(order: OrderRequest) -> datetime:
    created = datetime.fromisoformat(order.created_at.replace("Z", "+00:00"))
    return created if created.tzinfo else created.replace(tzinfo=timezone.utc)


@workflow.defn
class FulfillOrder:
    def _expired(self, order: OrderRequest) -> bool:
        # workflow.now() is the time recorded in the history, the same on every replay.
        return workflow.now() - _created(order) > MAX_AGE

    @workflow.run
    async def run(self, order: OrderRequest) -> FulfillmentResult:
        if self._expired(order):
            return FulfillmentResult(order.order_id, "expired", None)
        timeout = timedelta(seconds=30)
        reservation = await workflow.execute_activity(
            reserve_stock,
            args=[order.order_id, order.sku, order.quantity],
            start_to_close_timeout=timeout,
        )
        if self._expired(order):
            await workflow.execute_activity(
                release_stock, reservation, start_to_close_timeout=timeout
            )
            return FulfillmentResult(order.order_id, "expired", None)
        await workflow.execute_activity(
            charge_customer, order.order_id, start_to_close_timeout=timedelta(minutes=5)
        )
        tracking = await workflow.execute_activity(
            create_shipment, args=[order.order_id, reservation], start_to_close_timeout=timeout
        )
        return FulfillmentResult(order.order_id, "shipped", tracking)
