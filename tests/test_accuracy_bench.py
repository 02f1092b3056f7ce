"""The pure parts of bench/accuracy_bench.py, on a tiny corpus made here (no mirrors)."""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from mcp_server.lint.rules import RULES

BENCH = Path(__file__).resolve().parent.parent / "bench" / "accuracy_bench.py"
MANIFEST = BENCH.parent / "accuracy" / "cases.json"


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("accuracy_bench", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["accuracy_bench"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


bench = load_bench()

WORKFLOW = '''"""Orders."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow


@workflow.defn
class OrderWorkflow:
    @workflow.run
    async def run(self, order_id: str) -> str:
        """Charge, then ship."""
        # the first real statement follows
        total = len(order_id)
        return str(total)

    @workflow.query
    def status(self) -> str:
        return "ok"
'''


def test_the_manifest_is_well_formed_and_names_only_existing_rules() -> None:
    manifest = bench.load_manifest(MANIFEST)
    assert bench.validate_manifest(manifest, RULES) == []
    assert len(manifest["real_bugs"]) >= 15
    for entry in manifest["real_bugs"]:
        assert entry["fix_commit"] != entry["buggy_commit"]
        assert entry["codes"], entry["id"]


def test_validation_names_each_problem_of_a_bad_entry() -> None:
    manifest = {
        "repos": {"o/r": {}},
        "real_bugs": [
            {
                "id": "a",
                "repo": "o/r",
                "path": "x.py",
                "lines": [3, 2],
                "contains": "x",
                "codes": ["TPR999"],
                "needs": ["telepathy"],
                "description": "d",
                "fix_commit": "f" * 40,
                "buggy_commit": "short",
                "tree": ["."],
            },
            {"id": "a", "repo": "o/other", "path": "y.py"},
        ],
        "teaching": [],
        "clean_trees": [{"repo": "o/r", "commit": "c" * 40}],
        "injected": {
            "repo": "o/r",
            "commit": "c" * 40,
            "tree": ["."],
            "rounds": 1,
            "mistakes": [{"code": "TPR101", "module_lines": [], "statement": "x"}],
        },
    }
    problems = "\n".join(bench.validate_manifest(manifest, RULES))
    assert "lines must be [start, end]" in problems
    assert "unknown rule code TPR999" in problems
    assert "unknown need telepathy" in problems
    assert "buggy_commit is not a full commit hash" in problems
    assert "real_bugs[1]: missing lines, contains, codes" in problems
    assert "clean_trees[0]: missing tree" in problems
    assert "injected.mistakes[0]: missing description" in problems


@pytest.mark.parametrize(
    "mistake", bench.load_manifest(MANIFEST)["injected"]["mistakes"], ids=lambda m: m["code"]
)
def test_injection_parses_and_puts_the_statement_first_in_run(mistake: dict) -> None:
    result = bench.inject(WORKFLOW, mistake["module_lines"], mistake["statement"])
    assert result is not None
    tree = ast.parse(result.source)
    lines = result.source.splitlines()
    assert lines[result.line - 1] == " " * 8 + mistake["statement"]
    run = bench._run_method(tree)
    assert run is not None and run.name == "run"
    # after the docstring, before the code that was first: the run body's second statement
    assert run.body[1].lineno == result.line
    assert run.body[2].lineno == result.line + 1
    for module_line in mistake["module_lines"]:
        assert module_line in lines[: run.lineno]
    # the original lines are all still there, in order
    kept = [line for i, line in enumerate(lines) if i != result.line - 1]
    kept = [line for line in kept if line not in mistake["module_lines"]]
    assert kept == WORKFLOW.splitlines()


def test_injection_goes_after_future_imports_and_keeps_crlf() -> None:
    source = WORKFLOW.replace("\n", "\r\n")
    result = bench.inject(source, ["import uuid as _inj_uuid"], "_inj_id = _inj_uuid.uuid4()")
    assert result is not None
    lines = result.source.split("\r\n")
    assert (
        lines.index("import uuid as _inj_uuid")
        == lines.index("from __future__ import annotations") + 1
    )
    assert "\n" not in result.source.replace("\r\n", "")
    assert lines[result.line - 1].strip() == "_inj_id = _inj_uuid.uuid4()"


@pytest.mark.parametrize(
    "source",
    [
        WORKFLOW.replace("async def run", "def run"),
        WORKFLOW.replace("@workflow.defn\n", ""),
        "from temporalio import workflow\n\n@workflow.defn\nclass W:\n"
        "    @workflow.run\n    async def run(self) -> None: pass\n",
        "def broken(:\n",
    ],
    ids=["sync-run", "not-a-workflow", "one-line-run", "syntax-error"],
)
def test_injection_refuses_files_it_cannot_inject_into(source: str) -> None:
    assert bench.inject(source, [], "pass") is None


def site(kind: str, codes: tuple[str, ...], start: int, end: int | None = None):
    return bench.Site(kind, f"{kind}{start}", "o/r", "c" * 40, "w.py", start, end or start, codes)


def finding(row: int, code: str, severity: str = "error", path: str = "w.py", origin: str = ""):
    return bench.Finding(path, row, code, severity, origin or path)


def test_a_site_is_found_only_by_one_of_its_codes_on_its_lines() -> None:
    labelled = site("real", ("TPR105", "TPR103"), 10, 12)
    assert bench.match_site(labelled, [finding(11, "TPR103")]) is not None
    assert bench.match_site(labelled, [finding(11, "TPR101")]) is None
    assert bench.match_site(labelled, [finding(13, "TPR105")]) is None
    assert bench.match_site(labelled, [finding(10, "TPR105", path="other.py")]) is None
    assert bench.match_site(labelled, [finding(12, "TPR105", severity="warning")]) is not None


def test_a_site_awaiting_a_rule_is_found_by_any_error_on_its_lines() -> None:
    awaiting = bench.Site("teaching", "t", "o/r", "c" * 40, "w.py", 5, 6, ())
    assert bench.match_site(awaiting, [finding(6, "TPR999")]) is not None
    assert bench.match_site(awaiting, [finding(6, "TPR602", severity="warning")]) is None


def test_temporalint_codes_count_through_the_equivalence_table() -> None:
    uuid_site = site("injected", ("TPR105",), 7)
    translate = bench.temporalint_codes
    assert bench.match_site(uuid_site, [finding(7, "TPL008")], translate) is not None
    assert bench.match_site(uuid_site, [finding(7, "TPL010")], translate) is None
    assert (
        bench.match_site(site("injected", ("TPR106",), 7), [finding(7, "TPL008")], translate)
        is None
    )


def test_scores_are_found_over_total_per_kind_and_rule() -> None:
    results = [
        (site("real", ("TPR101",), 1), True),
        (site("real", ("TPR101",), 2), False),
        (site("real", ("TPR303",), 3), True),
        (site("teaching", ("TPR101",), 4), False),
        (site("injected", ("TPR201",), 5), True),
    ]
    table = bench.score(results)
    assert (table["real"]["TPR101"].found, table["real"]["TPR101"].total) == (1, 2)
    assert (table["real"]["all"].found, table["real"]["all"].total) == (2, 3)
    assert table["real"]["all"].recall == pytest.approx(2 / 3)
    assert table["teaching"]["all"].recall == 0.0
    assert table["injected"]["TPR201"].cell() == "1/1"
    assert bench.Tally().recall is None and bench.Tally().cell() == "-"


def test_a_clean_file_counts_errors_in_it_or_reached_from_it_and_never_warnings() -> None:
    clean = ["a.py", "b.py", "c.py", "d.py"]
    findings = [
        finding(1, "TPR101", path="a.py"),
        finding(2, "TPR105", path="helper.py", origin="b.py"),  # reached from b's workflow
        finding(3, "TPR602", severity="warning", path="c.py"),
        finding(4, "TPR303", path="library.py", origin="library.py"),
    ]
    verdict = bench.clean_verdicts(clean, findings)
    assert [bool(verdict[p]) for p in clean] == [True, True, False, False]
    assert bench.rate(verdict) == (2, 4)
    assert bench.percent(2, 4) == "50.0%" and bench.percent(0, 0) == "-"


def test_the_workflow_defining_test_recognises_the_import_forms() -> None:
    assert bench.is_workflow_defining("@workflow.defn\nclass W: ...\n")
    assert bench.is_workflow_defining("@temporalio.workflow.defn(sandboxed=False)\nclass W: ...\n")
    assert bench.is_workflow_defining("from temporalio.workflow import defn, run\n")
    assert not bench.is_workflow_defining("@activity.defn\nasync def a() -> None: ...\n")


def test_extract_tree_writes_only_the_python_files_of_the_asked_folders(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "pkg").mkdir(parents=True)
    (work / "pkg" / "flows.py").write_text(WORKFLOW)
    (work / "pkg" / "data.json").write_text(json.dumps({"k": 1}))
    (work / "other.py").write_text("x = 1\n")

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(work), *args], check=True, capture_output=True, text=True
        ).stdout.strip()

    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "c")
    commit = git("rev-parse", "HEAD")
    gitdir = work / ".git"
    assert bench.has_commit(gitdir, commit)
    assert not bench.has_commit(gitdir, "0" * 40)

    dest = tmp_path / "copy"
    written = bench.extract_tree(gitdir, commit, ["pkg"], dest)
    assert written == ["pkg/flows.py"]
    assert (dest / "pkg" / "flows.py").read_text() == WORKFLOW
    assert not (dest / "pkg" / "data.json").exists() and not (dest / "other.py").exists()
    everything = bench.extract_tree(gitdir, commit, ["."], tmp_path / "all")
    assert sorted(everything) == ["other.py", "pkg/flows.py"]
