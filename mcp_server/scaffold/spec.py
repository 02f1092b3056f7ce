"""What `temporal-pro scaffold saga` generates, and its validation.

A saga is given as flags (`--step reserve_inventory:release_inventory --step ship_order`,
`--parallel charge_payment,notify_customer`) or as a TOML or JSON spec file:

    name = "order"
    task_queue = "order-saga"                 # default: the name, dashed, + "-saga"
    pydantic = false
    parallel = [["charge_payment", "notify_customer"]]

    [input]                                   # the workflow's input type
    type = "OrderRequest"                     # default: <Name>Input
    fields = { order_id = "str", amount_cents = "int" }

    [result]
    type = "OrderReceipt"                     # default: <Name>Result

    [compensations]                           # every compensation's timeouts and retries
    timeouts = { start_to_close = "30s", schedule_to_close = "1h" }
    retry = { maximum_attempts = 0 }

    [[steps]]
    name = "charge_payment"
    compensation = "refund_payment"
    timeouts = { start_to_close = "10s", schedule_to_close = "2m" }
    retry = { maximum_attempts = 3, initial_interval = "1s" }
    non_retryable_errors = ["CardDeclined"]

A step may also be written as a string, `"charge_payment:refund_payment"`. Everything is
checked here, so that the generator only ever sees a saga it can write correctly.
"""

from __future__ import annotations

import builtins
import json
import keyword
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcp_server import sdk_facts
from mcp_server.errors import InputError
from mcp_server.timeouts import durations
from mcp_server.timeouts.models import TimeoutInputError


class ScaffoldError(InputError):
    """A saga that cannot be generated, or an output folder that cannot take it: one line."""


# --- the saga's own defaults ----------------------------------------------------------------------
# The SDK's defaults (sdk_facts) fill in what these leave out. A step's retries are bounded: it
# fails the saga, and compensation starts, instead of retrying for ever. A compensation retries
# without a count for an hour: giving up leaves a half-undone saga (references/saga.md).
STEP_TIMEOUTS = {"start_to_close": 30.0}
STEP_MAXIMUM_ATTEMPTS = 5
COMPENSATION_TIMEOUTS = {"start_to_close": 30.0, "schedule_to_close": 3600.0}
COMPENSATION_MAXIMUM_ATTEMPTS = sdk_facts.DEFAULT_RETRY_MAX_ATTEMPTS
FIELD_TYPES = ("str", "int", "float", "bool")
# Longer names would not fit the generated lines (100 columns) however they were wrapped.
MAX_NAME = 40  # steps, compensations, fields, classes
MAX_SAGA_NAME = 30  # the package, and <Name>Saga, <Name>Progress...
MAX_TEXT = 60  # a task queue, an error type
DEFAULT_FIELDS = (("reference", "str"),)

# The timeouts a spec may set, by the names of sdk_facts.ACTIVITY_TIMEOUTS (`start_to_close`).
TIMEOUT_KEYS = tuple(sdk_facts.ACTIVITY_TIMEOUTS)
# RetryPolicy's fields; its non_retryable_error_types is the step's `non_retryable_errors`.
RETRY_KEYS = ("initial_interval", "backoff_coefficient", "maximum_interval", "maximum_attempts")

_TOP_KEYS = (
    "name",
    "task_queue",
    "pydantic",
    "parallel",
    "input",
    "result",
    "compensations",
    "steps",
)
_STEP_KEYS = ("name", "compensation", "timeouts", "retry", "non_retryable_errors")
_TASK_QUEUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_ERROR_TYPE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")

# Names the generated modules define or import at their top level (a test holds this list to the
# generated code). No name of the saga may take one: a step name would shadow it in activities.py,
# a class name in the modules that import the models.
GENERATED_NAMES = frozenset(
    {
        "ACTIVITIES", "COMPENSATIONS", "EXIT_STATUS", "REQUEST", "STAGES", "STEPS", "TASK_QUEUE",
        "ActivityError", "Any", "ApplicationError", "Awaitable", "BaseModel", "Call", "Callable",
        "CancelledError", "Client", "ClientConfig", "Compensation", "Field", "Outcome", "Recorder",
        "RetryPolicy", "Started", "Worker", "WorkflowEnvironment", "WorkflowFailureError",
        "activities", "activity", "argparse", "asyncio", "dataclass", "field", "importlib",
        "logger", "logging", "main", "os", "pydantic_data_converter", "pytest", "signal", "sys",
        "timedelta", "uuid", "workflow",
    }
)  # fmt: skip
# Top-level modules the generated package imports: a package of the same name would hide them.
_DEPENDENCIES = frozenset(
    {"temporalio", "pytest", "_pytest", "pluggy", "pydantic", "pydantic_core", "google",
     "nexusrpc", "typing_extensions", "tests"}
)  # fmt: skip


@dataclass(frozen=True)
class Retry:
    """A RetryPolicy, in seconds; maximum_attempts 0 is unlimited."""

    initial_interval: float
    backoff_coefficient: float
    maximum_interval: float
    maximum_attempts: int


@dataclass(frozen=True)
class Options:
    """An activity's timeouts (sdk_facts.ACTIVITY_TIMEOUTS keys, in seconds) and retry policy."""

    timeouts: Mapping[str, float]
    retry: Retry
    non_retryable_errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    name: str
    compensation: str | None
    options: Options


@dataclass(frozen=True)
class InputField:
    name: str
    type: str  # one of FIELD_TYPES


@dataclass(frozen=True)
class SagaSpec:
    name: str  # the package name, a Python identifier
    steps: tuple[Step, ...]
    # The order the steps run in: one step, or a parallel group, per stage.
    stages: tuple[tuple[str, ...], ...]
    input_type: str
    input_fields: tuple[InputField, ...]
    result_type: str
    compensation_options: Options
    task_queue: str
    pydantic: bool = False

    @property
    def camel(self) -> str:
        return camel(self.name)

    @property
    def workflow_class(self) -> str:
        base = self.camel
        return base if base.endswith("Saga") else f"{base}Saga"

    @property
    def progress_type(self) -> str:
        return f"{self.camel}Progress"

    def step(self, name: str) -> Step:
        return next(step for step in self.steps if step.name == name)


def camel(name: str) -> str:
    """`reserve_inventory` -> `ReserveInventory`."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def step_input_type(step: str) -> str:
    return f"{camel(step)}Input"


# --- entry points -------------------------------------------------------------------------------
def parse_steps(
    name: str,
    steps: Sequence[str],
    parallel: Sequence[str | Sequence[str]] = (),
    *,
    pydantic: bool = False,
) -> SagaSpec:
    """A saga from flags: `steps` as `step[:compensation]`, `parallel` as comma-separated step
    names (or lists of them)."""
    return _build({"name": name, "steps": list(steps), "parallel": list(parallel)}, pydantic)


def build_spec(
    data: Mapping[str, Any], name: str | None = None, pydantic: bool | None = None
) -> SagaSpec:
    """A saga from the content of a spec file, already parsed (the MCP tool's JSON argument)."""
    data = dict(data)
    if name is not None:
        data["name"] = name
    return _build(data, pydantic)


def load_spec(path: str | Path, name: str | None = None, pydantic: bool | None = None) -> SagaSpec:
    """A saga from a TOML or JSON spec file; `name` and `pydantic`, when given, override the
    file's."""
    path = Path(path)
    data = _read(path)
    try:
        return build_spec(data, name, pydantic)
    except ScaffoldError as error:
        raise ScaffoldError(f"{path}: {error}") from None


def _read(path: Path) -> dict[str, Any]:
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise ScaffoldError(f"{path}: a spec file is .toml or .json")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScaffoldError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ScaffoldError(f"{path}: not UTF-8 text") from None
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ScaffoldError(
                f"{path}: not valid JSON: {error.msg} "
                f"(at line {error.lineno}, column {error.colno})"
            ) from None
        if not isinstance(data, dict):
            raise ScaffoldError(f"{path}: the spec must be a JSON object")
        return data
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScaffoldError(f"{path}: not valid TOML: {error}") from None


# --- building and checking ----------------------------------------------------------------------
def _build(data: dict[str, Any], pydantic: bool | None) -> SagaSpec:
    _known(data, _TOP_KEYS, "the spec")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ScaffoldError("the saga has no name (give NAME, or `name` in the spec)")
    _check_package(name)
    if pydantic is None:
        pydantic = _typed(data.get("pydantic", False), bool, "pydantic", "true or false")

    raw_steps = data.get("steps")
    if raw_steps is None or raw_steps == []:
        raise ScaffoldError("no steps: give at least one (--step NAME[:COMPENSATION])")
    raw_steps = _typed(raw_steps, list, "steps", "a list")
    compensation_options = _options(
        _table(data.get("compensations", {}), "compensations"),
        "compensations",
        ("timeouts", "retry"),
        COMPENSATION_TIMEOUTS,
        COMPENSATION_MAXIMUM_ATTEMPTS,
    )
    steps = tuple(_step(raw, index) for index, raw in enumerate(raw_steps, 1))
    _check_step_names(steps)
    if not any(step.compensation for step in steps):
        raise ScaffoldError(
            "no step has a compensation (--step STEP:COMPENSATION): nothing to undo"
        )
    stages = _stages(steps, _typed(data.get("parallel", []), list, "parallel", "a list"))

    input_table = _table(data.get("input", {}), "input")
    _known(input_table, ("type", "fields"), "input")
    result_table = _table(data.get("result", {}), "result")
    _known(result_table, ("type",), "result")
    base = camel(name)
    input_type = _class_name(input_table.get("type", f"{base}Input"), "input.type")
    result_type = _class_name(result_table.get("type", f"{base}Result"), "result.type")
    fields = _fields(input_table.get("fields"), pydantic)

    task_queue = data.get("task_queue", f"{name.removesuffix('_saga').replace('_', '-')}-saga")
    if not isinstance(task_queue, str) or not _TASK_QUEUE.fullmatch(task_queue):
        raise ScaffoldError(
            f"task_queue {task_queue!r}: use letters, digits, dots, dashes and underscores"
        )
    _check_length(task_queue, "task_queue", MAX_TEXT)
    spec = SagaSpec(
        name=name,
        steps=steps,
        stages=stages,
        input_type=input_type,
        input_fields=fields,
        result_type=result_type,
        compensation_options=compensation_options,
        task_queue=task_queue,
        pydantic=pydantic,
    )
    _check_classes(spec)
    return spec


def _step(raw: object, index: int) -> Step:
    if isinstance(raw, str):
        name, compensation = _split_step(raw)
        table: dict[str, Any] = {}
    elif isinstance(raw, dict):
        table = raw
        given = table.get("name")
        if not isinstance(given, str):
            raise ScaffoldError(f"step {index} has no name")
        name = given
        compensation = table.get("compensation")
        if compensation is not None and not isinstance(compensation, str):
            raise ScaffoldError(f"step {name}: compensation must be a name")
    else:
        raise ScaffoldError(f"step {index}: give a name (`step:compensation`) or a table")
    _check_identifier(name, "step")
    if compensation is not None:
        _check_identifier(compensation, "compensation")
    options = _options(table, f"step {name}", _STEP_KEYS, STEP_TIMEOUTS, STEP_MAXIMUM_ATTEMPTS)
    return Step(name, compensation, options)


def _split_step(text: str) -> tuple[str, str | None]:
    name, colon, compensation = text.partition(":")
    if not colon:
        return name.strip(), None
    if ":" in compensation:
        raise ScaffoldError(f"step {text!r}: use STEP or STEP:COMPENSATION (one colon)")
    if not compensation.strip():
        raise ScaffoldError(f"step {text!r}: no compensation after the colon")
    return name.strip(), compensation.strip()


def _options(
    table: dict[str, Any],
    where: str,
    keys: Sequence[str],
    default_timeouts: Mapping[str, float],
    default_attempts: int,
) -> Options:
    _known(table, keys, where)
    timeouts = dict(default_timeouts)
    given = _table(table.get("timeouts", {}), f"{where}: timeouts")
    _known(given, TIMEOUT_KEYS, f"{where}: timeouts")
    for key, value in given.items():
        seconds = _duration(value, f"{where}: timeouts.{key}")
        if seconds == 0:
            raise ScaffoldError(f"{where}: timeouts.{key} must be longer than 0s")
        timeouts[key] = seconds
    total = timeouts.get("schedule_to_close")
    for key in ("start_to_close", "heartbeat"):
        if total is not None and timeouts.get(key, 0) > total:
            raise ScaffoldError(
                f"{where}: timeouts.{key} ({durations.text(timeouts[key])}) is longer than "
                f"schedule_to_close ({durations.text(total)})"
            )
    retry = _retry(_table(table.get("retry", {}), f"{where}: retry"), where, default_attempts)
    if retry.maximum_attempts == 0 and total is None:
        raise ScaffoldError(
            f"{where}: unlimited attempts with no timeouts.schedule_to_close retry for ever: "
            "set one of them"
        )
    errors = _typed(
        table.get("non_retryable_errors", []), list, f"{where}: non_retryable_errors", "a list"
    )
    for error in errors:
        if not isinstance(error, str) or not _ERROR_TYPE.fullmatch(error):
            raise ScaffoldError(
                f"{where}: non_retryable_errors: {error!r} is not an error type name "
                "(like CardDeclined)"
            )
        _check_length(error, f"{where}: non_retryable_errors:", MAX_TEXT)
    return Options(timeouts, retry, tuple(dict.fromkeys(errors)))


def _retry(table: dict[str, Any], where: str, default_attempts: int) -> Retry:
    _known(table, RETRY_KEYS, f"{where}: retry")
    initial = sdk_facts.DEFAULT_RETRY_INITIAL_SECONDS
    if "initial_interval" in table:
        initial = _duration(table["initial_interval"], f"{where}: retry.initial_interval")
        if initial == 0:
            raise ScaffoldError(f"{where}: retry.initial_interval must be longer than 0s")
    maximum = initial * sdk_facts.DEFAULT_RETRY_MAX_INTERVAL_FACTOR
    if "maximum_interval" in table:
        maximum = _duration(table["maximum_interval"], f"{where}: retry.maximum_interval")
        if maximum < initial:
            raise ScaffoldError(
                f"{where}: retry.maximum_interval ({durations.text(maximum)}) is shorter than "
                f"initial_interval ({durations.text(initial)})"
            )
    backoff = table.get("backoff_coefficient", sdk_facts.DEFAULT_RETRY_BACKOFF)
    if isinstance(backoff, bool) or not isinstance(backoff, (int, float)) or backoff < 1:
        raise ScaffoldError(
            f"{where}: retry.backoff_coefficient {backoff!r}: give a number of at least 1"
        )
    attempts = table.get("maximum_attempts", default_attempts)
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 0:
        raise ScaffoldError(
            f"{where}: retry.maximum_attempts {attempts!r}: give a whole number, 0 for unlimited"
        )
    return Retry(initial, float(backoff), maximum, attempts)


def _stages(steps: tuple[Step, ...], parallel: list[Any]) -> tuple[tuple[str, ...], ...]:
    order = [step.name for step in steps]
    compensations = {step.compensation for step in steps}
    group_of: dict[str, int] = {}
    groups: list[list[str]] = []
    for raw in parallel:
        if isinstance(raw, str):
            members = [part.strip() for part in raw.split(",")]
        elif isinstance(raw, list) and all(isinstance(part, str) for part in raw):
            members = list(raw)
        else:
            raise ScaffoldError(f"parallel group {raw!r}: give step names")
        shown = ",".join(members)
        if len(members) < 2:
            raise ScaffoldError(f"parallel group {shown}: a group needs at least two steps")
        for member in members:
            if member in compensations:
                raise ScaffoldError(
                    f"parallel group {shown}: {member} is a compensation; group steps"
                )
            if member not in order:
                raise ScaffoldError(f"parallel group {shown}: no step is named {member!r}")
            if member in group_of:
                again = "named twice" if group_of[member] == len(groups) else "in two groups"
                raise ScaffoldError(f"parallel group {shown}: {member} is {again}")
            group_of[member] = len(groups)
        positions = sorted(order.index(member) for member in members)
        if positions[-1] - positions[0] != len(members) - 1:
            raise ScaffoldError(
                f"parallel group {shown}: its steps must be next to each other in the step order"
            )
        groups.append(members)
    stages: list[tuple[str, ...]] = []
    for step in order:
        if step not in group_of:
            stages.append((step,))
        elif not any(step in stage for stage in stages):
            stages.append(tuple(s for s in order if group_of.get(s) == group_of[step]))
    return tuple(stages)


def _fields(raw: object, pydantic: bool) -> tuple[InputField, ...]:
    if raw is None:
        return tuple(InputField(name, type_) for name, type_ in DEFAULT_FIELDS)
    table = _table(raw, "input.fields")
    if not table:
        raise ScaffoldError('input.fields is empty: give at least one field (name = "str")')
    fields = []
    for name, type_ in table.items():
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
            raise ScaffoldError(
                f"input field {name!r}: not a Python identifier (letters, digits and "
                "underscores, starting with a letter)"
            )
        _check_length(name, "input field", MAX_NAME)
        if pydantic and name.startswith("model_"):
            raise ScaffoldError(f"input field {name!r}: pydantic reserves names starting model_")
        if type_ not in FIELD_TYPES:
            raise ScaffoldError(
                f"input field {name}: type {type_!r} is not one of {', '.join(FIELD_TYPES)}"
            )
        fields.append(InputField(name, type_))
    return tuple(fields)


def _check_package(name: str) -> None:
    if not name.isidentifier() or keyword.iskeyword(name) or not name[0].isalpha():
        raise ScaffoldError(
            f"saga name {name!r}: not a Python package name (letters, digits and underscores, "
            "starting with a letter)"
        )
    _check_length(name, "saga name", MAX_SAGA_NAME)
    if name != name.lower():
        raise ScaffoldError(f"saga name {name!r}: a package name is lowercase ({name.lower()})")
    if name in sys.stdlib_module_names or name in _DEPENDENCIES:
        raise ScaffoldError(
            f"saga name {name!r}: a package of that name would hide the {name} module"
        )


def _check_identifier(name: str, what: str) -> None:
    if not name.isidentifier() or not name[0].isalpha():
        raise ScaffoldError(
            f"{what} {name!r}: not a Python identifier (letters, digits and underscores, "
            "starting with a letter)"
        )
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise ScaffoldError(f"{what} {name!r}: a Python keyword")
    _check_length(name, what, MAX_NAME)
    if hasattr(builtins, name) or name in GENERATED_NAMES:
        raise ScaffoldError(f"{what} {name!r}: the generated code already uses that name")


def _check_step_names(steps: tuple[Step, ...]) -> None:
    seen: dict[str, str] = {}
    for step in steps:
        for name, what in ((step.name, "step"), (step.compensation, "compensation")):
            if name is None:
                continue
            if name in seen:
                raise ScaffoldError(f"{what} {name!r}: the name is already a {seen[name]}")
            seen[name] = what


def _check_classes(spec: SagaSpec) -> None:
    """Every class the package defines has its own name (`reserveInventory` and
    `reserve_inventory` would both make ReserveInventoryInput), which no step takes either."""
    owners = {step.name: f"step {step.name}" for step in spec.steps}
    owners.update(
        {s.compensation: f"compensation {s.compensation}" for s in spec.steps if s.compensation}
    )
    classes = [
        (spec.workflow_class, "the workflow class"),
        (spec.progress_type, "the progress type"),
        (spec.input_type, "the input type"),
        (spec.result_type, "the result type"),
        *(
            (step_input_type(step.name), f"the input type of step {step.name}")
            for step in spec.steps
        ),
    ]
    for class_name, owner in classes:
        if class_name in GENERATED_NAMES or hasattr(builtins, class_name):
            raise ScaffoldError(f"{owner} {class_name}: the generated code already uses that name")
        if class_name in owners:
            raise ScaffoldError(f"{owner} and {owners[class_name]} are both named {class_name}")
        owners[class_name] = owner


def _check_length(name: str, what: str, limit: int) -> None:
    if len(name) > limit:
        raise ScaffoldError(f"{what} {name[:20]}...: longer than {limit} characters")


def _class_name(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.isidentifier() or keyword.iskeyword(value):
        raise ScaffoldError(f"{where} {value!r}: not a Python class name")
    _check_length(value, where, MAX_NAME)
    if not value[0].isupper():
        raise ScaffoldError(f"{where} {value!r}: a class name starts with a capital letter")
    return value


# --- small readers ------------------------------------------------------------------------------
def _known(table: Mapping[str, Any], keys: Sequence[str], where: str) -> None:
    for key in table:
        if key not in keys:
            raise ScaffoldError(f"{where}: unknown key {key!r} (expected: {', '.join(keys)})")


def _table(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScaffoldError(f"{where}: give a table (a JSON object)")
    return value


def _typed(value: Any, kind: type, where: str, expected: str) -> Any:
    if not isinstance(value, kind):
        raise ScaffoldError(f"{where}: give {expected}, not {value!r}")
    return value


def _duration(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ScaffoldError(f'{where}: give a duration like "30s", not {value!r}')
    try:
        return durations.parse(str(value), where)
    except TimeoutInputError as error:
        raise ScaffoldError(str(error)) from None
