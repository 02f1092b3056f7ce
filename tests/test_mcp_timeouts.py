"""The MCP server's explain_timeout: the same answers as `temporal-pro explain-timeout`, from a
history, an error, values and code, within the server's roots and without a live server."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mcp import Client

from mcp_server.server.app import build_server
from mcp_server.server.settings import Roots, ServerSettings

pytestmark = pytest.mark.anyio

FIXTURES = Path(__file__).parent / "fixtures" / "timeouts"


@pytest.fixture
def project(tmp_path: Path, made_timeouts: Path) -> Path:
    shutil.copy(made_timeouts / "heartbeat.json", tmp_path / "heartbeat.json")
    shutil.copytree(FIXTURES, tmp_path / "code")
    return tmp_path


def text_of(result) -> str:  # type: ignore[no-untyped-def]
    return result.content[0].text


async def test_a_history_gives_the_clis_answer(project: Path) -> None:
    async with Client(build_server(ServerSettings(Roots.of([str(project)])))) as client:
        result = await client.call_tool("explain_timeout", {"history_paths": ["heartbeat.json"]})
    history = str(project / "heartbeat.json")
    done = subprocess.run(
        [sys.executable, "-m", "mcp_server", "explain-timeout", "--format", "json", "--history", history],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    cli = json.loads(done.stdout)
    answer = result.structured_content
    assert not result.is_error and answer is not None
    assert answer["timeouts"] == cli["timeouts"]
    assert answer["timeouts"][0]["timeout_type"] == "HEARTBEAT"
    assert "heartbeat" in answer["report"]


async def test_values_errors_and_code_combine(project: Path) -> None:
    async with Client(
        build_server(ServerSettings(Roots.of([str(project)]))), mode="legacy"
    ) as client:
        result = await client.call_tool(
            "explain_timeout",
            {
                "values": {"start_to_close": "10s", "schedule_to_close": "1m"},
                "error": "temporalio.exceptions.TimeoutError: activity ScheduleToStart timeout",
                "code_paths": ["code"],
            },
        )
    answer = result.structured_content
    assert not result.is_error and answer is not None
    assert answer["schedule"]["worst_case_seconds"] == 60
    assert [t["timeout_type"] for t in answer["timeouts"]] == ["SCHEDULE_TO_START"]
    assert answer["calls"] and {w["code"] for w in answer["warnings"]} >= {"heartbeat-never-sent"}


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({}, "give --history, --workflow-id, --code, values"),
        ({"history_paths": ["../outside.json"]}, "outside the folders this server may read"),
        ({"code_paths": ["/etc"]}, "outside the folders this server may read"),
        ({"workflow_id": "order-1"}, "without --temporal-address"),
        ({"values": {"heartbeat": "10x", "start_to_close": "1s"}}, "heartbeat 10x: not a duration"),
        ({"values": {"retry_backoff": 0.5, "start_to_close": "1s"}}, "validation error"),
        ({"history_json": '{"events": []}'}, "the history has no events"),
    ],
)
async def test_bad_calls_are_one_line_tool_errors(
    project: Path, arguments: dict[str, object], problem: str
) -> None:
    async with Client(build_server(ServerSettings(Roots.of([str(project)])))) as client:
        result = await client.call_tool("explain_timeout", arguments)
    assert result.is_error and problem in text_of(result), text_of(result)
