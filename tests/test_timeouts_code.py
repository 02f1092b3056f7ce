"""explain-timeout from code: the calls found, their configuration, and the warnings.

The fixture folder tests/fixtures/timeouts marks each offending call with
`# expect: code[, code]` on its first line; analyzing it must report exactly those."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from mcp_server.timeouts.code import analyze_code
from mcp_server.timeouts.models import ConfiguredCall, TimeoutInputError

FOLDER = Path(__file__).parent / "fixtures" / "timeouts"
WORKFLOWS = FOLDER / "billing" / "workflows.py"
EXPECT = re.compile(r"#\s*expect:\s*([a-z, -]+)$")
STARTER = re.compile(
    r"\b(wf|temporalio\.workflow)\.(execute|start)_\w+\(|\bexecute_local_activity\("
)


def marked(folder: Path) -> set[tuple[str, int, str]]:
    found = set()
    for path in folder.rglob("*.py"):
        for row, line in enumerate(path.read_text().splitlines(), start=1):
            match = EXPECT.search(line)
            if match:
                name = path.relative_to(folder).as_posix()
                found |= {(name, row, code.strip()) for code in match.group(1).split(",")}
    return found


def relative(filename: str) -> str:
    return Path(filename).resolve().relative_to(FOLDER.resolve()).as_posix()


def test_fixture_warns_exactly_on_the_marked_lines() -> None:
    _, warnings = analyze_code([str(FOLDER)])
    reported = {(relative(w.filename), w.row, w.code) for w in warnings}
    assert reported == marked(FOLDER)
    # Every warning code is exercised, and there are calls that must not warn.
    assert {code for _, _, code in reported} == {
        "missing-timeout",
        "heartbeat-never-sent",
        "schedule-to-close-shorter",
        "retries-unbounded",
        "schedule-to-start",
        "local-activity-outlasts-task",
        "long-activity-no-heartbeat",
    }


def test_every_starter_call_is_found_with_its_position() -> None:
    calls, _ = analyze_code([str(FOLDER)])
    lines = WORKFLOWS.read_text().splitlines()
    expected = [
        (row, match.start() + 1)
        for row, line in enumerate(lines, start=1)
        for match in [STARTER.search(line)]
        if match
    ]
    assert [(c.row, c.column) for c in calls] == expected
    assert all(relative(c.filename) == "billing/workflows.py" for c in calls)
    scopes = {c.scope for c in calls}
    assert scopes == {"activity", "local-activity", "child-workflow"}


def call(calls: list[ConfiguredCall], target: str, **where: str) -> ConfiguredCall:
    matching = [
        c
        for c in calls
        if c.target == target and all(c.configured.get(k) == v for k, v in where.items())
    ]
    assert len(matching) == 1, [c.configured for c in calls if c.target == target]
    return matching[0]


def test_literal_configuration_is_resolved_through_names_modules_and_arithmetic() -> None:
    calls, _ = analyze_code([str(FOLDER)])
    # A RetryPolicy constant imported from another module, a module-level timedelta.
    export = call(calls, "export")
    assert export.call == "workflow.execute_activity"
    assert export.configured == {
        "start_to_close": "5m",
        "heartbeat": "20s",
        "retry.initial_interval": "2s",
        "retry.backoff_coefficient": "3",
        "retry.maximum_interval": "1m",
        "retry.maximum_attempts": "5",
        "retry.non_retryable_error_types": "CardDeclined, Fraud",
    }
    # `**OPTIONS` of a module-level dict(...), with `ATTEMPT * 2` in it.
    assert call(calls, "charge", start_to_close="1m").configured == {
        "start_to_close": "1m",
        "retry.maximum_attempts": "1",
    }
    # `FIVE_MINUTES * 2`, and schedule-to-close alone.
    archives = [c.configured for c in calls if c.target == "archive"]
    assert {"start_to_close": "10m"} in archives and {"schedule_to_close": "30m"} in archives
    child = call(calls, "Child.run", execution="1h")
    assert (child.scope, child.call) == ("child-workflow", "workflow.execute_child_workflow")
    assert child.configured == {
        "execution": "1h",
        "run": "20m",
        "task": "10s",
        "retry.maximum_attempts": "1",
    }
    local = call(calls, "charge", start_to_close="5s")
    assert (local.scope, local.call) == ("local-activity", "workflow.execute_local_activity")
    method = call(calls, "Mailer.send_bulk")
    assert method.call == "workflow.start_activity_method"
    assert call(calls, "reindex").configured["heartbeat"] == "10s"


def test_what_is_not_literal_shows_as_a_question_mark_and_warns_about_nothing() -> None:
    calls, warnings = analyze_code([str(FOLDER)])
    parameters = call(calls, "charge", start_to_close="?")
    assert parameters.configured == {
        "start_to_close": "?",
        "retry.initial_interval": "?",
        "retry.backoff_coefficient": "?",
        "retry.maximum_interval": "?",
        "retry.maximum_attempts": "?",
    }
    spread = [c for c in calls if c.scope == "activity" and not c.configured]
    assert len(spread) == 1  # `**options`: could hold the timeouts
    quiet = {parameters.row, spread[0].row}
    assert not [w for w in warnings if w.row in quiet]


def test_warnings_name_the_call_and_what_to_change_on_one_line() -> None:
    _, warnings = analyze_code([str(FOLDER)])
    assert all("\n" not in w.message for w in warnings)
    by_code = {}
    for w in warnings:
        by_code.setdefault(w.code, w)
    never = next(
        w for w in warnings if w.code == "heartbeat-never-sent" and "(archive)" in w.message
    )
    assert never.message.startswith("workflow.execute_activity(archive) sets heartbeat_timeout=10s")
    lines = (FOLDER / "billing" / "activities.py").read_text().splitlines()
    row = lines.index("async def archive(order: str) -> None:") + 1
    assert f"billing.activities.archive ({FOLDER}/billing/activities.py:{row})" in never.message
    method = next(w for w in warnings if "Mailer.send)" in w.message)
    assert "billing.activities.Mailer.send " in method.message
    resize = next(w for w in warnings if "(Resize)" in w.message)
    assert "Resize.__call__" in resize.message
    assert "schedule_to_close_timeout=1m shorter than start_to_close_timeout=2m" in (
        by_code["schedule-to-close-shorter"].message
    )
    assert "up to 1m40s apart" in by_code["retries-unbounded"].message  # 100 x the default 1s
    assert "10m per attempt" in by_code["long-activity-no-heartbeat"].message
    assert "30s per attempt" in by_code["local-activity-outlasts-task"].message
    assert "(10s by default)" in by_code["local-activity-outlasts-task"].message
    assert "remove it unless" in by_code["schedule-to-start"].message
    assert "set start_to_close_timeout" in by_code["missing-timeout"].message


def test_a_named_workflow_file_follows_its_imports_to_the_activities() -> None:
    _, warnings = analyze_code([str(WORKFLOWS)])
    never = sorted(w.row for w in warnings if w.code == "heartbeat-never-sent")
    # All but the activity named by string in a module nothing imports: only the folder has it.
    lines = WORKFLOWS.read_text().splitlines()
    by_string = lines.index('            "render-report",')  # the row before it is the call's
    expected = {row for _, row, code in marked(FOLDER) if code == "heartbeat-never-sent"}
    assert by_string in expected
    assert never == sorted(expected - {by_string})


def test_confined_lookups_cannot_read_the_activities_and_stay_silent_about_them(
    tmp_path: Path,
) -> None:
    _, warnings = analyze_code([str(WORKFLOWS)], confine=(os.path.realpath(tmp_path),))
    codes = {w.code for w in warnings}
    assert "heartbeat-never-sent" not in codes
    assert "missing-timeout" in codes  # what the call itself shows is still reported
    _, allowed = analyze_code([str(WORKFLOWS)], confine=(os.path.realpath(FOLDER),))
    assert "heartbeat-never-sent" in {w.code for w in allowed}


def analyze_source(tmp_path: Path, source: str) -> tuple[list[ConfiguredCall], list[str]]:
    path = tmp_path / "flow.py"
    path.write_text(source)
    calls, warnings = analyze_code([str(path)])
    return calls, [f"{w.row}:{w.code}" for w in warnings]


def test_every_import_form_of_the_workflow_module_is_resolved(tmp_path: Path) -> None:
    calls, _ = analyze_source(
        tmp_path,
        "import temporalio.workflow as twf\n"
        "from temporalio.workflow import execute_activity as run, start_child_workflow\n"
        "import temporalio\n"
        "async def go(workflow):\n"
        "    await twf.execute_activity_method(A.a, start_to_close_timeout=T)\n"
        "    await run(a, start_to_close_timeout=T)\n"
        "    await start_child_workflow(W.run, id='x')\n"
        "    await temporalio.workflow.start_local_activity_class(A, start_to_close_timeout=T)\n"
        "    await workflow.execute_activity(a)  # a parameter, not the module\n"
        "def execute_activity(x): pass\n"
        "execute_activity(a)  # a local function of the same name\n",
    )
    assert [(c.row, c.call, c.target) for c in calls] == [
        (5, "workflow.execute_activity_method", "A.a"),
        (6, "workflow.execute_activity", "a"),
        (7, "workflow.start_child_workflow", "W.run"),
        (8, "workflow.start_local_activity_class", "A"),
    ]


def test_values_resolve_only_when_assigned_once(tmp_path: Path) -> None:
    calls, warnings = analyze_source(
        tmp_path,
        "import datetime\n"
        "from temporalio import workflow\n"
        "from temporalio.common import RetryPolicy\n"
        "ONCE = datetime.timedelta(0, 90)\n"
        "TWICE = datetime.timedelta(seconds=1)\n"
        "TWICE = datetime.timedelta(seconds=2)\n"
        "async def go():\n"
        "    local = RetryPolicy(datetime.timedelta(milliseconds=250), 2.5, None, 4)\n"
        "    await workflow.execute_activity(a, start_to_close_timeout=ONCE, retry_policy=local)\n"
        "    await workflow.execute_activity(a, start_to_close_timeout=TWICE, retry_policy=None)\n"
        "    await workflow.execute_activity(a, start_to_close_timeout=ONCE, heartbeat_timeout=None,\n"
        "        retry_policy=RetryPolicy(**kw))\n"
        "    await workflow.execute_activity(a, start_to_close_timeout=datetime.timedelta(0))\n",
    )
    assert [c.configured for c in calls] == [
        {
            "start_to_close": "1m30s",
            "retry.initial_interval": "250ms",
            "retry.backoff_coefficient": "2.5",
            "retry.maximum_attempts": "4",
        },
        {"start_to_close": "?"},
        {
            "start_to_close": "1m30s",
            "retry.initial_interval": "?",
            "retry.backoff_coefficient": "?",
            "retry.maximum_interval": "?",
            "retry.maximum_attempts": "?",
        },
        {"start_to_close": "0s"},
    ]
    # `retry_policy=None` is the default policy: unlimited; a zero timeout counts as none, as
    # the SDK tests the timedelta's truth; RetryPolicy(**kw) may bound the attempts.
    assert warnings == ["10:retries-unbounded", "13:missing-timeout", "13:retries-unbounded"]


def test_missing_paths_and_broken_named_files_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(TimeoutInputError, match=r"^nope\.py: no such file or directory$"):
        analyze_code(["nope.py"])
    broken = tmp_path / "broken.py"
    broken.write_text("from temporalio import workflow\ndef (:\n")
    with pytest.raises(TimeoutInputError, match=r"broken\.py:2: invalid syntax"):
        analyze_code([str(broken)])
    binary = tmp_path / "binary.py"
    binary.write_bytes(b"\xff\xfe\x00temporalio")
    with pytest.raises(TimeoutInputError) as raised:
        analyze_code([str(binary)])
    assert "binary.py" in str(raised.value) and "\n" not in str(raised.value)
    # Inside a folder, a file that cannot be read or parsed is skipped: it could not run.
    (tmp_path / "good.py").write_text(
        "from temporalio import workflow\nasync def go():\n    await workflow.execute_activity(a)\n"
    )
    calls, warnings = analyze_code([str(tmp_path)])
    assert [c.row for c in calls] == [3]
    assert [w.code for w in warnings] == ["missing-timeout", "retries-unbounded"]
