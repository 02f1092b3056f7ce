"""[tool.temporal-pro] in pyproject.toml: discovery, every key, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mcp_server.cli import main

WORKFLOW = """\
import time

from temporalio import workflow

import acme_clock


@workflow.defn
class W:
    @workflow.run
    async def run(self) -> float:
        print("replayed")
        return time.time() + acme_clock.now()
"""
CLOCK = "def now() -> float:\n    return 0.0\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "wf.py").write_text(WORKFLOW)
    (tmp_path / "src" / "acme_clock.py").write_text(CLOCK)
    monkeypatch.chdir(tmp_path / "src")  # the configuration is found upward from here
    return tmp_path


def codes(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[tuple[str, str]]]:
    code = main(["lint", "--no-cache", "--format", "json", *args])
    out = capsys.readouterr().out
    findings = json.loads(out)["findings"] if out.strip() else []
    return code, [(Path(f["filename"]).name, f["code"]) for f in findings]


def configure(project: Path, body: str) -> None:
    (project / "pyproject.toml").write_text(
        f"[project]\nname = 'x'\n\n[tool.temporal-pro]\n{body}\n"
    )


def test_without_configuration_every_rule_runs(capsys, project: Path) -> None:
    assert codes(capsys, ".") == (1, [("wf.py", "TPR602"), ("wf.py", "TPR101")])


def test_select_and_ignore_are_read_from_the_nearest_pyproject(capsys, project: Path) -> None:
    configure(project, 'ignore = ["replay-unsafe-logging"]')
    assert codes(capsys, ".")[1] == [("wf.py", "TPR101")]
    configure(project, 'select = ["TPR6"]')
    assert codes(capsys, ".")[1] == [("wf.py", "TPR602")]


def test_command_line_select_replaces_the_configured_one(capsys, project: Path) -> None:
    configure(project, 'select = ["TPR6"]')
    assert codes(capsys, "--select", "TPR1", ".")[1] == [("wf.py", "TPR101")]


def test_per_file_ignores_match_globs_relative_to_the_config(capsys, project: Path) -> None:
    configure(project, 'per-file-ignores = { "src/wf.py" = ["TPR101"], "*.py" = ["TPR602"] }')
    assert codes(capsys, ".") == (0, [])


def test_extend_exclude_skips_folders_and_defaults_still_apply(capsys, project: Path) -> None:
    (project / "src" / "generated").mkdir()
    (project / "src" / "generated" / "bad.py").write_text(WORKFLOW)
    (project / "src" / ".venv").mkdir()
    (project / "src" / ".venv" / "bad.py").write_text(WORKFLOW)
    assert ("bad.py", "TPR101") in codes(capsys, ".")[1]  # generated/ is linted by default
    configure(project, 'extend-exclude = ["generated"]')
    assert all(name != "bad.py" for name, _ in codes(capsys, ".")[1])


def test_nondeterministic_calls_extend_the_knowledge_table(capsys, project: Path) -> None:
    configure(
        project, 'select = ["TPR1"]\nnondeterministic-calls = { "acme_clock.now" = "TPR101" }'
    )
    found = codes(capsys, ".")[1]
    assert found.count(("wf.py", "TPR101")) == 2  # time.time and the in-house clock


def test_a_declared_setter_of_process_wide_state_is_global_state(capsys, project: Path) -> None:
    configure(
        project,
        'select = ["TPR303"]\nnondeterministic-calls = { "acme_clock.now" = "TPR303" }',
    )
    assert codes(capsys, ".")[1] == [("wf.py", "TPR303")]


def test_prefix_declarations_cover_every_name_below(capsys, project: Path) -> None:
    configure(
        project,
        'select = ["TPR2"]\nnondeterministic-calls = { "acme_clock.*" = "workflow-network" }',
    )
    assert codes(capsys, ".")[1] == [("wf.py", "TPR202")]


def test_deterministic_calls_are_neither_flagged_nor_followed(capsys, project: Path) -> None:
    (project / "src" / "acme_clock.py").write_text(
        "import time\n\n\ndef now() -> float:\n    return time.time()\n"
    )
    assert ("acme_clock.py", "TPR101") in codes(capsys, ".")[1]
    configure(project, 'deterministic-calls = ["acme_clock.now"]')
    assert ("acme_clock.py", "TPR101") not in codes(capsys, ".")[1]


def test_explicit_config_file_wins(
    capsys, project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    other = tmp_path_factory.mktemp("elsewhere") / "pyproject.toml"
    other.write_text('[tool.temporal-pro]\nselect = ["TPR602"]\n')
    configure(project, 'select = ["TPR101"]')
    assert codes(capsys, "--config", str(other), ".")[1] == [("wf.py", "TPR602")]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('colour = "blue"', "unknown key 'colour'"),
        ('select = ["TPR999"]', "'select': unknown rule code or name: TPR999"),
        ('ignore = "TPR101"', "'ignore' must be a list of strings"),
        ('per-file-ignores = { "x.py" = ["NOPE"] }', "unknown rule code or name: NOPE"),
        ('nondeterministic-calls = { "a.b" = "TPR401" }', "must name one call rule"),
        ("select = [", "not valid TOML"),
        ('workflow-code = ["my pkg.*"]', "'workflow-code': 'my pkg.*' is not a dotted name"),
        ('workflow-code = "mypkg"', "'workflow-code' must be a list of strings"),
        ('target-temporalio = "latest"', "'target-temporalio' must be a version like"),
        ("target-temporalio = 1.35", "'target-temporalio' must be a version like"),
        ('python = ""', "'python' must be the path of a Python interpreter"),
    ],
)
def test_bad_configuration_is_one_line_naming_file_and_key_with_exit_2(
    capsys, project: Path, body: str, problem: str
) -> None:
    configure(project, body)
    assert main(["lint", "--no-cache", "."]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pyproject.toml" in err and problem in err


def test_missing_explicit_config_is_an_error(capsys, project: Path) -> None:
    assert main(["lint", "--config", "nope.toml", "."]) == 2
    assert "nope.toml: no such configuration file" in capsys.readouterr().err
    assert main(["lint", "--config", str(project), "."]) == 2  # a folder
    assert f"{project}: not a file" in capsys.readouterr().err
