"""One table per temporalio release: choosing it (sdk_api.choose), answering from it
(sdk_api.using), and the real differences between releases that make the choice matter.

The differences below were found by diffing the generated tables, and each is checked against
the tables and through the linter: the same source gets TPR411 under one release and not the
other.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from mcp_server.errors import InputError
from mcp_server.lint import sdk_api
from mcp_server.lint.config import Config
from mcp_server.lint.engine import LintOptions, lint_source

NEWEST = sdk_api.versions()[-1]
OLDEST = sdk_api.versions()[0]


def _before(label: str) -> str:
    labels = sdk_api.versions()
    return labels[labels.index(label) - 1]


# ----------------------------------------------------------------------------- choose()


def test_no_version_chooses_the_newest_table() -> None:
    choice = sdk_api.choose(None)
    assert choice.table == NEWEST
    assert choice.requested is None
    assert (choice.beyond, choice.before) == (False, False)
    assert (
        choice.note
        == f"checked against the temporalio {NEWEST} table, the newest this linter ships"
    )


@pytest.mark.parametrize(
    "version", ["1.27", "1.27.0", "1.27.2", "1.27.9", "1.27.0rc1", "1.27.2+local"]
)
def test_a_release_chooses_its_minor_table(version: str) -> None:
    choice = sdk_api.choose(version)
    assert choice.table == "1.27"
    assert choice.requested == version
    assert (choice.beyond, choice.before) == (False, False)
    assert (
        choice.note
        == f"checked against the temporalio 1.27 table; this code runs with temporalio {version}"
    )


@pytest.mark.parametrize("version", ["1.99", "1.99.0", "1.99.0rc1", "2.0"])
def test_a_release_newer_than_every_table_is_beyond(version: str) -> None:
    choice = sdk_api.choose(version)
    assert choice.table == NEWEST
    assert choice.beyond is True
    assert choice.before is False
    assert choice.note == (
        f"checked against the temporalio {NEWEST} table, the newest this linter ships; "
        f"this code runs with temporalio {version}"
    )


def test_the_newest_tables_own_patches_are_not_beyond() -> None:
    choice = sdk_api.choose(f"{NEWEST}.99")
    assert (choice.table, choice.beyond) == (NEWEST, False)


@pytest.mark.parametrize("version", ["1.19", "1.19.3", "0.9"])
def test_a_release_older_than_every_table_is_before(version: str) -> None:
    choice = sdk_api.choose(version)
    assert choice.table == OLDEST
    assert choice.before is True
    assert choice.beyond is False
    assert f"the temporalio {OLDEST} table, the oldest this linter ships" in choice.note
    assert choice.note.endswith(f"this code runs with temporalio {version}")


def test_a_release_between_tables_chooses_the_newest_not_newer() -> None:
    # Every minor ships today (tests/test_sdk_api.py), so the gap is made up here.
    choice = sdk_api._choose("1.21.4", ("1.20", "1.22", "1.23"))
    assert choice.table == "1.20"
    assert (choice.beyond, choice.before) == (False, False)
    assert choice.note == (
        "checked against the temporalio 1.20 table (none ships for 1.21); "
        "this code runs with temporalio 1.21.4"
    )


@pytest.mark.parametrize(
    "version", ["", "1", "latest", "1.x", "v1.35", " 1.35", "1.35.", "1..35", "1.35 "]
)
def test_a_malformed_version_is_a_one_line_input_error(version: str) -> None:
    with pytest.raises(sdk_api.VersionError) as raised:
        sdk_api.choose(version)
    assert isinstance(raised.value, InputError)
    message = str(raised.value)
    assert "\n" not in message
    assert repr(version) in message


# ----------------------------------------------------------------------------- using()


def test_using_answers_from_the_chosen_table_and_restores_the_default() -> None:
    assert sdk_api.missing_attribute("temporalio.workflow.uuid7") is None
    with sdk_api.using(sdk_api.choose("1.31")) as choice:
        assert choice.table == "1.31"
        assert sdk_api.load()["temporalio_version"] == "1.31.0"
        assert sdk_api.missing_attribute("temporalio.workflow.uuid7") is not None
        with sdk_api.using(sdk_api.choose("1.32")):
            assert sdk_api.missing_attribute("temporalio.workflow.uuid7") is None
        assert sdk_api.missing_attribute("temporalio.workflow.uuid7") is not None
    assert sdk_api.missing_attribute("temporalio.workflow.uuid7") is None
    assert sdk_api.load()["temporalio_version"] == sdk_api.table(NEWEST)["temporalio_version"]


def test_using_restores_the_default_after_an_error() -> None:
    with pytest.raises(ZeroDivisionError), sdk_api.using(sdk_api.choose("1.20")):
        assert sdk_api.missing_attribute("temporalio.workflow.uuid7") is not None
        _ = 1 / 0
    assert sdk_api.missing_attribute("temporalio.workflow.uuid7") is None


def test_threads_keep_their_own_table() -> None:
    # Both threads are inside their `using` at once; neither sees the other's table.
    both_inside = threading.Barrier(3)
    answers: dict[str, object] = {}

    def lint_with(version: str | None) -> None:
        choice = sdk_api.choose(version)
        with sdk_api.using(choice):
            both_inside.wait(timeout=10)
            answers[choice.table] = (
                sdk_api.missing_attribute("temporalio.workflow.uuid7"),
                sdk_api.callable_params("temporalio.workflow.continue_as_new"),
            )
            both_inside.wait(timeout=10)

    threads = [threading.Thread(target=lint_with, args=(v,)) for v in ("1.29", "1.35")]
    for thread in threads:
        thread.start()
    both_inside.wait(timeout=10)  # the main thread, outside any `using`, keeps the newest
    assert sdk_api.missing_attribute("temporalio.workflow.uuid7") is None
    both_inside.wait(timeout=10)
    for thread in threads:
        thread.join(timeout=10)
    old, new = answers["1.29"], answers["1.35"]
    assert isinstance(old, tuple) and isinstance(new, tuple)
    assert old[0] == ("temporalio.workflow.uuid7", ["uuid4"]) and new[0] is None
    assert "backoff_start_interval" not in old[1][0]
    assert "backoff_start_interval" in new[1][0]


# ----------------------------------------------------------------------------- real differences

# (a name, the release that added it), from diffing the generated tables.
ADDED_NAMES = [
    ("temporalio.workflow.new_random", "1.23"),
    ("temporalio.client.Client.start_activity", "1.23"),  # standalone activities
    ("temporalio.workflow.cancellation_reason", "1.28"),
    ("temporalio.workflow.signal_with_start_workflow", "1.29"),
    ("temporalio.workflow.uuid7", "1.32"),
    ("temporalio.workflow.Info.original_execution_run_id", "1.34"),
    ("temporalio.testing.TimeSkippingConfig", "1.35"),
]
# (a callable, a keyword argument, the release that added it).
ADDED_KEYWORDS = [
    ("temporalio.workflow.continue_as_new", "initial_versioning_behavior", "1.24"),
    ("temporalio.client.Client.execute_activity", "start_delay", "1.27"),
    ("temporalio.client.WorkflowHandle.cancel", "reason", "1.28"),
    ("temporalio.workflow.continue_as_new", "backoff_start_interval", "1.30"),
    ("temporalio.workflow.execute_activity", "event_groups", "1.34"),
    ("temporalio.client.Client.connect", "connect_timeout", "1.35"),
]


def _has(name: str, label: str) -> bool:
    owner, _, member = name.rpartition(".")
    with sdk_api.using(sdk_api.choose(label)):
        return sdk_api.has_member(owner, member) and sdk_api.missing_attribute(name) is None


def _keywords(callable_name: str, label: str) -> list[str]:
    with sdk_api.using(sdk_api.choose(label)):
        found = sdk_api.callable_params(callable_name)
    assert found is not None, (callable_name, label)
    return found[0]


@pytest.mark.parametrize(("name", "added_in"), ADDED_NAMES)
def test_a_name_exists_from_the_release_that_added_it(name: str, added_in: str) -> None:
    for label in sdk_api.versions():
        added = sdk_api.version_key(label) >= sdk_api.version_key(added_in)
        assert _has(name, label) is added, (name, label)


@pytest.mark.parametrize(("callable_name", "keyword", "added_in"), ADDED_KEYWORDS)
def test_a_keyword_exists_from_the_release_that_added_it(
    callable_name: str, keyword: str, added_in: str
) -> None:
    assert keyword not in _keywords(callable_name, _before(added_in))
    assert keyword in _keywords(callable_name, added_in)
    assert keyword in _keywords(callable_name, NEWEST)


def test_a_keyword_a_release_removed_is_gone_from_its_table_on() -> None:
    # 1.32 took `request_id` (and `links`, `callbacks`) off Client.start_workflow.
    start_workflow = "temporalio.client.Client.start_workflow"
    assert "request_id" in _keywords(start_workflow, "1.31")
    assert "request_id" not in _keywords(start_workflow, "1.32")
    assert "request_id" not in _keywords(start_workflow, NEWEST)


def test_a_class_that_moved_modules_is_in_each_module_for_its_releases() -> None:
    # PayloadLimitsConfig arrived in temporalio.converter (1.23), moved to temporalio.client in 1.31.
    converter, client = (
        "temporalio.converter.PayloadLimitsConfig",
        "temporalio.client.PayloadLimitsConfig",
    )
    assert (_has(converter, "1.22"), _has(client, "1.22")) == (False, False)
    assert (_has(converter, "1.30"), _has(client, "1.30")) == (True, False)
    assert (_has(converter, "1.31"), _has(client, "1.31")) == (False, True)


def test_a_return_class_gains_members_by_release() -> None:
    # workflow.info() returns Info in every release; what Info has is the release's.
    with sdk_api.using(sdk_api.choose("1.33")):
        missing = sdk_api.missing_attribute("temporalio.workflow.info.original_execution_run_id")
    assert missing is not None and missing[0].endswith(".original_execution_run_id")
    with sdk_api.using(sdk_api.choose("1.34")):
        assert (
            sdk_api.missing_attribute("temporalio.workflow.info.original_execution_run_id") is None
        )


# ----------------------------------------------------------------------------- through the linter

WORKFLOW = """\
from datetime import timedelta

from temporalio import workflow
from temporalio.client import Client


@workflow.defn
class Greeting:
    @workflow.run
    async def run(self, name: str) -> str:
        {line}
        return name


async def start(client: Client) -> None:
    await client.start_workflow(Greeting.run, "x", id="g", task_queue="q")
"""

# (a line of workflow code, the name TPR411 reports, the oldest release it runs with).
NEW_IN_A_RELEASE = [
    ("token = workflow.uuid7()", "`temporalio.workflow.uuid7`", "1.32"),
    (
        "workflow.signal_with_start_workflow",
        "`temporalio.workflow.signal_with_start_workflow`",
        "1.29",
    ),
    ("first = workflow.info().original_execution_run_id", "original_execution_run_id`", "1.34"),
    (
        "workflow.continue_as_new(name, backoff_start_interval=timedelta(seconds=1))",
        "`continue_as_new(backoff_start_interval=...)`",
        "1.30",
    ),
]


def _tpr411(source: str, version: str) -> list[str]:
    options = LintOptions(config=Config(target_temporalio=version))
    report = lint_source(source, "greeting.py", options)
    return [finding.message for finding in report.findings if finding.code == "TPR411"]


@pytest.mark.parametrize(("line", "reported", "since"), NEW_IN_A_RELEASE)
def test_code_using_a_newer_api_is_flagged_only_for_older_releases(
    line: str, reported: str, since: str
) -> None:
    source = WORKFLOW.format(line=line)
    older = _tpr411(source, _before(since))
    assert len(older) == 1 and reported in older[0], older
    assert _tpr411(source, since) == []
    assert _tpr411(source, NEWEST) == []


def test_code_using_a_removed_keyword_is_flagged_only_for_newer_releases() -> None:
    source = WORKFLOW.replace('task_queue="q")', 'task_queue="q", request_id="r")')
    assert _tpr411(source, "1.31") == []
    newer = _tpr411(source, "1.32")
    assert len(newer) == 1 and "`start_workflow(request_id=...)`" in newer[0], newer


def test_without_a_target_the_linter_checks_against_the_installed_release() -> None:
    assert sdk_api.choose(importlib.metadata.version("temporalio")).table == NEWEST
    source = WORKFLOW.format(line="token = workflow.uuid7()")
    report = lint_source(source, "greeting.py")
    assert [f for f in report.findings if f.code == "TPR411"] == []
    assert _tpr411(source, "1.31") != []


# ----------------------------------------------------------------------------- the release of a run

UUID7 = """\
from temporalio import workflow


@workflow.defn
class W:
    @workflow.run
    async def run(self) -> str:
        return str(workflow.uuid7()) + str(workflow.no_such_api())
"""


def _lint_with(tmp_path: Path, *args: str, config: str = "") -> list[tuple[str, str, str]]:
    (tmp_path / "wf.py").write_text(UUID7)
    (tmp_path / "pyproject.toml").write_text(f"[tool.temporal-pro]\n{config}")
    out = subprocess.run(
        [sys.executable, "-m", "mcp_server", "lint", "--no-cache", "--format", "json", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
    )
    assert out.returncode in (0, 1), out.stderr
    return [
        (f["message"].split("`")[1], f["severity"], f["message"])
        for f in json.loads(out.stdout)["findings"]
    ]


def test_target_temporalio_chooses_the_table_and_the_message_says_which(tmp_path: Path) -> None:
    found = _lint_with(tmp_path, config='target-temporalio = "1.31"')
    assert [(name, severity) for name, severity, _ in found] == [
        ("temporalio.workflow.uuid7", "error"),
        ("temporalio.workflow.no_such_api", "error"),
    ]
    assert all("temporalio 1.31 table" in message for *_, message in found)
    newest = _lint_with(tmp_path, config=f'target-temporalio = "{NEWEST}"')
    assert [(name, severity) for name, severity, _ in newest] == [
        ("temporalio.workflow.no_such_api", "error")
    ]
    assert "table" not in newest[0][2]  # the code's own release is the newest table: no note


def test_a_release_newer_than_every_table_makes_unknown_names_warnings(tmp_path: Path) -> None:
    newer = f"{NEWEST.split('.')[0]}.{int(NEWEST.split('.')[1]) + 1}"
    found = _lint_with(tmp_path, config=f'target-temporalio = "{newer}"')
    assert [(name, severity) for name, severity, _ in found] == [
        ("temporalio.workflow.no_such_api", "warning")
    ]
    assert f"checked against the temporalio {NEWEST} table" in found[0][2]


def test_the_environment_s_temporalio_chooses_the_table(tmp_path: Path) -> None:
    # An environment whose installed temporalio is 1.31 (its metadata is what is read).
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    info = Path(site) / "temporalio-1.31.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: temporalio\nVersion: 1.31.0\n\n")
    project = tmp_path / "project"
    project.mkdir()
    found = _lint_with(project, "--python", str(python))
    assert ("temporalio.workflow.uuid7", "error") in [(n, s) for n, s, _ in found]
    assert "temporalio 1.31 table" in found[-1][2]
    # The configuration's target wins over the environment.
    found = _lint_with(project, "--python", str(python), config='target-temporalio = "1.35"')
    assert "temporalio.workflow.uuid7" not in [name for name, *_ in found]


@pytest.mark.parametrize(
    ("project", "table", "uuid7", "unknown"),
    [
        (
            '[project]\nname = "shop"\ndependencies = ["temporalio==1.31.0"]\n',
            "1.31",
            "error",
            "error",
        ),
        # The SDK's own repository: between releases its source is newer than any table.
        ('[project]\nname = "temporalio"\nversion = "1.31.0"\n', NEWEST, None, "warning"),
        ('[tool.poetry.dependencies]\ntemporalio = "^1.31"\n', NEWEST, None, "error"),
        (
            '[project]\nname = "shop"\ndependencies = ["temporalio[otel]>=1.99,<2"]\n',
            NEWEST,
            None,
            "warning",
        ),
    ],
)
def test_the_project_s_declared_temporalio_chooses_the_table(
    tmp_path: Path, project: str, table: str, uuid7: str | None, unknown: str
) -> None:
    # The SDK's own tests declare their release; a project pins or bounds it. A lower bound
    # newer than the linter's environment means the linter runs beside the project: ^1.31 is
    # satisfied by the environment's release, >=1.99 is newer than every table.
    (tmp_path / "pyproject.toml").write_text(project)
    (tmp_path / "wf.py").write_text(UUID7)
    out = subprocess.run(
        [sys.executable, "-m", "mcp_server", "lint", "--no-cache", "--format", "json", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
    )
    found = {
        f["message"].split("`")[1]: (f["severity"], f["message"])
        for f in json.loads(out.stdout)["findings"]
    }
    assert found.get("temporalio.workflow.uuid7", (None,))[0] == uuid7
    severity, message = found["temporalio.workflow.no_such_api"]
    assert severity == unknown
    assert (f"temporalio {table} table" in message) == (table != NEWEST or unknown == "warning")
