from datetime import datetime


def price_with_discount(amount: float, now: datetime) -> float:
    if now.weekday() == 0:  # the caller passes workflow.now()
        return amount * 0.9
    return amount
