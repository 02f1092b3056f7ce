"""The pre-commit hook, end to end: the real pre-commit package installs this repository as a
hook repository (a virtualenv, `pip install .` and the dependencies from the package registry)
and runs `temporal-pro lint` on a throwaway git repository, the way a user's three lines of
`.pre-commit-config.yaml` would.

The hook repository is this repository at HEAD (`repo: <repo root>`, `rev: <HEAD sha>`):
pre-commit clones it exactly as it clones `https://github.com/...` at a tag, so what is tested is
`.pre-commit-hooks.yaml` and the package as committed, which is what users get. Uncommitted
edits are not seen; commit them first (CI runs on a clean checkout, where HEAD is the tree).

Installing the hook environment is the slow part (a virtualenv and a dozen wheels), so it
happens once: one test, two runs of pre-commit (failing, then fixed) sharing one PRE_COMMIT_HOME.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOOK_ID = "temporal-pro"

ORDERS = """\
from datetime import datetime

from temporalio import workflow


@workflow.defn
class OrderWorkflow:
    @workflow.run
    async def run(self, order_id: str) -> str:
        return f"{order_id} at {datetime.now().isoformat()}"
"""

# The clock read is in another module, reached through a call: the linter only sees it when
# billing.py and clock.py are linted by the same process (the reason for `require_serial`).
BILLING = """\
from temporalio import workflow

from clock import stamp


@workflow.defn
class BillingWorkflow:
    @workflow.run
    async def run(self) -> float:
        return stamp()
"""

CLOCK = """\
import time


def stamp() -> float:
    return time.time()
"""

CLEAN = """\
from temporalio import workflow


@workflow.defn
class CleanWorkflow:
    @workflow.run
    async def run(self, name: str) -> str:
        return f"{name} at {workflow.now().isoformat()}"
"""

SHIPPING = """\
def label(order_id: str) -> str:
    return f"ship {order_id}"
"""

# Not Python: `types: [python]` must keep it away from the linter (which would report TPR001).
NOTES = "# Notes\n\nRemember: datetime.now() is fine outside workflows.\n"

PY_FILES = 5  # orders, billing, clock, clean, shipping
SUMMARY = re.compile(r"^(?:\d+ findings? in \d+ files?|All clear: \d+ files? checked)$", re.M)


def _env(tmp_path: Path) -> dict[str, str]:
    # Git variables inherited from a surrounding git hook (GIT_DIR, GIT_INDEX_FILE...) would
    # point our git commands at the wrong repository; drop them all. Nothing here commits, but an
    # identity is set anyway so no step can depend on a global git config.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    for variable in ("SKIP", "PRE_COMMIT_NO_CONCURRENCY", "PRE_COMMIT_ALLOW_NO_CONFIG"):
        env.pop(variable, None)  # these would skip the hook or hide a missing require_serial
    env.update(
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),  # no global cache touched
        GIT_AUTHOR_NAME="test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
        # pre-commit runs a hook without require_serial as parallel processes, one per CPU, or
        # two when TRAVIS is set: this makes a missing require_serial show on one-CPU machines.
        TRAVIS="true",
    )
    return env


def _git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"git {' '.join(args)} failed:\n{done.stdout}{done.stderr}"
    return done.stdout.strip()


def _pre_commit(repo: Path, env: dict[str, str]) -> tuple[int, str, float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never", "--verbose"],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=1200,
        check=False,
    )
    return done.returncode, done.stdout, time.monotonic() - started


def test_hook_fails_on_a_determinism_bug_and_passes_once_fixed(tmp_path: Path) -> None:
    env = _env(tmp_path)
    head = _git("rev-parse", "HEAD", cwd=ROOT, env=env)
    # pre-commit installs the hook from the commit, not the working tree: make sure the file
    # this test is about is the one it exercises.
    committed = subprocess.run(
        ["git", "show", f"{head}:.pre-commit-hooks.yaml"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert committed.returncode == 0, ".pre-commit-hooks.yaml is not in HEAD: commit it first"
    working = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert committed.stdout == working, ".pre-commit-hooks.yaml differs from HEAD: commit it first"

    repo = tmp_path / "project"
    repo.mkdir()
    _git("init", "-q", cwd=repo, env=env)
    files = {
        "orders.py": ORDERS,
        "billing.py": BILLING,
        "clock.py": CLOCK,
        "clean.py": CLEAN,
        "shipping.py": SHIPPING,
        "NOTES.md": NOTES,
    }
    for name, text in files.items():
        (repo / name).write_text(text)
    # The user's three lines; json.dumps quotes the path as a valid YAML string.
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {json.dumps(str(ROOT))}\n  rev: {head}\n  hooks: [{{id: {HOOK_ID}}}]\n"
    )
    _git("add", "-A", cwd=repo, env=env)

    code, out, seconds = _pre_commit(repo, env)
    print(f"\npre-commit, first run (installs the hook environment): {seconds:.1f}s\n{out}")
    assert code == 1, out
    assert "Failed" in out, out
    assert "- exit code: 1" in out, out  # findings, not a usage or internal error (2)
    assert "TPR101" in out, out
    assert re.search(r"^orders\.py:10:\d+: TPR101 ", out, re.M), out
    assert re.search(r"^clock\.py:5:\d+: TPR101 ", out, re.M), out
    assert "BillingWorkflow.run -> clock.stamp -> time.time" in out, out
    assert "clean.py" not in out and "NOTES.md" not in out, out
    # One linter process saw every Python file (require_serial), and nothing else (types).
    assert SUMMARY.findall(out) == [f"2 findings in {PY_FILES} files"], out

    (repo / "orders.py").write_text(ORDERS.replace("datetime.now()", "workflow.now()"))
    (repo / "billing.py").write_text(
        BILLING.replace("from clock import stamp\n", "").replace("stamp()", "workflow.time()")
    )
    _git("add", "-A", cwd=repo, env=env)

    code, out, seconds = _pre_commit(repo, env)
    print(f"pre-commit, second run (environment cached): {seconds:.1f}s\n{out}")
    assert code == 0, out
    assert "Passed" in out and "TPR" not in out, out
    assert SUMMARY.findall(out) == [f"All clear: {PY_FILES} files checked"], out
