"""What each timeout means and what to change when it fires: the words every way in (a history, an
error text) shares. What a timeout measures and whether it is retried come from sdk_facts."""

from __future__ import annotations

from mcp_server import sdk_facts
from mcp_server.timeouts.models import Scope, TimeoutExplanation, TimeoutType

_ACTIVITY_KEYS = {timeout.timeout_type: key for key, timeout in sdk_facts.ACTIVITY_TIMEOUTS.items()}

_SUGGESTIONS: dict[str, list[str]] = {
    "START_TO_CLOSE": [
        "set start_to_close_timeout a little above the longest normal attempt (its p99), not "
        "the time the whole activity may take",
        "give the slow call inside the activity (HTTP, database) its own timeout, so an attempt "
        "fails fast and is retried instead of hanging until start-to-close",
        "for long work, call activity.heartbeat() in the loop and set heartbeat_timeout, so a "
        "stuck attempt is noticed in seconds",
    ],
    "HEARTBEAT": [
        "call activity.heartbeat(progress) inside the activity's loop, more often than "
        "heartbeat_timeout",
        "an async activity blocked on synchronous I/O or CPU work cannot heartbeat: use async "
        "I/O, or make it a plain def activity run in the worker's thread pool",
        "resume from activity.info().heartbeat_details on the next attempt instead of starting "
        "over",
    ],
    "SCHEDULE_TO_START": [
        "start a worker that polls this task queue and registers this activity; check the task "
        "queue name in the workflow and the worker match",
        "remove schedule_to_start_timeout unless tasks are routed to specific hosts: a backlog is "
        "usually an operational problem (too few workers), not a failure to give up on",
    ],
    "SCHEDULE_TO_CLOSE": [
        "schedule_to_close_timeout is the budget for every attempt and the waits between them: "
        "raise it, or lower start_to_close_timeout so retries fit inside it",
        "look at why the attempts failed (the failure before the timeout, or lastFailure on the "
        "started events): the budget ran out while they did",
    ],
}
_WORKFLOW_SUGGESTIONS: dict[str, list[str]] = {
    "workflow-execution": [
        "remove the execution_timeout or raise it: workflows are meant to run as long as the "
        "business process does",
        "for a business deadline, use a timer inside the workflow (workflow.wait_condition(..., "
        "timeout=...) or asyncio.wait_for) and handle it in code",
    ],
    "workflow-run": [
        "raise or remove run_timeout; a long-lived workflow should continue-as-new on its own "
        "schedule rather than be cut off",
    ],
    "workflow-task": [
        "workflow code must not block: move I/O, sleeps and CPU-heavy work into activities",
        "check that the worker was not overloaded or restarted in the middle of the task "
        "(the server schedules the task again, so the workflow goes on)",
    ],
    "child-workflow": [
        "the child's own execution_timeout or run_timeout fired: raise it in "
        "execute_child_workflow(...), or remove it and let the parent decide with a timer",
    ],
}


def explanation(
    scope: Scope, timeout_type: TimeoutType | None, subject: str
) -> tuple[str, list[str]]:
    """(which timeout and what it measures, what to change)."""
    if scope in ("activity", "local-activity") and timeout_type is not None:
        timeout = sdk_facts.ACTIVITY_TIMEOUTS[_ACTIVITY_KEYS[timeout_type]]
        kind = "local activity" if scope == "local-activity" else "activity"
        named = f"{kind} '{subject}'" if subject else f"the {kind}"
        text = (
            f"The {timeout.parameter} of {named} fired. It measures {timeout.measures}; "
            f"when it fires it is {timeout.retried}."
        )
        suggestions = list(_SUGGESTIONS[timeout_type])
        if scope == "local-activity":
            suggestions.append(
                "a local activity runs inside the workflow task: keep each attempt well under the "
                "workflow task timeout (10 s by default), or make it a regular activity"
            )
        return text, suggestions
    if scope in ("activity", "local-activity"):
        named = f"activity '{subject}'" if subject else "the activity"
        return (
            f"An attempt of {named} ended without a result, and the record does not say whether "
            "it failed or timed out (its start-to-close, or its heartbeat timeout).",
            [
                "read the worker's log for that attempt, or the failure on the next started "
                "event in a server that records it (lastFailure)",
                *_SUGGESTIONS["START_TO_CLOSE"][:1],
            ],
        )
    key = {"workflow-execution": "execution", "workflow-run": "run", "workflow-task": "task"}
    if scope in key:
        timeout = sdk_facts.WORKFLOW_TIMEOUTS[key[scope]]
        named = f"workflow '{subject}'" if subject else "the workflow"
        text = (
            f"The {timeout.parameter} of {named} fired. It measures "
            f"{timeout.measures}; when it fires, {timeout.retried}."
        )
        return text, list(_WORKFLOW_SUGGESTIONS[scope])
    if scope == "child-workflow":
        named = f"Child workflow '{subject}'" if subject else "A child workflow"
        text = (
            f"{named} timed out: its execution or run timeout (set by the "
            "parent in execute_child_workflow) fired; the parent sees a ChildWorkflowError whose "
            "cause is a TimeoutError."
        )
        return text, list(_WORKFLOW_SUGGESTIONS[scope])
    return f"A timeout of {scope} {subject}".rstrip() + " fired.", []


def explained(
    scope: Scope, timeout_type: TimeoutType | None, subject: str, **fields: object
) -> TimeoutExplanation:
    text, suggestions = explanation(scope, timeout_type, subject)
    return TimeoutExplanation(
        scope=scope, timeout_type=timeout_type, subject=subject, explanation=text,
        suggestions=suggestions, **fields,  # type: ignore[arg-type]
    )  # fmt: skip
