"""The generated SDK surface table (mcp_server/lint/sdk_api.json) and its query helpers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mcp_server.lint import sdk_api

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_committed_table_matches_installed_sdk() -> None:
    # generate() imports every public SDK module (contrib ones included): keep that out of the
    # test process, so `--check` runs it in a subprocess.
    result = subprocess.run(
        [sys.executable, "-m", "mcp_server.lint.sdk_api", "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, (
        "mcp_server/lint/sdk_api.json does not match the installed temporalio: run "
        f"`python -m mcp_server.lint.sdk_api --write` and commit it.\n{result.stderr.strip()}"
    )


def test_table_is_rendered_canonically() -> None:
    text = sdk_api.JSON_PATH.read_text(encoding="utf-8")
    assert text == sdk_api.render(json.loads(text))


@pytest.mark.parametrize(
    "name",
    [
        "temporalio.workflow.uuid",
        "temporalio.workflow.get_version",
        "temporalio.workflow.side_effect",
        "temporalio.worker.Worker.run_until",
    ],
)
def test_invented_names_are_missing(name: str) -> None:
    result = sdk_api.missing_attribute(name)
    assert result is not None
    assert result[0] == name


@pytest.mark.parametrize(
    "name",
    [
        "temporalio.workflow.uuid4",
        "temporalio.workflow.now",
        "temporalio.workflow.unsafe.imports_passed_through",
        "temporalio.worker.Worker.run",
        "temporalio.client.Client.connect",
        "temporalio.common.RetryPolicy.maximum_attempts",  # dataclass field, not in dir()
        "temporalio.workflow.info",
        # Not a call: what workflow.info() returns is checked on the call (TPR411), not here.
        "temporalio.workflow.info.workflow_id",
        "temporalio.api.common.v1.Payload",  # generated protobuf subtree: not recorded
        "temporalio.workflow._private_helper",  # private access is not our business
        "datetime.datetime.now",
    ],
)
def test_real_or_unknown_names_are_not_missing(name: str) -> None:
    assert sdk_api.missing_attribute(name) is None


def test_missing_part_is_reported_at_its_prefix() -> None:
    result = sdk_api.missing_attribute("temporalio.workflow.get_version.anything")
    assert result is not None
    assert result[0] == "temporalio.workflow.get_version"


def test_suggestions_are_close_members() -> None:
    result = sdk_api.missing_attribute("temporalio.workflow.uuid")
    assert result is not None
    assert "uuid4" in result[1]
    assert len(result[1]) <= 3


def test_callable_params() -> None:
    execute_workflow = sdk_api.callable_params("temporalio.client.Client.execute_workflow")
    assert execute_workflow is not None
    params, varkw = execute_workflow
    assert "replay_history" not in params
    assert {"id", "task_queue"} <= set(params)
    assert "self" not in params
    assert varkw is False

    execute_activity = sdk_api.callable_params("temporalio.workflow.execute_activity")
    assert execute_activity is not None
    assert "start_to_close_timeout" in execute_activity[0]

    worker = sdk_api.callable_params("temporalio.worker.Worker")  # the constructor
    assert worker is not None
    assert "task_queue" in worker[0]
    assert sdk_api.callable_params("temporalio.workflow.uuid") is None


def test_is_coroutine_function() -> None:
    assert sdk_api.is_coroutine_function("temporalio.workflow.execute_activity") is True
    assert sdk_api.is_coroutine_function("temporalio.workflow.start_activity") is False
    assert sdk_api.is_coroutine_function("temporalio.client.Client.connect") is True
    assert sdk_api.is_coroutine_function("temporalio.workflow.uuid") is False


def test_methods_named() -> None:
    methods = sdk_api.methods_named("execute_workflow")
    assert "temporalio.client.Client.execute_workflow" in methods
    assert all(m.endswith(".execute_workflow") for m in methods)
    # Module-level functions are not methods.
    assert "temporalio.workflow.execute_activity" not in sdk_api.methods_named("execute_activity")
    assert sdk_api.methods_named("no_such_method") == []


def test_lint_path_does_not_import_temporalio() -> None:
    code = (
        "import sys\n"
        "from mcp_server.lint import sdk_api\n"
        "assert sdk_api.load()['modules']\n"
        "assert sdk_api.missing_attribute('temporalio.workflow.uuid')\n"
        "sdk_api.callable_params('temporalio.client.Client.execute_workflow')\n"
        "print(sorted(m for m in sys.modules if m.partition('.')[0] == 'temporalio'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
