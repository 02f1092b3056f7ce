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

from mcp_server.lint.models import Category, RuleInfo, Severity

RULES: dict[str, type[Rule]] = {}


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    category: ClassVar[Category]
    severity: ClassVar[Severity] = "error"
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
    def documentation(cls) -> str:
        """The docstring, with the first INVALID and VALID samples as Example / Use instead."""
        text = inspect.cleandoc(cls.__doc__ or "")
        parts = [f"# {cls.code} {cls.name} ({cls.category}, {cls.severity})", "", text]
        for heading, samples in (("Example", cls.INVALID), ("Use instead", cls.VALID)):
            if samples:
                parts += ["", f"## {heading}", "```python", samples[0].strip("\n"), "```"]
        return "\n".join(parts) + "\n"


class _Blank(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return ""


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
    A workflow module that does not parse cannot be registered with a worker, and the linter
    cannot check anything in it. The other files are still linted.

    ## Known problems
    Code newer than the running interpreter is parsed with libcst's grammar (up to 3.14), so a
    3.12 `type` statement linted on 3.11 is analyzed, not reported here.
    """

    code = "TPR001"
    name = "syntax-error"
    category = "syntax-error"
    summary = "The file does not parse as Python"
    message = "SyntaxError: {detail}"
    fix_title = None
    INVALID = [sample("def broken(:  # expect: TPR001\n    pass")]
    VALID = [
        sample(
            "type Pair[T] = tuple[T, T]\n\n\ndef first[T](pair: Pair[T]) -> T:\n    return pair[0]"
        )
    ]


# --- 1xx: non-deterministic values ---------------------------------------------------------------
class WorkflowWallClock(Rule):
    """
    ## What it does
    Flags reads of the machine's clock (`datetime.now()`, `datetime.utcnow()`, `date.today()`,
    `time.time()`, `time.monotonic()`, `time.perf_counter()`, `time.localtime()`, ...) in
    workflow code, including helpers the workflow calls.

    ## Why is this bad?
    A workflow is replayed from its event history after a worker restart or on another worker.
    The clock then returns a different value, so any decision or command built on it can differ
    and the replay fails with a nondeterminism error, or silently takes another branch.
    `workflow.now()` and `workflow.time()` return the time recorded in the history instead.

    The sandbox rejects most of these calls at run time, but only on code paths that execute and
    never inside modules imported through `imports_passed_through()`; the linter reports them
    before the code ships.

    ## Known problems
    Values passed in from the outside (a clock object in a parameter) are not tracked.

    ## References
    - https://docs.temporal.io/develop/python/core-application#workflow-logic-requirements
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
    These return a different value on every run, exactly like `time.time()`, but the sandbox lets
    all of them through (they call the real clock from inside the standard library), so the
    workflow only fails later, on replay.

    ## Known problems
    Only the calls listed here are known; extend the table in `knowledge.py` for others.
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
    Flags `random` module functions, `secrets`, `os.urandom` and NumPy's global generator in
    workflow code.

    ## Why is this bad?
    On replay the process-wide generator produces different values, so the workflow can choose a
    different branch, activity or argument than the one recorded in its history.
    `workflow.random()` is a `random.Random` seeded from the history: use its methods.

    ## References
    - https://python.temporal.io/temporalio.workflow.html#random
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
    An unseeded generator seeds itself from OS entropy, so it yields different numbers when the
    workflow replays. The sandbox does not block these constructors: only replay reveals it.
    Seed from the workflow's generator instead, or use `workflow.new_random(name)`.
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
    These build ids from OS randomness or the clock. An id generated again on replay differs
    from the one recorded (for example as an activity argument or an idempotency key), so
    downstream systems see a new key. `workflow.uuid4()` and `workflow.uuid7()` are derived from
    the history and repeat exactly on replay. `uuid3`/`uuid5` are deterministic and fine.
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
    ]


class WorkflowBlockingSleep(Rule):
    """
    ## What it does
    Flags `time.sleep()` in workflow code.

    ## Why is this bad?
    `time.sleep` blocks the workflow's event loop instead of recording a durable timer: nothing
    is written to the history, the worker's deadlock detector fails the task after 2 seconds,
    and a sleeping worker cannot serve other workflows. `await asyncio.sleep(...)` and
    `await workflow.sleep(...)` start a durable timer that survives restarts.
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
    Both keep tasks in sets, whose iteration order differs between processes, so the order in
    which results are handled (and the commands that follow) can differ on replay. The sandbox
    only warns. `workflow.wait()` and `workflow.as_completed()` are the same functions with
    ordered containers. `asyncio.gather` and `asyncio.wait_for` are deterministic and fine.
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
    Flags file-system access in workflow code: `open()`, `pathlib.Path` I/O methods, `os` file
    functions, `shutil`, `tempfile`, `glob`.

    ## Why is this bad?
    {_SIDE_EFFECT_WHY}
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
    ]


class WorkflowNetwork(Rule):
    __doc__ = f"""
    ## What it does
    Flags network and database clients in workflow code: `requests`, `httpx`, `aiohttp`,
    `urllib.request`, `socket`, `http.client`, database drivers, cloud SDKs, LLM clients.

    ## Why is this bad?
    {_SIDE_EFFECT_WHY}
    Third-party clients are also invisible to the sandbox when their module is passed through.
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
    Flags `subprocess`, `os.system`, `os.popen` and `asyncio.create_subprocess_*` in workflow
    code.

    ## Why is this bad?
    {_SIDE_EFFECT_WHY}
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
    `multiprocessing`, `asyncio.to_thread`, `loop.run_in_executor`.

    ## Why is this bad?
    Workflow code must run on the workflow's own deterministic event loop; work on another
    thread finishes in an order the history does not record. The workflow event loop refuses
    `run_in_executor` and `to_thread` outright. For coordination inside a workflow use
    `asyncio.Lock`, `asyncio.Event` or `workflow.wait_condition`; move real parallel work into
    activities.
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
    `os.getpid`, `platform.*`, `socket.gethostname`, `getpass.getuser`.

    ## Why is this bad?
    Workers differ: a replay on another host or after a deploy reads another value, and the
    workflow can take another branch. Pass configuration in the workflow's input (it is then
    recorded in the history), or read it in an activity.

    ## Known problems
    Module-level reads (outside any function) run at import; those are reported by
    `workflow-module-side-effect` in workflow modules.
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
    `sum`/`min`/`max`/`any`/`all`, and a set comprehension.

    ## Why is this bad?
    The order of a set of strings depends on the process's hash seed, so a loop that starts an
    activity per element schedules them in another order after a worker restart: replay fails
    with "Activity type of scheduled event ... does not match". When every element starts the
    same activity type, replay does not even notice and results are silently attached to the
    wrong elements. The sandbox never catches this, and replay in the same process passes.

    ## Known problems
    The linter recognizes sets it can see: literals, `set()`/`frozenset()` calls, set
    operations, locals and `self` attributes assigned from them, and annotations. A set that
    arrives through an unannotated parameter is not recognized.
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
    ]


class WorkflowHashOrId(Rule):
    """
    ## What it does
    Flags `hash()` and `id()` in workflow code.

    ## Why is this bad?
    `hash()` of a string or bytes is salted per process and `id()` is a memory address: both
    change after a worker restart, so a decision built on them (bucketing, ordering, sharding)
    differs on replay. Use a stable key: the value itself, or `hashlib` over its bytes.
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
    Flags workflow code that writes module-level or class-level state: assigning a name
    declared `global`, mutating a module-level list, dict or set (`CACHE[k] = v`,
    `SEEN.add(x)`), or assigning an attribute of a module or class.

    ## Why is this bad?
    Module state outlives one workflow run: modules imported through `imports_passed_through()`
    are shared by every workflow on the worker, and a replay on another worker starts from
    empty state. A decision that reads such state differs between the original run and the
    replay. Keep state on the workflow instance (`self.x`).
    """

    code = "TPR303"
    name = "workflow-global-state"
    category = "global-state"
    summary = "Workflow code writes module-level or class-level state"
    message = "Workflow code writes shared state `{name}`, which outlives this workflow run"
    fix_title = "Keep the state on the workflow instance (`self`)"
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
    ]


# --- 4xx: workflow API misuse --------------------------------------------------------------------
class ActivityMissingTimeout(Rule):
    """
    ## What it does
    Flags `workflow.execute_activity`, `start_activity`, the local-activity variants and their
    `_method` / `_class` forms when neither `start_to_close_timeout` nor
    `schedule_to_close_timeout` is given (or one is given as `None`).

    ## Why is this bad?
    The SDK requires one of them and raises `ValueError` when the workflow schedules the
    activity. That fails the workflow task, not the workflow: the workflow stays Running and the
    task retries forever until the code is fixed and redeployed.

    ## Known problems
    Options passed through `**kwargs` are assumed to contain a timeout.
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
    These are coroutines: without `await` (or a task that is awaited later) nothing is
    scheduled, the activity never runs and the timer never starts. Python only prints a
    "coroutine was never awaited" warning, long after the workflow moved on.
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
    Flags workflow code that calls an `@activity.defn` function directly.

    ## Why is this bad?
    A direct call runs the activity's body inside the workflow: its I/O repeats on every
    replay, it has no timeout or retries, and it is never recorded in the history. Start it
    with `workflow.execute_activity` instead.
    """

    code = "TPR403"
    name = "direct-activity-call"
    category = "direct-activity-call"
    summary = "Workflow code calls an activity function directly"
    message = "Activity `{name}` is called directly, so it runs inside the workflow"
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
    ]


class InvalidWorkflowRun(Rule):
    """
    ## What it does
    Flags a `@workflow.defn` class with no `@workflow.run` method, with more than one, or with
    a `@workflow.run` method that is not `async def`.

    ## Why is this bad?
    The worker refuses to register such a class (`ValueError` at worker start), so the mistake
    surfaces at deploy time instead of in review.

    ## Known problems
    A run method inherited from a base class outside the linted files is assumed to exist.
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
    Queries must answer from the workflow's current state without waiting for anything; async
    query handlers are deprecated and warn at definition. Make the handler a plain `def`.
    """

    code = "TPR405"
    name = "async-query-handler"
    category = "handler-misuse"
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
    Flags a `@workflow.query` handler that assigns to or mutates `self`, or issues a workflow
    command (activity, timer, child workflow, ...).

    ## Why is this bad?
    Queries are not recorded in the history. A state change made by a query is lost on replay,
    so the replayed workflow sees different state than the original did. Commands raise
    `ReadOnlyContextError`. Use a signal or an update to change state.
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
    A rejected update writes nothing to the history, so a change the validator made is not
    replayed; the replayed workflow diverges from the original. Validators must only read
    state and raise to reject.
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


class WorkflowApiInActivity(Rule):
    """
    ## What it does
    Flags calls to `temporalio.workflow` functions (`workflow.now()`, `workflow.logger`,
    `workflow.execute_activity`, ...) inside an `@activity.defn` function or its helpers.

    ## Why is this bad?
    Activities run outside the workflow event loop: these functions raise "Not in workflow event
    loop" at run time, which fails the activity on every retry. Activities have their own API:
    `activity.logger`, `activity.info()`, `activity.heartbeat()`.
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
    `start_to_close=`. Assistants write these from other Temporal SDKs' habits.

    ## Why is this bad?
    They raise `AttributeError` or `TypeError` when the line runs; in a workflow that is a task
    failure that retries until the code is fixed. The set of real names is generated from the
    installed SDK (`mcp_server/lint/sdk_api.json`), not written by hand.
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
    float, so the expression raises `TypeError` when the workflow runs. Call a method on it:
    `workflow.random().random()`, `.randint(a, b)`, `.choice(seq)`.
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
    that worker (and their heartbeats) until it returns, which shows up as heartbeat and
    start-to-close timeouts elsewhere. Use an async client (`httpx.AsyncClient`, `aiofiles`,
    `asyncio.sleep`), or make the activity a plain `def` and give the worker an
    `activity_executor`.
    """

    code = "TPR501"
    name = "blocking-call-in-async-activity"
    category = "activity-blocking"
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
    The sandbox re-imports the workflow's module for every workflow run and once when the
    worker starts. An unguarded `asyncio.run(main())` then fails worker start with an opaque
    "Failed validating workflow" error, and values computed at import differ between workers.
    Keep workflow modules free of side effects; put the starter behind the main guard or in its
    own file.
    """

    code = "TPR601"
    name = "workflow-module-side-effect"
    category = "module-side-effect"
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
    ]


class ReplayUnsafeLogging(Rule):
    """
    ## What it does
    Flags `print()`, `sys.stdout.write()` and the standard `logging` module in workflow code.

    ## Why is this bad?
    Workflow code re-runs on every replay, so these lines are written again each time the
    workflow is replayed (after every worker restart or cache eviction), duplicating logs.
    `workflow.logger` skips records during replay and adds the workflow's id and run id.
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
    The sandbox is the run-time safety net for determinism. Each escape is sometimes right (a
    vetted library, performance), but it should carry a written reason: suppress the finding
    with a comment that gives one.
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
    Catch `BaseException`, compensate (shielded), then re-raise.

    ## Known problems
    Cancellation while awaiting an activity arrives as `ActivityError`, which `except Exception`
    does catch; the rule still asks for `BaseException`, because the same code usually also
    awaits timers or conditions.
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
