"""Replay's one entry point, `engine.run_request`, which the command line and the MCP server both
call: histories from files, from text not on disk, and the checks of a request."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mcp_server.replay.engine import run_request
from mcp_server.replay.models import ReplayError, ReplayOptions, ReplayRequest, ServerSpec

REPLAY = Path(__file__).parent / "replay"
WORKFLOWS = (str(REPLAY / "orders.py") + ":Order", str(REPLAY / "orders.py") + ":Shipping")
BREAKING = (str(REPLAY / "orders.py") + ":ActivityAdded", WORKFLOWS[1])


@pytest.fixture(autouse=True)
def _importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(REPLAY))  # orders.py imports its activities by name


def test_files_and_texts_replay_together_in_order(made: Path) -> None:
    order = (made / "order.json").read_bytes()
    request = ReplayRequest(
        workflows=WORKFLOWS,
        paths=(str(made / "order.json"),),
        sources=(("pasted", order), ("garbage", b"\xff not json")),
    )
    report = run_request(request)
    assert [(r.history, r.status) for r in report.results] == [
        (str(made / "order.json"), "ok"),
        ("pasted", "ok"),
        ("garbage", "invalid-history"),
    ]
    assert report.results[2].message.endswith("not a JSON text file (it is not UTF-8)")


def test_a_breaking_change_is_explained_through_the_engine(made: Path) -> None:
    [result] = run_request(
        ReplayRequest(workflows=BREAKING, sources=(("order", (made / "order.json").read_bytes()),))
    ).results
    assert (result.status, result.event_id) == ("nondeterminism", 5)
    assert result.code_locations and result.code_locations[0].filename == str(REPLAY / "orders.py")


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({}, "give history files or folders, or --workflow-id / --query"),
        ({"paths": ("x",), "workflows": ()}, "--workflows: give a workflow file"),
        ({"workflow_id": "a", "query": "b", "server": ServerSpec()}, "not both"),
        ({"paths": ("x",), "limit": 3}, "--limit needs --query"),
        ({"query": "q", "limit": 0, "server": ServerSpec()}, "--limit must be at least 1"),
        ({"paths": ("x",), "run_id": "r"}, "--run-id needs --workflow-id"),
        ({"workflow_id": "a"}, "need a Temporal server to fetch from"),
    ],
)
def test_a_request_checks_itself(fields: dict[str, object], problem: str) -> None:
    with pytest.raises(ReplayError, match=problem):
        ReplayRequest(**{"workflows": WORKFLOWS, **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [({"hash_seeds": -1}, "--hash-seeds must be 0 or more"), ({"timeout": 0}, "--timeout")],
)
def test_options_check_themselves(fields: dict[str, object], problem: str) -> None:
    with pytest.raises(ReplayError, match=problem):
        ReplayOptions(**fields)  # type: ignore[arg-type]


def test_missing_history_files_stop_the_run(tmp_path: Path) -> None:
    with pytest.raises(ReplayError, match=r"no history files \(\*.json, \*.jsonl\) in"):
        run_request(ReplayRequest(workflows=WORKFLOWS, paths=(str(tmp_path),)))


def test_replay_dash_reads_one_history_from_stdin(made: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mcp_server", "replay", "-", "--format", "json"]
        + [arg for spec in BREAKING for arg in ("-w", spec)],
        input=(made / "order.json").read_bytes(),
        capture_output=True,
        cwd=REPLAY,
        timeout=120,
    )
    [result] = json.loads(done.stdout)["results"]
    assert done.returncode == 1, done.stderr
    assert (result["history"], result["file"], result["status"]) == (
        "<stdin>",
        "<stdin>",
        "nondeterminism",
    )
