"""Activities shared by every version of the test workflows."""

from __future__ import annotations

from temporalio import activity


@activity.defn
async def reserve_inventory(order_id: str) -> str:
    return f"reserved {order_id}"


@activity.defn
async def charge_card(order_id: str) -> str:
    return f"charged {order_id}"


@activity.defn
async def send_email(order_id: str) -> str:
    return f"mailed {order_id}"


@activity.defn(name="reserve_stock")
async def reserve_stock(order_id: str) -> str:
    return f"reserved {order_id}"


@activity.defn
async def quote_price(order_id: str) -> int:
    return 42


@activity.defn
async def notify_email(channel: str) -> str:
    return channel


@activity.defn
async def notify_sms(channel: str) -> str:
    return channel


@activity.defn
async def notify_push(channel: str) -> str:
    return channel


@activity.defn
async def notify_slack(channel: str) -> str:
    return channel


NOTIFIERS = {"email": notify_email, "sms": notify_sms, "push": notify_push, "slack": notify_slack}
ALL = [reserve_inventory, charge_card, send_email, reserve_stock, quote_price, *NOTIFIERS.values()]
