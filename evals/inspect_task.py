"""The eval suite as an inspect-ai task: any model inspect supports answers the suite's prompts, and
our scorer (`temporal-pro eval score`'s) scores each answer for determinism mistakes.

    pip install "temporal-python-pro[inspect]"
    inspect eval evals/inspect_task.py --model openai/gpt-4o    # from a checkout's root

Add `-T with_skill=true` to give the model SKILL.md as its system prompt (compare the two runs'
scores to see what the skill is worth). Each sample's score is our score (1.0 clean, 1 / (1 + the
number of mistakes) otherwise, 0 with no usable code), its answer the code we extracted, its
explanation our reason, and its metadata the mistakes and warnings the linter found.
"""

from __future__ import annotations

from dataclasses import asdict

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser
from inspect_ai.scorer import (
    Metric,
    SampleScore,
    Score,
    Scorer,
    Target,
    grouped,
    mean,
    metric,
    scorer,
    stderr,
)
from inspect_ai.solver import TaskState, generate

from mcp_server import pack
from mcp_server.evals.score import extract_code, score_sample
from mcp_server.evals.tasks import load_tasks


@task
def temporal_determinism(with_skill: bool = False) -> Task:
    """The suite's tasks, optionally with SKILL.md as the system prompt."""
    system = pack.skill_text() if with_skill else None
    samples = []
    for item in load_tasks().values():
        user = ChatMessageUser(content=item.prompt)
        # The system message rides in the input, verbatim: inspect's system_message() solver
        # formats {placeholders}, and SKILL.md's code examples hold braces.
        messages: list[ChatMessage] = [user]
        if system is not None:
            messages.insert(0, ChatMessageSystem(content=system))
        samples.append(
            Sample(
                id=item.id,
                input=messages,
                metadata={"pattern": item.pattern, "invites": list(item.invites)},
            )
        )
    name = "temporal-determinism" + ("-with-skill" if with_skill else "")
    return Task(dataset=MemoryDataset(samples, name=name), solver=generate(), scorer=determinism())


@metric
def clean() -> Metric:
    """The share of answers that define the workflow with no determinism mistake."""

    def compute(scores: list[SampleScore]) -> float:
        if not scores:
            return 0.0
        return sum(1 for s in scores if s.score.as_float() == 1.0) / len(scores)

    return compute


@scorer(metrics=[mean(), stderr(), clean(), grouped(mean(), "pattern", all=False)])
def determinism() -> Scorer:
    """Our score_sample on the model's completion."""
    tasks = load_tasks()

    async def score(state: TaskState, target: Target) -> Score:
        task_id = str(state.sample_id)
        answer = state.output.completion
        sample = score_sample(tasks.get(task_id), answer, task_id)
        code, _ = extract_code(answer)
        return Score(
            value=sample.score,
            answer=code,
            explanation=sample.reason,
            metadata={
                "parsed": sample.parsed,
                "mistakes": [asdict(m) for m in sample.mistakes],
                "warnings": [asdict(m) for m in sample.warnings],
            },
        )

    return score
