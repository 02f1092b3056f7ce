"""What a child process that runs untrusted code (a user's workflow module, a model's answer)
needs, shared by replay's isolated runner and the eval's dynamic runner."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import TextIO


def kill_group(pid: int) -> None:
    """End a child started with start_new_session=True and everything it started."""
    with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
        os.killpg(pid, signal.SIGKILL)


def limit_memory(memory_mb: int) -> None:
    """Cap this process's address space: an allocation past it fails (MemoryError)."""
    import resource

    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def answer_channel() -> TextIO:
    """The real standard output, kept for the child's answer; what the code it runs prints goes
    to stderr from now on, so it can never corrupt the answer."""
    answer = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return answer
