"""The rules document themselves (Ruff's headings) and references/rules.md is generated from them.

Run `python -m mcp_server.lint.docs --write` after changing a rule's docstring or samples.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mcp_server.lint import docs
from mcp_server.lint.docs import REFERENCE, REGENERATE, heading_anchors, render_rules_reference
from mcp_server.lint.engine import lint_source
from mcp_server.lint.rules import RULES, Rule

HEADINGS = [
    "What it does",
    "Why is this bad?",
    "Example",
    "Use instead",
    "Fix safety",
    "Known problems",
    "References",
]
# Rules with an automatic fix, and the applicability words their "Fix safety" must use. Every
# other rule must say that it has no automatic fix; add a rule here when it gains one.
FIX_SAFETY = {
    "TPR101": {"safe", "unsafe"},
    "TPR103": {"safe"},
    "TPR105": {"safe"},
    "TPR106": {"unsafe"},
    "TPR107": {"safe", "unsafe"},
}
KEBAB = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^\s*(```|~~~)")

RULE_PARAMS = [pytest.param(rule, id=f"{code}-{rule.name}") for code, rule in RULES.items()]


def sections(markdown: str, level: int) -> list[tuple[str, str]]:
    """(heading, body) for every heading of exactly `level`, outside fenced code."""
    found: list[tuple[str, list[str]]] = []
    fenced = False
    for line in markdown.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        heading = None if fenced else re.match(r"(#{1,6}) (.*)", line)
        if heading and len(heading.group(1)) == level:
            found.append((heading.group(2).strip(), []))
        elif heading and len(heading.group(1)) < level:
            found.append(("", []))  # a higher heading ends the section
        elif found:
            found[-1][1].append(line)
    return [(heading, "\n".join(body).strip()) for heading, body in found if heading]


def test_committed_reference_is_up_to_date() -> None:
    assert REFERENCE.is_file(), f"references/rules.md is missing: run `{REGENERATE}`"
    assert REFERENCE.read_text(encoding="utf-8") == render_rules_reference(), (
        f"references/rules.md is stale: run `{REGENERATE}`"
    )


@pytest.mark.parametrize("rule", RULE_PARAMS)
def test_documentation_has_ruffs_headings_in_order_each_with_content(rule: type[Rule]) -> None:
    found = sections(rule.documentation(), 2)
    assert [heading for heading, _ in found] == HEADINGS
    empty = [heading for heading, body in found if not body]
    assert empty == []


@pytest.mark.parametrize("rule", RULE_PARAMS)
def test_documentation_title_names_the_code_and_rule(rule: type[Rule]) -> None:
    assert rule.documentation().startswith(f"# {rule.code} {rule.name}\n")


@pytest.mark.parametrize("rule", RULE_PARAMS)
def test_fix_safety_says_how_safe_the_fix_is_or_that_there_is_none(rule: type[Rule]) -> None:
    body = dict(sections(rule.documentation(), 2))["Fix safety"]
    words = set(re.findall(r"\b(safe|unsafe)\b", body.lower()))
    if rule.code in FIX_SAFETY:
        assert words >= FIX_SAFETY[rule.code]
        assert "removes an import it leaves unused" in " ".join(body.split())
    else:
        assert "there is no automatic fix" in body.lower()
        assert not words, "a rule without a fix has no safety to describe"


@pytest.mark.parametrize("rule", RULE_PARAMS)
def test_references_list_links_or_sdk_paths(rule: type[Rule]) -> None:
    body = dict(sections(rule.documentation(), 2))["References"]
    items = [line for line in body.splitlines() if line.startswith("- ")]
    assert items
    assert all(("https://" in item or "`" in item) for item in items)


def test_reference_toc_links_to_every_rule_section() -> None:
    text = render_rules_reference()
    toc = dict(sections(text, 2))["Contents"]
    targets = LINK.findall(toc)
    assert len(targets) == len(RULES)
    assert all(target.startswith("#") for target in targets)
    assert {t[1:] for t in targets} <= heading_anchors(text)


def test_relative_links_in_the_reference_resolve() -> None:
    text = render_rules_reference()
    names = heading_anchors(text)
    for target in LINK.findall(text):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        if target.startswith("#"):
            assert target[1:] in names, target
            continue
        assert (REFERENCE.parent / target.partition("#")[0]).exists(), target


def test_every_rule_is_a_level_two_section_of_the_reference() -> None:
    titles = [heading for heading, _ in sections(render_rules_reference(), 2)]
    rule_titles = [t for t in titles if re.match(r"[A-Z]+\d{3} ", t)]
    assert rule_titles == [f"{rule.code} {rule.name}" for rule in RULES.values()]


@pytest.mark.parametrize("rule", RULE_PARAMS)
def test_code_and_name_follow_the_naming_rules(rule: type[Rule]) -> None:
    assert re.fullmatch(r"TPR\d{3}", rule.code)
    assert KEBAB.fullmatch(rule.name), "rule names are kebab-case"


@pytest.mark.parametrize("rule", RULE_PARAMS)
def test_message_and_fix_title_templates_are_one_line_without_a_period(rule: type[Rule]) -> None:
    for template in (rule.message, rule.fix_title):
        if template is None:
            continue
        assert "\n" not in template
        assert template == template.strip()
        assert not template.endswith(".")


@pytest.mark.parametrize("rule", RULE_PARAMS)
def test_messages_of_invalid_samples_are_one_line_without_a_period(rule: type[Rule]) -> None:
    for source in rule.INVALID:
        for finding in lint_source(source, "sample.py").findings:
            for text in (finding.message, finding.fix_title):
                if text is None:
                    continue
                assert "\n" not in text, (finding.code, text)
                assert not text.rstrip().endswith("."), (finding.code, text)


def test_docs_module_check_mode_reports_a_stale_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "references" / "rules.md"
    monkeypatch.setattr(docs, "REFERENCE", target)
    assert docs.main(["--check"]) == 1
    assert REGENERATE in capsys.readouterr().err
    assert docs.main(["--write"]) == 0
    assert docs.main(["--check"]) == 0
    target.write_text(target.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    assert docs.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "stale" in err
