"""Hold stock during checkout until a confirm or cancel signal, or until the hold expires."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow


@dataclass
class HoldRequest:
    cart_id: str
    sku: str
    quantity: int
    hold_minutes: int


@dataclass
class HoldResult:
    hold_id: str
    status: str
    expires_at: str
    payment_reference: str | None


@activity.defn
async def reserve_stock(hold_id: str, sku: str, quantity: int) -> None:
    # Stub: the real call places the hold in the inventory service (idempotent on hold_id).
    activity.logger.info("hold %s: %d x %s", hold_id, quantity, sku)


@activity.defn
async def commit_hold(hold_id: str, payment_reference: str) -> None:
    # Stub: the real call turns the hold into a sale.
    activity.logger.info("committed %s (%s)", hold_id, payment_reference)


@activity.defn
async def release_hold(hold_id: str, reason: str) -> None:
    # Stub: the real call gives the stock back.
    activity.logger.info("released %s: %s", hold_id, reason)


@workflow.defn
class InventoryHold:
    def __init__(self) -> None:
        self._expires_at = ""
        self._payment_reference: str | None = None
        self._cancel_reason: str | None = None

    @workflow.signal
    def confirm(self, payment_reference: str) -> None:
        if self._cancel_reason is None:
            self._payment_reference = payment_reference

    @workflow.signal
    def cancel(self, reason: str) -> None:
        if self._payment_reference is None:
            self._cancel_reason = reason

    @workflow.query
    def expires_at(self) -> str:
        return self._expires_at

    def _decided(self) -> bool:
        return self._payment_reference is not None or self._cancel_reason is not None

    @workflow.run
    async def run(self, request: HoldRequest) -> HoldResult:
        # Both come from the workflow's history, so a replay gets the same id and deadline.
        hold_id = f"hold-{workflow.uuid4()}"
        hold_for = timedelta(minutes=request.hold_minutes)
        self._expires_at = (workflow.now() + hold_for).isoformat()
        timeout = timedelta(seconds=30)
        await workflow.execute_activity(
            reserve_stock,
            args=[hold_id, request.sku, request.quantity],
            start_to_close_timeout=timeout,
        )
        with contextlib.suppress(asyncio.TimeoutError):
            await workflow.wait_condition(self._decided, timeout=hold_for)
        if self._payment_reference is not None:
            await workflow.execute_activity(
                commit_hold, args=[hold_id, self._payment_reference], start_to_close_timeout=timeout
            )
            status = "committed"
        else:
            status = "cancelled" if self._cancel_reason is not None else "expired"
            await workflow.execute_activity(
                release_hold,
                args=[hold_id, self._cancel_reason or "hold expired"],
                start_to_close_timeout=timeout,
            )
        return HoldResult(hold_id, status, self._expires_at, self._payment_reference)
