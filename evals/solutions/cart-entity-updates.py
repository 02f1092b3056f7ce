"""A shopping cart entity: changes arrive as signals, checkout prices and charges the cart,
an idle cart is abandoned with a recovery code, and long carts continue as new."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass
class CartInput:
    cart_id: str
    customer_id: str
    idle_timeout_minutes: int
    max_events_per_run: int
    items: dict[str, int] = field(default_factory=dict)
    checkout_requested: bool = False


@dataclass
class CartItem:
    sku: str
    quantity: int


@dataclass
class CartResult:
    cart_id: str
    status: str
    items: dict[str, int]
    total_cents: int
    recovery_code: str | None


@dataclass
class ChargeRequest:
    cart_id: str
    customer_id: str
    amount_cents: int


@dataclass
class AbandonedCartEmail:
    customer_id: str
    cart_id: str
    recovery_code: str


@activity.defn
async def get_price(sku: str) -> int:
    # Stub: the real call is GET /prices/{sku} on the pricing service (unit price in cents).
    return 500 + 100 * (len(sku) % 5)


@activity.defn
async def charge_customer(request: ChargeRequest) -> str:
    # Stub: the real call charges the customer's saved card, keyed by cart_id for idempotency.
    return f"pay-{request.cart_id}"


@activity.defn
async def send_abandoned_cart_email(email: AbandonedCartEmail) -> None:
    # Stub: the real call hands the email to the marketing service.
    activity.logger.info("recovery code %s for %s", email.recovery_code, email.customer_id)


CALL_TIMEOUT = timedelta(seconds=30)
CALL_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=5)


@workflow.defn
class ShoppingCart:
    @workflow.init
    def __init__(self, cart: CartInput) -> None:
        self._items: dict[str, int] = dict(cart.items)
        self._checkout = cart.checkout_requested
        self._events = 0

    @workflow.signal
    def add_item(self, item: CartItem) -> None:
        if item.quantity > 0 and not self._checkout:
            self._items[item.sku] = self._items.get(item.sku, 0) + item.quantity
            self._events += 1

    @workflow.signal
    def remove_item(self, sku: str) -> None:
        if sku in self._items and not self._checkout:
            del self._items[sku]
            self._events += 1

    @workflow.signal
    def checkout(self) -> None:
        self._checkout = True

    @workflow.query
    def contents(self) -> dict[str, int]:
        return dict(self._items)

    @workflow.run
    async def run(self, cart: CartInput) -> CartResult:
        idle = timedelta(minutes=cart.idle_timeout_minutes)
        while not self._checkout:
            if not await self._wait_for_change(idle):
                return await self._abandon(cart)
            if self._events >= cart.max_events_per_run and not self._checkout:
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(
                    CartInput(
                        cart_id=cart.cart_id,
                        customer_id=cart.customer_id,
                        idle_timeout_minutes=cart.idle_timeout_minutes,
                        max_events_per_run=cart.max_events_per_run,
                        items=self._items,
                    )
                )

        total = 0
        # Dicts keep insertion order: the price lookups are scheduled in the same order on replay.
        for sku, quantity in self._items.items():
            price = await workflow.execute_activity(
                get_price, sku, start_to_close_timeout=CALL_TIMEOUT, retry_policy=CALL_RETRY
            )
            total += price * quantity
        if total:
            await workflow.execute_activity(
                charge_customer,
                ChargeRequest(cart.cart_id, cart.customer_id, total),
                start_to_close_timeout=CALL_TIMEOUT,
                retry_policy=CALL_RETRY,
            )
        return CartResult(cart.cart_id, "checked_out", dict(self._items), total, None)

    async def _wait_for_change(self, idle: timedelta) -> bool:
        seen = self._events
        try:
            # A durable timer, restarted by every change to the cart.
            await workflow.wait_condition(
                lambda: self._checkout or self._events != seen, timeout=idle
            )
        except asyncio.TimeoutError:
            return False
        return True

    async def _abandon(self, cart: CartInput) -> CartResult:
        # workflow.random() is seeded per workflow run: the code is the same on every replay.
        rng = workflow.random()
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(8))
        await workflow.execute_activity(
            send_abandoned_cart_email,
            AbandonedCartEmail(cart.customer_id, cart.cart_id, code),
            start_to_close_timeout=CALL_TIMEOUT,
            retry_policy=CALL_RETRY,
        )
        return CartResult(cart.cart_id, "abandoned", dict(self._items), 0, code)
