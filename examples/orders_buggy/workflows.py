import random
import uuid
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities import notify, reserve_stock
    from pricing import price_with_discount


@workflow.defn
class OrderWorkflow:
    @workflow.run
    async def run(self, sku: str, amount: float, channels: list[str]) -> str:
        order_id = str(uuid.uuid4())
        total = price_with_discount(amount)
        if random.random() < 0.1:
            total -= 1
        await workflow.execute_activity(reserve_stock, sku)
        for channel in set(channels):
            await workflow.execute_activity(
                notify, args=[channel, order_id], start_to_close_timeout=timedelta(seconds=5)
            )
        workflow.sleep(timedelta(days=1))
        return f"{order_id}:{total}"
