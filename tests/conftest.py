import sys
from pathlib import Path

# Test modules share helpers (`from test_rule_samples import expected`).
sys.path.insert(0, str(Path(__file__).parent))

# The suite runs SDK clients and Replayers in this process, and tearing the interpreter down after
# them can abort in the SDK's core (temporalio/sdk-python#300) once every test has passed: leave
# with pytest's own exit status instead, as the pack's generated test runs do.
from pack_bootstrap import pytest_sessionfinish, pytest_unconfigure  # noqa: F401
