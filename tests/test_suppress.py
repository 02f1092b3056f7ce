"""Suppression comments: per line, per statement, per file, through chains, and unused ones."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from mcp_server.lint import suppress
from mcp_server.lint.engine import LintOptions, lint_paths, lint_source

HEAD = "import time\n\nfrom temporalio import workflow\n\n\n@workflow.defn\nclass W:\n"


def found(source: str) -> list[tuple[int, str]]:
    return [(f.location.row, f.code) for f in lint_source(source, "s.py").findings]


def body(*lines: str) -> str:
    run = "    @workflow.run\n    async def run(self) -> float:\n"
    return HEAD + run + "".join(f"        {line}\n" for line in lines)


def test_noqa_with_a_code_or_a_name_silences_that_line() -> None:
    assert found(body("return time.time()  # noqa: TPR101")) == []
    assert found(body("return time.time()  # noqa: workflow-wall-clock")) == []
    assert found(body("return time.time()  # NOQA:TPR1")) == []


def test_bare_noqa_silences_every_rule_on_the_line() -> None:
    assert found(body("return time.time()  # noqa")) == []


def test_noqa_for_another_rule_does_not_silence_and_is_reported_unused() -> None:
    assert found(body("return time.time()  # noqa: TPR202")) == [(10, "TPR101"), (10, "TPR900")]


def test_foreign_codes_in_noqa_are_left_alone() -> None:
    assert found(body("return time.time()  # noqa: E501, TPR101")) == []
    assert found(body("return 1.0  # noqa: E501")) == []


def test_scoped_comment_covers_the_next_statement_only() -> None:
    source = body(
        "# temporal-pro: ignore[TPR101]",
        "started = time.time()",
        "return started + time.time()",
    )
    assert found(source) == [(12, "TPR101")]


def test_scoped_comment_covers_a_whole_decorated_def() -> None:
    source = HEAD + (
        "    # temporal-pro: ignore[workflow-wall-clock]\n"
        "    @workflow.run\n    async def run(self) -> float:\n"
        "        first = time.time()\n        return first + time.time()\n"
    )
    assert found(source) == []


def test_scoped_comment_in_odd_places_covers_what_it_sits_in() -> None:
    between_decorator_and_def = HEAD + (
        "    @workflow.run\n    # temporal-pro: ignore[TPR101] the clock is only logged\n"
        "    async def run(self) -> float:\n"
        "        first = time.time()\n        return first + time.time()\n"
    )
    assert found(between_decorator_and_def) == []
    inside_a_multi_line_call = body(
        "values = (",
        "    # temporal-pro: ignore[TPR101]",
        "    time.time(),",
        ")",
        "return values[0] + time.time()",
    )
    assert found(inside_a_multi_line_call) == [(14, "TPR101")]
    at_the_end_of_the_line = body(
        "started = time.time()  # temporal-pro: ignore[TPR101] -- reviewed",
        "return started + time.time()",
    )
    assert found(at_the_end_of_the_line) == [(11, "TPR101")]


def test_file_level_comment_covers_the_file() -> None:
    source = "# temporal-pro: ignore-file[TPR101]\n" + body("return time.time() + time.time()")
    assert found(source) == []


def test_unused_scoped_and_file_suppressions_are_findings() -> None:
    source = "# temporal-pro: ignore-file[TPR105]\n" + body(
        "# temporal-pro: ignore[TPR101]", "return 1.0"
    )
    assert found(source) == [(1, "TPR900"), (11, "TPR900")]


def test_a_suppression_naming_no_rule_of_ours_is_reported() -> None:
    source = body(
        "# temporal-pro: ignore[bogus-name]",
        "started = time.time()  # noqa: TPR999, E501",
        "return started  # temporal-pro: the comment is prose, not a directive",
    )
    findings = lint_source(source, "s.py").findings
    assert [(f.location.row, f.code) for f in findings] == [
        (10, "TPR900"),
        (11, "TPR101"),
        (11, "TPR900"),
    ]
    messages = [f.message for f in findings if f.code == "TPR900"]
    assert messages == [
        "Unused suppression of bogus-name (no such code or rule name)",
        "Unused suppression of TPR999 (no such code or rule name)",  # E501: another tool's
    ]


def test_unused_suppression_is_not_reported_for_a_rule_that_is_not_selected() -> None:
    source = body("return time.time()  # noqa: TPR202")
    report = lint_source(source, "s.py", LintOptions(select=("TPR1", "TPR9")))
    assert [(f.location.row, f.code) for f in report.findings] == [(10, "TPR101")]


def test_a_suppression_at_the_workflow_call_site_silences_the_helper_finding(
    tmp_path: Path,
) -> None:
    (tmp_path / "helpers.py").write_text(
        "import time\n\n\ndef stamp() -> float:\n    return time.time()\n"
    )
    (tmp_path / "wf.py").write_text(
        "from temporalio import workflow\n\nimport helpers\n\n\n@workflow.defn\nclass W:\n"
        "    @workflow.run\n    async def run(self) -> float:\n"
        "        return helpers.stamp()  # noqa: TPR101 (stamp is only logged)\n"
    )
    assert lint_paths([str(tmp_path)]).report.findings == []


def test_a_call_site_suppression_speaks_for_its_own_workflow_only(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text(
        "import time\n\n\ndef stamp() -> float:\n    return time.time()\n"
    )
    workflow = (
        "from temporalio import workflow\n\nimport helpers\n\n\n@workflow.defn\nclass {name}:\n"
        "    @workflow.run\n    async def run(self) -> float:\n        return helpers.stamp(){end}\n"
    )
    # A's call comes first by file name and is the shorter chain to pick; it is suppressed.
    (tmp_path / "a.py").write_text(workflow.format(name="A", end="  # noqa: TPR101 (logged)"))
    (tmp_path / "b.py").write_text(workflow.format(name="B", end=""))
    findings = lint_paths([str(tmp_path)]).report.findings
    assert [(f.code, [hop.function for hop in f.chain]) for f in findings] == [
        ("TPR101", ["B.run", "helpers.stamp", "time.time"])  # and A's noqa counts as used
    ]
    (tmp_path / "b.py").unlink()
    assert lint_paths([str(tmp_path)]).report.findings == []


def test_every_call_site_suppression_is_used_however_the_run_is_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mcp_server.lint import engine

    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "__init__.py").write_text("")
    (tmp_path / "shared" / "clock.py").write_text(
        "import time\n\n\ndef stamp() -> float:\n    return time.time()\n"
    )
    for folder, end in (("a", "  # noqa: TPR101"), ("b", "  # noqa: TPR101"), ("c", "")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "wf.py").write_text(
            "from temporalio import workflow\n\nfrom shared import clock\n\n\n@workflow.defn\n"
            "class W:\n    @workflow.run\n    async def run(self) -> float:\n"
            f"        return clock.stamp(){end}\n"
        )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(engine, "_PARALLEL_MIN_BYTES", 0)
    paths = ["a", "b", "c", "shared"]
    reports = [lint_paths(paths, LintOptions(jobs=jobs)).report for jobs in (1, 2)]
    assert [(f.code, f.chain[0].filename) for f in reports[0].findings] == [
        ("TPR101", str(Path("c") / "wf.py"))  # and neither noqa is reported unused
    ]
    assert reports[1] == reports[0]


LIBRARY_STEP = """\
import time
from datetime import timedelta

from temporalio import workflow


async def step(name: str) -> float:
    await workflow.execute_activity(name, start_to_close_timeout=timedelta(seconds=5)){comment}
    return time.time(){own}
"""


@pytest.mark.parametrize("comment", ["  # noqa", "  # noqa: TPR101"])
def test_a_comment_on_a_library_root_s_signal_line_covers_that_line_only(comment: str) -> None:
    # The line that made `step` workflow code is the first hop of every chain in it: a comment
    # there must not silence the rest of the function.
    source = LIBRARY_STEP.format(comment=comment, own="")
    assert [code for _, code in found(source) if code != "TPR900"] == ["TPR101"]
    assert found(LIBRARY_STEP.format(comment="", own="  # noqa: TPR101")) == []


# --- finding the comments: a statement at a time, as the whole file tokenizes ---------------------
TRICKY = {
    "a '#' in a string first": 'x = "# noqa"  # noqa: TPR101\n',
    "noqa in a docstring": 'def f():\n    """\n    # noqa: TPR101\n    """\n    return 1  # noqa\n',
    "between concatenated strings": 'x = ("a"  # noqa: TPR101\n     "b")\n',
    "decorators": '@decorator  # noqa: TPR101\n@other(\n    "x",  # noqa\n)\ndef f(): ...\n',
    "two statements on a line": "a = 1; b = 2  # noqa\n",
    "in and after a string": 's = """\nline # noqa\n"""  # noqa: TPR102\n',
    "a backslash continuation": "x = 1 + \\\n    2  # NOQA\n",
    "an f-string": 'x = f"{1}#"  # temporal-pro: ignore[TPR101]\n',
    "CRLF": "x = 1\r\ny = 2  # noqa\r\n",
    "lone CR": "x = 1\ry = 2  # noqa\r",
    "nested, deep in a class": 'class C:\n    def m(self):\n        return """\n# noqa\n"""  # noqa\n',
    "between statements": "x = 1\n# temporal-pro: ignore[TPR101]\ny = 2\n",
    "before the first statement": "# temporal-pro: ignore-file[TPR602]\nimport x\n",
    "unclosed at the end": "x = (1,  # noqa\n",
}


def _whole_file(source: str) -> list[tuple[int, int, str, bool]]:
    """What tokenizing the whole file finds on the lines that mention a suppression."""
    lines = io.StringIO(source).readlines()
    rows = {
        n for n, line in enumerate(lines, 1) if "noqa" in line.lower() or "temporal-pro:" in line
    }
    return [c for c in suppress._tokenized(lines, 1, len(lines)) if c[0] in rows]


def _own_sources() -> list[Path]:
    root = Path(__file__).parent.parent
    return sorted(
        path
        for folder in ("mcp_server", "tests", "bench")
        for path in (root / folder).rglob("*.py")
        if "node_modules" not in path.parts and "noqa" in path.read_text(encoding="utf-8")
    )


@pytest.mark.parametrize("source", TRICKY.values(), ids=TRICKY.keys())
def test_comments_are_those_the_whole_file_tokenizes(source: str) -> None:
    expected = _whole_file(source)
    assert suppress._comments(source, suppress._parsed(source)) == expected
    assert expected or source.startswith("x = (1")  # every case holds a comment to find


def test_comments_agree_on_real_files() -> None:
    # This project's own files mention noqa in docstrings, strings and samples as well as in
    # comments: all of them, found a statement at a time, as the whole file finds them.
    sources = [path.read_text(encoding="utf-8") for path in _own_sources()]
    assert len(sources) > 5
    for source in sources:
        assert suppress._comments(source, suppress._parsed(source)) == _whole_file(source)
