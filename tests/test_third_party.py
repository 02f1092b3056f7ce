"""Following workflow code into installed packages (`--python`, the `python` setting).

A real wheel is built here, installed with a temporary venv's own pip from the local file (no
index, nothing downloaded), and linted against: what the package does is reported at the user's
call into it, with the chain going on into the package's file.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from mcp_server.cli import main

IDS = """\
import uuid


def make_id():
    return str(uuid.uuid4())


def pure_total(values):
    return sum(values)
"""
CACHE = """\
_SEEN = {}


def remember(key, value):
    _SEEN[key] = value
"""
PACKAGE = {
    "thirdlib/__init__.py": "from thirdlib.ids import make_id, pure_total\n",
    "thirdlib/ids.py": IDS,
    "thirdlib/cache.py": CACHE,
    "thirdlib/noisy.py": (
        "import logging\n\nlogger = logging.getLogger(__name__)\n\n\n"
        "def work():\n    logger.info('working')\n    return 1\n"
    ),
    # Like pydantic's BaseModel: a base class that may copy class-level defaults per instance.
    "thirdlib/models.py": "class Base:\n    def describe(self):\n        return 'base'\n",
    "thirdlib/broken.py": "def oops(:\n    pass\n",
    # Over the max-file-size the tests set (5,000 bytes), and pure: only the note can show.
    "thirdlib/huge.py": "def huge():\n    return 1\n"
    + "".join(f"\n\ndef filler_{i}():\n    return {i}\n" for i in range(300)),
    "fastlib/__init__.py": "from fastlib._speedups import fast_id\n",
    "fastlib/_speedups.abi3.so": b"\x7fELF: a binary extension is never read",
    # A namespace package: no __init__.py in nsco/.
    "nsco/plugins/tool.py": "import time\n\n\ndef stamp():\n    return time.time()\n",
}
WORKFLOW = """\
from temporalio import workflow

{imports}


@workflow.defn
class Orders:
    @workflow.run
    async def run(self) -> object:
        return {call}
"""


def build_wheel(folder: Path, name: str, files: dict[str, str | bytes], version: str) -> Path:
    """A wheel as the spec has it: the files, METADATA, WHEEL and a RECORD of their hashes."""
    info = f"{name}-{version}.dist-info"
    contents = {
        path: data.encode() if isinstance(data, str) else data for path, data in files.items()
    }
    contents[f"{info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
    )
    contents[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = []
    for path, data in contents.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    contents[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,", ""]).encode()
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in contents.items():
            archive.writestr(path, data)
    return wheel


def pip_install(python: Path, wheel: Path, target: Path | None = None) -> None:
    """The venv's own pip, from the local file only: no index, so nothing can be downloaded."""
    environment = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1"}
    options = ["--no-index", "--no-deps", "--quiet", "--disable-pip-version-check"]
    if target is not None:
        options += ["--target", str(target)]
    done = subprocess.run(
        [str(python), "-m", "pip", "install", *options, str(wheel)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def deep_chain(hops: int) -> str:
    """`hop1` calls `hop2` ... calls `hop{hops + 1}`, which calls uuid4: the uuid4 is in the
    (hops + 1)-th function from the user's call of `hop1`."""
    functions = [f"def hop{i}():\n    return hop{i + 1}()\n" for i in range(1, hops + 1)]
    functions.append(f"def hop{hops + 1}():\n    return uuid.uuid4()\n")
    return "import uuid\n\n\n" + "\n\n".join(functions)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The interpreter of a venv where `thirdlib`, `fastlib` and `nsco` are installed."""
    from mcp_server.lint.project import MAX_INSTALLED_HOPS

    folder = tmp_path_factory.mktemp("third-party")
    files = {**PACKAGE, "thirdlib/deep.py": deep_chain(MAX_INSTALLED_HOPS)}
    wheel = build_wheel(folder, "thirdlib", files, "1.0")
    subprocess.run([sys.executable, "-m", "venv", str(folder / "venv")], check=True, timeout=300)
    python = folder / "venv" / "bin" / "python"
    pip_install(python, wheel)
    return python


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's tree, the current folder (the cache lives beside it), with a size limit the
    package's huge module is over."""
    (tmp_path / "pyproject.toml").write_text("[tool.temporal-pro]\nmax-file-size = 5_000\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def site_packages(python: Path) -> Path:
    (found,) = (python.parent.parent / "lib").glob("python3*/site-packages")
    return found


def workflow(project: Path, imports: str, call: str, name: str = "workflows.py") -> Path:
    path = project / name
    path.write_text(WORKFLOW.format(imports=imports, call=call))
    return path


def lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, Any]], str]:
    code = main(["lint", "--format", "json", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out)["findings"] if out else [], err


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


# --- what a package does, at the user's call ------------------------------------------------
def test_uuid4_inside_a_package_is_reported_at_the_call_with_the_chain_into_it(
    capsys, venv: Path, project: Path
) -> None:
    path = workflow(project, "import thirdlib", "thirdlib.make_id()")
    code, findings, err = lint(capsys, "--no-cache", "--python", str(venv), str(path))
    assert code == 1, err
    (finding,) = findings
    assert finding["code"] == "TPR105"
    assert finding["filename"] == str(path)
    assert finding["location"] == {
        "row": line_of(path.read_text(), "make_id"),
        "column": 16,
    }
    assert "thirdlib" in finding["message"]
    assert finding["fix"] is None  # nothing to edit in the user's file, never the package's
    first, *rest = finding["chain"]
    assert (first["function"], first["filename"]) == ("Orders.run", str(path))
    ids = site_packages(venv) / "thirdlib" / "ids.py"
    assert [hop["function"] for hop in rest] == ["thirdlib.ids.make_id", "uuid.uuid4"]
    assert rest[-1]["filename"] == str(ids)
    assert rest[-1]["row"] == line_of(IDS, "uuid.uuid4()")


def test_text_output_says_where_in_the_package(capsys, venv: Path, project: Path) -> None:
    path = workflow(project, "import thirdlib.cache", "thirdlib.cache.remember('k', 1)")
    code = main(["lint", "--no-cache", "--python", str(venv), str(path)])
    first = capsys.readouterr().out.splitlines()[0]
    assert code == 1
    cache = site_packages(venv) / "thirdlib" / "cache.py"
    assert first.startswith(f"{path}:{line_of(path.read_text(), 'remember')}:16: TPR303 ")
    assert first.endswith(
        f"(in the installed package `thirdlib`, {cache}:{line_of(CACHE, '_SEEN[key]')})"
    )


def test_global_state_a_package_writes_is_reported_at_the_call(
    capsys, venv: Path, project: Path
) -> None:
    path = workflow(project, "import thirdlib.cache", "thirdlib.cache.remember('k', 1)")
    _, findings, _ = lint(capsys, "--no-cache", "--python", str(venv), str(path))
    (finding,) = findings
    assert finding["code"] == "TPR303"
    assert finding["filename"] == str(path)
    assert "thirdlib.cache._SEEN" in finding["message"]
    assert finding["chain"][-1]["filename"] == str(site_packages(venv) / "thirdlib" / "cache.py")


def test_a_namespace_package_is_followed(capsys, venv: Path, project: Path) -> None:
    path = workflow(project, "from nsco.plugins import tool", "tool.stamp()")
    _, findings, _ = lint(capsys, "--no-cache", "--python", str(venv), str(path))
    assert [(f["code"], f["filename"]) for f in findings] == [("TPR101", str(path))]
    tool = site_packages(venv) / "nsco" / "plugins" / "tool.py"
    assert findings[0]["chain"][-1]["filename"] == str(tool)


def test_a_call_through_the_users_helper_is_reported_in_the_helper(
    capsys, venv: Path, project: Path
) -> None:
    helper = project / "ids_helper.py"
    helper.write_text("import thirdlib\n\n\ndef new_id():\n    return thirdlib.make_id()\n")
    path = workflow(project, "from ids_helper import new_id", "new_id()")
    _, findings, _ = lint(capsys, "--no-cache", "--python", str(venv), str(path), str(helper))
    (finding,) = findings
    assert (finding["filename"], finding["location"]["row"]) == (str(helper), 5)
    assert [hop["function"] for hop in finding["chain"]] == [
        "Orders.run",
        "ids_helper.new_id",
        "thirdlib.ids.make_id",
        "uuid.uuid4",
    ]


def test_logging_inside_a_package_is_not_reported(capsys, venv: Path, project: Path) -> None:
    path = workflow(project, "from thirdlib import noisy", "noisy.work()")
    code, findings, _ = lint(capsys, "--no-cache", "--python", str(venv), str(path))
    assert (code, findings) == (0, [])


def test_a_class_level_default_of_a_class_with_an_installed_base_is_not_shared_state(
    capsys, venv: Path, project: Path
) -> None:
    # As before packages were followed: what an installed base does with class-level defaults
    # (pydantic copies them into each instance) is the package's business.
    path = project / "workflows.py"
    path.write_text(
        "from temporalio import workflow\n\nfrom thirdlib.models import Base\n\n\n"
        "@workflow.defn\nclass Orders(Base):\n    items: list = []\n\n"
        "    @workflow.run\n    async def run(self) -> str:\n        self.items.append(1)\n"
        "        return self.describe()\n"
    )
    code, findings, err = lint(capsys, "--no-cache", "--python", str(venv), str(path))
    assert (code, findings, err) == (0, [], "")


def test_a_pure_function_of_a_package_is_not_flagged(capsys, venv: Path, project: Path) -> None:
    path = workflow(project, "from thirdlib import pure_total", "pure_total([1, 2])")
    code, findings, err = lint(capsys, "--no-cache", "--python", str(venv), str(path))
    assert (code, findings, err) == (0, [], "")


def test_calls_are_followed_a_fixed_number_of_hops_into_packages(
    capsys, venv: Path, project: Path
) -> None:
    from mcp_server.lint.project import MAX_INSTALLED_HOPS

    # hop1 reaches the uuid4 in the (MAX + 1)-th function: too deep. hop2 reaches it in the
    # MAX-th: reported.
    too_deep = workflow(project, "from thirdlib import deep", "deep.hop1()", "too_deep.py")
    in_reach = workflow(project, "from thirdlib import deep", "deep.hop2()", "in_reach.py")
    _, findings, _ = lint(capsys, "--no-cache", "--python", str(venv), str(too_deep), str(in_reach))
    assert [(f["code"], f["filename"]) for f in findings] == [("TPR105", str(in_reach))]
    installed = [h for h in findings[0]["chain"] if "site-packages" in h["filename"]]
    assert len({h["function"] for h in installed if h["function"] != "uuid.uuid4"}) == (
        MAX_INSTALLED_HOPS
    )


def test_only_workflow_code_is_followed_into_packages(capsys, venv: Path, project: Path) -> None:
    path = project / "activities.py"
    path.write_text(
        "from temporalio import activity\n\nimport fastlib\nimport thirdlib\n\n\n"
        "@activity.defn\nasync def make() -> str:\n    fastlib.fast_id()\n"
        "    return thirdlib.make_id()\n"
    )
    code, findings, err = lint(capsys, "--no-cache", "--python", str(venv), str(path))
    assert (code, findings, err) == (
        0,
        [],
        "",
    )  # not even the note on the binary module


def test_a_noqa_at_the_call_silences_what_the_package_does(
    capsys, venv: Path, project: Path
) -> None:
    path = workflow(project, "import thirdlib", "thirdlib.make_id()  # noqa: TPR105")
    code, findings, _ = lint(capsys, "--no-cache", "--python", str(venv), str(path))
    assert (code, findings) == (0, [])  # and the noqa is used: no TPR900


def test_fix_never_edits_the_package_nor_the_call(capsys, venv: Path, project: Path) -> None:
    path = workflow(project, "import thirdlib", "thirdlib.make_id()")
    ids = site_packages(venv) / "thirdlib" / "ids.py"
    before = (path.read_text(), ids.read_text())
    code = main(
        [
            "lint",
            "--no-cache",
            "--fix",
            "--unsafe-fixes",
            "--python",
            str(venv),
            str(path),
        ]
    )
    capsys.readouterr()
    assert code == 1  # reported, and left for the user to decide
    assert (path.read_text(), ids.read_text()) == before


# --- what cannot be followed: skipped with a note, never a crash ------------------------------
@pytest.mark.parametrize(
    ("imports", "call", "note"),
    [
        (
            "import thirdlib.broken",
            "thirdlib.broken.oops()",
            "broken.py:1: does not parse",
        ),
        (
            "import thirdlib.huge",
            "thirdlib.huge.huge()",
            "huge.py: skipped, not followed",
        ),
        (
            "import fastlib",
            "fastlib.fast_id()",
            "`fastlib._speedups` is a binary extension",
        ),
    ],
    ids=["syntax-error", "over-max-file-size", "binary-extension"],
)
def test_what_cannot_be_followed_is_skipped_with_a_note(
    capsys, venv: Path, project: Path, imports: str, call: str, note: str
) -> None:
    path = workflow(project, imports, call)
    code, findings, err = lint(capsys, "--no-cache", "--python", str(venv), str(path))
    assert (code, findings) == (0, [])  # a warning: nothing was judged
    (line,) = err.splitlines()
    assert line.startswith(f"temporal-pro lint: warning: {site_packages(venv)}")
    assert note in line


# --- the environment: --python, the python setting, and bad ones --------------------------------
def test_the_python_setting_names_the_environment(capsys, venv: Path, project: Path) -> None:
    (project / "pyproject.toml").write_text(f'[tool.temporal-pro]\npython = "{venv}"\n')
    path = workflow(project, "import thirdlib", "thirdlib.make_id()")
    _, findings, _ = lint(capsys, "--no-cache", str(path))
    assert [f["code"] for f in findings] == ["TPR105"]


def test_without_python_the_linters_own_environment_is_used(
    capsys, venv: Path, project: Path
) -> None:
    path = workflow(project, "import thirdlib", "thirdlib.make_id()")
    code, findings, _ = lint(capsys, "--no-cache", str(path))
    assert (code, findings) == (0, [])  # thirdlib is installed in the venv only


def not_a_python(tmp_path: Path) -> Path:
    script = tmp_path / "python3"
    script.write_text("#!/bin/sh\necho 'hello'\n")
    script.chmod(0o755)
    return script


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda tmp: tmp / "missing" / "python", "no such file"),
        (lambda tmp: tmp, "not a Python interpreter (a folder)"),
        (
            lambda tmp: Path("/bin/true"),
            "not a Python interpreter (it printed nothing)",
        ),
        (not_a_python, "not a Python interpreter (it printed something else)"),
        (lambda tmp: tmp / "pyproject.toml", "not executable"),
    ],
    ids=["missing", "folder", "bin-true", "other-program", "not-executable"],
)
def test_a_bad_python_is_a_one_line_error(capsys, project: Path, make, problem: str) -> None:
    python = make(project)
    path = workflow(project, "import thirdlib", "thirdlib.make_id()")
    code = main(["lint", "--python", str(python), str(path)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == f"temporal-pro lint: error: --python {python}: {problem}\n"


def test_a_bad_python_setting_names_the_configuration(capsys, project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.temporal-pro]\npython = "nowhere/python"\n')
    path = workflow(project, "import thirdlib", "thirdlib.make_id()")
    code = main(["lint", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        f"temporal-pro lint: error: {project / 'pyproject.toml'}: python "
        f"{project / 'nowhere' / 'python'}: no such file\n"
    )


def test_an_interpreter_that_does_not_answer_in_time_is_an_error(
    tmp_path: Path,
) -> None:
    from mcp_server.lint.environment import PythonEnvironmentError, describe

    slow = tmp_path / "python"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(0o755)
    with pytest.raises(PythonEnvironmentError, match=r"^--python .*: no answer within 0.5 s$"):
        describe(slow, timeout=0.5)


def test_the_environment_is_its_site_packages_and_its_temporalio(
    tmp_path: Path,
) -> None:
    import importlib.metadata
    import sysconfig

    from mcp_server.lint.environment import describe

    here = describe(None)
    assert sysconfig.get_paths()["purelib"] in here.paths
    stdlib = sysconfig.get_paths()["stdlib"]
    assert not any(path == stdlib or "lib-dynload" in path for path in here.paths)
    assert here.temporalio_version == importlib.metadata.version("temporalio")
    asked = describe(Path(sys.executable))  # the same interpreter, asked: the same answer
    assert (asked.paths, asked.temporalio_version) == (
        here.paths,
        here.temporalio_version,
    )


def test_the_temporalio_version_is_the_one_importlib_metadata_finds(
    tmp_path: Path, venv: Path
) -> None:
    from mcp_server.lint.environment import describe

    other = tmp_path / "other"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(other)],
        check=True,
        timeout=300,
    )
    python = other / "bin" / "python"
    wheel = build_wheel(tmp_path, "temporalio", {"temporalio/__init__.py": ""}, "9.8.7")
    pip_install(venv, wheel, target=site_packages(python))  # a venv without pip of its own
    asked = subprocess.run(
        [
            str(python),
            "-I",
            "-c",
            "import importlib.metadata as m; print(m.version('temporalio'))",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    environment = describe(python)
    assert environment.temporalio_version == asked.stdout.strip() == "9.8.7"
    assert [os.path.realpath(p) for p in environment.paths] == [
        os.path.realpath(site_packages(python))
    ]


def test_an_interpreters_answer_is_kept_in_the_cache_folder(tmp_path: Path, venv: Path) -> None:
    from mcp_server.lint import environment

    counter = tmp_path / "asked"
    wrapper = tmp_path / "python"
    wrapper.write_text(f'#!/bin/sh\necho x >> "{counter}"\nexec "{venv}" "$@"\n')
    wrapper.chmod(0o755)
    first = environment.describe(wrapper, cache_dir=tmp_path / "cache")
    environment._ASKED.clear()  # a new process: only the cache folder remembers
    again = environment.describe(wrapper, cache_dir=tmp_path / "cache")
    assert first == again
    assert str(site_packages(venv)) in first.paths
    assert counter.read_text() == "x\n"  # asked once


# --- the result cache -----------------------------------------------------------------------------
def test_the_cache_misses_when_a_followed_package_file_changes(
    capsys, venv: Path, project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Its own copy of the package, to edit: the module's venv is shared.
    folder = tmp_path_factory.mktemp("editable")
    subprocess.run([sys.executable, "-m", "venv", str(folder / "venv")], check=True, timeout=300)
    python = folder / "venv" / "bin" / "python"
    pip_install(python, build_wheel(folder, "thirdlib", PACKAGE, "1.0"))
    path = workflow(project, "import thirdlib", "thirdlib.make_id()")
    cache = ["--cache-dir", str(project / "cache"), "--python", str(python), str(path)]
    assert [f["code"] for f in lint(capsys, *cache)[1]] == ["TPR105"]
    assert [f["code"] for f in lint(capsys, *cache)[1]] == ["TPR105"]  # replayed
    ids = site_packages(python) / "thirdlib" / "ids.py"
    ids.write_text(IDS.replace("str(uuid.uuid4())", "'fixed'"))
    assert lint(capsys, *cache)[:2] == (0, [])
    # Another environment is another run: the venv's findings are not replayed for this one.
    ids.write_text(IDS)
    assert [f["code"] for f in lint(capsys, *cache)[1]] == ["TPR105"]
    assert lint(capsys, "--cache-dir", str(project / "cache"), str(path))[:2] == (0, [])


def test_the_cache_misses_when_a_package_is_installed(
    capsys, venv: Path, project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = workflow(project, "import latelib", "latelib.make_id()")
    cache = ["--cache-dir", str(project / "cache"), "--python", str(venv), str(path)]
    assert lint(capsys, *cache)[:2] == (0, [])  # not installed yet: nothing to follow
    folder = tmp_path_factory.mktemp("latelib")
    pip_install(venv, build_wheel(folder, "latelib", {"latelib/__init__.py": IDS}, "1.0"))
    assert [f["code"] for f in lint(capsys, *cache)[1]] == ["TPR105"]


# --- the MCP server's lint tool -----------------------------------------------------------------
def test_confined_runs_follow_no_installed_package_and_run_no_interpreter(
    venv: Path, project: Path
) -> None:
    from mcp_server.lint.engine import lint_paths
    from mcp_server.lint.options import LintOptions

    path = workflow(project, "import thirdlib", "thirdlib.make_id()")
    confined = LintOptions(confine=(os.path.realpath(project),), python=venv)
    assert lint_paths([str(path)], confined).report.findings == []
    # A python that is no interpreter is never run there, so it is no error either.
    broken = LintOptions(confine=(os.path.realpath(project),), python=Path("/bin/true"))
    assert lint_paths([str(path)], broken).report.findings == []
