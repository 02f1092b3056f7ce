"""Automatic fixes: exact output, clean re-lint, idempotence, safety, and refusing bad writes."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mcp_server.cli import main
from mcp_server.lint import fixes
from mcp_server.lint.engine import LintOptions, lint_paths
from mcp_server.lint.fixes import fix_paths

HEAD = "from temporalio import workflow\n"
RUN = "\n\n@workflow.defn\nclass W:\n    @workflow.run\n    async def run(self, xs: list) -> object:\n"


def module(imports: str, *body: str, head: str = HEAD) -> str:
    return imports + head + RUN + "".join(f"        {line}\n" for line in body)


# (name, before, after, needs --unsafe-fixes)
CASES = [
    (
        "aware now",
        module(
            "from datetime import datetime, timezone\n\n",
            "return datetime.now(timezone.utc)  # keep",
        ),
        module("", "return workflow.now()  # keep"),
        False,
    ),
    (
        "now(tz=UTC) keeps the imports still in use",
        module(
            "import datetime\n\n",
            "later = datetime.timedelta(days=1)",
            "return datetime.datetime.now(tz=datetime.timezone.utc) + later",
        ),
        module(
            "import datetime\n\n",
            "later = datetime.timedelta(days=1)",
            "return workflow.now() + later",
        ),
        False,
    ),
    (
        "naive now and utcnow are unsafe",
        module("from datetime import datetime\n\n", "return (datetime.now(), datetime.utcnow())"),
        module("", "return (workflow.now(), workflow.now())"),
        True,
    ),
    (
        "time and time_ns reuse an aliased binding",
        "import time\n\nfrom temporalio import workflow as wf\n\n\n@wf.defn\nclass W:\n    @wf.run\n"
        "    async def run(self) -> object:\n        return time.time(), time.time_ns()\n",
        "from temporalio import workflow as wf\n\n\n@wf.defn\nclass W:\n    @wf.run\n"
        "    async def run(self) -> object:\n        return wf.time(), wf.time_ns()\n",
        False,
    ),
    (
        "random functions through from-imports",
        module(
            "import random\nfrom random import choice\n\n",
            "random.shuffle(xs)",
            "return choice(xs)",
        ),
        module("", "workflow.random().shuffle(xs)", "return workflow.random().choice(xs)"),
        False,
    ),
    (
        "uuid4 adds the workflow import when only decorators were imported",
        "import uuid\n\nfrom temporalio.workflow import defn, run\n\n\n@defn\nclass W:\n    @run\n"
        "    async def run(self) -> object:\n        return uuid.uuid4()\n",
        "from temporalio import workflow\nfrom temporalio.workflow import defn, run\n\n\n@defn\n"
        "class W:\n    @run\n    async def run(self) -> object:\n        return workflow.uuid4()\n",
        False,
    ),
    (
        "asyncio.as_completed is safe, asyncio.wait is not",
        module(
            "import asyncio\n\n",
            "tasks = [asyncio.create_task(asyncio.sleep(1))]",
            "for next_done in asyncio.as_completed(tasks):",
            "    await next_done",
            "return await asyncio.wait(tasks)",
        ),
        module(
            "import asyncio\n\n",
            "tasks = [asyncio.create_task(asyncio.sleep(1))]",
            "for next_done in workflow.as_completed(tasks):",
            "    await next_done",
            "return await workflow.wait(tasks)",
        ),
        True,
    ),
    (
        "a helper module swaps its only import for the workflow import",
        "from datetime import datetime\n\n\ndef stamp() -> object:\n    return datetime.now()\n",
        "from temporalio import workflow\n\n\ndef stamp() -> object:\n    return workflow.now()\n",
        True,
    ),
    (
        "reuses `import temporalio.workflow` by its dotted name",
        "import time\n\nimport temporalio.workflow\n\n\n@temporalio.workflow.defn\nclass W:\n"
        "    @temporalio.workflow.run\n    async def run(self) -> float:\n        return time.time()\n",
        "import temporalio.workflow\n\n\n@temporalio.workflow.defn\nclass W:\n"
        "    @temporalio.workflow.run\n    async def run(self) -> float:\n"
        "        return temporalio.workflow.time()\n",
        False,
    ),
    (
        "joins the module's `from temporalio import ...`, as isort would",
        "import time\n\nfrom temporalio import activity\nfrom temporalio.workflow import defn, run\n"
        "\n\n@defn\nclass W:\n    @run\n    async def run(self) -> float:\n"
        "        return time.time()\n\n\n@activity.defn\nasync def a() -> None:\n    pass\n",
        "from temporalio import activity, workflow\nfrom temporalio.workflow import defn, run\n"
        "\n\n@defn\nclass W:\n    @run\n    async def run(self) -> float:\n"
        "        return workflow.time()\n\n\n@activity.defn\nasync def a() -> None:\n    pass\n",
        False,
    ),
    (
        "an import a string annotation still uses stays",
        "import uuid\n\nfrom temporalio import workflow\n\n\n@workflow.defn\nclass W:\n"
        '    @workflow.run\n    async def run(self, prev: "uuid.UUID | None" = None) -> object:\n'
        "        return uuid.uuid4()\n",
        "import uuid\n\nfrom temporalio import workflow\n\n\n@workflow.defn\nclass W:\n"
        '    @workflow.run\n    async def run(self, prev: "uuid.UUID | None" = None) -> object:\n'
        "        return workflow.uuid4()\n",
        False,
    ),
    (
        "a function-local import left unused goes too",
        module("", "import uuid", "", "return uuid.uuid4()"),
        module("", "", "return workflow.uuid4()"),
        False,
    ),
    (
        "time.sleep becomes a durable timer",
        module("import time\n\n", "time.sleep(5)", "return None"),
        module("import asyncio\n\n", "await asyncio.sleep(5)", "return None"),  # isort's place
        True,
    ),
]


@pytest.mark.parametrize(("name", "before", "after", "unsafe"), CASES, ids=[c[0] for c in CASES])
def test_fix_output_lints_clean_and_a_second_run_changes_nothing(
    tmp_path: Path, name: str, before: str, after: str, unsafe: bool
) -> None:
    path = tmp_path / "wf.py"
    path.write_text(before)
    targets = [str(path)]
    if "workflow.defn" not in before:  # a helper: the workflow that reaches it sits beside it
        (tmp_path / "caller.py").write_text(module("import wf\n", "return wf.stamp()"))
        targets = [str(tmp_path)]
    first = fix_paths(targets, LintOptions(jobs=1), unsafe=unsafe)
    assert first.changed[str(path)][1] == after
    assert first.remaining.report.findings == []
    path.write_text(after)
    second = fix_paths(targets, LintOptions(jobs=1), unsafe=unsafe)
    assert second.changed == {} and second.fixed == 0


def _imports_sorted(text: str) -> bool:
    """Ruff's import sorting (I001) with its defaults: what a team running Ruff would see."""
    ruff = [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "I", "-"]
    done = subprocess.run(ruff, input=text, capture_output=True, text=True, timeout=60)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode == 0


def test_fixes_keep_sorted_imports_sorted() -> None:
    sorted_before = [(name, after) for name, before, after, _ in CASES if _imports_sorted(before)]
    assert len(sorted_before) >= 10
    assert [name for name, after in sorted_before if not _imports_sorted(after)] == []


def test_unsafe_fixes_apply_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "wf.py"
    path.write_text(module("from datetime import datetime\n\n", "return datetime.now()"))
    assert fix_paths([str(path)], LintOptions()).changed == {}
    assert fix_paths([str(path)], LintOptions(), unsafe=True).fixed == 1


def test_a_fix_in_a_helper_that_activities_may_call_is_unsafe(tmp_path: Path) -> None:
    # Safe inside the workflow class; in the shared helper, the activity would call
    # workflow.time() and raise. (The activity itself is not reported: it may read the clock.)
    (tmp_path / "clock.py").write_text(
        "import time\n\n\ndef stamp() -> float:\n    return time.time()\n"
    )
    (tmp_path / "wf.py").write_text(
        "import time\n\nfrom temporalio import activity, workflow\n\nimport clock\n\n\n"
        "@activity.defn\ndef record() -> float:\n    return clock.stamp()\n\n\n"
        "@workflow.defn\nclass W:\n    @workflow.run\n    async def run(self) -> float:\n"
        "        return clock.stamp() + time.time()\n"
    )
    findings = lint_paths([str(tmp_path)]).report.findings
    fixes_by_file = {Path(f.filename).name: f.fix.applicability for f in findings if f.fix}
    assert fixes_by_file == {"wf.py": "safe", "clock.py": "unsafe"}
    safe = fix_paths([str(tmp_path)], LintOptions())
    assert [Path(name).name for name in safe.changed] == ["wf.py"]


@pytest.mark.parametrize(
    ("head", "encoding"), [("# -*- coding: latin-1 -*-\n", "latin-1"), ("\ufeff", "utf-8")]
)
def test_fixed_files_keep_their_encoding(tmp_path: Path, head: str, encoding: str) -> None:
    path = tmp_path / "wf.py"
    before = head + module("import time\n\n", "return (time.time(), 'café')")
    path.write_bytes(before.encode(encoding))
    assert main(["lint", "--fix", "--no-cache", str(path)]) == 0
    after = path.read_bytes().decode(encoding)  # raises if written in another encoding
    assert after.startswith(head) and "return (workflow.time(), 'café')" in after


def test_fix_edits_only_the_files_given(capsys, tmp_path: Path, monkeypatch) -> None:
    # pre-commit passes the staged workflow; the helper it calls is reported, not rewritten.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "clock.py").write_text(
        "import time\n\n\ndef stamp() -> float:\n    return time.time()\n"
    )
    (tmp_path / "wf.py").write_text(
        module("import time\n\nimport clock\n", "return clock.stamp() + time.time()")
    )
    assert main(["lint", "--fix", "--unsafe-fixes", "--no-cache", "wf.py"]) == 1
    out = capsys.readouterr().out
    assert "workflow.time()" in (tmp_path / "wf.py").read_text()
    assert "time.time()" in (tmp_path / "clock.py").read_text()
    assert "clock.py:5:12: TPR101" in out


def test_crlf_files_get_crlf_lines(tmp_path: Path) -> None:
    path = tmp_path / "wf.py"
    before = next(case[1] for case in CASES if case[0].startswith("uuid4 adds the workflow"))
    path.write_bytes(before.replace("\n", "\r\n").encode())
    assert main(["lint", "--fix", "--no-cache", str(path)]) == 0
    after = path.read_bytes()
    assert b"from temporalio import workflow\r\n" in after and b"workflow.uuid4()" in after
    assert after.count(b"\n") == after.count(b"\r\n")


def test_a_comprehension_variable_hides_the_name_a_fix_would_use(tmp_path: Path) -> None:
    path = tmp_path / "wf.py"
    path.write_text(
        module(
            "import random\nimport time\nimport uuid\n\n",
            'labels = [f"{workflow}:{time.time()}" for workflow in xs]',
            "ids = {workflow: uuid.uuid4() for workflow in xs}",
            "draws = [random.random() for random in xs]  # `random` is each item here",
            "return labels, ids, draws",
        )
    )
    findings = lint_paths([str(path)]).report.findings
    assert [(f.location.row, f.code, f.fix) for f in findings] == [
        (12, "TPR101", None),  # `workflow` means the loop variable there: no fix
        (13, "TPR105", None),
    ]


def test_a_workflow_import_only_for_type_checking_is_not_reused(tmp_path: Path) -> None:
    path = tmp_path / "wf.py"
    path.write_text(
        "import time\nfrom typing import TYPE_CHECKING\n\nfrom temporalio.workflow import defn, run\n\n"
        "if TYPE_CHECKING:\n    from temporalio import workflow\n\n\n@defn\nclass W:\n    @run\n"
        "    async def run(self) -> float:\n        return time.time()\n"
    )
    [finding] = lint_paths([str(path)]).report.findings
    assert finding.code == "TPR101" and finding.fix is None  # `workflow` is unbound at run time


def test_json_findings_carry_the_fix_with_one_based_edits(capsys, tmp_path: Path) -> None:
    path = tmp_path / "wf.py"
    path.write_text(module("import time\n\n", "return time.time()"))
    main(["lint", "--no-cache", "--format", "json", str(path)])
    fix = json.loads(capsys.readouterr().out)["findings"][0]["fix"]
    assert fix["applicability"] == "safe" and fix["message"] == "Replace with `workflow.time()`"
    assert fix["edits"] == [  # in document order
        {
            "content": "",
            "location": {"row": 1, "column": 1},
            "end_location": {"row": 3, "column": 1},
        },
        {
            "content": "workflow.time()",
            "location": {"row": 10, "column": 16},
            "end_location": {"row": 10, "column": 27},
        },
    ]


def test_cli_fix_writes_the_file_and_reports_the_count(capsys, tmp_path: Path) -> None:
    path = tmp_path / "wf.py"
    path.write_text(module("import time\n\n", "return time.time()"))
    assert main(["lint", "--fix", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "All clear" in out and "Fixed 1 finding in 1 file" in err
    assert "workflow.time()" in path.read_text()


def test_cli_diff_prints_and_writes_nothing(capsys, tmp_path: Path) -> None:
    path = tmp_path / "wf.py"
    original = module("import time\n\n", "return time.time()")
    path.write_text(original)
    assert main(["lint", "--diff", str(path)]) == 1
    out = capsys.readouterr().out
    assert "-        return time.time()" in out and "+        return workflow.time()" in out
    assert path.read_text() == original


def test_diff_applies_with_git_even_without_a_final_newline(capsys, tmp_path: Path) -> None:
    (tmp_path / "wf.py").write_text(module("import time\n\n", "return time.time()").rstrip("\n"))
    assert main(["lint", "--diff", "--no-cache", str(tmp_path / "wf.py")]) == 1
    patch = capsys.readouterr().out.replace(f"{tmp_path}/", "")  # git wants a/ b/ relative names
    patch = patch.replace("--- wf.py", "--- a/wf.py").replace("+++ wf.py", "+++ b/wf.py")
    assert patch.count("\\ No newline at end of file\n") == 2
    git = ["git", "apply", "--check", "-"]
    done = subprocess.run(git, cwd=tmp_path, input=patch, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_read_only_file_is_a_one_line_error_and_stays_unchanged(capsys, tmp_path: Path) -> None:
    # Judged by the permission bits, so this holds for root (who may write anything) too.
    path = tmp_path / "wf.py"
    path.write_text(module("import time\n\n", "return time.time()"))
    path.chmod(stat.S_IREAD)
    code = main(["lint", "--fix", str(path)])
    out, err = capsys.readouterr()
    assert (code, err.count("\n")) == (2, 2) and "read-only" in err
    assert "Fixed 0 findings in 0 files" in err  # the fix was made in memory, never written
    assert "TPR101" in out  # so the report is the file's, as it still is on disk
    assert "time.time()" in path.read_text()


def test_a_fix_that_would_not_parse_is_refused_and_nothing_is_written(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "wf.py"
    original = module("import time\n\n", "return time.time()")
    path.write_text(original)
    monkeypatch.setattr(fixes, "apply", lambda source, fs: fixes.Applied(source + "def (:\n", 1))
    assert main(["lint", "--fix", str(path)]) == 2
    err = capsys.readouterr().err
    assert "a fix would produce code that does not parse" in err
    assert path.read_text() == original
    assert lint_paths([str(path)]).report.findings[0].code == "TPR101"


@pytest.mark.parametrize("odd", ["\u2028", "\x0c"])
def test_lines_break_where_python_breaks_them(tmp_path: Path, odd: str) -> None:
    # str.splitlines() also breaks at U+2028 and form feeds; Python (and every row) does not.
    path = tmp_path / "wf.py"
    before = module(
        f"import time\n\n# copied from the wiki:{odd} keep timestamps\n",
        "t0 = time.time()  # noqa: TPR101",
        "t1 = time.time()",
        "return t1 - t0, 'é'",
    )
    path.write_text(before)
    [finding] = lint_paths([str(path)]).report.findings
    assert (finding.location.row, finding.location.column) == (12, 14)
    assert fix_paths([str(path)], LintOptions()).changed[str(path)][1] == before.replace(
        "t1 = time.time()", "t1 = workflow.time()"
    )


def test_a_file_refused_in_a_later_pass_keeps_none_of_the_earlier_ones(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "wf.py"
    original = module("import time\n\n", "a = time.time()", "return a + time.time()")
    path.write_text(original)
    real_apply, passes = fixes.apply, []

    def second_pass_breaks(source: str, found: list) -> fixes.Applied:  # type: ignore[type-arg]
        passes.append(1)
        applied = real_apply(source, found[:1])  # one fix per pass: a second pass is needed
        return applied if len(passes) == 1 else fixes.Applied(applied.source + "def (:\n", 1)

    monkeypatch.setattr(fixes, "apply", second_pass_breaks)
    assert main(["lint", "--fix", "--no-cache", str(path)]) == 2
    assert "does not parse; unchanged" in capsys.readouterr().err and len(passes) == 2
    assert path.read_text() == original
