"""Calls the walk follows although no name in the call says where they go (issue 15): a
function handed to a task group. Each capability has a case that is reported and one that is
not."""

from __future__ import annotations

import textwrap
from pathlib import Path

from mcp_server.lint.engine import lint_paths
from mcp_server.lint.models import Finding

WORKFLOW = """\
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from lib import {names}


@workflow.defn
class Flow:
    @workflow.run
    async def run(self) -> None:
{body}
"""


def lint(root: Path, library: str, names: str, body: str) -> list[Finding]:
    """Findings of a workflow that imports `names` from a library module `lib` and runs
    `body`, sorted by file and line."""
    (root / "lib.py").write_text(textwrap.dedent(library))
    run = textwrap.indent(textwrap.dedent(body), " " * 8)
    (root / "flows.py").write_text(WORKFLOW.format(names=names, body=run))
    report = lint_paths([str(root)]).report
    return sorted(report.findings, key=lambda f: (f.filename, f.location.row))


def where(findings: list[Finding]) -> list[tuple[str, int, str]]:
    return [(Path(f.filename).name, f.location.row, f.code) for f in findings]


def hops(finding: Finding) -> list[str]:
    return [hop.function for hop in finding.chain]


# --- a function handed to a task group ------------------------------------------------------------
TASKS = """\
import random

import anyio


class Steps:
    async def start(self) -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(self._draw)

    async def settle(self) -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(self._log)

    async def _draw(self) -> None:
        self.value = random.random()

    async def _log(self) -> None:
        self.done = True
"""


def test_a_function_handed_to_a_task_group_runs_in_the_workflow(tmp_path: Path) -> None:
    findings = lint(tmp_path, TASKS, "Steps", "await Steps().start()")
    assert where(findings) == [("lib.py", 16, "TPR103")]
    assert hops(findings[0]) == ["Flow.run", "lib.Steps.start", "lib.Steps._draw", "random.random"]


def test_a_task_that_does_nothing_wrong_reports_nothing(tmp_path: Path) -> None:
    assert lint(tmp_path, TASKS, "Steps", "await Steps().settle()") == []
