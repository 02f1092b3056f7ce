"""The command line: exit codes, output formats, and one-line errors for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mcp_server.cli import main
from mcp_server.lint.rules import RULES

BAD = """\
import time
from temporalio import workflow

@workflow.defn
class W:
    @workflow.run
    async def run(self) -> float:
        return time.time()
"""
GOOD = BAD.replace("import time\n", "").replace("time.time()", "workflow.time()")


@pytest.fixture(autouse=True)
def _in_a_scratch_directory(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cache lives beside the configuration or in the current directory: keep it out of the repo.
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "bad.py").write_text(BAD)
    (tmp_path / "good.py").write_text(GOOD)
    return tmp_path


def test_exit_code_is_0_when_clean(capsys, tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(GOOD)
    code, out, _ = run(capsys, "lint", str(tmp_path))
    assert code == 0
    assert "All clear" in out


def test_exit_code_is_1_with_findings_and_text_is_clickable(capsys, tree: Path) -> None:
    code, out, _ = run(capsys, "lint", str(tree))
    assert code == 1
    assert f"{tree / 'bad.py'}:8:16: TPR101 `time.time`" in out
    assert "fix: Replace with `workflow.time()`" in out


def test_warnings_alone_also_exit_1(capsys, tmp_path: Path) -> None:
    (tmp_path / "w.py").write_text(
        GOOD.replace("return workflow.time()", "print(1)\n        return 0.0")
    )
    code, out, _ = run(capsys, "lint", str(tmp_path))
    assert (code, "TPR602" in out) == (1, True)


def test_json_output_keeps_the_contract(capsys, tree: Path) -> None:
    code, out, _ = run(capsys, "lint", "--format", "json", str(tree))
    data = json.loads(out)
    assert code == 1
    assert data["summary"] == {"files": 2, "findings": 1}
    finding = data["findings"][0]
    assert set(finding) == {
        "code",
        "name",
        "category",
        "severity",
        "filename",
        "location",
        "end_location",
        "message",
        "fix_title",
        "chain",
        "fix",
    }
    assert finding["location"] == {"row": 8, "column": 16}
    assert finding["end_location"] == {"row": 8, "column": 27}  # exclusive: `time.time()`
    assert (finding["code"], finding["name"], finding["category"], finding["severity"]) == (
        "TPR101",
        "workflow-wall-clock",
        "wall-clock",
        "error",
    )
    assert [hop["function"] for hop in finding["chain"]] == ["W.run", "time.time"]


def test_select_and_ignore_take_codes_prefixes_and_names(capsys, tree: Path) -> None:
    assert run(capsys, "lint", "--ignore", "TPR101", str(tree))[0] == 0
    assert run(capsys, "lint", "--ignore", "workflow-wall-clock", str(tree))[0] == 0
    assert run(capsys, "lint", "--select", "TPR2", str(tree))[0] == 0
    assert run(capsys, "lint", "--select", "TPR1", str(tree))[0] == 1


def test_unknown_rule_in_select_is_a_one_line_usage_error(capsys, tree: Path) -> None:
    code, _, err = run(capsys, "lint", "--select", "TPR999", str(tree))
    assert code == 2
    assert err.strip() == "temporal-pro lint: error: unknown rule code or name: TPR999"


def test_missing_path_exits_2_naming_it(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "lint", str(tmp_path / "nope.py"))
    assert code == 2
    assert err.count("\n") == 1 and "nope.py: no such file or directory" in err


def test_syntax_error_is_a_finding_and_other_files_are_still_linted(capsys, tree: Path) -> None:
    (tree / "broken.py").write_text("from temporalio import workflow\ndef f(:\n    pass\n")
    code, out, _ = run(capsys, "lint", "--format", "json", str(tree))
    findings = json.loads(out)["findings"]
    assert code == 1
    assert {(Path(f["filename"]).name, f["code"]) for f in findings} == {
        ("broken.py", "TPR001"),
        ("bad.py", "TPR101"),
    }
    broken = next(f for f in findings if f["code"] == "TPR001")
    assert (broken["category"], broken["location"]) == ("syntax-error", {"row": 2, "column": 7})


def test_a_named_file_with_a_syntax_error_is_reported_even_without_temporalio(
    capsys, tmp_path: Path
) -> None:
    (tmp_path / "x.py").write_text("x = (\n")
    code, out, _ = run(capsys, "lint", str(tmp_path / "x.py"))
    assert code == 1 and "TPR001" in out


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"\x00\x01binary", "binary file"), (b"x = '\xff\xfe'\n", "not valid UTF-8")],
)
def test_unreadable_files_get_one_line_errors_and_exit_2(
    capsys, tree: Path, content: bytes, problem: str
) -> None:
    (tree / "weird.py").write_bytes(content)
    code, out, err = run(capsys, "lint", str(tree))
    assert code == 2
    assert problem in err and err.count("\n") == 1
    assert "TPR101" in out  # the readable files were still linted
    assert out.rstrip().endswith("and 1 error (above)")


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        (["--unsafe-fixes"], "--unsafe-fixes needs --fix or --diff"),
        (["--stdin-filename", "x.py"], "--stdin-filename names source read from stdin"),
        (["--select", ""], "--select needs at least one code or name"),
        (["--ignore", " , "], "--ignore needs at least one code or name"),
        (["--cache-dir", "bad.py"], "--cache-dir bad.py: not a folder"),
        (["--statistics", "--format", "sarif"], "--statistics prints text or json, not sarif"),
    ],
)
def test_options_that_would_do_nothing_are_usage_errors(
    capsys, tree: Path, monkeypatch: pytest.MonkeyPatch, options: list[str], problem: str
) -> None:
    monkeypatch.chdir(tree)
    code, out, err = run(capsys, "lint", *options, ".")
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert err.startswith(f"temporal-pro lint: error: {problem}")


def test_a_folder_without_python_files_says_so(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the cache goes beside the (absent) configuration: here
    (tmp_path / "notes.txt").write_text("no code here\n")
    for cache in (["--no-cache"], [], []):  # the warning is replayed from the cache too
        code, out, err = run(capsys, "lint", *cache, str(tmp_path))
        assert (code, out) == (0, "All clear: 0 files checked\n")
        assert err == f"temporal-pro lint: warning: no Python files found in {tmp_path}\n"


def test_a_named_pipe_is_an_error_not_a_wait(capsys, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")  # reading it would block until someone writes
    for cache in (["--no-cache"], []):
        code, out, err = run(capsys, "lint", *cache, str(tmp_path / "pipe.py"))
        assert (code, err.count("\n")) == (2, 1) and "pipe.py: not a regular file" in err
        assert "All clear" not in out


def test_newer_syntax_is_analyzed_not_reported_as_a_syntax_error(capsys, tmp_path: Path) -> None:
    source = BAD.replace("import time\n", "import time\ntype Seconds = float\n") + (
        "\n\ndef first[T](items: list[T]) -> T:\n    return items[0]\n"
    )
    (tmp_path / "new.py").write_text(source)
    code, out, _ = run(capsys, "lint", "--format", "json", str(tmp_path))
    codes = [f["code"] for f in json.loads(out)["findings"]]
    assert (code, codes) == (1, ["TPR101"])


def test_3_12_f_strings_keep_every_later_row(capsys, tmp_path: Path) -> None:
    # Seen in a real project: PEP 701 f-strings concatenated over lines, then a generic method.
    source = BAD.replace(
        "import time\n",
        'import time\n\nGREETING = (\n    "hi "\n    f"{"there"}"\n    "!"\n)\n'
        'BANNER = f"""\n{"x"}\n"""\n\n\ndef first[T](items: list[T]) -> T:\n    return items[0]\n',
    )
    (tmp_path / "new.py").write_text(source)
    code, out, _ = run(capsys, "lint", "--format", "json", str(tmp_path))
    findings = [(f["code"], f["location"]["row"]) for f in json.loads(out)["findings"]]
    row = next(n for n, line in enumerate(source.splitlines(), 1) if "time.time()" in line)
    assert (code, findings) == (1, [("TPR101", row)])


def test_stdin_is_linted_under_the_given_file_name(capsys, monkeypatch) -> None:
    class FakeStdin:
        buffer = __import__("io").BytesIO(BAD.encode())

    monkeypatch.setattr(sys, "stdin", FakeStdin)
    code, out, _ = run(capsys, "lint", "-", "--stdin-filename", "orders/workflow.py")
    assert code == 1 and out.startswith("orders/workflow.py:8:16: TPR101")


def test_rules_json_lists_every_rule_with_the_documented_fields(capsys) -> None:
    code, out, _ = run(capsys, "rules", "--format", "json")
    rules = json.loads(out)
    assert code == 0
    assert [r["code"] for r in rules] == list(RULES)
    assert all(set(r) == {"code", "name", "category", "severity", "summary"} for r in rules)


def test_rule_prints_documentation_with_examples(capsys) -> None:
    code, out, _ = run(capsys, "rule", "TPR301")
    assert code == 0
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert heading in out
    assert run(capsys, "rule", "workflow-set-iteration")[1] == out


def test_unknown_rule_documentation_is_a_one_line_error(capsys) -> None:
    code, _, err = run(capsys, "rule", "TPR999")
    assert code == 2 and err.strip().startswith("temporal-pro rule: error: unknown rule: TPR999")


def test_bad_option_is_one_line_without_usage_dump(capsys) -> None:
    code, _, err = run(capsys, "lint", "--format", "xml")
    assert code == 2 and err.count("\n") == 1 and "invalid choice" in err


def test_console_script_runs_as_a_real_process(tree: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mcp_server", "lint", str(tree / "bad.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1 and "TPR101" in result.stdout and result.stderr == ""


def test_skill_install_writes_the_skill_folder(capsys, tmp_path: Path) -> None:
    folder = tmp_path / "temporal-python-pro"
    code, out, _ = run(capsys, "skill", "install", "--dest", str(tmp_path))
    assert (code, out) == (0, f"Installed the skill in {folder}\n")
    assert (folder / "SKILL.md").is_file()
    assert (folder / "references" / "rules.md").is_file()
    code, out, _ = run(capsys, "skill", "install", "--dest", str(tmp_path))
    assert (code, out) == (0, f"The skill is already installed in {folder}\n")


def test_skill_install_over_the_users_changes_needs_force_and_keeps_a_backup(
    capsys, tmp_path: Path
) -> None:
    folder = tmp_path / "temporal-python-pro"
    run(capsys, "skill", "install", "--dest", str(tmp_path))
    (folder / "notes.md").write_text("my notes\n")
    code, out, err = run(capsys, "skill", "install", "--dest", str(tmp_path))
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert err.startswith("temporal-pro skill install: error: ") and "notes.md (added)" in err
    assert "--force" in err and (folder / "notes.md").read_text() == "my notes\n"
    code, out, _ = run(capsys, "skill", "install", "--dest", str(tmp_path), "--force")
    backup = Path(out.rstrip().rpartition(" (the previous one is in ")[2].removesuffix(")"))
    assert code == 0 and out.startswith(f"Installed the skill in {folder} (the previous one")
    assert (backup / "notes.md").read_text() == "my notes\n"
    assert not (folder / "notes.md").exists()


def test_docs_lists_topics_and_prints_matching_sections(capsys) -> None:
    code, out, _ = run(capsys, "docs")
    assert code == 0 and any(line.startswith("rules ") for line in out.splitlines())
    code, out, _ = run(capsys, "docs", "TPR301")
    assert code == 0 and "workflow-set-iteration" in out
    code, _, err = run(capsys, "docs", "no-such-words-anywhere")
    assert code == 2 and err.count("\n") == 1


def test_docs_search_ranks_the_section_that_holds_the_phrase_first(capsys) -> None:
    code, out, _ = run(capsys, "docs", "signal", "with", "start")
    headers = [line for line in out.splitlines() if line.startswith("-- ")]
    assert code == 0 and "Starting workflows from events and schedules" in headers[0]
    assert sum(1 for line in out.splitlines() if line.startswith("-- ") and " > " in line) >= 2
