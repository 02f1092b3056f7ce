from datetime import datetime


def price_with_discount(amount: float) -> float:
    if datetime.now().weekday() == 0:  # Monday discount: reads the wall clock
        return amount * 0.9
    return amount
