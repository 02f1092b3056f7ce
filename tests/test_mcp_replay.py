"""The MCP server's replay_history: the CLI's statuses and explanations through the protocol, the
workflow code in a child process with limits, and a server that keeps answering meanwhile."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest
from mcp import Client

from mcp_server.server.app import build_server
from mcp_server.server.settings import Limits, Roots, ServerSettings

pytestmark = pytest.mark.anyio

REPLAY = Path(__file__).parent / "replay"  # orders.py, the workflow versions the histories ran


def server_for(made: Path, *folders: Path, **limits: object):  # type: ignore[no-untyped-def]
    roots = Roots.of([str(REPLAY), str(made), *map(str, folders)])
    return build_server(ServerSettings(roots, Limits(**limits)))  # type: ignore[arg-type]


def text_of(result) -> str:  # type: ignore[no-untyped-def]
    return result.content[0].text


async def test_unchanged_code_replays_and_a_breaking_change_is_explained(made: Path) -> None:
    async with Client(server_for(made), mode="legacy") as client:
        ok = await client.call_tool(
            "replay_history",
            {
                "history_paths": [str(made / "order.json")],
                "workflows": ["orders.py:Order", "orders.py:Shipping"],
            },
        )
        broken = await client.call_tool(
            "replay_history",
            {
                "history_json": (made / "order.json").read_text(),
                "workflows": ["orders.py:ActivityAdded", "orders.py:Shipping"],
            },
        )
    assert not ok.is_error and ok.structured_content is not None
    assert ok.structured_content["summary"] == {"total": 1, "ok": 1, "failed": 0}
    assert [r["status"] for r in ok.structured_content["results"]] == ["ok"]
    answer = broken.structured_content
    assert not broken.is_error and answer is not None
    [result] = answer["results"]
    assert (result["status"], result["history"]) == ("nondeterminism", "history_json")
    assert "send_email" in result["message"]
    assert result["code_locations"][0]["filename"] == str(REPLAY / "orders.py")
    assert "Code: " in answer["report"] and answer["report"].endswith("(1 nondeterminism).")


async def test_a_history_that_cannot_be_read_is_a_result_not_a_tool_error(made: Path) -> None:
    async with Client(server_for(made)) as client:
        result = await client.call_tool(
            "replay_history", {"history_json": "{}", "workflows": ["orders.py:Order"]}
        )
    assert not result.is_error and result.structured_content is not None
    [row] = result.structured_content["results"]
    assert row["status"] == "invalid-history" and "no list of events" in row["message"]


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({"workflows": ["orders.py"]}, "give history_json, history_paths or workflow_id"),
        ({"workflows": [], "history_json": "{}"}, "validation error"),
        ({"workflows": ["../secret.py"], "history_json": "{}"}, "outside the folders"),
        ({"workflows": ["/etc/hosts.py"], "history_json": "{}"}, "outside the folders"),
        ({"workflows": ["nope.py"], "history_json": "{}"}, "nope.py: no such file"),
        ({"workflows": ["no.such.module"], "history_json": "{}"}, "no module no.such.module"),
        ({"workflows": ["orders.py"], "history_paths": ["/etc"]}, "outside the folders"),
        ({"workflows": ["orders.py"], "workflow_id": "order-1"}, "without --temporal-address"),
        ({"workflows": ["orders.py"], "history_json": "{}", "hash_seeds": 99}, "validation"),
        (
            {"workflows": ["orders.py"], "history_json": "{}", "data_converter": "/x.py:c"},
            "data_converter /x.py: outside the folders",
        ),
    ],
)
async def test_bad_replay_calls_are_one_line_tool_errors(
    made: Path, arguments: dict[str, object], problem: str
) -> None:
    async with Client(server_for(made)) as client:
        result = await client.call_tool("replay_history", arguments)
    assert result.is_error and problem in text_of(result), text_of(result)


async def test_history_size_and_file_count_are_limited(made: Path) -> None:
    order = (made / "order.json").read_text()
    compact = len(json.dumps(json.loads(order)))  # the SDK hands a JSON text over parsed
    async with Client(server_for(made, history_bytes=compact - 1, files=1)) as client:
        inline = await client.call_tool(
            "replay_history", {"history_json": order, "workflows": ["orders.py:Order"]}
        )
        on_disk = await client.call_tool(
            "replay_history", {"history_paths": [str(made)], "workflows": ["orders.py:Order"]}
        )
    assert inline.is_error and "over this server's limit" in text_of(inline)
    assert on_disk.is_error and "over --max-files" in text_of(on_disk)


HANGS = """\
import time

from temporalio import workflow

time.sleep(3600)  # a module that never finishes importing


@workflow.defn
class Order:
    @workflow.run
    async def run(self, order_id: str) -> str:
        return order_id
"""


async def test_a_hanging_module_times_out_while_other_calls_are_answered(
    made: Path, tmp_path: Path
) -> None:
    (tmp_path / "hangs.py").write_text(HANGS)
    answered: list[tuple[str, float]] = []
    async with Client(server_for(made, tmp_path, replay_seconds=4)) as client:

        async def replay() -> None:
            result = await client.call_tool(
                "replay_history",
                {
                    "history_paths": [str(made / "order.json")],
                    "workflows": [str(tmp_path / "hangs.py")],
                },
            )
            assert result.is_error and "did not finish within 4 s" in text_of(result)
            answered.append(("replay", time.monotonic()))

        async def lint() -> None:
            await anyio.sleep(0.5)  # the replay's child is running by now
            for _ in range(3):
                result = await client.call_tool("list_lint_rules", {})
                assert not result.is_error
            answered.append(("lint", time.monotonic()))

        async with anyio.create_task_group() as group:
            group.start_soon(replay)
            group.start_soon(lint)
        # And the server still replays afterwards.
        after = await client.call_tool(
            "replay_history",
            {
                "history_paths": [str(made / "order.json")],
                "workflows": ["orders.py:Order", "orders.py:Shipping"],
            },
        )
    assert [name for name, _ in answered] == ["lint", "replay"]
    assert not after.is_error


@pytest.mark.parametrize(
    ("module", "problem"),
    [
        ("import os\nos._exit(3)\n", "the replay process died (exit code 3)"),
        ("BLOB = bytearray(4 * 1024 ** 3)\n", "MemoryError"),
        ("print('noise on stdout')\nraise SystemExit('bye')\n", "importing broken failed"),
    ],
)
async def test_a_module_that_crashes_costs_one_call(
    made: Path, tmp_path: Path, module: str, problem: str
) -> None:
    (tmp_path / "broken.py").write_text(module)
    async with Client(server_for(made, tmp_path, replay_memory_mb=1024)) as client:
        crashed = await client.call_tool(
            "replay_history",
            {
                "history_paths": [str(made / "order.json")],
                "workflows": [str(tmp_path / "broken.py")],
            },
        )
        fine = await client.call_tool(
            "replay_history",
            {
                "history_paths": [str(made / "order.json")],
                "workflows": ["orders.py:Order", "orders.py:Shipping"],
            },
        )
    assert crashed.is_error and problem in text_of(crashed), text_of(crashed)
    assert not fine.is_error and fine.structured_content is not None
    assert fine.structured_content["summary"]["ok"] == 1


async def test_the_answer_is_the_cli_json(made: Path) -> None:
    workflows = ["orders.py:ActivityAdded", "orders.py:Shipping"]
    async with Client(server_for(made)) as client:
        result = await client.call_tool(
            "replay_history",
            {"history_paths": [str(made / "order.json")], "workflows": workflows},
        )
    command = [sys.executable, "-m", "mcp_server", "replay", "--format", "json"]
    command += [str(made / "order.json"), "-w", workflows[0], "-w", workflows[1]]
    done = subprocess.run(command, cwd=REPLAY, capture_output=True, text=True, timeout=120)
    cli = json.loads(done.stdout)
    tool = result.structured_content
    assert tool is not None and tool["summary"] == cli["summary"]
    assert tool["results"] == cli["results"]
