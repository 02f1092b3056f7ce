"""Turn a replay failure into what a person needs: the history event it concerns, what the code
did instead, the likely causes, and where in the workflow source the code issues that command.

Core's messages (sdk-core `worker/workflow/machines`) come in a few shapes; each shape below names
the event (by id, or by the activity or child workflow type it carries) and the command the code
issued in its place. The code location is the static call site of that command in the workflow
class (or a module-level helper of its file), found with `ast` and resolved against the imported
module, so `execute_activity(charge, ...)` matches the activity registered as "charge_card".
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
import sysconfig
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import temporalio
import temporalio.activity
import temporalio.workflow
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent

from mcp_server.replay.histories import History
from mcp_server.replay.models import CodeLocation, ReplayResult

_NOT_USER_CODE = (
    *(os.path.normcase(os.path.dirname(path)) + os.sep for path in (temporalio.__file__, __file__)),
    os.path.normcase(sysconfig.get_paths()["stdlib"]) + os.sep,
)

# What the code can issue, and the calls that issue it.
ACTIVITY, LOCAL_ACTIVITY, TIMER, CHILD, PATCH, COMPLETE = (
    "activity",
    "local activity",
    "timer",
    "child workflow",
    "patch",
    "workflow completion",
)
_CALLS = {
    ACTIVITY: {
        f"{verb}_activity{kind}"
        for verb in ("execute", "start")
        for kind in ("", "_method", "_class")
    },
    LOCAL_ACTIVITY: {
        f"{verb}_local_activity{kind}"
        for verb in ("execute", "start")
        for kind in ("", "_method", "_class")
    },
    TIMER: {"sleep", "wait_condition"},
    CHILD: {"execute_child_workflow", "start_child_workflow"},
    PATCH: {"patched", "deprecate_patch"},
}
# Core's names for its state machines, in "<machine> does not handle this event".
_MACHINES = {
    "Activity": ACTIVITY,
    "Local activity": LOCAL_ACTIVITY,
    "Timer": TIMER,
    "Child workflow": CHILD,
    "Change": PATCH,
    "Complete workflow": COMPLETE,
    "Fail workflow": COMPLETE,
    "Continue as new workflow": COMPLETE,
    "Cancel workflow": COMPLETE,
}
_PATCHED = "workflow.patched"


def traceback_locations(error: BaseException) -> list[CodeLocation]:
    """The innermost frame of the user's own code in the error's traceback."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename
        and not frame.filename.startswith("<")
        and not os.path.normcase(frame.filename).startswith(_NOT_USER_CODE)
    ]
    if not frames:
        return []
    last = frames[-1]
    return [CodeLocation(last.filename, last.lineno or 1, (last.colno or 0) + 1)]


def explain(result: ReplayResult, item: History, workflows: Sequence[type]) -> None:
    """Fill in `event_id`, `explanation`, `likely_causes` and `code_locations` of a failure."""
    cls = _class_for(item.workflow_type, workflows)
    events = list(item.history.events) if item.history else []
    if result.status == "task-failure":
        _explain_task_failure(result)
        return
    kind, name = _explain_nondeterminism(result, events)
    if cls is not None:
        result.code_locations = call_sites(cls, kind, name)


# -- nondeterminism -------------------------------------------------------------------------------

_TYPE_MISMATCH = re.compile(
    r"(Activity|Child workflow) (type|id) of (?:scheduled event|recorded marker) '([^']*)' "
    r"does not match (?:activity|child workflow) \2 of (?:local activity |activity )?command "
    r"'([^']*)'"
)
_MISSING_MACHINE = re.compile(r"Missing associated machine for (\w+)\((\d+)\)")
_PATCH_MARKER = re.compile(r"patch marker encountered for change ([^,]+),")
_WRONG_COMMAND = re.compile(
    r"(?:(.+?) machine (?:does not|cannot) handle this event|No command scheduled for event)"
    r".*?(?:HistoryEvent\(id: (\d+)|event_id: (\d+))"
)

# A handler fills in the event and the explanation from its message shape, and returns the kind
# of command the code issued instead (and its name, when known), to look up its call sites.
_Handler = Callable[[re.Match[str], ReplayResult, list[HistoryEvent]], tuple[str, str]]


def _explain_nondeterminism(result: ReplayResult, events: list[HistoryEvent]) -> tuple[str, str]:
    text = result.message.split("Nondeterminism error: ", 1)[-1]
    for pattern, handler in _SHAPES:
        if found := pattern.search(text):
            return handler(found, result, events)
    result.explanation = "Replaying the code issued other commands than the history recorded."
    result.likely_causes = [
        f"a command (activity, timer, child workflow) was added, removed or reordered without "
        f"{_PATCHED}"
    ]
    return "", ""


def _type_mismatch(
    found: re.Match[str], result: ReplayResult, events: list[HistoryEvent]
) -> tuple[str, str]:
    """Same kind of command, another activity or child workflow type (or id)."""
    machine, field, recorded, issued = found.groups()
    candidates = _mismatch_events(found, events)
    # The engine has replayed prefixes to find the one that breaks (mismatch_candidates).
    event = next((e for e in candidates if e.event_id == result.event_id), None)
    event = event or (candidates[0] if candidates else None)
    kind = _subject(event)[0] if event else (CHILD if machine == "Child workflow" else ACTIVITY)
    result.event_id = event.event_id if event else None
    result.explanation = (
        f"{_where(event)} recorded {kind} {field} '{recorded}'; replaying the code issued {kind} "
        f"{field} '{issued}' in its place."
    )
    reordered = f"{_a(kind)} was added, removed or reordered before this point without {_PATCHED}"
    if field == "id":
        result.likely_causes = [
            f"the {kind} id is computed differently now (an explicit id changed, or it uses "
            "time, randomness or a counter that is not replay-safe)",
            reordered,
        ]
        return kind, ""
    result.likely_causes = [
        reordered,
        f"the {kind} type changed from '{recorded}' to '{issued}' (renamed, or a different "
        f"{kind} is called) without {_PATCHED}",
    ]
    return kind, issued


def mismatch_candidates(message: str, events: list[HistoryEvent]) -> list[int]:
    """For a type (or id) mismatch, the ids of the events recording the type (or id) core names;
    core's message does not say which of them broke."""
    found = _TYPE_MISMATCH.search(message)
    return [event.event_id for event in _mismatch_events(found, events)] if found else []


def _mismatch_events(found: re.Match[str], events: list[HistoryEvent]) -> list[HistoryEvent]:
    machine, field, recorded, _ = found.groups()
    kinds = (CHILD,) if machine == "Child workflow" else (ACTIVITY, LOCAL_ACTIVITY)
    if field == "id":
        return [e for e in events if _subject(e)[0] in kinds and _identifier(e) == recorded]
    return [e for e in events if _subject(e) in [(kind, recorded) for kind in kinds]]


def _missing_machine(
    found: re.Match[str], result: ReplayResult, events: list[HistoryEvent]
) -> tuple[str, str]:
    """A recorded command (a local activity marker) that the code no longer issues."""
    machine, seq = found.groups()
    if machine != "LocalActivity":
        result.explanation = f"The history records a {machine} the code no longer issues."
        result.likely_causes = [f"a command was removed or moved without {_PATCHED}"]
        return "", ""
    event = _first(events, lambda e: _marker(e).get("seq") == int(seq))
    recorded = _subject(event)[1] if event else ""
    result.event_id = event.event_id if event else None
    result.explanation = (
        f"{_where(event)} recorded local activity '{recorded}'; replaying the code did not run "
        "that local activity."
    )
    result.likely_causes = [
        f"local activity '{recorded}' became a regular activity (execute_activity) without "
        f"{_PATCHED}",
        f"local activity '{recorded}' was removed or moved without {_PATCHED}",
    ]
    return ACTIVITY, recorded


def _patch_marker(
    found: re.Match[str], result: ReplayResult, events: list[HistoryEvent]
) -> tuple[str, str]:
    """A patch marker in the history, and no `patched()` call for it in the code."""
    patch = found.group(1).strip()
    event = _first(events, lambda e: _subject(e) == (PATCH, patch))
    result.event_id = event.event_id if event else None
    result.explanation = (
        f"{_where(event)} recorded patch '{patch}'; the code no longer calls "
        f"workflow.patched('{patch}') at that point."
    )
    result.likely_causes = [
        f"workflow.patched('{patch}') was removed while workflows that recorded it still run: "
        f"switch to workflow.deprecate_patch('{patch}') and remove that only once they have "
        "finished",
        "the patch id was renamed",
    ]
    return PATCH, ""


def _wrong_command(
    found: re.Match[str], result: ReplayResult, events: list[HistoryEvent]
) -> tuple[str, str]:
    """Another kind of command than the history's (or none): core names the event by id."""
    machine, event_id = found.group(1), int(found.group(2) or found.group(3))
    event = _first(events, lambda e: e.event_id == event_id)
    result.event_id = event_id
    recorded_kind, recorded = _subject(event)
    recorded_what = f"{recorded_kind} '{recorded}'" if recorded else recorded_kind
    issued = _MACHINES.get(machine, machine.lower()) if machine else ""
    where = f"{_where(event)} recorded {recorded_what}; replaying the code"
    if issued == COMPLETE:
        result.explanation = f"{where} finished the workflow there instead."
        result.likely_causes = [
            f"the {recorded_what} at the end was removed or made conditional without {_PATCHED}",
            "the workflow now returns (or raises) earlier than it did",
        ]
    elif issued:
        result.explanation = f"{where} issued {_a(issued)} there instead."
        result.likely_causes = _swap_causes(recorded_kind, recorded, issued)
    else:
        result.explanation = f"{where} issued no command for it."
        result.likely_causes = [
            f"the {recorded_what} was removed or moved without {_PATCHED}",
            "the code now waits on something else at this point",
        ]
    return (issued, "") if issued else (recorded_kind, recorded)


_SHAPES: list[tuple[re.Pattern[str], _Handler]] = [
    (_TYPE_MISMATCH, _type_mismatch),
    (_MISSING_MACHINE, _missing_machine),
    (_PATCH_MARKER, _patch_marker),
    (_WRONG_COMMAND, _wrong_command),
]


def _swap_causes(recorded_kind: str, recorded: str, issued: str) -> list[str]:
    if recorded_kind == LOCAL_ACTIVITY and issued == ACTIVITY:
        return [
            f"local activity '{recorded}' became a regular activity without {_PATCHED}",
            f"an activity was added before this point without {_PATCHED}",
        ]
    if recorded_kind == ACTIVITY and issued == LOCAL_ACTIVITY:
        return [
            f"activity '{recorded}' became a local activity without {_PATCHED}",
            f"a local activity was added before this point without {_PATCHED}",
        ]
    named = f" '{recorded}'" if recorded else ""
    return [
        f"{_a(issued)} was added before this point without {_PATCHED}",
        f"the {recorded_kind}{named} was removed or moved without {_PATCHED}",
    ]


# -- task failures --------------------------------------------------------------------------------


def _explain_task_failure(result: ReplayResult) -> None:
    message = result.message
    if "RestrictedWorkflowAccessError" in message:
        result.explanation = (
            "The workflow sandbox stopped the code from using a nondeterministic API during "
            "replay, so the workflow task fails (and a live worker would retry it forever)."
        )
        result.likely_causes = [
            "workflow code now calls a restricted API (datetime.now, random, uuid4, I/O, ...): use "
            "workflow.now(), workflow.random(), workflow.uuid4(), or an activity",
            "a module imported by the workflow uses a restricted API; if it is deterministic, "
            "import it inside workflow.unsafe.imports_passed_through()",
        ]
    elif "TMPRL1101" in message or "did not finish within" in message:
        result.explanation = (
            "The workflow code did not yield to the event loop, so the workflow task never "
            "completes."
        )
        result.likely_causes = [
            "a loop that never awaits, or CPU-heavy work: move it to an activity",
            "a blocking call (time.sleep, a lock, a network call) in workflow code or a "
            "passed-through module",
        ]
    elif "Failed decoding" in message or "payload" in message.lower():
        result.explanation = (
            "The workflow's inputs or results in the history cannot be decoded with this data "
            "converter."
        )
        result.likely_causes = [
            "the workers use a custom DataConverter or payload codec (encryption, compression): "
            "pass it with --data-converter module:name",
            "a workflow or activity signature changed in a way the recorded payloads no longer fit",
        ]
    elif "start_to_close_timeout or schedule_to_close_timeout" in message:
        result.explanation = "An activity is started without a timeout, which the SDK refuses."
        result.likely_causes = [
            "execute_activity/start_activity without start_to_close_timeout or "
            "schedule_to_close_timeout"
        ]
    else:
        result.explanation = (
            "The workflow code raised an exception during replay, so the workflow task fails "
            "(a live worker would retry it forever)."
        )
        result.likely_causes = [
            "a bug in the changed code (the exception above)",
            "the code expects different input or state than the history recorded",
        ]


def missed_by_replayer(result: ReplayResult, item: History) -> None:
    """The failure the bare Replayer reports as a pass: the last workflow task of a history that
    ends inside it (the engine saw it in the SDK's log instead)."""
    result.explanation += (
        " The history ends inside this workflow task: a bare Replayer reports it as passing."
    )
    if item.history and item.history.events:
        result.event_id = result.event_id or item.history.events[-1].event_id


# -- history events -------------------------------------------------------------------------------


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _first(events: list[HistoryEvent], test: Callable[[HistoryEvent], bool]) -> HistoryEvent | None:
    return next((event for event in events if test(event)), None)


def _subject(event: HistoryEvent | None) -> tuple[str, str]:
    """What the event records: ("activity", "charge_card"), ("timer", "5m"), ..."""
    if event is None:
        return ("event", "")
    if event.HasField("activity_task_scheduled_event_attributes"):
        return (ACTIVITY, event.activity_task_scheduled_event_attributes.activity_type.name)
    if event.HasField("start_child_workflow_execution_initiated_event_attributes"):
        attributes = event.start_child_workflow_execution_initiated_event_attributes
        return (CHILD, attributes.workflow_type.name)
    if event.HasField("timer_started_event_attributes"):
        seconds = event.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta()
        return (TIMER, f"{seconds}")
    if event.HasField("marker_recorded_event_attributes"):
        details = _marker(event)
        if "activity_type" in details:
            return (LOCAL_ACTIVITY, str(details["activity_type"]))
        if "id" in details:
            return (PATCH, str(details["id"]))
    return (
        EventType.Name(event.event_type).removeprefix("EVENT_TYPE_").lower().replace("_", " "),
        "",
    )


def _identifier(event: HistoryEvent) -> str:
    if event.HasField("activity_task_scheduled_event_attributes"):
        return event.activity_task_scheduled_event_attributes.activity_id
    if event.HasField("start_child_workflow_execution_initiated_event_attributes"):
        return event.start_child_workflow_execution_initiated_event_attributes.workflow_id
    return ""


def _marker(event: HistoryEvent) -> dict[str, Any]:
    """The JSON details core writes into its local activity and patch markers."""
    if not event.HasField("marker_recorded_event_attributes"):
        return {}
    merged: dict[str, Any] = {}
    for payloads in event.marker_recorded_event_attributes.details.values():
        for payload in payloads.payloads:
            try:
                value = json.loads(payload.data)
            except ValueError:  # not JSON (nor UTF-8): not one of core's markers
                continue
            if isinstance(value, dict):
                merged.update(value)
    return merged


def _where(event: HistoryEvent | None) -> str:
    if event is None:
        return "The history"
    kind = EventType.Name(event.event_type).removeprefix("EVENT_TYPE_")
    return f"Event {event.event_id} ({''.join(word.title() for word in kind.split('_'))})"


# -- code locations -------------------------------------------------------------------------------


def _class_for(workflow_type: str, workflows: Sequence[type]) -> type | None:
    dynamic = None
    for cls in workflows:
        defn = temporalio.workflow._Definition.from_class(cls)
        if defn is None:
            continue
        if defn.name == workflow_type:
            return cls
        if defn.name is None:
            dynamic = cls
    return dynamic


def call_sites(cls: type, kind: str, name: str) -> list[CodeLocation]:
    """Where the workflow class (or a module-level helper in its file) issues `kind` commands,
    those for `name` first when the name resolves; else the @workflow.run method."""
    module = sys.modules.get(cls.__module__)
    filename = getattr(module, "__file__", None)
    tree = _parse(filename) if filename else None
    if module is None or tree is None or filename is None:
        return []
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    scopes: list[ast.stmt] = [node for node in tree.body if isinstance(node, functions)]
    class_node = _find_class(tree, cls.__qualname__)
    if class_node is not None:
        scopes.insert(0, class_node)
    sites = [site for scope in scopes for site in _sites(scope, kind, vars(module))]
    named = [site for site in sites if name and site.name == name]
    chosen = named or sites
    if not chosen and class_node is not None:
        chosen = [_Site(node, "") for node in _run_methods(class_node)]
    return [CodeLocation(filename, site.node.lineno, site.node.col_offset + 1) for site in chosen]


@dataclass
class _Site:
    node: ast.stmt | ast.expr
    name: str


def _sites(scope: ast.AST, kind: str, namespace: dict[str, Any]) -> Iterator[_Site]:
    if kind == COMPLETE:
        for method in _run_methods(scope):
            returns: list[ast.stmt] = [n for n in ast.walk(method) if isinstance(n, ast.Return)]
            yield from (_Site(node, "") for node in returns or [method])
        return
    calls = _CALLS.get(kind, set())
    for node in ast.walk(scope):
        if not isinstance(node, ast.Call):
            continue
        callee = (
            node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        )
        if callee not in calls:
            continue
        if callee == "wait_condition" and not any(k.arg == "timeout" for k in node.keywords):
            continue
        if callee == "sleep" and not _is_workflow_or_asyncio(node.func):
            continue
        first = node.args[0] if node.args else None
        yield _Site(node, _resolve_name(first, kind, namespace))


def _is_workflow_or_asyncio(func: ast.expr) -> bool:
    return isinstance(func, ast.Name) or (
        isinstance(func, ast.Attribute) and getattr(func.value, "id", "") in ("workflow", "asyncio")
    )


def _resolve_name(node: ast.expr | None, kind: str, namespace: dict[str, Any]) -> str:
    """The registered name a call's first argument stands for: a string literal as it is, a name
    or attribute looked up in the module and asked for its activity or workflow definition."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    value: Any = namespace.get(node.id)
    for part in parts:
        value = getattr(value, part, None)
    if value is None:
        return parts[-1] if parts else node.id
    if kind in (ACTIVITY, LOCAL_ACTIVITY):
        defn = temporalio.activity._Definition.from_callable(value)
        return defn.name or "" if defn else getattr(value, "__name__", "")
    if kind == CHILD:
        workflow_defn = (
            temporalio.workflow._Definition.from_run_fn(value)
            or temporalio.workflow._Definition.from_class(value)
            if callable(value)
            else None
        )
        return workflow_defn.name or "" if workflow_defn else getattr(value, "__name__", "")
    return ""


def _run_methods(scope: ast.AST) -> list[ast.stmt]:
    return [
        node
        for node in ast.walk(scope)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and any(_decorator_name(d) == "run" for d in node.decorator_list)
    ]


def _decorator_name(node: ast.expr) -> str:
    """`run` for @workflow.run, @run and @workflow.run(...); also the name a call calls."""
    node = node.func if isinstance(node, ast.Call) else node
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def _find_class(tree: ast.Module, qualname: str) -> ast.ClassDef | None:
    body: list[ast.stmt] = tree.body
    found = None
    for part in qualname.split("."):
        found = next((n for n in body if isinstance(n, ast.ClassDef) and n.name == part), None)
        if found is None:
            return None
        body = found.body
    return found


@cache
def _parse(filename: str) -> ast.Module | None:
    try:
        with open(filename, "rb") as file:
            return ast.parse(file.read(), filename)
    except (OSError, SyntaxError, ValueError):
        return None
