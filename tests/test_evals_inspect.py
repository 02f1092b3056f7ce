"""The inspect-ai task (evals/inspect_task.py), run offline in-process with inspect's mock model
answering each prompt with text we choose: its scores are our scorer's, sample by sample."""

from __future__ import annotations

import gc
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.log import EvalLog
from inspect_ai.model import (
    ChatMessage,
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
    Model,
    ModelOutput,
    ModelUsage,
    get_model,
)

from mcp_server import pack
from mcp_server.evals.score import extract_code, score_sample
from mcp_server.evals.tasks import load_tasks, root, solution

TASK_FILE = Path(__file__).resolve().parent.parent / "evals" / "inspect_task.py"
TASKS = load_tasks()
PROSE = "I would need more detail about your payment provider before writing this workflow."

pytestmark = [
    # inspect's own code, not ours: its per-sample event emitter never closes the receiving end
    # of its anyio stream, and anyio warns when the stream is collected (run() collects it here).
    pytest.mark.filterwarnings("ignore:Unclosed <MemoryObjectReceiveStream:ResourceWarning"),
    # inspect's own code, not ours: its model retry passes tenacity's deprecated `initial=` to
    # wait_exponential_jitter.
    pytest.mark.filterwarnings("ignore:The 'initial' parameter is deprecated:DeprecationWarning"),
]


def mock(answers: dict[str, str]) -> Model:
    """inspect's mock model, answering each task's prompt with answers[task id]. Samples run
    concurrently, so the answer is looked up by the prompt, not taken in order."""
    by_prompt = {TASKS[task_id].prompt: answer for task_id, answer in answers.items()}

    def respond(
        messages: list[ChatMessage], tools: Any, tool_choice: Any, config: GenerateConfig
    ) -> ModelOutput:
        prompt = next(m.text for m in reversed(messages) if isinstance(m, ChatMessageUser))
        output = ModelOutput.from_content(model="mockllm/model", content=by_prompt[prompt])
        # With usage set, inspect does not count tokens (which downloads a tokenizer).
        output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
        return output

    return get_model("mockllm/model", custom_outputs=respond)


def run(
    answers: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **task_args: Any
) -> EvalLog:
    # The task file as the documented command names it, from the checkout's root.
    monkeypatch.chdir(TASK_FILE.parent.parent)
    # inspect keeps trace logs and sample buffers in the user's data and cache folders.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    [log] = inspect_eval(
        "evals/inspect_task.py",
        model=mock(answers),
        task_args=task_args,
        sample_id=sorted(answers),
        log_dir=str(tmp_path),
        display="none",
    )
    gc.collect()  # inspect's unclosed streams go now, under this module's filters
    assert log.status == "success", log.error
    assert log.samples is not None
    assert sorted(str(s.id) for s in log.samples) == sorted(answers)
    return log


def metrics(log: EvalLog) -> dict[str, float]:
    assert log.results is not None
    [scores] = log.results.scores
    return {name: m.value for name, m in scores.metrics.items()}


def test_every_reference_solution_scores_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = {
        task_id: f"Here is the module.\n\n```python\n{solution(task_id).read_text(encoding='utf-8')}```\n"
        for task_id in TASKS
    }
    log = run(answers, tmp_path, monkeypatch)
    assert log.samples is not None and len(log.samples) == len(TASKS) >= 30
    for sample in log.samples:
        assert sample.scores is not None
        [score] = sample.scores.values()
        assert score.value == 1.0, (sample.id, score.explanation)
        assert score.explanation == "clean"
        assert score.answer == solution(str(sample.id)).read_text(encoding="utf-8")
        assert score.metadata == {"parsed": True, "mistakes": [], "warnings": []}
        # Without the skill the model sees the prompt alone.
        assert [type(m) for m in sample.messages[:1]] == [ChatMessageUser]
        assert sample.metadata["pattern"] == TASKS[str(sample.id)].pattern
    values = metrics(log)
    assert (values["mean"], values["clean"], values["stderr"]) == (1.0, 1.0, 0.0)
    assert values["saga"] == values["trap"] == 1.0  # grouped by pattern


LABELLED = {
    "order-saga": "uuid-and-now.md",  # 2 mistakes and a warning
    "trap-random-reviewer": "random-choice.md",
    "trap-return-tag-set": "loop-over-set.md",
    "trap-wait-between-retries": "random-jitter.md",
}


def test_labelled_bad_answers_score_as_our_scorer_scores_them_with_the_skill(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = {
        task_id: (root() / "labelled" / task_id / name).read_text(encoding="utf-8")
        for task_id, name in LABELLED.items()
    }
    answers["trap-deadline-check"] = PROSE
    log = run(answers, tmp_path, monkeypatch, with_skill=True)
    assert log.samples is not None
    got = {}
    for sample in log.samples:
        task_id = str(sample.id)
        expected = score_sample(TASKS[task_id], answers[task_id], task_id)
        assert sample.scores is not None
        [score] = sample.scores.values()
        assert score.value == expected.score
        assert score.explanation == expected.reason
        assert score.answer == extract_code(answers[task_id])[0]
        assert score.metadata == {
            "parsed": expected.parsed,
            "mistakes": [asdict(m) for m in expected.mistakes],
            "warnings": [asdict(m) for m in expected.warnings],
        }
        got[task_id] = score.value
        # SKILL.md reaches the model verbatim, as its system prompt.
        system, user = sample.messages[:2]
        assert isinstance(system, ChatMessageSystem) and system.text == pack.skill_text()
        assert isinstance(user, ChatMessageUser) and user.text == TASKS[task_id].prompt
    # Pinned (answers whose mistakes the rules are settled on), so a wiring that agreed with
    # score_sample by accident, e.g. scoring every answer against one task, still fails here.
    assert got == {
        "order-saga": 0.3333,
        "trap-random-reviewer": 0.5,
        "trap-return-tag-set": 0.5,
        "trap-wait-between-retries": 0.5,
        "trap-deadline-check": 0.0,
    }
    [prose] = [s for s in log.samples if s.id == "trap-deadline-check"]
    assert prose.scores is not None
    [score] = prose.scores.values()
    assert (score.answer, score.explanation) == (None, "no Python code in the answer (prose only)")
    [order] = [s for s in log.samples if s.id == "order-saga"]
    assert order.scores is not None
    [score] = order.scores.values()
    assert score.metadata is not None
    assert [m["category"] for m in score.metadata["mistakes"]] == ["wall-clock", "uuid"]
    assert len(score.metadata["warnings"]) == 1
    values = metrics(log)
    assert values["mean"] == pytest.approx((0.3333 + 0.5 + 0.5 + 0.5 + 0.0) / 5)
    assert values["clean"] == 0.0
    assert values["trap"] == pytest.approx((0.5 + 0.5 + 0.5 + 0.0) / 4)
