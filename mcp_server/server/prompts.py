"""The server's prompts: the three jobs an assistant is most often asked to do with Temporal code,
each written as the skill teaches it and pointing at the tools that check the work."""

from __future__ import annotations

from typing import Annotated

from mcp.server import MCPServer
from mcp.shared.exceptions import MCPError
from pydantic import Field

from mcp_server import pack
from mcp_server.lint.parse import UnreadableFile, read_source
from mcp_server.server.settings import Limits, OutsideRoots, Roots

_INVALID_PARAMS = -32602  # JSON-RPC: a prompt's argument is wrong (the SDK hides other errors)


def register(server: MCPServer, roots: Roots, limits: Limits) -> None:
    def resolve(path: str, what: str) -> str:
        try:
            return str(roots.resolve(path, what))
        except OutsideRoots as error:
            raise MCPError(_INVALID_PARAMS, str(error)) from None

    def file_text(path: str, what: str) -> tuple[str, str]:
        """(the path as resolved, its text), within the roots and the size limit."""
        real = resolve(path, what)
        try:
            text = read_source(real)
        except UnreadableFile as error:
            raise MCPError(_INVALID_PARAMS, str(error)) from None
        if len(text.encode()) > limits.source_bytes:
            message = f"{what} {path}: over this server's limit (--max-source-bytes)"
            raise MCPError(_INVALID_PARAMS, message)
        return real, text

    @server.prompt(title="Review a Temporal workflow file")
    def review_workflow_file(
        path: Annotated[str, Field(description="the workflow module to review")],
    ) -> str:
        """Review one workflow module for replay safety, with the linter's findings."""
        real, text = file_text(path, "path")
        return (
            f"Review the Temporal workflow module `{real}` (Python SDK) for replay safety.\n\n"
            f"1. Call the tool `lint_workflow_code` with paths=[{real!r}]. For each finding, "
            "explain in one or two sentences what breaks on replay and when it would show up, "
            "citing the call chain when the mistake is in a helper.\n"
            "2. Look past the linter for what it cannot see: activities without retry policies "
            "that suit them, signals or updates that race with run(), unbounded histories that "
            "need continue-as-new, workflow changes that need workflow.patched().\n"
            "3. Propose the corrected code (use fix='diff' for the automatic fixes), then lint "
            "it again until no error-severity finding is left.\n"
            "Use search_references when unsure of an API: several common suggestions "
            "(workflow.get_version, workflow.uuid, replay_history=) do not exist in Python.\n\n"
            f"```python\n{text}```\n"
        )

    @server.prompt(title="Debug a nondeterminism error")
    def debug_nondeterminism(
        history_path: Annotated[
            str, Field(description="the workflow's history JSON (temporal workflow show -o json)")
        ],
        workflow_path: Annotated[str, Field(description="the workflow module, or module:Class")],
        error: Annotated[
            str | None, Field(description="the error text the worker logged, if any")
        ] = None,
    ) -> str:
        """Find why a running workflow fails replay against the current code, and fix it."""
        history = resolve(history_path, "history_path")
        module, _, cls = workflow_path.partition(":")
        spec = resolve(module, "workflow_path") + (f":{cls}" if cls else "")
        logged = f"\nThe worker logged:\n```\n{error}\n```\n" if error else ""
        return (
            "A Temporal workflow (Python SDK) fails replay: its current code no longer makes the "
            "decisions recorded in its history.\n"
            f"{logged}\n"
            f"1. Call `replay_history` with history_paths=[{history!r}] and "
            f"workflows=[{spec!r}]. Read the event it stopped at, what the code did instead, "
            "the likely causes and the code location.\n"
            "2. Find the change that moved the commands: an activity, timer or child workflow "
            "added, removed, reordered or renamed before that event; a decision that depends on "
            "the clock, randomness, set order or I/O (call `lint_workflow_code` on the module).\n"
            "3. Fix it so that both old and new executions replay: guard the new behaviour with "
            "`if workflow.patched('some-id'):` (read_reference topic 'versioning'), or make the "
            "decision deterministic. Replay again with the fix until the status is ok.\n"
        )

    @server.prompt(title="Write a Temporal workflow")
    def write_workflow(
        task: Annotated[str, Field(description="what the workflow should do")],
    ) -> str:
        """Write a new workflow the way the knowledge pack teaches, checked by the linter."""
        try:
            guide = pack.skill_text()
        except pack.PackError:
            guide = ""
        return (
            "Write a Temporal workflow in Python (temporalio SDK) for this task:\n\n"
            f"{task}\n\n"
            "Follow the guide below. Keep activities for every side effect, give every activity "
            "a start_to_close_timeout, use workflow.now()/workflow.random()/workflow.uuid4() in "
            "workflow code, and put data in dataclasses. Before you answer, call "
            "`lint_workflow_code` with your workflow module as `source` and fix every "
            "error-severity finding. Include a test in the time-skipping environment.\n\n"
            f"---\n{guide}"
        )
