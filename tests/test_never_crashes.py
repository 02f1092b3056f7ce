"""The linter never crashes: whatever the input, it returns a report (syntax errors included)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcp_server.lint.engine import lint_source
from mcp_server.lint.rules import RULES

SAMPLES = [text for rule in RULES.values() for text in (*rule.VALID, *rule.INVALID)]
TOKENS = [
    "(",
    ")",
    ":",
    "await ",
    "async ",
    "lambda: ",
    "*",
    "**",
    "self.",
    "workflow.",
    "datetime.",
    "set()",
    "{1}",
    "for x in s: pass\n",
    "global X\n",
    "del ",
    "[",
    "]",
    ",",
    "=",
    "\n",
    "    ",
    "@workflow.defn\n",
    "import random\n",
    "from . import x\n",
    "from temporalio.workflow import *\n",
    "class C:\n",
    "def f(",
    "yield ",
    "return ",
    "x.y.z",
    '"',
    "#",
    "\\",
]


@st.composite
def mutated_sample(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(SAMPLES)).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(lines)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate", "splice"]))
        if action == "insert":
            lines.insert(position, draw(st.sampled_from(TOKENS)))
        elif action == "delete" and lines:
            lines.pop(min(position, len(lines) - 1))
        elif action == "duplicate" and lines:
            lines.insert(position, lines[min(position, len(lines) - 1)])
        elif action == "splice":
            other = draw(st.sampled_from(SAMPLES)).splitlines(keepends=True)
            lines[position:position] = other[: draw(st.integers(0, len(other)))]
    return "".join(lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_sample())
def test_mutated_samples_never_crash(source: str) -> None:
    report = lint_source(source, "mutated.py")
    assert report.summary.findings == len(report.findings)
    for finding in report.findings:
        assert finding.location.row >= 1 and finding.location.column >= 1
        assert (finding.end_location.row, finding.end_location.column) >= (
            finding.location.row,
            finding.location.column,
        )


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes(source: str) -> None:
    report = lint_source("from temporalio import workflow\n" + source, "random.py")
    assert all(f.code in RULES for f in report.findings)
