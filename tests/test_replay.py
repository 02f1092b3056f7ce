"""`temporal-pro replay`: every status, the explanations, the input formats and bad input.

The histories come from real runs: `replay/make_histories.py` runs the workflows of
`replay/orders.py` in the time-skipping test server once per session. Each test replays them
against a later edit of the workflow, the way a user checks a change before deploying it.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from mcp_server.cli import main
from mcp_server.replay.testing import assert_replays

from conftest import GENERATION_SEED

HERE = Path(__file__).parent / "replay"
ORDERS = HERE / "orders.py"


@pytest.fixture(autouse=True)
def _beside_the_workflows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)
    monkeypatch.syspath_prepend(str(HERE))  # `import orders` in a test run on its own too


def replay(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["replay", "--format", "json", *args])
    out, err = capsys.readouterr()
    assert not err, err
    return code, json.loads(out)


def replay_cli(
    *args: str, seed: str = GENERATION_SEED, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """The console script in a fresh process: for hash seeds and for workflows that never finish."""
    return subprocess.run(
        [sys.executable, "-c", "from mcp_server.cli import entry; entry()", "replay", *args],
        capture_output=True,
        text=True,
        cwd=HERE,
        env={**os.environ, "PYTHONHASHSEED": seed},
        timeout=timeout,
    )


def row_of(cls: str, snippet: str) -> int:
    """The line of `snippet` inside class `cls` of orders.py (so edits to the file move both)."""
    lines = ORDERS.read_text().splitlines()
    start = lines.index(next(line for line in lines if line.startswith(f"class {cls}:")))
    return next(n for n, line in enumerate(lines[start:], start + 1) if snippet in line)


# -- unchanged code, patched changes, and changes replay cannot see --------------------------------

PASSING = [
    "Order",
    "ActivityAddedPatched",
    "ActivityRemovedPatched",
    "ActivitiesReorderedPatched",
    "ActivityRenamedPatched",
    "TimerAddedPatched",
    "TimerRemovedPatched",
    "LocalToRegularPatched",
    "ChildTypeChangedPatched",
    "ArgumentsChanged",  # replay compares commands, not their arguments or durations
]


@pytest.mark.parametrize("cls", PASSING)
def test_unchanged_and_patched_code_replays(
    capsys: pytest.CaptureFixture[str], made: Path, cls: str
) -> None:
    code, report = replay(
        capsys,
        str(made / "order.json"),
        str(made / "order-partial.json"),
        "-w",
        f"orders.py:{cls}",
        "-w",
        "orders.py:Shipping",
    )
    assert [r["status"] for r in report["results"]] == ["ok", "ok"]
    assert report["summary"] == {"total": 2, "ok": 2, "failed": 0}
    assert code == 0


@pytest.mark.parametrize("spec", ["orders:Order", str(ORDERS) + ":Order", "orders.py:Order"])
def test_workflow_spec_forms(capsys: pytest.CaptureFixture[str], made: Path, spec: str) -> None:
    code, report = replay(capsys, str(made / "order.json"), "-w", spec, "-w", "orders:Shipping")
    assert (code, report["results"][0]["status"]) == (0, "ok")


# -- each way of breaking replay: the event, the causes, and the call site -------------------------

BREAKING = [
    # class, event id, event type in the explanation, a likely cause, the call site the code now has
    (
        "ActivityAdded",
        5,
        "ActivityTaskScheduled",
        "added, removed or reordered",
        "execute_activity(send_email",
    ),
    (
        "ActivityRemoved",
        26,
        "ActivityTaskScheduled",
        "'charge_card' at the end was removed",
        'return "done"',
    ),
    (
        "ActivitiesReordered",
        5,
        "ActivityTaskScheduled",
        "added, removed or reordered",
        "execute_activity(charge_card",
    ),
    (
        "ActivityRenamed",
        5,
        "ActivityTaskScheduled",
        "from 'reserve_inventory' to 'reserve_stock'",
        "execute_activity(reserve_stock",
    ),
    (
        "TimerAdded",
        5,
        "ActivityTaskScheduled",
        "a timer was added",
        "workflow.sleep(timedelta(seconds=30))",
    ),
    ("TimerRemoved", 12, "TimerStarted", "timer '0:05:00' was removed", "execute_child_workflow("),
    (
        "LocalToRegular",
        11,
        "MarkerRecorded",
        "'quote_price' became a regular activity",
        "execute_activity(quote_price",
    ),
    (
        "ChildTypeChanged",
        17,
        "StartChildWorkflowExecutionInitiated",
        "from 'Shipping' to 'Express'",
        "execute_child_workflow(Express.run",
    ),
]


@pytest.mark.parametrize(("cls", "event_id", "event_type", "cause", "call"), BREAKING)
def test_breaking_change_is_explained(
    capsys: pytest.CaptureFixture[str],
    made: Path,
    cls: str,
    event_id: int,
    event_type: str,
    cause: str,
    call: str,
) -> None:
    code, report = replay(
        capsys,
        str(made / "order.json"),
        "-w",
        f"orders.py:{cls}",
        "-w",
        "orders.py:Express",
        "-w",
        "orders.py:Shipping",
    )
    [result] = report["results"]
    assert code == 1
    assert result["status"] == "nondeterminism"
    assert "[TMPRL1100]" in result["message"]
    assert result["event_id"] == event_id
    assert f"Event {event_id} ({event_type})" in result["explanation"]
    assert any(cause in c for c in result["likely_causes"]), result["likely_causes"]
    assert result["code_locations"][0] == {
        "filename": str(ORDERS),
        "row": row_of(cls, call),
        "column": 9 if call.startswith("return") else 15,
    }
    assert report["summary"] == {"total": 1, "ok": 0, "failed": 1}


def test_mismatch_in_a_loop_names_the_event_that_broke(
    capsys: pytest.CaptureFixture[str], made: Path
) -> None:
    # Core's message names only the type, which all three scheduled events share; the engine
    # replays prefixes to find which one breaks: the second item's.
    events = json.loads((made / "batch.json").read_text())["events"]
    scheduled = [
        int(e["eventId"]) for e in events if e["eventType"] == "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"
    ]
    assert len(scheduled) == 3
    code, report = replay(capsys, str(made / "batch.json"), "-w", "orders.py:BatchAudited")
    [result] = report["results"]
    assert (code, result["status"], result["event_id"]) == (1, "nondeterminism", scheduled[1])
    assert result["explanation"].startswith(f"Event {scheduled[1]} (ActivityTaskScheduled)")
    assert result["code_locations"][0]["row"] == row_of("BatchAudited", "send_email")


def test_patch_lifecycle(capsys: pytest.CaptureFixture[str], made: Path) -> None:
    """patched() -> deprecate_patch() -> removal, against a history recorded with the patch."""
    patched = str(made / "order-patched.json")
    for cls in ("ActivityAddedPatched", "ActivityAddedDeprecated"):
        code, report = replay(capsys, patched, "-w", f"orders.py:{cls}", "-w", "orders.py:Shipping")
        assert (code, report["results"][0]["status"]) == (0, "ok"), cls
    code, report = replay(capsys, patched, "-w", "orders.py:Order", "-w", "orders.py:Shipping")
    [result] = report["results"]
    assert (code, result["status"], result["event_id"]) == (1, "nondeterminism", 5)
    assert "Non-deprecated patch marker encountered for change email-first" in result["message"]
    assert result["explanation"].startswith("Event 5 (MarkerRecorded) recorded patch 'email-first'")
    assert "deprecate_patch('email-first')" in result["likely_causes"][0]


def test_text_report_names_event_causes_and_code(
    capsys: pytest.CaptureFixture[str], made: Path
) -> None:
    code = main(
        [
            "replay",
            str(made / "order.json"),
            "-w",
            "orders.py:ActivityAdded",
            "-w",
            "orders.py:Shipping",
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    # The time-skipping server records no workflow id, so none follows the type.
    assert out.startswith(f"nondeterminism at event 5: {made / 'order.json'}  Order\n")
    assert "Likely causes:\n    - an activity was added" in out
    assert f"Code: orders.py:{row_of('ActivityAdded', 'send_email')}:15" in out
    assert out.rstrip().endswith("Replayed 1 history: 0 ok, 1 failed (1 nondeterminism).")


# -- task failures ---------------------------------------------------------------------------------


def test_task_failure_in_a_partial_history_that_the_bare_replayer_passes(
    capsys: pytest.CaptureFixture[str], made: Path
) -> None:
    import orders

    partial = WorkflowHistory.from_json("order-partial", (made / "order-partial.json").read_text())
    bare = asyncio.run(
        Replayer(workflows=[orders.ClockAfterTimer]).replay_workflow(
            partial, raise_on_replay_failure=False
        )
    )
    assert bare.replay_failure is None  # the trap: the bare Replayer says this history passes

    code, report = replay(
        capsys, str(made / "order-partial.json"), "-w", "orders.py:ClockAfterTimer"
    )
    [result] = report["results"]
    assert code == 1
    assert result["status"] == "task-failure"
    assert result["message"].startswith(
        "RestrictedWorkflowAccessError: Cannot access datetime.datetime.now"
    )
    assert "a bare Replayer reports it as passing" in result["explanation"]
    assert result["event_id"] == len(partial.events)
    assert result["code_locations"] == [
        {"filename": str(ORDERS), "row": row_of("ClockAfterTimer", "datetime.now()"), "column": 9}
    ]


def test_histories_of_workers_with_a_codec_need_their_data_converter(
    capsys: pytest.CaptureFixture[str], made: Path
) -> None:
    encoded = str(made / "order-encoded.json")
    code, report = replay(capsys, encoded, "-w", "orders.py:Order", "-w", "orders.py:Shipping")
    [result] = report["results"]
    assert (code, result["status"]) == (1, "task-failure")
    assert "--data-converter" in result["likely_causes"][0]
    code, report = replay(
        capsys,
        encoded,
        "-w",
        "orders.py:Order",
        "-w",
        "orders.py:Shipping",
        "--data-converter",
        "codec:converter",
    )
    assert (code, report["results"][0]["status"]) == (0, "ok")
    assert (
        main(
            ["replay", encoded, "-w", "orders.py:Order", "--data-converter", "codec:ReversingCodec"]
        )
        == 2
    )
    assert (
        capsys.readouterr().err
        == "temporal-pro replay: error: --data-converter codec:ReversingCodec: not a temporalio.converter.DataConverter (nor a function returning one)\n"
    )


def test_activity_without_timeout_is_a_task_failure(
    capsys: pytest.CaptureFixture[str], made: Path
) -> None:
    code, report = replay(
        capsys, str(made / "order.json"), "-w", "orders.py:NoTimeout", "-w", "orders.py:Shipping"
    )
    [result] = report["results"]
    assert (code, result["status"]) == (1, "task-failure")
    assert "start_to_close_timeout" in result["message"]
    assert (
        "bare Replayer" not in result["explanation"]
    )  # it fails a complete task: Replayer sees it
    assert result["code_locations"][0]["row"] == row_of("NoTimeout", "charge_card, order_id)")


def test_deadlocked_workflow_is_reported_and_the_batch_goes_on(
    capsys: pytest.CaptureFixture[str], made: Path
) -> None:
    code, report = replay(
        capsys, str(made / "order.json"), str(made / "order.json"), "-w", "orders.py:SpinsForever"
    )
    assert code == 1
    for result in report["results"]:
        assert result["status"] == "task-failure"
        assert "[TMPRL1101] Potential deadlock detected" in result["message"]
        assert result["code_locations"][0]["row"] == row_of("SpinsForever", "while True")


def test_workflow_blocked_in_c_code_hits_the_timeout_and_the_rest_still_replays(made: Path) -> None:
    started = time.monotonic()
    done = replay_cli(
        str(made / "order.json"),
        str(made / "fanout.json"),
        "-w",
        "orders.py:BlocksForever",
        "-w",
        "orders.py:Fanout",
        "--timeout",
        "4",
        "--format",
        "json",
    )
    assert time.monotonic() - started < 60
    results = json.loads(done.stdout)["results"]
    assert done.returncode == 1, done.stderr
    assert results[0]["status"] == "task-failure"
    assert "did not finish within 4 s" in results[0]["message"]
    assert results[1]["status"] == "ok"


# -- hash seeds ------------------------------------------------------------------------------------


def test_set_order_bug_is_caught_only_with_hash_seeds(made: Path) -> None:
    history = str(made / "fanout.json")
    single = replay_cli(history, "-w", "orders.py:Fanout")
    assert single.returncode == 0, single.stdout + single.stderr
    seeded = replay_cli(history, "-w", "orders.py:Fanout", "--hash-seeds", "4", "--format", "json")
    assert seeded.returncode == 1, seeded.stderr
    [result] = json.loads(seeded.stdout)["results"]
    assert result["status"] == "nondeterminism"
    assert result["message"].startswith("PYTHONHASHSEED=")
    assert "depend on hash order" in result["explanation"]
    assert "iterates a set" in result["likely_causes"][0]


def test_hash_seeds_pass_a_deterministic_workflow(made: Path) -> None:
    done = replay_cli(
        str(made / "order.json"),
        "-w",
        "orders.py:Order",
        "-w",
        "orders.py:Shipping",
        "--hash-seeds",
        "3",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Replayed 1 history: 1 ok, 0 failed." in done.stdout


# -- input formats ---------------------------------------------------------------------------------


def _pascal(value: str, prefix: str) -> str:
    return "".join(word.title() for word in value.removeprefix(prefix).split("_"))


def old_ui_download(history: dict[str, Any]) -> dict[str, Any]:
    """The shape of the web UI's downloads before v2.23 (and of web v1's export): short enum names
    and, in v1, numbers for int64 fields."""
    events = []
    for event in history["events"]:
        event = json.loads(json.dumps(event))
        event["eventType"] = _pascal(event["eventType"], "EVENT_TYPE_")
        event["eventId"] = int(event["eventId"])
        for attributes in event.values():
            if isinstance(attributes, dict) and isinstance(attributes.get("taskQueue"), dict):
                kind = attributes["taskQueue"].get("kind")
                if kind:
                    attributes["taskQueue"]["kind"] = _pascal(kind, "TASK_QUEUE_KIND_")
        events.append(event)
    return {"events": events}


def test_every_export_shape_replays(
    capsys: pytest.CaptureFixture[str], made: Path, tmp_path: Path
) -> None:
    history = json.loads((made / "order.json").read_text())
    shapes = {
        "sdk.json": (made / "order.json").read_text(),  # WorkflowHandle.fetch_history().to_json()
        "ui.json": json.dumps(history, indent=2),  # the UI's "Encoded" download
        "ui-old.json": json.dumps(old_ui_download(history)),
        "bare-list.json": json.dumps(history["events"]),
        "api-response.json": json.dumps({"history": history}),
        "two.jsonl": json.dumps(history)
        + "\n"
        + json.dumps(history)
        + "\n",  # temporal ... -o jsonl
        "concatenated.json": json.dumps(history, indent=2) + json.dumps(history, indent=2),
    }
    for name, text in shapes.items():
        (tmp_path / name).write_text(text)
    assert old_ui_download(history)["events"][0]["eventType"] == "WorkflowExecutionStarted"
    code, report = replay(
        capsys, str(tmp_path), "-w", "orders.py:Order", "-w", "orders.py:Shipping"
    )
    names = [Path(r["history"]).name for r in report["results"]]
    assert names == [
        "api-response.json",
        "bare-list.json",
        "concatenated.json#1",
        "concatenated.json#2",
        "sdk.json",
        "two.jsonl#1",
        "two.jsonl#2",
        "ui-old.json",
        "ui.json",
    ]
    assert {r["status"] for r in report["results"]} == {"ok"}
    assert code == 0


# -- which run each result is about ----------------------------------------------------------------


def test_workflow_id_is_the_one_the_history_records_never_the_file_name(
    capsys: pytest.CaptureFixture[str], made: Path, made_dev: Path, tmp_path: Path
) -> None:
    # The time-skipping server records no workflow id ("order-1"): null, not "order".
    order = str(made / "order.json")
    code, report = replay(capsys, order, "-w", "orders.py:Order", "-w", "orders.py:Shipping")
    [result] = report["results"]
    assert (result["history"], result["file"], result["index"]) == (order, order, None)
    assert (result["workflow_id"], result["workflow_type"], code) == (None, "Order", 0)

    # The dev server records it, and every export of its history keeps it.
    dev = json.loads((made_dev / "batch-dev.json").read_text())
    (tmp_path / "api-response.json").write_text(json.dumps({"history": dev}))
    (tmp_path / "runs.jsonl").write_text(json.dumps(dev) + "\n" + json.dumps(dev) + "\n")
    files = [
        str(made_dev / "batch-dev.json"),  # to_json()
        str(made_dev / "batch-dev-shown.json"),  # temporal workflow show --output json
        str(tmp_path),
    ]
    expected = [
        ("batch-dev.json", "batch-dev.json", None, "batch-dev", "ok"),
        ("batch-dev-shown.json", "batch-dev-shown.json", None, "batch-dev", "ok"),
        ("api-response.json", "api-response.json", None, "batch-dev", "ok"),
        ("runs.jsonl#1", "runs.jsonl", 1, "batch-dev", "ok"),
        ("runs.jsonl#2", "runs.jsonl", 2, "batch-dev", "ok"),
    ]

    def rows(results: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [
            (
                Path(r["history"]).name,
                Path(r["file"]).name,
                r["index"],
                r["workflow_id"],
                r["status"],
            )
            for r in results
        ]

    code, report = replay(capsys, *files, "-w", "orders.py:Batch")
    assert (code, rows(report["results"])) == (0, expected)
    # The processes of --hash-seeds report the same.
    seeded = replay_cli(*files, "-w", "orders.py:Batch", "--hash-seeds", "2", "--format", "json")
    assert seeded.returncode == 0, seeded.stderr
    assert rows(json.loads(seeded.stdout)["results"]) == expected

    # The text report names the id only where the history records one.
    empty = tmp_path / "empty.json"
    empty.write_text("")
    workflows = ["-w", "orders.py:Order", "-w", "orders.py:Shipping", "-w", "orders.py:Batch"]
    assert main(["replay", order, str(made_dev / "batch-dev.json"), str(empty), *workflows]) == 1
    assert capsys.readouterr().out.splitlines()[:4] == [
        f"ok: {order}  Order",
        f"ok: {made_dev / 'batch-dev.json'}  Batch (batch-dev)",
        f"invalid-history: {empty}",
        "  the file is empty",
    ]


# -- bad input -------------------------------------------------------------------------------------


def test_unreadable_histories_are_results_and_hide_nothing(
    capsys: pytest.CaptureFixture[str], made: Path, tmp_path: Path
) -> None:
    history = json.loads((made / "order.json").read_text())
    readable = json.loads(json.dumps(history))
    readable["events"][0]["workflowExecutionStartedEventAttributes"]["input"]["payloads"][0] = {
        "metadata": {"encoding": "json/plain"},
        "data": "o-1",
    }
    files = {
        "a-malformed.json": '{"events": [',
        "b-empty.json": "",
        "c-no-start.json": json.dumps({"events": history["events"][1:]}),
        "d-no-events.json": json.dumps({"workflow": "x"}),
        "e-readable.json": json.dumps(readable),
        "f-good.json": json.dumps(history),
        "g-binary.json": "\udcff",
        "h-numbers.json": "[1, 2, 3]",
    }
    for name, text in files.items():
        (tmp_path / name).write_bytes(text.encode("utf-8", "surrogateescape"))
    code, report = replay(
        capsys, str(tmp_path), "-w", "orders.py:Order", "-w", "orders.py:Shipping"
    )
    statuses = {Path(r["history"]).name: (r["status"], r["message"]) for r in report["results"]}
    assert code == 1
    assert statuses["a-malformed.json"][0] == "invalid-history"
    assert statuses["a-malformed.json"][1].startswith("not valid JSON: line 1 column")
    assert statuses["b-empty.json"] == ("invalid-history", "the file is empty")
    assert statuses["c-no-start.json"] == (
        "invalid-history",
        "the first event is EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, not a WorkflowExecutionStarted event",
    )
    assert statuses["d-no-events.json"][0] == "invalid-history"
    assert "'Readable' download" in statuses["e-readable.json"][1]
    assert statuses["f-good.json"] == ("ok", "")
    assert statuses["g-binary.json"] == (
        "invalid-history",
        "not a JSON text file (it is not UTF-8)",
    )
    assert statuses["h-numbers.json"] == (
        "invalid-history",
        "the events are not objects (the first is 1)",
    )
    assert report["summary"] == {"total": 8, "ok": 1, "failed": 7}
    assert all(r["file"] == str(tmp_path / Path(r["history"]).name) for r in report["results"])
    assert {r["workflow_id"] for r in report["results"]} == {None}  # time-skipping histories


def test_unregistered_workflow_type(capsys: pytest.CaptureFixture[str], made: Path) -> None:
    code, report = replay(capsys, str(made / "order.json"), "-w", "orders.py:Fanout")
    [result] = report["results"]
    assert (code, result["status"]) == (1, "workflow-not-registered")
    assert result["message"] == "workflow type 'Order' is not among the registered ones (Fanout)"


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        ("missing.py", "--workflows missing.py: no such file"),
        (".", "--workflows .: a folder; give a .py file or a module"),
        ("orders.py:T", "--workflows orders.py:T: 'T' is not a @workflow.defn class"),
        ("orders.py:Nope", "--workflows orders.py:Nope: orders has no 'Nope'"),
        ("activities.py", "--workflows activities.py: no @workflow.defn classes in activities"),
        (
            "no_such_pkg.flows",
            "--workflows no_such_pkg.flows: importing no_such_pkg.flows failed: ModuleNotFoundError: No module named 'no_such_pkg'",
        ),
        (
            "orders.py",
            "--workflows: two classes register workflow type 'Shipping': orders.py (Shipping) and orders.py (ShippingV2)",
        ),
    ],
)
def test_bad_workflow_specs_are_one_line_errors(
    capsys: pytest.CaptureFixture[str], made: Path, spec: str, error: str
) -> None:
    code = main(["replay", str(made / "order.json"), "-w", spec])
    out, err = capsys.readouterr()
    assert code == 2
    assert not out
    assert err.startswith(f"temporal-pro replay: error: {error}")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("latin-1", "not valid UTF-8 (or declared-encoding) text"),
        ("binary", "binary file, not Python source"),
        ("pipe", "not a regular file"),
    ],
)
def test_unreadable_workflow_file_is_refused_in_the_words_of_lint(
    capsys: pytest.CaptureFixture[str], made: Path, tmp_path: Path, kind: str, reason: str
) -> None:
    source = tmp_path / "flows.py"
    if kind == "pipe":
        os.mkfifo(source)  # importing it would wait forever for a writer
    elif kind == "latin-1":  # no coding line; an import lets it pass, in a comment, unlike lint
        source.write_bytes("# café\nfrom temporalio import workflow\n".encode("latin-1"))
    else:
        source.write_bytes(b"\x7fELF\x02\x01\x00\x00")
    assert main(["lint", str(source)]) == 2
    lint_error = capsys.readouterr().err
    assert lint_error.endswith(f": error: {source}: {reason}\n")
    for args in (
        ["--workflows", str(source)],
        ["-w", "orders.py:Order", "--data-converter", f"{source}:converter"],
    ):
        assert main(["replay", str(made / "order.json"), *args]) == 2
        err = capsys.readouterr().err
        assert err.endswith(f": error: {args[-2]} {args[-1]}: {reason}\n"), err
        assert err.count("\n") == 1


def test_module_that_raises_on_import_reports_its_own_error(
    capsys: pytest.CaptureFixture[str], made: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken_flows.py"
    broken.write_text("import os\nraise RuntimeError('DATABASE_URL is not set')\n")
    code = main(["replay", str(made / "order.json"), "-w", str(broken)])
    err = capsys.readouterr().err
    assert code == 2
    assert (
        err
        == f"temporal-pro replay: error: --workflows {broken}: importing broken_flows failed: RuntimeError: DATABASE_URL is not set\n"
    )


def test_workflow_the_sandbox_rejects_at_import_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], made: Path, tmp_path: Path
) -> None:
    flows = tmp_path / "clock_at_import.py"
    flows.write_text(
        "from datetime import datetime\n"
        "from temporalio import workflow\n"
        "STARTED = datetime.now()\n"
        "@workflow.defn(name='Order')\n"
        "class Order:\n"
        "    @workflow.run\n"
        "    async def run(self, order_id: str) -> str:\n"
        "        return order_id\n"
    )
    code = main(["replay", str(made / "order.json"), "-w", str(flows)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(
        "temporal-pro replay: error: --workflows: RuntimeError: Failed validating workflow Order: "
        "RestrictedWorkflowAccessError: Cannot access datetime.datetime.now"
    )
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ([], "give history files or folders, or --workflow-id / --query"),
        (["nowhere/"], "nowhere/: no such file or folder"),
        (["--workflow-id", "a", "--query", "b"], "give --workflow-id or --query, not both"),
        (["--hash-seeds", "-1", "x.json"], "--hash-seeds must be 0 or more"),
        (["--timeout", "0", "x.json"], "--timeout must be positive"),
        (["--timeout", "nan", "x.json"], "--timeout must be positive, not nan"),
        (["--limit", "0", "--query", "x"], "--limit must be at least 1"),
        (["--limit", "5", "x.json"], "--limit needs --query"),
        (["."], "no history files (*.json, *.jsonl) in ."),  # tests/replay holds none
    ],
)
def test_bad_options_are_one_line_errors(
    capsys: pytest.CaptureFixture[str], args: list[str], error: str
) -> None:
    code = main(["replay", "-w", "orders.py:Order", *args])
    err = capsys.readouterr().err
    assert code == 2
    assert error in err
    assert err.count("\n") == 1


def test_unreachable_server_fails_fast_with_one_line(made: Path) -> None:
    started = time.monotonic()
    done = replay_cli(
        "-w", "orders.py:Order", "--address", "127.0.0.1:1", "--workflow-id", "x", timeout=60
    )
    assert time.monotonic() - started < 20
    assert done.returncode == 2
    assert done.stderr.startswith(
        "temporal-pro replay: error: cannot connect to Temporal at 127.0.0.1:1"
    )
    assert done.stderr.count("\n") == 1


def test_server_that_accepts_but_never_answers_times_out_with_one_line(made: Path) -> None:
    import socket

    with socket.socket() as silent:  # the kernel completes the handshake; nothing ever replies
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        address = f"127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        done = replay_cli(
            "-w", "orders.py:Order", "--address", address, "--workflow-id", "x", timeout=60
        )
        took = time.monotonic() - started
    assert took < 30
    assert done.returncode == 2
    assert (
        done.stderr
        == f"temporal-pro replay: error: cannot connect to Temporal at {address}: no answer within 5 s\n"
    )


# -- the pytest helper -----------------------------------------------------------------------------


def test_assert_replays_passes_and_fails_with_the_explanation(made: Path, tmp_path: Path) -> None:
    import orders

    assert_replays(made / "order.json", [orders.Order, orders.Shipping])
    with pytest.raises(AssertionError) as failure:
        assert_replays([made / "order.json"], [orders.TimerAdded, orders.Shipping])
    text = str(failure.value)
    assert "nondeterminism at event 5" in text
    assert "a timer was added before this point" in text
    with pytest.raises(AssertionError, match="no histories found"):
        assert_replays(tmp_path, [orders.Order])
