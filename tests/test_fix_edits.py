"""A finding's JSON `fix.edits` are exactly what `--fix` writes for that finding.

A client (an editor, an assistant, the MCP server) applies the edits as the JSON gives them: in
document order, never overlapping, every position 1-based (row, character column) in the original
text with `end_location` exclusive, so they apply from the last to the first. The JSON is about
text: the file as decoded (a UTF-8 byte-order mark is not part of it, a coding line is row 1), and
each edit's content ends its lines the way the file does (CRLF in a CRLF file). Applied that way,
the edits must give character for character what the fixer writes for that finding alone, and,
written back in the file's encoding, byte for byte what `--fix` writes when it is the only one.
"""

from __future__ import annotations

import io
import json
import shutil
import tokenize
from itertools import accumulate, pairwise
from pathlib import Path
from typing import Any

import pytest
from test_fixes import CASES, module

from mcp_server.cli import main
from mcp_server.lint import fixes
from mcp_server.lint.engine import LintOptions, lint_paths, lint_source
from mcp_server.lint.fixes import fix_paths
from mcp_server.lint.formats import render_json
from mcp_server.lint.knowledge import FIXABLE
from mcp_server.lint.models import Fix, LintReport

from test_rule_samples import INVALID, VALID

EXAMPLE = Path(__file__).parent.parent / "examples" / "orders_buggy"


def apply_json_edits(text: str, edits: list[dict[str, Any]]) -> str:
    """What a client does with `fix.edits`, knowing only the documented contract."""
    # Rows break where Python breaks lines (\n, \r\n, \r): newline="" splits there, ends kept.
    lines = io.StringIO(text, newline="").readlines()
    starts = [0, *accumulate(len(line) for line in lines)]

    def offset(at: dict[str, int]) -> int:
        return starts[at["row"] - 1] + at["column"] - 1

    spans = [(offset(e["location"]), offset(e["end_location"]), e["content"]) for e in edits]
    assert all(start <= end for start, end, _ in spans)
    # Document order, no overlap, no two at one point: "last to first" is then unambiguous.
    assert all(a[0] < b[0] and a[1] <= b[0] for a, b in pairwise(spans)), spans
    for start, end, content in reversed(spans):
        text = text[:start] + content + text[end:]
    return text


def json_fixes(report: LintReport) -> list[tuple[str, Fix, dict[str, Any]]]:
    """(file name, the fix, the fix as the JSON output prints it) for each fixable finding."""
    printed = json.loads(render_json(report))["findings"]
    return [
        (finding.filename, finding.fix, data["fix"])
        for finding, data in zip(report.findings, printed, strict=True)
        if finding.fix is not None
    ]


# --- every fixable rule sample -------------------------------------------------------------------
def _fixable(samples: list[Any]) -> list[Any]:
    return [
        sample
        for sample in samples
        if any(f.fix for f in lint_source(sample.values[1], "sample.py").findings)
    ]


FIXABLE_SAMPLES = _fixable([*INVALID, *VALID])


def test_the_samples_cover_every_fixable_rule() -> None:
    codes = set()
    for sample in FIXABLE_SAMPLES:
        codes |= {f.code for f in lint_source(sample.values[1], "sample.py").findings if f.fix}
    assert codes == set(FIXABLE)


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
@pytest.mark.parametrize(("code", "source"), FIXABLE_SAMPLES)
def test_sample_edits_give_what_the_fixer_writes(code: str, source: str, crlf: bool) -> None:
    if crlf:
        source = source.replace("\n", "\r\n")
    found = json_fixes(lint_source(source, "sample.py"))
    assert found
    for _, fix, printed in found:
        assert apply_json_edits(source, printed["edits"]) == fixes.apply(source, [fix]).source


# --- every fix case of test_fixes.py, and imports the fix leaves unused beyond its own -----------
RUN = "\n@workflow.defn\nclass W:\n    @workflow.run\n    async def run(self) -> object:\n"
MORE = [
    (
        "two blank lines after the removed first import",
        "import time\n\n\nfrom temporalio import workflow\n\n"
        + RUN
        + "        return time.time()\n",
    ),
    (
        "two one-name statements both left unused",
        "import os\n\nfrom datetime import datetime\nfrom datetime import timezone\n\n"
        "from temporalio import workflow\n\n"
        + RUN
        + "        return datetime.now(timezone.utc), os.sep\n",
    ),
    (
        "a parenthesized import left unused",
        "from datetime import (\n    UTC,\n    datetime,  # now\n)\n\nfrom temporalio import workflow\n\n"
        + RUN
        + "        return datetime.now(UTC)\n",
    ),
    (
        "a module used twice in the call",
        "import datetime\n\nfrom temporalio import workflow\n\n"
        + RUN
        + "        return datetime.datetime.now(datetime.timezone.utc)\n",
    ),
]
LINE_ENDS = {
    "lf": lambda text: text,
    "crlf": lambda text: text.replace("\n", "\r\n"),
    "no final line break": lambda text: text.rstrip("\n"),
}


@pytest.mark.parametrize("ends", list(LINE_ENDS))
@pytest.mark.parametrize(
    "before", [case[1] for case in [*CASES, *MORE]], ids=[case[0] for case in [*CASES, *MORE]]
)
def test_case_edits_give_what_the_fixer_writes(tmp_path: Path, before: str, ends: str) -> None:
    before = LINE_ENDS[ends](before)
    path = tmp_path / "wf.py"
    path.write_bytes(before.encode())
    targets = [str(path)]
    if "workflow.defn" not in before:  # a helper: the workflow that reaches it sits beside it
        (tmp_path / "caller.py").write_text(module("import wf\n", "return wf.stamp()"))
        targets = [str(tmp_path)]
    found = [
        (fix, printed)
        for filename, fix, printed in json_fixes(lint_paths(targets, LintOptions(jobs=1)).report)
        if Path(filename) == path
    ]
    assert found
    for fix, printed in found:
        assert apply_json_edits(before, printed["edits"]) == fixes.apply(before, [fix]).source
    if len(found) == 1:  # the only fixable finding: `--fix --unsafe-fixes` writes just that
        fixed = fix_paths(targets, LintOptions(jobs=1), unsafe=True).changed[str(path)][1]
        assert apply_json_edits(before, found[0][1]["edits"]) == fixed


# --- byte for byte, through the command line ------------------------------------------------------
def _json_edits(capsys: pytest.CaptureFixture[str], target: str, filename: str) -> list[Any]:
    main(["lint", "--no-cache", "--format", "json", target])
    printed = json.loads(capsys.readouterr().out)["findings"]
    [edits] = [f["fix"]["edits"] for f in printed if f["filename"] == filename and f["fix"]]
    return edits


def test_the_readme_example(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # README: from examples/orders_buggy/, `temporal-pro lint --format json .`.
    folder = tmp_path / "orders_buggy"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(folder)
    before = (folder / "pricing.py").read_text()
    edits = _json_edits(capsys, ".", "pricing.py")
    assert edits == [
        {
            "content": "from temporalio import workflow\n\n",
            "location": {"row": 1, "column": 1},
            "end_location": {"row": 3, "column": 1},
        },
        {
            "content": "workflow.now()",
            "location": {"row": 5, "column": 8},
            "end_location": {"row": 5, "column": 22},
        },
    ]
    main(["lint", "--no-cache", "--fix", "--unsafe-fixes", "."])
    capsys.readouterr()
    after = (folder / "pricing.py").read_bytes()
    assert after == apply_json_edits(before, edits).encode()
    assert after.startswith(b"from temporalio import workflow\n\n\ndef ")


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
@pytest.mark.parametrize(
    ("head", "encoding"),
    [("", "utf-8"), ("# -*- coding: latin-1 -*-\n", "latin-1"), ("\ufeff", "utf-8")],
    ids=["utf-8", "coding line", "byte-order mark"],
)
def test_edits_give_the_bytes_fix_writes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, head: str, encoding: str, crlf: bool
) -> None:
    path = tmp_path / "wf.py"
    text = head + module("import time\n\n", "return (time.time(), 'café')")
    if crlf:
        text = text.replace("\n", "\r\n")
    path.write_bytes(text.encode(encoding))
    edits = _json_edits(capsys, str(path), str(path))
    # A client reads and writes the file as Python does: `tokenize` finds its encoding
    # ("utf-8-sig" keeps the byte-order mark out of the text and puts it back).
    with path.open("rb") as stream:
        codec, _ = tokenize.detect_encoding(stream.readline)
    original = path.read_bytes().decode(codec)
    assert main(["lint", "--no-cache", "--fix", str(path)]) == 0
    capsys.readouterr()
    assert path.read_bytes() == apply_json_edits(original, edits).encode(codec)
