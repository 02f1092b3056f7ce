"""Every rule's VALID and INVALID samples, as tests (Fixit style).

An INVALID sample marks each offending line with `# expect: CODE[, CODE]`; the findings must be
exactly those (line, code) pairs. A VALID sample must lint clean.
"""

from __future__ import annotations

import re

import pytest

from mcp_server.lint.engine import lint_source
from mcp_server.lint.rules import RULES

EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)$")


def expected(source: str) -> set[tuple[int, str]]:
    pairs = set()
    for row, line in enumerate(source.splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            pairs |= {(row, code.strip()) for code in match.group(1).split(",")}
    return pairs


def found(source: str) -> set[tuple[int, str]]:
    report = lint_source(source, "sample.py")
    return {(f.location.row, f.code) for f in report.findings}


INVALID = [
    pytest.param(rule.code, text, id=f"{rule.code}-{rule.name}-invalid{i}")
    for rule in RULES.values()
    for i, text in enumerate(rule.INVALID)
]
VALID = [
    pytest.param(rule.code, text, id=f"{rule.code}-{rule.name}-valid{i}")
    for rule in RULES.values()
    for i, text in enumerate(rule.VALID)
]


@pytest.mark.parametrize(("code", "source"), INVALID)
def test_invalid_sample_reports_exactly_the_marked_lines(code: str, source: str) -> None:
    marks = expected(source)
    assert any(c == code for _, c in marks), "an INVALID sample must mark its own rule"
    assert found(source) == marks


@pytest.mark.parametrize(("code", "source"), VALID)
def test_valid_sample_lints_clean(code: str, source: str) -> None:
    assert found(source) == set()


def test_every_rule_has_valid_and_invalid_samples() -> None:
    missing = [code for code, rule in RULES.items() if not rule.VALID or not rule.INVALID]
    assert missing == []
