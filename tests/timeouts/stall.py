"""Blocks a workflow task once per workflow id. The module is passed through the sandbox, so its
state survives into the task's retry, and the retry runs through."""

import time

_blocked: set[str] = set()


# Blocking is the point: it makes the workflow task outlast its timeout.
# temporal-pro: ignore[TPR106, TPR303]
def block_once(key: str, seconds: float) -> None:
    if key not in _blocked:
        _blocked.add(key)
        time.sleep(seconds)
