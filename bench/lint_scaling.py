"""How the linter's cost grows with one workflow class's size: a class of N methods for N = 1,000
to 32,000 (up to a 4-5 MB file), timed cold in a fresh process, with its peak memory. Each step
doubles N, so linear growth shows as a ratio near 2 per step (8x the size: about 8x the time).

    python bench/lint_scaling.py [--max 32000]

It prints a table and never fails on a slow result.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def workflow_class(methods: int) -> str:
    lines = ["from temporalio import workflow", "", "", "@workflow.defn", "class Big:"]
    lines += ["    @workflow.run", "    async def run(self) -> int:", "        return self.m0()"]
    for index in range(methods):
        lines += [
            f"    def m{index}(self) -> int:",
            f"        return self.m{(index + 1) % methods}() if {index} < 0 else {index}",
        ]
    return "\n".join(lines) + "\n"


def run(path: Path) -> tuple[float, int]:
    """Seconds and peak resident memory (KB) of a cold `temporal-pro lint --no-cache`."""
    began = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run(
        [sys.executable, "-m", "mcp_server", "lint", "--no-cache", str(path)],
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - began
    if done.returncode not in (0, 1):
        raise SystemExit(f"lint failed on {path}: {done.stderr.strip()}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max", type=int, default=32_000, help="the largest class (methods)")
    args = parser.parse_args()
    print(f"{'methods':>8} {'file MB':>8} {'seconds':>8} {'x prev':>7} {'peak MB':>8}")
    previous = None
    with tempfile.TemporaryDirectory() as folder:
        methods = 1_000
        while methods <= args.max:
            path = Path(folder) / f"big{methods}.py"
            path.write_text(workflow_class(methods))
            seconds, peak = run(path)
            ratio = f"{seconds / previous:.2f}" if previous else "-"
            size = path.stat().st_size / 1e6
            print(f"{methods:>8} {size:>8.2f} {seconds:>8.2f} {ratio:>7} {peak / 1024:>8.0f}")
            previous = seconds
            methods *= 2
    print("peak MB is the largest child so far (getrusage keeps the maximum, not each run's)")


if __name__ == "__main__":
    main()
