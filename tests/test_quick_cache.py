"""The quick path (mcp_server/lint/quick.py): a lint run whose inputs are all unchanged replays
its recorded output before importing the linter; any change to what the output depends on goes
to the normal path, and the report is the one a cold run prints.

Every run here is the real command (`python -m mcp_server`, which the `temporal-pro` script
shares) under `python -X importtime`, which lists every module the process imported: a replay
imports neither the command line (argparse) nor the analysis.
"""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mcp_server.lint.cache import RACY_NS, linter_files
from mcp_server.lint.environment import describe

ROOT = Path(__file__).resolve().parents[1]

WORKFLOW = """\
import time

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    import helpers


@workflow.defn
class Orders:
    @workflow.run
    async def run(self) -> str:
        started = time.time()
        return f"{helpers.label()} {started}"
"""

HELPERS = "def label() -> str:\n    return 'order'\n"

IDS = """\
import uuid

from temporalio import workflow


@workflow.defn
class Ids:
    @workflow.run
    async def run(self) -> str:
        return str(uuid.uuid4())
"""

CLOCK = """\
from datetime import datetime

from temporalio import workflow


@workflow.defn
class Late:
    @workflow.run
    async def run(self) -> str:
        return datetime.now().isoformat()
"""


def make_kit(kit: Path) -> None:
    """kit/pyproject.toml (the configuration), kit/settings.toml (for --config), and the linted
    project kit/project: a workflow that reads the clock and calls a helper module, a package
    with a second workflow, and a folder without Python files."""
    (kit / "project" / "pkg").mkdir(parents=True)
    (kit / "project" / "docs").mkdir()
    (kit / "pyproject.toml").write_text("[tool.temporal-pro]\n")
    (kit / "settings.toml").write_text("ignore = []\n")
    (kit / "project" / "wf.py").write_text(WORKFLOW)
    (kit / "project" / "helpers.py").write_text(HELPERS)
    (kit / "project" / "pkg" / "__init__.py").write_text("")
    (kit / "project" / "pkg" / "ids.py").write_text(IDS)
    (kit / "project" / "docs" / "notes.txt").write_text("no Python here\n")


class Kits:
    """Trees made up front and aged together. The quick path records nothing that changed less
    than two seconds (cache.RACY_NS) before a run, so each tree must be that old before a run
    can be replayed; made one by one, every test would wait that long."""

    def __init__(self, root: Path, count: int) -> None:
        self.plain = [root / f"kit{index}" for index in range(count)]
        for kit in self.plain:
            make_kit(kit)
        # Two copies of the linter (to edit one) and two environments (to install into one).
        self.linters = [root / f"linter{index}" for index in range(2)]
        for linter in self.linters:
            make_kit(linter)
            shutil.copytree(
                ROOT / "mcp_server",
                linter / "code" / "mcp_server",
                ignore=shutil.ignore_patterns("__pycache__"),
            )
            _compile(linter / "code" / "mcp_server")
        # A project whose pyproject.toml names temporal-pro without configuring it.
        self.unconfigured = [root / "unconfigured"]
        for kit in self.unconfigured:
            make_kit(kit)
            (kit / "pyproject.toml").write_text(
                '[project]\nname = "orders"\n# CI runs `temporal-pro lint`; [tool.temporal-pro] is not needed\n'
            )
            # Linted before: creating the cache folder changes the linted folder, and a run that
            # changed an input records nothing.
            (kit / "project" / ".temporal-pro-cache").mkdir()
        # A configuration that names the interpreter the code runs with.
        self.configured_python = [root / "configured-python"]
        for kit in self.configured_python:
            make_kit(kit)
            (kit / "pyproject.toml").write_text(
                f"[tool.temporal-pro]\npython = {str(sys.executable)!r}\n"
            )
        self.environments = [root / f"venv{index}" for index in range(2)]
        for environment in self.environments:
            make_kit(environment)
            _make_venv(environment / "venv")
        # The package's own folders gain __pycache__ folders when first imported: do it now.
        _compile(ROOT / "mcp_server")
        time.sleep((RACY_NS + 200_000_000) / 1e9)

    def take(self, pool: list[Path]) -> Path:
        assert pool, "add kits to the pool in `kits`"
        return pool.pop()


def _compile(package: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(package)], capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def _make_venv(venv: Path) -> None:
    """A virtual environment without pip whose .pth file adds this interpreter's installed
    packages and this checkout: it runs the linter, and its site-packages can change."""
    done = subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    [site_packages] = venv.glob("lib/python3*/site-packages")
    here = [p for p in sys.path if p.endswith("site-packages") and os.path.isdir(p)]
    (site_packages / "deps.pth").write_text("\n".join([*here, str(ROOT)]) + "\n")


@pytest.fixture(scope="module")
def kits(tmp_path_factory: pytest.TempPathFactory) -> Kits:
    return Kits(tmp_path_factory.mktemp("aged"), count=32)


@pytest.fixture
def kit(kits: Kits) -> Path:
    return kits.take(kits.plain)


@dataclass
class Run:
    code: int
    stdout: bytes
    stderr: bytes  # without -X importtime's lines
    imported: set[str]

    @property
    def replayed(self) -> bool:
        """Answered by the quick path: the command line and the analysis were never imported."""
        return not self.imported & {"argparse", "mcp_server.cli", "mcp_server.lint.engine"}

    @property
    def report(self) -> tuple[int, bytes, bytes]:
        return self.code, self.stdout, self.stderr


def lint(
    cwd: Path,
    *words: str,
    python: str = sys.executable,
    code_at: Path = ROOT,
    stdin: bytes = b"",
    stdout: int | None = subprocess.PIPE,
) -> Run:
    done = subprocess.run(
        [python, "-X", "importtime", "-m", "mcp_server", "lint", *words],
        cwd=cwd,
        input=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(code_at)},
        timeout=120,
    )
    timing = [line for line in done.stderr.splitlines(True) if line.startswith(b"import time:")]
    imported = {line.rsplit(b"|", 1)[-1].strip().decode() for line in timing[1:]}
    stderr = b"".join(line for line in done.stderr.splitlines(True) if line not in timing)
    return Run(done.returncode, done.stdout or b"", stderr, imported)


def cached(kit: Path, *words: str, **options: Any) -> Run:
    """A run with the cache in kit/cache (a folder outside the linted tree)."""
    return lint(kit / "project", "--cache-dir", str(kit / "cache"), *words, **options)


def cold(kit: Path, *words: str, cwd: Path | None = None, **options: Any) -> Run:
    """The same run without the cache: what every replay must print."""
    return lint(cwd or kit / "project", "--no-cache", *words, **options)


def records(folder: Path) -> list[Path]:
    return sorted(folder.glob("quick-*"))


def test_an_unchanged_tree_is_replayed_byte_for_byte_without_the_linter(kit: Path) -> None:
    first = cached(kit, ".")
    assert not first.replayed and "mcp_server.lint.engine" in first.imported
    assert len(records(kit / "cache")) == 1
    again = cached(kit, ".")
    assert again.replayed, sorted(again.imported)
    assert again.report == first.report == cold(kit, ".").report
    assert again.code == 1 and b"TPR101" in again.stdout and b"TPR105" in again.stdout


def test_the_default_cache_folder_beside_the_configuration_is_replayed_too(kit: Path) -> None:
    first = lint(kit / "project", "--format", "json", ".")
    assert records(kit / ".temporal-pro-cache")
    again = lint(kit / "project", "--format", "json", ".")
    assert again.replayed and again.report == first.report
    assert again.report == cold(kit, "--format", "json", ".").report


def test_a_project_that_only_mentions_temporal_pro_keeps_the_cache_in_the_current_folder(
    kits: Kits,
) -> None:
    kit = kits.take(kits.unconfigured)
    first = lint(kit / "project", ".")
    assert records(kit / "project" / ".temporal-pro-cache")
    again = lint(kit / "project", ".")
    assert again.replayed and again.report == first.report == cold(kit, ".").report


def _same_size_same_mtime(kit: Path) -> None:
    """An edit that keeps the size and restores the modification time (cp -p, rsync -t): only
    the change time, which no tool sets back, tells."""
    workflow = kit / "project" / "wf.py"
    before = workflow.stat()
    edited = WORKFLOW.replace("time.time()", "float(0.0) ")
    assert len(edited) == len(WORKFLOW)
    workflow.write_text(edited)
    os.utime(workflow, ns=(before.st_atime_ns, before.st_mtime_ns))


def _grown(kit: Path) -> None:
    with open(kit / "project" / "wf.py", "a") as handle:
        handle.write("\n\ndef stamp() -> float:\n    return time.time()\n")


def _touched(kit: Path) -> None:
    os.utime(kit / "project" / "wf.py")  # same content: the normal path's keyed cache answers


def _added(kit: Path) -> None:
    (kit / "project" / "late.py").write_text(CLOCK)


def _added_where_no_python_was(kit: Path) -> None:
    (kit / "project" / "docs" / "late.py").write_text(CLOCK)


def _added_in_a_new_folder(kit: Path) -> None:
    (kit / "project" / "pkg" / "sub").mkdir()
    (kit / "project" / "pkg" / "sub" / "late.py").write_text(CLOCK)


def _removed(kit: Path) -> None:
    (kit / "project" / "pkg" / "ids.py").unlink()


def _configuration_edited(kit: Path) -> None:
    (kit / "pyproject.toml").write_text('[tool.temporal-pro]\nignore = ["TPR101"]\n')


def _configuration_appears_nearer(kit: Path) -> None:
    # Found by discovery from the working directory; outside the linted folder (pkg).
    (kit / "project" / "pyproject.toml").write_text('[tool.temporal-pro]\nignore = ["TPR105"]\n')


def _project_declares_temporalio(kit: Path) -> None:
    # No table of ours, but discovery reads the nearest pyproject.toml for the temporalio the
    # project declares, which chooses the SDK table names are checked against.
    (kit / "project" / "pyproject.toml").write_text(
        '[project]\nname = "orders"\ndependencies = ["temporalio==1.20.0"]\n'
    )


def _explicit_configuration_edited(kit: Path) -> None:
    (kit / "settings.toml").write_text('ignore = ["TPR101"]\n')


def _followed_helper_edited(kit: Path) -> None:
    (kit / "project" / "helpers.py").write_text(
        "import datetime\n\n\ndef label() -> str:\n    return str(datetime.datetime.now())\n"
    )


def _followed_helper_removed(kit: Path) -> None:
    (kit / "project" / "helpers.py").unlink()


CHANGES: dict[str, tuple[tuple[str, ...], Callable[[Path], None]]] = {
    # name: (the words linted, the change)
    "content, same size and mtime": ((".",), _same_size_same_mtime),
    "content and size": ((".",), _grown),
    "mtime only": ((".",), _touched),
    "a file added": ((".",), _added),
    "a file added to a folder without Python": ((".",), _added_where_no_python_was),
    "a file added in a new folder": ((".",), _added_in_a_new_folder),
    "a file removed": ((".",), _removed),
    "the configuration edited": ((".",), _configuration_edited),
    "a configuration appears nearer": (("pkg",), _configuration_appears_nearer),
    "a pyproject.toml declaring temporalio appears": (("pkg",), _project_declares_temporalio),
    "the --config file edited": (
        ("--config", "../settings.toml", "."),
        _explicit_configuration_edited,
    ),
    "a followed helper edited": (("wf.py",), _followed_helper_edited),
    "a followed helper removed": (("wf.py",), _followed_helper_removed),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_a_change_to_an_input_goes_to_the_normal_path(kit: Path, change: str) -> None:
    words, apply = CHANGES[change]
    cached(kit, *words)
    assert cached(kit, *words).replayed  # the record was usable before the change
    apply(kit)
    after = cached(kit, *words)
    assert not after.replayed
    assert after.report == cold(kit, *words).report


def test_changed_options_are_another_run(kit: Path) -> None:
    cached(kit, ".")
    assert cached(kit, ".").replayed
    as_json = cached(kit, "--format", "json", ".")
    assert not as_json.replayed and as_json.report == cold(kit, "--format", "json", ".").report
    ignoring = cached(kit, "--ignore", "TPR101", ".")
    assert not ignoring.replayed and ignoring.report == cold(kit, "--ignore", "TPR101", ".").report


def test_the_same_command_from_another_folder_is_another_run(kit: Path) -> None:
    words = ("--cache-dir", str(kit / "cache"), str(kit / "project"))
    lint(kit / "project", *words)
    assert lint(kit / "project", *words).replayed
    elsewhere = lint(kit / "project" / "pkg", *words)
    assert not elsewhere.replayed
    assert elsewhere.report == cold(kit, str(kit / "project"), cwd=kit / "project" / "pkg").report


@pytest.mark.parametrize("linter_change", ["a module edited", "a module added"])
def test_a_changed_linter_goes_to_the_normal_path(kits: Kits, linter_change: str) -> None:
    kit = kits.take(kits.linters)
    code = kit / "code"
    cached(kit, ".", code_at=code)
    assert cached(kit, ".", code_at=code).replayed
    if linter_change == "a module edited":
        with open(code / "mcp_server" / "lint" / "rules.py", "a") as handle:
            handle.write("\n# edited\n")
    else:
        (code / "mcp_server" / "lint" / "extra.py").write_text("")
    after = cached(kit, ".", code_at=code)
    assert not after.replayed and after.report == cold(kit, ".").report


@pytest.mark.parametrize("environment_change", ["a package installed", "a .pth file edited"])
def test_a_changed_environment_goes_to_the_normal_path(kits: Kits, environment_change: str) -> None:
    kit = kits.take(kits.environments)
    python = str(kit / "venv" / "bin" / "python")
    cached(kit, ".", python=python)
    assert cached(kit, ".", python=python).replayed
    [site_packages] = (kit / "venv").glob("lib/python3*/site-packages")
    if environment_change == "a package installed":
        (site_packages / "acme").mkdir()
        (site_packages / "acme" / "__init__.py").write_text("")
    else:
        (kit / "extra").mkdir()  # a folder the .pth now adds to the environment
        with open(site_packages / "deps.pth", "a") as handle:
            handle.write(f"{kit / 'extra'}\n")
    after = cached(kit, ".", python=python)
    assert not after.replayed and after.report == cold(kit, ".", python=python).report


def test_a_record_checks_every_input_the_key_is_made_of(kit: Path) -> None:
    """What keeps this module and environment.py / cache.py from drifting apart: the record
    stats every folder of the environment's fingerprint and every file of the linter's."""
    cached(kit, ".")
    [record] = records(kit / "cache")
    _, _, checks, _ = marshal.loads(record.read_bytes())
    checked = {path for path, _ in checks}
    assert set(describe(None).paths) <= checked
    folders, files = linter_files()
    assert {*folders, *files} <= checked
    assert str(kit / "pyproject.toml") in checked and "/pyproject.toml" in checked


NEVER_REPLAYED = {
    "stdin": ("-",),
    "--diff": ("--diff", "."),
    "--python": ("--python", sys.executable, "."),
}


@pytest.mark.parametrize("words", NEVER_REPLAYED.values(), ids=list(NEVER_REPLAYED))
def test_runs_the_quick_path_cannot_judge_are_never_recorded(
    kit: Path, words: tuple[str, ...]
) -> None:
    source = WORKFLOW.encode()
    first = cached(kit, *words, stdin=source)
    again = cached(kit, *words, stdin=source)
    assert not again.replayed and again.report == first.report
    assert not records(kit / "cache")


def test_a_configured_interpreter_is_never_recorded(kits: Kits) -> None:
    kit = kits.take(kits.configured_python)
    first = cached(kit, ".")
    again = cached(kit, ".")
    assert not again.replayed and again.report == first.report
    assert not records(kit / "cache")


def test_no_cache_is_never_replayed(kit: Path) -> None:
    cold(kit, ".")
    assert not cold(kit, ".").replayed


def test_a_tree_changed_within_the_clock_granularity_is_not_recorded(tmp_path: Path) -> None:
    make_kit(tmp_path)  # just written: racily new
    first = cached(tmp_path, ".")
    again = cached(tmp_path, ".")
    assert not again.replayed and again.report == first.report
    assert not records(tmp_path / "cache")


def test_a_damaged_record_goes_to_the_normal_path(kit: Path) -> None:
    first = cached(kit, ".")
    [record] = records(kit / "cache")
    record.write_bytes(record.read_bytes()[:-40])
    again = cached(kit, ".")
    assert not again.replayed and again.report == first.report


def test_a_replay_into_a_full_disk_is_one_line_and_exit_2(kit: Path) -> None:
    cached(kit, ".")
    with open("/dev/full", "wb") as full:
        replayed = cached(kit, ".", stdout=full.fileno())
        normal = cold(kit, ".", stdout=full.fileno())
    # Replayed: the error message needs the command line's module, but no cache lookup ran.
    assert not replayed.imported & {"mcp_server.lint.cache", "mcp_server.lint.engine"}
    assert replayed.code == normal.code == 2
    assert (
        replayed.stderr
        == normal.stderr
        == (b"temporal-pro lint: error: cannot write to standard output: No space left on device\n")
    )
