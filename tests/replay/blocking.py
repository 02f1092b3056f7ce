"""A helper that blocks in C: the SDK's deadlock detector cannot interrupt it."""

import time


def wait_forever() -> None:
    time.sleep(3600)
