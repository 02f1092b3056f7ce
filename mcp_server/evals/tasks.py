"""The suite's tasks, reference solutions and labelled outputs: `evals/` in a checkout, the copy
packaged in the wheel otherwise (like the knowledge pack)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from mcp_server.evals.models import EvalError, Task

_PACKAGE = Path(__file__).resolve().parent.parent
_CANDIDATES = (_PACKAGE / "_pack" / "evals", _PACKAGE.parent / "evals")
_FIELDS = {"id", "pattern", "title", "prompt", "workflow", "input", "signals", "invites"}


def root() -> Path:
    for candidate in _CANDIDATES:
        if (candidate / "tasks").is_dir():
            return candidate
    raise EvalError(f"the eval suite is missing: no tasks/ in {' or '.join(map(str, _CANDIDATES))}")


@cache
def load_tasks() -> dict[str, Task]:
    """Every task by id, in id order."""
    tasks: dict[str, Task] = {}
    for path in sorted((root() / "tasks").glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as error:
            raise EvalError(f"{path}: not valid JSON: {error}") from None
        unknown = set(data) - _FIELDS
        if unknown:
            raise EvalError(f"{path}: unknown keys {', '.join(sorted(unknown))}")
        if data.get("id") != path.stem:
            raise EvalError(f"{path}: its id {data.get('id')!r} is not its file name")
        tasks[path.stem] = Task(
            id=data["id"], pattern=data["pattern"], title=data["title"], prompt=data["prompt"],
            workflow=data["workflow"], input=data.get("input"),
            signals=tuple(data.get("signals", ())), invites=tuple(data.get("invites", ())),
        )  # fmt: skip
    return tasks


def solution(task_id: str) -> Path:
    return root() / "solutions" / f"{task_id}.py"


def labelled() -> list[tuple[str, Path, frozenset[str]]]:
    """(task id, answer file, the categories of the error-level mistakes it holds) for every
    labelled output, reference solutions included with no mistakes."""
    found = [(task_id, solution(task_id), frozenset[str]()) for task_id in load_tasks()]
    for folder in sorted((root() / "labelled").glob("*/")):
        labels_file = folder / "labels.json"
        if not labels_file.is_file():
            continue
        labels = json.loads(labels_file.read_text(encoding="utf-8"))
        for name, categories in sorted(labels.items()):
            found.append((folder.name, folder / name, frozenset(categories)))
    return found
