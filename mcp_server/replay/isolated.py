"""Replay in a child process, within a time and a memory limit.

Replay imports the user's workflow code. In a long-lived caller (the MCP server) a module that
hangs, loops, exhausts memory or crashes on import must cost that one call, never the caller: the
child runs `engine.run_request`, and the parent kills its whole process group when time is up.
Both directions are JSON (the parent never unpickles what code it does not trust produced), and
the child keeps its answer on a descriptor of its own, so what the user's code prints cannot
corrupt it.

    python -m mcp_server.replay.isolated MEMORY_MB < request.json    # the child
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from dataclasses import asdict
from typing import Any

from mcp_server.isolation import answer_channel, kill_group, limit_memory
from mcp_server.replay.models import (
    CodeLocation,
    ReplayError,
    ReplayOptions,
    ReplayReport,
    ReplayRequest,
    ReplayResult,
    ServerSpec,
)

_TAIL = 4_096  # bytes of the child's stderr kept to explain a crash


async def run_isolated(
    request: ReplayRequest,
    *,
    cwd: str,
    seconds: float,
    memory_mb: int,
    max_answer_bytes: int = 50_000_000,
    extra_paths: tuple[str, ...] = (),
) -> ReplayReport:
    """`engine.run_request(request)` in a child process started in `cwd` (with `extra_paths`
    importable too). Raises ReplayError for the child's own usage errors and for a child that
    times out, runs out of memory or dies."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([*extra_paths, *filter(None, [env.get("PYTHONPATH")])])
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mcp_server.replay.isolated", str(memory_mb),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, cwd=cwd, env=env,
        start_new_session=True,  # one group: hash-seed grandchildren end with it
    )  # fmt: skip
    assert process.stdin and process.stdout and process.stderr
    tail = bytearray()

    async def drain_stderr() -> None:
        assert process.stderr
        while chunk := await process.stderr.read(65_536):
            tail.extend(chunk)
            del tail[:-_TAIL]

    async def exchange() -> bytes:
        assert process.stdin and process.stdout
        process.stdin.write(json.dumps(_encode(request)).encode())
        await process.stdin.drain()
        process.stdin.close()
        answer = await process.stdout.read(max_answer_bytes + 1)
        await process.wait()
        return answer

    drain = asyncio.ensure_future(drain_stderr())
    try:
        answer = await asyncio.wait_for(exchange(), seconds)
    except asyncio.TimeoutError:  # TimeoutError itself from 3.11 on
        raise ReplayError(
            f"replay did not finish within {seconds:g} s (--replay-timeout) and was stopped: "
            "a workflow module that hangs when imported, or a history too long to replay"
        ) from None
    finally:
        kill_group(process.pid)
        await process.wait()
        await asyncio.wait_for(drain, 5)
    if len(answer) > max_answer_bytes:
        raise ReplayError(f"the replay's answer is over {max_answer_bytes:,} bytes")
    return _decode(answer, process.returncode, bytes(tail), memory_mb)


def _decode(answer: bytes, code: int | None, tail: bytes, memory_mb: int) -> ReplayReport:
    try:
        data = json.loads(answer)
    except ValueError:
        last = (tail.decode(errors="replace").strip().splitlines() or [""])[-1]
        if "MemoryError" in last or "memory allocation" in last:
            raise ReplayError(
                f"replay ran out of memory (over {memory_mb:,} MB, --replay-memory-mb): "
                "a workflow module or a history too large for it"
            ) from None
        how = f"signal {signal.Signals(-code).name}" if code and code < 0 else f"exit code {code}"
        said = f": {last}" if last else ""
        raise ReplayError(f"the replay process died ({how}){said}") from None
    if "error" in data:
        raise ReplayError(data["error"])
    return ReplayReport([_result(row) for row in data["results"]])


def _result(row: dict[str, Any]) -> ReplayResult:
    row["code_locations"] = [CodeLocation(**where) for where in row["code_locations"]]
    return ReplayResult(**row)


def _encode(request: ReplayRequest) -> dict[str, Any]:
    data = asdict(request)
    # Bytes as text that round-trips exactly, invalid UTF-8 included.
    data["sources"] = [
        [name, raw.decode("utf-8", "surrogateescape")] for name, raw in request.sources
    ]
    return data


def _request(data: dict[str, Any]) -> ReplayRequest:
    return ReplayRequest(
        workflows=tuple(data["workflows"]),
        paths=tuple(data["paths"]),
        sources=tuple(
            (name, text.encode("utf-8", "surrogateescape")) for name, text in data["sources"]
        ),
        server=ServerSpec(**data["server"]) if data["server"] else None,
        workflow_id=data["workflow_id"],
        run_id=data["run_id"],
        query=data["query"],
        limit=data["limit"],
        options=ReplayOptions(**data["options"]),
    )


def _main() -> None:
    limit_memory(int(sys.argv[1]))
    answer = answer_channel()
    try:
        from mcp_server.replay import engine

        report = engine.run_request(_request(json.load(sys.stdin)))
        answer.write(json.dumps(report.to_dict()))
    except ReplayError as error:
        answer.write(json.dumps({"error": str(error)}))
    answer.flush()
    os._exit(0)  # skip tearing down a Replayer that a blocked workflow may still hold


if __name__ == "__main__":
    _main()
