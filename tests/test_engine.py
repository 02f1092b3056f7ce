"""Engine behaviour that no single rule owns: robustness, parallel runs, canonical chains."""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import re
import sys
from pathlib import Path

import pytest

from mcp_server.lint import engine
from mcp_server.lint.checker import Checker
from mcp_server.lint.config import Config
from mcp_server.lint.engine import LintOptions, lint_paths, lint_source
from mcp_server.lint.files import discover

FIXTURES = Path(__file__).parent / "fixtures"


def test_attribute_typed_from_another_self_attribute_does_not_recurse() -> None:
    # Found in samples-python: `self.b = self.a.m()` made type collection recurse forever.
    source = (
        "from temporalio import workflow\n\n\nclass Stream:\n    def topic(self) -> str:\n"
        "        return 't'\n\n\n@workflow.defn\nclass W:\n    def __init__(self) -> None:\n"
        "        self.stream = Stream()\n        self.topic = self.stream.topic()\n\n"
        "    @workflow.run\n    async def run(self) -> str:\n        return self.topic\n"
    )
    assert lint_source(source).findings == []


def test_a_failing_check_is_a_one_line_error_naming_the_function_and_the_rest_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = Checker.check_function

    def explode_in_pricing(self: Checker, function) -> None:  # type: ignore[no-untyped-def]
        if function.qualname == "_base":
            raise ValueError("boom")
        original(self, function)

    monkeypatch.setattr(Checker, "check_function", explode_in_pricing)
    result = lint_paths([str(FIXTURES / "chains")], LintOptions(jobs=1))
    assert any("pricing.py:8: internal error: ValueError: boom" in e for e in result.errors)
    assert {f.code for f in result.report.findings} >= {"TPR103", "TPR205", "TPR303"}


def test_parallel_run_reports_exactly_what_a_single_process_reports(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine, "_PARALLEL_MIN_BYTES", 0)  # fork even for a small tree
    paths = [str(FIXTURES / "chains"), str(FIXTURES / "flat"), "examples"]
    single = lint_paths(paths, LintOptions(jobs=1)).report
    parallel = lint_paths(paths, LintOptions(jobs=2)).report
    assert len(engine._chunks([m for m in _project_modules(paths) if m.mentions_temporal])) > 2
    assert dataclasses.asdict(parallel) == dataclasses.asdict(single)
    assert single.summary.findings > 5


def test_trees_freed_between_batches_change_no_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    # One process lints in batches of folders and frees the trees in between (memory stays at
    # the largest batch): a helper another batch already parsed is parsed again, same findings.
    paths = [str(FIXTURES / "chains"), str(FIXTURES / "flat"), "examples"]
    whole = lint_paths(paths, LintOptions(jobs=1)).report
    monkeypatch.setattr(engine, "_BATCH_CHARACTERS", 1)  # every folder its own batch
    targets = [m for m in _project_modules(paths) if m.mentions_temporal]
    assert len(engine._batches(targets)) == len(engine._chunks(targets)) > 2
    released = []
    original = engine.Project.release
    monkeypatch.setattr(
        engine.Project, "release", lambda self: released.append(1) or original(self)
    )
    batched = lint_paths(paths, LintOptions(jobs=1)).report
    assert len(released) > 2
    assert dataclasses.asdict(batched) == dataclasses.asdict(whole)
    assert whole.summary.findings > 5


WORKFLOW = """\
from temporalio import workflow
{imports}


@workflow.defn
class W:
    @workflow.run
    async def run(self) -> float:
        return helpers.stamp()
"""


def test_modules_that_share_a_name_keep_their_own_passthrough_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two services, each with its own `helpers`; only svc_a passes it through the sandbox.
    imports = {
        "svc_a": "\nwith workflow.unsafe.imports_passed_through():\n    import helpers",
        "svc_b": "\nimport helpers",
    }
    for service, block in imports.items():
        (tmp_path / service).mkdir()
        (tmp_path / service / "workflows.py").write_text(WORKFLOW.format(imports=block))
        (tmp_path / service / "helpers.py").write_text(
            "import time\n\n\ndef stamp() -> float:\n    return time.time()\n"
        )
    monkeypatch.setattr(engine, "_PARALLEL_MIN_BYTES", 0)
    paths = [str(tmp_path / "svc_a"), str(tmp_path / "svc_b")]
    reports = [lint_paths(paths, LintOptions(jobs=jobs)).report for jobs in (1, 2, 1)]
    notes = {
        Path(f.filename).parent.name: "imports_passed_through()" in f.message
        for f in reports[0].findings
        if f.code == "TPR101"
    }
    assert notes == {"svc_a": True, "svc_b": False}
    assert all(dataclasses.asdict(r) == dataclasses.asdict(reports[0]) for r in reports)


def test_a_helper_in_another_folder_keeps_its_chain_when_the_run_is_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The helper's own folder is a chunk of its own: there nothing calls escape(), so it is also
    # checked as an unreached function. The workflow's chain must still win, as in one process.
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "__init__.py").write_text("")
    (tmp_path / "common" / "util.py").write_text(
        "from temporalio import workflow\n\n\ndef escape() -> None:\n"
        "    with workflow.unsafe.sandbox_unrestricted():\n        pass\n"
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "workflows.py").write_text(
        "from temporalio import workflow\n\nwith workflow.unsafe.imports_passed_through():\n"
        "    from common import util\n\n\n@workflow.defn\nclass W:\n    @workflow.run\n"
        "    async def run(self) -> None:\n        util.escape()\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(engine, "_PARALLEL_MIN_BYTES", 0)
    single, split = (lint_paths(["app", "common"], LintOptions(jobs=j)).report for j in (1, 2))
    assert [len(f.chain) for f in single.findings if f.code == "TPR603"] == [3]
    assert dataclasses.asdict(split) == dataclasses.asdict(single)


def _project_modules(paths: list[str]):  # type: ignore[no-untyped-def]
    from mcp_server.lint.parse import read_source
    from mcp_server.lint.project import Project

    project = Project()
    return [project.add(p, read_source(p), p) for p, _ in discover(paths, Config())]


def test_chain_is_the_shortest_then_first_by_position() -> None:
    source = (
        "import time\nfrom temporalio import workflow\n\n\ndef clock() -> float:\n"
        "    return time.time()\n\n\ndef via() -> float:\n    return clock()\n\n\n"
        "@workflow.defn\nclass W:\n    @workflow.run\n    async def run(self) -> float:\n"
        "        return via() + self.direct()\n\n    def direct(self) -> float:\n"
        "        return clock()\n"
    )
    finding = next(f for f in lint_source(source).findings if f.code == "TPR101")
    # Both `run -> via -> clock` and `direct -> clock` reach it; the shorter one wins.
    assert [hop.function for hop in finding.chain] == ["W.direct", "clock", "time.time"]


def test_report_to_dict_is_exactly_the_dataclasses_as_dicts() -> None:
    # to_dict is written by hand for speed; it must never drift from the models.
    report = lint_paths([str(FIXTURES), "examples"]).report
    assert any(f.fix for f in report.findings) and any(f.chain for f in report.findings)
    assert report.to_dict() == dataclasses.asdict(report)


def test_command_line_peers_forked_before_the_analysis_give_the_same_report(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mcp_server import cli

    monkeypatch.setattr(engine, "_PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(cli, "_EARLY_FORK_FILES", 1)  # fork at the start, as large trees do
    paths = [str(FIXTURES / "chains"), str(FIXTURES / "flat"), "examples"]
    outputs = []
    for jobs in ("1", "2"):
        assert cli.main(["lint", "--no-cache", "--jobs", jobs, "--format", "json", *paths]) == 1
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] and '"TPR101"' in outputs[0]


def test_peers_claim_every_chunk_exactly_once() -> None:
    from mcp_server.lint.peers import Peers

    peers = Peers.start(3)
    peers.offer(200)
    mine = list(peers.claims())
    if peers.is_helper:
        peers.send(mine)  # never returns
    shares = [mine, *peers.receive()]
    claimed = [chunk for share in shares for chunk in share]  # type: ignore[attr-defined]
    assert sorted(claimed) == list(range(200))  # none lost, none twice


def test_helpers_are_reaped_by_the_next_start_at_the_latest() -> None:
    from mcp_server.lint.peers import Peers

    def run() -> list[int]:
        peers = Peers.start(2)
        peers.offer(4)
        mine = list(peers.claims())
        if peers.is_helper:
            peers.send(mine)  # never returns
        helpers = [pid for pid, _ in peers._children]
        assert len(peers.receive()) == 1
        return helpers

    first = run()
    run()
    for pid in first:
        with pytest.raises(ChildProcessError):  # reaped already: no longer a child to wait for
            os.waitpid(pid, os.WNOHANG)


def test_without_peers_one_process_claims_every_chunk() -> None:
    from mcp_server.lint.peers import Peers

    peers = Peers()
    peers.offer(5)
    assert list(peers.claims()) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("jobs", [1, 2])
def test_progress_counts_up_to_every_file_analyzed(
    monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    monkeypatch.setattr(engine, "_PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(engine, "_BATCH_CHARACTERS", 1)
    paths = [str(FIXTURES / "chains"), str(FIXTURES / "flat"), "examples"]
    told: list[tuple[int, int]] = []
    lint_paths(
        paths, LintOptions(jobs=jobs), progress=lambda done, total: told.append((done, total))
    )
    total = len([m for m in _project_modules(paths) if m.mentions_temporal])
    assert told[-1] == (total, total)
    assert len(told) > 2 or jobs > 1  # with peers, this process tells only what it claims
    assert [done for done, _ in told] == sorted(done for done, _ in told)


@pytest.mark.parametrize("terminal", [True, False])
def test_progress_is_shown_on_a_terminal_only_and_erased_at_the_end(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], terminal: bool
) -> None:
    from mcp_server import cli

    monkeypatch.setattr(engine, "_BATCH_CHARACTERS", 1)  # several batches: several updates
    monkeypatch.setattr(cli._Progress, "DELAY", 0.0)
    monkeypatch.setattr(cli._Progress, "INTERVAL", 0.0)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: terminal)
    paths = [str(FIXTURES / "chains"), str(FIXTURES / "flat"), "examples"]
    cli.main(["lint", "--no-cache", "--jobs", "1", "--format", "json", *paths])
    captured = capsys.readouterr()
    assert json.loads(captured.out)["findings"]  # the report itself is untouched
    updates = re.findall(r"\rtemporal-pro lint: (\d+)/(\d+) files", captured.err)
    if terminal:
        assert len(updates) > 2 and captured.err.endswith("\r\x1b[K")
        assert all(int(done) < int(total) for done, total in updates)
    else:
        assert updates == [] and "\x1b" not in captured.err


def test_a_method_inherited_from_a_generic_base_is_followed(tmp_path: Path) -> None:
    # A real project minted child-workflow ids through `ExecutionUUID.new_uuid4()`, inherited
    # from `class ExecutionUUID(TracecatUUID[ShortID])`: uuid4 in workflow code.
    (tmp_path / "ids.py").write_text(
        "import uuid\nfrom typing import Generic, TypeVar\n\nT = TypeVar('T')\n\n\n"
        "class BaseId(uuid.UUID, Generic[T]):\n    @classmethod\n    def new_uuid4(cls):\n"
        "        return cls(int=uuid.uuid4().int)\n\n\nclass RunId(BaseId[str]):\n    pass\n"
    )
    (tmp_path / "flow.py").write_text(
        "from temporalio import workflow\n\nfrom ids import RunId\n\n\n@workflow.defn\n"
        "class W:\n    @workflow.run\n    async def run(self) -> str:\n"
        "        return str(RunId.new_uuid4())\n"
    )
    report = lint_paths([str(tmp_path)], LintOptions(jobs=1)).report
    assert [(f.code, Path(f.filename).name, f.location.row) for f in report.findings] == [
        ("TPR105", "ids.py", 10)
    ]
    assert [hop.function for hop in report.findings[0].chain] == [
        "W.run",
        "ids.BaseId.new_uuid4",
        "uuid.uuid4",
    ]


def test_released_trees_are_freed_with_the_collector_off(monkeypatch: pytest.MonkeyPatch) -> None:
    # The CLI lints with the cyclic collector off: a reference cycle through a tree (a scope
    # keeping itself) would keep every batch's trees alive, doubling a run's peak memory.
    import gc
    import weakref

    monkeypatch.setattr(engine, "_BATCH_CHARACTERS", 1)
    trees: list[weakref.ref[ast.Module]] = []
    original = engine.Project.release

    def release(self: engine.Project) -> None:
        trees.extend(weakref.ref(m.tree) for m in self.modules if m.tree is not None)
        original(self)

    monkeypatch.setattr(engine.Project, "release", release)
    paths = [str(FIXTURES / "chains"), str(FIXTURES / "flat"), "examples"]
    gc.disable()
    try:
        lint_paths(paths, LintOptions(jobs=1))
        assert len(trees) > 5
        assert [ref for ref in trees if ref() is not None] == []
    finally:
        gc.enable()
