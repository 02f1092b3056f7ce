"""`temporal-pro explain-timeout`: timeouts found in histories made by real runs, the schedule of
given values, error texts, the command line's answers, and the references agreeing with it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from mcp_server import sdk_facts
from mcp_server.cli import main
from mcp_server.timeouts import durations
from mcp_server.timeouts.errors import explain_error
from mcp_server.timeouts.schedule import Values, schedule

REFERENCES = Path(__file__).parent.parent / "references"


def explain(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["explain-timeout", "--format", "json", *args])
    out, err = capsys.readouterr()
    assert not err, err
    return code, json.loads(out)


def kinds(report: dict[str, Any]) -> list[tuple[str, str | None, str, bool]]:
    return [
        (t["scope"], t["timeout_type"], t["subject"], t["inferred"]) for t in report["timeouts"]
    ]


# -- from a history: the time-skipping test server -------------------------------------------------

EXPECTED = {
    "start_to_close_exhausted": [("activity", "START_TO_CLOSE", "sleepy", False)],
    "heartbeat": [("activity", "HEARTBEAT", "progress_then_stall", False)],
    "schedule_to_close": [("activity", "SCHEDULE_TO_CLOSE", "sleepy", False)],
    "schedule_to_start": [("activity", "SCHEDULE_TO_START", "quick", False)],
    "workflow_execution_timeout": [("workflow-execution", None, "Sleeper", False)],
    "workflow_run_timeout": [("workflow-run", None, "Sleeper", False)],
    "workflow_task_timeout": [("workflow-task", "START_TO_CLOSE", "BlocksFirstTask", False)],
    "child_workflow_timeout": [("child-workflow", None, "Sleeper", False)],
    "local_activity_timeout": [("local-activity", "START_TO_CLOSE", "sleepy", False)],
    # The test server records no lastFailure: an earlier attempt's timeout is only inferred.
    "start_to_close_then_success": [("activity", None, "slow_first_attempt", True)],
    "schedule_to_close_after_failures": [
        ("activity", None, "failing", True),
        ("activity", "SCHEDULE_TO_CLOSE", "failing", True),
    ],
}


@pytest.mark.parametrize("name", EXPECTED)
def test_every_kind_of_timeout_is_found_and_explained(
    capsys: pytest.CaptureFixture[str], made_timeouts: Path, name: str
) -> None:
    code, report = explain(capsys, "--history", str(made_timeouts / f"{name}.json"))
    assert code == 1 and kinds(report) == EXPECTED[name]
    for item in report["timeouts"]:
        assert item["explanation"] and item["likely_cause"] and item["suggestions"], item
        assert item["event_id"] and item["timeline"], item


def test_a_history_without_a_timeout_says_so_plainly(
    capsys: pytest.CaptureFixture[str], made_timeouts: Path
) -> None:
    history = made_timeouts / "no_timeout.json"
    code, report = explain(capsys, "--history", str(history))
    assert (code, report["timeouts"]) == (0, [])
    assert report["notes"] == [f"{history}: no timeout in this history (17 events)"]
    assert main(["explain-timeout", "--history", str(history)]) == 0
    assert capsys.readouterr().out == f"{history}: no timeout in this history (17 events)\n"


def test_the_configured_values_come_from_the_scheduling_event(
    capsys: pytest.CaptureFixture[str], made_timeouts: Path
) -> None:
    _, report = explain(capsys, "--history", str(made_timeouts / "schedule_to_start.json"))
    [item] = report["timeouts"]
    assert item["configured"]["start_to_close"] == "10s"
    assert item["configured"]["schedule_to_start"] == "2s"
    assert item["retry_state"] == "RETRY_STATE_TIMEOUT"  # schedule-to-start is never retried
    assert "task queue 'nobody-polls' for 2s" in item["likely_cause"]


# -- from a history: the dev server records more ---------------------------------------------------


def test_a_timed_out_attempt_that_was_retried_successfully_is_reported(
    capsys: pytest.CaptureFixture[str], made_timeouts_dev: Path
) -> None:
    history = made_timeouts_dev / "start_to_close_then_success.json"
    code, report = explain(capsys, "--history", str(history))
    [item] = report["timeouts"]
    assert code == 1 and kinds(report) == [
        ("activity", "START_TO_CLOSE", "slow_first_attempt", False)
    ]
    assert (item["attempt"], item["retry_state"]) == (1, "RETRY_STATE_IN_PROGRESS")
    assert "attempt 1 timed out and the retry policy started attempt 2" in item["likely_cause"]


def test_a_heartbeat_timeout_names_the_last_heartbeat_and_its_details(
    capsys: pytest.CaptureFixture[str], made_timeouts_dev: Path
) -> None:
    _, report = explain(capsys, "--history", str(made_timeouts_dev / "heartbeat.json"))
    [item] = report["timeouts"]
    whats = [entry["what"] for entry in item["timeline"]]
    assert whats[0].startswith("scheduled on task queue") and whats[-1] == "timed out (HEARTBEAT)"
    assert "last heartbeat received: 'progress-3'" in whats
    last = next(e for e in item["timeline"] if e["what"].startswith("last heartbeat"))
    timed_out = item["timeline"][-1]
    assert timed_out["seconds"] - last["seconds"] == pytest.approx(1.0)  # the heartbeat timeout
    assert "(details 'progress-3') and none came for 1s after it" in item["likely_cause"]


def test_run_and_execution_timeouts_are_told_apart_on_both_servers(
    capsys: pytest.CaptureFixture[str], made_timeouts: Path, made_timeouts_dev: Path
) -> None:
    for folder in (made_timeouts, made_timeouts_dev):
        for name, scope in (
            ("workflow_execution_timeout", "workflow-execution"),
            ("workflow_run_timeout", "workflow-run"),
        ):
            _, report = explain(capsys, "--history", str(folder / f"{name}.json"))
            assert [t["scope"] for t in report["timeouts"]] == [scope], (folder, name)


def test_a_sticky_workflow_task_timeout_blames_the_worker(
    capsys: pytest.CaptureFixture[str], made_timeouts_dev: Path
) -> None:
    history = made_timeouts_dev / "workflow_task_schedule_to_start.json"
    _, report = explain(capsys, "--history", str(history))
    [item] = report["timeouts"]
    assert (item["scope"], item["timeout_type"]) == ("workflow-task", "SCHEDULE_TO_START")
    assert "sticky queue" in item["likely_cause"]


# -- from values ----------------------------------------------------------------------------------


def test_the_schedule_reproduces_the_references_measured_timeline() -> None:
    # references/errors-retries-timeouts.md: start-to-close 10 s, schedule-to-close 60 s, the
    # default policy; measured on the dev server: attempts at 0, 11, 23, 37, 55, over at 60 s.
    plan = schedule(Values(start_to_close=10, schedule_to_close=60))
    assert [a.starts_at_seconds for a in plan.attempts] == [0, 11, 23, 37, 55]
    assert plan.worst_case_seconds == 60
    capped = schedule(Values(start_to_close=10, schedule_to_close=60, retry_max_interval=5))
    assert [a.starts_at_seconds for a in capped.attempts] == [0, 11, 23, 37, 52]
    three = schedule(Values(start_to_close=10, schedule_to_close=60, retry_max_attempts=3))
    assert three.worst_case_seconds == 33


def test_values_give_the_attempts_and_the_worst_case(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = explain(
        capsys, "--start-to-close", "30s", "--schedule-to-close", "5m", "--heartbeat", "10s",
        "--retry-initial", "1s", "--retry-backoff", "2", "--retry-max-interval", "100s",
        "--retry-max-attempts", "5",
    )  # fmt: skip
    plan = report["schedule"]
    assert code == 0 and not plan["unbounded"]
    assert [a["starts_at_seconds"] for a in plan["attempts"]] == [0, 31, 63, 97, 135]
    assert [a["backoff_before_seconds"] for a in plan["attempts"]] == [0, 1, 2, 4, 8]
    assert plan["worst_case_seconds"] == 165
    assert any("heartbeats at most every 8s" in note for note in plan["notes"])


def test_unlimited_attempts_without_a_deadline_are_unbounded(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, report = explain(capsys, "--start-to-close", "10s")
    plan = report["schedule"]
    assert code == 1 and plan["unbounded"] and plan["worst_case_seconds"] is None
    assert plan["unbounded_reason"].startswith("unlimited attempts and no schedule-to-close")
    assert "1m40s" in plan["unbounded_reason"]  # the default maximum interval


def test_the_text_draws_the_attempts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain-timeout", "--start-to-close", "10s", "--schedule-to-close", "1m"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if re.match(r"\s+\d+ [ #]+ ", line)]
    assert len(rows) == 5 and rows[0].split()[1].startswith("#")
    assert "Worst case: 1m (60 s)" in out


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("5m", 300), ("1h30m", 5400), ("250ms", 0.25), ("1.5s", 1.5), ("2", 2)],
)
def test_durations_read_as_people_write_them(text: str, seconds: float) -> None:
    assert durations.parse(text) == seconds
    assert durations.parse(durations.text(seconds)) == seconds


# -- from an error --------------------------------------------------------------------------------

TRACEBACK = """\
Traceback (most recent call last):
  File "/app/workflows.py", line 22, in run
    await workflow.execute_activity(charge, start_to_close_timeout=timedelta(seconds=5))
temporalio.exceptions.TimeoutError: activity StartToClose timeout

The above exception was the direct cause of the following exception:

temporalio.exceptions.ActivityError: Activity task timed out
"""
UI_FAILURE = {
    "message": "Activity task timed out",
    "activityFailureInfo": {
        "activityType": {"name": "charge_card"},
        "retryState": "RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED",
    },
    "cause": {
        "message": "activity Heartbeat timeout",
        "timeoutFailureInfo": {
            "timeoutType": "TIMEOUT_TYPE_HEARTBEAT",
            "lastHeartbeatDetails": {
                "payloads": [
                    {"metadata": {"encoding": "anNvbi9wbGFpbg=="}, "data": "InByb2dyZXNzLTEi"}
                ]
            },
        },
    },
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TRACEBACK, ("activity", "START_TO_CLOSE", "")),
        ("TimeoutError(type=TimeoutType.SCHEDULE_TO_START)", ("activity", "SCHEDULE_TO_START", "")),
        (json.dumps(UI_FAILURE), ("activity", "HEARTBEAT", "charge_card")),
        ("Local Activity timed out", ("local-activity", None, "")),
        ("ChildWorkflowError: Child Workflow execution timed out", ("child-workflow", None, "")),
        (
            "WorkflowFailureError: ... TimeoutError: Workflow timed out",
            ("workflow-execution", None, ""),
        ),
    ],
)
def test_an_error_text_is_explained(text: str, expected: tuple[str, str | None, str]) -> None:
    [item] = explain_error(text)
    assert (item.scope, item.timeout_type, item.subject) == expected
    assert item.explanation and item.suggestions


def test_the_ui_failure_keeps_the_retry_state(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = explain(capsys, "--error", json.dumps(UI_FAILURE))
    [item] = report["timeouts"]
    assert code == 1 and item["retry_state"] == "RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED"
    assert "after a heartbeat with details 'progress-1'" in item["likely_cause"]


def test_an_error_that_is_not_a_timeout_is_one_plain_answer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["explain-timeout", "--error", "ValueError: invalid literal for int()"])
    out = capsys.readouterr().out
    assert code == 0 and out.count("\n") == 1 and out.startswith("The error text names no timeout")


# -- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ([], "give --history, --workflow-id, --code, values (--start-to-close ...) or --error"),
        (["--heartbeat", "10x"], "--heartbeat 10x: not a duration"),
        (["--start-to-close=-5s"], "--start-to-close -5s: not a duration"),
        (["--heartbeat", "10s"], "give --start-to-close or --schedule-to-close"),
        (["--start-to-close", "1s", "--retry-backoff", "0.5"], "--retry-backoff 0.5: must be 1"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--history", "nope.json"], "nope.json: no such file or folder"),
        (["--run-id", "r", "--error", "x"], "--run-id needs --workflow-id"),
        (["--error", "  "], "--error is empty"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], problem: str
) -> None:
    code = main(["explain-timeout", *args])
    out, err = capsys.readouterr()
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert err.startswith("temporal-pro explain-timeout: error: ") and problem in err


def test_a_file_that_is_not_a_history_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "h.json").write_text('{"events": []}')
    assert main(["explain-timeout", "--history", str(tmp_path / "h.json")]) == 2
    assert capsys.readouterr().err.endswith("h.json: the history has no events\n")


# -- one source of facts --------------------------------------------------------------------------


def test_the_references_state_heartbeat_throttling_as_the_engine_computes_it() -> None:
    sentence = " ".join(sdk_facts.HEARTBEAT_THROTTLING.split())
    for name in ("activities.md", "errors-retries-timeouts.md"):
        text = " ".join((REFERENCES / name).read_text(encoding="utf-8").split())
        assert sentence in text, name
    assert sdk_facts.heartbeat_throttle_seconds(10) == 8  # 0.8 x the timeout
    assert sdk_facts.heartbeat_throttle_seconds(None) == 30  # the default interval
    assert sdk_facts.heartbeat_throttle_seconds(600) == 60  # the cap


def test_the_references_state_the_default_retry_policy_the_engine_uses() -> None:
    text = (REFERENCES / "errors-retries-timeouts.md").read_text(encoding="utf-8")
    initial = f"{sdk_facts.DEFAULT_RETRY_INITIAL_SECONDS:g} s"
    backoff = f"x{sdk_facts.DEFAULT_RETRY_BACKOFF:.1f}"
    cap = sdk_facts.DEFAULT_RETRY_MAX_INTERVAL_FACTOR * sdk_facts.DEFAULT_RETRY_INITIAL_SECONDS
    assert f"The default policy (no `retry_policy`) is the same: {initial}, {backoff}" in text
    assert f"capped at {cap:g} s, unlimited" in text
    assert f"{sdk_facts.DEFAULT_RETRY_MAX_INTERVAL_FACTOR} x `initial_interval`" in text
    assert "What is never retried: schedule-to-start and schedule-to-close timeouts" in text
    for key in ("schedule_to_start", "schedule_to_close"):
        assert sdk_facts.ACTIVITY_TIMEOUTS[key].retried.startswith("never retried")
    for key in ("start_to_close", "heartbeat"):
        assert sdk_facts.ACTIVITY_TIMEOUTS[key].retried.startswith("retried")
