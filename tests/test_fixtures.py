"""Multi-file cases: call chains across modules, relative imports, passed-through modules.

Each fixture folder marks offending lines with `# expect: CODE`; linting the folder must report
exactly those lines, in every file."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcp_server.lint.engine import lint_paths

from test_rule_samples import expected

FIXTURES = Path(__file__).parent / "fixtures"


def marked(folder: Path) -> set[tuple[str, int, str]]:
    return {
        (path.relative_to(folder).as_posix(), row, code)
        for path in folder.rglob("*.py")
        for row, code in expected(path.read_text())
    }


def reported(folder: Path) -> set[tuple[str, int, str]]:
    report = lint_paths([str(folder)]).report
    return {
        (Path(f.filename).relative_to(folder).as_posix(), f.location.row, f.code)
        for f in report.findings
    }


@pytest.mark.parametrize("name", ["chains", "flat", "edge", "dispatch"])
def test_fixture_reports_exactly_the_marked_lines(name: str) -> None:
    folder = FIXTURES / name
    assert reported(folder) == marked(folder)


def finding(folder: str, code: str, filename: str):  # type: ignore[no-untyped-def]
    report = lint_paths([str(FIXTURES / folder)]).report
    return next(f for f in report.findings if f.code == code and f.filename.endswith(filename))


def test_helper_finding_names_the_chain_from_the_workflow_with_positions() -> None:
    f = finding("chains", "TPR101", "pricing.py")
    hops = [(hop.function, Path(hop.filename).name, hop.row, hop.column) for hop in f.chain]
    assert hops == [
        ("OrderWorkflow.run", "workflows.py", 22, 17),
        ("shop.pricing.quote", "pricing.py", 5, 12),
        ("shop.pricing._base", "pricing.py", 9, 12),
        ("datetime.datetime.now", "pricing.py", 9, 12),
    ]


def test_method_reached_through_an_attribute_typed_in_init_is_followed() -> None:
    f = finding("chains", "TPR103", "calc.py")
    assert [hop.function for hop in f.chain] == [
        "OrderWorkflow.run",
        "shop.calc.Calculator.total",
        "shop.calc.Calculator._noise",
        "random.random",
    ]


def test_finding_in_a_passed_through_module_says_the_sandbox_never_checks_it() -> None:
    assert "imports_passed_through()" in finding("chains", "TPR205", "vendor.py").message
    assert "imports_passed_through()" not in finding("chains", "TPR101", "pricing.py").message


def test_script_style_sibling_import_is_followed() -> None:
    f = finding("flat", "TPR101", "pricing.py")
    assert [hop.function for hop in f.chain] == ["Flat.run", "pricing.stamp", "time.time"]


def test_files_that_never_mention_temporalio_and_are_unreached_are_counted_not_linted() -> None:
    report = lint_paths([str(FIXTURES / "flat")]).report
    assert report.summary.files == 3
    assert all(not f.filename.endswith("other_tool.py") for f in report.findings)


def test_a_module_the_workflow_imports_is_read_from_disk_when_not_given() -> None:
    # pre-commit passes only the staged files: the unstaged helper must still be followed.
    report = lint_paths([str(FIXTURES / "flat" / "workflow.py")]).report
    assert [(Path(f.filename).name, f.code) for f in report.findings] == [("pricing.py", "TPR101")]
    assert report.summary.files == 1
