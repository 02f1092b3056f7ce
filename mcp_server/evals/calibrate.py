"""How well the scorer agrees with the labelled outputs: precision and recall per mistake category.
Each labelled answer (and each reference solution, labelled clean) is scored; a category the
scorer reports and the label holds is a true positive."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from mcp_server.evals import tasks as suite_tasks
from mcp_server.evals.score import score_sample

FLOOR = 0.95  # the test suite fails below this, for either measure, in any category


@dataclass(kw_only=True)
class CategoryAgreement:
    category: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        labelled = self.true_positives + self.false_negatives
        return self.true_positives / labelled if labelled else 1.0


@dataclass(kw_only=True)
class Calibration:
    samples: int
    categories: list[CategoryAgreement]
    disagreements: list[str] = field(default_factory=list)  # "file: missed wall-clock", ...

    def below_floor(self) -> list[CategoryAgreement]:
        return [c for c in self.categories if min(c.precision, c.recall) < FLOOR]


def calibrate() -> Calibration:
    known = suite_tasks.load_tasks()
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    disagreements = []
    labelled = suite_tasks.labelled()
    for task_id, path, labels in labelled:
        sample = score_sample(known.get(task_id), path.read_text(encoding="utf-8"), task_id)
        found = {m.category for m in sample.mistakes}
        for category in found & labels:
            tp[category] += 1
        for category in found - labels:
            fp[category] += 1
            disagreements.append(f"{path}: reported {category}, not labelled")
        for category in labels - found:
            fn[category] += 1
            disagreements.append(f"{path}: missed {category}")
        if not sample.parsed or "does not define" in sample.reason:
            disagreements.append(f"{path}: {sample.reason}")
    categories = [
        CategoryAgreement(
            category=category,
            true_positives=tp[category],
            false_positives=fp[category],
            false_negatives=fn[category],
        )
        for category in sorted(set(tp) | set(fp) | set(fn))
    ]
    return Calibration(samples=len(labelled), categories=categories, disagreements=disagreements)


def text(calibration: Calibration) -> str:
    lines = [f"{'category':<24} {'precision':>9} {'recall':>7}  tp  fp  fn"]
    for c in calibration.categories:
        lines.append(
            f"{c.category:<24} {c.precision:>9.2f} {c.recall:>7.2f} {c.true_positives:>3} "
            f"{c.false_positives:>3} {c.false_negatives:>3}"
        )
    lines += [f"  {line}" for line in calibration.disagreements]
    below = calibration.below_floor()
    verdict = (
        f"{len(below)} categories below {FLOOR}: {', '.join(c.category for c in below)}"
        if below
        else f"every category at or above {FLOOR}"
    )
    lines.append(f"{calibration.samples} labelled samples; {verdict}.")
    return "\n".join(lines) + "\n"
