"""Every lint rule: its code, name, category, severity, message, documentation and samples.

A rule is a class: the docstring is its documentation (Ruff's headings), `VALID` and `INVALID`
hold samples in Fixit's style. In an INVALID sample each offending line ends with
`# expect: CODE`; the tests require the findings to be exactly those lines. A VALID sample must
lint clean. `temporal-pro rule CODE` prints the docstring followed by the first samples.

Which code the rules inspect and how is in `checker.py`; what the linter knows about calls is in
`knowledge.py`. This module holds what the user reads.
"""

from __future__ import annotations

import inspect
import string
from typing import ClassVar

from mcp_server.lint import knowledge
from mcp_server.lint.models import Category, RuleInfo, Severity

RULES: dict[str, type[Rule]] = {}


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    category: ClassVar[Category]
    # "error": the code fails (replay breaks, a worker cannot start); "warning": it runs but is
    # wrong in a way that does not break replay. An error is a promise that the code will fail.
    severity: ClassVar[Severity] = "error"
    # The severity of a finding in a test file (see is_test_file), when it differs there.
    test_severity: ClassVar[Severity | None] = None
    summary: ClassVar[str]
    message: ClassVar[str]  # str.format template over the checker's fields
    fix_title: ClassVar[str | None] = None
    VALID: ClassVar[list[str]] = []
    INVALID: ClassVar[list[str]] = []

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        assert cls.code not in RULES, f"duplicate rule code {cls.code}"
        RULES[cls.code] = cls

    @classmethod
    def render(cls, template: str | None, fields: dict[str, str]) -> str | None:
        if template is None:
            return None
        return string.Formatter().vformat(template, (), _Blank(fields))

    @classmethod
    def info(cls) -> RuleInfo:
        return RuleInfo(
            code=cls.code,
            name=cls.name,
            category=cls.category,
            severity=cls.severity,
            summary=cls.summary,
        )

    @classmethod
    def _in_tests(cls) -> str:
        if cls.test_severity is None or cls.test_severity == cls.severity:
            return ""
        return f" (`{cls.test_severity}` in test files)"

    @classmethod
    def documentation(cls) -> str:
        """The docstring under a title, with the first INVALID and VALID samples inserted as
        `## Example` / `## Use instead` before `## Fix safety` (Ruff's order of headings)."""
        text = inspect.cleandoc(cls.__doc__ or "")
        before, marker, after = text.partition("## Fix safety")
        parts = [
            f"# {cls.code} {cls.name}",
            "",
            f"{cls.summary}. Severity `{cls.severity}`{cls._in_tests()}, category "
            f"`{cls.category}`.",
            "",
            before.strip("\n"),
        ]
        for heading, samples in (("Example", cls.INVALID), ("Use instead", cls.VALID)):
            if samples:
                parts += ["", f"## {heading}", "```python", samples[0].strip("\n"), "```"]
        if marker:
            safety, heading, rest = after.partition("\n## ")
            if cls.code in knowledge.FIXABLE:
                safety = safety.rstrip("\n") + "\n\n" + _FIXES_IN_HELPERS + "\n"
            parts += ["", (marker + safety + heading + rest).strip("\n")]
        return "\n".join(parts) + "\n"


# Shared by every rule with a fix: written once, added to each one's `## Fix safety`.
_FIXES_IN_HELPERS = (
    "In a function outside the workflow class (a helper), every fix is unsafe: activities,\n"
    "tests or scripts may call the helper too, and the replacement is meant for workflow code\n"
    "(the `workflow` API raises outside a workflow)."
)


class _Blank(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return ""


def is_test_file(path: str) -> bool:
    """Whether a module is test code, as pytest finds it: test_*.py, *_test.py, conftest.py, or
    any file under a folder named tests. `path` is relative to the project's root."""
    parts = path.replace("\\", "/").split("/")
    name = parts[-1]
    return (
        (name.startswith("test_") and name.endswith(".py"))
        or name.endswith("_test.py")
        or name == "conftest.py"
        or "tests" in parts[:-1]
    )


def sample(text: str) -> str:
    return inspect.cleandoc(text) + "\n"


def workflow_sample(text: str) -> str:
    """A sample that starts with the usual workflow imports."""
    return _WF + "\n" + sample(text)


def resolve_codes(selectors: list[str]) -> set[str]:
    """Codes matched by `selectors` (codes, code prefixes such as TPR1, or rule names)."""
    by_name = {rule.name: code for code, rule in RULES.items()}
    codes: set[str] = set()
    for selector in selectors:
        selector = selector.strip()
        if not selector:
            continue
        if selector in by_name:
            codes.add(by_name[selector])
            continue
        matched = {code for code in RULES if code.startswith(selector.upper())}
        if not matched:
            raise ValueError(f"unknown rule code or name: {selector}")
        codes |= matched
    return codes


# A sample preamble shared by the workflow samples below.
_WF = "from datetime import timedelta\n\nfrom temporalio import activity, workflow\n"


# --- 0xx: input ----------------------------------------------------------------------------------
class SyntaxErrorRule(Rule):
    """
    ## What it does
    Reports a file that no supported Python grammar can parse.

    ## Why is this bad?
    A module that does not parse cannot be imported: a worker that registers a workflow from it
    fails to start, and the linter cannot check anything in it. The other files are still linted.

    ## Fix safety
    There is no automatic fix: only you know what the code was meant to say.

    ## Known problems
    Code newer than the running interpreter is parsed with libcst's grammar (up to Python 3.14), so
    a 3.12 `type` statement linted on 3.11 is analyzed, not reported here. Errors that only appear
    when the module runs (a `NameError` at module level) are not reported.

    ## References
    - https://docs.python.org/3/reference/grammar.html
    """

    code = "TPR001"
    name = "syntax-error"
    category = "syntax-error"
    summary = "The file does not parse as Python"
    message = "SyntaxError: {detail}"
    fix_title = None
    INVALID = [sample("\n    def broken(:  # expect: TPR001\n        pass\n")]
    VALID = [
        sample(
            "type Pair[T] = tuple[T, T]\n\n\ndef first[T](pair: Pair[T]) -> T:\n    return pair[0]"
        )
    ]


# --- 1xx: non-deterministic values ---------------------------------------------------------------
class WorkflowWallClock(Rule):
    """
    ## What it does
    Flags reads of the machine's clock in workflow code and the helpers it calls:
    `datetime.now()`, `datetime.utcnow()`, `datetime.today()`, `date.today()`, `time.time()`,
    `time.time_ns()`, `time.monotonic()`, `time.perf_counter()`, `time.process_time()`,
    `time.localtime()`, and `now()` in `pendulum` and `arrow`.

    ## Why is this bad?
    Temporal rebuilds a workflow by replaying its code against the event history: after a worker
    restart, a cache eviction, or on another worker. The clock returns another value on replay, so
    a decision built on it can differ from the original run. If that changes the commands the
    workflow issues, the task fails with `[TMPRL1100] Nondeterminism error`; if it only changes
    data (a deadline, an activity argument), replay accepts it and the workflow silently carries
    other values from then on.

    The sandbox rejects these calls with `RestrictedWorkflowAccessError` (the task fails and
    retries until you deploy a fix), but not in modules imported through
    `imports_passed_through()`, in `sandboxed=False` workflows or under an
    `UnsandboxedWorkflowRunner`. Use `workflow.now()`, `workflow.time()` or
    `workflow.time_ns()`: they return the time of the current workflow task as recorded in the
    history, so they do not advance while one task runs.

    ## Fix safety
    - `datetime.now(timezone.utc)`, `datetime.now(tz=timezone.utc)` and `datetime.now(UTC)` become
      `workflow.now()`. Safe: both are timezone-aware UTC datetimes.
    - `datetime.now()` (naive local time) and `datetime.utcnow()` (naive UTC) become
      `workflow.now()`. Unsafe: the value becomes timezone-aware, so comparing or subtracting it
      with naive datetimes raises `TypeError`, and code that expected local time now sees UTC.
    - `time.time()` becomes `workflow.time()` and `time.time_ns()` becomes `workflow.time_ns()`.
      Safe: same types, same epoch.
    - Other clocks (`datetime.today()`, `date.today()`, `time.monotonic()`, `time.perf_counter()`,
      `time.localtime()`, ...) have no automatic fix: the right replacement depends on what the
      value is for (a duration, a local calendar date).

    The fix reuses an existing `workflow` binding (`from temporalio import workflow as wf`
    gives `wf.now()`), adds `from temporalio import workflow` only when there is none (no fix
    is offered where `workflow` names something else), and removes an import it leaves unused.

    ## Known problems
    A clock reached through a value is not seen: a clock object passed as a parameter,
    `getattr(datetime, "now")`, `importlib.import_module("time")`. Helpers are followed only
    inside the linted files, not into installed packages.

    ## References
    - https://docs.temporal.io/workflow-definition#deterministic-constraints
    - https://docs.temporal.io/develop/python/python-sdk-sandbox
    - https://python.temporal.io/temporalio.workflow.html#now
    - https://github.com/temporalio/rules/blob/main/rules/TMPRL1100.md
    - SDK source: `temporalio/worker/workflow_sandbox/_restrictions.py`
      (`SandboxRestrictions.invalid_module_members_default`)
    """

    code = "TPR101"
    name = "workflow-wall-clock"
    category = "wall-clock"
    summary = "Workflow code reads the machine's clock"
    message = "`{name}` {reason}{note}"
    fix_title = "Replace with `{replacement}`"
    INVALID = [
        workflow_sample("""
            from datetime import datetime


            @workflow.defn
            class Reminder:
                @workflow.run
                async def run(self) -> str:
                    return datetime.now().isoformat()  # expect: TPR101
        """),
        sample("""
            import datetime
            import time as clock

            import temporalio.workflow as wf


            @wf.defn
            class Deadline:
                @wf.run
                async def run(self) -> float:
                    started = clock.time()  # expect: TPR101
                    today = datetime.date.today()  # expect: TPR101
                    return started + today.day
        """),
        sample("""
            from temporalio.workflow import defn, run


            @defn
            class LocalImport:
                @run
                async def run(self) -> str:
                    from datetime import datetime as dt

                    return dt.utcnow().isoformat()  # expect: TPR101
        """),
        sample("""
            from datetime import datetime

            from temporalio.workflow import *


            @defn
            class StarImport:
                @run
                async def run(self) -> str:
                    return self.stamp()

                def stamp(self) -> str:
                    return datetime.today().isoformat()  # expect: TPR101
        """),
    ]
    VALID = [
        workflow_sample("""
            from datetime import datetime


            @workflow.defn
            class Reminder:
                @workflow.run
                async def run(self) -> str:
                    deadline = workflow.now() + timedelta(days=1)
                    parsed = datetime.fromisoformat("2024-01-01T00:00:00+00:00")
                    return max(deadline, parsed).isoformat()
        """),
        sample("""
            from datetime import datetime

            from temporalio import activity


            @activity.defn
            async def stamp() -> str:
                return datetime.now().isoformat()
        """),
        workflow_sample("""

            @workflow.defn
            class Shadowing:
                @workflow.run
                async def run(self, time: float) -> float:
                    return time * 2
        """),
    ]


class WorkflowImplicitClock(Rule):
    """
    ## What it does
    Flags standard-library calls that read the clock without saying so: `time.gmtime()`,
    `time.ctime()`, `time.asctime()` and `time.strftime(fmt)` with no time argument,
    `email.utils.formatdate()`, `email.utils.localtime()` and `email.utils.make_msgid()`.

    ## Why is this bad?
    These return the current time just like `time.time()`, but the sandbox lets all of them
    through (`time.gmtime` is not on its list, and `email.utils` calls the real clock from inside
    the standard library), so nothing fails while the workflow first runs. On replay the value
    differs: a timestamp or id changes, and a branch on it can issue other commands, which fails
    the task with `[TMPRL1100] Nondeterminism error`. Pass the workflow's time explicitly:
    `time.strftime(fmt, time.gmtime(workflow.time()))`, `formatdate(workflow.time())`.

    ## Fix safety
    There is no automatic fix: the argument to pass depends on the call (a `struct_time`, a
    timestamp or a datetime), and `make_msgid()` needs another source for its id.

    ## Known problems
    Only the calls listed here are known; other library code that reads the clock internally
    (`logging.LogRecord.created`) is not reported. Extend the table in
    `mcp_server/lint/knowledge.py` for others.

    ## References
    - https://python.temporal.io/temporalio.workflow.html#time
    - https://docs.temporal.io/develop/python/python-sdk-sandbox
    - https://github.com/temporalio/rules/blob/main/rules/TMPRL1100.md
    """

    code = "TPR102"
    name = "workflow-implicit-clock"
    category = "wall-clock"
    summary = "Workflow code calls a function that reads the clock implicitly"
    message = "`{name}` {reason}{note}"
    fix_title = "Instead, {replacement}"
    INVALID = [
        workflow_sample("""
            import time
            from email.utils import formatdate


            @workflow.defn
            class Report:
                @workflow.run
                async def run(self) -> str:
                    title = time.strftime("%Y-%m-%d")  # expect: TPR102
                    return title + formatdate()  # expect: TPR102
        """),
    ]
    VALID = [
        workflow_sample("""
            import time
            from email.utils import formatdate


            @workflow.defn
            class Report:
                @workflow.run
                async def run(self) -> str:
                    title = time.strftime("%Y-%m-%d", time.gmtime(workflow.time()))
                    return title + formatdate(workflow.time())
        """),
    ]


class WorkflowRandom(Rule):
    """
    ## What it does
    Flags the `random` module's functions (`random.random()`, `random.choice()`,
    `random.shuffle()`, `random.seed()`, ...), `secrets`, `os.urandom()` and NumPy's global
    generator (`numpy.random.*`) in workflow code.

    ## Why is this bad?
    These draw from a process-wide generator or from OS entropy, so replay gets other numbers than
    the original run: another branch, item or argument. If that changes the commands the workflow
    issues, the task fails with `[TMPRL1100] Nondeterminism error`; otherwise the workflow silently
    continues with other values. The sandbox rejects `random`, `secrets` and `os.urandom` with
    `RestrictedWorkflowAccessError` (the task retries until you deploy a fix), but not NumPy, code
    in passed-through modules, or unsandboxed workflows.

    `workflow.random()` is a `random.Random` seeded from the workflow's history: call its methods
    (`workflow.random().choice(names)`). It is not cryptographically secure: create secrets in an
    activity.

    ## Fix safety
    `random.<fn>(...)` becomes `workflow.random().<fn>(...)`. Safe: `workflow.random()` is a
    `random.Random` with the same methods, seeded from the history. No fix is offered for
    `random.seed()`, `random.getstate()` and `random.setstate()` (they manage the global
    generator's state), `secrets`, `os.urandom()` or NumPy.

    The fix reuses an existing `workflow` binding (`from temporalio import workflow as wf`
    gives `wf.random()`), adds `from temporalio import workflow` only when there is none (no fix
    is offered where `workflow` names something else), and removes an import it leaves unused.

    ## Known problems
    A generator received as a parameter is not tracked. Other libraries' global generators
    (`torch.rand`) are not known; extend the table in `mcp_server/lint/knowledge.py`.

    ## References
    - https://python.temporal.io/temporalio.workflow.html#random
    - https://python.temporal.io/temporalio.workflow.html#new_random
    - https://docs.temporal.io/develop/python/python-sdk-sandbox
    - https://github.com/temporalio/rules/blob/main/rules/TMPRL1100.md
    """

    code = "TPR103"
    name = "workflow-random"
    category = "randomness"
    summary = "Workflow code draws from a non-deterministic random source"
    message = "`{name}` {reason}{note}"
    fix_title = "Use `{replacement}`"
    INVALID = [
        workflow_sample("""
            import random
            from random import choice as pick
            import secrets


            @workflow.defn
            class Lottery:
                @workflow.run
                async def run(self, names: list[str]) -> str:
                    random.shuffle(names)  # expect: TPR103
                    token = secrets.token_hex(8)  # expect: TPR103
                    return pick(names) + token  # expect: TPR103
        """),
    ]
    VALID = [
        workflow_sample("""
            import random


            @workflow.defn
            class Lottery:
                @workflow.run
                async def run(self, names: list[str]) -> str:
                    rng = random.Random(workflow.random().getrandbits(64))
                    rng.shuffle(names)
                    return workflow.random().choice(names)
        """),
    ]


class WorkflowUnseededRng(Rule):
    """
    ## What it does
    Flags `random.Random()` created without a seed, `random.SystemRandom()`, and NumPy's
    `default_rng()` / `RandomState()` without a seed, in workflow code.

    ## Why is this bad?
    An unseeded generator seeds itself from OS entropy, so replay draws other numbers than the
    original run and the workflow can take another branch or pass other arguments; changed
    commands fail the task with `[TMPRL1100] Nondeterminism error`. The sandbox allows these
    constructors, so only replay reveals the problem. Use `workflow.random()`,
    `workflow.new_random(name)` (a separate sequence that follows the workflow's seed), or seed
    from the workflow: `random.Random(workflow.random().getrandbits(64))`.

    ## Fix safety
    There is no automatic fix: whether the generator should share `workflow.random()`'s sequence
    or get its own through `workflow.new_random(name)` is your decision.

    ## Known problems
    A seed that is itself non-deterministic (`random.Random(time.time())`) counts as a seed here;
    the clock read is reported by `workflow-wall-clock`.

    ## References
    - https://python.temporal.io/temporalio.workflow.html#new_random
    - https://python.temporal.io/temporalio.workflow.html#random
    - https://github.com/temporalio/rules/blob/main/rules/TMPRL1100.md
    """

    code = "TPR104"
    name = "workflow-unseeded-random"
    category = "randomness"
    summary = "Workflow code creates a random generator seeded from OS entropy"
    message = "`{name}` {reason}{note}"
    fix_title = "Use `{replacement}`"
    INVALID = [
        workflow_sample("""
            from random import Random, SystemRandom


            @workflow.defn
            class Sampler:
                @workflow.run
                async def run(self) -> float:
                    return Random().random() + SystemRandom().random()  # expect: TPR104
        """),
    ]
    VALID = [
        workflow_sample("""
            from random import Random


            @workflow.defn
            class Sampler:
                @workflow.run
                async def run(self) -> float:
                    return Random(workflow.random().getrandbits(32)).random()
        """),
    ]


class WorkflowUuid(Rule):
    """
    ## What it does
    Flags `uuid.uuid1()`, `uuid.uuid4()`, `uuid.uuid6()` and `uuid.uuid7()` in workflow code.

    ## Why is this bad?
    These build ids from OS randomness or the clock, so replay generates another id than the one
    the original run used, for example as an activity argument or an idempotency key. Replay does
    not compare arguments, so nothing fails: the replayed workflow holds an id the downstream
    system never saw, and later commands use it. The sandbox rejects `uuid1`, `uuid4` and `uuid7`
    while the workflow runs (not `uuid6`, and not at import).

    `workflow.uuid4()` and `workflow.uuid7()` are derived from the history and repeat exactly on
    replay. They are not cryptographically secure: create secret tokens in an activity.
    `uuid3`/`uuid5` are deterministic and fine.

    ## Fix safety
    `uuid.uuid4()` becomes `workflow.uuid4()` and `uuid.uuid7()` becomes `workflow.uuid7()`.
    Safe: same type (`uuid.UUID`) and version. `uuid1()` and `uuid6()` have no automatic fix:
    their replacement, `workflow.uuid7()`, has another layout, which you have to accept.

    The fix reuses an existing `workflow` binding (`from temporalio import workflow as wf`
    gives `wf.uuid4()`), adds `from temporalio import workflow` only when there is none (no fix
    is offered where `workflow` names something else), and removes an import it leaves unused.

    ## Known problems
    A UUID created at module level in a workflow module is reported by
    `workflow-module-side-effect` instead.

    ## References
    - https://python.temporal.io/temporalio.workflow.html#uuid4
    - https://python.temporal.io/temporalio.workflow.html#uuid7
    - https://docs.temporal.io/develop/python/python-sdk-sandbox
    """

    code = "TPR105"
    name = "workflow-uuid"
    category = "uuid"
    summary = "Workflow code generates a random or time-based UUID"
    message = "`{name}` {reason}{note}"
    fix_title = "Replace with `{replacement}`"
    INVALID = [
        workflow_sample("""
            import uuid


            @workflow.defn
            class Order:
                @workflow.run
                async def run(self) -> str:
                    return str(uuid.uuid4())  # expect: TPR105
        """),
    ]
    VALID = [
        workflow_sample("""
            import uuid


            @workflow.defn
            class Order:
                @workflow.run
                async def run(self) -> str:
                    return str(workflow.uuid4()) + str(uuid.uuid5(uuid.NAMESPACE_URL, "x"))
        """),
        workflow_sample("""
            import uuid


            def new_id() -> uuid.UUID:
                # Shared with code outside workflows: only the first branch runs in one.
                if workflow.in_workflow():
                    return workflow.uuid4()
                return uuid.uuid4()


            def label() -> str:
                if not workflow.unsafe.in_sandbox():
                    return str(uuid.uuid1())
                else:
                    return str(workflow.uuid4())


            @workflow.defn
            class Order:
                @workflow.run
                async def run(self) -> str:
                    return f"{new_id()}-{label()}"
        """),
    ]


class WorkflowBlockingSleep(Rule):
    """
    ## What it does
    Flags `time.sleep()` in workflow code.

    ## Why is this bad?
    In a sandboxed workflow `time.sleep` raises `RestrictedWorkflowAccessError`: the task fails and
    retries until you deploy a fix. Where the sandbox does not look (passed-through modules,
    `sandboxed=False`), it blocks the workflow's thread and records nothing in the history: past 2
    seconds the deadlock detector fails the task (`[TMPRL1101] Potential deadlock detected`), and a
    shorter sleep is repeated on every replay instead of surviving a restart.
    `await asyncio.sleep(...)` and `await workflow.sleep(...)` start a durable timer recorded in
    the history.

    ## Fix safety
    A `time.sleep(x)` statement in an `async def` becomes `await asyncio.sleep(x)`. Unsafe: the
    durable timer is a new command in the history, so a workflow that already ran past this line
    (possible only where the sandbox did not stop `time.sleep`) fails replay with a
    nondeterminism error unless the change is guarded with `workflow.patched()`. In a plain `def`
    there is no fix, because it cannot `await`.

    The fix reuses an existing `asyncio` import, adds `import asyncio` only when there is none, and
    removes an import it leaves unused.

    ## Known problems
    Only `time.sleep` is recognized; other blocking waits (`threading.Event().wait()`, a socket
    timeout) are reported, if at all, by `workflow-threading` or `workflow-network`.

    ## References
    - https://docs.temporal.io/develop/python/timers
    - https://python.temporal.io/temporalio.workflow.html#sleep
    - https://github.com/temporalio/rules/blob/main/rules/TMPRL1101.md
    - https://docs.temporal.io/develop/python/versioning
    """

    code = "TPR106"
    name = "workflow-blocking-sleep"
    category = "blocking-sleep"
    summary = "Workflow code blocks with time.sleep"
    message = "`{name}` {reason}{note}"
    fix_title = "Replace with `{replacement}`"
    INVALID = [
        workflow_sample("""
            from time import sleep


            @workflow.defn
            class Poller:
                @workflow.run
                async def run(self) -> None:
                    sleep(5)  # expect: TPR106
        """),
    ]
    VALID = [
        workflow_sample("""
            import asyncio


            @workflow.defn
            class Poller:
                @workflow.run
                async def run(self) -> None:
                    await asyncio.sleep(5)
                    await workflow.sleep(timedelta(minutes=5))
        """),
    ]


class WorkflowAsyncioWait(Rule):
    """
    ## What it does
    Flags `asyncio.wait()` and `asyncio.as_completed()` in workflow code.

    ## Why is this bad?
    `asyncio.wait()` returns its `done` and `pending` tasks as sets, whose order follows the
    tasks' memory addresses, which differ between processes: code that iterates them or calls
    `done.pop()` can handle results, and issue the next commands, in another order on replay. A
    mismatch fails the task with `[TMPRL1100] Nondeterminism error`; commands of the same type
    silently swap results. `asyncio.as_completed()` wraps its arguments in tasks in the iteration
    order of a set, so coroutines passed to it start, and schedule their activities, in an order
    that can change on replay. The sandbox only emits a `UserWarning`.

    `workflow.wait()` and `workflow.as_completed()` are the same CPython code with lists instead of
    sets. `asyncio.gather()` and `asyncio.wait_for()` are deterministic and fine.

    ## Fix safety
    - `asyncio.as_completed(...)` becomes `workflow.as_completed(...)`. Safe: same arguments, and
      results still arrive in completion order. (`async for` over `asyncio.as_completed()`, new in
      Python 3.13, has no counterpart: `workflow.as_completed()` is a plain iterator.)
    - `asyncio.wait(...)` becomes `workflow.wait(...)`. Unsafe: `workflow.wait()` returns lists
      instead of sets, so code that uses set operations on `done` or `pending` raises `TypeError`
      or behaves differently (`done.pop()` takes the last task).

    The fix reuses an existing `workflow` binding (`from temporalio import workflow as wf`
    gives `wf.wait(...)`), adds `from temporalio import workflow` only when there is none (no fix
    is offered where `workflow` names something else), and removes an import it leaves unused.

    ## Known problems
    The rule does not look at what happens to the result: an `asyncio.wait()` whose sets are only
    counted is reported too.

    ## References
    - https://python.temporal.io/temporalio.workflow.html#wait
    - https://python.temporal.io/temporalio.workflow.html#as_completed
    - https://github.com/temporalio/sdk-python/issues/429
    - SDK source: `temporalio/workflow/_asyncio.py`
    """

    code = "TPR107"
    name = "workflow-asyncio-wait"
    category = "asyncio-nondeterminism"
    summary = "Workflow code uses asyncio.wait or asyncio.as_completed"
    message = "`{name}` {reason}{note}"
    fix_title = "Replace with `{replacement}`"
    INVALID = [
        workflow_sample("""
            import asyncio


            @workflow.defn
            class Race:
                @workflow.run
                async def run(self) -> None:
                    tasks = [asyncio.create_task(asyncio.sleep(1)) for _ in range(3)]
                    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)  # expect: TPR107
        """),
    ]
    VALID = [
        workflow_sample("""
            import asyncio


            @workflow.defn
            class Race:
                @workflow.run
                async def run(self) -> None:
                    tasks = [asyncio.create_task(asyncio.sleep(1)) for _ in range(3)]
                    await workflow.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                    await asyncio.gather(*tasks)
                    await asyncio.wait_for(asyncio.sleep(1), timeout=5)
        """),
    ]


# --- 2xx: side effects ---------------------------------------------------------------------------
_SIDE_EFFECT_WHY = """
    Workflow code re-runs on every replay. A side effect repeats each time and its result can
    differ from the first run, so the workflow can take another path than the one in its
    history. Put the call in an activity: its result is recorded once and replayed from the
    history.
"""


class WorkflowFileIo(Rule):
    __doc__ = f"""
    ## What it does
    Flags file-system access in workflow code: `open()`, `input()`, `pathlib.Path` I/O methods
    (on paths built with `/` too, such as a module-level
    `TEMPLATE = Path(__file__).parent / "x.txt"`), `os` file functions, `os.path` checks such as
    `exists()`, `shutil`, `tempfile`, `glob`, `aiofiles`. A helper handed to
    `loop.run_in_executor()`, an executor's `submit()` or `asyncio.to_thread()` is checked as if
    the workflow called it.

    ## Why is this bad?
    {_SIDE_EFFECT_WHY}
    In the sandbox the standard-library calls raise `RestrictedWorkflowAccessError` when the line
    runs, so the task fails and retries until you deploy a fix. In passed-through modules and
    unsandboxed workflows the read succeeds and returns whatever the file holds when, and where,
    the workflow replays.

    ## Fix safety
    There is no automatic fix: moving the call into an activity needs a new activity, its
    registration on the worker, and a `workflow.execute_activity` call with a timeout, which are
    decisions only you can make.

    ## Known problems
    Pure path functions (`os.path.join`, `os.path.basename`) are not reported, although the sandbox
    rejects every `os.path` access on Python 3.13 and older; use `posixpath` or `pathlib.PurePath`
    in workflow code.

    ## References
    - https://docs.temporal.io/develop/python/python-sdk-sandbox
    - https://docs.temporal.io/workflow-definition#deterministic-constraints
    """
    code = "TPR201"
    name = "workflow-file-io"
    category = "file-io"
    summary = "Workflow code touches the file system"
    message = "`{name}` {reason}{note}"
    fix_title = "Move `{name}` into an activity"
    INVALID = [
        workflow_sample("""
            from pathlib import Path


            @workflow.defn
            class Config:
                @workflow.run
                async def run(self, path: str) -> str:
                    with open(path) as handle:  # expect: TPR201
                        first = handle.readline()
                    return first + Path(path).read_text()  # expect: TPR201
        """),
        workflow_sample("""
            import asyncio
            from pathlib import Path

            TEMPLATE = Path(__file__).parent / "templates" / "review.txt"


            def count_rows(path: str) -> int:
                with open(path) as handle:  # expect: TPR201
                    return sum(1 for _ in handle)


            @workflow.defn
            class Report:
                @workflow.run
                async def run(self, folder: str) -> str:
                    loop = asyncio.get_running_loop()
                    rows = await loop.run_in_executor(None, count_rows, folder)  # expect: TPR204
                    header = (Path(folder) / "header.txt").read_text()  # expect: TPR201
                    return header + TEMPLATE.read_text().format(rows=rows)  # expect: TPR201
        """),
    ]
    VALID = [
        workflow_sample("""
            from pathlib import Path


            @activity.defn
            def read_config(path: str) -> str:
                return Path(path).read_text()


            @workflow.defn
            class Config:
                @workflow.run
                async def run(self, path: str) -> str:
                    name = Path(path).name
                    return name + await workflow.execute_activity(
                        read_config, path, start_to_close_timeout=timedelta(seconds=10)
                    )
        """),
        workflow_sample("""
            from pathlib import Path

            TEMPLATE = Path(__file__).parent / "templates" / "review.txt"


            @activity.defn
            def read_template(path: str) -> str:
                return Path(path).read_text()


            @workflow.defn
            class Report:
                @workflow.run
                async def run(self, folder: str) -> str:
                    name = (Path(folder) / "header.txt").name
                    return name + await workflow.execute_activity(
                        read_template, str(TEMPLATE), start_to_close_timeout=timedelta(seconds=10)
                    )
        """),
    ]


class WorkflowNetwork(Rule):
    __doc__ = f"""
    ## What it does
    Flags network and database clients in workflow code: `requests`, `httpx`, `aiohttp`,
    `urllib.request`, `socket`, `http.client`, database drivers, cloud SDKs, LLM clients.

    ## Why is this bad?
    {_SIDE_EFFECT_WHY}
    In the sandbox the standard-library network calls raise `RestrictedWorkflowAccessError`, and
    the workflow event loop refuses network connections (`NotImplementedError`), so the task fails
    and retries until you deploy a fix. A client whose module is passed through, or an
    unsandboxed workflow, sends the request again on every replay (a second charge, a duplicate
    message) and can get another answer.

    ## Fix safety
    There is no automatic fix: moving the call into an activity needs a new activity, its
    registration on the worker, and a `workflow.execute_activity` call with a timeout, which are
    decisions only you can make.

    ## Known problems
    Clients are recognized by module; a client object received as a parameter, or a library that
    is not in `mcp_server/lint/knowledge.py`, is not reported.

    ## References
    - https://docs.temporal.io/develop/python/python-sdk-sandbox
    - https://docs.temporal.io/workflow-definition#deterministic-constraints
    """
    code = "TPR202"
    name = "workflow-network"
    category = "network"
    summary = "Workflow code performs network or database I/O"
    message = "`{name}` {reason}{note}"
    fix_title = "Move `{name}` into an activity"
    INVALID = [
        workflow_sample("""
            import httpx
            import requests


            @workflow.defn
            class Fetch:
                @workflow.run
                async def run(self, url: str) -> int:
                    async with httpx.AsyncClient() as client:  # expect: TPR202
                        await client.get(url)  # expect: TPR202
                    return requests.get(url).status_code  # expect: TPR202
        """),
    ]
    VALID = [
        workflow_sample("""
            import httpx


            @activity.defn
            async def fetch(url: str) -> int:
                async with httpx.AsyncClient() as client:
                    return (await client.get(url)).status_code


            @workflow.defn
            class Fetch:
                @workflow.run
                async def run(self, url: str) -> int:
                    return await workflow.execute_activity(
                        fetch, url, start_to_close_timeout=timedelta(seconds=30)
                    )
        """),
    ]


class WorkflowSubprocess(Rule):
    __doc__ = f"""
    ## What it does
    Flags `subprocess`, `os.system`, `os.popen`, `os.fork`, the `os.exec*`/`os.spawn*` functions
    and `asyncio.create_subprocess_*` in workflow code.

    ## Why is this bad?
    {_SIDE_EFFECT_WHY}
    In the sandbox these calls raise `RestrictedWorkflowAccessError` (the workflow event loop
    raises `NotImplementedError` for `asyncio.create_subprocess_*`), so the task fails and retries
    until you deploy a fix. Unsandboxed, the process runs again on every replay.

    ## Fix safety
    There is no automatic fix: moving the call into an activity needs a new activity, its
    registration on the worker, and a `workflow.execute_activity` call with a timeout, which are
    decisions only you can make.

    ## Known problems
    A process started by a library the workflow calls, outside the linted files, is not reported.

    ## References
    - https://docs.temporal.io/develop/python/python-sdk-sandbox
    - https://docs.temporal.io/workflow-definition#deterministic-constraints
    """
    code = "TPR203"
    name = "workflow-subprocess"
    category = "subprocess"
    summary = "Workflow code starts a process"
    message = "`{name}` {reason}{note}"
    fix_title = "Move `{name}` into an activity"
    INVALID = [
        workflow_sample("""
            import subprocess


            @workflow.defn
            class Build:
                @workflow.run
                async def run(self) -> int:
                    return subprocess.run(["make"]).returncode  # expect: TPR203
        """),
    ]
    VALID = [
        workflow_sample("""
            import subprocess


            @activity.defn
            def build() -> int:
                return subprocess.run(["make"]).returncode
        """),
    ]


class WorkflowThreading(Rule):
    """
    ## What it does
    Flags threads, processes and executors in workflow code: `threading`, `concurrent.futures`,
    `multiprocessing`, `asyncio.to_thread`, `loop.run_in_executor`,
    `asyncio.run_coroutine_threadsafe`.

    ## Why is this bad?
    Workflow code runs one step at a time on the workflow's own event loop, so that replay repeats
    the same interleaving. Work on another thread or process finishes at a moment the history does
    not record, and its results can arrive in another order on replay, changing the commands that
    follow (`[TMPRL1100] Nondeterminism error`). The sandbox rejects `threading`,
    `concurrent.futures` and `multiprocessing` calls while the workflow runs, and the workflow
    event loop raises `NotImplementedError` for `run_in_executor()` and `asyncio.to_thread()`.
    Coordinate with `asyncio.Lock`, `asyncio.Event` or `workflow.wait_condition()`; run parallel
    work as concurrent activities.

    ## Fix safety
    There is no automatic fix: the replacement depends on what the thread was for (an
    `asyncio.Lock` for mutual exclusion, activities for parallel work).

    ## Known problems
    An executor or lock received as a parameter is not tracked.

    ## References
    - https://docs.temporal.io/develop/python/python-sdk-sandbox
    - https://python.temporal.io/temporalio.workflow.html#wait_condition
    """

    code = "TPR204"
    name = "workflow-threading"
    category = "threading"
    summary = "Workflow code uses threads, processes or executors"
    message = "`{name}` {reason}{note}"
    fix_title = "Use {replacement}"
    INVALID = [
        workflow_sample("""
            import asyncio
            import threading
            from concurrent.futures import ThreadPoolExecutor


            @workflow.defn
            class Parallel:
                @workflow.run
                async def run(self) -> None:
                    lock = threading.Lock()  # expect: TPR204
                    with ThreadPoolExecutor() as pool:  # expect: TPR204
                        pool.submit(print)  # expect: TPR204
                    await asyncio.to_thread(print)  # expect: TPR204
                    del lock
        """),
    ]
    VALID = [
        workflow_sample("""
            import asyncio


            @workflow.defn
            class Parallel:
                def __init__(self) -> None:
                    self.lock = asyncio.Lock()

                @workflow.run
                async def run(self) -> None:
                    async with self.lock:
                        await asyncio.gather(asyncio.sleep(1), asyncio.sleep(2))
        """),
    ]


class WorkflowEnvironment(Rule):
    """
    ## What it does
    Flags reads of the worker's environment in workflow code: `os.environ`, `os.getenv`,
    `os.getpid`, `os.cpu_count`, `platform.*`, `socket.gethostname`, `getpass.getuser`,
    `locale.getlocale`.

    ## Why is this bad?
    Workers differ: a replay on another host or after a deploy reads another value, so the
    workflow can take another branch. Changed commands fail the task with `[TMPRL1100]
    Nondeterminism error`; other differences pass silently. The sandbox rejects these reads while
    the workflow runs; `os.environ` and `os.getenv` are allowed at import time. Pass
    configuration in the workflow's input, where the history records it, or read it in an
    activity.

    ## Fix safety
    There is no automatic fix: the value has to become a workflow input field or an activity
    result, which changes the workflow's signature or adds an activity.

    ## Known problems
    Module-level reads (outside any function) run at import; those are reported by
    `workflow-module-side-effect` in workflow modules.

    ## References
    - https://docs.temporal.io/develop/python/python-sdk-sandbox
    - https://docs.temporal.io/workflow-definition#deterministic-constraints
    """

    code = "TPR205"
    name = "workflow-environment"
    category = "environment"
    summary = "Workflow code reads the worker's environment"
    message = "`{name}` {reason}{note}"
    fix_title = "Pass the value in the workflow input, or read it in an activity"
    INVALID = [
        workflow_sample("""
            import os
            import platform
            from os import environ


            @workflow.defn
            class Settings:
                @workflow.run
                async def run(self) -> str:
                    region = os.getenv("REGION", "eu")  # expect: TPR205
                    return region + environ["STAGE"] + platform.node()  # expect: TPR205
        """),
    ]
    VALID = [
        workflow_sample("""
            from dataclasses import dataclass


            @dataclass
            class SettingsInput:
                region: str


            @workflow.defn
            class Settings:
                @workflow.run
                async def run(self, settings: SettingsInput) -> str:
                    return settings.region
        """),
    ]


# --- 3xx: ordering and shared state --------------------------------------------------------------
class WorkflowSetIteration(Rule):
    """
    ## What it does
    Flags workflow code that lets a set's iteration order reach a decision or a command: a `for`
    loop or a comprehension over a set or frozenset, `list(s)`, `tuple(s)`, `next(iter(s))`,
    `",".join(s)`, `*s`, `s.pop()`. Order-free uses are fine: `sorted(s)`, `len(s)`, `x in s`,
    `sum`/`min`/`max`/`any`/`all`, a set comprehension, a set in the arguments of a logging call
    (the order shows only in the line it logs), and `s.pop()` or `next(iter(s))` in a function
    that checks `len(s) == 1` (one element has one order).

    ## Why is this bad?
    The order of a set of strings depends on the process's hash seed, so a loop that starts an
    activity per element schedules them in another order after a worker restart: replay fails with
    "Activity type of scheduled event ... does not match". When every element starts the same
    activity type, replay does not even notice and results are silently attached to the wrong
    elements. The sandbox never catches this, and replay in the same process passes, so it shows
    up only after a restart or on another worker.

    ## Fix safety
    There is no automatic fix: `sorted()` needs orderable elements, and any fixed order differs
    from the one running workflows recorded, so the change may need `workflow.patched()`.

    ## Known problems
    The linter recognizes sets it can see: literals, `set()`/`frozenset()` calls, set
    operations, locals and `self` attributes assigned from them (every assignment a set, or the
    attribute annotated as one), values of a `self` mapping annotated as holding sets
    (`self.edges[task]` with `edges: dict[str, set[str]]`), and annotations. A set that arrives
    through an unannotated parameter is not recognized.

    ## References
    - https://github.com/temporalio/rules/blob/main/rules/TMPRL1100.md
    - https://docs.python.org/3/using/cmdline.html#envvar-PYTHONHASHSEED
    """

    code = "TPR301"
    name = "workflow-set-iteration"
    category = "iteration-order"
    summary = "Workflow code depends on the iteration order of a set"
    message = "This set is iterated by {how}, and set order differs between worker processes"
    fix_title = "Iterate `sorted(...)` of the set, or keep the items in a list or dict"
    INVALID = [
        workflow_sample("""

            @activity.defn
            async def notify(channel: str) -> None: ...


            @workflow.defn
            class Notify:
                def __init__(self) -> None:
                    self.channels: set[str] = set()

                @workflow.run
                async def run(self, channels: list[str]) -> str:
                    pending = set(channels)
                    for channel in pending:  # expect: TPR301
                        await workflow.execute_activity(
                            notify, channel, start_to_close_timeout=timedelta(seconds=5)
                        )
                    first = next(iter(self.channels))  # expect: TPR301
                    return first + ",".join(pending)  # expect: TPR301
        """),
        workflow_sample("""

            @activity.defn
            async def ask(reviewer: str) -> None: ...


            @workflow.defn
            class Review:
                def __init__(self) -> None:
                    self.reviewers: set[str] = set()

                @workflow.run
                async def run(self, reviewers: list[str], lead: str) -> None:
                    self.reviewers = set(reviewers)
                    for reviewer in self.reviewers - {lead}:  # expect: TPR301
                        await workflow.execute_activity(
                            ask, reviewer, start_to_close_timeout=timedelta(seconds=5)
                        )
        """),
        workflow_sample("""
            from collections import defaultdict


            @activity.defn
            async def start(task: str) -> None: ...


            @workflow.defn
            class Graph:
                def __init__(self) -> None:
                    self.edges: dict[str, set[str]] = defaultdict(set)
                    self.labels: dict[str, str] = {}

                @workflow.run
                async def run(self, task: str) -> str:
                    following = self.edges[task]
                    for nxt in following:  # expect: TPR301
                        await workflow.execute_activity(
                            start, nxt, start_to_close_timeout=timedelta(seconds=5)
                        )
                    return "".join(self.labels[task])
        """),
    ]
    VALID = [
        workflow_sample("""

            @activity.defn
            async def notify(channel: str) -> None: ...


            @workflow.defn
            class Notify:
                @workflow.run
                async def run(self, channels: list[str]) -> int:
                    pending = set(channels)
                    for channel in sorted(pending):
                        await workflow.execute_activity(
                            notify, channel, start_to_close_timeout=timedelta(seconds=5)
                        )
                    upper = {c.upper() for c in pending}
                    return len(upper) + sum(len(c) for c in pending) + ("sms" in pending)
        """),
        workflow_sample("""

            @activity.defn
            async def ask(reviewer: str) -> None: ...


            @workflow.defn
            class Review:
                def __init__(self) -> None:
                    self.reviewers: set[str] = set()

                @workflow.run
                async def run(self, reviewers: list[str], lead: str) -> None:
                    self.reviewers = set(reviewers)
                    for reviewer in sorted(self.reviewers - {lead}):
                        await workflow.execute_activity(
                            ask, reviewer, start_to_close_timeout=timedelta(seconds=5)
                        )

                @workflow.query
                def pending(self) -> list[str]:
                    return sorted(list(self.reviewers))
        """),
        workflow_sample("""

            @workflow.defn
            class Owner:
                @workflow.run
                async def run(self, owners: list[str]) -> str:
                    found = set(owners)
                    workflow.logger.info("owners: %s", list(found))
                    if len(found) != 1:
                        raise ValueError("expected exactly one owner")
                    return found.pop()
        """),
    ]


class WorkflowHashOrId(Rule):
    """
    ## What it does
    Flags `hash()` and `id()` in workflow code.

    ## Why is this bad?
    `hash()` of a string or bytes is salted per process and `id()` is a memory address: both
    change after a worker restart, so a decision built on them (bucketing, ordering, sharding)
    differs on replay, and the sandbox does not stop either call. Use a stable key: the value
    itself, or `hashlib` over its bytes.

    ## Fix safety
    There is no automatic fix: a stable key (`hashlib.sha256(...)`) gives other buckets than the
    ones running workflows used.

    ## Known problems
    `hash()` of values whose hash is stable across processes (integers, tuples of integers) is
    reported too.

    ## References
    - https://docs.python.org/3/reference/datamodel.html#object.__hash__
    - https://github.com/temporalio/rules/blob/main/rules/TMPRL1100.md
    """

    code = "TPR302"
    name = "workflow-hash-or-id"
    category = "iteration-order"
    summary = "Workflow code uses per-process hash() or id() values"
    message = "`{name}` {reason}{note}"
    fix_title = "Use {replacement}"
    INVALID = [
        workflow_sample("""

            @workflow.defn
            class Shard:
                @workflow.run
                async def run(self, key: str) -> int:
                    return hash(key) % 8  # expect: TPR302
        """),
    ]
    VALID = [
        workflow_sample("""
            import hashlib


            @workflow.defn
            class Shard:
                @workflow.run
                async def run(self, key: str) -> int:
                    return hashlib.sha256(key.encode()).digest()[0] % 8
        """),
    ]


class WorkflowGlobalState(Rule):
    """
    ## What it does
    Flags workflow code that changes state the whole worker process shares:

    - **module-level and class-level state**: assigning a name declared `global`, assigning an
      attribute of a module or a class (`config.retries = 3`, `litellm.api_key = key`), or
      mutating a module-level or class-level list, dict or set (`CACHE[k] = v`, `SEEN.add(x)`,
      `self.cache[k] = v` where the class says `cache: dict = {}` and no method assigns
      `self.cache`: every instance shares that one dict);
    - **an object that outlives one run**: a module-level object (`_agent = Agent()`, or one
      stored there at worker start) or an object in a class attribute, written directly
      (`_agent.cache[key] = v`, `_registry.items.append(x)`, `self.shared.memo[k] = v`) or
      through one of its methods that writes to `self` (`_memo.remember(k, v)`: reported at the
      call, naming the line of the method that writes);
    - **process-wide configuration**: a call of a known setter, from the standard library
      (`logging.basicConfig`, `logging.getLogger(...).setLevel`, `sys.setrecursionlimit`,
      `warnings.filterwarnings`, `socket.setdefaulttimeout`, `os.chdir`, `signal.signal`,
      `asyncio.set_event_loop_policy`, ...) or from libraries that agent workflows use
      (`agents.set_default_openai_key`, `agents.set_tracing_disabled`, `logfire.configure`,
      `langchain_core.globals.set_llm_cache`, `opentelemetry.trace.set_tracer_provider`, ...).

    Reading any of these is fine: a constant, a module-level object whose methods only read, a
    lock or a logger used as one. State on the workflow instance (`self.x`, set in `__init__` or
    `run`) and objects created during the run belong to that run.

    ## Why is this bad?
    Modules that are passed through the sandbox (`imports_passed_through()`, the passthrough list,
    which the SDK recommends for models and activities) and every module of an unsandboxed
    workflow are imported once per worker process: state written there is shared by every
    workflow on that worker and survives between runs, while a replay on another worker starts
    from scratch. A decision that reads it differs between the original run and the replay. The
    sandbox re-imports the workflow's own module for each run, which hides the problem until the
    module is passed through. The standard library is always passed through, so a setter such as
    `logging.basicConfig` changes the real process: every run and activity on the worker, from
    whichever run called it last. A shipped example: an agent defined at module level (as its
    Temporal integration asks) cached its tool definitions on itself, so only the first run in
    each worker process scheduled the activity that lists them, and replays on a fresh process
    failed with a nondeterminism error. Keep state on the workflow instance (`self.x`), and
    configure the process once, where the worker starts.

    ## Fix safety
    There is no automatic fix: moving the state onto `self` changes who shares it.

    ## Known problems
    Writes through a call (`get_cache()[k] = v`) or through an instance attribute that holds a
    shared object (`self.agent = _agent`, then `self.agent.cache[k] = v`) are not seen. A class
    attribute is not reported when the class has a base outside the linted files (a pydantic
    model copies its defaults into each instance), or when any method of the class assigns
    `self.<name>`. Methods are followed only in classes the linted files define, and into an
    attribute's class only when the class declares it (`toolset: Toolset`), assigns it
    (`self.toolset = Toolset()`) or assigns it a parameter annotated with it. An object the
    worker builds once and reaches each run through parameters, containers or overrides (a
    toolset held by a module-level agent, whose run hands it to the code that lists its tools)
    is not known to be shared, so what its methods cache on it is not reported. On a library's
    object, assignments (`_client.timeout = 5`,
    `_cache[k] = v`) are reported, method calls are not, and a mutating method (`append`, `add`,
    ...) is reported only where the linter knows the value is a list, dict or set, so
    `counter.add(1)` on a metrics counter is not. Setters outside the table are not known.

    ## References
    - https://docs.temporal.io/develop/python/python-sdk-sandbox
    - https://docs.python.org/3/library/logging.html#logging.basicConfig
    """

    code = "TPR303"
    name = "workflow-global-state"
    category = "global-state"
    summary = "Workflow code writes module-level, class-level or process-wide state"
    message = "Workflow code {action} `{name}`, {why}"
    fix_title = (
        "Keep the state on the workflow instance (`self`); configure the process at worker start"
    )
    INVALID = [
        workflow_sample("""
            SEEN: set[str] = set()
            COUNTER = 0


            @workflow.defn
            class Dedupe:
                @workflow.run
                async def run(self, key: str) -> int:
                    global COUNTER
                    COUNTER += 1  # expect: TPR303
                    SEEN.add(key)  # expect: TPR303
                    return COUNTER
        """),
        workflow_sample("""
            from typing import ClassVar


            @activity.defn
            async def fetch_rate(currency: str) -> float: ...


            @workflow.defn
            class Invoice:
                rates: dict[str, float] = {}
                seen: ClassVar[set[str]] = set()

                @workflow.run
                async def run(self, currency: str) -> float:
                    self.seen.add(currency)  # expect: TPR303
                    if currency not in self.rates:
                        self.rates[currency] = await workflow.execute_activity(  # expect: TPR303
                            fetch_rate, currency, start_to_close_timeout=timedelta(seconds=5)
                        )
                    return self.rates[currency]
        """),
        workflow_sample("""
            class Memo:
                def __init__(self) -> None:
                    self.cache: dict[str, str] = {}
                    self.hits = 0

                def remember(self, key: str, value: str) -> None:
                    self.cache[key] = value

                def lookup(self, key: str) -> str | None:
                    return self.cache.get(key)


            _memo = Memo()


            @activity.defn
            async def summarize(text: str) -> str: ...


            @workflow.defn
            class Summarize:
                @workflow.run
                async def run(self, text: str) -> str:
                    cached = _memo.lookup(text)
                    if cached is not None:
                        return cached
                    summary = await workflow.execute_activity(
                        summarize, text, start_to_close_timeout=timedelta(minutes=1)
                    )
                    _memo.remember(text, summary)  # expect: TPR303
                    _memo.hits += 1  # expect: TPR303
                    return summary
        """),
        workflow_sample("""
            import litellm


            class Registry:
                def __init__(self) -> None:
                    self.items: list[str] = []


            _registry = Registry()


            @workflow.defn
            class Plan:
                shared = Registry()

                @workflow.run
                async def run(self, step: str) -> int:
                    litellm.drop_params = True  # expect: TPR303
                    _registry.items.append(step)  # expect: TPR303
                    self.shared.items.append(step)  # expect: TPR303
                    return len(_registry.items)
        """),
        workflow_sample("""
            import logging
            import sys

            from agents import set_default_openai_key


            @workflow.defn
            class Configure:
                @workflow.run
                async def run(self, key: str) -> None:
                    logging.basicConfig(level=logging.DEBUG)  # expect: TPR303
                    logging.getLogger("agents").setLevel(logging.DEBUG)  # expect: TPR303
                    sys.setrecursionlimit(5000)  # expect: TPR303
                    set_default_openai_key(key)  # expect: TPR303
        """),
    ]
    VALID = [
        workflow_sample("""
            LIMIT = 10


            @workflow.defn
            class Dedupe:
                def __init__(self) -> None:
                    self.seen: list[str] = []

                @workflow.run
                async def run(self, key: str) -> int:
                    self.seen.append(key)
                    return min(len(self.seen), LIMIT)
        """),
        workflow_sample("""
            from dataclasses import dataclass


            @dataclass
            class Request:
                released: bool = False


            @workflow.defn
            class Pool:
                @workflow.run
                async def run(self, request: Request) -> bool:
                    request.released = True
                    fresh = Request()
                    fresh.released = request.released
                    return fresh.released
        """),
        workflow_sample("""

            @activity.defn
            async def fetch_rate(currency: str) -> float: ...


            @workflow.defn
            class Invoice:
                rates: dict[str, float] = {}

                def __init__(self) -> None:
                    self.rates = {}

                @workflow.run
                async def run(self, currency: str) -> float:
                    if currency not in self.rates:
                        self.rates[currency] = await workflow.execute_activity(
                            fetch_rate, currency, start_to_close_timeout=timedelta(seconds=5)
                        )
                    return self.rates[currency]
        """),
        workflow_sample("""
            import asyncio
            from dataclasses import dataclass, field

            from pydantic import BaseModel


            class Catalog:
                def __init__(self) -> None:
                    self.prices = {"basic": 10, "pro": 20}

                def price(self, tier: str) -> int:
                    return self.prices.get(tier, 0)


            CATALOG = Catalog()


            @dataclass
            class Cart:
                items: list[str] = field(default_factory=list)


            class Totals(BaseModel):
                seen: list[str] = []


            @workflow.defn
            class Checkout:
                lock = asyncio.Lock()

                def __init__(self) -> None:
                    self.cart = Cart()
                    self.totals = Totals()
                    self.sold = workflow.metric_meter().create_counter("items_sold")

                @workflow.run
                async def run(self, tiers: list[str]) -> int:
                    async with self.lock:
                        for tier in tiers:
                            self.cart.items.append(tier)
                            self.totals.seen.append(tier)
                            self.sold.add(1)
                    workflow.logger.info("checked out %d items", len(self.cart.items))
                    return sum(CATALOG.price(tier) for tier in self.cart.items)
        """),
        workflow_sample("""
            import asyncio
            import logging

            from temporalio.client import Client
            from temporalio.worker import Worker


            @workflow.defn
            class Hello:
                @workflow.run
                async def run(self, name: str) -> str:
                    return f"Hello, {name}"


            async def main() -> None:
                logging.basicConfig(level=logging.INFO)
                client = await Client.connect("localhost:7233")
                async with Worker(client, task_queue="hello", workflows=[Hello]):
                    await asyncio.Event().wait()
        """),
    ]


# --- 4xx: workflow API misuse --------------------------------------------------------------------
class ActivityMissingTimeout(Rule):
    """
    ## What it does
    Flags `workflow.execute_activity`, `start_activity`, the local-activity variants and their
    `_method` / `_class` forms when neither `start_to_close_timeout` nor
    `schedule_to_close_timeout` is given (or one is given as `None`).

    ## Why is this bad?
    The SDK requires one of them and raises `ValueError: Activity must have
    start_to_close_timeout or schedule_to_close_timeout` when the workflow schedules the activity.
    That fails the workflow task, not the workflow: the workflow stays Running and the task
    retries until the code is fixed and redeployed.

    ## Fix safety
    There is no automatic fix: the timeout depends on how long one attempt of the activity may
    take.

    ## Known problems
    Options passed through `**kwargs` are assumed to contain a timeout. A misspelled timeout
    keyword (`start_to_close=`) is reported by TPR411 alone: the call raises `TypeError` for the
    unknown keyword before any timeout is checked.

    ## References
    - https://docs.temporal.io/develop/python/failure-detection
    - https://python.temporal.io/temporalio.workflow.html#execute_activity
    """

    code = "TPR401"
    name = "activity-missing-timeout"
    category = "missing-timeout"
    summary = "An activity is started without a start-to-close or schedule-to-close timeout"
    message = "`{name}` is called without `start_to_close_timeout` or `schedule_to_close_timeout`"
    fix_title = "Add `start_to_close_timeout=timedelta(...)`"
    INVALID = [
        workflow_sample("""

            @activity.defn
            async def charge(order_id: str) -> None: ...


            @workflow.defn
            class Checkout:
                @workflow.run
                async def run(self, order_id: str) -> None:
                    await workflow.execute_activity(charge, order_id)  # expect: TPR401
                    await workflow.execute_local_activity(  # expect: TPR401
                        charge, order_id, start_to_close_timeout=None
                    )
        """),
        workflow_sample("""

            @activity.defn
            async def charge(order_id: str) -> None: ...


            @workflow.defn
            class Checkout:
                @workflow.run
                async def run(self, order_id: str) -> None:
                    await workflow.execute_activity(  # expect: TPR401
                        charge, order_id, schedule_to_start_timeout=timedelta(minutes=1)
                    )
                    await workflow.execute_activity(
                        charge, order_id, start_to_close=timedelta(seconds=30)  # expect: TPR411
                    )
        """),
    ]
    VALID = [
        workflow_sample("""

            @activity.defn
            async def charge(order_id: str) -> None: ...


            @workflow.defn
            class Checkout:
                @workflow.run
                async def run(self, order_id: str) -> None:
                    await workflow.execute_activity(
                        charge, order_id, start_to_close_timeout=timedelta(seconds=30)
                    )
                    await workflow.execute_local_activity(
                        charge, order_id, schedule_to_close_timeout=timedelta(minutes=1)
                    )
        """),
    ]


class UnawaitedWorkflowCall(Rule):
    """
    ## What it does
    Flags a call to `execute_activity`, `execute_local_activity`, `execute_child_workflow`,
    `start_child_workflow`, `workflow.sleep`, `wait_condition` or `asyncio.sleep` used as a
    statement without `await`.

    ## Why is this bad?
    These are coroutine functions: calling one only creates a coroutine. Without `await` (or a
    task that is awaited later) nothing is scheduled, the activity never runs and the timer never
    starts. Python reports "coroutine ... was never awaited" only as a `RuntimeWarning` when the
    coroutine is garbage-collected, long after the workflow moved on.

    ## Fix safety
    There is no automatic fix: awaiting in place or keeping a task is a design choice, and either
    adds a command that running workflows did not record, which needs `workflow.patched()`.

    ## Known problems
    Only calls used as a statement are reported; a coroutine stored in a variable and never awaited
    is not.

    ## References
    - https://python.temporal.io/temporalio.workflow.html#execute_activity
    - https://docs.python.org/3/library/asyncio-dev.html#detect-never-awaited-coroutines
    """

    code = "TPR402"
    name = "unawaited-workflow-call"
    category = "unawaited-call"
    summary = "A workflow coroutine is called without await"
    message = "`{name}` is not awaited, so it never runs"
    fix_title = "Add `await` (or wrap it in `asyncio.create_task` and await the task)"
    INVALID = [
        workflow_sample("""

            @workflow.defn
            class Forgetful:
                @workflow.run
                async def run(self) -> None:
                    workflow.sleep(timedelta(minutes=1))  # expect: TPR402
        """),
    ]
    VALID = [
        workflow_sample("""
            import asyncio


            @workflow.defn
            class Forgetful:
                @workflow.run
                async def run(self) -> None:
                    timer = asyncio.create_task(workflow.sleep(timedelta(minutes=1)))
                    await timer
        """),
    ]


class DirectActivityCall(Rule):
    """
    ## What it does
    Flags workflow code that calls an `@activity.defn` function directly, hands it to a thread
    (`asyncio.to_thread(fetch, x)`, `loop.run_in_executor(None, fetch, x)`, an executor's
    `submit(fetch, x)`, `threading.Thread(target=fetch)`), or calls it out of a module-level
    dict, list or tuple of activities (`tool = TOOLS.get(name)` then `await tool(req)`, or
    `TOOLS[name]` called in place). Passing an activity to `workflow.execute_activity()` and
    the other starters, or to `Worker(activities=[...])`, is how it is meant to be used.

    ## Why is this bad?
    A direct call runs the activity's body inside the workflow: it gets no timeout, no retries and
    no record in the history. In the sandbox its I/O raises `RestrictedWorkflowAccessError` and
    `activity.*` functions raise "Not in activity context", so the task fails and retries;
    unsandboxed, the I/O repeats on every replay. Start it with `workflow.execute_activity(...)`.

    ## Fix safety
    There is no automatic fix: `execute_activity` needs a timeout, and the result type may need
    `result_type=`.

    ## Known problems
    An activity passed in as a parameter, or kept in a container that is not a module-level
    literal (built by a function, stored on `self`), is not recognized.

    ## References
    - https://python.temporal.io/temporalio.workflow.html#execute_activity
    - https://docs.temporal.io/develop/python/failure-detection
    """

    code = "TPR403"
    name = "direct-activity-call"
    category = "direct-activity-call"
    summary = "Workflow code calls an activity function directly"
    message = "Activity `{name}` is {how}, so it runs inside the workflow"
    fix_title = "Start it with `workflow.execute_activity(...)`"
    INVALID = [
        workflow_sample("""

            @activity.defn
            async def charge(order_id: str) -> str:
                return order_id


            @workflow.defn
            class Checkout:
                @workflow.run
                async def run(self, order_id: str) -> str:
                    return await charge(order_id)  # expect: TPR403
        """),
        workflow_sample("""
            import asyncio
            from concurrent.futures import ThreadPoolExecutor


            @activity.defn
            def resize(key: str) -> str:
                return key


            @workflow.defn
            class Thumbnails:
                @workflow.run
                async def run(self, keys: list[str]) -> list[str]:
                    loop = asyncio.get_running_loop()
                    first = await asyncio.to_thread(resize, keys[0])  # expect: TPR204, TPR403
                    second = await loop.run_in_executor(  # expect: TPR204
                        None, resize, keys[1]  # expect: TPR403
                    )
                    with ThreadPoolExecutor() as pool:  # expect: TPR204
                        pool.submit(resize, keys[2])  # expect: TPR204, TPR403
                    return [first, second]
        """),
        workflow_sample("""

            @activity.defn
            async def lookup_order(order_id: str) -> str:
                return order_id


            @activity.defn
            async def issue_refund(order_id: str) -> str:
                return order_id


            TOOLS = {"lookup_order": lookup_order, "issue_refund": issue_refund}


            @workflow.defn
            class Agent:
                @workflow.run
                async def run(self, name: str, order_id: str) -> str:
                    tool = TOOLS.get(name)
                    if tool is None:
                        return await TOOLS[name](order_id)  # expect: TPR403
                    return await tool(order_id)  # expect: TPR403
        """),
    ]
    VALID = [
        workflow_sample("""

            @activity.defn
            async def charge(order_id: str) -> str:
                return order_id


            @workflow.defn
            class Checkout:
                @workflow.run
                async def run(self, order_id: str) -> str:
                    return await workflow.execute_activity(
                        charge, order_id, start_to_close_timeout=timedelta(seconds=30)
                    )
        """),
        workflow_sample("""
            from temporalio.client import Client
            from temporalio.worker import Worker


            @activity.defn
            async def lookup_order(order_id: str) -> str:
                return order_id


            TOOLS = {"lookup_order": lookup_order}


            @workflow.defn
            class Agent:
                @workflow.run
                async def run(self, name: str, order_id: str) -> str:
                    return await workflow.execute_activity(
                        TOOLS[name], order_id, start_to_close_timeout=timedelta(seconds=30)
                    )


            async def main(client: Client) -> None:
                worker = Worker(
                    client, task_queue="q", workflows=[Agent], activities=list(TOOLS.values())
                )
                await worker.run()
        """),
    ]


class InvalidWorkflowRun(Rule):
    """
    ## What it does
    Flags a `@workflow.defn` class with no `@workflow.run` method, with more than one, or with
    a `@workflow.run` method that is not `async def`.

    ## Why is this bad?
    The SDK checks the class when its module is imported: `@workflow.run` on a plain `def` raises
    `ValueError: Workflow run method must be an async function`, and `@workflow.defn` raises
    `ValueError: Invalid workflow class: Missing @workflow.run method` (or "Multiple
    @workflow.run methods found"). The worker, and any code that imports the class, then fails to
    start, so the mistake surfaces at deploy time instead of in review.

    ## Fix safety
    There is no automatic fix: which method is the entry point, and what a synchronous one should
    await, are yours to decide.

    ## Known problems
    A run method inherited from a base class outside the linted files is assumed to exist.

    ## References
    - https://python.temporal.io/temporalio.workflow.html#run
    - https://python.temporal.io/temporalio.workflow.html#defn
    """

    code = "TPR404"
    name = "invalid-workflow-run"
    category = "handler-misuse"
    summary = "A workflow class's @workflow.run method is missing, duplicated or not async"
    message = "{problem}"
    fix_title = "Give the class exactly one `@workflow.run async def` method"
    INVALID = [
        workflow_sample("""

            @workflow.defn
            class NoRun:  # expect: TPR404
                async def go(self) -> None: ...


            @workflow.defn
            class SyncRun:
                @workflow.run
                def run(self) -> None:  # expect: TPR404
                    return None
        """),
    ]
    VALID = [
        workflow_sample("""

            class Base:
                @workflow.run
                async def run(self) -> None: ...


            @workflow.defn
            class Child(Base):
                pass
        """),
    ]


class AsyncQueryHandler(Rule):
    """
    ## What it does
    Flags a `@workflow.query` handler defined with `async def`.

    ## Why is this bad?
    A query answers from the workflow's current state and cannot wait for anything: a command in
    it raises `ReadOnlyContextError`. The SDK deprecates `async def` queries and emits a
    `DeprecationWarning` when the class is defined, which becomes an import error wherever warnings
    are errors (pytest with `filterwarnings = ["error"]`). Make the handler a plain `def`.

    A warning, not an error: the SDK (1.35) still registers and answers an `async def` query, so
    nothing fails today; the deprecation says it may stop working in a later release.

    ## Fix safety
    There is no automatic fix: a handler that awaits something must be rewritten, not only made
    synchronous.

    ## Known problems
    A handler registered at run time with `workflow.set_query_handler()` is not checked.

    ## References
    - https://docs.temporal.io/develop/python/message-passing
    - https://python.temporal.io/temporalio.workflow.html#query
    """

    code = "TPR405"
    name = "async-query-handler"
    category = "handler-misuse"
    severity = "warning"
    summary = "A query handler is async"
    message = "Query handler `{name}` is `async def`; queries must answer synchronously"
    fix_title = "Make the query handler a plain `def`"
    INVALID = [
        workflow_sample("""

            @workflow.defn
            class Status:
                def __init__(self) -> None:
                    self.state = "new"

                @workflow.run
                async def run(self) -> None: ...

                @workflow.query
                async def status(self) -> str:  # expect: TPR405
                    return self.state
        """),
    ]
    VALID = [
        workflow_sample("""

            @workflow.defn
            class Status:
                def __init__(self) -> None:
                    self.state = "new"

                @workflow.run
                async def run(self) -> None: ...

                @workflow.query
                def status(self) -> str:
                    return self.state
        """),
    ]


class QueryChangesState(Rule):
    """
    ## What it does
    Flags a `@workflow.query` handler that assigns to or mutates `self`, issues a workflow
    command (activity, timer, child workflow, a signal to another workflow, ...), or calls what
    the SDK rejects in a read-only context (`workflow.random()`, `workflow.uuid4()`,
    `workflow.set_query_handler(...)`, `workflow.register_random_seed_callback(...)`).

    ## Why is this bad?
    Queries are not recorded in the history and replay does not run them. A change a query makes
    exists only in the worker's cached copy of the workflow: after an eviction, a restart or on
    another worker it is gone, and decisions that read it can differ (changed commands fail the
    task with `[TMPRL1100] Nondeterminism error`). The SDK does not stop the mutation; commands
    raise `ReadOnlyContextError`. Change state with a signal or an update.

    ## Fix safety
    There is no automatic fix: the state change has to move into a signal or update handler, which
    callers must then send.

    ## Known problems
    Mutations through a helper method or an alias of `self` (`state = self.state; state.x = 1`)
    are not seen.

    ## References
    - https://docs.temporal.io/develop/python/message-passing
    """

    code = "TPR406"
    name = "query-changes-state"
    category = "handler-misuse"
    summary = "A query handler changes workflow state"
    message = "Query handler changes workflow state: {why}"
    fix_title = "Make the query read-only; change state with a signal or update"
    INVALID = [
        workflow_sample("""

            @workflow.defn
            class Counter:
                def __init__(self) -> None:
                    self.reads = 0

                @workflow.run
                async def run(self) -> None: ...

                @workflow.query
                def count(self) -> int:
                    self.reads += 1  # expect: TPR406
                    return self.reads

                @workflow.query
                def sample_id(self) -> str:
                    return str(workflow.uuid4())  # expect: TPR406
        """),
    ]
    VALID = [
        workflow_sample("""

            @workflow.defn
            class Counter:
                def __init__(self) -> None:
                    self.reads = 0

                @workflow.run
                async def run(self) -> None: ...

                @workflow.query
                def count(self) -> int:
                    total = self.reads
                    total += 1
                    return total
        """),
    ]


class ValidatorChangesState(Rule):
    """
    ## What it does
    Flags an update validator (`@my_update.validator`) that assigns to or mutates `self`, or
    issues a workflow command.

    ## Why is this bad?
    Validators run only when an update arrives, never during replay, and a rejected update writes
    nothing to the history. A change a validator makes is therefore missing after replay, and the
    replayed workflow diverges from the original. Commands in a validator raise
    `ReadOnlyContextError`. Validate by reading state and raising; change state in the update
    handler.

    ## Fix safety
    There is no automatic fix: the change has to move into the update handler.

    ## Known problems
    Mutations through a helper method or an alias of `self` are not seen.

    ## References
    - https://docs.temporal.io/develop/python/message-passing
    """

    code = "TPR407"
    name = "validator-changes-state"
    category = "handler-misuse"
    summary = "An update validator changes workflow state"
    message = "Update validator changes workflow state: {why}"
    fix_title = "Only read state in the validator; change it in the update handler"
    INVALID = [
        workflow_sample("""

            @workflow.defn
            class Cart:
                def __init__(self) -> None:
                    self.items: list[str] = []

                @workflow.run
                async def run(self) -> None: ...

                @workflow.update
                def add(self, item: str) -> int:
                    self.items.append(item)
                    return len(self.items)

                @add.validator
                def check_add(self, item: str) -> None:
                    self.items.append("checked")  # expect: TPR407
        """),
    ]
    VALID = [
        workflow_sample("""

            @workflow.defn
            class Cart:
                def __init__(self) -> None:
                    self.items: list[str] = []

                @workflow.run
                async def run(self) -> None: ...

                @workflow.update
                def add(self, item: str) -> int:
                    self.items.append(item)
                    return len(self.items)

                @add.validator
                def check_add(self, item: str) -> None:
                    if item in self.items:
                        raise ValueError("duplicate item")
        """),
    ]


class ReplayDependentCommand(Rule):
    """
    ## What it does
    Flags commands issued or skipped depending on `workflow.unsafe.is_replaying()` (or
    `is_replaying_history_events()`): an activity, local activity or child workflow, a timer
    (`workflow.sleep`, `asyncio.sleep`, `asyncio.wait_for`, `wait_condition`), a signal or
    cancellation of another workflow, `continue_as_new`, `upsert_*` or `patched`, under an `if`
    or `while` on it (in the body or the `else`), in a conditional expression or after `and`/`or`,
    or skipped by a `return`, `break` or `continue` under such an `if`. A `raise` under it is
    reported wherever it is (one path fails, the other does not), and so is a `return` in the
    `@workflow.run` method (one path completes the workflow). The condition may go through a
    name (`replaying = workflow.unsafe.is_replaying()`) or a helper that returns it.

    Logging, metrics, `print` and other observation under it are not flagged: skipping them on
    replay is what `is_replaying()` is for.

    ## Why is this bad?
    A replay must issue the same commands, in the same order, as the run that wrote the history.
    Under a decision on `is_replaying()` the original run takes one path and every replay (after a
    worker restart, a cache eviction, or on another worker) takes the other: the replay's commands
    no longer match the history and the workflow task fails with `[TMPRL1100] Nondeterminism
    error`, retried until the code changes, or skips work the history says was done. The mistake
    is invisible in tests that never replay, and shows up on the first worker restart in
    production.

    ## Fix safety
    There is no automatic fix: the command has to run on both paths, or move out of the workflow.

    ## Known problems
    Only conditions that call `is_replaying()` in the same function, through a name assigned
    from it once, or through a helper in the linted files that returns it are seen; a value
    stored on `self` is not. Commands issued by a helper called under the decision are not seen.
    A `return` with a value that depends on it (`return a if is_replaying() else b`) is not
    reported: the history keeps the original result.

    ## References
    - https://python.temporal.io/temporalio.workflow.unsafe.html
    - https://docs.temporal.io/workflow-definition#deterministic-constraints
    """

    code = "TPR408"
    name = "replay-dependent-command"
    category = "other"
    summary = "Workflow commands depend on workflow.unsafe.is_replaying()"
    message = (
        "{what} depends on `{condition}`, so a replay takes another path than the original run"
    )
    fix_title = (
        "Issue the same commands whether or not the workflow is replaying; keep "
        "`is_replaying()` for logging and metrics"
    )
    INVALID = [
        workflow_sample("""

            @activity.defn
            async def notify(order_id: str) -> None: ...


            @workflow.defn
            class Order:
                @workflow.run
                async def run(self, order_id: str) -> None:
                    if not workflow.unsafe.is_replaying():
                        await workflow.execute_activity(  # expect: TPR408
                            notify, order_id, start_to_close_timeout=timedelta(seconds=10)
                        )
                    await workflow.sleep(timedelta(hours=1))
        """),
        workflow_sample("""
            import asyncio


            async def pause(seconds: float) -> None:
                replaying = workflow.unsafe.is_replaying_history_events()
                await (asyncio.sleep(0) if replaying else asyncio.sleep(seconds))  # expect: TPR408


            @workflow.defn
            class Poll:
                @workflow.run
                async def run(self, rounds: int) -> int:
                    for _ in range(rounds):
                        if workflow.unsafe.is_replaying():
                            continue  # expect: TPR408
                        await pause(5)
                        await workflow.sleep(timedelta(seconds=5))
                    if workflow.unsafe.is_replaying():
                        return 0  # expect: TPR408
                    return rounds
        """),
    ]
    VALID = [
        workflow_sample("""

            def audit(message: str) -> None:
                if workflow.unsafe.is_replaying():
                    return
                workflow.logger.info("audit: %s", message)


            @workflow.defn
            class Order:
                @workflow.run
                async def run(self, order_id: str) -> None:
                    if not workflow.unsafe.is_replaying():
                        workflow.logger.info("processing %s", order_id)
                        workflow.metric_meter().create_counter("orders").add(1)
                    audit(order_id)
                    await workflow.sleep(timedelta(hours=1))
        """),
    ]


class WorkflowApiInActivity(Rule):
    """
    ## What it does
    Flags calls to `temporalio.workflow` functions (`workflow.now()`, `workflow.logger`,
    `workflow.execute_activity`, ...) inside an `@activity.defn` function or its helpers.

    ## Why is this bad?
    Activities run outside the workflow event loop: these functions raise "Not in workflow event
    loop" when the line runs, which fails the activity on every retry. Activities have their own
    API: `activity.logger`, `activity.info()`, `activity.heartbeat()`.

    ## Fix safety
    There is no automatic fix: the activity counterpart differs per function, and some (timers,
    child workflows) have none.

    ## Known problems
    Guards are not understood: in a helper shared by workflows and activities, a call under
    `if workflow.in_workflow():` is still reported.

    ## References
    - https://python.temporal.io/temporalio.activity.html
    """

    code = "TPR410"
    name = "workflow-api-in-activity"
    category = "other"
    summary = "An activity calls a workflow-only API"
    message = "`{name}` is a workflow API and raises when called from an activity"
    fix_title = "Use the `activity` module's API (activity.logger, activity.info()) instead"
    INVALID = [
        workflow_sample("""

            @activity.defn
            async def charge(order_id: str) -> str:
                workflow.logger.info("charging %s", order_id)  # expect: TPR410
                return order_id
        """),
        workflow_sample("""

            @activity.defn
            async def stamp() -> str:
                started = workflow.now()  # expect: TPR410
                return started.isoformat()  # a method of its result: reported once, above
        """),
    ]
    VALID = [
        workflow_sample("""

            @activity.defn
            async def charge(order_id: str) -> str:
                activity.logger.info("charging %s", order_id)
                return order_id
        """),
    ]


class NonexistentApi(Rule):
    """
    ## What it does
    Flags names and keyword arguments that do not exist in the installed `temporalio`:
    `workflow.uuid()`, `workflow.get_version()`, `workflow.side_effect()`, `Worker.run_until()`,
    `client.execute_workflow(..., replay_history=...)`, misspelled options such as
    `start_to_close=`, and attributes of what an SDK call returns, when the SDK annotates it with
    one of its classes (`workflow.info().history_length`: `Info` has
    `get_current_history_length()`). Assistants write these from other Temporal SDKs' habits.

    ## Why is this bad?
    They raise `AttributeError`, `ImportError` or `TypeError` when the line runs; in a workflow that
    is a task failure that retries until the code is fixed. The set of real names is generated
    from the installed SDK (`mcp_server/lint/sdk_api.json`), not written by hand.

    ## Fix safety
    There is no automatic fix: the real API often has other semantics (`get_version()` becomes
    `workflow.patched()`, `side_effect()` an activity); the finding names the replacement.

    ## Known problems
    Names are checked where they resolve to `temporalio`; on an object of unknown type only the
    keywords of `execute_workflow` and `start_workflow` are checked.

    ## References
    - https://python.temporal.io/
    - https://docs.temporal.io/develop/python/versioning
    """

    code = "TPR411"
    name = "nonexistent-temporal-api"
    category = "nonexistent-api"
    summary = "Code uses a temporalio name or keyword that does not exist in the Python SDK"
    message = "`{name}` does not exist in the Python SDK"
    fix_title = "Use {hint}"
    INVALID = [
        workflow_sample("""

            @workflow.defn
            class Versioned:
                @workflow.run
                async def run(self) -> str:
                    if workflow.get_version("change", 1, 2) == 2:  # expect: TPR411
                        return str(workflow.uuid())  # expect: TPR411
                    if workflow.info().history_length > 5000:  # expect: TPR411
                        workflow.continue_as_new()
                    return ""
        """),
        sample("""
            from temporalio.client import Client
            from temporalio.worker import Worker


            async def main(client: Client, history: str) -> None:
                worker = Worker(client, task_queue="q", workflows=[])
                await worker.run_until(lambda: True)  # expect: TPR411
                await client.execute_workflow(
                    "Wf", id="x", task_queue="q", replay_history=history  # expect: TPR411
                )
        """),
    ]
    VALID = [
        workflow_sample("""

            @workflow.defn
            class Versioned:
                @workflow.run
                async def run(self) -> str:
                    if workflow.patched("change"):
                        return str(workflow.uuid4())
                    if workflow.info().get_current_history_length() > 5000:
                        workflow.continue_as_new()
                    return ""
        """),
    ]


class WorkflowRandomAsNumber(Rule):
    """
    ## What it does
    Flags `workflow.random()` used as if it were a number: in arithmetic, comparisons, or
    `int()` / `float()` / `round()`.

    ## Why is this bad?
    `workflow.random()` returns a `random.Random` generator seeded from the history, not a
    float, so the expression raises `TypeError` when the workflow runs: the task fails and retries
    until you deploy a fix. Call a method on it: `workflow.random().random()`, `.randint(a, b)`,
    `.choice(seq)`.

    ## Fix safety
    There is no automatic fix: which method you meant (`.random()`, `.randint(a, b)`,
    `.uniform(a, b)`) is your choice.

    ## Known problems
    Only direct uses are seen: `rng = workflow.random()` followed by `rng * 10` is not reported.

    ## References
    - https://python.temporal.io/temporalio.workflow.html#random
    """

    code = "TPR412"
    name = "workflow-random-as-number"
    category = "nonexistent-api"
    summary = "workflow.random() is used as a number"
    message = "`workflow.random()` returns a `random.Random` generator, not a number"
    fix_title = "Call a method on it, e.g. `workflow.random().random()`"
    INVALID = [
        workflow_sample("""

            @workflow.defn
            class Jitter:
                @workflow.run
                async def run(self) -> float:
                    return workflow.random() * 10  # expect: TPR412
        """),
    ]
    VALID = [
        workflow_sample("""

            @workflow.defn
            class Jitter:
                @workflow.run
                async def run(self) -> float:
                    return workflow.random().random() * 10
        """),
    ]


# --- 5xx: activities -----------------------------------------------------------------------------
class BlockingCallInAsyncActivity(Rule):
    """
    ## What it does
    Flags blocking calls (`time.sleep`, `requests`, synchronous file, socket or subprocess I/O)
    inside an `async def` activity and the helpers it calls.

    ## Why is this bad?
    Async activities share the worker's event loop. A blocking call stalls every activity on
    that worker, their heartbeats and the worker's polling until it returns, which shows up as
    heartbeat and start-to-close timeouts elsewhere. Use an async client (`httpx.AsyncClient`,
    `aiofiles`, `asyncio.sleep`), or make the activity a plain `def` and give the worker an
    `activity_executor`.

    A warning, not an error: activities are not replayed, so the call cannot break a workflow's
    replay; it slows the worker down and makes timeouts fire.

    ## Fix safety
    There is no automatic fix: an async replacement is another library, and a plain `def` activity
    needs an `activity_executor` on the worker.

    ## Known problems
    Only calls the linter knows to block are reported; CPU-heavy pure-Python code also stalls the
    loop and is not.

    ## References
    - https://docs.temporal.io/develop/python/python-sdk-sync-vs-async
    - https://python.temporal.io/temporalio.worker.Worker.html
    """

    code = "TPR501"
    name = "blocking-call-in-async-activity"
    category = "activity-blocking"
    severity = "warning"
    summary = "An async activity makes a blocking call"
    message = "`{name}` blocks the event loop that every async activity on the worker shares"
    fix_title = "Use an async API, or make the activity a plain `def` run in an executor"
    INVALID = [
        workflow_sample("""
            import time

            import requests


            @activity.defn
            async def fetch(url: str) -> int:
                time.sleep(1)  # expect: TPR501
                return requests.get(url).status_code  # expect: TPR501
        """),
    ]
    VALID = [
        workflow_sample("""
            import asyncio
            import time

            import requests


            @activity.defn
            async def fetch_async(url: str) -> None:
                await asyncio.sleep(1)


            @activity.defn
            def fetch(url: str) -> int:
                time.sleep(1)
                return requests.get(url).status_code
        """),
        workflow_sample("""
            from openai import AsyncOpenAI


            @activity.defn
            async def summarize(text: str) -> str:
                client = AsyncOpenAI(max_retries=0)
                reply = await client.chat.completions.create(
                    model="gpt-4o", messages=[{"role": "user", "content": text}]
                )
                return reply.choices[0].message.content or ""
        """),
    ]


# --- 6xx: modules, logging and the sandbox -------------------------------------------------------
class WorkflowModuleSideEffect(Rule):
    """
    ## What it does
    Flags top-level code in a module that defines a workflow which does I/O, reads the clock or
    the environment, connects a client, builds a worker or calls `asyncio.run(...)`, outside an
    `if __name__ == "__main__":` guard.

    ## Why is this bad?
    The sandbox imports the workflow's module when the worker is created (to validate the
    workflow) and again for every workflow run. An unguarded `asyncio.run(main())` then fails
    worker creation with `RuntimeError: Failed validating workflow ...`, and so does a module-level
    `datetime.now()`; environment and clock reads that the sandbox allows at import give values
    that differ between runs and workers. Keep workflow modules free of side effects; put the
    starter behind the main guard or in its own file.

    An error in application code, a warning in test files (`test_*.py`, `*_test.py`,
    `conftest.py`, anything under a `tests` folder): a workflow defined in a test runs only in
    that test's worker, never against production histories, so the side effect cannot break a
    deployed workflow's replay; if it breaks the test's worker, the test fails and says so.

    ## Fix safety
    There is no automatic fix: whether the code belongs under the main guard, in a starter module
    or in an activity is your decision.

    ## Known problems
    Only calls the linter knows to have side effects are reported; a module-level call to your own
    function is not followed.

    ## References
    - https://docs.temporal.io/develop/python/python-sdk-sandbox
    """

    code = "TPR601"
    name = "workflow-module-side-effect"
    category = "module-side-effect"
    test_severity = "warning"
    summary = "A workflow module has side effects at import time"
    message = "`{name}` runs whenever the sandbox imports this workflow module"
    fix_title = 'Move it under `if __name__ == "__main__":` or into an activity'
    INVALID = [
        workflow_sample("""
            import asyncio
            import os

            REGION = os.environ.get("REGION")  # expect: TPR601


            @workflow.defn
            class Hello:
                @workflow.run
                async def run(self) -> str:
                    return "hi"


            async def main() -> None: ...


            asyncio.run(main())  # expect: TPR601
        """),
        workflow_sample("""
            import json
            from pathlib import Path

            RULES = json.loads((Path(__file__).parent / "rules.json").read_text())  # expect: TPR601


            @workflow.defn
            class Quote:
                @workflow.run
                async def run(self, tier: str) -> int:
                    return RULES[tier]
        """),
    ]
    VALID = [
        workflow_sample("""
            import asyncio


            @workflow.defn
            class Hello:
                @workflow.run
                async def run(self) -> str:
                    return "hi"


            async def main() -> None: ...


            if __name__ == "__main__":
                asyncio.run(main())
        """),
        workflow_sample("""
            from pathlib import Path

            RULES_PATH = Path(__file__).parent / "pricing.json"


            @activity.defn
            def load_rules(path: str) -> dict[str, int]:
                return {"gold": len(Path(path).read_text())}


            @workflow.defn
            class Quote:
                @workflow.run
                async def run(self, tier: str) -> int:
                    rules = await workflow.execute_activity(
                        load_rules, str(RULES_PATH), start_to_close_timeout=timedelta(seconds=5)
                    )
                    return rules[tier]
        """),
    ]


class ReplayUnsafeLogging(Rule):
    """
    ## What it does
    Flags `print()`, `sys.stdout.write()` and the standard `logging` module in workflow code.

    ## Why is this bad?
    Workflow code re-runs on every replay, so these lines are written again each time the
    workflow is replayed (after every worker restart or cache eviction), duplicating logs.
    `workflow.logger` skips records during replay and adds the workflow's details (id, run id,
    type) to each record.

    ## Fix safety
    There is no automatic fix: `workflow.logger` has another logger name and appends workflow
    details to messages, which can break log filters and handlers you rely on.

    ## Known problems
    Output written by libraries outside the linted files is not reported.

    ## References
    - https://docs.temporal.io/develop/python/observability
    - https://python.temporal.io/temporalio.workflow.LoggerAdapter.html
    """

    code = "TPR602"
    name = "replay-unsafe-logging"
    category = "replay-logging"
    severity = "warning"
    summary = "Workflow code prints or logs outside workflow.logger"
    message = "`{name}` {reason}"
    fix_title = "Use `workflow.logger`"
    INVALID = [
        workflow_sample("""
            import logging

            log = logging.getLogger(__name__)


            @workflow.defn
            class Chatty:
                @workflow.run
                async def run(self) -> None:
                    print("started")  # expect: TPR602
                    log.info("started")  # expect: TPR602
        """),
    ]
    VALID = [
        workflow_sample("""

            @workflow.defn
            class Chatty:
                @workflow.run
                async def run(self) -> None:
                    workflow.logger.info("started")
        """),
    ]


class SandboxEscape(Rule):
    """
    ## What it does
    Flags the ways of switching the workflow sandbox off: `workflow.unsafe.sandbox_unrestricted()`,
    `@workflow.defn(sandboxed=False)`, `UnsandboxedWorkflowRunner` and
    `with_passthrough_all_modules()`.

    ## Why is this bad?
    The sandbox is the run-time safety net for determinism: with it, most calls that break replay
    fail at once, in development; without it they run, and the same code breaks on replay in
    production or silently diverges. `with_passthrough_all_modules()` also stops re-importing
    modules per run, so module state is shared between runs. Each escape is sometimes right (a
    vetted library, import cost), but it should carry a written reason: suppress the finding with
    a comment that gives one.

    ## Fix safety
    There is no automatic fix: removing an escape can make working code fail in the sandbox, so it
    needs review.

    ## Known problems
    `imports_passed_through()` is not reported, although the sandbox never checks code in modules
    imported under it; the linter follows calls into those modules and says so in each message.

    ## References
    - https://docs.temporal.io/develop/python/python-sdk-sandbox
    - https://python.temporal.io/temporalio.workflow.unsafe.html#sandbox_unrestricted
    - https://python.temporal.io/temporalio.worker.UnsandboxedWorkflowRunner.html
    """

    code = "TPR603"
    name = "sandbox-escape"
    category = "sandbox-escape"
    severity = "warning"
    summary = "Code turns off the workflow sandbox"
    message = "`{name}` turns off the sandbox's run-time determinism checks"
    fix_title = "Remove it, or suppress this finding with a comment that says why"
    INVALID = [
        workflow_sample("""

            @workflow.defn(sandboxed=False)  # expect: TPR603
            class Fast:
                @workflow.run
                async def run(self) -> None:
                    with workflow.unsafe.sandbox_unrestricted():  # expect: TPR603
                        pass
        """),
    ]
    VALID = [
        workflow_sample("""

            @workflow.defn
            class Fast:
                @workflow.run
                async def run(self) -> None:
                    with workflow.unsafe.imports_passed_through():
                        import json
                    del json
        """),
    ]


# --- 7xx: cancellation ---------------------------------------------------------------------------
class CompensationSkipsCancellation(Rule):
    """
    ## What it does
    Flags, in workflow code, an `except Exception:` clause around awaited work whose body
    awaits compensation (a saga step) when no earlier clause catches `BaseException` or
    `asyncio.CancelledError`.

    ## Why is this bad?
    When the workflow is cancelled while it waits on a timer or a condition, the cancellation
    arrives as `asyncio.CancelledError`, a `BaseException`, which `except Exception` does not
    catch: the compensation is silently skipped and the saga leaves its earlier steps in place.
    Nothing fails; the workflow ends as cancelled. Catch `BaseException`, compensate (shielded),
    then re-raise.

    ## Fix safety
    There is no automatic fix: `except BaseException` also catches `workflow.ContinueAsNewError`,
    so where to re-raise what is your decision.

    ## Known problems
    Cancellation while awaiting an activity arrives as `ActivityError`, which `except Exception`
    does catch; the rule still asks for `BaseException`, because the same code usually also
    awaits timers or conditions. If the `try` block can call `workflow.continue_as_new()`, re-raise
    `workflow.ContinueAsNewError` before compensating.

    ## References
    - https://docs.temporal.io/develop/python/cancellation
    - https://github.com/temporalio/temporal-compensating-transactions
    """

    code = "TPR701"
    name = "compensation-skips-cancellation"
    category = "cancellation-handling"
    severity = "warning"
    summary = "Saga compensation under `except Exception` is skipped on cancellation"
    message = (
        "`except Exception` does not catch `asyncio.CancelledError`, "
        "so this compensation is skipped when the workflow is cancelled"
    )
    fix_title = "Catch `BaseException`, compensate, then re-raise"
    INVALID = [
        workflow_sample("""

            @activity.defn
            async def reserve() -> None: ...


            @activity.defn
            async def release() -> None: ...


            @workflow.defn
            class Trip:
                @workflow.run
                async def run(self) -> None:
                    try:
                        await workflow.execute_activity(
                            reserve, start_to_close_timeout=timedelta(seconds=10)
                        )
                        await workflow.sleep(timedelta(days=1))
                    except Exception:  # expect: TPR701
                        await workflow.execute_activity(
                            release, start_to_close_timeout=timedelta(seconds=10)
                        )
                        raise
        """),
    ]
    VALID = [
        workflow_sample("""

            @activity.defn
            async def reserve() -> None: ...


            @activity.defn
            async def release() -> None: ...


            @workflow.defn
            class Trip:
                @workflow.run
                async def run(self) -> None:
                    try:
                        await workflow.execute_activity(
                            reserve, start_to_close_timeout=timedelta(seconds=10)
                        )
                        await workflow.sleep(timedelta(days=1))
                    except BaseException:
                        await workflow.execute_activity(
                            release, start_to_close_timeout=timedelta(seconds=10)
                        )
                        raise
        """),
    ]


# --- 9xx: the linter itself -----------------------------------------------------------------------
class UnusedSuppression(Rule):
    """
    ## What it does
    Reports a `# noqa: CODE`, `# temporal-pro: ignore[CODE]` or
    `# temporal-pro: ignore-file[CODE]` comment that silences nothing, for a rule that is
    enabled. A bare `# noqa` or one listing only other tools' codes is left alone.

    ## Why is this bad?
    A suppression outlives the code it was written for. Once the mistake is fixed, a stale
    suppression would silently hide the next one on that line or in that function.

    ## Fix safety
    There is no automatic fix: a comment may mix our codes with other tools' and with prose that
    explains the reason, so deleting it is left to a person.

    ## Known problems
    A suppression inside a file the run did not analyze (one that never mentions `temporalio`
    and is not reached from a workflow) is reported as unused.

    ## References
    - https://docs.astral.sh/ruff/rules/unused-noqa/
    """

    code = "TPR900"
    name = "unused-suppression"
    category = "other"
    severity = "warning"
    summary = "A suppression comment silences nothing"
    message = "Unused suppression of {codes}"
    fix_title = "Remove the suppression, or the codes it no longer needs"
    INVALID = [
        workflow_sample("""

            @workflow.defn
            class Clean:
                @workflow.run
                async def run(self) -> float:
                    return workflow.time()  # noqa: TPR101  # expect: TPR900
        """),
    ]
    VALID = [
        workflow_sample("""
            import time


            @workflow.defn
            class Clock:
                @workflow.run
                async def run(self) -> float:
                    return time.time()  # noqa: TPR101 (measured, never decides anything)
        """),
    ]
