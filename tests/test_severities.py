"""An error is a promise that the code will fail: findings that do not break replay (a blocking
call in an async activity, a deprecated but working async query, a module side effect in a test
file) are warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcp_server.lint.config import Config
from mcp_server.lint.engine import lint_paths, lint_source
from mcp_server.lint.options import LintOptions
from mcp_server.lint.rules import RULES, is_test_file

BLOCKING_ACTIVITY = """\
import time

from temporalio import activity


@activity.defn
async def fetch() -> None:
    time.sleep(1)
"""
ASYNC_QUERY = """\
from temporalio import workflow


@workflow.defn
class Status:
    @workflow.run
    async def run(self) -> None: ...

    @workflow.query
    async def status(self) -> str:
        return "ok"
"""
SIDE_EFFECT = """\
import os

from temporalio import workflow

REGION = os.environ.get("REGION")


@workflow.defn
class Hello:
    @workflow.run
    async def run(self) -> str:
        return "hi"
"""


def severities(source: str, filename: str = "app.py") -> list[tuple[str, str]]:
    return [(f.code, f.severity) for f in lint_source(source, filename).findings]


def test_a_blocking_call_in_an_async_activity_is_a_warning() -> None:
    assert RULES["TPR501"].severity == "warning"
    assert severities(BLOCKING_ACTIVITY) == [("TPR501", "warning")]


def test_an_async_query_handler_is_a_warning() -> None:
    assert RULES["TPR405"].severity == "warning"
    assert severities(ASYNC_QUERY) == [("TPR405", "warning")]


@pytest.mark.parametrize(
    ("relative", "severity"),
    [
        ("app/workflows.py", "error"),
        ("tests/test_hello.py", "warning"),
        ("app/hello_test.py", "warning"),
        ("conftest.py", "warning"),
        ("tests/helpers/workflows.py", "warning"),
        ("app/tests/support.py", "warning"),
        ("app/contest.py", "error"),
        ("testsuite/workflows.py", "error"),
        ("app/latest_test_run.py", "error"),
    ],
)
def test_a_module_side_effect_is_an_error_except_in_a_test_file(
    tmp_path: Path, relative: str, severity: str
) -> None:
    path = tmp_path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SIDE_EFFECT)
    result = lint_paths([str(path)], LintOptions(config=Config(root_dir=tmp_path)))
    assert [(f.code, f.severity) for f in result.report.findings] == [("TPR601", severity)]


def test_a_tests_folder_above_the_project_root_does_not_make_a_test_file(tmp_path: Path) -> None:
    root = tmp_path / "tests" / "project"
    root.mkdir(parents=True)
    (root / "workflows.py").write_text(SIDE_EFFECT)
    result = lint_paths([str(root)], LintOptions(config=Config(root_dir=root)))
    assert [(f.code, f.severity) for f in result.report.findings] == [("TPR601", "error")]


def test_text_linted_under_a_test_file_name_gets_the_test_severity() -> None:
    assert severities(SIDE_EFFECT, "tests/test_hello.py") == [("TPR601", "warning")]
    assert severities(SIDE_EFFECT, "hello.py") == [("TPR601", "error")]


def test_what_counts_as_a_test_file() -> None:
    assert is_test_file("test_x.py") and is_test_file("a/b/x_test.py")
    assert is_test_file("conftest.py") and is_test_file("tests/x.py")
    assert is_test_file("tests\\x.py")  # a Windows path
    assert not is_test_file("tests.py") and not is_test_file("a/testing/x.py")
    assert not is_test_file("test_x.txt") and not is_test_file("contest.py")


def test_the_rule_documentation_states_both_severities() -> None:
    assert "Severity `error` (`warning` in test files)" in RULES["TPR601"].documentation()
    assert "Severity `warning`," in RULES["TPR501"].documentation()
    assert "Severity `warning`," in RULES["TPR405"].documentation()
