"""Calls the walk follows although no name in the call says where they go (issue 15): a method
a base class only declares, `super()`, an attribute typed by the constructor's parameter, a
function's declared return type, a generic class called with its parameters, the default
factories a dataclass runs, and a function handed to a task group. Each capability has a case
that is reported and one that is not; tests/fixtures/dispatch puts them together as a library
runtime would."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mcp_server.lint import engine
from mcp_server.lint.engine import LintOptions, lint_paths
from mcp_server.lint.models import Finding
from mcp_server.lint.project import MAX_OVERRIDES

WORKFLOW = """\
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from lib import {names}


@workflow.defn
class Flow:
    @workflow.run
    async def run(self) -> None:
{body}
"""


def lint(root: Path, library: str, names: str, body: str) -> list[Finding]:
    """Findings of a workflow that imports `names` from a library module `lib` and runs
    `body`, sorted by file and line."""
    (root / "lib.py").write_text(textwrap.dedent(library))
    run = textwrap.indent(textwrap.dedent(body), " " * 8)
    (root / "flows.py").write_text(WORKFLOW.format(names=names, body=run))
    report = lint_paths([str(root)]).report
    return sorted(report.findings, key=lambda f: (f.filename, f.location.row))


def where(findings: list[Finding]) -> list[tuple[str, int, str]]:
    return [(Path(f.filename).name, f.location.row, f.code) for f in findings]


def hops(finding: Finding) -> list[str]:
    return [hop.function for hop in finding.chain]


# --- a method the receiver's class only declares ------------------------------------------------
DECLARED = """\
import abc
import uuid


class Runner(abc.ABC):
    @abc.abstractmethod
    def run(self) -> str:
        \"\"\"One step.\"\"\"


class Local(Runner):
    def run(self) -> str:
        return str(uuid.uuid4())


class Remote(Runner):
    def run(self) -> str:
        return "remote"


def pick(runner: Runner) -> str:
    return runner.run()
"""


def test_a_call_of_an_abstract_method_follows_each_override_through_the_declaration(
    tmp_path: Path,
) -> None:
    findings = lint(tmp_path, DECLARED, "Runner, pick", "pick(Runner())")
    assert where(findings) == [("lib.py", 13, "TPR105")]
    assert hops(findings[0]) == [
        "Flow.run",
        "lib.pick",
        "lib.Runner.run",
        "lib.Local.run",
        "uuid.uuid4",
    ]
    declaration = findings[0].chain[2]
    assert (declaration.row, declaration.column) == (7, 5)  # where `Runner.run` is declared


def test_a_stub_method_counts_as_a_declaration(tmp_path: Path) -> None:
    stub = DECLARED.replace("    @abc.abstractmethod\n", "").replace(
        '        """One step."""', "        raise NotImplementedError"
    )
    assert where(lint(tmp_path, stub, "Runner, pick", "pick(Runner())")) == [
        ("lib.py", 12, "TPR105")
    ]


def test_a_concrete_method_is_followed_alone_not_its_overrides(tmp_path: Path) -> None:
    concrete = DECLARED.replace("    @abc.abstractmethod\n", "").replace(
        '        """One step."""', '        return "base"'
    )
    assert lint(tmp_path, concrete, "Runner, pick", "pick(Runner())") == []


def implementations(count: int) -> str:
    """A base that declares `run`, with `count` overrides that each mint a uuid."""
    overrides = "".join(
        f"\n\nclass Impl{i}(Runner):\n    def run(self) -> str:\n        return str(uuid.uuid4())\n"
        for i in range(count)
    )
    pick = "\n\ndef pick(runner: Runner) -> str:\n    return runner.run()\n"
    return DECLARED.split("\n\n\nclass Local")[0] + "\n" + overrides + pick


def test_a_plug_in_point_with_more_overrides_than_the_bound_is_not_followed(
    tmp_path: Path,
) -> None:
    within = lint(tmp_path, implementations(MAX_OVERRIDES), "Runner, pick", "pick(Runner())")
    assert len(within) == MAX_OVERRIDES
    beyond = implementations(MAX_OVERRIDES + 1)
    assert lint(tmp_path, beyond, "Runner, pick", "pick(Runner())") == []


# --- super() --------------------------------------------------------------------------------------
SUPER = """\
import time


class Base:
    def __init__(self) -> None:
        self.ready = True

    def stamp(self) -> float:
        return time.time()


class Child(Base):
    def __init__(self) -> None:
        super().__init__()

    def stamp(self) -> float:
        return super().stamp() + 1
"""


def test_super_calls_the_method_of_the_base(tmp_path: Path) -> None:
    findings = lint(tmp_path, SUPER, "Child", "Child().stamp()")
    assert where(findings) == [("lib.py", 9, "TPR101")]
    assert hops(findings[0]) == ["Flow.run", "lib.Child.stamp", "lib.Base.stamp", "time.time"]


def test_super_init_of_a_base_that_does_nothing_wrong_reports_nothing(tmp_path: Path) -> None:
    assert lint(tmp_path, SUPER, "Child", "Child()") == []


# --- an attribute typed by the constructor's parameter ---------------------------------------------
WRAPPED = """\
import random


class Inner:
    def value(self) -> float:
        return random.random()

    def name(self) -> str:
        return "inner"


class Outer:
    def __init__(self, inner: Inner) -> None:
        self.inner = inner

    def value(self) -> float:
        return self.inner.value()

    def name(self) -> str:
        return self.inner.name()
"""


def test_an_attribute_assigned_from_an_annotated_parameter_has_its_type(tmp_path: Path) -> None:
    findings = lint(tmp_path, WRAPPED, "Inner, Outer", "Outer(Inner()).value()")
    assert where(findings) == [("lib.py", 6, "TPR103")]
    assert hops(findings[0]) == ["Flow.run", "lib.Outer.value", "lib.Inner.value", "random.random"]


def test_a_method_of_the_parameter_type_that_does_nothing_wrong_reports_nothing(
    tmp_path: Path,
) -> None:
    assert lint(tmp_path, WRAPPED, "Inner, Outer", "Outer(Inner()).name()") == []


# --- a function's declared return type -------------------------------------------------------------
RETURNED = """\
import os


class Client:
    def region(self) -> str | None:
        return os.environ.get("REGION")

    def retries(self) -> int:
        return 3


def connect() -> Client:
    return Client()


def connect_later():
    return Client()
"""


def test_a_method_called_on_what_a_function_declares_it_returns_is_followed(
    tmp_path: Path,
) -> None:
    findings = lint(tmp_path, RETURNED, "connect", "client = connect()\nclient.region()")
    assert where(findings) == [("lib.py", 6, "TPR205")]
    assert hops(findings[0])[:3] == ["Flow.run", "lib.Client.region", "os.environ"]


def test_what_an_undeclared_or_harmless_return_does_is_not_reported(tmp_path: Path) -> None:
    body = "connect().retries()\nclient = connect_later()\nclient.region()"
    assert lint(tmp_path, RETURNED, "connect, connect_later", body) == []


# --- a generic class called with its parameters ---------------------------------------------------
GENERIC = """\
import uuid
from typing import Generic, TypeVar

T = TypeVar("T")


class Run(Generic[T]):
    def __init__(self, start: T) -> None:
        self.run_id = uuid.uuid4()


class Box(Generic[T]):
    def __init__(self, item: T) -> None:
        self.item = item


def id_of(item: str) -> str:
    return item


JOBS = {"id": id_of}
"""


def test_a_generic_class_called_with_its_parameters_runs_its_init(tmp_path: Path) -> None:
    findings = lint(tmp_path, GENERIC, "Run", "Run[str]('start')")
    assert where(findings) == [("lib.py", 9, "TPR105")]
    assert hops(findings[0]) == ["Flow.run", "lib.Run.__init__", "uuid.uuid4"]


def test_a_container_element_called_the_same_way_is_not_taken_for_a_class(tmp_path: Path) -> None:
    assert lint(tmp_path, GENERIC, "Box, JOBS", "Box[str]('x')\nJOBS['id']('x')") == []


# --- the default factories of a dataclass ---------------------------------------------------------
FACTORIES = """\
import time
import uuid
from dataclasses import dataclass, field


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class Event:
    name: str
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    at: float = field(default_factory=time.time)
    trace: str = field(default_factory=new_id)
    tags: list[str] = field(default_factory=list)


@dataclass
class Own:
    name: str
    own_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def __init__(self, name: str) -> None:
        self.name = name
        self.own_id = name
"""


def test_constructing_a_dataclass_runs_the_default_factories_of_the_fields_not_given(
    tmp_path: Path,
) -> None:
    findings = lint(tmp_path, FACTORIES, "Event", "Event('start')")
    assert where(findings) == [
        ("lib.py", 7, "TPR105"),  # new_id, named as a factory
        ("lib.py", 13, "TPR105"),  # a lambda
        ("lib.py", 14, "TPR101"),  # time.time, named as a factory
    ]
    assert hops(findings[1]) == ["Flow.run", "lib.Event.__init__", "uuid.uuid4"]
    assert hops(findings[0]) == ["Flow.run", "lib.Event.__init__", "lib.new_id", "uuid.uuid4"]


def test_a_factory_named_by_reference_is_reported_at_the_field_without_a_fix(
    tmp_path: Path,
) -> None:
    clock = lint(tmp_path, FACTORIES, "Event", "Event('start')")[2]
    assert (clock.code, clock.location.row, clock.location.column) == ("TPR101", 14, 39)
    assert clock.fix is None  # `default_factory=time.time` is a reference: no call to replace


def test_factories_of_fields_given_or_of_a_class_with_its_own_init_do_not_run(
    tmp_path: Path,
) -> None:
    body = "Event('start', 'id-1', 0.0, 'trace-1')\nEvent(name='x', event_id='1', at=0.0, trace='t')\nOwn('x')"
    assert lint(tmp_path, FACTORIES, "Event, Own", body) == []


# --- a function handed to a task group ------------------------------------------------------------
TASKS = """\
import random

import anyio


class Steps:
    async def start(self) -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(self._draw)

    async def settle(self) -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(self._log)

    async def _draw(self) -> None:
        self.value = random.random()

    async def _log(self) -> None:
        self.done = True
"""


def test_a_function_handed_to_a_task_group_runs_in_the_workflow(tmp_path: Path) -> None:
    findings = lint(tmp_path, TASKS, "Steps", "await Steps().start()")
    assert where(findings) == [("lib.py", 16, "TPR103")]
    assert hops(findings[0]) == ["Flow.run", "lib.Steps.start", "lib.Steps._draw", "random.random"]


def test_a_task_that_does_nothing_wrong_reports_nothing(tmp_path: Path) -> None:
    assert lint(tmp_path, TASKS, "Steps", "await Steps().settle()") == []


def test_overrides_are_found_the_same_however_the_run_is_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An override in another folder, which a split run analyzes in another batch or process.
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "more.py").write_text(
        "import time\n\nfrom lib import Runner\n\n\nclass Late(Runner):\n"
        "    def run(self) -> str:\n        return str(time.time())\n"
    )
    single = lint(tmp_path, DECLARED, "Runner, pick", "pick(Runner())")
    assert where(single) == [("lib.py", 13, "TPR105"), ("more.py", 8, "TPR101")]
    monkeypatch.setattr(engine, "_PARALLEL_MIN_BYTES", 0)
    reports = [lint_paths([str(tmp_path)], LintOptions(jobs=2)).report]
    monkeypatch.setattr(engine, "_BATCH_CHARACTERS", 1)  # one process, a batch per folder
    reports.append(lint_paths([str(tmp_path)], LintOptions(jobs=1)).report)
    assert all(
        sorted(r.findings, key=lambda f: (f.filename, f.location.row)) == single for r in reports
    )
