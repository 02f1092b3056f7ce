"""Order saga: reserve stock, charge the card, create the shipment; on failure undo in reverse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError


@dataclass
class OrderInput:
    order_id: str
    customer_id: str
    items: list[str]
    amount_cents: int


@dataclass
class OrderResult:
    order_id: str
    status: str
    reservation_id: str
    payment_id: str
    tracking_number: str
    placed_at: str


@dataclass
class ReserveRequest:
    order_id: str
    items: list[str]


@dataclass
class ChargeRequest:
    customer_id: str
    amount_cents: int
    idempotency_key: str


@dataclass
class ShipmentRequest:
    order_id: str
    customer_id: str
    items: list[str]


@activity.defn
async def reserve_inventory(request: ReserveRequest) -> str:
    # Stub: the real call is POST /reservations on the inventory service.
    return f"res-{request.order_id}"


@activity.defn
async def release_inventory(reservation_id: str) -> None:
    # Stub: the real call is DELETE /reservations/{id}; releasing twice is a no-op there.
    activity.logger.info("released %s", reservation_id)


@activity.defn
async def charge_payment(request: ChargeRequest) -> str:
    # Stub: the real call charges the card through the payment provider, passing the
    # idempotency key so that a retried charge is not taken twice.
    return f"pay-{request.idempotency_key}"


@activity.defn
async def refund_payment(payment_id: str) -> None:
    # Stub: the real call refunds the charge in full.
    activity.logger.info("refunded %s", payment_id)


@activity.defn
async def create_shipment(request: ShipmentRequest) -> str:
    # Stub: the real call books the parcel with the carrier and returns its tracking number.
    return f"TRK-{request.order_id.upper()}"


STEP_TIMEOUT = timedelta(seconds=30)
RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=5)
# A declined card will not succeed on retry.
PAYMENT_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_attempts=3,
    non_retryable_error_types=["CardDeclined"],
)


@workflow.defn
class OrderSaga:
    @workflow.run
    async def run(self, order: OrderInput) -> OrderResult:
        # workflow.now() is the time of the current workflow task, the same on every replay.
        placed_at = workflow.now().isoformat()
        # Derived from the workflow's own data, so a retried or replayed charge reuses it.
        idempotency_key = f"{order.order_id}-charge"
        reservation_id = ""
        payment_id = ""
        try:
            reservation_id = await workflow.execute_activity(
                reserve_inventory,
                ReserveRequest(order.order_id, order.items),
                start_to_close_timeout=STEP_TIMEOUT,
                retry_policy=RETRY,
            )
            payment_id = await workflow.execute_activity(
                charge_payment,
                ChargeRequest(order.customer_id, order.amount_cents, idempotency_key),
                start_to_close_timeout=STEP_TIMEOUT,
                retry_policy=PAYMENT_RETRY,
            )
            tracking_number = await workflow.execute_activity(
                create_shipment,
                ShipmentRequest(order.order_id, order.customer_id, order.items),
                start_to_close_timeout=STEP_TIMEOUT,
                retry_policy=RETRY,
            )
        except BaseException as err:
            # BaseException: a cancelled workflow must also undo its steps.
            workflow.logger.warning("order %s failed, compensating: %s", order.order_id, err)
            if payment_id:
                await workflow.execute_activity(
                    refund_payment,
                    payment_id,
                    start_to_close_timeout=STEP_TIMEOUT,
                    retry_policy=RETRY,
                )
            if reservation_id:
                await workflow.execute_activity(
                    release_inventory,
                    reservation_id,
                    start_to_close_timeout=STEP_TIMEOUT,
                    retry_policy=RETRY,
                )
            if isinstance(err, Exception):
                raise ApplicationError(
                    f"order {order.order_id} failed and was rolled back: {err}",
                    non_retryable=True,
                ) from err
            raise
        return OrderResult(
            order_id=order.order_id,
            status="completed",
            reservation_id=reservation_id,
            payment_id=payment_id,
            tracking_number=tracking_number,
            placed_at=placed_at,
        )
