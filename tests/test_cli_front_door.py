"""The command line's front door: `temporal-pro` alone, one error form for every command, and
closed or broken standard streams (one line where one can be written, exit 2, never a traceback)."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from mcp_server.cli import _COMMANDS, main

# Every line the program writes about a failure: the program, the command, "error:", the problem.
ERROR_LINE = re.compile(r"temporal-pro(?: [a-z-]+){0,2}: error: \S.*\n")

WORKFLOW = """\
from temporalio import workflow

@workflow.defn
class Hello:
    @workflow.run
    async def run(self) -> str:
        return "hi"
"""


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "front_door_flows.py").write_text(WORKFLOW)
    (tmp_path / "empty.json").write_text("{}")
    (tmp_path / "a_file").write_text("not a folder")
    return tmp_path


def test_no_arguments_lists_every_command_with_one_line_each(capsys) -> None:
    code = main([])
    out, err = capsys.readouterr()
    assert (code, err) == (2, "")
    for name, summary in _COMMANDS.items():
        assert re.search(rf"^  {name} +{re.escape(summary)}$", out, re.MULTILINE), name


@pytest.mark.parametrize(
    ("words", "prog", "problem"),
    [
        (["bogus"], "temporal-pro", "unknown command 'bogus'"),
        (["--bogus"], "temporal-pro", "required: COMMAND"),
        (["lint", "--bogus"], "temporal-pro lint", "unrecognized arguments: --bogus"),
        (["lint", "--format", "xml"], "temporal-pro lint", "invalid choice: 'xml'"),
        (["lint", "nope.py"], "temporal-pro lint", "nope.py: no such file or directory"),
        (["lint", "--jobs", "0", "."], "temporal-pro lint", "--jobs must be at least 1"),
        (["lint", "--select", "TPR999"], "temporal-pro lint", "unknown rule code or name"),
        (["lint", "--config", "a_file"], "temporal-pro lint", "a_file"),
        (["replay", "empty.json"], "temporal-pro replay", "required: --workflows"),
        (["replay", "empty.json", "-w", "nope.py"], "temporal-pro replay", "nope.py: no such"),
        (["replay", "-w", "front_door_flows.py"], "temporal-pro replay", "give history files"),
        (
            ["replay", "x.json", "-w", "front_door_flows.py"],
            "temporal-pro replay",
            "x.json: no such",
        ),
        (["replay", "--timeout", "nan", "-w", "f.py", "."], "temporal-pro replay", "--timeout"),
        (["rules", "--format", "xml"], "temporal-pro rules", "invalid choice: 'xml'"),
        (["rules", "extra"], "temporal-pro rules", "unrecognized arguments: extra"),
        (["rule"], "temporal-pro rule", "required: code"),
        (["rule", "TPR999"], "temporal-pro rule", "unknown rule: TPR999"),
        (["docs", "--bogus"], "temporal-pro docs", "unrecognized arguments: --bogus"),
        (["skill"], "temporal-pro skill", "required: {install,zip}"),
        (["skill", "install", "--bogus"], "temporal-pro skill install", "unrecognized"),
        (["skill", "install", "--dest", "a_file"], "temporal-pro skill install", "a_file"),
        (["skill", "zip", "--output", "a_file"], "temporal-pro skill zip", "a_file"),
        (["explain-timeout"], "temporal-pro explain-timeout", "give --history, --workflow-id"),
        (["explain-timeout", "--heartbeat", "1x"], "temporal-pro explain-timeout", "1x: not a"),
        (["eval"], "temporal-pro eval", "required: {score,prompts,calibrate,worker}"),
        (["scaffold"], "temporal-pro scaffold", "required: {saga}"),
        (["scaffold", "saga", "x"], "temporal-pro scaffold saga", "no step"),
        (["eval", "score", "nope"], "temporal-pro eval score", "nope: no such file or folder"),
        (["eval", "prompts", "x"], "temporal-pro eval prompts", "unrecognized arguments: x"),
        (["mcp", "--root", "nope"], "temporal-pro mcp", "--root nope: not a folder"),
        (["mcp", "--max-files", "0"], "temporal-pro mcp", "--max-files must be positive"),
        (["mcp", "--replay-timeout", "nan"], "temporal-pro mcp", "--replay-timeout must be"),
        (["mcp", "--transport", "sse"], "temporal-pro mcp", "invalid choice: 'sse'"),
        (["mcp", "--port", "70000"], "temporal-pro mcp", "--port must be between 1 and 65535"),
    ],
)
def test_every_command_reports_bad_input_in_one_form(
    capsys, scratch: Path, words: list[str], prog: str, problem: str
) -> None:
    code = main(words)
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert ERROR_LINE.fullmatch(err), err
    assert err.startswith(f"{prog}: error: ") and problem in err


# A valid call of every command, run as a real process so the streams are real descriptors.
COMMANDS = {
    "lint": ["lint", "--no-cache", "front_door_flows.py"],
    "replay": ["replay", "empty.json", "-w", "front_door_flows.py"],
    "rules": ["rules"],
    "rule": ["rule", "TPR101"],
    "docs": ["docs", "testing"],
    "skill install": ["skill", "install", "--dest", "skills"],
    "skill zip": ["skill", "zip", "--output", "skill.zip"],
    "explain-timeout": ["explain-timeout", "--start-to-close", "1s", "--schedule-to-close", "5s"],
    "eval prompts": ["eval", "prompts"],
    "scaffold saga": ["scaffold", "saga", "order", "--step", "a:b", "--dry-run"],
}


def run(scratch: Path, words: list[str], redirect: str) -> subprocess.CompletedProcess[str]:
    command = " ".join([sys.executable, "-m", "mcp_server", *words, redirect])
    return subprocess.run(
        ["bash", "-c", command], cwd=scratch, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("name", COMMANDS)
@pytest.mark.parametrize(
    ("redirect", "problem"),
    [
        (">&-", "standard output is closed"),
        ("> /dev/full", "cannot write to standard output: No space left on device"),
        ("2>&-", None),  # nothing can be said: the exit code says it
    ],
)
def test_a_closed_or_broken_stream_is_one_line_and_exit_2(
    scratch: Path, name: str, redirect: str, problem: str | None
) -> None:
    done = run(scratch, COMMANDS[name], redirect)
    assert done.returncode == 2, done.stderr
    if problem is None:
        assert done.stderr == ""
    else:
        assert ERROR_LINE.fullmatch(done.stderr), done.stderr
        assert done.stderr.startswith(f"temporal-pro {name}: error: {problem}")


@pytest.mark.parametrize("name", ["lint", "replay"])
def test_reading_a_closed_stdin_is_one_line_and_exit_2(scratch: Path, name: str) -> None:
    words = ["lint", "-", "--stdin-filename", "w.py"] if name == "lint" else COMMANDS[name][:1]
    if name == "replay":
        words += ["-", "-w", "front_door_flows.py"]
    done = run(scratch, words, "<&-")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"temporal-pro {name}: error: - reads standard input, which is closed\n"


def test_a_closed_stdin_does_not_matter_to_a_command_that_does_not_read_it(scratch: Path) -> None:
    done = run(scratch, COMMANDS["lint"], "<&-")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("All clear")


def test_a_busy_port_is_one_line_not_the_web_servers_own_exit(capsys, scratch: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        code = main(["mcp", "--transport", "streamable-http", "--port", str(port)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert (
        err
        == f"temporal-pro mcp: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    )


def test_the_mcp_server_refuses_a_closed_stdout(scratch: Path) -> None:
    done = run(scratch, ["mcp"], ">&-")
    assert done.returncode == 2
    assert done.stderr.startswith("temporal-pro mcp: error: standard output is closed")


def test_the_mcp_server_whose_client_closed_its_output_says_so_in_one_line(scratch: Path) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "mcp_server", "mcp"],
        cwd=scratch,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert server.stdin and server.stdout and server.stderr
    hello = {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "0"},
    }
    server.stdin.write(
        json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": hello}).encode()
        + b"\n"
    )
    server.stdin.flush()
    assert b'"id":1' in server.stdout.readline()
    server.stdout.close()  # the client goes away mid-session
    server.stdin.write(b'{"jsonrpc": "2.0", "id": 2, "method": "tools/list"}\n')
    server.stdin.close()
    assert server.wait(timeout=60) == 2
    err = server.stderr.read().decode()
    server.stderr.close()
    assert err == "temporal-pro mcp: error: cannot write to standard output: Broken pipe\n"
