"""Library code that runs in workflows (issue 15): functions outside `@workflow.defn` classes are
workflow roots when they call a workflow-only API, sit under `if workflow.in_workflow():`, or
match `[tool.temporal-pro] workflow-code`; each finding's chain starts with the reason."""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from temporalio import workflow
from temporalio.workflow import _NotInWorkflowEventLoopError

from mcp_server.cli import main
from mcp_server.lint import engine
from mcp_server.lint.config import Config
from mcp_server.lint.engine import LintOptions, lint_paths
from mcp_server.lint.formats import render_sarif, render_text
from mcp_server.lint.models import Finding, LintReport

HELPERS = """\
import datetime
import random
import time
from datetime import timedelta

from temporalio import workflow
from temporalio.workflow import info

_SEEN = set()


async def run_step(name: str) -> str:
    started = datetime.datetime.now()
    result = await workflow.execute_activity(
        "step", name, start_to_close_timeout=timedelta(seconds=5)
    )
    _SEEN.add(name)
    return f"{result} {started} {stamp()}"


def stamp() -> float:
    return time.time()


def run_id() -> str:
    return f"{info().run_id}-{random.random()}"


async def call_model(prompt: str) -> str:
    if workflow.in_workflow():
        token = random.random()
        return await workflow.execute_activity(
            "model", prompt, start_to_close_timeout=timedelta(seconds=5)
        )
    else:
        return f"{prompt} {datetime.datetime.now()}"


def negated(prompt: str) -> str:
    if not workflow.in_workflow():
        return f"{prompt} {time.time()}"
    else:
        return f"{prompt} {random.randint(1, 6)}"


async def guarded(prompt: str) -> str:
    if not workflow.in_workflow():
        return str(datetime.datetime.now())
    return str(random.random())


def sandboxed() -> float:
    inside = workflow.unsafe.in_sandbox()
    if inside:
        return time.time()
    return 0.0
"""

# Nothing here runs in a workflow as far as the code says: none of it may be flagged.
PLAIN = """\
import datetime
import random

import pytest
from temporalio import activity, workflow


def stamp(info: workflow.Info) -> str:
    workflow.logger.info("stamping %s", info.workflow_id)
    config = workflow.ActivityConfig(start_to_close_timeout=datetime.timedelta(seconds=1))
    return f"{datetime.datetime.now()} {config}"


def maybe_now() -> datetime.datetime:
    return workflow.now() if workflow.in_workflow() else datetime.datetime.now()


def asks_then_calls() -> float:
    if workflow.in_workflow():
        return workflow.random().random()
    return random.random()


def test_now_outside_a_workflow() -> None:
    with pytest.raises(workflow._NotInWorkflowEventLoopError):
        workflow.now()
    assert datetime.datetime.now()


@activity.defn
async def fetch() -> float:
    if workflow.in_workflow():
        return 0.0
    return random.random()
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def lint(root: Path, *patterns: str, jobs: int = 1) -> LintReport:
    config = Config(workflow_code=patterns, root_dir=root)
    return lint_paths([str(root)], LintOptions(config=config, jobs=jobs)).report


def found(report: LintReport, file: str) -> dict[int, Finding]:
    return {f.location.row: f for f in report.findings if Path(f.filename).name == file}


def reason(finding: Finding) -> str:
    return finding.chain[0].function


@pytest.fixture
def package(tmp_path: Path) -> Path:
    write(tmp_path, {"mypkg/__init__.py": "", "mypkg/helpers.py": HELPERS})
    return tmp_path


# --- signal (a): a workflow-only API ----------------------------------------------------------
def test_a_function_that_calls_a_workflow_only_api_is_workflow_code(package: Path) -> None:
    findings = found(lint(package), "helpers.py")
    now = findings[13]
    assert now.code == "TPR101"
    why = "`mypkg.helpers.run_step` runs in a workflow: it calls `workflow.execute_activity`"
    assert [(h.function, h.row, h.column) for h in now.chain] == [
        (why, 14, 20),  # the call that says so
        ("mypkg.helpers.run_step", 13, 15),
        ("datetime.datetime.now", 13, 15),
    ]
    # State shared by every run in the worker: a two-hop chain, the reason and the function.
    assert findings[17].code == "TPR303"
    assert [h.function for h in findings[17].chain] == [why, "mypkg.helpers.run_step"]


def test_what_such_a_function_calls_is_workflow_code_too(package: Path) -> None:
    clock = found(lint(package), "helpers.py")[22]
    assert clock.code == "TPR101"
    assert [h.function for h in clock.chain] == [
        "`mypkg.helpers.run_step` runs in a workflow: it calls `workflow.execute_activity`",
        "mypkg.helpers.run_step",
        "mypkg.helpers.stamp",
        "time.time",
    ]


def test_a_workflow_api_imported_by_name_is_a_signal(package: Path) -> None:
    drawn = found(lint(package), "helpers.py")[26]
    assert drawn.code == "TPR103"
    assert reason(drawn) == "`mypkg.helpers.run_id` runs in a workflow: it calls `workflow.info`"


# --- signal (b): under `if workflow.in_workflow():` ----------------------------------------------
def test_only_the_in_workflow_branch_is_workflow_code(package: Path) -> None:
    findings = found(lint(package), "helpers.py")
    assert reason(findings[31]) == (
        "`mypkg.helpers.call_model` runs in a workflow under `if workflow.in_workflow():`"
    )
    assert (findings[31].chain[0].row, findings[31].chain[0].column) == (30, 8)
    assert 36 not in findings  # datetime.now() in the else branch runs outside workflows


def test_the_else_of_a_negated_test_is_workflow_code(package: Path) -> None:
    findings = found(lint(package), "helpers.py")
    assert 41 not in findings
    assert findings[43].code == "TPR103"
    assert reason(findings[43]) == (
        "`mypkg.helpers.negated` runs in a workflow in the `else` of "
        "`if not workflow.in_workflow():`"
    )


def test_the_rest_of_a_block_after_an_early_return_is_workflow_code(package: Path) -> None:
    findings = found(lint(package), "helpers.py")
    assert 48 not in findings
    assert reason(findings[49]) == (
        "`mypkg.helpers.guarded` runs in a workflow after `if not workflow.in_workflow(): return`"
    )


def test_in_sandbox_through_a_name_is_a_signal(package: Path) -> None:
    clock = found(lint(package), "helpers.py")[55]
    assert clock.code == "TPR101"
    assert reason(clock) == "`mypkg.helpers.sandboxed` runs in a workflow under `if inside:`"


# --- no signal -------------------------------------------------------------------------------
def test_code_that_does_not_say_it_runs_in_a_workflow_is_not_flagged(tmp_path: Path) -> None:
    write(tmp_path, {"plain.py": PLAIN})
    assert lint(tmp_path).findings == []


def test_a_branch_that_runs_outside_workflows_calls_activities_freely(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "tools.py": "import datetime\n\nfrom temporalio import activity, workflow\n\n\n"
            "@activity.defn\nasync def lookup(q: str) -> str:\n    return q\n\n\n"
            "async def run_tool(q: str) -> str:\n"
            "    if workflow.in_workflow():\n"
            "        return await workflow.execute_activity(\n"
            "            lookup, q, start_to_close_timeout=datetime.timedelta(seconds=1)\n"
            "        )\n"
            "    return await lookup(q)  # outside a workflow: a plain call\n"
        },
    )
    assert lint(tmp_path).findings == []


# --- workflow-only rules stay in workflow classes ----------------------------------------------
def test_handler_and_run_method_rules_do_not_fire_outside_workflow_classes(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "interceptor.py": "import time\n\nfrom temporalio import workflow\n\n\n"
            "class Counting:\n"
            "    @workflow.query\n"
            "    async def handle_query(self) -> int:\n"
            "        self.count = workflow.info().attempt\n"
            "        return self.count + int(time.time())\n"
        },
    )
    report = lint(tmp_path)
    # No TPR404 (no run method), TPR405 (async query) or TPR406 (a query changing state).
    assert [(f.code, f.location.row) for f in report.findings] == [("TPR101", 10)]
    assert reason(report.findings[0]).endswith("it calls `workflow.info`")


# --- signal (c): [tool.temporal-pro] workflow-code --------------------------------------------
DURABLE = {
    "mypkg/__init__.py": "",
    "mypkg/durable/__init__.py": "",
    "mypkg/durable/steps.py": "import uuid\n\n\ndef new_id() -> str:\n    return uuid.uuid4().hex\n",
    "mypkg/agent.py": "import time\n\n\ndef run_step() -> float:\n    return time.time()\n\n\n"
    "def tool_call() -> float:\n    return time.time()\n",
}


def test_workflow_code_declares_modules_and_functions(tmp_path: Path) -> None:
    write(tmp_path, DURABLE)
    assert lint(tmp_path).findings == []  # nothing says so: none of it is workflow code
    report = lint(tmp_path, "mypkg.durable.*", "mypkg.agent.run_step")
    assert [(Path(f.filename).name, f.location.row, f.code) for f in report.findings] == [
        ("agent.py", 5, "TPR101"),
        ("steps.py", 5, "TPR105"),
    ]
    agent, steps = report.findings
    assert reason(steps) == (
        "`mypkg.durable.steps.new_id` runs in a workflow: it matches workflow-code "
        "'mypkg.durable.*'"
    )
    assert (steps.chain[0].row, steps.chain[0].column) == (4, 1)  # the definition
    assert reason(agent).endswith("it matches workflow-code 'mypkg.agent.run_step'")


@pytest.mark.parametrize("pattern", ["mypkg.nope.*", "mypkg.agent.nope", "other"])
def test_a_workflow_code_pattern_that_matches_nothing_is_a_one_line_error(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    pattern: str,
) -> None:
    write(tmp_path, DURABLE)
    (tmp_path / "pyproject.toml").write_text(
        f"[tool.temporal-pro]\nworkflow-code = ['mypkg.agent', '{pattern}']\n"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "--no-cache", "."]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"temporal-pro lint: error: {tmp_path / 'pyproject.toml'}: [tool.temporal-pro] "
        f"'workflow-code': '{pattern}' matches no module or function in the linted files\n"
    )


def test_a_pattern_for_a_project_module_the_run_does_not_lint_is_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # pre-commit passes only the staged files: the declared module is on disk, not in the run.
    write(tmp_path, {**DURABLE, "mypkg/other.py": "def f() -> int:\n    return 1\n"})
    (tmp_path / "pyproject.toml").write_text(
        "[tool.temporal-pro]\nworkflow-code = ['mypkg.durable.*', 'mypkg.agent.run_step']\n"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "--no-cache", "mypkg/other.py"]) == 0
    assert main(["lint", "--no-cache", "mypkg/agent.py"]) == 1  # and it is used when linted
    assert "matches workflow-code 'mypkg.agent.run_step'" in capsys.readouterr().out


# --- the chain as users see it -----------------------------------------------------------------
def test_text_and_sarif_show_why_the_code_was_taken_as_workflow_code(package: Path) -> None:
    report = lint(package)
    text = render_text(report)
    why = "`mypkg.helpers.run_step` runs in a workflow: it calls `workflow.execute_activity`"
    assert f"    via: {why} -> mypkg.helpers.run_step -> datetime.datetime.now\n" in text
    # A two-hop chain (no offending call) still shows its reason.
    shared = text.split("TPR303", 1)[1].split("\nmypkg", 1)[0]
    assert f"    via: {why} -> mypkg.helpers.run_step\n" in shared
    assert f"helpers.py:14:20: {why}\n" in shared
    result = next(
        r
        for r in json.loads(render_sarif(report, package))["runs"][0]["results"]
        if r["ruleId"] == "TPR101"
        and r["locations"][0]["physicalLocation"]["region"]["startLine"] == 13
    )
    steps = result["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [s["location"]["message"]["text"] for s in steps] == [
        why,
        "mypkg.helpers.run_step calls datetime.datetime.now",
    ]


def test_split_runs_report_what_one_process_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The helper is a root of its own and also called by a workflow in another folder: each
    # split of the work must keep the same chain.
    write(tmp_path, {"mypkg/__init__.py": "", "mypkg/helpers.py": HELPERS})
    write(
        tmp_path,
        {
            "app/workflows.py": "from temporalio import workflow\n\nfrom mypkg import helpers\n\n\n"
            "@workflow.defn\nclass W:\n    @workflow.run\n    async def run(self) -> str:\n"
            "        return await helpers.run_step('x')\n"
        },
    )
    monkeypatch.setattr(engine, "_PARALLEL_MIN_BYTES", 0)
    reports = [lint(tmp_path, jobs=jobs) for jobs in (1, 2)]
    monkeypatch.setattr(engine, "_BATCH_CHARACTERS", 1)  # one process, a batch per folder
    reports.append(lint(tmp_path, jobs=1))
    assert all(dataclasses.asdict(r) == dataclasses.asdict(reports[0]) for r in reports)
    assert reports[0].summary.findings >= 8


# --- the list of workflow-only APIs is measured ------------------------------------------------
def _call_outside_a_workflow(function: Any) -> bool:
    """Whether calling `function` (with placeholder arguments) outside a workflow raises the SDK's
    "Not in workflow event loop" error."""
    params = inspect.signature(function).parameters.values()
    required = [p for p in params if p.default is p.empty]
    args = [
        lambda: True for p in required if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    kwargs = {p.name: "x" for p in required if p.kind is p.KEYWORD_ONLY}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # placeholder arguments: only the raise matters
            result = function(*args, **kwargs)
            if inspect.iscoroutine(result):
                asyncio.run(result)
    except _NotInWorkflowEventLoopError:
        return True
    except Exception:
        return False
    return False


def test_workflow_only_apis_are_exactly_those_that_raise_outside_a_workflow() -> None:
    from mcp_server.lint.roots import IN_WORKFLOW_PROBES, WORKFLOW_ONLY

    functions = {
        f"temporalio.workflow.{name}": getattr(workflow, name)
        for name in dir(workflow)
        if not name.startswith("_") and inspect.isfunction(getattr(workflow, name))
    }
    raising = {name for name, function in functions.items() if _call_outside_a_workflow(function)}
    assert raising == WORKFLOW_ONLY
    assert "temporalio.workflow.in_workflow" in IN_WORKFLOW_PROBES - raising
    assert not workflow.in_workflow() and not workflow.unsafe.in_sandbox()
