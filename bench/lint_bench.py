#!/usr/bin/env python3
"""Speed and memory of `temporal-pro lint` against `temporalint` and a bare `ast.parse`.

Run: python bench/lint_bench.py [--corpus DIR] [--shape-of DIR ...] [--lines N] [--repeat K]
                                [--keep DIR] [--seed S]

It generates a seeded repository shaped like real Temporal Python code (small sample projects
whose files nearly all mention temporalio: workflows, activities, pydantic models, workers,
starters, pytest harness code, imports of packages that are not installed), and with
``--corpus DIR`` it also times DIR, a real tree. On each tree it times, as whole subprocesses
in interleaved rounds, with each child's wall time and peak memory (its own maxrss):

* a bare ``ast.parse`` of every file in one process, the floor of any `ast` linter;
* ``temporalint TREE`` (a per-file AST linter from PyPI), the peer;
* ``temporal-pro lint --no-cache --jobs 1 --format json TREE``: cold, one process;
* ``temporal-pro lint --no-cache --jobs 2 --format json TREE``: cold, two processes;
* ``temporal-pro lint --cache-dir DIR --format json TREE`` after an untimed priming run: warm
  (the script checks that every timed run replayed the cache).

It prints each tree's shape (size, share of files mentioning temporalio, nodes per line,
docstrings, ...) beside the generated corpus's, every ratio with its floor and PASS or MISS,
the --jobs 2 speed-up (no floor), whether all reports are byte-identical, how time grows from
a corpus to one ten times larger, and one 500-line file end to end. It is a measurement, not a
test: it exits 0 whatever the numbers are, and 2 only when a tool failed to run. Standard
library only.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import importlib.util
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

# Floors from issue 15 ("Speed and memory on real trees"), judged in the summary.
FLOOR_COLD_VS_TEMPORALINT = 1.0  # cold --jobs 1 time / temporalint time, on the tree
FLOOR_COLD_VS_AST = 1.6  # cold --jobs 1 time / bare ast.parse time, on the tree
FLOOR_GENERATED_SPEEDUP = 2.0  # temporalint time / cold --jobs 1 time, on the generated corpus
FLOOR_WARM_SPEEDUP = 20.0  # temporalint time / warm time, on the tree
FLOOR_MEMORY_VS_TEMPORALINT = 1.5  # cold --jobs 1 peak memory / temporalint's, on the tree
FLOOR_SINGLE_FILE_MS = 150.0
FLOOR_GROWTH_FOR_10X = 11.0  # time(L) / time(S), generated corpora of 10x the lines
# --jobs 2 vs --jobs 1 has no floor: these VMs' two vCPUs are not two free cores.

# temporal-pro analyzes in several processes only when the files that mention temporalio hold
# at least this many characters (mcp_server/lint/engine.py); printed so a 1.0x speed-up is
# explained.
PARALLEL_MIN_CHARS = 400_000

# The folders temporal-pro skips by default (mcp_server/lint/config.py DEFAULT_EXCLUDE): the
# shape and the ast.parse floor read the files temporal-pro reads. temporalint skips only
# __pycache__, so the script warns when a tree holds Python files under the others.
EXCLUDED_FOLDERS = (
    ".venv", "venv", ".git", "build", "dist", "node_modules", "__pycache__", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".temporal-pro-cache",
)  # fmt: skip

# Reads and parses every .py file under argv[1], outside the folders named in argv[2:]: what
# any AST-based linter must do, in one process.
AST_FLOOR_SCRIPT = """
import ast, os, sys
skip = set(sys.argv[2:])
count = 0
for root, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = sorted(d for d in dirs if d not in skip)
    for name in sorted(files):
        if name.endswith(".py"):
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                try:
                    ast.parse(handle.read(), path)
                except SyntaxError:
                    pass
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


def render_plain_module(
    rng: random.Random, counter: Iterator[int], title: str, blocks_range: tuple[int, int] = (5, 9)
) -> str:
    count = rng.randint(*blocks_range)
    blocks = [rng.choice(BLOCK_FACTORIES)(next(counter), rng) for _ in range(count)]
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
        # urlopen blocks: in an async activity it stalls the worker's event loop (a finding).
        # Real trees have a few; most activities that call it are sync.
        kind = "async def" if rng.random() < 0.1 else "def"
        return code(f'''
            @activity.defn
            {kind} {name}(request_id: str) -> str:
                """Call the upstream API; Temporal retries it on failure."""
                body = json.dumps({{"id": request_id, "ts": time.time()}}).encode()
                req = urllib.request.Request(f"{{API_BASE}}/{name}", data=body, method="POST")

                # A short timeout: a hung call should fail the attempt, not the workflow.
                with urllib.request.urlopen(req, timeout=10) as resp:
                    payload = json.loads(resp.read() or b"{{}}")

                activity.logger.info("%s done for %s", "{name}", request_id)
                return str(payload.get("status", "ok"))
        ''')
    if variant == 1:
        return code(f'''
            @activity.defn
            def {name}(request_id: str) -> str:
                """Write the request to the outbox, where the mailer picks it up."""
                OUTBOX.mkdir(parents=True, exist_ok=True)
                target = OUTBOX / f"{{request_id}}-{n}.json"
                with open(target, "w", encoding="utf-8") as handle:
                    json.dump({{"id": request_id, "at": datetime.now().isoformat()}}, handle)
                return str(target)
        ''')
    if variant == 2:
        return code(f'''
            @activity.defn
            async def {name}(request_id: str) -> str:
                """Process the request in chunks, heartbeating after each one.

                A worker that dies mid-way is noticed at the heartbeat timeout, and the
                next attempt resumes from the last chunk reported.
                """
                processed = 0
                for chunk in range({rng.randint(3, 8)}):
                    # Report progress, so that a retry knows where to resume.
                    activity.heartbeat(chunk)
                    await asyncio.sleep(random.uniform(0.01, 0.05))
                    processed += 1
                return f"{{request_id}}:{{processed}}"
        ''')
    return code(f'''
        @activity.defn
        def {name}(request_id: str) -> str:
            """The first line of the request's data file, or why there is none."""
            root = Path(os.environ.get("DATA_ROOT", "/var/data"))
            path = root / f"{{request_id}}.txt"

            # A missing file is an answer, not a failure: retrying would not create it.
            if not path.exists():
                return "missing"
            lines = path.read_text(encoding="utf-8").splitlines()
            return lines[0] if lines else "empty"
    ''')


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
    rng: random.Random,
    snippets: list[Snippet],
    pkg: str,
    summarizers: list[str],
    ledger: str,
    *,
    application_error: bool = False,
) -> str:
    """Reached from workflows by an absolute import: `from pkgN import helpers`. With
    `application_error`, the summarizers reject empty input with Temporal's ApplicationError
    (so the module mentions temporalio, as most real helper modules do)."""
    imports = {line for snippet in snippets for line in snippet.imports}
    reject = ""
    if application_error:
        imports.add("from temporalio.exceptions import ApplicationError")
        reject = (
            "    if not items:\n"
            "        # Retrying cannot make an empty basket summarisable.\n"
            '        raise ApplicationError("nothing to summarise", non_retryable=True)\n'
        )
    parts = [snippet.code for snippet in snippets]
    for name in summarizers:
        parts.append(
            f"def {name}(items: list[str], total: int) -> dict[str, object]:\n"
            + reject
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
    activities: list[str]
    # The helper functions the workflow calls (None: the project has no helper module).
    quote: str | None = None
    summarize: str | None = None
    ledger: str | None = None
    child: str | None = None


def render_workflow_class(rng: random.Random, spec: WorkflowSpec) -> str:
    first, second, third = (rng.choice(spec.activities) for _ in range(3))
    timeout = f"timedelta(seconds={rng.choice([10, 30, 60, 120])})"
    out: list[str] = []
    add = out.append

    def step(note: str) -> None:
        """A blank line and, often, a comment before each step, as people write them."""
        add("")
        if rng.random() < 0.85:
            add(f"        # {note}")

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
    if rng.random() < 0.6:
        add(f'        """Quote the {spec.theme.lower()}, wait for a decision, then fulfil it.')
        add("")
        add("        Returns the final status with the events that led to it.")
        add('        """')
    add('        workflow.logger.info("start %s", request.request_id)')
    step("Normalise the request and price it before anything runs.")
    add(f"        items = {spec.clean_items}(request.items)")
    if spec.quote:
        add(f"        total = {spec.quote}(items, request.amount_cents)")
    else:
        add("        total = request.amount_cents + len(items)")
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
    step("The first side effect; Temporal retries the activity with the policy below.")
    add("        receipt = await workflow.execute_activity(")
    add(f"            {first},")
    add("            request.request_id,")
    add(f"            start_to_close_timeout={timeout},")
    if rng.random() < 0.5:
        add(f"            retry_policy=RetryPolicy(maximum_attempts={rng.randint(2, 6)}),")
    add("        )")
    add("        self._events.append(str(receipt))")
    step("Wait for a person to decide, but not forever.")
    add("        try:")
    add("            await workflow.wait_condition(")
    add("                lambda: self._approved or self._cancelled,")
    add(f"                timeout=timedelta(hours={rng.choice([1, 4, 24, 72])}),")
    add("            )")
    add("        except asyncio.TimeoutError:")
    add('            self._status = "expired"')
    add('            return {"status": self._status, "events": list(self._events)}')
    step("A cancelled request undoes the first step.")
    add("        if self._cancelled:")
    add("            await workflow.execute_activity(")
    add(f"                {second}, request.request_id, start_to_close_timeout={timeout}")
    add("            )")
    add('            self._status = "cancelled"')
    add('            return {"status": self._status, "events": list(self._events)}')
    if rng.random() < 0.35:
        step("One activity per item, in order, so the history reads like the basket.")
        add(f"        for sku in items[:{rng.randint(2, 5)}]:")
        add("            await workflow.execute_activity(")
        add(f"                {third}, sku, start_to_close_timeout=timedelta(seconds=30)")
        add("            )")
    if rng.random() < 0.25:
        step("These two do not depend on each other: run them side by side.")
        add("        results = await asyncio.gather(")
        for activity_name in (second, third):
            add("            workflow.execute_activity(")
            add(f"                {activity_name},")
            add("                request.customer,")
            add("                schedule_to_close_timeout=timedelta(minutes=5),")
            add("            ),")
        add("        )")
        add("        self._events.extend(str(result) for result in results)")
    if spec.child and rng.random() < 0.5:
        step("The follow-up runs as a child workflow, with a history of its own.")
        add("        child = await workflow.execute_child_workflow(")
        add(f"            {spec.child}.run,")
        add("            request,")
        add('            id=f"{request.request_id}-child",')
        add("        )")
        add("        self._events.append(str(child))")
    if rng.random() < 0.3:
        step("Let downstream systems settle; asyncio.sleep is a durable timer here.")
        add(f"        await asyncio.sleep(timedelta(minutes={rng.randint(1, 30)}).total_seconds())")
    step("Summarise for the caller and the query handlers.")
    if spec.summarize:
        add(f"        summary = {spec.summarize}(items, total)")
    else:
        add('        summary = {"items": len(items), "events": len(self._events)}')
    if spec.ledger and rng.random() < 0.5:
        add(f"        self._events.append({spec.ledger}().record(items, total))")
    add('        self._status = "completed"')
    add('        return {"status": self._status, "total": total, "summary": summary}')
    add("")
    add("    @workflow.signal")
    add("    async def approve(self, approver: str) -> None:")
    if rng.random() < 0.5:
        add('        """Approve the request; the run continues with fulfilment."""')
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
    if rng.random() < 0.5:
        add('        """The current status, for dashboards and the starter."""')
    add("        return self._status")
    if rng.random() < 0.45:
        add("")
        add("    @workflow.query")
        add("    def history(self) -> list[str]:")
        add("        return list(self._events)")
    if rng.random() < 0.45:
        add("")
        add("    @workflow.update")
        add("    async def set_priority(self, level: int) -> int:")
        add('        """Change the priority and return the previous one."""')
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
# Sample projects, laid out as real Temporal Python trees are (samples-python, the SDK's
# tests): one folder per project with workflows, activities, models, a worker and a starter,
# and its tests beside the others under tests/. Nearly every file mentions temporalio, many
# carry docstrings, a third of the projects use pydantic models, and half call packages that
# are not installed (LLM and cloud clients), whose imports the linter cannot follow.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ThirdParty:
    """A package real projects import but the linter's environment does not hold."""

    imports: tuple[str, ...]
    setup: str  # module-level statements
    call: str  # the body of an async activity that has `prompt: str`; returns a str
    fake: tuple[str, str]  # a type of the package the tests import for their fakes: module, name


ABSENT_PACKAGES = [
    ThirdParty(
        ("from openai import AsyncOpenAI",),
        "client = AsyncOpenAI()",
        code("""
            response = await client.chat.completions.create(
                model="gpt-4o-mini",
                messages=[{"role": "user", "content": prompt}],
            )
            return response.choices[0].message.content or ""
        """),
        ("openai.types.chat", "ChatCompletion"),
    ),
    ThirdParty(
        (
            "from langchain_core.messages import HumanMessage, SystemMessage",
            "from langchain_openai import ChatOpenAI",
        ),
        'llm = ChatOpenAI(model="gpt-4o-mini", temperature=0)',
        code("""
            reply = await llm.ainvoke(
                [SystemMessage(content="Answer in one sentence."), HumanMessage(content=prompt)]
            )
            return str(reply.content)
        """),
        ("langchain_core.messages", "AIMessage"),
    ),
    ThirdParty(
        ("import aioboto3",),
        'session = aioboto3.Session()\nBUCKET = os.environ.get("ARCHIVE_BUCKET", "archive")',
        code("""
            key = f"prompts/{abs(hash(prompt)) % 10_000}.txt"
            async with session.client("s3") as s3:
                await s3.put_object(Bucket=BUCKET, Key=key, Body=prompt.encode())
            return key
        """),
        ("types_aiobotocore_s3", "S3Client"),
    ),
    ThirdParty(
        ("import sentry_sdk",),
        'sentry_sdk.init(dsn=os.environ.get("SENTRY_DSN"), traces_sample_rate=0.1)',
        code("""
            with sentry_sdk.start_span(op="activity", name="summarize"):
                words = prompt.split()
                return " ".join(words[:12])
        """),
        ("sentry_sdk.transport", "Transport"),
    ),
    ThirdParty(
        ("from strands import Agent",),
        'agent = Agent(system_prompt="You write short, friendly status updates.")',
        code("""
            result = await agent.invoke_async(prompt)
            return str(result)
        """),
        ("strands.models", "Model"),
    ),
]


RETRY_POLICY_SHARE = 0.8
RETRY_IMPORT = "from temporalio.common import RetryPolicy\n"
RETRY_POLICY = code("""

    # One retry policy for every activity of this sample: back off, then give up.
    DEFAULT_RETRY_POLICY = RetryPolicy(
        initial_interval=timedelta(seconds=1),
        backoff_coefficient=2.0,
        maximum_attempts={attempts},
    )
""")


def render_models_module(
    rng: random.Random, theme: str, request_cls: str, task_queue: str, pydantic: bool
) -> str:
    """The project's data types: pydantic models or dataclasses, with docstrings, and often the
    retry policy its workflows share (so most of these modules mention temporalio too)."""
    lower = theme.lower()
    retry = rng.random() < RETRY_POLICY_SHARE
    if pydantic:
        header = code(f'''
            """Data types shared by the {lower} workflow, its activities and its starter.

            The worker and the client use the pydantic data converter, so these models cross
            the wire as JSON and are validated on the way in.
            """

            from datetime import datetime
            from enum import Enum

            from pydantic import BaseModel, Field, field_validator

            TASK_QUEUE = "{task_queue}"
        ''')
        if retry:
            validators = "from pydantic import BaseModel, Field, field_validator\n"
            header = header.replace(validators, validators + RETRY_IMPORT)
        models = code(f'''
            class {theme}Status(str, Enum):
                PENDING = "pending"
                APPROVED = "approved"
                COMPLETED = "completed"
                CANCELLED = "cancelled"


            class {request_cls}(BaseModel):
                """What the starter sends to start one {lower}."""

                request_id: str
                customer: str
                items: list[str] = Field(default_factory=list)
                amount_cents: int = Field(default=0, ge=0)
                notes: str | None = None

                @field_validator("customer")
                @classmethod
                def customer_not_blank(cls, value: str) -> str:
                    if not value.strip():
                        raise ValueError("customer must not be blank")
                    return value.strip()


            class {theme}Result(BaseModel):
                """What the workflow returns when it ends."""

                request_id: str
                status: {theme}Status
                total_cents: int = 0
                finished_at: datetime | None = None
        ''')
        extra = code(f'''
            class {theme}Line(BaseModel):
                """One line of a {lower}, as the upstream system reports it."""

                sku: str = Field(min_length=1)
                quantity: int = Field(default=1, ge=1)
                unit_price_cents: int = Field(default=0, ge=0)

                @property
                def total_cents(self) -> int:
                    return self.quantity * self.unit_price_cents
        ''')
    else:
        header = code(f'''
            """Data types shared by the {lower} workflow, its activities and its starter."""

            from dataclasses import dataclass, field
            from datetime import datetime
            from enum import Enum

            TASK_QUEUE = "{task_queue}"
        ''')
        if retry:
            header = header.replace("\nTASK_QUEUE", "\n" + RETRY_IMPORT + "\nTASK_QUEUE")
        models = code(f'''
            class {theme}Status(str, Enum):
                PENDING = "pending"
                APPROVED = "approved"
                COMPLETED = "completed"
                CANCELLED = "cancelled"


            # Temporal encourages a single dataclass argument: fields can be added to it
            # later without breaking running workflows.
            @dataclass
            class {request_cls}:
                request_id: str
                customer: str
                items: list[str] = field(default_factory=list)
                amount_cents: int = 0
                notes: str | None = None


            @dataclass
            class {theme}Result:
                """What the workflow returns when it ends."""

                request_id: str
                status: {theme}Status
                total_cents: int = 0
                finished_at: datetime | None = None
        ''')
        extra = code(f"""
            @dataclass(frozen=True)
            class {theme}Line:
                sku: str
                quantity: int = 1
                unit_price_cents: int = 0

                @property
                def total_cents(self) -> int:
                    return self.quantity * self.unit_price_cents
        """)
    if retry:
        header = header.replace(
            "from datetime import datetime", "from datetime import datetime, timedelta"
        )
        header += "\n" + RETRY_POLICY.format(attempts=rng.choice([3, 5, 10]))
    parts = [header, models] + ([extra] if rng.random() < 0.6 else [])
    return "\n\n".join(part.rstrip("\n") + "\n" for part in parts)


def render_project_activities(
    rng: random.Random,
    pkg: str,
    names: list[str],
    first_n: int,
    third_party: ThirdParty | None,
) -> str:
    """Activities: the I/O of the project, one of them calling a package that is absent."""
    parts = [render_activity(rng, name, first_n + i) for i, name in enumerate(names)]
    imports = set(ACTIVITY_IMPORTS)
    setup = ""
    if third_party:
        imports |= set(third_party.imports)
        setup = third_party.setup + "\n"
        body = textwrap.indent(third_party.call, "    ")
        parts.append(
            f"@activity.defn\nasync def draft_update_{first_n}(request_id: str) -> str:\n"
            '    """Ask the model for a short status update to send the customer."""\n'
            f'    prompt = f"Write a one-line update for request {{request_id}}."\n{body}'
        )
    stdlib = {line for line in imports if _top_module(line) in sys.stdlib_module_names}
    others = sorted(imports - stdlib, key=lambda line: (line.startswith("from "), line))
    return (
        f'"""Activities of {pkg}: every side effect of its workflows happens here.\n\n'
        "Temporal retries an activity that fails, so each one is safe to run twice.\n"
        '"""\n\n'
        + import_block(stdlib)
        + "\n"
        + "\n".join([*others, "from temporalio import activity"])
        + "\n\n"
        + 'API_BASE = os.environ.get("API_BASE", "https://api.internal")\n'
        + 'OUTBOX = Path(os.environ.get("OUTBOX_DIR", "/tmp/outbox"))\n'
        + setup
        + "\n\n"
        + "\n\n".join(part.rstrip("\n") + "\n" for part in parts)
    )


def _top_module(import_line: str) -> str:
    return import_line.split()[1].split(".")[0]


def render_project_workflows(
    rng: random.Random,
    pkg: str,
    theme: str,
    request_cls: str,
    activities: list[str],
    helpers: tuple[str, str] | None,  # the helpers module's summarizer and ledger class
    pricing: bool,
) -> tuple[str, list[str]]:
    """The project's workflow module and the names of its workflow classes."""
    tag = pkg.replace("/", "_")
    clean_items = f"_clean_items_{tag}"
    imported = sorted(set(rng.sample(activities, k=min(3, len(activities)))))
    classes: list[str] = []
    names: list[str] = []
    previous: str | None = None
    for index in range(rng.choice([1, 1, 1, 2])):
        summarize = f"helpers.{helpers[0]}" if helpers else None
        ledger = f"helpers.{helpers[1]}" if helpers else None
        spec = WorkflowSpec(
            name=f"{theme}Workflow" if index == 0 else f"{theme}FollowUpWorkflow",
            theme=theme,
            request_cls=request_cls,
            clean_items=clean_items,
            activities=imported,
            quote="quote" if pricing else None,
            summarize=summarize,
            ledger=ledger,
            child=previous,
        )
        classes.append(render_workflow_class(rng, spec))
        names.append(spec.name)
        previous = spec.name
    passed = [f"    from {pkg.replace('/', '.')}.activities import {', '.join(imported)}"]
    passed.append(f"    from {pkg.replace('/', '.')}.shared import {request_cls}")
    if helpers:
        passed.append(f"    from {pkg.replace('/', '.')} import helpers")
    if pricing:
        passed.append("    from .pricing import quote")
    source = (
        f'"""The {theme.lower()} workflows of {pkg}."""\n\n'
        "import asyncio\n"
        "import random\n"
        "from datetime import datetime, timedelta\n\n"
        "from temporalio import workflow\n"
        "from temporalio.common import RetryPolicy\n\n"
        "# Activities and models are passed through the sandbox: they are not re-imported for\n"
        "# every workflow run.\n"
        "with workflow.unsafe.imports_passed_through():\n"
        + "\n".join(passed)
        + "\n\n\n"
        + render_clean_items(rng, clean_items)
        + "\n\n"
        + "\n\n".join(classes)
    )
    return source, names


def render_worker(
    rng: random.Random, pkg: str, workflows: list[str], activities: list[str], pydantic: bool
) -> str:
    module = pkg.replace("/", ".")
    converter = ", data_converter=pydantic_data_converter" if pydantic else ""
    converter_import = (
        "from temporalio.contrib.pydantic import pydantic_data_converter\n" if pydantic else ""
    )
    sync_executor = rng.random() < 0.5
    executor = "        activity_executor=ThreadPoolExecutor(5),\n" if sync_executor else ""
    return (
        f'"""Runs a worker for {pkg}; stop it with Ctrl+C."""\n\n'
        "import asyncio\n"
        "import logging\n"
        + ("from concurrent.futures import ThreadPoolExecutor\n" if sync_executor else "")
        + "\n"
        "from temporalio.client import Client\n"
        + converter_import
        + "from temporalio.envconfig import ClientConfig\n"
        "from temporalio.worker import Worker\n\n"
        f"from {module}.activities import (\n"
        + "".join(f"    {name},\n" for name in activities)
        + ")\n"
        f"from {module}.shared import TASK_QUEUE\n"
        f"from {module}.workflows import {', '.join(workflows)}\n\n"
        "interrupt_event = asyncio.Event()\n\n\n"
        "async def main() -> None:\n"
        "    logging.basicConfig(level=logging.INFO)\n"
        "    config = ClientConfig.load_client_connect_config()\n"
        '    config.setdefault("target_host", "localhost:7233")\n'
        f"    client = await Client.connect(**config{converter})\n\n"
        "    # Run the worker until interrupted.\n"
        "    async with Worker(\n"
        "        client,\n"
        "        task_queue=TASK_QUEUE,\n"
        f"        workflows=[{', '.join(workflows)}],\n"
        f"        activities=[{', '.join(activities)}],\n" + executor + "    ):\n"
        '        print("Worker started, ctrl+c to exit")\n'
        "        await interrupt_event.wait()\n"
        '        print("Shutting down")\n\n\n'
        'if __name__ == "__main__":\n'
        "    loop = asyncio.new_event_loop()\n"
        "    try:\n"
        "        loop.run_until_complete(main())\n"
        "    except KeyboardInterrupt:\n"
        "        interrupt_event.set()\n"
        "        loop.run_until_complete(loop.shutdown_asyncgens())\n"
    )


def render_signal_script(pkg: str, theme: str, workflow_cls: str) -> str:
    """A second small client script, as many samples have: act on a running workflow."""
    module = pkg.replace("/", ".")
    return (
        f'"""Approves a running {theme.lower()} workflow and prints its status."""\n\n'
        "import asyncio\n"
        "import sys\n\n"
        "from temporalio.client import Client\n\n"
        f"from {module}.workflows import {workflow_cls}\n\n\n"
        "async def main(workflow_id: str) -> None:\n"
        '    client = await Client.connect("localhost:7233")\n'
        "    handle = client.get_workflow_handle(workflow_id)\n"
        f'    await handle.signal({workflow_cls}.approve, "operator")\n'
        f"    print(await handle.query({workflow_cls}.status))\n\n\n"
        'if __name__ == "__main__":\n'
        "    asyncio.run(main(sys.argv[1]))\n"
    )


def render_starter(
    rng: random.Random, pkg: str, theme: str, workflow_cls: str, request_cls: str, pydantic: bool
) -> str:
    module = pkg.replace("/", ".")
    converter = ", data_converter=pydantic_data_converter" if pydantic else ""
    items = ", ".join(f'"sku-{rng.randint(100, 999)}"' for _ in range(rng.randint(1, 4)))
    return (
        f'"""Starts one {theme.lower()} workflow and prints its result."""\n\n'
        "import asyncio\n"
        "import uuid\n\n"
        "from temporalio.client import Client\n"
        + ("from temporalio.contrib.pydantic import pydantic_data_converter\n" if pydantic else "")
        + "from temporalio.envconfig import ClientConfig\n\n"
        f"from {module}.shared import TASK_QUEUE, {request_cls}\n"
        f"from {module}.workflows import {workflow_cls}\n\n\n"
        "async def main() -> None:\n"
        "    config = ClientConfig.load_client_connect_config()\n"
        '    config.setdefault("target_host", "localhost:7233")\n'
        f"    client = await Client.connect(**config{converter})\n\n"
        f"    request = {request_cls}(\n"
        "        request_id=str(uuid.uuid4()),\n"
        f'        customer="customer-{rng.randint(1, 99)}",\n'
        f"        items=[{items}],\n"
        f"        amount_cents={rng.choice([999, 2500, 12000])},\n"
        "    )\n"
        "    handle = await client.start_workflow(\n"
        f"        {workflow_cls}.run,\n"
        "        request,\n"
        f'        id=f"{theme.lower()}-{{request.request_id}}",\n'
        "        task_queue=TASK_QUEUE,\n"
        "    )\n"
        f'    await handle.signal({workflow_cls}.approve, "starter")\n'
        "    result = await handle.result()\n"
        '    print(f"Result: {result}")\n\n\n'
        'if __name__ == "__main__":\n'
        "    asyncio.run(main())\n"
    )


def render_project_test(
    rng: random.Random,
    pkg: str,
    theme: str,
    workflow_cls: str,
    request_cls: str,
    activities: list[str],
    time_skipping: bool,
    third_party: ThirdParty | None,
) -> str:
    """pytest tests of the project's workflow: fixtures, mocked activities, a test server."""
    module = pkg.replace("/", ".")
    mocked = [f"{name}_mocked" for name in activities]
    mocks = "\n\n".join(
        code(f'''
            @activity.defn(name="{name}")
            async def {name}_mocked(request_id: str) -> str:
                return f"mocked {name} for {{request_id}}"
        ''')
        for name in activities
    )
    request = (
        f'{request_cls}(request_id="req-1", customer="tester", items=["a", "b"], '
        f"amount_cents={rng.choice([100, 500])})"
    )
    body = [
        code(f'''
            """Tests of {pkg}'s {theme.lower()} workflow against a real test server."""

            import uuid
            from datetime import timedelta

            import pytest
            from temporalio import activity
            from temporalio.client import Client, WorkflowFailureError
            from temporalio.testing import WorkflowEnvironment
            from temporalio.worker import Worker

            from {module}.shared import {request_cls}
            from {module}.workflows import {workflow_cls}
        '''),
        mocks,
        *([render_fake_fixture(third_party)] if third_party else []),
        code(f'''
            @pytest.fixture
            def task_queue() -> str:
                return f"tq-{{uuid.uuid4()}}"


            async def test_{theme.lower()}_completes_when_approved(
                client: Client, task_queue: str
            ) -> None:
                """Once approved, the workflow runs its activities and completes."""
                async with Worker(
                    client,
                    task_queue=task_queue,
                    workflows=[{workflow_cls}],
                    activities=[{", ".join(mocked)}],
                ):
                    handle = await client.start_workflow(
                        {workflow_cls}.run,
                        {request},
                        id=f"wf-{{uuid.uuid4()}}",
                        task_queue=task_queue,
                    )
                    await handle.signal({workflow_cls}.approve, "tester")
                    result = await handle.result()
                    assert result["status"] == "completed"
                    assert await handle.query({workflow_cls}.status) == "completed"
        '''),
    ]
    if time_skipping:
        body.append(
            code(f'''
                async def test_{theme.lower()}_expires_without_approval() -> None:
                    """Nobody approves: the time-skipping server fast-forwards to the timeout."""
                    async with await WorkflowEnvironment.start_time_skipping() as env:
                        async with Worker(
                            env.client,
                            task_queue="expiry",
                            workflows=[{workflow_cls}],
                            activities=[{", ".join(mocked)}],
                        ):
                            result = await env.client.execute_workflow(
                                {workflow_cls}.run,
                                {request},
                                id=f"wf-{{uuid.uuid4()}}",
                                task_queue="expiry",
                                execution_timeout=timedelta(days=7),
                            )
                            assert result["status"] == "expired"
            ''')
        )
    if rng.random() < 0.5:
        body.append(
            code(f"""
                async def test_{theme.lower()}_rejects_a_bad_request(
                    client: Client, task_queue: str
                ) -> None:
                    async with Worker(client, task_queue=task_queue, workflows=[{workflow_cls}]):
                        with pytest.raises(WorkflowFailureError):
                            await client.execute_workflow(
                                {workflow_cls}.run,
                                None,
                                id=f"wf-{{uuid.uuid4()}}",
                                task_queue=task_queue,
                                execution_timeout=timedelta(seconds=5),
                            )
            """)
        )
    return "\n\n".join(part.rstrip("\n") + "\n" for part in body)


def render_fake_fixture(third_party: ThirdParty) -> str:
    module, name = third_party.fake
    return code(f'''
        from {module} import {name}  # noqa: E402 (the tests that fake the client need it)


        @pytest.fixture
        def reply_type() -> type:
            """The client's own reply type, so that the fakes keep in step with it."""
            return {name}
    ''')


CONFTEST = code('''
    """Fixtures every test shares: one workflow environment per session and its client."""

    import asyncio
    import sys
    from collections.abc import AsyncGenerator

    import pytest
    import pytest_asyncio
    from temporalio.client import Client
    from temporalio.testing import WorkflowEnvironment


    def pytest_addoption(parser: pytest.Parser) -> None:
        parser.addoption(
            "--workflow-environment",
            default="local",
            help="'local', 'time-skipping', or the address of an existing server",
        )


    @pytest.fixture(scope="session")
    def event_loop():
        # One loop for the whole session: the environment outlives single tests.
        if sys.platform == "win32":
            loop = asyncio.ProactorEventLoop()
        else:
            loop = asyncio.get_event_loop_policy().new_event_loop()
        yield loop
        loop.close()


    @pytest_asyncio.fixture(scope="session")
    async def env(request: pytest.FixtureRequest) -> AsyncGenerator[WorkflowEnvironment, None]:
        env_type = request.config.getoption("--workflow-environment")
        if env_type == "local":
            env = await WorkflowEnvironment.start_local(
                dev_server_extra_args=["--dynamic-config-value", "system.enableNexus=true"]
            )
        elif env_type == "time-skipping":
            env = await WorkflowEnvironment.start_time_skipping()
        else:
            env = WorkflowEnvironment.from_client(await Client.connect(env_type))
        yield env
        await env.shutdown()


    @pytest_asyncio.fixture
    async def client(env: WorkflowEnvironment) -> Client:
        return env.client
''')

TEST_HELPERS = code('''
    """Helpers for the suite-style tests: workers on fresh task queues, eventual asserts."""

    import asyncio
    import uuid
    from collections.abc import Awaitable, Callable, Sequence
    from datetime import timedelta
    from typing import Any, TypeVar

    from temporalio.client import Client, WorkflowHandle
    from temporalio.worker import Worker, WorkflowRunner
    from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

    T = TypeVar("T")


    def new_worker(
        client: Client,
        *workflows: type,
        activities: Sequence[Callable[..., Any]] = (),
        task_queue: str | None = None,
        workflow_runner: WorkflowRunner = SandboxedWorkflowRunner(),
        **kwargs: Any,
    ) -> Worker:
        """A worker on its own task queue, so tests never steal each other's tasks."""
        return Worker(
            client,
            task_queue=task_queue or str(uuid.uuid4()),
            workflows=workflows,
            activities=activities,
            workflow_runner=workflow_runner,
            **kwargs,
        )


    async def assert_eventually(
        fn: Callable[[], Awaitable[T]], *, timeout: timedelta = timedelta(seconds=10)
    ) -> T:
        """Retry an assertion until it passes or the timeout ends."""
        deadline = asyncio.get_running_loop().time() + timeout.total_seconds()
        while True:
            try:
                return await fn()
            except AssertionError:
                if asyncio.get_running_loop().time() >= deadline:
                    raise
                await asyncio.sleep(0.1)


    async def workflow_status(handle: WorkflowHandle[Any, Any]) -> str:
        description = await handle.describe()
        return description.status.name if description.status else "UNKNOWN"
''')


# Small workflows with the test that runs each, as the SDK's own test modules hold hundreds.
SUITE_CASES: list[str] = [
    '''
    @workflow.defn
    class SignalCounter{n}:
        """Counts signals until a limit is reached."""

        def __init__(self) -> None:
            self._count = 0

        @workflow.run
        async def run(self, limit: int) -> int:
            await workflow.wait_condition(lambda: self._count >= limit)
            return self._count

        @workflow.signal
        def bump(self) -> None:
            self._count += 1


    async def test_signal_counter_{n}(client: Client) -> None:
        async with new_worker(client, SignalCounter{n}) as worker:
            handle = await client.start_workflow(
                SignalCounter{n}.run, 3, id=f"wf-{{uuid.uuid4()}}", task_queue=worker.task_queue
            )
            for _ in range(3):
                await handle.signal(SignalCounter{n}.bump)
            assert await handle.result() == 3
    ''',
    '''
    @activity.defn
    async def flaky_{n}(attempts_needed: int) -> str:
        """Fails until its attempt number reaches `attempts_needed`."""
        attempt = activity.info().attempt
        if attempt < attempts_needed:
            raise ApplicationError(f"attempt {{attempt}} failed")
        return f"succeeded on attempt {{attempt}}"


    @workflow.defn
    class RetryingWorkflow{n}:
        @workflow.run
        async def run(self, attempts_needed: int) -> str:
            return await workflow.execute_activity(
                flaky_{n},
                attempts_needed,
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=1)),
            )


    async def test_activity_retries_{n}(client: Client) -> None:
        async with new_worker(client, RetryingWorkflow{n}, activities=[flaky_{n}]) as worker:
            result = await client.execute_workflow(
                RetryingWorkflow{n}.run, 3, id=f"wf-{{uuid.uuid4()}}", task_queue=worker.task_queue
            )
            assert result == "succeeded on attempt 3"
    ''',
    '''
    @workflow.defn
    class ChildOf{n}:
        @workflow.run
        async def run(self, name: str) -> str:
            return f"child says hello to {{name}}"


    @workflow.defn
    class ParentOf{n}:
        """Starts a child and waits for it."""

        @workflow.run
        async def run(self, name: str) -> str:
            return await workflow.execute_child_workflow(
                ChildOf{n}.run, name, id=f"{{workflow.info().workflow_id}}-child"
            )


    async def test_child_workflow_{n}(client: Client) -> None:
        async with new_worker(client, ParentOf{n}, ChildOf{n}) as worker:
            result = await client.execute_workflow(
                ParentOf{n}.run, "temporal", id=f"wf-{{uuid.uuid4()}}", task_queue=worker.task_queue
            )
            assert result == "child says hello to temporal"
    ''',
    '''
    @workflow.defn
    class UpdatableCounter{n}:
        def __init__(self) -> None:
            self._value = 0
            self._done = False

        @workflow.run
        async def run(self) -> int:
            await workflow.wait_condition(lambda: self._done)
            return self._value

        @workflow.update
        def add(self, amount: int) -> int:
            """Add to the counter and return the new value."""
            self._value += amount
            return self._value

        @add.validator
        def validate_add(self, amount: int) -> None:
            if amount <= 0:
                raise ValueError("amount must be positive")

        @workflow.signal
        def finish(self) -> None:
            self._done = True


    async def test_update_{n}(client: Client) -> None:
        async with new_worker(client, UpdatableCounter{n}) as worker:
            handle = await client.start_workflow(
                UpdatableCounter{n}.run, id=f"wf-{{uuid.uuid4()}}", task_queue=worker.task_queue
            )
            assert await handle.execute_update(UpdatableCounter{n}.add, 5) == 5
            with pytest.raises(WorkflowUpdateFailedError):
                await handle.execute_update(UpdatableCounter{n}.add, -1)
            await handle.signal(UpdatableCounter{n}.finish)
            assert await handle.result() == 5
    ''',
    '''
    @workflow.defn
    class SleepyWorkflow{n}:
        """Sleeps on a durable timer, then reports how long it waited."""

        @workflow.run
        async def run(self, seconds: float) -> float:
            started = workflow.now()
            await workflow.sleep(timedelta(seconds=seconds))
            return (workflow.now() - started).total_seconds()


    async def test_timer_{n}() -> None:
        async with await WorkflowEnvironment.start_time_skipping() as env:
            async with new_worker(env.client, SleepyWorkflow{n}) as worker:
                waited = await env.client.execute_workflow(
                    SleepyWorkflow{n}.run,
                    3600.0,
                    id=f"wf-{{uuid.uuid4()}}",
                    task_queue=worker.task_queue,
                )
                assert waited >= 3600.0
    ''',
    """
    @workflow.defn
    class QueryableWorkflow{n}:
        def __init__(self) -> None:
            self._greetings: list[str] = []

        @workflow.run
        async def run(self, names: list[str]) -> list[str]:
            for name in names:
                self._greetings.append(f"hello {{name}}")
                await workflow.sleep(0.01)
            return self._greetings

        @workflow.query
        def greetings(self) -> list[str]:
            return list(self._greetings)


    async def test_query_{n}(client: Client) -> None:
        async with new_worker(client, QueryableWorkflow{n}) as worker:
            handle = await client.start_workflow(
                QueryableWorkflow{n}.run,
                ["a", "b", "c"],
                id=f"wf-{{uuid.uuid4()}}",
                task_queue=worker.task_queue,
            )
            await handle.result()
            assert await handle.query(QueryableWorkflow{n}.greetings) == [
                "hello a",
                "hello b",
                "hello c",
            ]
    """,
]

SUITE_HEADER = code('''
    """{title}"""

    import asyncio
    import uuid
    from datetime import timedelta

    import pytest
    from temporalio import activity, workflow
    from temporalio.client import Client, WorkflowUpdateFailedError
    from temporalio.common import RetryPolicy
    from temporalio.exceptions import ApplicationError
    from temporalio.testing import WorkflowEnvironment

    from tests.helpers import assert_eventually, new_worker
''')


# The comments that precede tests in long suites: why the test exists, what it guards.
SUITE_NOTES: list[tuple[str, ...]] = [
    ("Regression test: a signal that arrived before the first workflow task was dropped.",),
    (
        "Runs against the dev server by default; pass --workflow-environment time-skipping",
        "to run it in a fraction of the time.",
    ),
    ("Keep this workflow small: other tests copy it as a template.",),
    (
        "The worker is created per test so that a failure here cannot leave tasks behind",
        "for the next test on the same task queue.",
        "See new_worker in tests/helpers.",
    ),
    ("Checks the behaviour users rely on in production, not an implementation detail.",),
    (),
]


def render_suite_module(rng: random.Random, counter: Iterator[int], cases: int) -> str:
    """An SDK-style test module: many small workflows, each with the test that runs it."""
    title = rng.choice(
        ["Workflow behaviour end to end.", "Signals, updates and timers.", "Worker features."]
    )
    parts = [SUITE_HEADER.format(title=title)]
    for _ in range(cases):
        note = "".join(f"# {line}\n" for line in rng.choice(SUITE_NOTES))
        parts.append(note + code(rng.choice(SUITE_CASES).format(n=next(counter))))
    return "\n\n".join(part.rstrip("\n") + "\n" for part in parts)


HELLO_FEATURES: dict[str, str] = {
    "activity": """
        @workflow.run
        async def run(self, name: str) -> str:
            workflow.logger.info("Running workflow with parameter %s", name)
            return await workflow.execute_activity(
                compose_greeting_{n},
                GreetingInput{n}("Hello", name),
                start_to_close_timeout=timedelta(seconds=10),
            )
    """,
    "signal": """
        def __init__(self) -> None:
            self._pending: asyncio.Queue[str] = asyncio.Queue()
            self._exit = False

        @workflow.run
        async def run(self, name: str) -> str:
            greetings: list[str] = []
            while True:
                # Wait for a greeting or the exit signal.
                await workflow.wait_condition(lambda: not self._pending.empty() or self._exit)
                while not self._pending.empty():
                    greetings.append(
                        await workflow.execute_activity(
                            compose_greeting_{n},
                            GreetingInput{n}(self._pending.get_nowait(), name),
                            start_to_close_timeout=timedelta(seconds=5),
                        )
                    )
                if self._exit:
                    return ", ".join(greetings)

        @workflow.signal
        async def submit_greeting(self, greeting: str) -> None:
            await self._pending.put(greeting)

        @workflow.signal
        def exit(self) -> None:
            self._exit = True
    """,
    "query": '''
        def __init__(self) -> None:
            self._greeting = ""

        @workflow.run
        async def run(self, name: str) -> str:
            self._greeting = await workflow.execute_activity(
                compose_greeting_{n},
                GreetingInput{n}("Hello", name),
                start_to_close_timeout=timedelta(seconds=10),
            )
            await workflow.sleep(2)
            return self._greeting

        @workflow.query
        def greeting(self) -> str:
            """The greeting so far; queries never change the workflow's state."""
            return self._greeting
    ''',
    "parallel": """
        @workflow.run
        async def run(self, name: str) -> str:
            # Start several activities at once and wait for all of them.
            results = await asyncio.gather(
                *(
                    workflow.execute_activity(
                        compose_greeting_{n},
                        GreetingInput{n}(greeting, name),
                        start_to_close_timeout=timedelta(seconds=5),
                    )
                    for greeting in ("Hello", "Bonjour", "Hallo", "Hola")
                )
            )
            return "; ".join(sorted(results))
    """,
    "child": """
        @workflow.run
        async def run(self, name: str) -> str:
            greeting = await workflow.execute_activity(
                compose_greeting_{n},
                GreetingInput{n}("Hello", name),
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=RetryPolicy(maximum_attempts=3),
            )
            if workflow.info().continued_run_id is None and workflow.patched("greet-twice"):
                greeting += "!"
            return greeting
    """,
}

HELLO_MODULE = '''
    """Hello sample: {feature}. Run a dev server (`temporal server start-dev`), then this file."""

    import asyncio
    from dataclasses import dataclass
    from datetime import timedelta

    from temporalio import activity, workflow
    from temporalio.client import Client
    from temporalio.common import RetryPolicy
    from temporalio.envconfig import ClientConfig
    from temporalio.worker import Worker


    # While we could use multiple parameters in the activity, Temporal strongly encourages
    # a single dataclass instead, which can have fields added to it compatibly.
    @dataclass
    class GreetingInput{n}:
        greeting: str
        name: str


    @activity.defn
    async def compose_greeting_{n}(input: GreetingInput{n}) -> str:
        """Basic activity that logs and concatenates strings."""
        activity.logger.info("Running activity with parameter %s", input)
        return f"{{input.greeting}}, {{input.name}}!"


    @workflow.defn
    class Greeting{title}Workflow{n}:
        """Greets someone, the {feature} way."""

{body}

    async def main() -> None:
        config = ClientConfig.load_client_connect_config()
        config.setdefault("target_host", "localhost:7233")
        client = await Client.connect(**config)

        # Run a worker for the workflow while the client runs it.
        async with Worker(
            client,
            task_queue="hello-{feature}-task-queue",
            workflows=[Greeting{title}Workflow{n}],
            activities=[compose_greeting_{n}],
        ):
            result = await client.execute_workflow(
                Greeting{title}Workflow{n}.run,
                "World",
                id="hello-{feature}-workflow-id",
                task_queue="hello-{feature}-task-queue",
            )
            print(f"Result: {{result}}")


    if __name__ == "__main__":
        asyncio.run(main())
'''


def render_hello_module(rng: random.Random, n: int) -> str:
    """A one-file sample (samples-python's hello/): input, activity, workflow and main."""
    feature = rng.choice(sorted(HELLO_FEATURES))
    body = textwrap.indent(code(HELLO_FEATURES[feature].format(n=n)), " " * 8)
    return code(HELLO_MODULE.format(n=n, feature=feature, title=feature.capitalize(), body=body))


# ---------------------------------------------------------------------------
# Corpus builder
# ---------------------------------------------------------------------------

KINDS = ("workflow", "activity", "model", "helper", "script", "test", "plain")


@dataclass
class Corpus:
    root: Path
    target: int  # lines asked for; the real count overshoots by up to one project
    files: int = 0
    lines_by_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    files_by_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

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


# How often a project has each optional part. Tuned so that the generated corpus measures like
# samples-python and the SDK's tests (print_shapes shows them side by side).
PYDANTIC_SHARE = 0.35
THIRD_PARTY_SHARE = 0.7
HELPERS_SHARE = 0.4  # a helpers module with determinism mistakes, some two modules away
HELPERS_TEMPORAL_SHARE = 0.7  # ... that raises ApplicationError, so it mentions temporalio
PRICING_SHARE = 0.15
TIME_SKIPPING_SHARE = 0.35
SIGNAL_SCRIPT_SHARE = 0.5  # a second client script
PLAIN_MODULE_SHARE = 0.15  # a utility module that never mentions temporalio
HELLO_EVERY = 3  # one single-file sample per this many projects
SUITE_EVERY = 10  # one SDK-style test module (hundreds of lines) per this many projects


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
        self._add("tests/__init__.py", "", "test")
        self._add("tests/conftest.py", CONFTEST, "test")
        self._add("tests/helpers/__init__.py", TEST_HELPERS, "test")
        self._add("hello/__init__.py", "", "plain")
        project_no = 0
        while self.corpus.lines < self.target:
            self._add_project(project_no)
            project_no += 1
        return self.corpus

    def _add(self, relpath: str, source: str, kind: str) -> None:
        lines = write_module(self.corpus.root / relpath, source)
        self.corpus.files += 1
        self.corpus.lines_by_kind[kind] += lines
        self.corpus.files_by_kind[kind] += 1

    def _add_project(self, number: int) -> None:
        rng = self.rng
        theme = rng.choice(THEMES)
        pkg = f"{theme.lower()}_{number}"
        request_cls = f"{theme}Request"
        pydantic = rng.random() < PYDANTIC_SHARE
        third_party = rng.choice(ABSENT_PACKAGES) if rng.random() < THIRD_PARTY_SHARE else None
        init = "" if rng.random() < 0.75 else f'"""The {theme.lower()} sample."""\n'
        self._add(f"{pkg}/__init__.py", init, "plain")
        task_queue = f"{pkg.replace('_', '-')}-task-queue"
        models = render_models_module(rng, theme, request_cls, task_queue, pydantic)
        self._add(f"{pkg}/shared.py", models, "model")

        first_n = next(self.counter)
        activities = rng.sample(ACTIVITY_VERBS, k=rng.randint(2, 4))
        source = render_project_activities(rng, pkg, activities, first_n, third_party)
        self._add(f"{pkg}/activities.py", source, "activity")

        helpers = None
        if rng.random() < HELPERS_SHARE:
            snippets = pick_snippets(rng, rng.randint(3, 6), self.counter)
            summarize, ledger = f"summarize_{theme.lower()}", f"{theme}Ledger"
            source = render_helpers_module(
                rng,
                snippets,
                pkg,
                [summarize],
                ledger,
                application_error=rng.random() < HELPERS_TEMPORAL_SHARE,
            )
            self._add(f"{pkg}/helpers.py", source, "helper")
            helpers = (summarize, ledger)
        pricing = rng.random() < PRICING_SHARE
        if pricing:
            snippets = pick_snippets(rng, rng.randint(2, 4), self.counter)
            self._add(f"{pkg}/pricing.py", render_pricing_module(rng, snippets, pkg), "helper")

        source, workflows = render_project_workflows(
            rng, pkg, theme, request_cls, activities, helpers, pricing
        )
        self._add(f"{pkg}/workflows.py", source, "workflow")
        worker = render_worker(rng, pkg, workflows, activities, pydantic)
        self._add(f"{pkg}/{rng.choice(['worker', 'run_worker'])}.py", worker, "script")
        starter = render_starter(rng, pkg, theme, workflows[0], request_cls, pydantic)
        self._add(f"{pkg}/{rng.choice(['starter', 'run_workflow'])}.py", starter, "script")
        if rng.random() < SIGNAL_SCRIPT_SHARE:
            script = render_signal_script(pkg, theme, workflows[0])
            self._add(f"{pkg}/send_approval.py", script, "script")
        if rng.random() < PLAIN_MODULE_SHARE:
            name = rng.choice(PLAIN_MODULE_NAMES)
            title = f"{name.replace('_', ' ').capitalize()} for the {theme.lower()} sample."
            source = render_plain_module(rng, self.counter, title, (1, 3))
            self._add(f"{pkg}/{name}.py", source, "plain")

        self._add(f"tests/{pkg}/__init__.py", "", "test")
        time_skipping = rng.random() < TIME_SKIPPING_SHARE
        test = render_project_test(
            rng, pkg, theme, workflows[0], request_cls, activities, time_skipping, third_party
        )
        self._add(f"tests/{pkg}/workflow_test.py", test, "test")
        if number % HELLO_EVERY == 0:
            n = next(self.counter)
            self._add(f"hello/hello_{n}.py", render_hello_module(rng, n), "workflow")
        if number % SUITE_EVERY == SUITE_EVERY - 1:
            source = render_suite_module(rng, self.counter, rng.randint(6, 24))
            self._add(f"tests/{pkg}/test_suite.py", source, "test")


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
    while joined().count("\n") < target_lines - 120:  # a workflow class is up to ~110 lines
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
# Shape of a tree: what makes linting it cost what it costs
# ---------------------------------------------------------------------------


def python_files(root: Path) -> tuple[list[Path], int]:
    """The .py files temporal-pro reads under `root` (sorted), and how many more temporalint
    reads (those under the folders temporal-pro skips by default)."""
    found: list[Path] = []
    hidden = 0
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        if any(part in EXCLUDED_FOLDERS for part in Path(folder).relative_to(root).parts):
            hidden += sum(1 for name in names if name.endswith(".py"))
            continue
        found += [Path(folder, name) for name in sorted(names) if name.endswith(".py")]
    return found, hidden


@dataclass
class Shape:
    """What a tree holds, measured the same way for the generated corpus and a real tree."""

    root: Path
    files: int = 0
    lines: int = 0
    size: int = 0  # bytes
    temporal_files: int = 0  # files whose text mentions temporalio, as the linter decides
    temporal_lines: int = 0
    temporal_chars: int = 0  # what temporal-pro compares with its parallel threshold
    workflow_files: int = 0  # files with a @workflow.defn
    # Characters of the files that mention temporalio, per folder: temporal-pro analyzes a
    # folder at a time, so its largest folder sets how many trees are alive at once.
    temporal_chars_by_folder: Counter[Path] = field(default_factory=Counter)
    file_lines: list[int] = field(default_factory=list)
    blank_lines: int = 0
    comment_lines: int = 0
    nodes: int = 0  # AST nodes
    docstring_lines: int = 0
    functions: int = 0
    pydantic_models: int = 0  # classes deriving from BaseModel
    test_files: int = 0  # test_*.py, *_test.py, conftest.py
    harness_files: int = 0  # files using WorkflowEnvironment
    imports: int = 0  # absolute imports, one per module named
    absent_imports: int = 0  # ... of a package that is neither stdlib, in the tree nor installed
    syntax_errors: int = 0
    hidden: int = 0  # .py files under folders temporal-pro skips, which temporalint reads

    def quantile(self, share: float) -> int:
        ordered = sorted(self.file_lines) or [0]
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure_shape(root: Path) -> Shape:
    files, hidden = python_files(root)
    shape = Shape(root, hidden=hidden)
    local = {part.removesuffix(".py") for path in files for part in path.relative_to(root).parts}
    installed: dict[str, bool] = {}

    def on_disk(name: str) -> bool:
        if name not in installed:
            present = name in sys.stdlib_module_names or name in local or name == "__future__"
            if not present:
                try:  # finds the top-level package on sys.path without importing it
                    present = importlib.util.find_spec(name) is not None
                except (ImportError, ValueError):
                    present = False
            installed[name] = present
        return installed[name]

    for path in files:
        data = path.read_bytes()
        text = data.decode("utf-8", "replace")
        lines = text.count("\n") + (1 if text and not text.endswith("\n") else 0)
        shape.files += 1
        shape.lines += lines
        shape.size += len(data)
        shape.file_lines.append(lines)
        for line in text.splitlines():
            stripped = line.strip()
            shape.blank_lines += not stripped
            shape.comment_lines += stripped.startswith("#")
        if "temporalio" in text:
            shape.temporal_files += 1
            shape.temporal_lines += lines
            shape.temporal_chars += len(text)
            shape.temporal_chars_by_folder[path.parent] += len(text)
        name = path.name
        if name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py":
            shape.test_files += 1
        if "WorkflowEnvironment" in text:
            shape.harness_files += 1
        try:
            tree = ast.parse(data, str(path))
        except (SyntaxError, ValueError):
            shape.syntax_errors += 1
            continue
        if any(_is_workflow_class(node) for node in ast.walk(tree)):
            shape.workflow_files += 1
        _count_nodes(tree, shape, on_disk)
    return shape


def _is_workflow_class(node: ast.AST) -> bool:
    return isinstance(node, ast.ClassDef) and any(
        "workflow.defn" in ast.unparse(decorator) for decorator in node.decorator_list
    )


def _count_nodes(tree: ast.Module, shape: Shape, on_disk: Callable[[str], bool]) -> None:
    for node in ast.walk(tree):
        shape.nodes += 1
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            if not isinstance(node, ast.Module):
                shape.functions += not isinstance(node, ast.ClassDef)
            if isinstance(node, ast.ClassDef) and any(
                (isinstance(base, ast.Name) and base.id == "BaseModel")
                or (isinstance(base, ast.Attribute) and base.attr == "BaseModel")
                for base in node.bases
            ):
                shape.pydantic_models += 1
            if ast.get_docstring(node, clean=False) is not None:
                first = node.body[0]
                shape.docstring_lines += (first.end_lineno or first.lineno) - first.lineno + 1
        elif isinstance(node, ast.Import):
            for alias in node.names:
                shape.imports += 1
                shape.absent_imports += not on_disk(alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            shape.imports += 1
            shape.absent_imports += not on_disk(node.module.split(".")[0])


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


SHAPE_ROWS: list[tuple[str, Callable[[Shape], str]]] = [
    ("files", lambda s: f"{s.files:,}"),
    ("lines", lambda s: f"{s.lines:,}"),
    ("size", lambda s: f"{s.size / 1e6:.2f} MB"),
    (
        "files mentioning temporalio",
        lambda s: f"{s.temporal_files} ({_share(s.temporal_files, s.files)})",
    ),
    ("  their share of the lines", lambda s: _share(s.temporal_lines, s.lines)),
    ("files with a @workflow.defn", lambda s: _share(s.workflow_files, s.files)),
    ("lines per file: median", lambda s: f"{s.quantile(0.5)}"),
    ("  mean", lambda s: f"{s.lines / max(s.files, 1):.0f}"),
    ("  90th percentile", lambda s: f"{s.quantile(0.9)}"),
    ("  largest", lambda s: f"{max(s.file_lines, default=0):,}"),
    ("blank lines", lambda s: f"{s.blank_lines / max(s.lines, 1):.1%}"),
    ("comment lines", lambda s: f"{s.comment_lines / max(s.lines, 1):.1%}"),
    (
        "largest folder (temporalio files)",
        lambda s: f"{max(s.temporal_chars_by_folder.values(), default=0) / 1000:.0f} KB",
    ),
    ("AST nodes per line", lambda s: f"{s.nodes / max(s.lines, 1):.2f}"),
    ("docstring lines", lambda s: f"{s.docstring_lines / max(s.lines, 1):.1%}"),
    ("functions per 100 lines", lambda s: f"{100 * s.functions / max(s.lines, 1):.1f}"),
    ("pydantic models per 10 files", lambda s: f"{10 * s.pydantic_models / max(s.files, 1):.2f}"),
    ("test files", lambda s: _share(s.test_files, s.files)),
    ("files using WorkflowEnvironment", lambda s: _share(s.harness_files, s.files)),
    ("imports per file", lambda s: f"{s.imports / max(s.files, 1):.1f}"),
    ("  of packages not installed", lambda s: f"{s.absent_imports / max(s.imports, 1):.1%}"),
]


def print_shapes(columns: list[tuple[str, Shape]]) -> None:
    """The shapes side by side, one column a tree."""
    width = max(14, *(len(label) + 2 for label, _ in columns))
    print(
        "\nshape of the trees (the files temporal-pro reads; installed means importable by "
        f"{sys.executable})"
    )
    print(f"  {'':<31}" + "".join(f"{label:>{width}}" for label, _ in columns))
    for name, value in SHAPE_ROWS:
        print(f"  {name:<31}" + "".join(f"{value(shape):>{width}}" for _, shape in columns))
    for label, shape in columns:
        if shape.syntax_errors:
            print(f"  {label}: {shape.syntax_errors} files do not parse with this Python")
        if shape.hidden:
            print(
                f"  {label}: {shape.hidden} more .py files lie under folders temporal-pro skips "
                f"({', '.join(EXCLUDED_FOLDERS[:3])}, ...); temporalint reads them too"
            )


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


# Runs argv[2:] and writes its wall time, peak resident memory and exit code to argv[1]. The
# bench's own process is large (it holds the corpus), and a child's maxrss starts from the
# resident size of the process it was forked from, kept across exec: so every command is
# spawned by this small interpreter instead, and its peak is its own (the launcher's ~10 MB is
# the lowest peak it can report). posix_spawn shares the launcher's memory until exec.
LAUNCHER_SCRIPT = """
import os, sys, time
report, argv = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, os.environ)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
with open(report, "w") as handle:
    handle.write(f"{elapsed!r} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def run_child(
    argv: list[str], cwd: Path, env: dict[str, str] | None
) -> tuple[subprocess.CompletedProcess[str], float, int]:
    """Run a command to its end: its result, wall seconds and peak resident memory (KB).

    The memory is the child's own maxrss from wait4 (getrusage(RUSAGE_CHILDREN) keeps the
    largest child so far, which would credit one command with another's peak); the time runs
    from spawn to exit. Output goes to files, so no pipe has to be drained meanwhile.
    """
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory(prefix="lint-bench-run-") as scratch,
    ):
        report = Path(scratch) / "report"
        launcher = [sys.executable, "-I", "-S", "-c", LAUNCHER_SCRIPT, str(report), *argv]
        done = subprocess.run(
            launcher, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
        )
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        try:
            elapsed, peak, code = report.read_text().split()
        except (OSError, ValueError):  # the launcher could not start the command
            return subprocess.CompletedProcess(argv, done.returncode or 127, stdout, stderr), 0.0, 0
    # ru_maxrss is in bytes on macOS, in KB elsewhere.
    peak_kb = int(peak) // 1024 if sys.platform == "darwin" else int(peak)
    return subprocess.CompletedProcess(argv, int(code), stdout, stderr), float(elapsed), peak_kb


@dataclass
class Case:
    """One command timed as a whole process: wall clock and the child's peak memory."""

    label: str
    argv: list[str]
    cwd: Path
    check: Callable[[subprocess.CompletedProcess[str]], str | None]
    env: dict[str, str] | None = None
    times: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)  # KB, one per timed run
    error: str | None = None
    stdout: str = ""
    outputs: dict[str, str] = field(default_factory=dict)  # every distinct stdout, by digest

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def peak_best(self) -> float:
        """The lowest peak of the timed runs, MB (memory, like time, only gains noise)."""
        return min(self.peaks) / 1024

    @property
    def peak_median(self) -> float:
        return statistics.median(self.peaks) / 1024

    def run(self) -> None:
        proc, elapsed, peak = run_child(self.argv, self.cwd, self.env)
        self.error = self.check(proc)
        self.stdout = proc.stdout
        if self.error is None:
            self.times.append(elapsed)
            self.peaks.append(peak)
            digest = hashlib.sha1(proc.stdout.encode(), usedforsecurity=False).hexdigest()
            self.outputs.setdefault(digest, proc.stdout)

    def forget_timings(self) -> None:
        self.times.clear()
        self.peaks.clear()


def measure(cases: list[Case], repeat: int) -> None:
    """An untimed warm-up (which also validates), then `repeat` interleaved rounds.

    Interleaving spreads machine noise over all cases alike instead of letting a slow
    minute land on one of them, which keeps the ratios between them honest.
    """
    for case in cases:
        case.run()
        case.forget_timings()
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


def linter_edited_since(moment_ns: int) -> bool:
    """Whether a file of the linter changed after `moment_ns`: the cache key includes them."""
    package = REPO_ROOT / "mcp_server"
    return any(
        path.stat().st_mtime_ns > moment_ns
        for path in package.rglob("*")
        if path.suffix in (".py", ".json")
    )


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
    primed_at: int = 0  # time.time_ns() before the priming run

    def prime(self, case: Case) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)
        self.primed_at = time.time_ns()
        case.run()  # a failure is reported by measure(), which runs the case again
        case.forget_timings()
        self.primed = cache_entries(self.directory) if self.directory.is_dir() else {}

    def check(self, case: Case) -> CacheCheck:
        if not ok(case):
            return CacheCheck(None, "n/a: the warm command did not run")
        if not self.primed:
            return CacheCheck(False, f"the priming run left no entry in {self.directory}")
        if cache_entries(self.directory) != self.primed:
            reason = "an entry was written after priming: a timed run missed"
            if linter_edited_since(self.primed_at):
                reason += " (mcp_server/ was edited meanwhile, and the key includes its files)"
            return CacheCheck(False, reason)
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
# Trees: the commands timed on one tree, and the ratios between them
# ---------------------------------------------------------------------------


@dataclass
class Floor:
    """One line of the summary: a ratio and its floor from issue 15, or a number without one."""

    name: str
    tree: str  # where it was measured
    measured: str | None  # None when a tool it needs did not run
    floor: str  # "" for a number reported without a floor
    passed: bool | None  # None: n/a, or no floor


@dataclass
class Tools:
    temporalint: list[str] | None
    pro: Launcher | None


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
        print(f"temporalint: {' '.join(temporalint)} TREE  (run from inside TREE)")
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
        "(--no-cache --jobs 1 | --no-cache --jobs 2 | --cache-dir DIR) --format json TREE"
    )
    return Tools(temporalint, pro)


@dataclass
class TreeRun:
    """The commands timed on one tree, in interleaved rounds."""

    label: str
    shape: Shape
    cache: WarmCache
    floor: Case
    temporalint: Case | None = None
    cold: Case | None = None  # --no-cache --jobs 1
    parallel: Case | None = None  # --no-cache --jobs 2
    warm: Case | None = None  # --cache-dir, after a priming run
    small: Case | None = None  # cold --jobs 1 on the corpus ten times smaller (generated only)

    def cases(self) -> list[Case]:
        every = [self.floor, self.temporalint, self.cold, self.parallel, self.warm, self.small]
        return [case for case in every if case is not None]

    def pro_reports(self) -> list[Case]:
        """The commands whose reports must be byte-identical."""
        return [case for case in (self.cold, self.parallel, self.warm) if ok(case)]


def tree_run(tools: Tools, label: str, shape: Shape, cache_dir: Path) -> TreeRun:
    root = shape.root
    floor_argv = [sys.executable, "-c", AST_FLOOR_SCRIPT, str(root), *EXCLUDED_FOLDERS]
    run = TreeRun(
        label,
        shape,
        WarmCache(cache_dir),
        Case("ast.parse, one process", floor_argv, root, zero_exit),
    )
    if tools.temporalint:
        run.temporalint = linter_case(
            "temporalint", [*tools.temporalint, str(root)], root, json_output=False
        )
    if tools.pro:
        cold = ["--no-cache", "--jobs", "1"]
        run.cold = pro_case(tools.pro, "temporal-pro cold --jobs 1", cold, root)
        two = ["--no-cache", "--jobs", "2"]
        run.parallel = pro_case(tools.pro, "temporal-pro cold --jobs 2", two, root)
        warm = ["--cache-dir", str(cache_dir)]
        run.warm = pro_case(tools.pro, "temporal-pro warm", warm, root)
    return run


def time_tree(run: TreeRun, repeat: int, failures: list[str]) -> None:
    shape = run.shape
    print(
        f"\ntiming {run.label} ({shape.lines:,} lines in {shape.files:,} files, {shape.root}), "
        f"best of {repeat} after a warm-up ..."
    )
    if run.warm:
        print(f"  priming the cache in {run.cache.directory} (untimed) ...")
        run.cache.prime(run.warm)
    measure(run.cases(), repeat)
    for case in run.cases():
        if case.error:
            failures.append(f"{case.label} failed on {run.label}")
    print(
        f"  {'command':<{LABEL_WIDTH}} {'best s':>7} {'median s':>9} {'lines/s':>10}"
        f"  {'peak MB (best/median)':<21}  report"
    )
    for case in run.cases():
        if not ok(case) or case is run.small:
            continue
        if case is run.floor:
            extra = f"{shape.files:,} files parsed"
        else:
            extra = count_findings(case, json_output=case is not run.temporalint)
        peaks = f"{case.peak_best:.0f} / {case.peak_median:.0f}"
        print(
            f"  {case.label:<{LABEL_WIDTH}} {case.best:7.3f} {case.median:9.3f} "
            f"{shape.lines / case.best:>10,.0f}  {peaks:<21}  {extra}"
        )


@dataclass
class Ratios:
    """Every ratio of one tree; None when a command it needs did not run."""

    cold_vs_temporalint: float | None = None  # time, cold --jobs 1 / temporalint
    cold_vs_ast: float | None = None  # time, cold --jobs 1 / ast.parse
    temporalint_vs_ast: float | None = None
    warm_speedup: float | None = None  # temporalint time / warm time
    cold_vs_warm: float | None = None  # cold --jobs 1 time / warm time
    memory_vs_temporalint: float | None = None  # peak, cold --jobs 1 / temporalint
    parallel_speedup: float | None = None  # cold --jobs 1 time / cold --jobs 2 time
    identical: bool | None = None
    cache: CacheCheck = field(default_factory=lambda: CacheCheck(None, "n/a"))


def ratios_of(run: TreeRun) -> Ratios:
    ratios = Ratios()
    cold, reference, floor, warm = run.cold, run.temporalint, run.floor, run.warm
    if ok(cold) and ok(reference):
        ratios.cold_vs_temporalint = cold.best / reference.best
        ratios.memory_vs_temporalint = cold.peak_best / reference.peak_best
    if ok(cold) and ok(floor):
        ratios.cold_vs_ast = cold.best / floor.best
    if ok(reference) and ok(floor):
        ratios.temporalint_vs_ast = reference.best / floor.best
    if ok(warm):
        if ok(reference):
            ratios.warm_speedup = reference.best / warm.best
        if ok(cold):
            ratios.cold_vs_warm = cold.best / warm.best
    if ok(cold) and ok(run.parallel):
        ratios.parallel_speedup = cold.best / run.parallel.best
    reports = run.pro_reports()
    if len(reports) >= 2:
        ratios.identical = len({digest for case in reports for digest in case.outputs}) == 1
    if warm:
        ratios.cache = run.cache.check(warm)
    return ratios


def _number(value: float | None, suffix: str = "") -> str:
    return "n/a" if value is None else f"{value:.2f}{suffix}"


def print_ratios(runs: list[TreeRun], all_ratios: list[Ratios]) -> None:
    width = max(12, *(len(run.label) + 2 for run in runs))
    print("\nratios (best time and best peak of each command; for a time ratio, < 1 means faster)")
    print(f"  {'':<44}" + "".join(f"{run.label:>{width}}" for run in runs) + "   floor")
    rows: list[tuple[str, Callable[[Ratios], str], str]] = [
        (
            "cold --jobs 1 / temporalint, time",
            lambda r: _number(r.cold_vs_temporalint),
            f"<= {FLOOR_COLD_VS_TEMPORALINT:.2f} on a real tree; "
            f"<= {1 / FLOOR_GENERATED_SPEEDUP:.2f} (2x faster) on the generated corpus",
        ),
        (
            "cold --jobs 1 / ast.parse, time",
            lambda r: _number(r.cold_vs_ast),
            f"<= {FLOOR_COLD_VS_AST:.2f}",
        ),
        (
            "temporalint / ast.parse, time",
            lambda r: _number(r.temporalint_vs_ast),
            "(for information: how much of temporalint is parsing)",
        ),
        (
            "temporalint / warm, time",
            lambda r: _number(r.warm_speedup, "x"),
            f">= {FLOOR_WARM_SPEEDUP:.0f}x",
        ),
        (
            "cold --jobs 1 / warm, time",
            lambda r: _number(r.cold_vs_warm, "x"),
            "(for information)",
        ),
        (
            "cold --jobs 1 / temporalint, peak memory",
            lambda r: _number(r.memory_vs_temporalint),
            f"<= {FLOOR_MEMORY_VS_TEMPORALINT:.2f}",
        ),
        (
            "--jobs 2 speed-up over --jobs 1",
            lambda r: _number(r.parallel_speedup, "x"),
            "no floor (two vCPUs are not two free cores)",
        ),
        (
            "warm runs replayed the cache",
            lambda r: verdict(r.cache.hit, "yes", "no"),
            "every run",
        ),
        (
            "reports byte-identical (--jobs 1/2, warm)",
            lambda r: verdict(r.identical, "yes", "no"),
            "every run",
        ),
    ]
    for name, value, floor in rows:
        cells = "".join(f"{value(ratios):>{width}}" for ratios in all_ratios)
        print(f"  {name:<44}{cells}   {floor}")
    for run, ratios in zip(runs, all_ratios, strict=True):
        print_tree_details(run, ratios)


def print_tree_details(run: TreeRun, ratios: Ratios) -> None:
    print(f"\n{run.label}:")
    print(f"  cache hits: {verdict(ratios.cache.hit, 'yes', 'no')}: {ratios.cache.detail}")
    engaged = run.shape.temporal_chars >= PARALLEL_MIN_CHARS
    print(
        f"  --jobs 2: files that mention temporalio hold {run.shape.temporal_chars:,} characters; "
        f"temporal-pro analyzes in several processes from {PARALLEL_MIN_CHARS:,}: "
        + ("yes" if engaged else "no, it stays in one process")
    )
    if ok(run.cold) and ok(run.parallel):
        # The two commands run back to back in every round; how far their ratio moves from
        # round to round shows how much of the result is the machine's noise.
        rounds = sorted(a / b for a, b in zip(run.cold.times, run.parallel.times, strict=True))
        print(
            f"  --jobs 2 speed-up round by round: {', '.join(f'{r:.2f}x' for r in rounds)} "
            f"(median {statistics.median(rounds):.2f}x; {os.cpu_count()} CPUs)"
        )
    reports = run.pro_reports()
    if len(reports) < 2:
        print("  identical reports: n/a, fewer than two temporal-pro commands ran")
        return
    expected = next(iter(reports[0].outputs.values()))
    for case in reports:
        distinct = len(case.outputs)
        print(
            f"  {case.label:<{LABEL_WIDTH}} {distinct} distinct output{'s' if distinct > 1 else ''}"
            f", {count_findings(case, json_output=True)}"
        )
        for output in case.outputs.values():
            if output != expected:
                print(
                    f"    differs from {reports[0].label}: {describe_difference(expected, output)}"
                )
    if not ratios.identical:
        print("  the reports differ: the linter promises one report for any job count")


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


def tree_floors(judged: TreeRun, ratios: Ratios) -> list[Floor]:
    """The floors issue 15 sets on a real tree, judged on `judged`."""
    tree = judged.label
    return [
        Floor(
            "cold --jobs 1 no slower than temporalint",
            tree,
            None if ratios.cold_vs_temporalint is None else f"{ratios.cold_vs_temporalint:.2f}x",
            f"<= {FLOOR_COLD_VS_TEMPORALINT:.2f}x",
            None
            if ratios.cold_vs_temporalint is None
            else ratios.cold_vs_temporalint <= FLOOR_COLD_VS_TEMPORALINT,
        ),
        Floor(
            "cold --jobs 1 vs a bare ast.parse",
            tree,
            None if ratios.cold_vs_ast is None else f"{ratios.cold_vs_ast:.2f}x",
            f"<= {FLOOR_COLD_VS_AST:.2f}x",
            None if ratios.cold_vs_ast is None else ratios.cold_vs_ast <= FLOOR_COLD_VS_AST,
        ),
        Floor(
            "warm faster than temporalint",
            tree,
            None if ratios.warm_speedup is None else f"{ratios.warm_speedup:.1f}x",
            f">= {FLOOR_WARM_SPEEDUP:.0f}x",
            None if ratios.warm_speedup is None else ratios.warm_speedup >= FLOOR_WARM_SPEEDUP,
        ),
        Floor(
            "peak memory vs temporalint",
            tree,
            None
            if ratios.memory_vs_temporalint is None
            else f"{ratios.memory_vs_temporalint:.2f}x",
            f"<= {FLOOR_MEMORY_VS_TEMPORALINT:.2f}x",
            None
            if ratios.memory_vs_temporalint is None
            else ratios.memory_vs_temporalint <= FLOOR_MEMORY_VS_TEMPORALINT,
        ),
    ]


def generated_floor(run: TreeRun, ratios: Ratios) -> Floor:
    speedup = None if ratios.cold_vs_temporalint is None else 1 / ratios.cold_vs_temporalint
    return Floor(
        "cold --jobs 1 faster than temporalint",
        run.label,
        None if speedup is None else f"{speedup:.2f}x",
        f">= {FLOOR_GENERATED_SPEEDUP:.1f}x",
        None if speedup is None else speedup >= FLOOR_GENERATED_SPEEDUP,
    )


def check_floors(run: TreeRun, ratios: Ratios) -> list[Floor]:
    """What must hold on every tree: cache replays and identical reports; and the --jobs 2
    speed-up, reported without a floor."""
    hit = ratios.cache.hit
    return [
        Floor(
            "warm runs replayed the cache",
            run.label,
            None if hit is None else ("yes" if hit else "no"),
            "every run",
            hit,
        ),
        Floor(
            "identical reports, --jobs 1/2 and warm",
            run.label,
            None if ratios.identical is None else ("yes" if ratios.identical else "no"),
            "every run",
            ratios.identical,
        ),
        Floor(
            "--jobs 2 speed-up over --jobs 1",
            run.label,
            None if ratios.parallel_speedup is None else f"{ratios.parallel_speedup:.2f}x",
            "",
            None,
        ),
    ]


def report_growth(small: Corpus, large: Corpus, run: TreeRun) -> Floor:
    print("\nlinear growth (temporal-pro --no-cache --jobs 1, generated corpus S vs L)")
    scaled = None
    if ok(run.small) and ok(run.cold):
        pro_small, pro_large = run.small, run.cold
        size_ratio = large.lines / small.lines
        time_ratio = pro_large.best / pro_small.best
        scaled = time_ratio / size_ratio * 10  # what the ratio would be for exactly 10x
        print(
            f"  S {small.lines:,} lines in {pro_small.best:.3f} s, "
            f"L {large.lines:,} lines in {pro_large.best:.3f} s: {time_ratio:.2f}x the time "
            f"for {size_ratio:.2f}x the code, {scaled:.2f}x for exactly 10x "
            f"(floor <= {FLOOR_GROWTH_FOR_10X:.0f}x)"
        )
        # Fit time = fixed + lines / rate through both points: start-up and imports are
        # a fixed cost that makes the raw ratio look better than the per-line work is.
        if size_ratio < 8:
            print("  note: corpus S is more than a tenth of L; pass a larger --lines")
        if pro_large.best > pro_small.best and large.lines > small.lines:
            rate = (large.lines - small.lines) / (pro_large.best - pro_small.best)
            fixed = pro_small.best - small.lines / rate
            print(
                f"  linear fit: fixed cost {fixed * 1000:.0f} ms per run, then {rate:,.0f} lines/s"
            )
        print(f"  peak memory: S {pro_small.peak_best:.0f} MB, L {pro_large.peak_best:.0f} MB")
    else:
        print("  n/a: temporal-pro did not run")
    return Floor(
        "growth for a 10x corpus",
        "generated S->L",
        None if scaled is None else f"{scaled:.2f}x",
        f"<= {FLOOR_GROWTH_FOR_10X:.0f}x",
        None if scaled is None else scaled <= FLOOR_GROWTH_FOR_10X,
    )


def bench_single_file(
    tools: Tools, path: Path, lines: int, cache: WarmCache, failures: list[str]
) -> Floor:
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
                f"median {case.median * 1000:6.0f} ms, peak {case.peak_best:4.0f} MB"
            )
        else:
            failures.append(f"{case.label} failed on the single file")
    best_ms = None
    if ok(cold):
        best_ms = cold.best * 1000
        print(
            f"  cold: best {best_ms:.0f} ms (floor < {FLOOR_SINGLE_FILE_MS:.0f} ms), "
            f"of which python start-up {startup.best * 1000 if ok(startup) else 0:.0f} ms"
        )
    if ok(warm):
        check = cache.check(warm)
        same = ok(cold) and set(warm.outputs) == set(cold.outputs)
        print(
            f"  warm, for information: best {warm.best * 1000:.0f} ms; cache hits: "
            f"{verdict(check.hit, 'yes', 'no')} ({check.detail}); "
            f"same output as cold: {'yes' if same else 'no'}"
        )
    return Floor(
        f"one {lines}-line file end to end",
        "single file",
        None if best_ms is None else f"{best_ms:.0f} ms",
        f"< {FLOOR_SINGLE_FILE_MS:.0f} ms",
        None if best_ms is None else best_ms < FLOOR_SINGLE_FILE_MS,
    )


def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:  # not every platform has one
        return None


def print_load(start: float | None, end: float | None) -> None:
    """The one-minute load average around the run: above the CPU count, other processes were
    competing for the CPUs, and the medians (printed beside the bests) drift from the bests."""
    if start is None or end is None:
        return
    cpus = os.cpu_count() or 1
    busy = max(start, end) > cpus
    print(
        f"load average: {start:.1f} at the start, {end:.1f} at the end, on {cpus} CPUs"
        + ("; other processes competed for them, so the numbers are noisy" if busy else "")
    )


def print_summary(floors: list[Floor]) -> None:
    print("\nsummary (floors of issue 15: PASS or MISS; n/a when a tool did not run)")
    tree_width = max(12, *(len(floor.tree) + 2 for floor in floors))
    for floor in floors:
        judged = verdict(floor.passed, "PASS", "MISS") if floor.floor else "(no floor)"
        print(
            f"  {floor.name:<40} {floor.tree:<{tree_width}} {floor.measured or 'n/a':>9}"
            f"  {floor.floor:<10} {judged}"
        )


WORK_ITEMS = ("corpus_L", "corpus_S", "single", "cache_L", "cache_tree", "cache_single")


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
        "--corpus",
        type=Path,
        metavar="DIR",
        help="a real tree to time as well (the floors are then judged on it)",
    )
    parser.add_argument(
        "--shape-of",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="print this tree's shape beside the others, without timing it (repeatable)",
    )
    parser.add_argument(
        "--lines",
        type=int,
        help=f"lines of the generated corpus (default: --corpus's, else {DEFAULT_LINES:,})",
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
        help="write the corpora and caches into DIR and keep them (default: a temp dir)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count the instructions each cold command executes (needs valgrind)",
    )
    args = parser.parse_args(argv)
    if (args.lines is not None and args.lines < 1000) or args.repeat < 1:
        parser.error("--lines must be >= 1000 and --repeat >= 1")
    for folder in [folder for folder in (args.corpus, *args.shape_of) if folder]:
        if not folder.is_dir():
            parser.error(f"{folder}: not a folder")
        if not python_files(folder.resolve())[0]:
            parser.error(f"{folder}: no .py files in it")
    if args.corpus:
        args.corpus = args.corpus.resolve()
    args.shape_of = [folder.resolve() for folder in args.shape_of]
    return args


def count_instructions(runs: list[TreeRun]) -> None:
    """Instructions each cold command executes, counted by valgrind's callgrind, one run each.

    Wall time on a shared machine moves by tens of percent from run to run; instruction counts
    move by well under one, so they show which way a change went. They are blind to what the
    processor's caches and the kernel add, so the floors stay judged on time.
    """
    valgrind = shutil.which("valgrind")
    print("\ninstructions executed (valgrind --tool=callgrind, one run each; M = millions)")
    if valgrind is None:
        print("  valgrind is not installed: skipped")
        return
    for run in runs:
        counts: dict[str, int] = {}
        for case in (run.floor, run.temporalint, run.cold):
            if not ok(case):
                continue
            argv = [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *case.argv]
            done = subprocess.run(argv, cwd=case.cwd, env=case.env, capture_output=True, text=True)
            found = [line for line in done.stderr.splitlines() if "Collected :" in line]
            if found:
                counts[case.label] = int(found[-1].rpartition(":")[2])
        cells = ", ".join(f"{label} {count / 1e6:,.0f} M" for label, count in counts.items())
        print(f"  {run.label}: {cells or 'no command could be counted'}")
        cold = counts.get(run.cold.label) if run.cold else None
        for reference in (run.temporalint, run.floor):
            if cold and reference and counts.get(reference.label):
                ratio = cold / counts[reference.label]
                print(f"    cold --jobs 1 / {reference.label}: {ratio:.2f}")


def tree_label(folder: Path) -> str:
    return folder.name or str(folder)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Keep progress lines and error messages in order when both go to a pipe.
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)
    failures: list[str] = []

    print(f"python {sys.version.split()[0]} at {sys.executable}; {os.cpu_count()} CPUs")
    load_at_start = load_average()
    tools = find_tools(failures)

    with workspace(args.keep) as work:
        real = measure_shape(args.corpus) if args.corpus else None
        lines = args.lines or (real.lines if real else DEFAULT_LINES)
        started = time.perf_counter()
        large = CorpusBuilder(work / "corpus_L", lines, args.seed).build()
        small = CorpusBuilder(work / "corpus_S", max(lines // 10, 1000), args.seed).build()
        single = work / "single" / "checkout_workflows.py"
        single_lines = build_single_file(single, args.seed)
        print(f"\ngenerated in {time.perf_counter() - started:.1f}s (seed {args.seed})")
        print(f"corpus L: {large.describe()}")
        print(f"corpus S: {small.lines:,} lines in {small.files} files")
        print(f"single file: {single_lines} lines, {single}")

        generated = measure_shape(large.root)
        columns = [("generated", generated)]
        if real:
            columns.append((tree_label(real.root), real))
        columns += [(tree_label(folder), measure_shape(folder)) for folder in args.shape_of]
        print_shapes(columns)

        runs = [tree_run(tools, "generated", generated, work / "cache_L")]
        if tools.pro:
            cold = ["--no-cache", "--jobs", "1"]
            runs[0].small = pro_case(tools.pro, "temporal-pro cold --jobs 1 (S)", cold, small.root)
        if real:
            runs.append(tree_run(tools, tree_label(real.root), real, work / "cache_tree"))
        for run in runs:
            time_tree(run, args.repeat, failures)
        all_ratios = [ratios_of(run) for run in runs]
        print_ratios(runs, all_ratios)
        if args.instructions:
            count_instructions(runs)

        judged = len(runs) - 1  # the real tree when there is one
        floors = tree_floors(runs[judged], all_ratios[judged])
        floors.append(generated_floor(runs[0], all_ratios[0]))
        for run, ratios in zip(runs, all_ratios, strict=True):
            floors += check_floors(run, ratios)
        floors.append(report_growth(small, large, runs[0]))
        single_cache = WarmCache(work / "cache_single")
        floors.append(bench_single_file(tools, single, single_lines, single_cache, failures))
        if args.keep:
            print(f"\ncorpora and caches kept in {work}")

    print_summary(floors)
    print_load(load_at_start, load_average())
    if failures:
        print(f"bench: a tool failed to run: {'; '.join(failures)}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
