import os
import subprocess
import sys
from pathlib import Path

import pytest

# Test modules share helpers (`from test_rule_samples import expected`).
sys.path.insert(0, str(Path(__file__).parent))

# The suite runs SDK clients and Replayers in this process, and tearing the interpreter down after
# them can abort in the SDK's core (temporalio/sdk-python#300) once every test has passed: leave
# with pytest's own exit status instead, as the pack's generated test runs do.
from pack_bootstrap import pytest_sessionfinish, pytest_unconfigure  # noqa: F401


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (pytest.mark.anyio: the MCP client and server) run on asyncio, as the SDK's
    worker and our server do."""
    return "asyncio"


REPLAY = Path(__file__).parent / "replay"
GENERATION_SEED = "0"  # the PYTHONHASHSEED the histories are made under


@pytest.fixture(scope="session")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("histories")
    done = subprocess.run(
        [sys.executable, str(REPLAY / "make_histories.py"), str(out)],
        capture_output=True,  # the SDK's core logs a warning per worker against the test server
        text=True,
        env={**os.environ, "PYTHONHASHSEED": GENERATION_SEED},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="session")
def made_dev(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Histories of the real dev server, which records the workflow id in them."""
    out = tmp_path_factory.mktemp("dev-histories")
    done = subprocess.run(
        [sys.executable, str(REPLAY / "make_histories.py"), str(out), "--dev-server"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return out


TIMEOUTS = Path(__file__).parent / "timeouts"


@pytest.fixture(scope="session")
def made_timeouts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A history per kind of timeout, by real runs in the time-skipping test server."""
    return _timeout_histories(tmp_path_factory.mktemp("timeout-histories"), timeout=180)


@pytest.fixture(scope="session")
def made_timeouts_dev(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same in the dev server, which records more (lastFailure, failure messages)."""
    out = tmp_path_factory.mktemp("timeout-histories-dev")
    return _timeout_histories(out, "--dev-server", timeout=120)


def _timeout_histories(out: Path, *options: str, timeout: float) -> Path:
    done = subprocess.run(
        [sys.executable, str(TIMEOUTS / "make_histories.py"), str(out), *options],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    return out
