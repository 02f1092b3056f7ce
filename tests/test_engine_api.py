"""The lint engine's API for every front end: the command line and the MCP server call the same
functions, and what only a one-shot process wants (forking, keeping trees alive) is asked for."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

from mcp_server.lint.engine import lint_paths, lint_source
from mcp_server.lint.files import UsageError
from mcp_server.lint.fixes import fix_paths, fix_source, write_fixes
from mcp_server.lint.formats import render_diff
from mcp_server.lint.options import LintOptions

from processes import children_of

BAD = """\
import time
import uuid

from temporalio import workflow


@workflow.defn
class W:
    @workflow.run
    async def run(self) -> str:
        return f"{time.time()}-{uuid.uuid4()}"
"""


def test_fix_source_fixes_text_without_touching_disk(tmp_path: Path) -> None:
    on_disk = tmp_path / "w.py"
    on_disk.write_text(BAD)
    fixed = fix_source(BAD, str(on_disk))
    assert fixed.fixed == 2 and fixed.errors == []
    assert "workflow.time()" in fixed.source and "workflow.uuid4()" in fixed.source
    assert "import time" not in fixed.source and "import uuid" not in fixed.source
    assert fixed.remaining.findings == []
    assert on_disk.read_text() == BAD  # the server never writes
    # The same fixes as --fix would write for the file.
    assert fix_paths([str(on_disk)], LintOptions()).changed[str(on_disk)][1] == fixed.source


def test_fix_source_of_clean_code_returns_it_unchanged() -> None:
    clean = BAD.replace("time.time()", "workflow.time()").replace(
        "uuid.uuid4()", "workflow.uuid4()"
    )
    clean = clean.replace("import time\nimport uuid\n\n", "")
    fixed = fix_source(clean, "w.py")
    assert (fixed.source, fixed.fixed, fixed.remaining.findings) == (clean, 0, [])


def test_write_fixes_writes_and_reports_what_is_left(tmp_path: Path) -> None:
    target = tmp_path / "w.py"
    target.write_text(BAD)
    options = LintOptions()
    written = write_fixes(fix_paths([str(target)], options), [str(target)], options)
    assert (written.files, written.fixed, written.errors) == ([str(target)], 2, [])
    assert written.report.findings == [] and "workflow.uuid4()" in target.read_text()


def test_render_diff_is_a_patch_of_the_fix(tmp_path: Path) -> None:
    target = tmp_path / "w.py"
    target.write_text(BAD)
    diff = render_diff(fix_paths([str(target)], LintOptions()).changed)
    assert diff.startswith(f"--- {target}\n+++ {target}\n")
    assert '-        return f"{time.time()}-{uuid.uuid4()}"' in diff
    assert '+        return f"{workflow.time()}-{workflow.uuid4()}"' in diff


def test_lint_source_takes_text_as_it_is_not_as_bytes() -> None:
    # A coding line names latin-1, but text is text: it must not be decoded a second time.
    source = "# -*- coding: latin-1 -*-\nNAME = 'café'\n" + BAD
    report = lint_source(source, "w.py")
    assert [f.code for f in report.findings] == ["TPR101", "TPR105"]


def test_a_long_lived_caller_keeps_its_garbage_collector_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "w.py").write_text(BAD)
    frozen = gc.get_freeze_count()
    lint_paths([str(tmp_path)])
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    # The command line asks for the trees to be kept: they are moved out of the collector's way.
    kept: list[object] = []
    lint_paths([str(tmp_path)], LintOptions(retain=kept))
    assert len(kept) == 1 and gc.get_freeze_count() > frozen
    gc.unfreeze()


def test_the_engine_forks_only_when_asked(tmp_path: Path) -> None:
    # A tree well over the size at which a split pays: without jobs, it is analyzed here.
    for index in range(12):
        (tmp_path / f"d{index}").mkdir()
        (tmp_path / f"d{index}" / "w.py").write_text(BAD + "\n# padding\n" * 4000)
    before = children_of({os.getpid()})
    lint_paths([str(tmp_path)])
    assert children_of({os.getpid()}) <= before
    lint_paths([str(tmp_path)], LintOptions(jobs=2))  # the command line's choice
    assert children_of({os.getpid()}) - before


def test_options_are_checked_by_the_engine() -> None:
    with pytest.raises(UsageError, match="--jobs must be at least 1, not 0"):
        LintOptions(jobs=0)
    with pytest.raises(UsageError, match="unknown rule code or name: TPR999"):
        lint_source(BAD, "w.py", LintOptions(select=("TPR999",)))
