"""Score a run of model outputs against the suite, on every core, with the same report for any
number of workers: outputs are read, scored independently, and put back in a fixed order.

OUTPUTS is a folder of files named by task id (`order-saga.md`, or `order-saga--2.md` for another
sample of the same task) or a JSONL file of {"task_id", "output"} lines.
"""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcp_server.evals import tasks as suite_tasks
from mcp_server.evals.models import EvalError, EvalReport, Mistake, Sample
from mcp_server.evals.score import score_sample

_SUFFIXES = (".md", ".py", ".txt")


@dataclass(frozen=True)
class Output:
    task_id: str
    answer: str
    name: str  # the file, or `file.jsonl:LINE`


def read_outputs(path: str) -> list[Output]:
    source = Path(path)
    if source.is_dir():
        return _from_folder(source)
    if source.is_file():
        return _from_jsonl(source)
    raise EvalError(f"{path}: no such file or folder")


def _from_folder(folder: Path) -> list[Output]:
    found = []
    for file in sorted(folder.iterdir()):
        if not file.is_file() or file.suffix not in _SUFFIXES or file.name.startswith("."):
            continue
        task_id = file.stem.split("--", 1)[0]
        found.append(Output(task_id, file.read_bytes().decode("utf-8", "replace"), str(file)))
    if not found:
        raise EvalError(f"{folder}: no outputs (files named by task id: *.md, *.py, *.txt)")
    return found


def _from_jsonl(file: Path) -> list[Output]:
    found = []
    for number, line in enumerate(
        file.read_text(encoding="utf-8", errors="replace").splitlines(), 1
    ):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            task_id, answer = row["task_id"], row["output"]
            if not isinstance(task_id, str) or not isinstance(answer, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise EvalError(
                f'{file}:{number}: not a JSON object with string "task_id" and "output"'
            ) from None
        found.append(Output(task_id, answer, f"{file}:{number}"))
    if not found:
        raise EvalError(f"{file}: no outputs (JSON Lines of task_id and output)")
    return found


@dataclass(frozen=True)
class Remote:
    """Score through a Temporal cluster: `eval worker` processes on the task queue do the work."""

    address: str
    namespace: str
    task_queue: str


def score_outputs(
    outputs: list[Output],
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    remote: Remote | None = None,
    dynamic: bool = False,
) -> EvalReport:
    """Score every output; `dynamic` also runs each one in the time-skipping test server."""
    known = suite_tasks.load_tasks()
    work = [(o.task_id, o.answer, o.name, dynamic) for o in outputs]
    if remote is not None:
        samples = _score_remotely(work, remote)
    else:
        samples = _score_all(work, jobs or os.cpu_count() or 1, progress)
    answered = {o.task_id for o in outputs}
    samples += [
        Sample(task_id=task_id, score=0.0, parsed=False, reason="no output for this task")
        for task_id in known
        if task_id not in answered
    ]
    samples.sort(key=lambda s: (s.task_id, s.name))
    return aggregate(samples)


def _score_all(
    work: list[tuple[str, str, str, bool]], jobs: int, progress: Callable[[int, int], None] | None
) -> list[Sample]:
    dynamic = any(item[3] for item in work)
    if jobs < 2 or len(work) < (2 if dynamic else _PARALLEL_MIN_SAMPLES):
        results = []
        for done, item in enumerate(work, 1):
            results.append(_score_one(item))
            if progress:
                progress(done, len(work))
        return results
    results_by_index: dict[int, Sample] = {}
    with ProcessPoolExecutor(min(jobs, len(work))) as pool:
        for done, (index, sample) in enumerate(
            pool.map(_score_indexed, enumerate(work), chunksize=4), 1
        ):
            results_by_index[index] = sample
            if progress:
                progress(done, len(work))
    return [results_by_index[i] for i in range(len(work))]


# Static scoring takes ~3 ms a sample: below this many, starting a pool costs more than it saves
# (bench/eval_bench.py: 364 samples 0.7x, 1,456 samples 1.4x on two cores). A dynamic sample
# takes seconds, so those always share out.
_PARALLEL_MIN_SAMPLES = 600


def _score_remotely(work: list[tuple[str, str, str, bool]], remote: Remote) -> list[Sample]:
    import asyncio

    from mcp_server.evals.distributed import Item, score_remotely

    items = [Item(*row) for row in work]
    rows = asyncio.run(score_remotely(items, remote.address, remote.namespace, remote.task_queue))
    return [sample_from_dict(row) for row in rows]


def sample_from_dict(row: dict[str, Any]) -> Sample:
    fields = dict(row)
    fields["mistakes"] = [Mistake(**m) for m in row["mistakes"]]
    fields["warnings"] = [Mistake(**m) for m in row["warnings"]]
    return Sample(**fields)


def _score_indexed(item: tuple[int, tuple[str, str, str, bool]]) -> tuple[int, Sample]:
    return item[0], _score_one(item[1])


def _score_one(item: tuple[str, str, str, bool]) -> Sample:
    task_id, answer, name, dynamic = item
    return score_sample(suite_tasks.load_tasks().get(task_id), answer, task_id, name, dynamic)


def aggregate(samples: list[Sample]) -> EvalReport:
    by_task: dict[str, dict[str, Any]] = {}
    grouped: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        grouped[sample.task_id].append(sample)
    for task_id, group in sorted(grouped.items()):
        by_task[task_id] = {
            "samples": len(group),
            "mean_score": _mean(s.score for s in group),
            "clean": sum(1 for s in group if s.score == 1.0),
            "mistakes": dict(Counter(m.category for s in group for m in s.mistakes)),
        }
    by_category: dict[str, dict[str, Any]] = {}
    for category, count in sorted(Counter(m.category for s in samples for m in s.mistakes).items()):
        by_category[category] = {
            "mistakes": count,
            "samples": sum(1 for s in samples if any(m.category == category for m in s.mistakes)),
            "rules": dict(
                Counter(m.code for s in samples for m in s.mistakes if m.category == category)
            ),
        }
    total = len(samples)
    summary = {
        "samples": total,
        "tasks": len(by_task),
        "mean_score": _mean(s.score for s in samples),
        "clean_rate": round(sum(1 for s in samples if s.score == 1.0) / total, 4) if total else 0.0,
        "parsed_rate": round(sum(1 for s in samples if s.parsed) / total, 4) if total else 0.0,
        "mistakes": sum(len(s.mistakes) for s in samples),
        "warnings": sum(len(s.warnings) for s in samples),
    }
    return EvalReport(samples=samples, by_task=by_task, by_category=by_category, summary=summary)


def compare(report: EvalReport, baseline_path: str) -> None:
    """Attach, per category, this run's mistakes per sample against a baseline run's JSON."""
    try:
        other = json.loads(Path(baseline_path).read_text(encoding="utf-8"))
        theirs_categories = other["by_category"]
        theirs_samples = other["summary"]["samples"]
        theirs_score = other["summary"]["mean_score"]
    except OSError as error:
        raise EvalError(f"--baseline {baseline_path}: {error.strerror or error}") from None
    except (ValueError, KeyError, TypeError):
        raise EvalError(
            f"--baseline {baseline_path}: not a report of `eval score --format json`"
        ) from None
    ours_samples = report.summary["samples"] or 1
    rows = {}
    for category in sorted(set(report.by_category) | set(theirs_categories)):
        ours = report.by_category.get(category, {}).get("mistakes", 0) / ours_samples
        theirs = theirs_categories.get(category, {}).get("mistakes", 0) / (theirs_samples or 1)
        rows[category] = {
            "per_sample": round(ours, 4), "baseline_per_sample": round(theirs, 4),
            "change": round(ours - theirs, 4),
        }  # fmt: skip
    report.baseline = {
        "file": baseline_path,
        "mean_score": report.summary["mean_score"],
        "baseline_mean_score": theirs_score,
        "by_category": rows,
    }


def _mean(values: Iterable[float]) -> float:
    items = list(values)
    return round(sum(items) / len(items), 4) if items else 0.0
