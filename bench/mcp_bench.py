#!/usr/bin/env python3
"""Latency benchmark for `temporal-pro mcp`, the MCP server over stdio.

Run: python bench/mcp_bench.py [--runs N] [--calls C] [--file PATH [--root DIR]] [--keep DIR]

It speaks raw JSON-RPC to the server over its stdin and stdout (newline-delimited, as MCP's
stdio transport does), so no client's own start-up or parsing is in the numbers, and times in
one run:

* start-up: process start to the answer of the first `tools/list` (initialize,
  notifications/initialized and tools/list sent in one write), for `temporal-pro mcp` and for
  a minimal `MCPServer` with one trivial tool, the reference; N runs each, interleaved;
* lint: C `lint_workflow_code` calls on a ~300-line workflow module in one long-lived session,
  with `source=` and with `paths=`, beside `temporal-pro lint --no-cache FILE` (N runs), and
  checks that both report the same findings; `--file` times any other workflow module;
* replay: N `replay_history` calls on a history made by a real run in the time-skipping test
  server, beside `temporal-pro replay FILE -w ...` (N runs).

It prints medians and the differences and ratios against the references measured in the same
run. It is a measurement, not a test: it exits 0 whatever the numbers are, 2 only when a
server, a tool call or a command failed. Standard library only.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

REPO_ROOT = Path(__file__).resolve().parent.parent
REPLAY_CODE = REPO_ROOT / "tests" / "replay"  # orders.py and make_histories.py
# The workflow versions that produced tests/replay's histories (see make_histories.py).
REPLAY_WORKFLOWS = ["orders.py:Order", "orders.py:Shipping"]

DEFAULT_RUNS = 7
DEFAULT_CALLS = 30
ANSWER_TIMEOUT = 120.0  # seconds: a server that says nothing for this long has hung

# Goals the summary judges the measurements against.
GOAL_START_DELTA_S = 0.3  # ours at most this much slower to answer tools/list than the reference
GOAL_LINT_CALL_MS = 50.0
START_GOAL = f"<= +{GOAL_START_DELTA_S:.1f} s"
LINT_GOAL = f"< {GOAL_LINT_CALL_MS:.0f} ms"

PROTOCOL_VERSION = "2025-11-25"  # the handshake revision Claude Code and the Inspector speak
HANDSHAKE: list[dict[str, Any]] = [
    {
        "jsonrpc": "2.0",
        "id": 0,
        "method": "initialize",
        "params": {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "mcp-bench", "version": "0"},
        },
    },
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
]

# The reference for start-up: what any server built on the SDK pays before it can answer.
REFERENCE_SERVER = '''\
from mcp.server import MCPServer

server = MCPServer("reference")


@server.tool()
def ping() -> str:
    """Answer pong."""
    return "pong"


if __name__ == "__main__":
    server.run()
'''

# The module the lint calls check: what a small service keeps in one file. The workflows call
# helpers that read the clock, draw random numbers and make uuid4s; a loop iterates a set, an
# activity starts without a timeout, module code reads os.environ, a saga catches Exception,
# and an async activity reaches blocking I/O through a helper.
WORKFLOW_MODULE = r'''"""Order fulfilment: workflows, their activities and the helpers they share.

One module, as small services often keep it: activities do the I/O, workflows orchestrate them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

log = logging.getLogger(__name__)

API_BASE = os.environ.get("FULFILMENT_API", "https://fulfilment.internal/api")
OUTBOX = Path(os.environ.get("FULFILMENT_OUTBOX", "/var/spool/fulfilment"))
SHORT = timedelta(seconds=30)
LONG = timedelta(minutes=10)
RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    maximum_attempts=5,
    non_retryable_error_types=["InvalidOrder"],
)


# --- data ---------------------------------------------------------------------------------------


@dataclass
class LineItem:
    sku: str
    quantity: int
    unit_cents: int

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_cents


@dataclass
class OrderInput:
    order_id: str
    customer_id: str
    items: list[LineItem]
    region: str = "eu"
    coupons: list[str] = field(default_factory=list)
    express: bool = False


@dataclass
class OrderStatus:
    stage: str = "received"
    reservation: str | None = None
    charge: str | None = None
    tracking: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class ShipmentInput:
    order_id: str
    warehouse: str
    skus: list[str]
    express: bool


# --- helpers (pure, called from workflows) ------------------------------------------------------


TAX_RATES = {"eu": 21, "uk": 20, "us": 8, "apac": 10}
WAREHOUSES = {"eu": ["ams", "fra"], "uk": ["lhr"], "us": ["iad", "sfo"]}


def subtotal(items: list[LineItem]) -> int:
    return sum(item.total_cents for item in items)


def with_tax(amount_cents: int, region: str) -> int:
    rate = TAX_RATES.get(region, 0)
    return amount_cents + amount_cents * rate // 100


def apply_coupons(amount_cents: int, coupons: list[str]) -> int:
    for coupon in coupons:
        if coupon.startswith("PCT"):
            amount_cents -= amount_cents * int(coupon[3:] or 0) // 100
        elif coupon.startswith("OFF"):
            amount_cents -= int(coupon[3:] or 0)
    return max(amount_cents, 0)


def cutoff_passed(region: str) -> bool:
    """Orders after 16:00 local time ship the next day."""
    hour = datetime.now().hour
    return hour >= (15 if region == "uk" else 16)


def pick_warehouse(region: str, skus: list[str]) -> str:
    candidates = WAREHOUSES.get(region, ["ams"])
    if len(skus) > 20:
        return candidates[0]
    return random.choice(candidates)


def shipment_reference(order_id: str) -> str:
    return f"SHP-{order_id}-{uuid.uuid4().hex[:8]}"


def validate(order: OrderInput) -> None:
    if not order.items:
        raise ApplicationError("order has no items", type="InvalidOrder", non_retryable=True)
    for item in order.items:
        if item.quantity <= 0:
            raise ApplicationError(f"bad quantity for {item.sku}", type="InvalidOrder")


# --- activities ---------------------------------------------------------------------------------


def _post(path: str, payload: dict[str, object]) -> dict[str, object]:
    body = json.dumps(payload).encode()
    request = urllib.request.Request(f"{API_BASE}/{path}", data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


@activity.defn
def reserve_stock(order_id: str, skus: list[str]) -> str:
    answer = _post("reservations", {"order": order_id, "skus": skus})
    return str(answer.get("reservation_id", ""))


@activity.defn
def release_stock(reservation_id: str) -> None:
    _post(f"reservations/{reservation_id}/release", {})


@activity.defn
def charge_card(customer_id: str, amount_cents: int, idempotency_key: str) -> str:
    answer = _post(
        "charges", {"customer": customer_id, "amount": amount_cents, "key": idempotency_key}
    )
    if answer.get("status") == "declined":
        raise ApplicationError("card declined", type="Declined", non_retryable=True)
    return str(answer["charge_id"])


@activity.defn
def refund_charge(charge_id: str) -> None:
    _post(f"charges/{charge_id}/refund", {})


@activity.defn
async def book_courier(shipment: ShipmentInput) -> str:
    for attempt in range(3):
        activity.heartbeat(attempt)
        await asyncio.sleep(0.2)
    answer = _post("couriers", {"order": shipment.order_id, "warehouse": shipment.warehouse})
    return str(answer.get("tracking", ""))


@activity.defn
def write_receipt(order_id: str, lines: list[str]) -> str:
    OUTBOX.mkdir(parents=True, exist_ok=True)
    target = OUTBOX / f"{order_id}.txt"
    target.write_text("\n".join(lines), encoding="utf-8")
    return str(target)


@activity.defn
def send_email(customer_id: str, subject: str) -> None:
    _post("emails", {"customer": customer_id, "subject": subject})


# --- workflows ----------------------------------------------------------------------------------


@workflow.defn
class Shipment:
    def __init__(self) -> None:
        self.booked: str | None = None

    @workflow.run
    async def run(self, shipment: ShipmentInput) -> str:
        if not shipment.express:
            await workflow.sleep(timedelta(hours=2))
        self.booked = await workflow.execute_activity(
            book_courier,
            shipment,
            start_to_close_timeout=LONG,
            heartbeat_timeout=SHORT,
            retry_policy=RETRY,
        )
        return self.booked

    @workflow.query
    def tracking(self) -> str | None:
        return self.booked


@workflow.defn
class Fulfilment:
    def __init__(self) -> None:
        self.status = OrderStatus()
        self.cancelled = False
        self.address_confirmed = False

    @workflow.run
    async def run(self, order: OrderInput) -> OrderStatus:
        validate(order)
        amount = apply_coupons(with_tax(subtotal(order.items), order.region), order.coupons)
        skus = [item.sku for item in order.items]

        self.status.reservation = await workflow.execute_activity(
            reserve_stock, args=[order.order_id, skus], start_to_close_timeout=SHORT
        )
        self.status.stage = "reserved"
        try:
            self.status.charge = await workflow.execute_activity(
                charge_card,
                args=[order.customer_id, amount, f"charge-{order.order_id}"],
                start_to_close_timeout=SHORT,
                retry_policy=RETRY,
            )
        except Exception:
            await workflow.execute_activity(
                release_stock, self.status.reservation, start_to_close_timeout=SHORT
            )
            raise
        self.status.stage = "charged"

        if not order.express and cutoff_passed(order.region):
            self.status.notes.append("after cutoff: ships tomorrow")
            await workflow.sleep(timedelta(hours=12))

        confirmed = await workflow.wait_condition(
            lambda: self.address_confirmed or self.cancelled, timeout=timedelta(days=2)
        )
        if self.cancelled or not confirmed:
            await self._compensate()
            return self.status

        warehouse = pick_warehouse(order.region, skus)
        self.status.tracking = await workflow.execute_child_workflow(
            Shipment.run,
            ShipmentInput(order.order_id, warehouse, skus, order.express),
            id=shipment_reference(order.order_id),
        )
        self.status.stage = "shipped"

        for sku in set(skus):
            self.status.notes.append(f"shipped {sku}")
        await workflow.execute_activity(write_receipt, args=[order.order_id, self.status.notes])
        await workflow.execute_activity(
            send_email,
            args=[order.customer_id, f"Order {order.order_id} is on its way"],
            start_to_close_timeout=SHORT,
        )
        return self.status

    async def _compensate(self) -> None:
        self.status.stage = "cancelled"
        if self.status.charge:
            await workflow.execute_activity(
                refund_charge, self.status.charge, start_to_close_timeout=SHORT
            )
        if self.status.reservation:
            await workflow.execute_activity(
                release_stock, self.status.reservation, start_to_close_timeout=SHORT
            )

    @workflow.signal
    def cancel(self) -> None:
        self.cancelled = True

    @workflow.signal
    def confirm_address(self) -> None:
        self.address_confirmed = True

    @workflow.query
    def current(self) -> OrderStatus:
        return self.status

    @workflow.update
    async def add_note(self, note: str) -> int:
        self.status.notes.append(note)
        return len(self.status.notes)

    @add_note.validator
    def check_note(self, note: str) -> None:
        if not note.strip():
            raise ValueError("empty note")


@workflow.defn
class NightlyReconcile:
    @workflow.run
    async def run(self, order_ids: list[str]) -> int:
        done = 0
        for start in range(0, len(order_ids), 50):
            batch = order_ids[start : start + 50]
            await asyncio.gather(
                *(
                    workflow.execute_activity(
                        send_email,
                        args=[order_id, "Your monthly statement"],
                        start_to_close_timeout=SHORT,
                    )
                    for order_id in batch
                )
            )
            done += len(batch)
            workflow.logger.info("reconciled %d of %d", done, len(order_ids))
        if len(order_ids) > 1000:
            workflow.continue_as_new(order_ids[1000:])
        return done
'''


class BenchError(Exception):
    """A server, a tool call or a command failed to run; one line, maybe with a tail of output."""


def tail(text: str, lines: int = 12) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


# ---------------------------------------------------------------------------
# Speaking MCP over a server's stdin and stdout
# ---------------------------------------------------------------------------


class Session:
    """One server process, spoken to in newline-delimited JSON-RPC over its stdin and stdout.

    A thread reads stdout and stamps each line as it arrives, so a wait measures the server and
    the pipe, not this loop. Stdin stays open until `close`: at EOF the SDK drops requests still
    in flight without an answer.
    """

    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str] | None, log: Path) -> None:
        self.argv = argv
        self.log = log
        self._stderr: IO[bytes] = log.open("ab")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        self._lines: queue.Queue[tuple[float, bytes | None]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self._next_id = 0

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put((time.perf_counter(), line))
        self._lines.put((time.perf_counter(), None))

    def send(self, *messages: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"".join(json.dumps(m).encode() + b"\n" for m in messages))
        self.proc.stdin.flush()

    def answer(self, request_id: int) -> tuple[float, dict[str, Any]]:
        """When the answer to `request_id` arrived (perf_counter), and its result."""
        deadline = time.monotonic() + ANSWER_TIMEOUT
        while True:
            try:
                arrived, line = self._lines.get(timeout=max(deadline - time.monotonic(), 0))
            except queue.Empty:
                tail_ = self._stderr_tail()
                raise BenchError(f"no answer in {ANSWER_TIMEOUT:.0f} s{tail_}") from None
            if line is None:
                code = self.proc.wait()
                raise BenchError(
                    f"the server exited ({code}) before answering{self._stderr_tail()}"
                )
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                raise BenchError(
                    f"the server wrote a line that is not JSON: {line[:200]!r}"
                ) from None
            if message.get("id") != request_id:
                continue  # a notification or a server-to-client request: not asked for here
            if "error" in message:
                raise BenchError(f"JSON-RPC error {message['error']}")
            return arrived, message["result"]

    def request(self, method: str, params: dict[str, Any] | None = None) -> tuple[float, Any]:
        """Send one request; the seconds until its answer arrived, and its result."""
        self._next_id += 1
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": self._next_id, "method": method}
        if params is not None:
            message["params"] = params
        sent = time.perf_counter()
        self.send(message)
        arrived, result = self.answer(self._next_id)
        return arrived - sent, result

    def initialize(self) -> None:
        self.send(*HANDSHAKE)
        self.answer(0)

    def call_tool(self, name: str, arguments: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        seconds, result = self.request("tools/call", {"name": name, "arguments": arguments})
        if result.get("isError"):
            text = " ".join(c.get("text", "") for c in result.get("content", []))
            raise BenchError(f"{name} answered with a tool error: {tail(text, 3)}")
        if not isinstance(result.get("structuredContent"), dict):
            raise BenchError(f"{name} answered without structured content")
        return seconds, result["structuredContent"]

    def close(self) -> None:
        """EOF on stdin ends a stdio server; one that does not end is killed."""
        assert self.proc.stdin is not None
        with suppress(BrokenPipeError):  # a server that died
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._stderr.close()

    def _stderr_tail(self) -> str:
        self._stderr.flush()
        text = tail(self.log.read_text(errors="replace"))
        return f"; its stderr ({self.log}) ends:\n{text}" if text else ""


@contextmanager
def session(argv: list[str], cwd: Path, env: dict[str, str] | None, log: Path) -> Iterator[Session]:
    started = Session(argv, cwd, env, log)
    try:
        started.initialize()
        yield started
    finally:
        started.close()


# ---------------------------------------------------------------------------
# The commands under test
# ---------------------------------------------------------------------------


@dataclass
class Launcher:
    argv: list[str]
    env: dict[str, str] | None = None


def temporal_pro_launcher() -> Launcher:
    """The console script if installed (what users configure), else `python -m mcp_server`."""
    script = Path(sys.executable).parent / "temporal-pro"
    if script.exists():
        return Launcher([str(script)])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return Launcher([sys.executable, "-m", "mcp_server"], env)


def run_command(argv: list[str], cwd: Path, env: dict[str, str] | None, codes: set[int]) -> float:
    """Seconds one command took, wall clock; BenchError if it exits with another code."""
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in codes:
        raise BenchError(
            f"`{' '.join(argv)}` exited {done.returncode}:\n{tail(done.stderr or done.stdout)}"
        )
    return elapsed


@dataclass
class Timings:
    label: str
    times: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def line(self, unit: str = "ms") -> str:
        scale, digits = (1000, 0) if unit == "ms" else (1, 3)
        median, best, worst = (x * scale for x in (self.median, min(self.times), max(self.times)))
        return (
            f"  {self.label:<34} median {median:7.{digits}f} {unit}  "
            f"(best {best:.{digits}f}, worst {worst:.{digits}f}; {len(self.times)} runs)"
        )


@dataclass
class Goal:
    name: str
    goal: str
    measured: str | None  # None when what it needs did not run
    passed: bool | None


def verdict(passed: bool | None, yes: str = "PASS", no: str = "FAIL") -> str:
    return "n/a" if passed is None else (yes if passed else no)


# ---------------------------------------------------------------------------
# 1. start-up
# ---------------------------------------------------------------------------


def time_start(argv: list[str], cwd: Path, env: dict[str, str] | None, log: Path) -> float:
    """Process start to the arrival of the first tools/list answer, in one process."""
    started = Session(argv, cwd, env, log)
    try:
        started.send(*HANDSHAKE, {"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        arrived, result = started.answer(1)
        if not result.get("tools"):
            raise BenchError(f"`{' '.join(argv)}`: tools/list answered no tools")
        return arrived - started.started
    finally:
        started.close()


def bench_start(pro: Launcher, work: Path, runs: int) -> Goal:
    reference_file = work / "reference_server.py"
    reference_file.write_text(REFERENCE_SERVER)
    ours_argv = [*pro.argv, "mcp", "--root", str(work)]
    cases = [
        (Timings("temporal-pro mcp"), ours_argv, pro.env, work / "start-ours.log"),
        (
            Timings("reference MCPServer, one tool"),
            [sys.executable, str(reference_file)],
            None,
            work / "start-reference.log",
        ),
    ]
    print(f"\n1. start-up: process start to the first tools/list answer, {runs} runs each")
    print(f"  ours:      {' '.join(ours_argv)}")
    print(f"  reference: {sys.executable} {reference_file}")
    for _, argv, env, log in cases:  # untimed: warms the page cache, writes any bytecode
        time_start(argv, work, env, log)
    for round_ in range(runs):
        # Alternate who goes first, so neither always runs right after the other's exit.
        for timings, argv, env, log in cases if round_ % 2 == 0 else cases[::-1]:
            timings.times.append(time_start(argv, work, env, log))
    ours, reference = cases[0][0], cases[1][0]
    for timings in (ours, reference):
        print(timings.line("s"))
    delta = ours.median - reference.median
    paired = statistics.median(a - b for a, b in zip(ours.times, reference.times, strict=True))
    print(
        f"  ours - reference: {delta:+.3f} s (goal <= +{GOAL_START_DELTA_S:.1f} s); "
        f"ratio {ours.median / reference.median:.2f}x; median of the per-round differences "
        f"{paired:+.3f} s"
    )
    return Goal("start-up vs reference", START_GOAL, f"{delta:+.3f} s", delta <= GOAL_START_DELTA_S)


# ---------------------------------------------------------------------------
# 2. lint_workflow_code
# ---------------------------------------------------------------------------


def finding_keys(findings: list[dict[str, Any]]) -> list[tuple[str, str, int, int]]:
    """What identifies a finding whether the file is named relatively or absolutely."""
    return sorted(
        (
            str(f.get("code")),
            Path(str(f.get("filename"))).name,
            int((f.get("location") or {}).get("row", 0)),
            int((f.get("location") or {}).get("column", 0)),
        )
        for f in findings
    )


def cli_findings(pro: Launcher, file: Path, root: Path) -> list[dict[str, Any]]:
    argv = [*pro.argv, "lint", "--no-cache", "--format", "json", str(file)]
    done = subprocess.run(argv, cwd=root, env=pro.env, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise BenchError(f"`{' '.join(argv)}` exited {done.returncode}:\n{tail(done.stderr)}")
    try:
        findings = json.loads(done.stdout)["findings"]
    except (json.JSONDecodeError, KeyError, TypeError):
        raise BenchError(f"`{' '.join(argv)}` printed no JSON report with findings") from None
    return list(findings)


def bench_lint(
    pro: Launcher, file: Path, root: Path, work: Path, runs: int, calls: int
) -> list[Goal]:
    source = file.read_text(encoding="utf-8")
    lines = source.count("\n") + (not source.endswith("\n"))
    modes: dict[str, dict[str, Any]] = {
        "source=": {"source": source, "filename": str(file)},
        "paths=": {"paths": [str(file)]},
    }
    mcp = {mode: Timings(f"lint_workflow_code {mode}") for mode in modes}
    cli_argv = [*pro.argv, "lint", "--no-cache", str(file)]
    cli = Timings("temporal-pro lint --no-cache FILE")
    server_argv = [*pro.argv, "mcp", "--root", str(root)]
    print(
        f"\n2. lint_workflow_code on {file} ({lines} lines): {calls} calls per mode in one "
        f"session, the CLI {runs} runs"
    )
    print(f"  server: {' '.join(server_argv)}")
    print(f"  cli:    {' '.join(cli_argv)}  (from {root})")
    with session(server_argv, root, pro.env, work / "lint-server.log") as server:
        first, answer = server.call_tool("lint_workflow_code", modes["source="])
        _, by_path = server.call_tool("lint_workflow_code", modes["paths="])
        run_command(cli_argv, root, pro.env, {0, 1})  # untimed warm-up
        for index in range(calls):
            for mode, arguments in modes.items():
                seconds, _ = server.call_tool("lint_workflow_code", arguments)
                mcp[mode].times.append(seconds)
            # Spread the CLI's runs over the calls, so machine noise falls on both alike.
            for _ in range((index + 1) * runs // calls - index * runs // calls):
                cli.times.append(run_command(cli_argv, root, pro.env, {0, 1}))
    print(f"  first call of the session, untimed: {first * 1000:.0f} ms")
    for timings in (*mcp.values(), cli):
        print(timings.line())
    print(
        f"  the CLI takes {cli.median / mcp['source='].median:.1f}x a source= call and "
        f"{cli.median / mcp['paths='].median:.1f}x a paths= call (it starts a process each time)"
    )

    ours = finding_keys(answer["findings"])
    by_paths = finding_keys(by_path["findings"])
    theirs = finding_keys(cli_findings(pro, file, root))
    same = ours == by_paths == theirs
    codes = sorted({key[0] for key in ours})
    print(
        f"  findings: {len(ours)} ({', '.join(codes) or 'none'}); same as the CLI's: "
        + (
            "yes"
            if same
            else f"NO: source= {len(ours)}, paths= {len(by_paths)}, the CLI {len(theirs)}"
        )
    )
    goals = [
        Goal(
            f"lint call ({mode})",
            LINT_GOAL,
            f"{timings.median * 1000:.1f} ms",
            timings.median * 1000 < GOAL_LINT_CALL_MS,
        )
        for mode, timings in mcp.items()
    ]
    goals.append(Goal("same findings as the CLI", "identical", "yes" if same else "no", same))
    return goals


# ---------------------------------------------------------------------------
# 3. replay_history
# ---------------------------------------------------------------------------


def make_history(out: Path) -> Path:
    """order.json from a real run of tests/replay/orders.py's Order in the time-skipping test
    server (make_histories.py writes a few more; about 2 s); reused when already there."""
    history = out / "order.json"
    if history.is_file():
        print(f"  reusing {history}")
        return history
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(REPLAY_CODE / "make_histories.py"), str(out)],
        capture_output=True,  # the SDK's core logs a warning per worker against the test server
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},  # as the tests make them
        timeout=300,
    )
    if done.returncode != 0 or not history.is_file():
        raise BenchError(
            f"make_histories.py exited {done.returncode} without {history}:\n{tail(done.stderr)}"
        )
    print(f"  made {history} by a real run ({time.perf_counter() - started:.1f} s)")
    return history


def bench_replay(pro: Launcher, work: Path, runs: int) -> list[Goal]:
    print(f"\n3. replay_history on one history, {runs} calls, beside the CLI's replay")
    history = make_history(work / "histories")
    arguments = {"workflows": REPLAY_WORKFLOWS, "history_paths": [str(history)]}
    server_argv = [*pro.argv, "mcp", "--root", str(REPLAY_CODE), "--root", str(history.parent)]
    cli_argv = [*pro.argv, "replay", str(history)]
    for spec in REPLAY_WORKFLOWS:
        cli_argv += ["-w", spec]
    print(f"  server: {' '.join(server_argv)}")
    print(f"  cli:    {' '.join(cli_argv)}  (from {REPLAY_CODE})")
    mcp, cli = Timings("replay_history"), Timings("temporal-pro replay FILE -w ...")
    with session(server_argv, REPLAY_CODE, pro.env, work / "replay-server.log") as server:
        first, answer = server.call_tool("replay_history", arguments)
        statuses = [result.get("status") for result in answer.get("results", [])]
        if statuses != ["ok"]:
            raise BenchError(f"replay_history: expected one ok result, got {statuses}")
        run_command(cli_argv, REPLAY_CODE, pro.env, {0})  # untimed warm-up; 0: it replayed
        for _ in range(runs):
            mcp.times.append(server.call_tool("replay_history", arguments)[0])
            cli.times.append(run_command(cli_argv, REPLAY_CODE, pro.env, {0}))
    print(f"  first call of the session, untimed: {first * 1000:.0f} ms")
    for timings in (mcp, cli):
        print(timings.line())
    print(
        f"  replay_history / CLI: {mcp.median / cli.median:.2f}x (for information: each call "
        "replays in a child process with time and memory limits)"
    )
    return []  # no goal: replay's speed is the engine's, measured by replay_bench.py


# ---------------------------------------------------------------------------


def print_summary(goals: list[Goal]) -> None:
    print("\nsummary")
    for goal in goals:
        print(
            f"  {goal.name:<26} goal {goal.goal:<10} measured {goal.measured or '-':<10} "
            + verdict(goal.passed)
        )


WORK_ITEMS = ("reference_server.py", "workflows", "*.log")  # what a --keep DIR run rewrites


@contextmanager
def workspace(keep: Path | None) -> Iterator[Path]:
    if keep is None:
        with tempfile.TemporaryDirectory(prefix="mcp-bench-") as tmp:
            yield Path(tmp).resolve()
        return
    keep.mkdir(parents=True, exist_ok=True)
    for pattern in WORK_ITEMS:  # only what this script made before; histories are reused
        for item in keep.glob(pattern):
            shutil.rmtree(item) if item.is_dir() else item.unlink()
    yield keep.resolve()


def write_workflow_module(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    ast.parse(WORKFLOW_MODULE, feature_version=(3, 10))  # a broken template would time errors
    path = folder / "fulfilment.py"
    path.write_text(WORKFLOW_MODULE, encoding="utf-8")
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs",
        type=int,
        default=DEFAULT_RUNS,
        help=f"start-ups per server, CLI runs, replay calls; medians kept (default {DEFAULT_RUNS})",
    )
    parser.add_argument(
        "--calls",
        type=int,
        default=DEFAULT_CALLS,
        help=f"lint_workflow_code calls per mode in one session (default {DEFAULT_CALLS})",
    )
    parser.add_argument(
        "--file", type=Path, help="time the lint calls on this workflow module instead"
    )
    parser.add_argument(
        "--root",
        type=Path,
        metavar="DIR",
        help="with --file: the folder the server may read, and where its imports are "
        "followed (default: the file's folder)",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="work in DIR and keep it: the module, the servers' logs, the history (reused)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.calls < 1:
        parser.error("--runs and --calls must be at least 1")
    if args.root and not args.file:
        parser.error("--root goes with --file")
    if args.file:
        args.file = args.file.expanduser().resolve()
        if not args.file.is_file():
            parser.error(f"--file {args.file}: not a file")
        args.root = (args.root or args.file.parent).expanduser().resolve()
        if not args.file.is_relative_to(args.root):
            parser.error(f"--file {args.file}: not inside --root {args.root}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Keep progress lines and error messages in order when both go to a pipe.
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)
    pro = temporal_pro_launcher()
    print(f"python {sys.version.split()[0]} at {sys.executable}")
    print(f"temporal-pro: {' '.join(pro.argv)}; MCP over stdio, raw JSON-RPC ({PROTOCOL_VERSION})")
    # Compile once, as `pip install` does: a checkout without bytecode would time compilation.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(REPO_ROOT / "mcp_server")],
        capture_output=True,
    )
    goals: list[Goal] = []
    failures: list[str] = []
    started = time.perf_counter()
    with workspace(args.keep) as work:
        file = args.file or write_workflow_module(work / "workflows")
        root = args.root or file.parent
        # Each step, and the goals it judges: n/a in the summary when the step fails to run.
        steps: list[tuple[str, list[tuple[str, str]], Callable[[], list[Goal]]]] = [
            (
                "start-up",
                [("start-up vs reference", START_GOAL)],
                lambda: [bench_start(pro, work, args.runs)],
            ),
            (
                "lint",
                [
                    ("lint call (source=)", LINT_GOAL),
                    ("lint call (paths=)", LINT_GOAL),
                    ("same findings as the CLI", "identical"),
                ],
                lambda: bench_lint(pro, file, root, work, args.runs, args.calls),
            ),
            ("replay", [], lambda: bench_replay(pro, work, args.runs)),
        ]
        for name, judged, step in steps:
            try:
                goals += step()
            except BenchError as error:
                print(f"  {name}: FAILED {error}", file=sys.stderr)
                failures.append(name)
                goals += [Goal(goal, text, None, None) for goal, text in judged]
        if args.keep:
            print(f"\nwork kept in {work}")
    print(f"\ntook {time.perf_counter() - started:.0f} s")
    print_summary(goals)
    if failures:
        print(f"bench: failed to run: {', '.join(failures)}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
