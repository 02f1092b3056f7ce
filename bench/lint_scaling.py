"""How the linter's cost grows with size, in three tables: one workflow class of N methods
(N = 1,000 to 32,000), one workflow module of 1 to 8 MB whose workflow calls every function in
it, and one 1 to 8 MB module that never mentions temporalio. Each size is linted cold
(`--no-cache`, with no size limit) in a fresh process, best of `--repeat` runs; the script
prints its time and that process's own peak memory. Each step doubles the size, so linear
growth shows as about 2x a step. Floor (issue 15): 8x the size costs at most 10x the time and
10x the memory.

    python bench/lint_scaling.py [--max-methods 32000] [--max-mb 8] [--repeat 3]

It prints PASS or MISS per table and exits 0 whatever the numbers are, 2 when the linter fails.
Standard library only.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lint_bench import (  # a sibling script
    load_average,
    print_load,
    run_child,
    temporal_pro_launcher,
)

FLOOR_FOR_8X = 10.0  # time and memory, 8x the size
# No size limit (the default skips files over 2 MB, which would make the large rows no-ops).
CONFIG = "[tool.temporal-pro]\nmax-file-size = 0\n"


def workflow_class(methods: int) -> str:
    lines = ["from temporalio import workflow", "", "", "@workflow.defn", "class Big:"]
    lines += ["    @workflow.run", "    async def run(self) -> int:", "        return self.m0()"]
    for index in range(methods):
        lines += [
            f"    def m{index}(self) -> int:",
            f"        return self.m{(index + 1) % methods}() if {index} < 0 else {index}",
        ]
    return "\n".join(lines) + "\n"


CHAIN = 50  # the helpers call each other in chains this long; run() calls each chain's head


def helper(index: int) -> str:
    """One function of a chain: it calls the next one, except at the end of its chain."""
    result = "total" if (index + 1) % CHAIN == 0 else f"helper_{index + 1}([total])"
    return (
        f"def helper_{index}(values: list[int]) -> int:\n"
        f'    """Step {index} of the pricing pipeline."""\n'
        f"    total = sum(value * {index % 7 + 1} for value in values if value > {index % 5})\n"
        f"    if total > {index * 3 + 1}:\n"
        f"        total = total // 2\n"
        f"    return {result}\n"
    )


def workflow_module(megabytes: float) -> str:
    """Module-level helpers in call chains, all reached from one workflow's run()."""
    parts = ['"""A generated workflow module."""\n\nfrom temporalio import workflow\n']
    size, index = len(parts[0]), 0
    while size < megabytes * 1e6 - 2_000:
        parts.append(helper(index))
        size += len(parts[-1]) + 2
        index += 1
    heads = [
        f"        total += helper_{start}([total, {start}])" for start in range(0, index, CHAIN)
    ]
    parts.append(
        "@workflow.defn\nclass Pipeline:\n    @workflow.run\n    async def run(self) -> int:\n"
        "        total = 0\n" + "\n".join(heads) + "\n        return total\n"
    )
    return "\n\n".join(parts)


def plain_module(megabytes: float) -> str:
    """Ordinary code that never mentions Temporal: classes, comprehensions, string handling."""
    parts = ['"""A generated module of ordinary code."""\n\nimport re\n']
    size, index = len(parts[0]), 0
    while size < megabytes * 1e6:
        parts.append(
            f"class Record{index}:\n"
            f'    """One row of export {index}."""\n\n'
            f"    def __init__(self, name: str, tags: list[str]) -> None:\n"
            f"        self.name = name.strip()\n"
            f"        self.tags = sorted({{tag.lower() for tag in tags if tag}})\n\n"
            f"    def slug(self) -> str:\n"
            f'        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")\n\n'
            f"    def score(self, weights: dict[str, int]) -> int:\n"
            f"        return sum(weights.get(tag, {index % 9}) for tag in self.tags)\n"
        )
        size += len(parts[-1]) + 2
        index += 1
    return "\n\n".join(parts)


@dataclass
class Row:
    size: int  # methods or MB
    megabytes: float
    seconds: float
    peak_mb: float


def lint(path: Path, config: Path) -> tuple[float, float]:
    """Seconds and peak memory (MB) of a cold `temporal-pro lint --no-cache` of one file."""
    launcher = temporal_pro_launcher()
    argv = [*launcher.argv, "lint", "--no-cache", "--config", str(config), str(path)]
    done, seconds, peak_kb = run_child(argv, path.parent, launcher.env)
    skipped = "max-file-size" in done.stderr  # a skipped file would time nothing
    if done.returncode not in (0, 1) or "Traceback" in done.stderr or skipped:
        raise RuntimeError(f"lint failed on {path}: {done.stderr.strip()[-500:]}")
    return seconds, peak_kb / 1024


def table(
    title: str,
    unit: str,
    sizes: list[int],
    source: Callable[[int], str],
    folder: Path,
    repeat: int,
) -> bool | None:
    """Print one table; True when 8x the size stayed within the floor, None if too few rows."""
    print(f"\n{title}")
    print(f"  {unit:>8} {'file MB':>8} {'seconds':>8} {'x prev':>7} {'peak MB':>8} {'x prev':>7}")
    config = folder / "pyproject.toml"
    config.write_text(CONFIG)
    rows: list[Row] = []
    for size in sizes:
        path = folder / f"scaled_{size}.py"
        path.write_text(source(size))
        runs = [lint(path, config) for _ in range(repeat)]  # best of: the VM is noisy
        seconds, peak = min(run[0] for run in runs), min(run[1] for run in runs)
        megabytes = path.stat().st_size / 1e6
        path.unlink()
        previous = rows[-1] if rows else None
        time_step = f"{seconds / previous.seconds:.2f}" if previous else "-"
        memory_step = f"{peak / previous.peak_mb:.2f}" if previous else "-"
        print(
            f"  {size:>8} {megabytes:>8.2f} {seconds:>8.2f} {time_step:>7} {peak:>8.0f} "
            f"{memory_step:>7}",
            flush=True,
        )
        rows.append(Row(size, megabytes, seconds, peak))
    if len(rows) < 4:
        print("  8x the size: n/a (fewer than four sizes)")
        return None
    small, large = rows[-4], rows[-1]
    time_ratio, memory_ratio = large.seconds / small.seconds, large.peak_mb / small.peak_mb
    passed = time_ratio <= FLOOR_FOR_8X and memory_ratio <= FLOOR_FOR_8X
    print(
        f"  8x the size ({small.size} -> {large.size} {unit}): {time_ratio:.1f}x the time, "
        f"{memory_ratio:.1f}x the memory (floor <= {FLOOR_FOR_8X:.0f}x each): "
        + ("PASS" if passed else "MISS")
    )
    return passed


def doubling(start: int, largest: int) -> list[int]:
    sizes = []
    while start <= largest:
        sizes.append(start)
        start *= 2
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-methods", type=int, default=32_000, help="the largest class")
    parser.add_argument("--max-mb", type=int, default=8, help="the largest file, in MB")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size, best kept")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    print(
        f"best of {args.repeat} runs per size; peak MB: the linting process's own maxrss "
        "(wait4), not the largest child so far"
    )
    results: list[bool | None] = []
    load_at_start = load_average()
    try:
        with tempfile.TemporaryDirectory(prefix="lint-scaling-") as folder:
            work = Path(folder)
            results.append(
                table(
                    "one workflow class of N methods",
                    "methods",
                    doubling(1_000, args.max_methods),
                    workflow_class,
                    work,
                    args.repeat,
                )
            )
            results.append(
                table(
                    "one workflow module, every function reached from its run()",
                    "MB",
                    doubling(1, args.max_mb),
                    workflow_module,
                    work,
                    args.repeat,
                )
            )
            results.append(
                table(
                    "one module that never mentions temporalio (named on the command line)",
                    "MB",
                    doubling(1, args.max_mb),
                    plain_module,
                    work,
                    args.repeat,
                )
            )
    except (RuntimeError, subprocess.SubprocessError, OSError) as error:
        print(f"lint_scaling: {error}", file=sys.stderr)
        return 2
    print_load(load_at_start, load_average())
    verdicts = ["n/a" if r is None else ("PASS" if r else "MISS") for r in results]
    print(
        f"\nsummary: methods {verdicts[0]}, workflow module {verdicts[1]}, "
        f"plain module {verdicts[2]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
