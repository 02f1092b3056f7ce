"""Every call-table category, in every import form, inside and outside workflow code.

For a representative call of each category the same mistake is written with `import x`,
`from x import y`, `as` aliases, a function-local import, and a star import from
`temporalio.workflow`; each must be reported on the call's line. The same call in a plain `def`
activity, or behind a local name that shadows the import, must not be.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mcp_server.lint.engine import LintOptions, lint_paths, lint_source

# (qualified name of the callable, call arguments, expected code)
CASES = [
    ("datetime.datetime.now", "", "TPR101"),
    ("time.monotonic", "", "TPR101"),
    ("time.ctime", "", "TPR102"),
    ("random.randint", "1, 6", "TPR103"),
    ("secrets.token_hex", "8", "TPR103"),
    ("os.urandom", "8", "TPR103"),
    ("random.SystemRandom", "", "TPR104"),
    ("uuid.uuid1", "", "TPR105"),
    ("time.sleep", "1", "TPR106"),
    ("asyncio.as_completed", "[]", "TPR107"),
    ("shutil.copyfile", "'a', 'b'", "TPR201"),
    ("os.path.exists", "'a'", "TPR201"),
    ("requests.post", "'https://example.com'", "TPR202"),
    ("urllib.request.urlopen", "'https://example.com'", "TPR202"),
    ("subprocess.check_output", "['ls']", "TPR203"),
    ("threading.Thread", "", "TPR204"),
    ("concurrent.futures.ProcessPoolExecutor", "", "TPR204"),
    ("os.getenv", "'HOME'", "TPR205"),
    ("platform.system", "", "TPR205"),
]

HEADER = "from datetime import timedelta\n\nfrom temporalio import activity, workflow\n"
WORKFLOW = """
@workflow.defn
class Subject:
    @workflow.run
    async def run(self) -> None:
{local}        value = {call}
        del value
"""


def forms(qname: str) -> dict[str, tuple[str, str, str]]:
    """form -> (module-level import, function-local import, call expression)."""
    module, _, name = qname.rpartition(".")
    top, _, rest = qname.partition(".")
    # `from datetime import datetime` binds the class; `from os.path import exists` the function.
    return {
        "import x": (f"import {module}\n", "", qname),
        "import x as alias": (f"import {module} as alias\n", "", f"alias.{name}"),
        "from x import y": (f"from {module} import {name}\n", "", name),
        "from x import y as alias": (f"from {module} import {name} as alias\n", "", "alias"),
        "from top import rest": (f"from {top} import {rest.partition('.')[0]}\n", "", rest),
        "function-local import": ("", f"        from {module} import {name} as local\n", "local"),
    }


def workflow_source(imports: str, local: str, call: str, args: str) -> str:
    return HEADER + imports + WORKFLOW.format(local=local, call=f"{call}({args})")


def call_line(source: str, call: str) -> int:
    return next(i for i, line in enumerate(source.splitlines(), 1) if f"value = {call}(" in line)


PARAMS = [
    pytest.param(qname, args, code, form, id=f"{code}-{qname}-{form}")
    for qname, args, code in CASES
    for form in forms(qname)
]


@pytest.mark.parametrize(("qname", "args", "code", "form"), PARAMS)
def test_reported_in_every_import_form(qname: str, args: str, code: str, form: str) -> None:
    imports, local, call = forms(qname)[form]
    source = workflow_source(imports, local, call, args)
    findings = {(f.location.row, f.code) for f in lint_source(source).findings}
    assert findings == {(call_line(source, call), code)}


@pytest.mark.parametrize("form", list(forms("os.environ")))
def test_a_reference_is_reported_in_every_import_form(form: str) -> None:
    # Not a call: `environ["HOME"]` after `from os import environ` reads the environment through
    # a bare name, which the checker must resolve like the callee of a call.
    imports, local, reference = forms("os.environ")[form]
    source = HEADER + imports + WORKFLOW.format(local=local, call=f'{reference}["HOME"]')
    row = next(i for i, line in enumerate(source.splitlines(), 1) if "value = " in line)
    assert {(f.location.row, f.code) for f in lint_source(source).findings} == {(row, "TPR205")}


@pytest.mark.parametrize(("qname", "args", "code"), CASES)
def test_reported_with_workflow_decorators_from_a_star_import(
    qname: str, args: str, code: str
) -> None:
    imports, _, call = forms(qname)["import x"]
    source = (
        workflow_source(imports, "", call, args)
        .replace(
            "from temporalio import activity, workflow\n", "from temporalio.workflow import *\n"
        )
        .replace("@workflow.defn", "@defn")
        .replace("@workflow.run", "@run")
    )
    assert {f.code for f in lint_source(source).findings} == {code}


@pytest.mark.parametrize(("qname", "args", "code"), CASES)
def test_not_reported_in_a_plain_activity(qname: str, args: str, code: str) -> None:
    imports, _, call = forms(qname)["import x"]
    source = (
        f"{HEADER}{imports}\n\n@activity.defn\ndef act() -> None:\n    value = {call}({args})\n"
    )
    assert lint_source(source).findings == []


@pytest.mark.parametrize(("qname", "args", "code"), CASES)
def test_not_reported_when_a_local_name_shadows_the_import(
    qname: str, args: str, code: str
) -> None:
    imports, _, call = forms(qname)["import x"]
    head = call.partition(".")[0]
    source = workflow_source(imports, "", call, args).replace(
        "async def run(self) -> None:", f"async def run(self, {head}: object) -> None:"
    )
    assert lint_source(source).findings == []


@pytest.mark.parametrize(
    ("qname", "args", "code"),
    [*CASES, ("loguru.logger.info", "'x'", "TPR602"), ("anyio.to_thread.run_sync", "f", "TPR204")],
)
@pytest.mark.parametrize("shape", ["alias = base", "from {module} import {name} as alias"])
def test_reported_through_a_project_module_that_re_exports_it(
    tmp_path: Path, qname: str, args: str, code: str, shape: str
) -> None:
    # A real project's workflow logged through `from tracecat.logger import logger`, a module
    # that only re-exported Loguru's logger under its own name.
    module, _, name = qname.rpartition(".")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "shim.py").write_text(
        f"from {module} import {name} as base\n\n" + shape.format(module=module, name=name) + "\n"
    )
    source = workflow_source("from app.shim import alias\n", "", "alias", args)
    (tmp_path / "app" / "flow.py").write_text(source)
    report = lint_paths([str(tmp_path / "app" / "flow.py")], LintOptions(jobs=1)).report
    found = [(f.code, f.location.row) for f in report.findings if f.code == code]
    assert found == [(code, call_line(source, "alias"))]
    assert qname.rpartition(".")[2] in report.findings[0].message


def test_a_function_the_project_defines_keeps_its_own_name(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "shim.py").write_text("def alias() -> int:\n    return 1\n")
    source = workflow_source("from app.shim import alias\n", "", "alias", "")
    (tmp_path / "app" / "flow.py").write_text(source)
    report = lint_paths([str(tmp_path / "app" / "flow.py")], LintOptions(jobs=1)).report
    assert report.findings == []


HELPERS = """\
from datetime import datetime

from loguru import logger


def bind_logger(run_id: str):
    return logger.bind(run_id=run_id)


def get_logger(run_id: str):
    return bind_logger(run_id)


def now() -> datetime:
    return datetime.now()
"""


def test_an_object_a_project_helper_returns_is_known_by_what_it_is(tmp_path: Path) -> None:
    # A real project's workflows logged through `log = seed_and_bind_logger(...)`, a helper of
    # its own returning a bound Loguru logger through another helper.
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "helpers.py").write_text(HELPERS)
    source = HEADER + (
        "from app.helpers import get_logger, now\n\n\n@workflow.defn\nclass Subject:\n"
        "    @workflow.run\n    async def run(self) -> str:\n"
        "        log = get_logger('r')\n        log.info('started')\n"
        "        return now().isoformat()\n"
    )
    (tmp_path / "app" / "flow.py").write_text(source)
    report = lint_paths([str(tmp_path / "app")], LintOptions(jobs=1)).report
    found = [(f.code, f.filename.rpartition("/")[2], f.location.row) for f in report.findings]
    log_row = call_line(source.replace("log.info(", "value = log.info("), "log.info")
    # The clock is reported once, in the helper that reads it, not again where it is called.
    assert found == [("TPR602", "flow.py", log_row), ("TPR101", "helpers.py", 15)]


WALRUS = """\
import time

from temporalio import workflow


def keep(f):
    return f


@workflow.defn
class W:
    @workflow.run
    async def run(self) -> float:
        {binding}
        value = clock()  # the alias `:=` bound
        return value
"""


@pytest.mark.parametrize(
    "binding",
    [
        "if (clock := time.time) is None:\n            return 0.0",
        "@keep if (clock := time.time) else keep\n        def inner() -> None: ...",
        "x = 1\n        y = [clock := time.time]",
    ],
    ids=["in an if test", "in a decorator", "after other statements"],
)
def test_a_name_bound_with_walrus_is_an_alias(binding: str) -> None:
    # The walrus is looked for only in the statements around the lines that hold `:=`; a
    # decorator's line comes before its `def`.
    source = WALRUS.format(binding=binding)
    found = [(f.code, f.location.row) for f in lint_source(source).findings]
    assert found == [("TPR101", call_line(source, "clock"))]
