"""Process-global state changed from workflow code (TPR303) and decisions on
`workflow.unsafe.is_replaying()` (TPR408), on fixture packages written to a temporary folder.

Each offending line ends with `# expect: CODE`; every other line of the package, including the
twins that look alike but belong to one run, must lint clean.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import re
import sys
from pathlib import Path

import pytest

from mcp_server.lint import knowledge
from mcp_server.lint.engine import lint_paths
from mcp_server.lint.models import Finding

EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)$")

MEMO = """\
class Memo:
    def __init__(self) -> None:
        self.cache: dict[str, str] = {}
        self.hits = 0

    def lookup(self, key: str) -> str | None:
        return self.cache.get(key)

    def remember(self, key: str, value: str) -> None:
        self._store(key, value)

    def _store(self, key: str, value: str) -> None:
        self.cache[key] = value


class Registry:
    def __init__(self) -> None:
        self.items: list[str] = []


MEMO = Memo()
REGISTRY = Registry()
"""

SETTINGS = """\
RETRIES = 3
SEEN: set[str] = set()
LIMITS = {"default": 10}


def count_call() -> None:
    global CALLS
    CALLS = CALLS + 1  # expect: TPR303


CALLS = 0
"""

WORKFLOWS = """\
import logging
import sys
from dataclasses import dataclass, field
from datetime import timedelta

from agents import set_default_openai_key
from temporalio import activity, workflow

from shop import memo, settings
from shop.memo import MEMO, Memo, Registry

COUNTER = 0


@activity.defn
async def summarize(text: str) -> str: ...


@dataclass
class Cart:
    items: list[str] = field(default_factory=list)


@workflow.defn
class Summarize:
    rates: dict[str, float] = {}
    shared = Registry()

    def __init__(self) -> None:
        self.mine = Memo()
        self.cart = Cart()
        self.seen: list[str] = []
        self.sold = workflow.metric_meter().create_counter("summaries")

    @workflow.run
    async def run(self, text: str) -> str:
        global COUNTER
        COUNTER += 1  # expect: TPR303
        settings.SEEN.add(text)  # expect: TPR303
        settings.LIMITS["default"] = 5  # expect: TPR303
        settings.RETRIES = 5  # expect: TPR303
        settings.count_call()
        self.rates[text] = 1.0  # expect: TPR303
        MEMO.remember(text, text)  # expect: TPR303
        memo.MEMO.hits += 1  # expect: TPR303
        memo.REGISTRY.items.append(text)  # expect: TPR303
        self.shared.items.append(text)  # expect: TPR303
        logging.basicConfig(level=logging.INFO)  # expect: TPR303
        sys.setrecursionlimit(5000)  # expect: TPR303
        set_default_openai_key("sk-test")  # expect: TPR303
        # Twins that belong to this run, or only read what is shared:
        cached = MEMO.lookup(text)
        self.mine.remember(text, text)
        self.mine.hits += 1
        self.cart.items.append(text)
        self.seen.append(text)
        self.sold.add(1)
        local = Memo()
        local.remember(text, text)
        local.cache[text] = text
        workflow.logger.info("retries %d, seen %d", settings.RETRIES, len(self.seen))
        if cached is not None:
            return cached
        return await workflow.execute_activity(
            summarize, text, start_to_close_timeout=timedelta(seconds=settings.RETRIES)
        )


async def main() -> None:
    logging.basicConfig(level=logging.INFO)
    MEMO.remember("warm", "up")
    settings.RETRIES = 4
"""

REPLAYING = """\
import asyncio
from datetime import timedelta

from temporalio import activity, workflow

from shop.probe import audit, pause


@activity.defn
async def notify(order_id: str) -> None: ...


@workflow.defn
class Order:
    @workflow.run
    async def run(self, order_id: str, rounds: int) -> str:
        if not workflow.unsafe.is_replaying():
            await workflow.execute_activity(  # expect: TPR408
                notify, order_id, start_to_close_timeout=timedelta(seconds=10)
            )
            workflow.logger.info("notified %s", order_id)
        else:
            await workflow.sleep(timedelta(seconds=1))  # expect: TPR408
        for _ in range(rounds):
            if workflow.unsafe.is_replaying():
                break  # expect: TPR408
            await pause(1.0)
            await workflow.sleep(timedelta(seconds=1))
        audit(order_id)
        replaying = workflow.unsafe.is_replaying()
        if replaying:
            return "replayed"  # expect: TPR408
        return "done"
"""

PROBE = """\
import asyncio

from temporalio import workflow


def audit(message: str) -> None:
    if workflow.unsafe.is_replaying():
        return
    workflow.logger.info("audit %s", message)
    workflow.metric_meter().create_counter("audits").add(1)


async def pause(seconds: float) -> None:
    if workflow.unsafe.is_replaying_history_events():
        return  # expect: TPR408
    await asyncio.sleep(seconds)


async def yield_now() -> None:
    if not workflow.unsafe.is_replaying():
        await asyncio.sleep(0)  # only yields to other coroutines: no timer, no command
"""


# The shape of pydantic/pydantic-ai#5875: an agent defined at module level (as the integration
# asks) holds a toolset that caches tool definitions on itself, so whether a run schedules the
# activity that lists tools depends on what ran before it in the worker process.
TOOLSET = """\
from datetime import timedelta

from temporalio import activity, workflow


@activity.defn
async def list_tools(server: str) -> dict[str, str]: ...


class McpToolset:
    def __init__(self, server: str) -> None:
        self.server = server
        self._tool_defs: dict[str, str] | None = None

    async def get_tools(self) -> dict[str, str]:
        if self._tool_defs is not None:
            return self._tool_defs
        defs = await workflow.execute_activity(
            list_tools, self.server, start_to_close_timeout=timedelta(seconds=30)
        )
        self._tool_defs = defs
        return defs


class DurableAgent:
    _toolset: McpToolset

    def __init__(self, toolset: McpToolset) -> None:
        self._toolset = toolset

    async def run(self, prompt: str) -> str:
        tools = await self._toolset.get_tools()
        return f"{prompt}: {sorted(tools)}"
"""

AGENT_WORKFLOW = """\
from temporalio import workflow

from shop.toolset import DurableAgent, McpToolset

agent = DurableAgent(McpToolset("search"))


@workflow.defn
class Ask:
    @workflow.run
    async def run(self, prompt: str) -> str:
        per_run = DurableAgent(McpToolset("search"))
        await per_run.run(prompt)
        return await agent.run(prompt)  # expect: TPR303
"""


def write_package(root: Path, files: dict[str, str]) -> Path:
    package = root / "shop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name, text in files.items():
        (package / name).write_text(text)
    return root


def marked(root: Path) -> set[tuple[str, int, str]]:
    found = set()
    for path in root.rglob("*.py"):
        for row, line in enumerate(path.read_text().splitlines(), start=1):
            match = EXPECT.search(line)
            if match:
                for code in match.group(1).split(","):
                    found.add((path.relative_to(root).as_posix(), row, code.strip()))
    return found


def findings(root: Path, *codes: str) -> list[Finding]:
    report = lint_paths([str(root)]).report
    return [f for f in report.findings if f.code in codes]


def places(root: Path, found: list[Finding]) -> set[tuple[str, int, str]]:
    return {(Path(f.filename).relative_to(root).as_posix(), f.location.row, f.code) for f in found}


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return write_package(
        tmp_path, {"memo.py": MEMO, "settings.py": SETTINGS, "workflows.py": WORKFLOWS}
    )


@pytest.fixture
def orders(tmp_path: Path) -> Path:
    return write_package(tmp_path, {"orders.py": REPLAYING, "probe.py": PROBE})


def test_every_shape_of_shared_state_is_reported_and_its_per_run_twins_are_not(
    shop: Path,
) -> None:
    assert places(shop, findings(shop, "TPR303")) == marked(shop)


def test_a_shared_objects_method_is_reported_at_the_call_naming_the_line_it_writes(
    shop: Path,
) -> None:
    [call] = [f for f in findings(shop, "TPR303") if "MEMO.remember" in _line(shop, f)]
    assert call.filename.endswith("workflows.py")
    assert "`shop.memo.Memo.remember`" in call.message
    assert "writes `self.cache[key]` (" in call.message
    written = MEMO.splitlines().index("        self.cache[key] = value") + 1
    assert f"memo.py:{written}) on `shop.memo.MEMO`, a module-level object" in call.message
    assert [hop.function for hop in call.chain] == ["Summarize.run", "shop.memo.Memo.remember"]


def test_each_kind_of_state_says_which_it_is(shop: Path) -> None:
    messages = {_line(shop, f).split("#")[0].strip(): f.message for f in findings(shop, "TPR303")}
    assert "module-level state `COUNTER`" in messages["COUNTER += 1"]
    assert "module-level state `shop.settings.SEEN`" in messages["settings.SEEN.add(text)"]
    assert "module-level state `shop.settings.RETRIES`" in messages["settings.RETRIES = 5"]
    assert (
        "class-level state `shop.workflows.Summarize.rates`" in messages["self.rates[text] = 1.0"]
    )
    assert (
        "state of `shop.workflows.Summarize.shared`, an object in a class attribute"
        in (messages["self.shared.items.append(text)"])
    )
    assert (
        "state of `shop.memo.REGISTRY`, a module-level object"
        in (messages["memo.REGISTRY.items.append(text)"])
    )
    basic_config = messages["logging.basicConfig(level=logging.INFO)"]
    assert basic_config.startswith("Workflow code calls `logging.basicConfig`, which changes")
    assert "`agents.set_default_openai_key`" in messages['set_default_openai_key("sk-test")']


def test_helper_writing_a_global_is_reported_with_the_chain_from_the_workflow(shop: Path) -> None:
    [helper] = [f for f in findings(shop, "TPR303") if f.filename.endswith("settings.py")]
    assert [hop.function for hop in helper.chain] == ["Summarize.run", "shop.settings.count_call"]


def test_a_cache_on_an_object_held_by_a_module_level_agent_is_reported(tmp_path: Path) -> None:
    root = write_package(tmp_path, {"toolset.py": TOOLSET, "agent_workflow.py": AGENT_WORKFLOW})
    found = findings(root, "TPR303")
    assert places(root, found) == marked(root)
    written = TOOLSET.splitlines().index("        self._tool_defs = defs") + 1
    assert re.search(rf"writes `self\._tool_defs` \([^)]*toolset\.py:{written}\)", found[0].message)
    assert "on `shop.agent_workflow.agent`, a module-level object" in found[0].message


def test_opentelemetry_getters_that_set_their_provider_once_are_not_reported(
    tmp_path: Path,
) -> None:
    # Followed into the installed package, get_tracer() sets the global provider from the
    # environment on first use: once per process, the same in every run.
    source = (
        "from opentelemetry import metrics, trace\n"
        "from temporalio import workflow\n\n\n"
        "@workflow.defn\nclass Traced:\n"
        "    @workflow.run\n    async def run(self) -> None:\n"
        "        trace.get_tracer(__name__)\n"
        "        metrics.get_meter(__name__)\n"
    )
    (tmp_path / "traced.py").write_text(source)
    assert findings(tmp_path, "TPR303") == []


def test_commands_issued_or_skipped_under_is_replaying_are_reported_not_logging(
    orders: Path,
) -> None:
    assert places(orders, findings(orders, "TPR408")) == marked(orders)


def test_replay_findings_say_what_depends_on_which_call(orders: Path) -> None:
    messages = {
        _line(orders, f).split("#")[0].strip(): f.message for f in findings(orders, "TPR408")
    }
    assert messages["await workflow.execute_activity("].startswith(
        "Issuing `workflow.execute_activity` depends on `workflow.unsafe.is_replaying()`"
    )
    assert messages["break"].startswith("Skipping `workflow.sleep` with this `break` depends on")
    assert messages['return "replayed"'].startswith("Completing the workflow with this `return`")
    assert messages["return"].startswith(
        "Skipping `asyncio.sleep` with this `return` depends on "
        "`workflow.unsafe.is_replaying_history_events()`"
    )


def _line(root: Path, finding: Finding) -> str:
    path = root / Path(finding.filename).relative_to(root)
    return path.read_text().splitlines()[finding.location.row - 1]


def _stdlib_setters() -> list[str]:
    return sorted(
        name
        for name, entry in knowledge.TABLE.items()
        if entry.rule == knowledge.GLOBAL_STATE and name.split(".")[0] in sys.stdlib_module_names
    )


@pytest.mark.parametrize("name", _stdlib_setters())
def test_every_standard_library_setter_in_the_table_exists(name: str) -> None:
    # `logging.getLogger.setLevel` is what `logging.getLogger(name).setLevel` resolves to.
    module_name, _, rest = name.partition(".")
    owner: object = importlib.import_module(module_name)
    for part in rest.split("."):
        if part == "getLogger":
            owner = logging.Logger
            continue
        if inspect.ismodule(owner) and not hasattr(owner, part):
            owner = importlib.import_module(f"{owner.__name__}.{part}")
            continue
        owner = getattr(owner, part)
    assert callable(owner)
