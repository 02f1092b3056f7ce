"""The generated SDK surface tables (mcp_server/lint/sdk_api.json) and their query helpers.

The queries answer from the newest table here; tests/test_sdk_versions.py covers choosing another.
"""

from __future__ import annotations

import json
import re
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
        "mcp_server/lint/sdk_api.json's table for the installed temporalio does not match it: "
        f"run `{sdk_api.REGENERATE}` and commit it.\n{result.stderr.strip()}"
    )


def test_stale_table_is_reported_with_its_first_difference() -> None:
    shipped = sdk_api.table("1.27")
    assert sdk_api._stale(shipped) is None
    problem = sdk_api._stale({**shipped, "temporalio_version": "1.27.1"})
    assert problem is not None
    assert "temporalio 1.27 table is stale for temporalio 1.27.1" in problem
    assert "first difference at temporalio_version" in problem
    assert sdk_api.REGENERATE in problem


def test_file_is_the_merge_of_its_tables() -> None:
    # Rendering is canonical and the merge records nothing twice: merging the tables the file
    # holds gives back the file, byte for byte.
    text = sdk_api.JSON_PATH.read_text(encoding="utf-8")
    merged = json.loads(text)
    tables = {label: sdk_api.materialize(merged, label) for label in merged["versions"]}
    assert sdk_api.render(sdk_api.merge(tables)) == text


def test_every_minor_release_since_the_oldest_has_a_table() -> None:
    labels = sdk_api.versions()
    majors = {sdk_api.version_key(label)[0] for label in labels}
    assert majors == {1}, "a new major release: decide which tables to ship"
    minors = [sdk_api.version_key(label)[1] for label in labels]
    assert (1, minors[0]) == sdk_api.OLDEST_TABLE
    assert minors == list(range(minors[0], minors[-1] + 1))
    assert minors[-1] >= 35
    for label in labels:  # made from a release of that minor
        release = sdk_api.table(label)["temporalio_version"]
        assert re.fullmatch(rf"{re.escape(label)}\.\d+", release), (label, release)


@pytest.mark.parametrize("label", sdk_api.versions())
def test_shipped_table_is_well_formed(label: str) -> None:
    table = sdk_api.table(label)
    assert set(table) == {"temporalio_version", "modules", "classes", "callables"}
    assert sdk_api.label_of(table["temporalio_version"]) == label
    for name, entry in table["modules"].items():
        assert name == "temporalio" or name.startswith("temporalio.")
        assert entry == {"opaque": True} or set(entry) == {"members"}, name
        _assert_sorted_public_names(entry.get("members", []), name)
    for name, entry in table["classes"].items():
        assert set(entry) <= {"members", "open"} and entry.get("open", True) is True, name
        _assert_sorted_public_names(entry["members"], name)
    for name, entry in table["callables"].items():
        assert set(entry) - {"returns"} == {"params", "varkw", "coroutine"}, name
        params = entry["params"]
        assert all(isinstance(p, str) and p.isidentifier() for p in params), name
        assert len(set(params)) == len(params), name
        assert isinstance(entry["varkw"], bool) and isinstance(entry["coroutine"], bool), name
        if "returns" in entry:  # a class of the same release
            assert entry["returns"] in table["classes"], name


def _assert_sorted_public_names(names: list[str], where: str) -> None:
    assert names == sorted(set(names)), where
    assert all(n.isidentifier() and not n.startswith("_") for n in names), where


def test_version_notes_are_well_formed() -> None:
    merged = json.loads(sdk_api.JSON_PATH.read_text(encoding="utf-8"))
    labels = tuple(sorted(merged["versions"], key=sdk_api.version_key))
    every = frozenset(labels)

    def tables(runs: str) -> frozenset[str]:
        held = sdk_api._tables_in(runs, labels)
        assert held and held != every, runs  # a note that names all tables or none is noise
        return held

    for kind in ("modules", "classes", "callables"):
        for name, entry in merged[kind].items():
            varying = entry.get("@")
            if varying is None:
                continue
            assert varying, name
            present = tables(varying["in"]) if "in" in varying else every
            for field, spec in varying.items():
                if field == "in":
                    continue
                assert spec, (name, field)
                if field in entry:  # list items: each in some, not all, of the entry's tables
                    assert set(spec) <= set(entry[field]), (name, field)
                    assert all(tables(runs) < present for runs in spec.values()), (name, field)
                else:  # per-table values: every table of the entry exactly once
                    held = [tables(runs) for runs in spec]
                    assert sum(len(h) for h in held) == len(present), (name, field)
                    assert frozenset().union(*held) == present, (name, field)


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
        "with sdk_api.using(sdk_api.choose('1.27.2')):\n"
        "    assert sdk_api.missing_attribute('temporalio.workflow.uuid7')\n"
        "sdk_api.callable_params('temporalio.client.Client.execute_workflow')\n"
        "print(sorted(m for m in sys.modules if m.partition('.')[0] == 'temporalio'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "name", ["temporalio.service.RPCStatusCode.name", "temporalio.client.WorkflowUpdateStage.value"]
)
def test_enum_members_name_and_value_exist(name: str) -> None:
    # Found in the SDK's own tests: `status_code: RPCStatusCode` then `status_code.name`.
    assert sdk_api.missing_attribute(name) is None
    assert sdk_api.missing_attribute(name + "s") is not None
