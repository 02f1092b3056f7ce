"""max-file-size: a file over the limit is skipped with a one-line warning, never parsed (a
generated 7 MB module took over 1 GB to parse); the skip alone never makes the run fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcp_server.cli import main
from mcp_server.lint.config import DEFAULT_MAX_FILE_SIZE, Config, ConfigError, load_config
from mcp_server.lint.engine import lint_paths, lint_source
from mcp_server.lint.options import LintOptions

WORKFLOW = """\
import time

from temporalio import workflow

import helper


@workflow.defn
class W:
    @workflow.run
    async def run(self) -> float:
        return time.time() + helper.now()
"""
HELPER = "import random\n\n\ndef now() -> float:\n    return random.random()\n"


def configure(folder: Path, body: str) -> Config:
    path = folder / "pyproject.toml"
    path.write_text(f"[project]\nname = 'x'\n\n[tool.temporal-pro]\n{body}\n")
    return load_config(path)


def lint(paths: list[Path], config: Config):  # type: ignore[no-untyped-def]
    return lint_paths([str(p) for p in paths], LintOptions(config=config))


def test_the_default_limit_is_two_megabytes(tmp_path: Path) -> None:
    assert DEFAULT_MAX_FILE_SIZE == 2_000_000
    assert Config().max_file_size == 2_000_000
    assert configure(tmp_path, 'select = ["TPR"]').max_file_size == 2_000_000
    assert configure(tmp_path, "max-file-size = 0").max_file_size == 0


def test_a_file_over_the_default_limit_is_skipped_with_one_note(tmp_path: Path) -> None:
    big = tmp_path / "generated.py"
    line = "import time\nx = time.time()  # temporalio\n"
    big.write_text(line * (2_000_001 // len(line) + 1))
    size = big.stat().st_size
    result = lint([big], Config())
    assert result.report.findings == [] and result.errors == []
    assert result.report.summary.files == 0  # not linted, so not counted as checked
    assert result.warnings == [
        f"{big}: skipped, not linted: {size:,} bytes is over the max-file-size limit of "
        "2,000,000 (raise max-file-size in [tool.temporal-pro]; 0: no limit)"
    ]


def test_files_under_the_limit_are_linted_beside_a_skipped_one(tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text(HELPER)
    workflow = tmp_path / "wf.py"
    workflow.write_text(WORKFLOW)
    big = tmp_path / "big.py"
    big.write_text("x = 1\n" * 100)  # 600 bytes
    config = configure(tmp_path, f"max-file-size = {len(WORKFLOW) + 1}")
    result = lint([tmp_path], config)
    assert [(Path(f.filename).name, f.code) for f in result.report.findings] == [
        ("helper.py", "TPR103"),
        ("wf.py", "TPR101"),
    ]
    assert len(result.warnings) == 1 and result.warnings[0].startswith(f"{big}: skipped")
    assert result.errors == []


def test_zero_means_no_limit(tmp_path: Path) -> None:
    workflow = tmp_path / "wf.py"
    workflow.write_text(WORKFLOW)
    (tmp_path / "helper.py").write_text(HELPER)
    assert lint([workflow], Config(max_file_size=10)).report.findings == []
    unlimited = lint([workflow], Config(max_file_size=0))
    assert {f.code for f in unlimited.report.findings} == {"TPR101", "TPR103"}
    assert unlimited.warnings == []


def test_a_helper_over_the_limit_is_not_followed_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "helper.py").write_text(HELPER + "# padding\n" * 100)
    (tmp_path / "wf.py").write_text(WORKFLOW)
    result = lint_paths(["wf.py"], LintOptions(config=Config(max_file_size=len(WORKFLOW))))
    assert [f.code for f in result.report.findings] == ["TPR101"]  # not helper's TPR103
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith("helper.py: skipped, not followed: 1,")


def test_source_given_as_text_is_held_to_the_limit() -> None:
    options = LintOptions(config=Config(max_file_size=len(WORKFLOW) - 1))
    assert lint_source(WORKFLOW, "wf.py", options).findings == []
    result = lint_paths([], options, stdin=("wf.py", WORKFLOW.encode()))
    assert result.warnings[0].startswith(f"wf.py: skipped, not linted: {len(WORKFLOW):,} bytes")
    roomy = options.replace(config=Config(max_file_size=len(WORKFLOW)))
    assert [f.code for f in lint_source(WORKFLOW, "wf.py", roomy).findings] == ["TPR101"]


def test_the_setting_is_part_of_the_cache_key() -> None:
    assert Config(max_file_size=1_000).fingerprint() != Config().fingerprint()
    assert Config(max_file_size=0).fingerprint() != Config().fingerprint()


@pytest.mark.parametrize("value", ['"2MB"', "-1", "true", "1.5", "[1]"])
def test_a_bad_limit_is_one_line_naming_the_key(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError) as raised:
        configure(tmp_path, f"max-file-size = {value}")
    message = str(raised.value)
    assert "\n" not in message and "pyproject.toml" in message
    assert "'max-file-size' must be a whole number of bytes, 0 for no limit" in message


def test_the_command_line_rejects_a_bad_limit_with_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wf.py").write_text(WORKFLOW)
    (tmp_path / "pyproject.toml").write_text("[tool.temporal-pro]\nmax-file-size = -5\n")
    assert main(["lint", "--no-cache", "wf.py"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'max-file-size'" in err and "not -5" in err


def test_a_skip_alone_does_not_fail_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wf.py").write_text(WORKFLOW)
    (tmp_path / "pyproject.toml").write_text("[tool.temporal-pro]\nmax-file-size = 100\n")
    # The workflow's time.time() is never parsed, so never reported: a warning, exit 0.
    assert main(["lint", "--no-cache", "wf.py"]) == 0
    out, err = capsys.readouterr()
    assert "TPR101" not in out and err.startswith("temporal-pro lint: warning: wf.py: skipped")


def test_the_skip_is_one_warning_line_on_stderr_for_lint_fix_and_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wf.py").write_text(WORKFLOW)
    (tmp_path / "pyproject.toml").write_text("[tool.temporal-pro]\nmax-file-size = 100\n")
    size = len(WORKFLOW.encode())
    note = (
        f"temporal-pro lint: warning: wf.py: skipped, not linted: {size:,} bytes is over the "
        "max-file-size limit of 100 (raise max-file-size in [tool.temporal-pro]; 0: no limit)\n"
    )
    for extra in ([], ["--fix"], ["--diff"]):
        code = main(["lint", "--no-cache", *extra, "wf.py"])
        err = capsys.readouterr().err
        assert code == 0 and err.startswith(note), (extra, err)
        assert "no Python files found" not in err
