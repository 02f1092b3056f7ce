"""The MCP server: the linter, replay and the knowledge pack as tools, resources and prompts.

Only this module knows the protocol. Each tool checks its input against the operator's roots and
limits, calls the engine function the command line calls, and returns a pydantic model. Engine
calls run in a worker thread, one at a time (the lint engine keeps process-wide state), so the
event loop keeps answering; replay runs in a child process with its own time and memory limits.
An input the engines reject becomes a tool error with their one-line message.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import anyio
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field

from mcp_server import __version__, pack
from mcp_server.errors import InputError
from mcp_server.server import models
from mcp_server.server.settings import ServerSettings

if TYPE_CHECKING:
    from mcp_server.lint.rules import Rule

log = logging.getLogger("temporal-pro.mcp")

INSTRUCTIONS = """\
Tools for Temporal workflows written in Python (temporalio SDK). Workflow code is replayed, so it \
must make the same decisions every run: no wall clock, random, uuid4, I/O, threads or set-order \
dependence in workflow code. Call lint_workflow_code on workflow code before proposing it, and \
replay_history before shipping a change to a workflow that has running executions. \
search_references and read_reference answer how-to questions for the pinned SDK."""

_READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)

T = TypeVar("T")


@contextlib.contextmanager
def _as_tool_errors() -> Iterator[None]:
    """The engines' input errors become tool errors the model reads and can act on."""
    try:
        yield
    except InputError as error:
        raise ToolError(str(error)) from None
    except ToolError:
        raise
    except Exception as error:  # a bug of ours: one line for the model, the traceback in the log
        log.exception("internal error")
        raise ToolError(f"internal error: {type(error).__name__}: {error}") from None


def build_server(settings: ServerSettings | None = None) -> MCPServer:
    """A server with every tool, resource and prompt, bound to these settings."""
    settings = settings or ServerSettings()
    limits, roots = settings.limits, settings.roots
    server = MCPServer(
        "temporal-python-pro", instructions=INSTRUCTIONS, version=__version__, log_level="WARNING"
    )
    engine_lock: list[anyio.CapacityLimiter] = []  # made on first use, inside the event loop

    async def in_worker(call: Callable[..., T], *args: object) -> T:
        if not engine_lock:
            engine_lock.append(anyio.CapacityLimiter(1))
        with _as_tool_errors():
            return await anyio.to_thread.run_sync(
                functools.partial(call, *args), limiter=engine_lock[0]
            )

    def checked(answer: BaseModel) -> BaseModel:
        size = len(answer.model_dump_json())
        if size > limits.output_bytes:
            raise ToolError(
                f"the answer is {size:,} bytes, over this server's limit of "
                f"{limits.output_bytes:,} (--max-output-bytes): ask for fewer files or rules"
            )
        return answer

    # --- lint ---------------------------------------------------------------------------------
    @server.tool(title="Lint Temporal workflow code", annotations=_READ_ONLY)
    async def lint_workflow_code(
        # A plain `str`, not `str | None`: the SDK would parse a source that happens to be
        # JSON (`None`, `[]`) into another type.
        source: Annotated[
            str, Field(description="Python source of one module; give this or paths, not both")
        ] = "",
        filename: Annotated[
            str,
            Field(
                description="the module's file name, for messages and for following its "
                "relative imports on disk"
            ),
        ] = "workflow.py",
        paths: Annotated[
            list[str] | None,
            Field(description="files or folders to lint, inside the server's folders"),
        ] = None,
        select: Annotated[
            list[str] | None, Field(description="only these rules: codes, prefixes or names")
        ] = None,
        ignore: Annotated[list[str] | None, Field(description="skip these rules")] = None,
        fix: Annotated[
            Literal["none", "fixed_source", "diff"],
            Field(description="also return the fixed source (with source) or a unified diff"),
        ] = "none",
        unsafe_fixes: Annotated[
            bool, Field(description="with fix: also apply fixes that may change behaviour")
        ] = False,
    ) -> models.LintOutput:
        """Find determinism mistakes in Temporal workflow code (Python SDK) before it ships:
        wall clock, random, uuid4, I/O, threads, set iteration, blocking calls, activities
        without timeouts, APIs that do not exist in the Python SDK, and more, including inside
        the helpers a workflow calls (each finding carries the call chain that reaches it).

        Call it on every workflow module you write or change, and again on your fix. Returns the
        findings with messages, fix titles and rule links; error-severity findings break replay.
        With fix="fixed_source" or "diff" it also returns the safe fixes applied (nothing is
        written). Read a rule's documentation with explain_lint_rule."""
        from mcp_server.server import lint_tool

        if bool(source) == (paths is not None):
            raise ToolError("give source (one module's text) or paths (files or folders), not both")
        request = lint_tool.LintRequest(
            source or None, filename, paths or [], tuple(select or ()), tuple(ignore or ()), fix,
            unsafe_fixes,
        )  # fmt: skip
        with _as_tool_errors():
            request.check(roots, limits)
        return checked(await in_worker(lint_tool.run, request, roots))  # type: ignore[return-value]

    # Replay and explain-timeout reach a Temporal server only if the operator named one.
    reaches_server = ToolAnnotations(
        read_only_hint=True,
        destructive_hint=False,
        idempotent_hint=True,
        open_world_hint=settings.temporal_address is not None,
    )

    # --- replay -------------------------------------------------------------------------------
    @server.tool(
        title="Replay workflow histories against the code",
        annotations=reaches_server,
    )
    async def replay_history(
        workflows: Annotated[
            list[str],
            Field(
                description="the workflow code: files (app/workflows.py), modules "
                "(app.workflows), or either with :Class to pick one of several versions",
                min_length=1,
            ),
        ],
        history_json: Annotated[
            str | dict[str, Any] | list[Any] | None,
            Field(
                description="one history's JSON, as text or as an object (temporal workflow "
                "show -o json, fetch_history().to_json(), or the Web UI's download)"
            ),
        ] = None,
        history_paths: Annotated[
            list[str] | None, Field(description="history files or folders of them")
        ] = None,
        workflow_id: Annotated[
            str | None,
            Field(
                description="fetch this workflow's history from the server the operator "
                "configured (only when the server was started with --temporal-address)"
            ),
        ] = None,
        run_id: Annotated[str | None, Field(description="with workflow_id: this run")] = None,
        data_converter: Annotated[
            str | None,
            Field(
                description="module:name or file.py:name of the workers' DataConverter, when "
                "payloads are encrypted or compressed"
            ),
        ] = None,
        hash_seeds: Annotated[
            int,
            Field(
                description="also replay under PYTHONHASHSEED=1..N: finds decisions that "
                "depend on set order",
                ge=0,
                le=8,
            ),
        ] = 0,
    ) -> models.ReplayOutput:
        """Check that workflow code still replays the histories of executions already recorded:
        the proof that a change is safe to deploy while those executions are running. Call it
        before shipping any change to a workflow's code, with histories of running executions.

        Returns one result per history: ok, nondeterminism (with the event that broke, what the
        code issued instead, likely causes, and the line that issued it), task-failure,
        workflow-not-registered or invalid-history. A nondeterminism usually means the change
        needs `workflow.patched()` (read_reference topic 'versioning'). The workflow code runs
        in a separate process with a time and memory limit."""
        from mcp_server.server import replay_tool

        if history_json is None and not history_paths and not workflow_id:
            raise ToolError("give history_json, history_paths or workflow_id")
        with _as_tool_errors():
            answer = await replay_tool.replay(
                settings, workflows, history_json, history_paths or [], workflow_id, run_id,
                data_converter, hash_seeds,
            )  # fmt: skip
        return checked(answer)  # type: ignore[return-value]

    # --- timeouts -----------------------------------------------------------------------------
    @server.tool(
        title="Explain a Temporal timeout",
        annotations=reaches_server,
    )
    async def explain_timeout(
        error: Annotated[
            str | None,
            Field(
                description="an error text: a traceback, an ActivityError's or TimeoutError's "
                "text, or a failure JSON from the Web UI"
            ),
        ] = None,
        history_json: Annotated[
            str | dict[str, Any] | list[Any] | None,
            Field(description="a history's JSON, as text or as an object"),
        ] = None,
        history_paths: Annotated[list[str] | None, Field(description="history files")] = None,
        workflow_id: Annotated[
            str | None,
            Field(
                description="fetch this workflow's history from the operator's server (only "
                "when the server was started with --temporal-address)"
            ),
        ] = None,
        code_paths: Annotated[
            list[str] | None,
            Field(description="workflow code whose activity and child workflow calls to check"),
        ] = None,
        values: Annotated[
            models.TimeoutValues | None,
            Field(description="an activity's timeouts and retry policy, for its attempt schedule"),
        ] = None,
    ) -> models.TimeoutOutput:
        """Explain Temporal timeouts (Python SDK): which timeout fired, what it measures, the
        configured values, a timeline, the most likely cause and what to change. Call it when a
        user sees `ActivityError: Activity task timed out`, a TimeoutError, a workflow that
        timed out, or asks how long an activity can take with its retry policy; and on code
        before shipping, to catch heartbeat timeouts without heartbeats, unbounded retries and
        local activities that outlast the workflow task. The ways in combine."""
        from mcp_server.server import timeout_tool

        with _as_tool_errors():
            answer = await in_worker(
                timeout_tool.explain, settings, error, history_json, history_paths or [],
                workflow_id, code_paths or [], values,
            )  # fmt: skip
        return checked(answer)  # type: ignore[return-value]

    # --- evals --------------------------------------------------------------------------------
    @server.tool(title="Score an answer to an eval task", annotations=_READ_ONLY)
    async def score_workflow_code(
        task_id: Annotated[str, Field(description="an eval task's id (temporal-pro eval prompts)")],
        answer: Annotated[
            str, Field(description="the answer as a model wrote it: prose and ```python code")
        ],
    ) -> models.ScoredSample:
        """Score one answer to a task of the temporal-python-pro eval suite the way the suite
        scores it: the code is extracted from its Markdown fences, checked to parse and to
        define the task's workflow, and linted; error-level findings are determinism mistakes.
        Use it to check your own answer to an eval task before giving it. The code is never
        run."""
        from mcp_server.evals.score import score_sample
        from mcp_server.evals.tasks import load_tasks

        if len(answer.encode("utf-8", "surrogatepass")) > limits.source_bytes:
            raise ToolError("answer: over this server's limit (--max-source-bytes)")
        with _as_tool_errors():
            task = load_tasks().get(task_id)
            if task is None:
                raise ToolError(
                    f"unknown task id {task_id!r}: `temporal-pro eval prompts` lists them"
                )
            sample = await in_worker(score_sample, task, answer, task_id)
        return models.ScoredSample(
            task_id=sample.task_id, score=sample.score, parsed=sample.parsed,
            mistakes=sample.mistakes, warnings=sample.warnings, reason=sample.reason,
        )  # fmt: skip

    # --- scaffolding ----------------------------------------------------------------------------
    @server.tool(
        title="Scaffold a saga",
        annotations=ToolAnnotations(
            read_only_hint=False, destructive_hint=False, idempotent_hint=True,
            open_world_hint=False,
        ),
    )  # fmt: skip
    async def scaffold_saga(
        name: Annotated[str, Field(description="the saga's name, a Python identifier (order)")],
        steps: Annotated[
            list[str] | None,
            Field(
                description="steps in order, each `step` or `step:compensation`, e.g. "
                "['reserve_inventory:release_inventory', 'charge_payment:refund_payment', "
                "'ship_order']; or give spec"
            ),
        ] = None,
        parallel: Annotated[
            list[str] | None,
            Field(description="groups of steps that run together, each 'step_a,step_b'"),
        ] = None,
        spec: Annotated[
            dict[str, Any] | None,
            Field(
                description="a full spec instead of steps (the TOML/JSON spec file's content: "
                "steps with compensations, input and result types, timeouts and retry "
                "policies, non-retryable errors, parallel groups)"
            ),
        ] = None,
        pydantic: Annotated[bool, Field(description="pydantic models, not dataclasses")] = False,
        write_to: Annotated[
            str | None,
            Field(
                description="write the package into this folder (inside the server's "
                "folders; it must not exist or be empty); omit to only return the files"
            ),
        ] = None,
    ) -> models.ScaffoldOutput:
        """Generate a saga (distributed transaction with compensations) as a small package that
        is correct by construction: each compensation registered before its step runs,
        compensations in reverse order on failure or cancellation, a failing compensation
        retried and recorded without stopping the others, deterministic idempotency keys,
        timeouts and retry policies on every activity, a progress query, a worker with graceful
        shutdown, a starter, and tests in the time-skipping test server. Returns the files; writes
        them only with write_to. Fill in the activity stubs where the comments say."""
        from mcp_server import scaffold

        if (spec is None) == (steps is None):
            raise ToolError("give steps (['step:compensation', ...]) or spec, not both")
        with _as_tool_errors():
            saga = (
                scaffold.build_spec(spec, name, pydantic or None)
                if spec is not None
                else scaffold.parse_steps(name, steps or [], parallel or [], pydantic=pydantic)
            )
            files = scaffold.scaffold_saga(saga)
            written = None
            if write_to is not None:
                target = roots.resolve(write_to, "write_to")
                scaffold.write_files(files, target, force=False)
                written = str(target)
        return models.ScaffoldOutput(
            files=[models.ScaffoldedFile(path=f.path, content=f.content) for f in files],
            written_to=written, tests=scaffold.test_count(saga),
        )  # fmt: skip

    # --- rules --------------------------------------------------------------------------------
    @server.tool(title="List the lint rules", annotations=_READ_ONLY)
    async def list_lint_rules() -> models.RuleList:
        """Every rule of the determinism linter: code, name, category, severity, summary. Use it
        to choose `select`/`ignore` for lint_workflow_code, or to see what is checked."""
        from mcp_server.lint.rules import RULES

        return models.RuleList(rules=[rule.info() for rule in RULES.values()])

    @server.tool(title="Explain a lint rule", annotations=_READ_ONLY)
    async def explain_lint_rule(
        rule: Annotated[str, Field(description="a code (TPR101) or name (workflow-wall-clock)")],
    ) -> models.RuleDoc:
        """One rule's documentation: what it flags, why it breaks replay, an example, what to
        write instead, and how safe its automatic fix is. Call it when a finding is unclear."""
        found = _rule(rule)
        if found is None:
            raise ToolError(f"unknown rule {rule!r}: call list_lint_rules for the codes")
        info = found.info()
        return models.RuleDoc(
            code=info.code, name=info.name, severity=info.severity,
            documentation=found.documentation(),
        )  # fmt: skip

    # --- references ---------------------------------------------------------------------------
    @server.tool(title="Search the Temporal Python references", annotations=_READ_ONLY)
    async def search_references(
        query: Annotated[
            str, Field(description="words to find, e.g. 'continue as new' or 'signal with start'")
        ],
        limit: Annotated[int, Field(description="sections to return", ge=1, le=20)] = 5,
    ) -> models.SearchOutput:
        """Search the expert references for the Temporal Python SDK (checked against the pinned
        temporalio: determinism, versioning with patched(), activities, timeouts and retries,
        sagas, testing, data conversion, production). Returns whole sections, best first. Prefer
        them over memory: several commonly suggested APIs do not exist in the Python SDK."""
        with _as_tool_errors():
            sections = pack.find(query)
        shown = [_section(section) for section in sections[:limit]]
        return models.SearchOutput(query=query, sections=shown, more=len(sections) - len(shown))

    topics = "none (the knowledge pack is missing)"
    with contextlib.suppress(pack.PackError):  # the description names the topics
        topics = ", ".join(topic.name for topic in pack.list_topics())

    @server.tool(
        title="Read a Temporal Python reference",
        annotations=_READ_ONLY,
        description="Read one reference topic whole, or one of its sections (a `##` section "
        "includes its `###` subsections). Use it after search_references points at a topic, or "
        f"to read a topic end to end before writing that kind of code. Topics: {topics}.",
    )
    async def read_reference(
        topic: Annotated[
            str, Field(description="a topic such as testing, versioning, saga, determinism")
        ],
        section: Annotated[
            str | None, Field(description="one section's heading; omit for the whole topic")
        ] = None,
    ) -> models.ReferenceSection:
        with _as_tool_errors():
            return _section(pack.read_topic(topic, section))

    # --- resources ----------------------------------------------------------------------------
    @server.resource(
        f"{models.SCHEME}://skill",
        name="skill",
        title="SKILL.md: writing Temporal workflows in Python",
        mime_type="text/markdown",
    )
    def skill() -> str:
        with _as_resource_errors():
            return pack.skill_text()

    @server.resource(
        f"{models.SCHEME}://references/{{topic}}",
        name="reference",
        title="A reference topic",
        description="One reference file, e.g. temporal-python-pro://references/testing",
        mime_type="text/markdown",
    )
    def reference(topic: str) -> str:
        with _as_resource_errors():
            return pack.read_topic(topic).text

    @server.resource(
        f"{models.SCHEME}://rules/{{code}}",
        name="rule",
        title="A lint rule's documentation",
        description="e.g. temporal-python-pro://rules/TPR101",
        mime_type="text/markdown",
    )
    def rule_documentation(code: str) -> str:
        found = _rule(code)
        if found is None:
            raise ResourceError(f"unknown rule {code!r}")
        return found.documentation()

    with contextlib.suppress(pack.PackError):  # listed one by one too, for clients that browse
        for topic in pack.list_topics():
            server.resource(
                models.reference_uri(topic.name),
                name=f"reference-{topic.name}",
                title=topic.title,
                description=topic.summary or None,
                mime_type="text/markdown",
            )(functools.partial(_topic_text, topic.name))

    # --- prompts ------------------------------------------------------------------------------
    from mcp_server.server import prompts

    prompts.register(server, roots, limits)
    return server


def _topic_text(name: str) -> str:
    with _as_resource_errors():
        return pack.read_topic(name).text


@contextlib.contextmanager
def _as_resource_errors() -> Iterator[None]:
    try:
        yield
    except pack.PackError as error:
        raise ResourceError(str(error)) from None


def _rule(wanted: str) -> type[Rule] | None:
    from mcp_server.lint.rules import RULES

    wanted = wanted.strip()
    return next((r for r in RULES.values() if wanted.upper() == r.code or wanted == r.name), None)


def _section(section: pack.Section) -> models.ReferenceSection:
    return models.ReferenceSection(
        topic=section.topic, heading=section.heading, parent=section.parent,
        uri=models.reference_uri(section.topic), text=section.text,
    )  # fmt: skip
