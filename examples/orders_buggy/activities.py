import time

from temporalio import activity


@activity.defn
async def reserve_stock(sku: str) -> str:
    time.sleep(0.5)  # blocks every async activity on this worker
    return f"reservation-{sku}"


@activity.defn
async def notify(channel: str, order_id: str) -> None:
    activity.logger.info("notifying %s about %s", channel, order_id)
