"""Score one model answer: extract its code, check that it parses and defines the task's workflow,
and lint it. Error-level findings are the determinism mistakes that lower the score; warnings are
listed and do not. Static scoring never runs the code it is given.

A sample's score: 0 when there is no usable code (none, it does not parse, or it does not define
the expected workflow); otherwise 1 / (1 + the number of mistakes): 1.0 clean, 0.5 with one.
"""

from __future__ import annotations

import ast
import re

from mcp_server.evals.models import Mistake, Sample, Task
from mcp_server.lint.engine import lint_source
from mcp_server.lint.options import LintOptions

# A fenced block: ```python (or py, or nothing) ... ```, also ~~~.
_FENCE = re.compile(
    r"^[ \t]*(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)\n(?P<body>.*?)^[ \t]*(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_PYTHON = {"", "python", "py", "python3"}


def extract_code(answer: str) -> tuple[str | None, str]:
    """(the code, a note): the Python fenced blocks joined in order (a model may split one module
    across blocks), or the whole answer when it has no fences and parses as Python."""
    blocks = [
        m.group("body")
        for m in _FENCE.finditer(answer)
        if m.group("info").strip().lower() in _PYTHON
    ]
    if blocks:
        note = f"{len(blocks)} code blocks, joined" if len(blocks) > 1 else ""
        return "\n\n".join(blocks), note
    stripped = answer.strip()
    if not stripped:
        return None, "an empty answer"
    try:
        ast.parse(stripped)
    except SyntaxError:
        return None, "no Python code in the answer (prose only)"
    return stripped, ""


def score_sample(
    task: Task | None, answer: str, task_id: str, name: str = "", dynamic: bool = False
) -> Sample:
    """Score one answer; `dynamic` also runs it (see dynamic.py) and adds what replay finds."""
    if task is None:
        return Sample(
            task_id=task_id, score=0.0, parsed=False, name=name,
            reason=f"unknown task id {task_id!r}",
        )  # fmt: skip
    code, note = extract_code(answer)
    if code is None:
        return Sample(task_id=task_id, score=0.0, parsed=False, reason=note, name=name)
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        where = f" (line {error.lineno})" if error.lineno else ""
        return Sample(
            task_id=task_id, score=0.0, parsed=False, name=name,
            reason=_join(note, f"the code does not parse: {error.msg}{where}"),
        )  # fmt: skip
    report = lint_source(code, f"{task_id}.py", _OPTIONS)
    mistakes: list[Mistake] = []
    warnings: list[Mistake] = []
    for finding in report.findings:
        item = Mistake(
            code=finding.code, category=finding.category, severity=finding.severity,
            row=finding.location.row, source="lint", message=finding.message,
        )  # fmt: skip
        (mistakes if finding.severity == "error" else warnings).append(item)
    if not _defines(tree, task.workflow):
        return Sample(
            task_id=task_id, score=0.0, parsed=True, mistakes=mistakes, warnings=warnings,
            name=name, reason=_join(note, f"does not define the workflow class {task.workflow}"),
        )  # fmt: skip
    notes = [note] if note else []
    if dynamic:
        from mcp_server.evals.dynamic import run_dynamic

        ran = run_dynamic(task, code)
        seen = {m.category for m in mistakes}
        # A replay failure counts even when the linter saw nothing; once when it saw the same.
        mistakes += [m for m in ran.mistakes if m.category not in seen]
        notes += ran.notes
    note = "; ".join(notes)
    score = 1.0 / (1 + len(mistakes))
    if mistakes:
        codes = ", ".join(dict.fromkeys(f"{m.code} {m.category}" for m in mistakes))
        noun = "mistake" if len(mistakes) == 1 else "mistakes"
        reason = f"{len(mistakes)} determinism {noun} ({codes})"
    else:
        reason = "clean"
    return Sample(
        task_id=task_id, score=round(score, 4), parsed=True, mistakes=mistakes,
        warnings=warnings, reason=_join(note, reason), name=name,
    )  # fmt: skip


# One process scores many samples: the defaults, without forking or keeping trees.
_OPTIONS = LintOptions()


def _defines(tree: ast.Module, name: str) -> bool:
    """Whether the module defines class `name` with a `...defn` decorator (workflow.defn,
    wf.defn, defn)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == name:
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if (isinstance(target, ast.Attribute) and target.attr == "defn") or (
                    isinstance(target, ast.Name) and target.id == "defn"
                ):
                    return True
    return False


def _join(*parts: str) -> str:
    return "; ".join(part for part in parts if part)
