"""Replay histories with the SDK's `Replayer` and classify each outcome.

The bare `Replayer` misses one kind of failure: when a history ends in the middle of a workflow
task (a running workflow's history usually does), a failure of that last task is only logged by
the SDK, and the replay reports success. We listen to the SDK's own log records of failed
workflow tasks, so that case becomes `task-failure` like every other.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections import deque
from collections.abc import AsyncIterator, Sequence
from functools import cache

import temporalio.exceptions
import temporalio.workflow
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.runtime import Runtime, TelemetryConfig
from temporalio.worker import Replayer

from mcp_server.replay import explain, seeds
from mcp_server.replay import histories as history_files
from mcp_server.replay.histories import History
from mcp_server.replay.models import (
    DEFAULT_OPTIONS,
    DEFAULT_TIMEOUT,
    ReplayError,
    ReplayOptions,
    ReplayReport,
    ReplayRequest,
    ReplayResult,
    one_line,
)
from mcp_server.replay.workflows import load, load_data_converter, registered_types

_CORE_MESSAGE = re.compile(r'message: "((?:[^"\\]|\\.)*)"')
_EVICTION_REASON = re.compile(r"^(\d+): ")
_RUST_ESCAPE = re.compile(r"\\(.)")  # Rust's Debug form of a string: \" \\ \n \t
_RUST_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


class _TaskFailures(logging.Handler):
    """The exception of each failed workflow task, by run id, from the SDK's log records."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.by_run: dict[str, BaseException] = {}

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        if error is None:
            return
        if isinstance(error, temporalio.exceptions.ApplicationError) and error.non_retryable:
            return  # this fails the workflow, as the history may well record; not the task
        details = getattr(record, "temporal_workflow", None)
        run_id = details.get("run_id") if isinstance(details, dict) else None
        if run_id is None and record.args and isinstance(record.args, tuple):
            run_id = str(record.args[0])  # "Failed handling activation on workflow with run ID %s"
        if run_id:
            self.by_run.setdefault(run_id, error)


@cache
def _quiet_runtime() -> Runtime:
    # Core would log every failed task to stderr on its own; the report says it once, better.
    return Runtime(telemetry=TelemetryConfig(logging=None, metrics=None))


def run_request(request: ReplayRequest) -> ReplayReport:
    """The one entry point: load the workflow code, read (or fetch) the histories, replay each.
    Raises ReplayError for input that stops the whole run; a bad history is a result."""
    classes = load(request.workflows)
    items = history_files.read_files(request.paths)
    if request.paths and not items:
        raise ReplayError(f"no history files (*.json, *.jsonl) in {', '.join(request.paths)}")
    for name, data in request.sources:
        items += history_files.read_bytes(data, name)
    if request.server is not None and (request.workflow_id or request.query):
        from mcp_server.replay import live

        items += asyncio.run(
            live.fetch(
                request.server,
                workflow_id=request.workflow_id,
                run_id=request.run_id,
                query=request.query,
                limit=request.limit or 100,
            )
        )
    return report(items, classes, request.options)


def replay_files(
    paths: Sequence[str], workflows: Sequence[type], options: ReplayOptions = DEFAULT_OPTIONS
) -> ReplayReport:
    """Replay every history in these files and folders against these workflow classes."""
    return report(history_files.read_files(paths), workflows, options)


def report(
    histories: Sequence[History],
    workflows: Sequence[type],
    options: ReplayOptions = DEFAULT_OPTIONS,
) -> ReplayReport:
    if options.hash_seeds:
        if options.data_converter:  # a bad one fails here once, not in every child process
            load_data_converter(options.data_converter)
        return ReplayReport(seeds.replay(histories, workflows, options))
    return ReplayReport(run(histories, workflows, options))


def run(
    histories: Sequence[History],
    workflows: Sequence[type],
    options: ReplayOptions = DEFAULT_OPTIONS,
) -> list[ReplayResult]:
    """`replay` on an event loop of its own. Unlike `asyncio.run`, this does not wait for the
    tasks left behind by a workflow that blocked past the timeout: they never finish."""
    converter = (
        load_data_converter(options.data_converter)
        if options.data_converter
        else DataConverter.default
    )
    loop = asyncio.new_event_loop()
    abandoned: list[Replayer] = []
    try:
        return loop.run_until_complete(
            replay(histories, workflows, options.timeout, converter, abandoned)
        )
    finally:
        if not abandoned:
            for task in asyncio.all_tasks(loop):
                task.cancel()
            loop.run_until_complete(asyncio.sleep(0))
            loop.close()


async def replay(
    histories: Sequence[History],
    workflows: Sequence[type],
    timeout: float = DEFAULT_TIMEOUT,
    data_converter: DataConverter = DataConverter.default,
    abandoned: list[Replayer] | None = None,
    explain_failures: bool = True,
) -> list[ReplayResult]:
    """One result per history, in order; failures explained. Nothing here raises for a bad
    history. Replayers given up on (see `_replay_batch`) are added to `abandoned`."""
    abandoned = [] if abandoned is None else abandoned
    known = registered_types(workflows)
    results: dict[int, ReplayResult] = {}
    queue: deque[int] = deque()
    for index, item in enumerate(histories):
        if item.history is None:
            results[index] = _result(item, "invalid-history", item.problem)
        elif "*" not in known and item.workflow_type not in known:
            names = ", ".join(sorted(known)) or "none"
            results[index] = _result(
                item,
                "workflow-not-registered",
                f"workflow type '{item.workflow_type}' is not among the registered ones ({names})",
            )
        else:
            queue.append(index)

    failures = _TaskFailures()
    hidden: set[int] = set()  # failed tasks that the bare Replayer reported as passing
    sdk_logger = logging.getLogger("temporalio.worker")
    sdk_logger.addHandler(failures)
    propagate, sdk_logger.propagate = sdk_logger.propagate, False
    try:
        while queue:
            replayer = Replayer(
                workflows=workflows, data_converter=data_converter, runtime=_quiet_runtime()
            )
            if await _replay_batch(replayer, histories, queue, failures, timeout, results, hidden):
                abandoned.append(replayer)
    finally:
        sdk_logger.removeHandler(failures)
        sdk_logger.propagate = propagate

    ordered = [results[index] for index in range(len(histories))]
    if not explain_failures:
        return ordered
    for index, result in enumerate(ordered):
        if result.status == "nondeterminism":
            result.event_id = await _failing_event(
                histories[index], result, workflows, timeout, data_converter
            )
        if result.status in ("nondeterminism", "task-failure"):
            explain.explain(result, histories[index], workflows)
        if index in hidden:
            explain.missed_by_replayer(result, histories[index])
    return ordered


async def _failing_event(
    item: History,
    result: ReplayResult,
    workflows: Sequence[type],
    timeout: float,
    data_converter: DataConverter,
) -> int | None:
    """The event a type mismatch concerns, which core's message does not name: the first of the
    candidate events (those recording the type it names) whose history prefix fails to replay.
    Core checks each event as it reaches it, so a prefix fails exactly when it includes it."""
    assert item.history is not None
    events = list(item.history.events)
    for event_id in explain.mismatch_candidates(result.message, events):
        prefix = dataclasses.replace(
            item, history=WorkflowHistory(item.history.workflow_id, events[:event_id])
        )
        [probe] = await replay([prefix], workflows, timeout, data_converter, explain_failures=False)
        if probe.status == "nondeterminism":
            return event_id
    return None


async def _replay_batch(
    replayer: Replayer,
    histories: Sequence[History],
    queue: deque[int],
    failures: _TaskFailures,
    timeout: float,
    results: dict[int, ReplayResult],
    hidden: set[int],
) -> bool:
    """Replay the queued histories until done (False), or until one of them does not finish in
    time (True): that one is reported, and the caller abandons this Replayer (its thread is
    stuck) and starts a fresh one for the rest."""
    current: list[int] = []

    async def feed() -> AsyncIterator[WorkflowHistory]:
        while queue:
            index = queue.popleft()
            current[:] = [index]
            failures.by_run.clear()
            history = histories[index].history
            assert history is not None
            yield history

    context = replayer.workflow_replay_iterator(feed())
    try:
        outcomes = await context.__aenter__()
    except Exception as error:  # the sandbox validates each workflow by importing its module
        cause = error.__cause__ or error.__context__
        why = f": {one_line(cause)}" if cause else ""
        raise ReplayError(f"--workflows: {one_line(error)}{why}") from None
    iterator = aiter(outcomes)
    while True:
        try:
            outcome = await asyncio.wait_for(anext(iterator), timeout)
        except StopAsyncIteration:
            break
        except (asyncio.TimeoutError, TimeoutError):
            index = current[0]
            results[index] = _result(
                histories[index],
                "task-failure",
                f"replay did not finish within {timeout:g} s: the workflow blocks without "
                "yielding to the event loop",
            )
            return True  # closing it would wait on the stuck thread
        index = current[0]
        task_error = failures.by_run.get(outcome.history.run_id)
        results[index] = _classify(histories[index], outcome.replay_failure, task_error)
        if task_error is not None and outcome.replay_failure is None:
            hidden.add(index)
    await context.__aexit__(None, None, None)
    return False


def _classify(
    item: History, failure: Exception | None, task_error: BaseException | None
) -> ReplayResult:
    if isinstance(failure, temporalio.workflow.NondeterminismError):
        return _result(item, "nondeterminism", core_message(str(failure)))
    if task_error is not None:
        result = _result(item, "task-failure", one_line(task_error))
        result.code_locations = explain.traceback_locations(task_error)
        return result
    if failure is not None:
        return _result(item, "task-failure", core_message(str(failure)))
    return _result(item, "ok")


def core_message(text: str) -> str:
    """The failure message inside core's `Failure { failure: Some(Failure { message: "..." ...`."""
    found = _CORE_MESSAGE.search(text)
    if found:
        return _RUST_ESCAPE.sub(lambda m: _RUST_ESCAPES.get(m.group(1), m.group(1)), found.group(1))
    return _EVICTION_REASON.sub("", text).strip()


def _result(item: History, status: str, message: str = "") -> ReplayResult:
    return ReplayResult(
        history=item.name,
        file=item.file,
        index=item.index,
        workflow_id=item.workflow_id,
        workflow_type=item.workflow_type,
        status=status,  # type: ignore[arg-type]
        message=message,
    )
