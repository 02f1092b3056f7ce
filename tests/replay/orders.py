"""The versions of one workflow type, "Order", that the replay tests switch between.

`Order` is the version that produced the histories. Every other class is a later edit of it,
registered under the same workflow type: the unguarded edits must fail replay, the ones behind
`workflow.patched` must pass.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    import blocking
    from activities import (
        NOTIFIERS,
        charge_card,
        quote_price,
        reserve_inventory,
        reserve_stock,
        send_email,
    )

T = timedelta(seconds=10)


@workflow.defn
class Shipping:
    @workflow.run
    async def run(self, order_id: str) -> str:
        return f"shipped {order_id}"


@workflow.defn(name="Shipping")
class ShippingV2:
    @workflow.run
    async def run(self, order_id: str) -> str:
        return f"shipped {order_id} faster"


@workflow.defn
class Express:
    @workflow.run
    async def run(self, order_id: str) -> str:
        return f"express {order_id}"


@workflow.defn(name="Order")
class Order:
    @workflow.run
    async def run(self, order_id: str) -> str:
        await workflow.execute_activity(reserve_inventory, order_id, start_to_close_timeout=T)
        await workflow.execute_local_activity(quote_price, order_id, start_to_close_timeout=T)
        await workflow.sleep(timedelta(minutes=5))
        await workflow.execute_child_workflow(Shipping.run, order_id, id=f"ship-{order_id}")
        await workflow.execute_activity(charge_card, order_id, start_to_close_timeout=T)
        return "done"


@workflow.defn(name="Order")
class ActivityAdded:
    @workflow.run
    async def run(self, order_id: str) -> str:
        await workflow.execute_activity(send_email, order_id, start_to_close_timeout=T)
        await workflow.execute_activity(reserve_inventory, order_id, start_to_close_timeout=T)
        await workflow.execute_local_activity(quote_price, order_id, start_to_close_timeout=T)
        await workflow.sleep(timedelta(minutes=5))
        await workflow.execute_child_workflow(Shipping.run, order_id, id=f"ship-{order_id}")
        await workflow.execute_activity(charge_card, order_id, start_to_close_timeout=T)
        return "done"


@workflow.defn(name="Order")
class ActivityAddedPatched:
    @workflow.run
    async def run(self, order_id: str) -> str:
        if workflow.patched("email-first"):
            await workflow.execute_activity(send_email, order_id, start_to_close_timeout=T)
        await workflow.execute_activity(reserve_inventory, order_id, start_to_close_timeout=T)
        await workflow.execute_local_activity(quote_price, order_id, start_to_close_timeout=T)
        await workflow.sleep(timedelta(minutes=5))
        await workflow.execute_child_workflow(Shipping.run, order_id, id=f"ship-{order_id}")
        await workflow.execute_activity(charge_card, order_id, start_to_close_timeout=T)
        return "done"


@workflow.defn(name="Order")
class ActivityAddedDeprecated:
    """The next step after ActivityAddedPatched: every running workflow has the patch now."""

    @workflow.run
    async def run(self, order_id: str) -> str:
        workflow.deprecate_patch("email-first")
        await workflow.execute_activity(send_email, order_id, start_to_close_timeout=T)
        await workflow.execute_activity(reserve_inventory, order_id, start_to_close_timeout=T)
        await workflow.execute_local_activity(quote_price, order_id, start_to_close_timeout=T)
        await workflow.sleep(timedelta(minutes=5))
        await workflow.execute_child_workflow(Shipping.run, order_id, id=f"ship-{order_id}")
        await workflow.execute_activity(charge_card, order_id, start_to_close_timeout=T)
        return "done"


@workflow.defn(name="Order")
class ActivityRemoved:
    @workflow.run
    async def run(self, order_id: str) -> str:
        await workflow.execute_activity(reserve_inventory, order_id, start_to_close_timeout=T)
        await workflow.execute_local_activity(quote_price, order_id, start_to_close_timeout=T)
        await workflow.sleep(timedelta(minutes=5))
        await workflow.execute_child_workflow(Shipping.run, order_id, id=f"ship-{order_id}")
        return "done"


@workflow.defn(name="Order")
class ActivityRemovedPatched:
    @workflow.run
    async def run(self, order_id: str) -> str:
        await workflow.execute_activity(reserve_inventory, order_id, start_to_close_timeout=T)
        await workflow.execute_local_activity(quote_price, order_id, start_to_close_timeout=T)
        await workflow.sleep(timedelta(minutes=5))
        await workflow.execute_child_workflow(Shipping.run, order_id, id=f"ship-{order_id}")
        if not workflow.patched("free-orders"):
            await workflow.execute_activity(charge_card, order_id, start_to_close_timeout=T)
        return "done"


@workflow.defn(name="Order")
class ActivitiesReordered:
    @workflow.run
    async def run(self, order_id: str) -> str:
        await workflow.execute_activity(charge_card, order_id, start_to_close_timeout=T)
        await workflow.execute_local_activity(quote_price, order_id, start_to_close_timeout=T)
        await workflow.sleep(timedelta(minutes=5))
        await workflow.execute_child_workflow(Shipping.run, order_id, id=f"ship-{order_id}")
        await workflow.execute_activity(reserve_inventory, order_id, start_to_close_timeout=T)
        return "done"


@workflow.defn(name="Order")
class ActivitiesReorderedPatched:
    @workflow.run
    async def run(self, order_id: str) -> str:
        charge_first = workflow.patched("charge-first")
        first, last = (
            (charge_card, reserve_inventory) if charge_first else (reserve_inventory, charge_card)
        )
        await workflow.execute_activity(first, order_id, start_to_close_timeout=T)
        await workflow.execute_local_activity(quote_price, order_id, start_to_close_timeout=T)
        await workflow.sleep(timedelta(minutes=5))
        await workflow.execute_child_workflow(Shipping.run, order_id, id=f"ship-{order_id}")
        await workflow.execute_activity(last, order_id, start_to_close_timeout=T)
        return "done"


@workflow.defn(name="Order")
class ActivityRenamed:
    @workflow.run
    async def run(self, order_id: str) -> str:
        await workflow.execute_activity(reserve_stock, order_id, start_to_close_timeout=T)
        await workflow.execute_local_activity(quote_price, order_id, start_to_close_timeout=T)
        await workflow.sleep(timedelta(minutes=5))
        await workflow.execute_child_workflow(Shipping.run, order_id, id=f"ship-{order_id}")
        await workflow.execute_activity(charge_card, order_id, start_to_close_timeout=T)
        return "done"


@workflow.defn(name="Order")
class ActivityRenamedPatched:
    @workflow.run
    async def run(self, order_id: str) -> str:
        reserve = reserve_stock if workflow.patched("rename-reserve") else reserve_inventory
        await workflow.execute_activity(reserve, order_id, start_to_close_timeout=T)
        await workflow.execute_local_activity(quote_price, order_id, start_to_close_timeout=T)
        await workflow.sleep(timedelta(minutes=5))
        await workflow.execute_child_workflow(Shipping.run, order_id, id=f"ship-{order_id}")
        await workflow.execute_activity(charge_card, order_id, start_to_close_timeout=T)
        return "done"


@workflow.defn(name="Order")
class TimerAdded:
    @workflow.run
    async def run(self, order_id: str) -> str:
        await workflow.sleep(timedelta(seconds=30))
        await workflow.execute_activity(reserve_inventory, order_id, start_to_close_timeout=T)
        await workflow.execute_local_activity(quote_price, order_id, start_to_close_timeout=T)
        await workflow.sleep(timedelta(minutes=5))
        await workflow.execute_child_workflow(Shipping.run, order_id, id=f"ship-{order_id}")
        await workflow.execute_activity(charge_card, order_id, start_to_close_timeout=T)
        return "done"


@workflow.defn(name="Order")
class TimerAddedPatched:
    @workflow.run
    async def run(self, order_id: str) -> str:
        if workflow.patched("cool-down"):
            await workflow.sleep(timedelta(seconds=30))
        await workflow.execute_activity(reserve_inventory, order_id, start_to_close_timeout=T)
        await workflow.execute_local_activity(quote_price, order_id, start_to_close_timeout=T)
        await workflow.sleep(timedelta(minutes=5))
        await workflow.execute_child_workflow(Shipping.run, order_id, id=f"ship-{order_id}")
        await workflow.execute_activity(charge_card, order_id, start_to_close_timeout=T)
        return "done"


@workflow.defn(name="Order")
class TimerRemoved:
    @workflow.run
    async def run(self, order_id: str) -> str:
        await workflow.execute_activity(reserve_inventory, order_id, start_to_close_timeout=T)
        await workflow.execute_local_activity(quote_price, order_id, start_to_close_timeout=T)
        await workflow.execute_child_workflow(Shipping.run, order_id, id=f"ship-{order_id}")
        await workflow.execute_activity(charge_card, order_id, start_to_close_timeout=T)
        return "done"


@workflow.defn(name="Order")
class TimerRemovedPatched:
    @workflow.run
    async def run(self, order_id: str) -> str:
        await workflow.execute_activity(reserve_inventory, order_id, start_to_close_timeout=T)
        await workflow.execute_local_activity(quote_price, order_id, start_to_close_timeout=T)
        if not workflow.patched("no-wait"):
            await workflow.sleep(timedelta(minutes=5))
        await workflow.execute_child_workflow(Shipping.run, order_id, id=f"ship-{order_id}")
        await workflow.execute_activity(charge_card, order_id, start_to_close_timeout=T)
        return "done"


@workflow.defn(name="Order")
class LocalToRegular:
    @workflow.run
    async def run(self, order_id: str) -> str:
        await workflow.execute_activity(reserve_inventory, order_id, start_to_close_timeout=T)
        await workflow.execute_activity(quote_price, order_id, start_to_close_timeout=T)
        await workflow.sleep(timedelta(minutes=5))
        await workflow.execute_child_workflow(Shipping.run, order_id, id=f"ship-{order_id}")
        await workflow.execute_activity(charge_card, order_id, start_to_close_timeout=T)
        return "done"


@workflow.defn(name="Order")
class LocalToRegularPatched:
    @workflow.run
    async def run(self, order_id: str) -> str:
        await workflow.execute_activity(reserve_inventory, order_id, start_to_close_timeout=T)
        if workflow.patched("remote-quote"):
            await workflow.execute_activity(quote_price, order_id, start_to_close_timeout=T)
        else:
            await workflow.execute_local_activity(quote_price, order_id, start_to_close_timeout=T)
        await workflow.sleep(timedelta(minutes=5))
        await workflow.execute_child_workflow(Shipping.run, order_id, id=f"ship-{order_id}")
        await workflow.execute_activity(charge_card, order_id, start_to_close_timeout=T)
        return "done"


@workflow.defn(name="Order")
class ChildTypeChanged:
    @workflow.run
    async def run(self, order_id: str) -> str:
        await workflow.execute_activity(reserve_inventory, order_id, start_to_close_timeout=T)
        await workflow.execute_local_activity(quote_price, order_id, start_to_close_timeout=T)
        await workflow.sleep(timedelta(minutes=5))
        await workflow.execute_child_workflow(Express.run, order_id, id=f"ship-{order_id}")
        await workflow.execute_activity(charge_card, order_id, start_to_close_timeout=T)
        return "done"


@workflow.defn(name="Order")
class ChildTypeChangedPatched:
    @workflow.run
    async def run(self, order_id: str) -> str:
        await workflow.execute_activity(reserve_inventory, order_id, start_to_close_timeout=T)
        await workflow.execute_local_activity(quote_price, order_id, start_to_close_timeout=T)
        await workflow.sleep(timedelta(minutes=5))
        if workflow.patched("express"):
            await workflow.execute_child_workflow(Express.run, order_id, id=f"ship-{order_id}")
        else:
            await workflow.execute_child_workflow(Shipping.run, order_id, id=f"ship-{order_id}")
        await workflow.execute_activity(charge_card, order_id, start_to_close_timeout=T)
        return "done"


@workflow.defn(name="Order")
class ArgumentsChanged:
    """Replay compares commands, not their arguments: this edit is invisible to it."""

    @workflow.run
    async def run(self, order_id: str) -> str:
        await workflow.execute_activity(
            reserve_inventory, order_id.upper(), start_to_close_timeout=T * 3
        )
        await workflow.execute_local_activity(quote_price, order_id, start_to_close_timeout=T)
        await workflow.sleep(timedelta(minutes=1))
        await workflow.execute_child_workflow(Shipping.run, order_id, id=f"ship-{order_id}")
        await workflow.execute_activity(charge_card, order_id, start_to_close_timeout=T)
        return "done"


@workflow.defn(name="Order")
class ClockAfterTimer:
    """Reads the system clock once the timer has fired: the sandbox fails that workflow task."""

    @workflow.run
    async def run(self, order_id: str) -> str:
        await workflow.execute_activity(reserve_inventory, order_id, start_to_close_timeout=T)
        await workflow.execute_local_activity(quote_price, order_id, start_to_close_timeout=T)
        await workflow.sleep(timedelta(minutes=5))
        datetime.now()
        await workflow.execute_child_workflow(Shipping.run, order_id, id=f"ship-{order_id}")
        await workflow.execute_activity(charge_card, order_id, start_to_close_timeout=T)
        return "done"


@workflow.defn(name="Order")
class NoTimeout:
    @workflow.run
    async def run(self, order_id: str) -> str:
        await workflow.execute_activity(reserve_inventory, order_id, start_to_close_timeout=T)
        await workflow.execute_local_activity(quote_price, order_id, start_to_close_timeout=T)
        await workflow.sleep(timedelta(minutes=5))
        await workflow.execute_child_workflow(Shipping.run, order_id, id=f"ship-{order_id}")
        await workflow.execute_activity(charge_card, order_id)  # type: ignore[call-overload]
        return "done"


@workflow.defn(name="Order")
class SpinsForever:
    """Never yields after the timer: the deadlock detector or the replay timeout must end it."""

    @workflow.run
    async def run(self, order_id: str) -> str:
        await workflow.execute_activity(reserve_inventory, order_id, start_to_close_timeout=T)
        await workflow.execute_local_activity(quote_price, order_id, start_to_close_timeout=T)
        await workflow.sleep(timedelta(minutes=5))
        while True:
            pass


@workflow.defn(name="Order")
class BlocksForever:
    """Blocks in a passed-through module: only the replay's own timeout ends it."""

    @workflow.run
    async def run(self, order_id: str) -> str:
        blocking.wait_forever()
        return "never"


@workflow.defn
class Fanout:
    """Notifies on every channel of a set: the order of the activities depends on PYTHONHASHSEED."""

    @workflow.run
    async def run(self, channels: list[str]) -> list[str]:
        sent = []
        for channel in set(channels):
            sent.append(
                await workflow.execute_activity(
                    NOTIFIERS[channel], channel, start_to_close_timeout=T
                )
            )
        return sent


@workflow.defn(name="Fanout")
class FanoutEmailFirst:
    @workflow.run
    async def run(self, channels: list[str]) -> list[str]:
        await workflow.execute_activity(send_email, "first", start_to_close_timeout=T)
        return [
            await workflow.execute_activity(NOTIFIERS[c], c, start_to_close_timeout=T)
            for c in sorted(channels)
        ]


@workflow.defn
class Batch:
    """Reserves each item in turn: the same activity type again and again."""

    @workflow.run
    async def run(self, items: list[str]) -> int:
        for item in items:
            await workflow.execute_activity(reserve_inventory, item, start_to_close_timeout=T)
        return len(items)


@workflow.defn(name="Batch")
class BatchAudited:
    """Mails before every item but the first: where the second item was reserved, it mails."""

    @workflow.run
    async def run(self, items: list[str]) -> int:
        for n, item in enumerate(items):
            if n:
                await workflow.execute_activity(send_email, item, start_to_close_timeout=T)
            await workflow.execute_activity(reserve_inventory, item, start_to_close_timeout=T)
        return len(items)
