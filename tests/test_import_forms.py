"""Every call-table category, in every import form, inside and outside workflow code.

For a representative call of each category the same mistake is written with `import x`,
`from x import y`, `as` aliases, a function-local import, and a star import from
`temporalio.workflow`; each must be reported on the call's line. The same call in a plain `def`
activity, or behind a local name that shadows the import, must not be.
"""

from __future__ import annotations

import pytest

from mcp_server.lint.engine import lint_source

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
