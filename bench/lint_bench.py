#!/usr/bin/env python3
"""Throughput benchmark for `temporal-pro lint`.

Run: python bench/lint_bench.py [--lines N] [--repeat K] [--keep DIR] [--seed S]

It builds a seeded synthetic repository (Temporal workflows, activities, the helper
modules they call, and a majority of ordinary code), then times these on it in the same
run, each as a subprocess so interpreter start-up counts the same for all:

* ``temporal-pro lint --no-cache --jobs 1 --format json CORPUS``: cold, one process;
* ``temporal-pro lint --no-cache --format json CORPUS``: cold, default jobs (one per CPU);
* ``temporal-pro lint --cache-dir DIR --format json CORPUS`` after an untimed priming
  run: warm, every timed run replays the cached result (the script checks it does);
* ``temporalint CORPUS`` (a per-file AST linter from PyPI), the reference to beat;
* a bare ``ast.parse`` of every file, the floor for any Python linter.

The three temporal-pro reports must be identical. It also checks that linting time grows
linearly with the corpus and measures one 500-line file end to end, cold and warm.
Machines are noisy, so it reports ratios against those references rather than absolute
goals alone. It is a measurement, not a test: it exits 0 whatever the numbers are, and 2
only when a tool failed to run. Standard library only.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeGuard

REPO_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_LINES = 50_000
DEFAULT_REPEAT = 5
DEFAULT_SEED = 20_240_601
SINGLE_FILE_LINES = 500
SINGLE_FILE_RUNS = 5

# Goals the summary judges the measurements against.
GOAL_SPEEDUP_VS_TEMPORALINT = 2.0  # cold, default jobs: what a user gets without a cache
GOAL_WARM_VS_TEMPORALINT = 20.0
GOAL_PARALLEL_SPEEDUP = 1.6  # cold default jobs vs cold --jobs 1
GOAL_GROWTH_FOR_10X = 11.0
GOAL_SINGLE_FILE_MS = 300.0

# temporal-pro forks for analysis only when the files that mention temporalio hold at least
# this many characters (mcp_server/lint/engine.py); printed so a 1.0x speed-up is explained.
PARALLEL_MIN_CHARS = 400_000
CPUS = os.cpu_count() or 1  # what temporal-pro's --jobs defaults to

# Share of corpus lines that is ordinary code with no Temporal import at all.
PLAIN_SHARE = 0.60
# Roughly how many lines one package's Temporal files take; below this much remaining
# budget the generator tops the corpus up with plain modules instead of a new package.
TEMPORAL_LINES_PER_PACKAGE = 700

# Reads and parses every .py file under argv[1]: what any AST-based linter must do.
AST_FLOOR_SCRIPT = """
import ast, os, sys
count = 0
for root, dirs, files in os.walk(sys.argv[1]):
    dirs.sort()
    for name in sorted(files):
        if name.endswith(".py"):
            path = os.path.join(root, name)
            with open(path, encoding="utf-8") as handle:
                ast.parse(handle.read(), path)
            count += 1
print(count)
"""


def code(text: str) -> str:
    """Dedent a template and end it with exactly one newline."""
    return textwrap.dedent(text).strip("\n") + "\n"


# ---------------------------------------------------------------------------
# Snippets: module-level functions a helper module defines, and the statement an
# entry point (quote / summarize / Ledger.record) uses to call each one. Inside entry
# points the names `items: list[str]`, `total: int` and `notes: list[str]` exist.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    code: str
    call: str
    imports: tuple[str, ...] = ()
    mistake: bool = False


def _weekend_rate(n: int, rng: random.Random) -> Snippet:
    return Snippet(
        code(f'''
            def weekend_rate_{n}(total: int) -> int:
                """Weekend orders carry a surcharge."""
                if datetime.now().weekday() >= 5:
                    return total + total // {rng.choice([10, 20, 25])}
                return total
        '''),
        f"total = weekend_rate_{n}(total)",
        ("from datetime import datetime",),
        mistake=True,
    )


def _pick_warehouse(n: int, rng: random.Random) -> Snippet:
    return Snippet(
        code(f'''
            def pick_warehouse_{n}(candidates: list[str]) -> str:
                """Spread load across warehouses."""
                if not candidates:
                    raise ValueError("no warehouse available")
                return random.choice(candidates)
        '''),
        f'notes.append(pick_warehouse_{n}(items or ["main"]))',
        ("import random",),
        mistake=True,
    )


def _new_reference(n: int, rng: random.Random) -> Snippet:
    prefix = rng.choice(["Q", "INV", "ORD", "REF"])
    return Snippet(
        code(f"""
            def new_reference_{n}(prefix: str) -> str:
                return f"{{prefix}}-{{uuid.uuid4().hex[:12]}}"
        """),
        f'notes.append(new_reference_{n}("{prefix}"))',
        ("import uuid",),
        mistake=True,
    )


def _backoff(n: int, rng: random.Random) -> Snippet:
    return Snippet(
        code(f"""
            def backoff_{n}(attempt: int) -> float:
                delay = min(2.0**attempt, 30.0) / {rng.choice([100, 200, 500])}
                time.sleep(delay)
                return delay
        """),
        f"backoff_{n}(len(items))",
        ("import time",),
        mistake=True,
    )


def _rate_table(n: int, rng: random.Random) -> Snippet:
    return Snippet(
        code(f"""
            def rate_table_{n}(name: str) -> dict[str, int]:
                table: dict[str, int] = {{}}
                with open(f"/etc/rates/{{name}}.csv", encoding="utf-8") as handle:
                    for line in handle:
                        key, _, value = line.partition(",")
                        table[key.strip()] = int(value or 0)
                return table
        """),
        f'total += rate_table_{n}("standard").get(items[0] if items else "", 0)',
        mistake=True,
    )


def _unique_tags(n: int, rng: random.Random) -> Snippet:
    return Snippet(
        code(f"""
            def unique_tags_{n}(tags: list[str]) -> list[str]:
                seen = set(tags)
                out = []
                for tag in seen:
                    out.append(tag.upper())
                return out
        """),
        f"notes.extend(unique_tags_{n}(items))",
        mistake=True,
    )


def _region(n: int, rng: random.Random) -> Snippet:
    default = rng.choice(["eu-west-1", "us-east-1", "ap-south-1"])
    return Snippet(
        code(f"""
            def region_{n}() -> str:
                return os.environ.get("APP_REGION", "{default}")
        """),
        f"notes.append(region_{n}())",
        ("import os",),
        mistake=True,
    )


def _jitter(n: int, rng: random.Random) -> Snippet:
    return Snippet(
        code(f"""
            def jitter_{n}(total: int) -> int:
                spread = max(total // {rng.choice([50, 100])}, 1)
                return int(random.uniform(-spread, spread))
        """),
        f"total += jitter_{n}(total)",
        ("import random",),
        mistake=True,
    )


def _batcher(n: int, rng: random.Random) -> Snippet:
    return Snippet(
        code(f'''
            class Batcher{n}:
                """Collects SKUs and flushes them in one go."""

                def __init__(self, skus: list[str]) -> None:
                    self._pending = {{sku.strip() for sku in skus}}

                def flush(self) -> list[str]:
                    flushed = [f"batch:{{sku}}" for sku in self._pending]
                    self._pending.clear()
                    return flushed
        '''),
        f"notes.extend(Batcher{n}(items).flush())",
        mistake=True,
    )


def _apply_discount(n: int, rng: random.Random) -> Snippet:
    return Snippet(
        code(f"""
            def apply_discount_{n}(amount_cents: int, percent: int) -> int:
                if not 0 <= percent <= 100:
                    raise ValueError(f"bad percent {{percent}}")
                return amount_cents - amount_cents * percent // 100
        """),
        f"total = apply_discount_{n}(total, {rng.choice([5, 10, 15])})",
    )


def _round_to(n: int, rng: random.Random) -> Snippet:
    return Snippet(
        code(f"""
            def round_to_{n}(value: int, step: int) -> int:
                remainder = value % step
                return value - remainder + (step if remainder * 2 >= step else 0)
        """),
        f"total = round_to_{n}(total, {rng.choice([5, 10, 50, 100])})",
    )


def _sorted_unique(n: int, rng: random.Random) -> Snippet:
    return Snippet(
        code(f"""
            def sorted_unique_{n}(values: list[str]) -> list[str]:
                return sorted({{value.strip().lower() for value in values if value.strip()}})
        """),
        f"notes.extend(sorted_unique_{n}(items))",
    )


def _rate_card(n: int, rng: random.Random) -> Snippet:
    basic, plus = rng.choice([(100, 250), (120, 300), (90, 199)])
    return Snippet(
        code(f'''
            class RateCard{n}:
                """Per-SKU prices with a fallback for unknown SKUs."""

                def __init__(self, rates: dict[str, int], fallback: int = 0) -> None:
                    self.rates = dict(rates)
                    self.fallback = fallback

                def lookup(self, sku: str) -> int:
                    return self.rates.get(sku.lower(), self.fallback)

                def total(self, skus: list[str]) -> int:
                    return sum(self.lookup(sku) for sku in skus)
        '''),
        f'total += RateCard{n}({{"basic": {basic}, "plus": {plus}}}).total(items)',
    )


def _add_tax(n: int, rng: random.Random) -> Snippet:
    region = rng.choice(["eu", "us", "uk"])
    return Snippet(
        code(f"""
            TAX_RATES_{n} = {{"eu": 21, "us": 8, "uk": 20}}


            def add_tax_{n}(amount_cents: int, region: str) -> int:
                rate = TAX_RATES_{n}.get(region, 0)
                return amount_cents + amount_cents * rate // 100
        """),
        f'total = add_tax_{n}(total, "{region}")',
    )


def _bundle_savings(n: int, rng: random.Random) -> Snippet:
    saving = rng.choice([25, 50, 75])
    return Snippet(
        code(f"""
            def bundle_savings_{n}(skus: list[str]) -> int:
                counts: dict[str, int] = {{}}
                for sku in skus:
                    counts[sku] = counts.get(sku, 0) + 1
                return sum(({saving} * (count // 3) for count in counts.values()), 0)
        """),
        f"total -= bundle_savings_{n}(items)",
    )


def _line_item(n: int, rng: random.Random) -> Snippet:
    return Snippet(
        code(f"""
            @dataclass(frozen=True)
            class LineItem{n}:
                sku: str
                quantity: int = 1

                def describe(self) -> str:
                    return f"{{self.quantity}} x {{self.sku}}"
        """),
        f'notes.append(LineItem{n}(items[0] if items else "none", len(items)).describe())',
        ("from dataclasses import dataclass",),
    )


# These reach into the shared `common` package: the mistake sits one module further
# away, so only a linter that follows imports across files can see it.
def _cutoff_surcharge(n: int, rng: random.Random) -> Snippet:
    return Snippet(
        code(f"""
            def cutoff_surcharge_{n}(total: int) -> int:
                if business_date().day > {rng.choice([20, 25, 28])}:
                    return total + {rng.choice([150, 250, 400])}
                return total
        """),
        f"total = cutoff_surcharge_{n}(total)",
        ("from common.clock import business_date",),
        mistake=True,
    )


def _tag_reference(n: int, rng: random.Random) -> Snippet:
    return Snippet(
        code(f"""
            def tag_reference_{n}(tags: list[str]) -> None:
                tags.append(f"ref={{ids.short_id()}}")
        """),
        f"tag_reference_{n}(notes)",
        ("from common import ids",),
        mistake=True,
    )


def _regional_total(n: int, rng: random.Random) -> Snippet:
    return Snippet(
        code(f"""
            def regional_total_{n}(total: int) -> int:
                region = get_setting("region", "eu")
                return total * {rng.choice([2, 3])} if region == "us" else total
        """),
        f"total = regional_total_{n}(total)",
        ("from common.settings import get_setting",),
        mistake=True,
    )


def _delivery_estimate(n: int, rng: random.Random) -> Snippet:
    return Snippet(
        code(f"""
            def delivery_estimate_{n}(count: int) -> str:
                start = date({rng.choice([2023, 2024])}, {rng.randint(1, 12)}, 1)
                return add_business_days(start, count + {rng.randint(1, 5)}).isoformat()
        """),
        f"notes.append(delivery_estimate_{n}(len(items)))",
        ("from datetime import date", "from common.clock import add_business_days"),
    )


def _normalised_notes(n: int, rng: random.Random) -> Snippet:
    return Snippet(
        code(f"""
            def normalised_notes_{n}(raw: list[str]) -> list[str]:
                return [text.normalise(entry) for entry in raw]
        """),
        f"notes[:] = normalised_notes_{n}(notes)",
        ("from common import text",),
    )


SnippetFactory = Callable[[int, random.Random], Snippet]

MISTAKE_SNIPPETS: list[SnippetFactory] = [
    _weekend_rate,
    _pick_warehouse,
    _new_reference,
    _backoff,
    _rate_table,
    _unique_tags,
    _region,
    _jitter,
    _batcher,
]
CLEAN_SNIPPETS: list[SnippetFactory] = [
    _apply_discount,
    _round_to,
    _sorted_unique,
    _rate_card,
    _add_tax,
    _bundle_savings,
    _line_item,
]
CROSS_MODULE_SNIPPETS: list[SnippetFactory] = [
    _cutoff_surcharge,
    _tag_reference,
    _regional_total,
    _delivery_estimate,
    _normalised_notes,
]


def pick_snippets(
    rng: random.Random, count: int, counter: Iterator[int], *, cross_module: bool = True
) -> list[Snippet]:
    """About a third of helper functions carry a mistake; some reach into `common`."""
    snippets = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.33:
            factory = rng.choice(MISTAKE_SNIPPETS)
        elif roll < 0.53 and cross_module:
            factory = rng.choice(CROSS_MODULE_SNIPPETS)
        else:
            factory = rng.choice(CLEAN_SNIPPETS)
        snippets.append(factory(next(counter), rng))
    return snippets


def entry_calls(rng: random.Random, snippets: list[Snippet], indent: str) -> str:
    """Statements calling a random subset of the snippets (the rest stay unreachable)."""
    chosen = rng.sample(snippets, k=max(1, min(len(snippets), rng.randint(2, 4))))
    return "".join(f"{indent}{snippet.call}\n" for snippet in chosen)


def import_block(lines: set[str]) -> str:
    """Merge and order import lines the way isort would: stdlib, then first-party `common`."""
    plain: set[str] = set()
    from_imports: dict[str, set[str]] = {}
    for line in lines:
        if line.startswith("from "):
            module, _, names = line[len("from ") :].partition(" import ")
            from_imports.setdefault(module, set()).update(n.strip() for n in names.split(","))
        else:
            plain.add(line)
    merged = sorted(plain, key=lambda line: line.split()[1]) + [
        f"from {module} import {', '.join(sorted(names))}"
        for module, names in sorted(from_imports.items())
    ]
    stdlib = [line for line in merged if " common" not in line]
    local = [line for line in merged if " common" in line]
    groups = ["\n".join(group) for group in (stdlib, local) if group]
    return "\n\n".join(groups) + "\n" if groups else ""


# ---------------------------------------------------------------------------
# Ordinary code blocks for modules that never import temporalio.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    code: str
    imports: tuple[str, ...] = ()


ENTITIES = ["Customer", "Product", "Shipment", "Invoice", "Employee", "Ticket", "Vendor"]
REGIONS = ["eu", "us", "apac", "latam"]


def _model_block(n: int, rng: random.Random) -> Block:
    entity = rng.choice(ENTITIES)
    return Block(
        code(f'''
            @dataclass
            class {entity}{n}:
                """A {entity.lower()} record as exported by the back office."""

                record_id: int
                name: str
                email: str = ""
                tags: list[str] = field(default_factory=list)
                balance_cents: int = {rng.choice([0, 100, 1000])}

                def __post_init__(self) -> None:
                    if self.record_id <= 0:
                        raise ValueError(f"invalid id: {{self.record_id}}")
                    self.email = self.email.strip().lower()

                @property
                def display_name(self) -> str:
                    return f"{{self.name}} <{{self.email}}>" if self.email else self.name

                def to_dict(self) -> dict[str, object]:
                    keys = ("record_id", "name", "email", "tags", "balance_cents")
                    return {{key: getattr(self, key) for key in keys}}
        '''),
        ("from dataclasses import dataclass, field",),
    )


def _enum_block(n: int, rng: random.Random) -> Block:
    medium, high = rng.choice([(2, 5), (3, 8), (4, 10)])
    return Block(
        code(f"""
            class Level{n}(Enum):
                LOW = "low"
                MEDIUM = "medium"
                HIGH = "high"


            def level_weight_{n}(level: Level{n}) -> int:
                match level:
                    case Level{n}.LOW:
                        return 1
                    case Level{n}.MEDIUM:
                        return {medium}
                    case _:
                        return {high}


            def parse_level_{n}(raw: str) -> Level{n}:
                try:
                    return Level{n}(raw.strip().lower())
                except ValueError:
                    return Level{n}.LOW
        """),
        ("from enum import Enum",),
    )


def _settings_parser_block(n: int, rng: random.Random) -> Block:
    return Block(
        code(f'''
            def parse_settings_{n}(text: str) -> dict[str, str]:
                """Parse `key = value` lines, ignoring comments and blank lines."""
                result: dict[str, str] = {{}}
                for number, raw in enumerate(text.splitlines(), start=1):
                    line = raw.split("#", 1)[0].strip()
                    if not line:
                        continue
                    key, sep, value = line.partition("=")
                    if not sep:
                        raise ValueError(f"line {{number}}: expected key = value, got {{raw!r}}")
                    result[key.strip()] = value.strip()
                return result
        '''),
    )


def _rows_block(n: int, rng: random.Random) -> Block:
    delimiter = rng.choice([",", ";", "|"])
    return Block(
        code(f"""
            def parse_rows_{n}(
                lines: Iterable[str], delimiter: str = "{delimiter}"
            ) -> list[dict[str, str]]:
                rows = [line.rstrip().split(delimiter) for line in lines if line.strip()]
                if not rows:
                    return []
                header, *body = rows
                return [dict(zip(header, row)) for row in body if len(row) == len(header)]


            def to_int_{n}(value: str, default: int = 0) -> int:
                try:
                    return int(value.replace("_", ""))
                except (TypeError, ValueError):
                    return default
        """),
        ("from collections.abc import Iterable",),
    )


def _retry_block(n: int, rng: random.Random) -> Block:
    return Block(
        code(f'''
            F{n} = TypeVar("F{n}", bound=Callable[..., Any])


            def retry_{n}(attempts: int = 3, delay: float = 0.1) -> Callable[[F{n}], F{n}]:
                """Retry a function on OSError with a linear back-off."""

                def decorate(func: F{n}) -> F{n}:
                    @functools.wraps(func)
                    def wrapper(*args: Any, **kwargs: Any) -> Any:
                        last: Exception | None = None
                        for attempt in range(attempts):
                            try:
                                return func(*args, **kwargs)
                            except OSError as exc:
                                last = exc
                                time.sleep(delay * (attempt + 1))
                        raise RuntimeError(f"gave up after {{attempts}} attempts") from last

                    return cast(F{n}, wrapper)

                return decorate


            @retry_{n}(attempts={rng.choice([2, 3, 5])})
            def read_blob_{n}(path: str) -> bytes:
                with open(path, "rb") as handle:
                    return handle.read()
        '''),
        (
            "import functools",
            "import time",
            "from collections.abc import Callable",
            "from typing import Any, TypeVar, cast",
        ),
    )


def _cache_block(n: int, rng: random.Random) -> Block:
    return Block(
        code(f'''
            class LruCache{n}:
                """Small LRU cache; not thread safe."""

                def __init__(self, capacity: int = {rng.choice([64, 128, 1024])}) -> None:
                    self._data: OrderedDict[str, object] = OrderedDict()
                    self.capacity = capacity
                    self.hits = 0
                    self.misses = 0

                def __len__(self) -> int:
                    return len(self._data)

                def __contains__(self, key: object) -> bool:
                    return key in self._data

                def get(self, key: str, default: object = None) -> object:
                    if key in self._data:
                        self.hits += 1
                        self._data.move_to_end(key)
                        return self._data[key]
                    self.misses += 1
                    return default

                def put(self, key: str, value: object) -> None:
                    self._data[key] = value
                    self._data.move_to_end(key)
                    while len(self._data) > self.capacity:
                        self._data.popitem(last=False)
        '''),
        ("from collections import OrderedDict",),
    )


def _iter_block(n: int, rng: random.Random) -> Block:
    window = rng.randint(3, 9)
    return Block(
        code(f"""
            def chunked_{n}(items: Sequence[str], size: int) -> Iterator[list[str]]:
                if size <= 0:
                    raise ValueError("size must be positive")
                for start in range(0, len(items), size):
                    yield list(items[start : start + size])


            def moving_mean_{n}(values: Iterable[float], window: int = {window}) -> Iterator[float]:
                buffer: deque[float] = deque(maxlen=window)
                for value in values:
                    buffer.append(value)
                    yield sum(buffer) / len(buffer)
        """),
        (
            "from collections import deque",
            "from collections.abc import Iterable, Iterator, Sequence",
        ),
    )


def _report_block(n: int, rng: random.Random) -> Block:
    return Block(
        code(f'''
            def summarize_sales_{n}(rows: list[dict[str, Any]]) -> list[tuple[str, float, float]]:
                """Total and median amount per region, largest total first."""
                key = operator.itemgetter("region")
                report = []
                for region, group in itertools.groupby(sorted(rows, key=key), key=key):
                    amounts = [float(row.get("amount", 0)) for row in group]
                    report.append((region, sum(amounts), statistics.median(amounts)))
                report.sort(key=lambda entry: entry[1], reverse=True)
                return report[: {rng.choice([5, 10, 20])}]
        '''),
        ("import itertools", "import operator", "import statistics", "from typing import Any"),
    )


def _text_block(n: int, rng: random.Random) -> Block:
    width = rng.choice([20, 32, 72])
    return Block(
        code(f"""
            _SLUG_RE_{n} = re.compile(r"[^a-z0-9]+")
            _CAMEL_RE_{n} = re.compile(r"(?<!^)(?=[A-Z])")


            def slugify_{n}(text: str, max_length: int = {rng.choice([40, 64, 80])}) -> str:
                slug = _SLUG_RE_{n}.sub("-", text.lower()).strip("-")
                return slug[:max_length].rstrip("-")


            def camel_to_snake_{n}(name: str) -> str:
                return _CAMEL_RE_{n}.sub("_", name).lower()


            def truncate_{n}(text: str, width: int = {width}, suffix: str = "...") -> str:
                if len(text) <= width:
                    return text
                return text[: max(width - len(suffix), 0)] + suffix
        """),
        ("import re",),
    )


def _config_block(n: int, rng: random.Random) -> Block:
    return Block(
        code(f"""
            def load_config_{n}(
                path: Path, overrides: dict[str, Any] | None = None
            ) -> dict[str, Any]:
                defaults: dict[str, Any] = {{
                    "debug": False,
                    "workers": {rng.choice([2, 4, 8])},
                    "region": "{rng.choice(REGIONS)}",
                }}
                try:
                    loaded = json.loads(path.read_text(encoding="utf-8"))
                except FileNotFoundError:
                    loaded = {{}}
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{{path}}: invalid JSON at line {{exc.lineno}}") from exc
                env_workers = os.environ.get("APP_WORKERS")
                if env_workers and env_workers.isdigit():
                    loaded["workers"] = int(env_workers)
                return {{**defaults, **loaded, **(overrides or {{}})}}
        """),
        ("import json", "import os", "from pathlib import Path", "from typing import Any"),
    )


def _graph_block(n: int, rng: random.Random) -> Block:
    return Block(
        code(f'''
            def topological_order_{n}(edges: dict[str, list[str]]) -> list[str]:
                """Kahn's algorithm; ties broken alphabetically so output is stable."""
                indegree: defaultdict[str, int] = defaultdict(int)
                for node, targets in edges.items():
                    indegree.setdefault(node, 0)
                    for target in targets:
                        indegree[target] += 1
                ready = sorted(node for node, degree in indegree.items() if degree == 0)
                order: list[str] = []
                while ready:
                    node = ready.pop(0)
                    order.append(node)
                    for target in sorted(edges.get(node, [])):
                        indegree[target] -= 1
                        if indegree[target] == 0:
                            ready.append(target)
                if len(order) != len(indegree):
                    raise ValueError("cycle detected")
                return order
        '''),
        ("from collections import defaultdict",),
    )


def _exporter_block(n: int, rng: random.Random) -> Block:
    return Block(
        code(f'''
            class Exporter{n}(ABC):
                """Base class for report exporters."""

                extension = ".txt"

                def __init__(self, title: str) -> None:
                    self.title = title
                    self.rows: list[tuple[str, ...]] = []

                def add(self, *values: object) -> None:
                    self.rows.append(tuple(str(value) for value in values))

                @abstractmethod
                def render(self) -> str: ...

                def __repr__(self) -> str:
                    name = type(self).__name__
                    return f"{{name}}(title={{self.title!r}}, rows={{len(self.rows)}})"


            class CsvExporter{n}(Exporter{n}):
                extension = ".csv"

                def render(self) -> str:
                    return "\\n".join(",".join(row) for row in self.rows)


            class MarkdownExporter{n}(Exporter{n}):
                extension = ".md"

                def render(self) -> str:
                    header = f"# {{self.title}}\\n\\n"
                    lines = [f"| {{' | '.join(row)}} |" for row in self.rows]
                    return header + "\\n".join(lines)
        '''),
        ("from abc import ABC, abstractmethod",),
    )


def _async_block(n: int, rng: random.Random) -> Block:
    limit = rng.choice([4, 8, 16])
    return Block(
        code(f'''
            async def fetch_all_{n}(urls: list[str], limit: int = {limit}) -> dict[str, int]:
                """Fan out with bounded concurrency (plain asyncio, no Temporal)."""
                semaphore = asyncio.Semaphore(limit)
                results: dict[str, int] = {{}}

                async def fetch(url: str) -> None:
                    async with semaphore:
                        await asyncio.sleep(0)
                        results[url] = len(url)

                await asyncio.gather(*(fetch(url) for url in urls))
                return results
        '''),
        ("import asyncio",),
    )


def _stats_block(n: int, rng: random.Random) -> Block:
    return Block(
        code(f"""
            def describe_{n}(values: list[float]) -> dict[str, float]:
                if not values:
                    return {{"count": 0.0, "mean": 0.0, "stdev": 0.0}}
                mean = sum(values) / len(values)
                variance = sum((value - mean) ** 2 for value in values) / len(values)
                return {{"count": float(len(values)), "mean": mean, "stdev": math.sqrt(variance)}}


            def normalise_{n}(values: list[float]) -> list[float]:
                low, high = min(values, default=0.0), max(values, default=0.0)
                span = (high - low) or 1.0
                return [round((value - low) / span, {rng.choice([2, 3, 4])}) for value in values]
        """),
        ("import math",),
    )


def _timer_block(n: int, rng: random.Random) -> Block:
    return Block(
        code(f"""
            log_{n} = logging.getLogger(__name__)


            @contextlib.contextmanager
            def timed_{n}(label: str) -> Iterator[None]:
                start = time.perf_counter()
                try:
                    yield
                finally:
                    log_{n}.debug("%s took %.3fs", label, time.perf_counter() - start)
        """),
        (
            "import contextlib",
            "import logging",
            "import time",
            "from collections.abc import Iterator",
        ),
    )


BLOCK_FACTORIES: list[Callable[[int, random.Random], Block]] = [
    _model_block,
    _enum_block,
    _settings_parser_block,
    _rows_block,
    _retry_block,
    _cache_block,
    _iter_block,
    _report_block,
    _text_block,
    _config_block,
    _graph_block,
    _exporter_block,
    _async_block,
    _stats_block,
    _timer_block,
]
PLAIN_MODULE_NAMES = [
    "utils",
    "models",
    "parsing",
    "reports",
    "cache",
    "config",
    "text",
    "graph",
    "exporters",
    "stats",
    "io_helpers",
    "net",
    "formatting",
    "records",
]


def render_plain_module(rng: random.Random, counter: Iterator[int], title: str) -> str:
    blocks = [rng.choice(BLOCK_FACTORIES)(next(counter), rng) for _ in range(rng.randint(5, 9))]
    imports = {line for block in blocks for line in block.imports}
    body = "\n\n".join(block.code for block in blocks)
    header = f'"""{title}"""\n\nfrom __future__ import annotations\n\n'
    return f"{header}{import_block(imports)}\n\n{body}"


# ---------------------------------------------------------------------------
# Temporal modules: workflows, activities, and the helper modules they call.
# ---------------------------------------------------------------------------

THEMES = ["Order", "Shipment", "Invoice", "Onboarding", "Refund", "Subscription", "Payout"]
ACTIVITY_VERBS = [
    "charge_card",
    "reserve_stock",
    "send_email",
    "create_invoice",
    "notify_slack",
    "archive_record",
    "fetch_rates",
    "sync_crm",
    "generate_pdf",
    "refund_payment",
]


def render_activity(rng: random.Random, name: str, n: int) -> str:
    """One @activity.defn doing the kind of I/O that belongs in activities."""
    variant = rng.randrange(4)
    if variant == 0:
        return code(f'''
            @activity.defn
            async def {name}(request_id: str) -> str:
                """Call the upstream API; Temporal retries it on failure."""
                body = json.dumps({{"id": request_id, "ts": time.time()}}).encode()
                req = urllib.request.Request(f"{{API_BASE}}/{name}", data=body, method="POST")
                with urllib.request.urlopen(req, timeout=10) as resp:
                    payload = json.loads(resp.read() or b"{{}}")
                activity.logger.info("%s done for %s", "{name}", request_id)
                return str(payload.get("status", "ok"))
        ''')
    if variant == 1:
        return code(f"""
            @activity.defn
            def {name}(request_id: str) -> str:
                OUTBOX.mkdir(parents=True, exist_ok=True)
                target = OUTBOX / f"{{request_id}}-{n}.json"
                with open(target, "w", encoding="utf-8") as handle:
                    json.dump({{"id": request_id, "at": datetime.now().isoformat()}}, handle)
                return str(target)
        """)
    if variant == 2:
        return code(f"""
            @activity.defn
            async def {name}(request_id: str) -> str:
                processed = 0
                for chunk in range({rng.randint(3, 8)}):
                    activity.heartbeat(chunk)
                    await asyncio.sleep(random.uniform(0.01, 0.05))
                    processed += 1
                return f"{{request_id}}:{{processed}}"
        """)
    return code(f"""
        @activity.defn
        def {name}(request_id: str) -> str:
            root = Path(os.environ.get("DATA_ROOT", "/var/data"))
            path = root / f"{{request_id}}.txt"
            if not path.exists():
                return "missing"
            lines = path.read_text(encoding="utf-8").splitlines()
            return lines[0] if lines else "empty"
    """)


ACTIVITY_IMPORTS = {
    "import asyncio",
    "import json",
    "import os",
    "import random",
    "import time",
    "import urllib.request",
    "from datetime import datetime",
    "from pathlib import Path",
}


def render_activities_module(rng: random.Random, names: list[str], first_n: int) -> str:
    parts = [render_activity(rng, name, first_n + i) for i, name in enumerate(names)]
    return (
        '"""Activities: every side effect of the workflows lives here."""\n\n'
        "from __future__ import annotations\n\n"
        + import_block(ACTIVITY_IMPORTS)
        + "\nfrom temporalio import activity\n\n"
        + 'API_BASE = os.environ.get("API_BASE", "https://api.internal")\n'
        + 'OUTBOX = Path(os.environ.get("OUTBOX_DIR", "/tmp/outbox"))\n\n\n'
        + "\n\n".join(parts)
    )


def render_pricing_module(rng: random.Random, snippets: list[Snippet], pkg: str) -> str:
    """Reached from workflows by a relative import: `from .pricing import quote`."""
    imports = {line for snippet in snippets for line in snippet.imports}
    defs = "\n\n".join(snippet.code for snippet in snippets)
    calls = entry_calls(rng, snippets, "    ")
    return (
        f'"""Pricing rules for {pkg}; called from workflow code."""\n\n'
        "from __future__ import annotations\n\n"
        + import_block(imports)
        + f"\n\n{defs}\n\n"
        + "def quote(items: list[str], total: int) -> int:\n"
        + '    """Price a basket of SKUs, in cents."""\n'
        + "    notes: list[str] = []\n"
        + calls
        + "    return total + len(notes)\n"
    )


def render_helpers_module(
    rng: random.Random, snippets: list[Snippet], pkg: str, summarizers: list[str], ledger: str
) -> str:
    """Reached from workflows by an absolute import: `from pkgN import helpers`."""
    imports = {line for snippet in snippets for line in snippet.imports}
    parts = [snippet.code for snippet in snippets]
    for name in summarizers:
        parts.append(
            f"def {name}(items: list[str], total: int) -> dict[str, object]:\n"
            + "    notes: list[str] = []\n"
            + entry_calls(rng, snippets, "    ")
            + '    return {"total": total, "notes": notes, "count": len(items)}\n'
        )
    parts.append(
        f"class {ledger}:\n"
        + '    """Keeps a human-readable trail of what a workflow priced."""\n\n'
        + "    def __init__(self) -> None:\n"
        + "        self.entries: list[str] = []\n\n"
        + "    def record(self, items: list[str], total: int) -> str:\n"
        + "        notes: list[str] = []\n"
        + entry_calls(rng, snippets, "        ")
        + "        self.entries.extend(notes)\n"
        + '        return f"{len(items)} items, {total} cents"\n'
    )
    return (
        f'"""Shared helpers for {pkg} workflows and reports."""\n\n'
        "from __future__ import annotations\n\n"
        + import_block(imports)
        + "\n\n"
        + "\n\n".join(parts)
    )


@dataclass
class WorkflowSpec:
    """What one workflow class calls, so the same renderer serves packages and single files."""

    name: str
    theme: str
    request_cls: str
    clean_items: str
    quote: str
    summarize: str
    ledger: str
    activities: list[str]
    child: str | None = None


def render_workflow_class(rng: random.Random, spec: WorkflowSpec) -> str:
    first, second, third = (rng.choice(spec.activities) for _ in range(3))
    timeout = f"timedelta(seconds={rng.choice([10, 30, 60, 120])})"
    out: list[str] = []
    add = out.append
    add("@workflow.defn")
    add(f"class {spec.name}:")
    add(f'    """{spec.theme} lifecycle: quote, wait for approval, fulfil."""')
    add("")
    add("    def __init__(self) -> None:")
    add('        self._status = "created"')
    add("        self._approved = False")
    add("        self._cancelled = False")
    add("        self._events: list[str] = []")
    add("        self._priority = 0")
    add("")
    add("    @workflow.run")
    add(f"    async def run(self, request: {spec.request_cls}) -> dict[str, object]:")
    add('        workflow.logger.info("start %s", request.request_id)')
    add(f"        items = {spec.clean_items}(request.items)")
    add(f"        total = {spec.quote}(items, request.amount_cents)")
    add('        self._events.append(f"quoted {total}")')
    roll = rng.random()
    if roll < 0.08:  # a mistake right in the workflow body, which any linter should see
        add("        self._events.append(datetime.now().isoformat())")
    elif roll < 0.15:
        add("        self._priority = random.randint(0, 3)")
    else:  # the deterministic APIs a correct workflow uses instead
        add(
            rng.choice(
                [
                    "        self._events.append(workflow.now().isoformat())",
                    "        self._events.append(str(workflow.uuid4()))",
                    "        self._priority = workflow.random().randint(0, 3)",
                ]
            )
        )
    add("        receipt = await workflow.execute_activity(")
    add(f"            {first},")
    add("            request.request_id,")
    add(f"            start_to_close_timeout={timeout},")
    if rng.random() < 0.5:
        add(f"            retry_policy=RetryPolicy(maximum_attempts={rng.randint(2, 6)}),")
    add("        )")
    add("        self._events.append(str(receipt))")
    add("        try:")
    add("            await workflow.wait_condition(")
    add("                lambda: self._approved or self._cancelled,")
    add(f"                timeout=timedelta(hours={rng.choice([1, 4, 24, 72])}),")
    add("            )")
    add("        except asyncio.TimeoutError:")
    add('            self._status = "expired"')
    add('            return {"status": self._status, "events": list(self._events)}')
    add("        if self._cancelled:")
    add("            await workflow.execute_activity(")
    add(f"                {second}, request.request_id, start_to_close_timeout={timeout}")
    add("            )")
    add('            self._status = "cancelled"')
    add('            return {"status": self._status, "events": list(self._events)}')
    if rng.random() < 0.5:
        add(f"        for sku in items[:{rng.randint(2, 5)}]:")
        add("            await workflow.execute_activity(")
        add(f"                {third}, sku, start_to_close_timeout=timedelta(seconds=30)")
        add("            )")
    if rng.random() < 0.4:
        add("        results = await asyncio.gather(")
        for activity_name in (second, third):
            add("            workflow.execute_activity(")
            add(f"                {activity_name},")
            add("                request.customer,")
            add("                schedule_to_close_timeout=timedelta(minutes=5),")
            add("            ),")
        add("        )")
        add("        self._events.extend(str(result) for result in results)")
    if spec.child and rng.random() < 0.7:
        add("        child = await workflow.execute_child_workflow(")
        add(f"            {spec.child}.run,")
        add("            request,")
        add('            id=f"{request.request_id}-child",')
        add("        )")
        add("        self._events.append(str(child))")
    if rng.random() < 0.3:
        add(f"        await asyncio.sleep(timedelta(minutes={rng.randint(1, 30)}).total_seconds())")
    add(f"        summary = {spec.summarize}(items, total)")
    if rng.random() < 0.5:
        add(f"        self._events.append({spec.ledger}().record(items, total))")
    add('        self._status = "completed"')
    add('        return {"status": self._status, "total": total, "summary": summary}')
    add("")
    add("    @workflow.signal")
    add("    async def approve(self, approver: str) -> None:")
    add("        self._approved = True")
    add('        self._events.append(f"approved by {approver}")')
    if rng.random() < 0.7:
        add("")
        add("    @workflow.signal")
        add("    def cancel(self) -> None:")
        add("        self._cancelled = True")
    add("")
    add("    @workflow.query")
    add("    def status(self) -> str:")
    add("        return self._status")
    if rng.random() < 0.6:
        add("")
        add("    @workflow.query")
        add("    def history(self) -> list[str]:")
        add("        return list(self._events)")
    if rng.random() < 0.6:
        add("")
        add("    @workflow.update")
        add("    async def set_priority(self, level: int) -> int:")
        add("        previous, self._priority = self._priority, level")
        add('        self._events.append(f"priority {previous} -> {level}")')
        add("        return previous")
        add("")
        add("    @set_priority.validator")
        add("    def validate_priority(self, level: int) -> None:")
        add(f"        if not 0 <= level <= {rng.choice([3, 5, 10])}:")
        add('            raise ValueError(f"priority out of range: {level}")')
    return "\n".join(out) + "\n"


def render_request_class(name: str) -> str:
    return code(f"""
        @dataclass
        class {name}:
            request_id: str
            customer: str
            items: list[str] = field(default_factory=list)
            amount_cents: int = 0
    """)


def render_clean_items(rng: random.Random, name: str) -> str:
    """The workflow module's own helper; sometimes it iterates a set (a mistake)."""
    if rng.random() < 0.25:
        return code(f'''
            def {name}(items: list[str]) -> list[str]:
                """Drop blanks and duplicates."""
                return [sku for sku in {{raw.strip().upper() for raw in items}} if sku]
        ''')
    return code(f'''
        def {name}(items: list[str]) -> list[str]:
            """Drop blanks and duplicates, keeping first-seen order."""
            seen: dict[str, None] = {{}}
            for raw in items:
                sku = raw.strip().upper()
                if sku:
                    seen.setdefault(sku, None)
            return list(seen)
    ''')


WORKFLOW_MODULE_HEADER = code("""
    from __future__ import annotations

    import asyncio
    import random
    from dataclasses import dataclass, field
    from datetime import datetime, timedelta

    from temporalio import workflow
    from temporalio.common import RetryPolicy
""")


def render_workflow_module(
    rng: random.Random,
    pkg: str,
    module_no: int,
    activities: list[str],
    summarizers: list[str],
    ledger: str,
) -> str:
    tag = f"{pkg[3:]}_{module_no}"
    theme = rng.choice(THEMES)
    request_cls = f"{theme}Request{tag}"
    clean_items = f"_clean_items_{tag}"
    imported = sorted(set(rng.sample(activities, k=min(3, len(activities)))))
    classes: list[str] = []
    previous: str | None = None
    for index in range(rng.randint(2, 3)):
        spec = WorkflowSpec(
            name=f"{rng.choice(THEMES)}Workflow{tag}_{index}",
            theme=theme,
            request_cls=request_cls,
            clean_items=clean_items,
            quote="quote",
            summarize=f"helpers.{rng.choice(summarizers)}",
            ledger=f"helpers.{ledger}",
            activities=imported,
            child=previous,
        )
        classes.append(render_workflow_class(rng, spec))
        previous = spec.name
    passthrough = (
        "with workflow.unsafe.imports_passed_through():\n"
        f"    from {pkg} import helpers\n\n"
        f"    from .activities import {', '.join(imported)}\n"
        "    from .pricing import quote\n"
    )
    return (
        f'"""{theme} workflows of {pkg}."""\n\n'
        + WORKFLOW_MODULE_HEADER
        + "\n"
        + passthrough
        + "\n\n"
        + render_request_class(request_cls)
        + "\n\n"
        + render_clean_items(rng, clean_items)
        + "\n\n"
        + "\n\n".join(classes)
    )


# The shared package every package's helpers import from: mistakes two hops away.
COMMON_MODULES = {
    "common/__init__.py": '"""Code shared by every package."""\n',
    "common/clock.py": code('''
        """Calendar helpers."""

        from __future__ import annotations

        from datetime import date, datetime, timedelta, timezone


        def business_date() -> date:
            """Today, or the last weekday before it."""
            today = date.today()
            while today.weekday() >= 5:
                today -= timedelta(days=1)
            return today


        def utc_timestamp() -> float:
            return datetime.now(timezone.utc).timestamp()


        def add_business_days(start: date, days: int) -> date:
            current = start
            while days > 0:
                current += timedelta(days=1)
                if current.weekday() < 5:
                    days -= 1
            return current


        def days_between(start: date, end: date) -> int:
            return (end - start).days
    '''),
    "common/ids.py": code('''
        """Identifiers."""

        from __future__ import annotations

        import hashlib
        import uuid


        def short_id() -> str:
            return uuid.uuid4().hex[:10]


        def stable_id(*parts: str) -> str:
            """Deterministic: the same parts always give the same id."""
            digest = hashlib.sha256("/".join(parts).encode()).hexdigest()
            return digest[:16]
    '''),
    "common/settings.py": code('''
        """Process-wide settings."""

        from __future__ import annotations

        import json
        import os
        from dataclasses import dataclass


        @dataclass(frozen=True)
        class Settings:
            region: str = "eu"
            currency: str = "EUR"
            max_items: int = 50


        def get_setting(name: str, default: str = "") -> str:
            return os.environ.get(f"APP_{name.upper()}", default)


        def load_settings(path: str) -> Settings:
            with open(path, encoding="utf-8") as handle:
                return Settings(**json.load(handle))
    '''),
    "common/text.py": code('''
        """Text clean-up."""

        from __future__ import annotations

        import unicodedata


        def normalise(value: str) -> str:
            folded = unicodedata.normalize("NFKC", value)
            return " ".join(folded.split()).strip()


        def join_notes(notes: list[str], sep: str = "; ") -> str:
            return sep.join(note for note in notes if note)
    '''),
}


# ---------------------------------------------------------------------------
# Corpus builder
# ---------------------------------------------------------------------------

KINDS = ("workflow", "activity", "helper", "plain")


@dataclass
class Corpus:
    root: Path
    target: int  # lines asked for; the real count overshoots by up to one module
    files: int = 0
    lines_by_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    files_by_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    temporal_chars: int = 0  # size of the files that mention temporalio, as the linter counts it

    @property
    def lines(self) -> int:
        return sum(self.lines_by_kind.values())

    def describe(self) -> str:
        rows = [f"{self.lines:,} lines in {self.files} files under {self.root}"]
        for kind in KINDS:
            share = self.lines_by_kind[kind] / max(self.lines, 1)
            rows.append(
                f"    {kind:<9} {self.lines_by_kind[kind]:>7,} lines ({share:4.0%})"
                f" in {self.files_by_kind[kind]} files"
            )
        return "\n".join(rows)


def write_module(path: Path, source: str) -> int:
    """Write one generated file after checking it is valid Python 3.10; return its lines."""
    try:
        ast.parse(source, filename=str(path), feature_version=(3, 10))
    except SyntaxError as exc:  # a bug in a template: show where
        raise RuntimeError(f"generated invalid Python in {path}: {exc}\n{source}") from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    return source.count("\n")


class CorpusBuilder:
    """Deterministically generates a repository-like tree of about `target_lines` lines."""

    def __init__(self, root: Path, target_lines: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.counter = iter(range(1, 10**9))  # unique suffix for every generated name
        self.target = target_lines
        self.corpus = Corpus(root, target_lines)

    def build(self) -> Corpus:
        for relpath, source in COMMON_MODULES.items():
            self._add(relpath, source, "helper")
        package_no = 0
        while self.corpus.lines < self.target:
            remaining = self.target - self.corpus.lines
            if package_no and remaining < TEMPORAL_LINES_PER_PACKAGE:
                self._add_plain_module(f"pkg{package_no - 1}")
                continue
            self._add_package(f"pkg{package_no}")
            package_no += 1
        return self.corpus

    def _add(self, relpath: str, source: str, kind: str) -> None:
        lines = write_module(self.corpus.root / relpath, source)
        self.corpus.files += 1
        if "temporalio" in source:
            self.corpus.temporal_chars += len(source)
        self.corpus.lines_by_kind[kind] += lines
        self.corpus.files_by_kind[kind] += 1

    def _add_package(self, pkg: str) -> None:
        rng = self.rng
        number = pkg[3:]
        self._add(f"{pkg}/__init__.py", f'"""Package {pkg}."""\n', "plain")

        first_n = next(self.counter)
        verbs = rng.sample(ACTIVITY_VERBS, k=rng.randint(4, 7))
        activities = [f"{verb}_{number}_{first_n + i}" for i, verb in enumerate(verbs)]
        self._add(
            f"{pkg}/activities.py", render_activities_module(rng, activities, first_n), "activity"
        )

        pricing = pick_snippets(rng, rng.randint(4, 7), self.counter)
        self._add(f"{pkg}/pricing.py", render_pricing_module(rng, pricing, pkg), "helper")

        summarizers = [f"summarize_{number}_{i}" for i in range(rng.randint(2, 3))]
        ledger = f"Ledger{number}"
        helpers = pick_snippets(rng, rng.randint(5, 8), self.counter)
        self._add(
            f"{pkg}/helpers.py",
            render_helpers_module(rng, helpers, pkg, summarizers, ledger),
            "helper",
        )

        for module_no in range(rng.randint(1, 2)):
            source = render_workflow_module(rng, pkg, module_no, activities, summarizers, ledger)
            self._add(f"{pkg}/workflows_{module_no}.py", source, "workflow")

        # Top up ordinary code until it is PLAIN_SHARE of the corpus so far.
        while self.corpus.lines < self.target and self._plain_share() < PLAIN_SHARE:
            self._add_plain_module(pkg)

    def _plain_share(self) -> float:
        return self.corpus.lines_by_kind["plain"] / max(self.corpus.lines, 1)

    def _add_plain_module(self, pkg: str) -> None:
        name = self.rng.choice(PLAIN_MODULE_NAMES)
        number = next(self.counter)
        # Half the ordinary modules sit in a sub-package, as real repositories nest them.
        if self.rng.random() < 0.5:
            folder = f"{pkg}/support"
            if not (self.corpus.root / folder / "__init__.py").exists():
                self._add(f"{folder}/__init__.py", '"""Support code."""\n', "plain")
        else:
            folder = pkg
        title = f"{name.replace('_', ' ').capitalize()} for {pkg} (module {number})."
        source = render_plain_module(self.rng, self.counter, title)
        self._add(f"{folder}/{name}_{number}.py", source, "plain")


def build_single_file(path: Path, seed: int, target_lines: int = SINGLE_FILE_LINES) -> int:
    """One self-contained workflow module: activities, helpers and workflows inline."""
    rng = random.Random(seed)
    counter = iter(range(1, 10**9))
    activities = [f"{verb}_{next(counter)}" for verb in rng.sample(ACTIVITY_VERBS, k=3)]
    snippets = pick_snippets(rng, 8, counter, cross_module=False)
    imports = ACTIVITY_IMPORTS | {line for snippet in snippets for line in snippet.imports}
    imports |= {"from dataclasses import dataclass, field", "from datetime import timedelta"}
    header = (
        '"""Checkout workflows, with their activities and helpers in one module."""\n\n'
        "from __future__ import annotations\n\n"
        + import_block(imports)
        + "\nfrom temporalio import activity, workflow\n"
        + "from temporalio.common import RetryPolicy\n\n"
        + 'API_BASE = os.environ.get("API_BASE", "https://api.internal")\n'
        + 'OUTBOX = Path(os.environ.get("OUTBOX_DIR", "/tmp/outbox"))\n'
    )
    parts = [header, render_request_class("CheckoutRequest")]
    parts += [render_activity(rng, name, 900 + i) for i, name in enumerate(activities)]
    parts += [snippet.code for snippet in snippets]
    parts.append(
        "def quote(items: list[str], total: int) -> int:\n"
        "    notes: list[str] = []\n"
        + entry_calls(rng, snippets, "    ")
        + "    return total + len(notes)\n"
    )
    parts.append(
        "def summarize(items: list[str], total: int) -> dict[str, object]:\n"
        "    notes: list[str] = []\n"
        + entry_calls(rng, snippets, "    ")
        + '    return {"total": total, "notes": notes}\n'
    )
    parts.append(
        "class Ledger:\n"
        "    def record(self, items: list[str], total: int) -> str:\n"
        "        notes: list[str] = []\n"
        + entry_calls(rng, snippets, "        ")
        + '        return f"{len(items)} items, {total} cents, {len(notes)} notes"\n'
    )
    parts.append(render_clean_items(rng, "clean_items"))

    def joined() -> str:
        return "\n\n".join(part.rstrip("\n") + "\n" for part in parts)

    previous: str | None = None
    while joined().count("\n") < target_lines - 60:
        spec = WorkflowSpec(
            name=f"{rng.choice(THEMES)}Workflow{next(counter)}",
            theme="Checkout",
            request_cls="CheckoutRequest",
            clean_items="clean_items",
            quote="quote",
            summarize="summarize",
            ledger="Ledger",
            activities=activities,
            child=previous,
        )
        parts.append(render_workflow_class(rng, spec))
        previous = spec.name
    while joined().count("\n") < target_lines:  # top up with small helpers
        parts.append(rng.choice(CLEAN_SNIPPETS)(next(counter), rng).code)
    return write_module(path, joined())


# ---------------------------------------------------------------------------
# Tools under test
# ---------------------------------------------------------------------------


class ToolError(Exception):
    """A tool could not be installed, found or run."""


def script_beside_interpreter(name: str) -> Path | None:
    """Console scripts of packages installed into sys.executable's environment."""
    candidate = Path(sys.executable).parent / name
    return candidate if candidate.exists() else None


def temporalint_installed() -> bool:
    if script_beside_interpreter("temporalint"):
        return True
    show = subprocess.run(
        [sys.executable, "-m", "pip", "show", "--quiet", "temporalint"],
        capture_output=True,
        text=True,
    )
    return show.returncode == 0


def ensure_temporalint() -> list[str]:
    """Install temporalint if needed and return the argv prefix that runs it.

    temporalint (PyPI) exposes `temporalint = temporalint:main` and takes positional
    paths: a directory is walked with rglob("*.py") (skipping __pycache__), so it lints
    a whole folder without flags. Its config is looked up from the working directory,
    so it is run from inside the corpus, where there is none: all default rules apply.
    """
    if not temporalint_installed():
        print(f"installing temporalint into {sys.executable} ...", flush=True)
        install = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "temporalint"],
            capture_output=True,
            text=True,
        )
        if install.returncode != 0 or not temporalint_installed():
            raise ToolError(f"pip install temporalint failed:\n{install.stderr.strip()}")
    script = script_beside_interpreter("temporalint") or shutil.which("temporalint")
    if script:
        return [str(script)]
    # Installed as a package but its script is elsewhere: call its CLI directly.
    return [sys.executable, "-c", "import sys; from temporalint.cli import main; sys.exit(main())"]


@dataclass
class Launcher:
    argv: list[str]
    env: dict[str, str] | None = None


def temporal_pro_launcher() -> Launcher:
    """The console script if installed, else `python -m mcp_server` from this checkout."""
    script = script_beside_interpreter("temporal-pro")
    if script:
        return Launcher([str(script)])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return Launcher([sys.executable, "-m", "mcp_server"], env)


def check_temporal_pro(launcher: Launcher) -> None:
    probe = subprocess.run(
        [*launcher.argv, "lint", "--help"], capture_output=True, text=True, env=launcher.env
    )
    if probe.returncode != 0:
        raise ToolError(
            f"`{' '.join([*launcher.argv, 'lint', '--help'])}` exited {probe.returncode}:\n"
            + tail(probe.stderr or probe.stdout)
        )
    missing = [flag for flag in ("--no-cache", "--cache-dir", "--jobs") if flag not in probe.stdout]
    if missing:
        raise ToolError(f"`lint` has no {', '.join(missing)}: this bench needs a newer version")


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------


def tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def lint_outcome(proc: subprocess.CompletedProcess[str], json_output: bool) -> str | None:
    """None when a linter ran (exit 0 = clean, 1 = findings), else what went wrong."""
    if proc.returncode not in (0, 1):
        return f"exit {proc.returncode}:\n{tail(proc.stderr or proc.stdout)}"
    if "Traceback (most recent call last)" in proc.stderr:  # a crash also exits 1
        return f"crashed (exit {proc.returncode}):\n{tail(proc.stderr)}"
    if json_output:
        try:
            json.loads(proc.stdout)
        except json.JSONDecodeError as exc:
            return f"--format json output is not JSON ({exc}):\n{tail(proc.stdout, 5)}"
    return None


def zero_exit(proc: subprocess.CompletedProcess[str]) -> str | None:
    if proc.returncode == 0:
        return None
    return f"exit {proc.returncode}:\n{tail(proc.stderr or proc.stdout)}"


@dataclass
class Case:
    """One command timed as a whole process, wall clock."""

    label: str
    argv: list[str]
    cwd: Path
    check: Callable[[subprocess.CompletedProcess[str]], str | None]
    env: dict[str, str] | None = None
    times: list[float] = field(default_factory=list)
    error: str | None = None
    stdout: str = ""
    outputs: dict[str, str] = field(default_factory=dict)  # every distinct stdout, by digest

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def run(self) -> None:
        start = time.perf_counter()
        proc = subprocess.run(self.argv, cwd=self.cwd, env=self.env, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        self.error = self.check(proc)
        self.stdout = proc.stdout
        if self.error is None:
            self.times.append(elapsed)
            digest = hashlib.sha1(proc.stdout.encode(), usedforsecurity=False).hexdigest()
            self.outputs.setdefault(digest, proc.stdout)


def measure(cases: list[Case], repeat: int) -> None:
    """An untimed warm-up (which also validates), then `repeat` interleaved rounds.

    Interleaving spreads machine noise over all cases alike instead of letting a slow
    minute land on one of them, which keeps the ratios between them honest.
    """
    for case in cases:
        case.run()
        case.times.clear()
        if case.error:
            print(f"  {case.label}: FAILED {case.error}", flush=True)
    for _ in range(repeat):
        for case in cases:
            if case.error is None:
                case.run()
                if case.error:
                    print(f"  {case.label}: FAILED {case.error}", flush=True)


def json_findings(stdout: str) -> list[object] | None:
    """The list of findings in a JSON report, or None when it has no recognisable list."""
    data = json.loads(stdout)
    if isinstance(data, dict):
        for key in ("findings", "diagnostics", "results", "violations", "issues"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    return data if isinstance(data, list) else None


def count_findings(case: Case, json_output: bool) -> str:
    """How much the linter reported, to show it did real work."""
    if not json_output:
        return f"{sum(1 for line in case.stdout.splitlines() if line.strip())} findings"
    data = json_findings(case.stdout)
    if data is None:
        return "JSON report"
    # A finding inside a helper carries the chain of calls from the workflow to it:
    # entry point, each helper, the offending call. Three hops or more means it was
    # found by following calls out of the workflow's own code.
    chained = sum(1 for item in data if isinstance(item, dict) and len(item.get("chain") or []) > 2)
    return f"{len(data)} findings, {chained} via helper calls"


# ---------------------------------------------------------------------------
# Cache checks
# ---------------------------------------------------------------------------


def cache_entries(directory: Path) -> dict[str, int]:
    """The cached runs in a cache directory: file name -> modification time (ns)."""
    return {path.name: path.stat().st_mtime_ns for path in sorted(directory.glob("*.json"))}


@dataclass
class CacheCheck:
    hit: bool | None  # None when the warm command did not run
    detail: str


@dataclass
class WarmCache:
    """A cache directory filled by one untimed priming run, to tell replays from re-runs.

    A run that misses the cache stores its result again, which rewrites an entry (same key)
    or adds one (new key). So if the entries are exactly as the priming run left them, and
    each output the warm command printed is the stdout stored in an entry, every later run
    replayed the cache.
    """

    directory: Path
    primed: dict[str, int] = field(default_factory=dict)

    def prime(self, case: Case) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)
        case.run()  # a failure is reported by measure(), which runs the case again
        case.times.clear()
        self.primed = cache_entries(self.directory) if self.directory.is_dir() else {}

    def check(self, case: Case) -> CacheCheck:
        if not ok(case):
            return CacheCheck(None, "n/a: the warm command did not run")
        if not self.primed:
            return CacheCheck(False, f"the priming run left no entry in {self.directory}")
        if cache_entries(self.directory) != self.primed:
            return CacheCheck(False, "an entry was written after priming: a timed run missed")
        stored: set[str] = set()
        for name in self.primed:  # each record NAME.json keeps its raw stdout in NAME.out
            try:
                stored.add((self.directory / name).with_suffix(".out").read_text(encoding="utf-8"))
            except OSError:
                continue
        runs = f"{len(self.primed)} entr{'y' if len(self.primed) == 1 else 'ies'}"
        if not stored:
            return CacheCheck(False, f"{runs} found, but no stored output could be read")
        if any(output not in stored for output in case.outputs.values()):
            return CacheCheck(False, "the warm output is not the output stored in the cache")
        return CacheCheck(True, f"{runs} untouched since priming, every output replayed from it")


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


@dataclass
class Goal:
    name: str
    goal: str
    measured: str | None  # None when a tool it needs did not run
    passed: bool | None


@dataclass
class Tools:
    temporalint: list[str] | None
    pro: Launcher | None


@dataclass
class ProCases:
    """The temporal-pro commands timed on the corpora."""

    single: Case  # cold, --jobs 1, corpus L
    parallel: Case  # cold, default jobs, corpus L
    warm: Case  # --cache-dir after a priming run, corpus L
    small: Case  # cold, --jobs 1, corpus S

    def all(self) -> list[Case]:
        return [self.single, self.parallel, self.warm, self.small]


LABEL_WIDTH = 31


def verdict(passed: bool | None, yes: str, no: str) -> str:
    return "n/a" if passed is None else (yes if passed else no)


def ok(case: Case | None) -> TypeGuard[Case]:
    """The case ran without error and has timings."""
    return case is not None and case.error is None and bool(case.times)


def linter_case(
    label: str, argv: list[str], cwd: Path, *, json_output: bool, env: dict[str, str] | None = None
) -> Case:
    return Case(label, argv, cwd, lambda proc: lint_outcome(proc, json_output), env=env)


def pro_case(
    pro: Launcher, label: str, options: list[str], target: Path, *, json_output: bool = True
) -> Case:
    """`temporal-pro lint OPTIONS [--format json] TARGET`, run from the target's folder."""
    output = ["--format", "json"] if json_output else []
    argv = [*pro.argv, "lint", *options, *output, str(target)]
    cwd = target if target.is_dir() else target.parent
    return linter_case(label, argv, cwd, json_output=json_output, env=pro.env)


def compile_to_bytecode() -> None:
    """Compile temporal-pro's modules once, as `pip install` does for every package (temporalint
    included). Without it, an environment with PYTHONDONTWRITEBYTECODE set (or a fresh editable
    checkout) recompiles the linter from source on every timed run, which measures the
    environment rather than the linter."""
    package = REPO_ROOT / "mcp_server"
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(package)], check=True, capture_output=True
    )
    setting = os.environ.get("PYTHONDONTWRITEBYTECODE")
    print(f"compiled {package} to bytecode (PYTHONDONTWRITEBYTECODE={setting!r} here)")


def find_tools(failures: list[str]) -> Tools:
    try:
        temporalint = ensure_temporalint()
        print(f"temporalint: {' '.join(temporalint)} CORPUS  (run from inside CORPUS)")
    except ToolError as exc:
        print(f"temporalint: {exc}", file=sys.stderr)
        failures.append("temporalint could not be installed")
        temporalint = None
    pro = temporal_pro_launcher()
    compile_to_bytecode()
    try:
        check_temporal_pro(pro)
    except ToolError as exc:
        print(f"temporal-pro: not runnable: {exc}", file=sys.stderr)
        failures.append("temporal-pro lint is not runnable")
        return Tools(temporalint, None)
    print(
        f"temporal-pro: {' '.join(pro.argv)} lint "
        "(--no-cache [--jobs 1] | --cache-dir DIR) --format json CORPUS"
    )
    return Tools(temporalint, pro)


def bench_corpora(
    tools: Tools, large: Corpus, small: Corpus, cache: WarmCache, repeat: int, failures: list[str]
) -> list[Goal]:
    """Cold, parallel and warm throughput on corpus L and growth from S to L, interleaved."""
    floor_argv = [sys.executable, "-c", AST_FLOOR_SCRIPT, str(large.root)]
    floor = Case("ast.parse", floor_argv, large.root, zero_exit)
    cases = [floor]
    reference = pro = None
    if tools.temporalint:
        argv = [*tools.temporalint, str(large.root)]
        reference = linter_case("temporalint", argv, large.root, json_output=False)
        cases.append(reference)
    if tools.pro:
        cold_one_job = ["--no-cache", "--jobs", "1"]
        pro = ProCases(
            single=pro_case(tools.pro, "temporal-pro cold --jobs 1", cold_one_job, large.root),
            parallel=pro_case(
                tools.pro, "temporal-pro cold default jobs", ["--no-cache"], large.root
            ),
            warm=pro_case(
                tools.pro, "temporal-pro warm", ["--cache-dir", str(cache.directory)], large.root
            ),
            small=pro_case(tools.pro, "temporal-pro cold --jobs 1 (S)", cold_one_job, small.root),
        )
        cases += pro.all()
    print(
        f"\ntiming corpus L ({large.lines:,} lines) and S ({small.lines:,} lines), "
        f"best of {repeat} after a warm-up ..."
    )
    if pro:
        print(f"  priming the cache in {cache.directory} (untimed) ...")
        cache.prime(pro.warm)
    measure(cases, repeat)
    for case in cases:
        if case.error:
            failures.append(f"{case.label} failed")
    return [
        report_throughput(large, floor, reference, pro),
        *report_warm(large, reference, pro, cache),
        report_parallel(large, pro),
        report_identical(pro),
        report_growth(small, large, pro),
    ]


def report_throughput(
    corpus: Corpus, floor: Case, reference: Case | None, pro: ProCases | None
) -> Goal:
    print("\nthroughput on corpus L (best wall time, process start-up included)")
    rows: list[Case | None] = [floor, reference]
    rows += [pro.single, pro.parallel, pro.warm] if pro else []
    for case in rows:
        if ok(case):
            extra = "" if case is floor else f", {count_findings(case, case is not reference)}"
            print(
                f"  {case.label:<{LABEL_WIDTH}} {case.best:7.3f} s  "
                f"{corpus.lines / case.best:>10,.0f} lines/s  (median {case.median:.3f} s{extra})"
            )
    speedup = None
    if pro and ok(reference):
        if ok(pro.parallel):
            speedup = reference.best / pro.parallel.best
            print(
                f"  cold default jobs vs temporalint: {speedup:.2f}x the throughput "
                f"(goal >= {GOAL_SPEEDUP_VS_TEMPORALINT:.1f}x)"
            )
        if ok(pro.single):
            print(
                f"  cold --jobs 1 vs temporalint:     {reference.best / pro.single.best:.2f}x "
                "the throughput (for information)"
            )
    for case in (reference, *((pro.single, pro.parallel) if pro else ())):
        if ok(case) and ok(floor):
            print(
                f"  {case.label + ' vs ast.parse:':<{LABEL_WIDTH + 14}}"
                f"{floor.best / case.best:.2f}x the throughput "
                f"({case.best / floor.best:.2f}x the time of the floor)"
            )
    return Goal(
        "throughput vs temporalint",
        f">= {GOAL_SPEEDUP_VS_TEMPORALINT:.1f}x",
        None if speedup is None else f"{speedup:.2f}x",
        None if speedup is None else speedup >= GOAL_SPEEDUP_VS_TEMPORALINT,
    )


def report_warm(
    corpus: Corpus, reference: Case | None, pro: ProCases | None, cache: WarmCache
) -> list[Goal]:
    print(f"\nwarm runs on corpus L (--cache-dir {cache.directory}, primed once, untimed)")
    check = cache.check(pro.warm) if pro else CacheCheck(None, "n/a: temporal-pro did not run")
    print(f"  cache hits: {verdict(check.hit, 'yes', 'no')}: {check.detail}")
    ratio = None
    if pro and ok(pro.warm):
        if ok(reference):
            ratio = reference.best / pro.warm.best
            print(
                f"  warm vs temporalint: {ratio:.1f}x the throughput "
                f"(goal >= {GOAL_WARM_VS_TEMPORALINT:.0f}x)"
            )
        if ok(pro.parallel):
            print(
                f"  warm vs cold default jobs: {pro.parallel.best / pro.warm.best:.1f}x faster "
                f"({pro.warm.best * 1000:.0f} ms for {corpus.files} files)"
            )
    return [
        Goal(
            "warm vs temporalint",
            f">= {GOAL_WARM_VS_TEMPORALINT:.0f}x",
            None if ratio is None else f"{ratio:.1f}x",
            None if ratio is None else ratio >= GOAL_WARM_VS_TEMPORALINT,
        ),
        Goal(
            "warm runs are cache hits",
            "all hits",
            None if check.hit is None else ("yes" if check.hit else "no"),
            check.hit,
        ),
    ]


def report_parallel(corpus: Corpus, pro: ProCases | None) -> Goal:
    print(f"\nparallel analysis on corpus L ({CPUS} CPUs: os.cpu_count(), the default --jobs)")
    engaged = corpus.temporal_chars >= PARALLEL_MIN_CHARS and CPUS > 1
    print(
        f"  files that mention temporalio: {corpus.temporal_chars:,} characters; temporal-pro "
        f"forks from {PARALLEL_MIN_CHARS:,}: "
        + (f"{CPUS} processes" if engaged else "it stays single-process")
    )
    speedup = None
    if pro and ok(pro.single) and ok(pro.parallel):
        speedup = pro.single.best / pro.parallel.best
        print(
            f"  cold default jobs vs cold --jobs 1: {speedup:.2f}x the throughput "
            f"(goal >= {GOAL_PARALLEL_SPEEDUP:.1f}x)"
        )
        # The two commands run back to back in every round; how far their ratio moves from
        # round to round shows how much of the result is the machine's noise.
        rounds = sorted(a / b for a, b in zip(pro.single.times, pro.parallel.times, strict=True))
        print(
            f"  round by round: {', '.join(f'{r:.2f}x' for r in rounds)} "
            f"(median {statistics.median(rounds):.2f}x)"
        )
    if CPUS < 2:
        print("  n/a: one CPU, nothing to run in parallel")
    return Goal(
        f"speed-up on {CPUS} CPUs",
        f">= {GOAL_PARALLEL_SPEEDUP:.1f}x",
        None if speedup is None else f"{speedup:.2f}x",
        None if speedup is None or CPUS < 2 else speedup >= GOAL_PARALLEL_SPEEDUP,
    )


def describe_difference(expected: str, actual: str) -> str:
    """How one JSON report differs from another, in a line."""
    try:
        before, after = json_findings(expected), json_findings(actual)
    except json.JSONDecodeError:
        return "differs (not JSON)"
    if before is None or after is None:
        return "differs (no list of findings to compare)"
    old = Counter(json.dumps(item, sort_keys=True) for item in before)
    new = Counter(json.dumps(item, sort_keys=True) for item in after)
    if old == new:
        if before != after:
            return "same findings in a different order"
        return "same findings, the rest of the report differs"
    missing, extra = old - new, new - old
    example = json.loads(next(iter(missing or extra)))
    where = (
        f"{example.get('code')} {example.get('filename')}:"
        f"{(example.get('location') or {}).get('row')}"
        if isinstance(example, dict)
        else str(example)[:80]
    )
    return (
        f"{len(after)} findings vs {len(before)}: {missing.total()} missing, "
        f"{extra.total()} extra (e.g. {'missing' if missing else 'extra'} {where})"
    )


def report_identical(pro: ProCases | None) -> Goal:
    print("\nidentical reports on corpus L (every run of the three temporal-pro commands)")
    cases = [case for case in (pro.single, pro.parallel, pro.warm) if ok(case)] if pro else []
    if len(cases) < 2:
        print("  n/a: fewer than two temporal-pro commands ran")
        return Goal("identical reports", "identical", None, None)
    expected = next(iter(cases[0].outputs.values()))
    identical = len({digest for case in cases for digest in case.outputs}) == 1
    for case in cases:
        distinct = len(case.outputs)
        print(
            f"  {case.label:<{LABEL_WIDTH}} {distinct} distinct output{'s' if distinct > 1 else ''}"
            f", {count_findings(case, json_output=True)}"
        )
        for output in case.outputs.values():
            if output != expected:
                print(f"    differs from {cases[0].label}: {describe_difference(expected, output)}")
    if identical:
        print("  all byte-identical")
    else:
        print("  FAIL: the reports differ (the linter promises one report for any job count)")
    return Goal("identical reports", "identical", "yes" if identical else "no", identical)


def report_growth(small: Corpus, large: Corpus, pro: ProCases | None) -> Goal:
    print("\nlinear growth (temporal-pro --no-cache --jobs 1, corpus S vs corpus L)")
    scaled = None
    if pro and ok(pro.small) and ok(pro.single):
        pro_small, pro_large = pro.small, pro.single
        nominal = large.target / small.target
        size_ratio = large.lines / small.lines
        time_ratio = pro_large.best / pro_small.best
        scaled = time_ratio / size_ratio * 10  # what the ratio would be for exactly 10x
        print(
            f"  growth: time(L)/time(S) = {time_ratio:.2f}x for a {nominal:.1f}x corpus "
            f"(goal <= {GOAL_GROWTH_FOR_10X:.0f}x)"
        )
        print(
            f"  real sizes: S {small.lines:,} lines in {pro_small.best:.3f} s, "
            f"L {large.lines:,} lines in {pro_large.best:.3f} s: {size_ratio:.2f}x the code"
        )
        print(
            f"  normalised: time ratio / size ratio = {time_ratio / size_ratio:.3f} "
            f"(1.0 = linear), {scaled:.2f}x for exactly 10x the code"
        )
        # Fit time = fixed + lines / rate through both points: start-up and imports are
        # a fixed cost that makes the raw ratio look better than the per-line work is.
        if size_ratio < 8:  # the smallest corpus is one package plus `common`
            print("  note: corpus S is more than a tenth of L; pass a larger --lines")
        if pro_large.best > pro_small.best and large.lines > small.lines:
            rate = (large.lines - small.lines) / (pro_large.best - pro_small.best)
            fixed = pro_small.best - small.lines / rate
            print(
                f"  linear fit: fixed cost {fixed * 1000:.0f} ms per run, then {rate:,.0f} lines/s"
            )
        if ok(pro.parallel):
            print(
                f"  for information, cold default jobs on L: time(L)/time(S) = "
                f"{pro.parallel.best / pro_small.best:.2f}x"
            )
    else:
        print("  n/a: temporal-pro did not run")
    return Goal(
        "growth for a 10x corpus",
        f"<= {GOAL_GROWTH_FOR_10X:.0f}x",
        None if scaled is None else f"{scaled:.2f}x",
        None if scaled is None else scaled <= GOAL_GROWTH_FOR_10X,
    )


def bench_single_file(
    tools: Tools, path: Path, lines: int, cache: WarmCache, failures: list[str]
) -> Goal:
    """One file end to end, cold and warm, against bare interpreter start-up."""
    print(f"\nsingle {lines}-line file, {SINGLE_FILE_RUNS} runs each ...")
    startup = Case("python -c pass", [sys.executable, "-c", "pass"], path.parent, zero_exit)
    cases = [startup]
    cold = warm = None
    if tools.pro:
        cold = pro_case(tools.pro, "temporal-pro cold", ["--no-cache"], path, json_output=False)
        warm_options = ["--cache-dir", str(cache.directory)]
        warm = pro_case(tools.pro, "temporal-pro warm", warm_options, path, json_output=False)
        cases += [cold, warm]
        cache.prime(warm)
    if tools.temporalint:
        argv = [*tools.temporalint, str(path)]
        cases.append(linter_case("temporalint", argv, path.parent, json_output=False))
    measure(cases, SINGLE_FILE_RUNS)
    for case in cases:
        if ok(case):
            print(
                f"  {case.label:<17} best {case.best * 1000:6.0f} ms, "
                f"median {case.median * 1000:6.0f} ms"
            )
        else:
            failures.append(f"{case.label} failed on the single file")
    best_ms = None
    if ok(cold) and ok(startup):
        best_ms = cold.best * 1000
        print(
            f"  single {lines}-line file, cold: best {best_ms:.0f} ms "
            f"(goal < {GOAL_SINGLE_FILE_MS:.0f} ms), python start-up {startup.best * 1000:.0f} ms"
        )
    if ok(warm):
        check = cache.check(warm)
        same = ok(cold) and set(warm.outputs) == set(cold.outputs)
        print(
            f"  warm, for information: best {warm.best * 1000:.0f} ms; cache hits: "
            f"{verdict(check.hit, 'yes', 'no')} ({check.detail}); "
            f"same output as cold: {'yes' if same else 'no'}"
        )
    return Goal(
        f"single {lines}-line file",
        f"< {GOAL_SINGLE_FILE_MS:.0f} ms",
        None if best_ms is None else f"{best_ms:.0f} ms",
        None if best_ms is None else best_ms < GOAL_SINGLE_FILE_MS,
    )


def print_summary(goals: list[Goal]) -> None:
    print("\nsummary")
    for goal in goals:
        print(
            f"  {goal.name:<28} goal {goal.goal:<9} measured {goal.measured or '-':<9} "
            + verdict(goal.passed, "PASS", "FAIL")
        )


WORK_ITEMS = ("corpus_L", "corpus_S", "single", "cache_L", "cache_single")


@contextmanager
def workspace(keep: Path | None) -> Iterator[Path]:
    if keep is None:
        with tempfile.TemporaryDirectory(prefix="lint-bench-") as tmp:
            yield Path(tmp)
        return
    keep.mkdir(parents=True, exist_ok=True)
    for name in WORK_ITEMS:  # only what this script made before
        shutil.rmtree(keep / name, ignore_errors=True)
    yield keep.resolve()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--lines",
        type=int,
        default=DEFAULT_LINES,
        help=f"size of the large corpus in lines (default {DEFAULT_LINES:,})",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=DEFAULT_REPEAT,
        help=f"timed runs per command, best kept (default {DEFAULT_REPEAT})",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="write the corpora into DIR and keep them (default: a temp dir)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    args = parser.parse_args(argv)
    if args.lines < 100 or args.repeat < 1:
        parser.error("--lines must be >= 100 and --repeat >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Keep progress lines and error messages in order when both go to a pipe.
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)
    failures: list[str] = []

    print(f"python {sys.version.split()[0]} at {sys.executable}")
    tools = find_tools(failures)

    with workspace(args.keep) as work:
        started = time.perf_counter()
        large = CorpusBuilder(work / "corpus_L", args.lines, args.seed).build()
        small = CorpusBuilder(work / "corpus_S", args.lines // 10, args.seed).build()
        single = work / "single" / "checkout_workflows.py"
        single_lines = build_single_file(single, args.seed)
        print(f"\ngenerated in {time.perf_counter() - started:.1f}s (seed {args.seed})")
        print(f"corpus L: {large.describe()}")
        print(f"corpus S: {small.describe()}")
        print(f"single file: {single_lines} lines, {single}")

        print(f"CPUs: {CPUS} (os.cpu_count(): temporal-pro's default --jobs)")

        corpus_cache, single_cache = WarmCache(work / "cache_L"), WarmCache(work / "cache_single")
        goals = bench_corpora(tools, large, small, corpus_cache, args.repeat, failures)
        goals.append(bench_single_file(tools, single, single_lines, single_cache, failures))
        if args.keep:
            print(f"\ncorpora and caches kept in {work}")

    print_summary(goals)
    if failures:
        print(f"bench: a tool failed to run: {'; '.join(failures)}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
