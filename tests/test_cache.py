"""The run cache: hits replay the output, any change to files or settings misses."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mcp_server import cli
from mcp_server.lint import engine

BAD = "import time\nfrom temporalio import workflow\n\n@workflow.defn\nclass W:\n    @workflow.run\n    async def run(self) -> float:\n        return time.time()\n"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "wf.py").write_text(BAD)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def analyses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts how often the engine really runs."""
    calls: list[int] = []
    original = engine.lint_paths

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(engine, "lint_paths", counting)
    return calls


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = cli.main(["lint", *args])
    return code, capsys.readouterr().out


def test_second_run_over_an_unchanged_tree_replays_the_output(
    capsys, tree: Path, analyses: list[int]
) -> None:
    first = run(capsys, ".")
    second = run(capsys, ".")
    assert first == second and first[0] == 1 and "TPR101" in first[1]
    assert len(analyses) == 1


def test_changed_content_misses_the_cache(capsys, tree: Path, analyses: list[int]) -> None:
    run(capsys, ".")
    (tree / "wf.py").write_text(
        BAD.replace("time.time()", "workflow.time()").replace("import time\n", "")
    )
    assert run(capsys, ".")[0] == 0
    assert len(analyses) == 2


def test_a_same_size_edit_with_its_old_mtime_misses_the_cache(
    capsys, tree: Path, analyses: list[int]
) -> None:
    # cp -p and rsync -t restore the modification time; only the change time tells.
    workflow = tree / "wf.py"
    os.utime(workflow, ns=(0, time.time_ns() - 60_000_000_000))  # not racily new
    before = workflow.stat()
    assert run(capsys, ".")[0] == 1
    edited = BAD.replace("time.time()", "float(0.0) ")
    assert len(edited) == len(BAD)
    workflow.write_text(edited)
    os.utime(workflow, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert run(capsys, ".") == (0, "All clear: 1 file checked\n")
    assert len(analyses) == 2


def test_options_that_shape_the_output_are_part_of_the_key(
    capsys, tree: Path, analyses: list[int]
) -> None:
    text = run(capsys, ".")[1]
    as_json = run(capsys, "--format", "json", ".")[1]
    assert text != as_json and as_json.lstrip().startswith("{")
    assert run(capsys, "--ignore", "TPR101", ".")[0] == 0
    assert len(analyses) == 3


def test_configuration_changes_miss_the_cache(capsys, tree: Path, analyses: list[int]) -> None:
    run(capsys, ".")
    (tree / "pyproject.toml").write_text('[tool.temporal-pro]\nignore = ["TPR101"]\n')
    assert run(capsys, ".")[0] == 0


def test_cache_folder_sits_beside_the_config_and_is_never_committed(capsys, tree: Path) -> None:
    (tree / "pyproject.toml").write_text("[tool.temporal-pro]\n")
    (tree / "sub").mkdir()
    (tree / "sub" / "wf.py").write_text(BAD)
    cli.main(["lint", str(tree / "sub")])
    capsys.readouterr()
    cache = tree / ".temporal-pro-cache"
    assert (cache / ".gitignore").read_text().strip().endswith("*")
    assert any(cache.glob("*.json"))


def test_no_cache_and_cache_dir(capsys, tree: Path, analyses: list[int], tmp_path_factory) -> None:
    elsewhere = tmp_path_factory.mktemp("cache")
    run(capsys, "--cache-dir", str(elsewhere), ".")
    assert any(elsewhere.glob("*.json")) and not (tree / ".temporal-pro-cache").exists()
    run(capsys, "--no-cache", ".")
    run(capsys, "--no-cache", ".")
    assert len(analyses) == 3


def test_a_damaged_cache_entry_is_ignored(capsys, tree: Path, analyses: list[int]) -> None:
    run(capsys, ".")
    for entry in (tree / ".temporal-pro-cache").glob("*.out"):
        entry.write_text("truncated")
    assert run(capsys, ".")[0] == 1
    assert len(analyses) == 2


PASSES_THROUGH = """\
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    import helpers


@workflow.defn
class W:
    @workflow.run
    async def run(self) -> str:
        return helpers.label()
"""


def test_a_changed_import_outside_the_linted_files_misses_the_cache(
    capsys, tree: Path, analyses: list[int]
) -> None:
    # pre-commit passes only the staged files; the workflow's helper module is not among them.
    (tree / "wf.py").write_text(PASSES_THROUGH)
    (tree / "helpers.py").write_text("def label() -> str:\n    return 'x'\n")
    assert run(capsys, "wf.py") == (0, "All clear: 1 file checked\n")
    assert run(capsys, "wf.py")[0] == 0 and len(analyses) == 1  # unchanged: a hit
    (tree / "helpers.py").write_text(
        "import datetime\n\n\ndef label() -> str:\n    return str(datetime.datetime.now())\n"
    )
    code, out = run(capsys, "wf.py")
    assert code == 1 and "helpers.py:5:" in out and "TPR101" in out and len(analyses) == 2
    (tree / "helpers.py").unlink()
    assert run(capsys, "wf.py")[0] == 0 and len(analyses) == 3  # gone


# Each module here costs milliseconds a run only pays for nothing: the analysis on a cache hit,
# hashing under --no-cache, pickling with one process, shutil for argparse's terminal width.
IMPORTS_PROBE = """
import sys
from mcp_server import cli
cli.main(["lint", *sys.argv[1:], "wf.py"])
print(",".join(m for m in ("mcp_server.lint.engine", "hashlib", "pickle", "shutil") if m in sys.modules))
"""


def test_runs_import_only_what_they_use(tree: Path) -> None:
    def imported(*options: str) -> list[str]:
        probe = [sys.executable, "-c", IMPORTS_PROBE, *options]
        result = subprocess.run(probe, cwd=tree, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1].split(",")

    assert imported("--no-cache", "--jobs", "1") == ["mcp_server.lint.engine"]
    assert imported() == ["mcp_server.lint.engine", "hashlib"]  # a miss: analyzes and stores
    assert imported() == ["hashlib"]  # a hit: replays


def test_help_wraps_like_argparse_itself(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    def lint_help(columns: str) -> str:
        monkeypatch.setenv("COLUMNS", columns)
        with pytest.raises(SystemExit):
            cli.main(["lint", "--help"])
        return capsys.readouterr().out

    ours = [lint_help("50"), lint_help("120")]
    assert ours[0] != ours[1]
    monkeypatch.setattr(cli, "_Formatter", argparse.HelpFormatter)  # finds the width via shutil
    assert ours == [lint_help("50"), lint_help("120")]
