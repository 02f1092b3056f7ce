"""The MCP server as IDEs start it: `python -m mcp_server mcp` as a real process, over stdio and over
streamable HTTP, driven by the SDK's clients and by the MCP Inspector's CLI, a client nobody on
the team wrote."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import PROCESS_TERMINATION_TIMEOUT, stdio_client

from mcp_server import __version__, pack
from mcp_server.lint.rules import RULES

from test_mcp_server import TOOLS

pytestmark = pytest.mark.anyio

SERVER = [sys.executable, "-m", "mcp_server", "mcp"]
INSPECTOR = Path(__file__).parent / "clients" / "node_modules" / ".bin" / "mcp-inspector"


def flow(imports: str, body: str) -> str:
    """A workflow module whose run() does `body`: line 9 is the body when `imports` is one line."""
    return f"""{imports}from temporalio import workflow


@workflow.defn
class Flow:
    @workflow.run
    async def run(self) -> object:
        {body}
"""


BAD = flow("import time\n", "return time.time()")
UUID = flow("import uuid\n", "return str(uuid.uuid4())")

# One mistake per source, each with the one finding it must give: (code, row, column).
MISTAKES = {
    BAD: ("TPR101", 9, 16),
    flow("import random\n", "return random.random()"): ("TPR103", 9, 16),
    UUID: ("TPR105", 9, 20),
    flow("import time\n", "time.sleep(1)"): ("TPR106", 9, 9),
    flow("", "return open('orders.csv').read()"): ("TPR201", 8, 16),
    flow("import threading\n", "threading.Thread(target=print).start()"): ("TPR204", 9, 9),
    flow("import os\n", "return os.environ['REGION']"): ("TPR205", 9, 16),
    flow("", "return [x for x in {1, 2, 3}]"): ("TPR301", 8, 28),
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "app" / "workflows.py").write_text(BAD)
    (tmp_path / "secret.py").write_text(BAD)  # beside the root, never readable
    return root.resolve()


def outside(root: Path) -> str:
    """The tool error for ../secret.py, as the model reads it."""
    return (
        "Error executing tool lint_workflow_code: path ../secret.py: outside the folders this "
        f"server may read ({root}); give a path inside them"
    )


def found(answer: dict[str, Any] | None) -> list[tuple[str, int, int]]:
    assert answer is not None
    return [(f["code"], f["location"]["row"], f["location"]["column"]) for f in answer["findings"]]


def text_of(result: Any) -> str:
    return result.content[0].text


# --- stdio ------------------------------------------------------------------------------------
async def test_a_stdio_session_with_the_server_as_a_subprocess(
    project: Path, tmp_path: Path
) -> None:
    faults: list[Exception] = []

    async def on_message(message: object) -> None:
        # A line on stdout that is not JSON-RPC arrives here as an exception.
        if isinstance(message, Exception):
            faults.append(message)

    params = StdioServerParameters(
        command=SERVER[0], args=[*SERVER[1:], "--root", str(project)], cwd=str(tmp_path)
    )
    with (tmp_path / "stderr.txt").open("w") as errlog:
        transport = stdio_client(params, errlog=errlog)
        async with Client(transport, mode="legacy", message_handler=on_message) as client:
            assert client.protocol_version == "2025-11-25"  # the handshake Claude Code speaks
            assert client.server_info is not None
            assert (client.server_info.name, client.server_info.version) == (
                "temporal-python-pro",
                __version__,
            )
            assert {tool.name for tool in (await client.list_tools()).tools} == TOOLS

            linted = await client.call_tool("lint_workflow_code", {"paths": ["app/workflows.py"]})
            assert not linted.is_error and found(linted.structured_content) == [("TPR101", 9, 16)]
            [finding] = linted.structured_content["findings"]
            assert finding["filename"] == str(project / "app" / "workflows.py")
            assert [hop["function"] for hop in finding["chain"]] == ["Flow.run", "time.time"]

            rule = (await client.read_resource("temporal-python-pro://rules/TPR101")).contents[0]
            assert rule.text.startswith("# TPR101 workflow-wall-clock")  # type: ignore[union-attr]

            prompt = await client.get_prompt("review_workflow_file", {"path": "app/workflows.py"})
            text = prompt.messages[0].content.text  # type: ignore[union-attr]
            assert "lint_workflow_code" in text and "return time.time()" in text

            refused = await client.call_tool("lint_workflow_code", {"paths": ["../secret.py"]})
            assert refused.is_error and text_of(refused) == outside(project)

            # The session goes on after a refused call.
            again = await client.call_tool("lint_workflow_code", {"source": BAD})
            assert found(again.structured_content) == [("TPR101", 9, 16)]
            closing = time.monotonic()
        # The client closes stdin and waits PROCESS_TERMINATION_TIMEOUT before it sends
        # SIGTERM: a quicker close means the server left on its own.
        assert time.monotonic() - closing < PROCESS_TERMINATION_TIMEOUT
    assert faults == []
    assert (tmp_path / "stderr.txt").read_text() == ""


def test_stdout_carries_only_protocol_and_the_server_exits_0_when_stdin_closes(
    project: Path,
) -> None:
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "pipe", "version": "0"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "lint_workflow_code", "arguments": {"source": BAD}},
        },
    ]
    with subprocess.Popen(
        [*SERVER, "--root", str(project)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as server:
        assert server.stdin and server.stdout and server.stderr
        watchdog = threading.Timer(20, server.kill)  # a silent server ends the readline below
        watchdog.start()
        try:
            server.stdin.write("".join(json.dumps(m) + "\n" for m in messages))
            server.stdin.flush()
            # Both answers before stdin closes: at EOF the SDK drops requests still in flight.
            answers = [json.loads(server.stdout.readline()) for _ in range(2)]
            server.stdin.close()
            assert server.wait(timeout=10) == 0
            rest, errors = server.stdout.read(), server.stderr.read()
        finally:
            watchdog.cancel()
            server.kill()  # a no-op once it has exited
    assert [answer["id"] for answer in answers] == [1, 2]
    assert found(answers[1]["result"]["structuredContent"]) == [("TPR101", 9, 16)]
    assert (rest, errors) == ("", "")


# --- streamable HTTP --------------------------------------------------------------------------
@dataclass(frozen=True)
class Call:
    tool: str
    arguments: dict[str, Any]
    expected: object = None  # digest() of the answer
    error: str | None = None  # or the whole text of the tool error


def digest(tool: str, answer: dict[str, Any] | None) -> object:
    """The part of an answer that shows it answers this call and no other."""
    assert answer is not None
    if tool == "lint_workflow_code":
        return found(answer)
    if tool == "explain_lint_rule":
        return (answer["code"], answer["name"])
    assert tool == "search_references"
    return [(section["topic"], section["heading"]) for section in answer["sections"]]


def calls(root: Path) -> list[Call]:
    lints = [
        Call("lint_workflow_code", {"source": source, "filename": f"app/m{i}.py"}, [mistake])
        for i, (source, mistake) in enumerate(MISTAKES.items())
    ]
    lints.append(Call("lint_workflow_code", {"paths": ["app"]}, [("TPR101", 9, 16)]))
    explained = [
        Call("explain_lint_rule", {"rule": rule}, (RULES[code].code, RULES[code].name))
        for rule, code in (("TPR105", "TPR105"), ("workflow-set-iteration", "TPR301"))
    ]
    searches = [
        Call(
            "search_references",
            {"query": query, "limit": limit},
            [(s.topic, s.heading) for s in pack.find(query)[:limit]],  # what the engine finds
        )
        for query, limit in (("continue as new", 2), ("signal with start", 1), ("saga", 3))
    ]
    bad = [
        Call("lint_workflow_code", {"paths": ["../secret.py"]}, error=outside(root)),
        Call(
            "explain_lint_rule",
            {"rule": "TPR999"},
            error="Error executing tool explain_lint_rule: unknown rule 'TPR999': call "
            "list_lint_rules for the codes",
        ),
    ]
    return lints + explained + searches + bad


@contextmanager
def http_server(root: Path, logs: Path) -> Iterator[str]:
    """The server on a free loopback port, stopped as a service manager stops it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [*SERVER, "--transport", "streamable-http", "--host", "127.0.0.1"]
    with (logs / "http.out").open("w") as out, (logs / "http.err").open("w") as err:
        server = subprocess.Popen(
            [*command, "--port", str(port), "--root", str(root)], stdout=out, stderr=err
        )
    try:
        deadline = time.monotonic() + 15
        while True:
            assert server.poll() is None, (logs / "http.err").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not accept within 15 s"
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/mcp"
        server.terminate()
        # uvicorn shuts down gracefully, then re-raises the signal it caught.
        assert server.wait(timeout=10) == -signal.SIGTERM
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


async def test_clients_share_a_streamable_http_server_and_each_gets_its_own_answers(
    project: Path, tmp_path: Path
) -> None:
    expected = calls(project)
    modes = ["legacy"] * 4 + ["auto"] * 2  # IDEs' handshake, and the stateless revision
    per_client = 10
    answered: list[tuple[int, int, Any]] = []  # (client, call, result)

    async def session(url: str, number: int, mode: str) -> None:
        async with Client(url, mode=mode) as client:
            assert client.protocol_version == ("2025-11-25" if mode == "legacy" else "2026-07-28")

            async def one(index: int) -> None:
                call = expected[index]
                answered.append((number, index, await client.call_tool(call.tool, call.arguments)))

            # Each client rotates through the calls from its own start, all in flight at once.
            async with anyio.create_task_group() as calls_in_flight:
                for i in range(per_client):
                    calls_in_flight.start_soon(one, (number * 3 + i) % len(expected))

    with http_server(project, tmp_path) as url, anyio.fail_after(60):
        async with anyio.create_task_group() as clients:
            for number, mode in enumerate(modes):
                clients.start_soon(session, url, number, mode)

    assert len(answered) == len(modes) * per_client >= 50
    assert {index for _, index, _ in answered} == set(range(len(expected)))  # each was made
    for number, index, result in answered:
        call = expected[index]
        where = f"client {number}: {call.tool} {call.arguments}"
        if call.error is not None:
            assert result.is_error and text_of(result) == call.error, where
        else:
            assert not result.is_error, (where, text_of(result))
            assert digest(call.tool, result.structured_content) == call.expected, where
    assert (tmp_path / "http.out").read_text() == ""
    assert "Traceback" not in (tmp_path / "http.err").read_text()


# --- the MCP Inspector's CLI ------------------------------------------------------------------
async def test_the_mcp_inspector_cli_lists_and_calls_the_tools_over_stdio(
    project: Path, tmp_path: Path
) -> None:
    assert INSPECTOR.exists(), "the test clients are missing: npm ci --prefix tests/clients"
    home = tmp_path / "home"
    home.mkdir()
    # Our server's own flags only: the Inspector takes flags named like its own (--transport,
    # --method) wherever they appear, so the server runs with its default transport, stdio.
    start = [str(INSPECTOR), "--cli", *SERVER, "--root", str(project)]
    runs = {
        "list": ["--method", "tools/list"],
        "source": ["--tool-arg", f"source={UUID}"],
        "paths": ["--tool-arg", 'paths=["app/workflows.py"]'],
        "outside": ["--tool-arg", 'paths=["../secret.py"]'],
    }
    for name in ("source", "paths", "outside"):
        runs[name] = ["--method", "tools/call", "--tool-name", "lint_workflow_code", *runs[name]]
    printed: dict[str, Any] = {}

    async def inspect(name: str) -> None:
        done = await anyio.run_process(
            [*start, *runs[name]],
            cwd=tmp_path,
            env={**os.environ, "HOME": str(home)},
            check=False,
        )
        assert done.returncode == 0, (name, done.stderr.decode())
        printed[name] = json.loads(done.stdout)

    with anyio.fail_after(60):
        async with anyio.create_task_group() as inspectors:
            for name in runs:
                inspectors.start_soon(inspect, name)

    assert {tool["name"] for tool in printed["list"]["tools"]} == TOOLS
    lint = next(t for t in printed["list"]["tools"] if t["name"] == "lint_workflow_code")
    assert (
        lint["annotations"]["readOnlyHint"] is True
        and "source" in lint["inputSchema"]["properties"]
    )
    for name, mistake in (("source", ("TPR105", 9, 20)), ("paths", ("TPR101", 9, 16))):
        assert printed[name]["isError"] is False, printed[name]
        assert found(printed[name]["structuredContent"]) == [mistake]
    [finding] = printed["paths"]["structuredContent"]["findings"]
    assert finding["filename"] == str(project / "app" / "workflows.py")
    # A refused call is a result the model reads (the Inspector exits 0), not a protocol error.
    assert printed["outside"]["isError"] is True
    assert printed["outside"]["content"] == [{"type": "text", "text": outside(project)}]
    assert "structuredContent" not in printed["outside"]
