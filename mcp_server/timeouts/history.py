"""From a history: every timeout it records, with the configured values (read from the event that
scheduled the activity, child or workflow), the timeline, the most likely cause and what to change.

Histories are read by the replay engine's reader (every export format it accepts). Heartbeats are
not events: the server fires a heartbeat timeout `heartbeat_timeout` after the last heartbeat it
received, so that is when the last one arrived; its details ride on the timeout's failure.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp
from temporalio.api.enums.v1 import EventType, RetryState, TimeoutType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter

from mcp_server.timeouts import durations
from mcp_server.timeouts.explain import explained
from mcp_server.timeouts.models import TimelineEntry, TimeoutExplanation

E = EventType


def explain_history(history: WorkflowHistory) -> list[TimeoutExplanation]:
    """Every timeout in one history, in event order."""
    events = list(history.events)
    by_id = {event.event_id: event for event in events}
    started = events[0].workflow_execution_started_event_attributes if events else None
    workflow_type = started.workflow_type.name if started else ""
    found: list[TimeoutExplanation] = []
    for event in events:
        kind = event.event_type
        if kind == E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
            found.append(_activity_timeout(event, by_id))
        elif kind == E.EVENT_TYPE_ACTIVITY_TASK_FAILED:
            budget = _out_of_budget(event, by_id)
            if budget is not None:
                found.append(budget)
        elif kind == E.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            retried = _retried_after_timeout(event, by_id)
            if retried is not None:
                found.append(retried)
        elif kind == E.EVENT_TYPE_MARKER_RECORDED:
            local = _local_activity_timeout(event, events[0])
            if local is not None:
                found.append(local)
        elif kind == E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT:
            found.append(_child_timeout(event, by_id))
        elif kind == E.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
            found.append(_workflow_task_timeout(event, by_id, workflow_type))
        elif kind == E.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
            found.append(_workflow_timeout(event, events[0], workflow_type))
    return found


# --- activities -----------------------------------------------------------------------------------
def _activity_timeout(event: HistoryEvent, by_id: dict[int, HistoryEvent]) -> TimeoutExplanation:
    attributes = event.activity_task_timed_out_event_attributes
    scheduled = by_id.get(attributes.scheduled_event_id)
    started = by_id.get(attributes.started_event_id) if attributes.started_event_id > 0 else None
    info = attributes.failure.timeout_failure_info
    timeout_type = _timeout_type(info.timeout_type)
    schedule = scheduled.activity_task_scheduled_event_attributes if scheduled else None
    subject = schedule.activity_type.name if schedule else "(unknown activity)"
    configured = _activity_configuration(schedule)
    attempt = started.activity_task_started_event_attributes.attempt if started else None
    details = _payloads_text(info.last_heartbeat_details.payloads)
    timeline = _timeline(
        [
            (
                scheduled,
                "scheduled" + (f" on task queue '{schedule.task_queue.name}'" if schedule else ""),
            ),
            (started, f"started (attempt {attempt})" if attempt else "started"),
            *_last_heartbeat(timeout_type, event, schedule, details),
            (event, f"timed out ({timeout_type or 'timeout'})"),
        ]
    )
    item = explained(
        "activity", timeout_type, subject, event_id=event.event_id, attempt=attempt,
        retry_state=_retry_state(attributes.retry_state), configured=configured, timeline=timeline,
    )  # fmt: skip
    item.likely_cause = _activity_cause(item, event, started, schedule, details)
    return item


def _last_heartbeat(
    timeout_type: str | None, event: HistoryEvent, schedule: Any, details: str
) -> list[tuple[Any, str]]:
    if timeout_type != "HEARTBEAT" or schedule is None:
        return []
    gap = _seconds(schedule.heartbeat_timeout)
    if not gap:
        return []
    at = _seconds(event.event_time) - gap
    return [(at, "last heartbeat received" + (f": {details}" if details else " (no details)"))]


def _activity_cause(
    item: TimeoutExplanation,
    event: HistoryEvent,
    started: HistoryEvent | None,
    schedule: Any,
    details: str,
) -> str:
    configured = item.configured
    if item.timeout_type == "HEARTBEAT":
        gap = configured.get("heartbeat", "the heartbeat timeout")
        last = next((e for e in item.timeline if e.what.startswith("last heartbeat")), None)
        when = f" at {last.at}" if last else ""
        said = f" (details {details})" if details else ""
        return (
            f"the attempt's last heartbeat reached the server{when}{said} and none came for "
            f"{gap} after it: it is stuck, or it does not heartbeat inside its loop"
        )
    if item.timeout_type == "SCHEDULE_TO_START":
        queue = schedule.task_queue.name if schedule is not None else "its task queue"
        wait = configured.get("schedule_to_start", "the schedule-to-start timeout")
        return (
            f"no worker took the task from task queue '{queue}' for {wait}: no worker polls "
            "that queue, none registers this activity, or all are busy"
        )
    if item.timeout_type == "START_TO_CLOSE":
        limit = configured.get("start_to_close", "the start-to-close timeout")
        return (
            f"attempt {item.attempt or '?'} ran longer than {limit}: the activity is slower "
            "than that, hung on a call without its own timeout, or its worker died"
        )
    if item.timeout_type == "SCHEDULE_TO_CLOSE":
        budget = configured.get("schedule_to_close", "the schedule-to-close timeout")
        tried = f"{item.attempt} attempts" if item.attempt and item.attempt > 1 else "its attempts"
        return f"{tried} and the waits between them used up the whole budget of {budget}"
    return ""


def _retried_after_timeout(
    event: HistoryEvent, by_id: dict[int, HistoryEvent]
) -> TimeoutExplanation | None:
    """A timed-out attempt that was retried: the server records it only as the next attempt's
    last_failure (and writes no timed-out event unless the last attempt times out too)."""
    attributes = event.activity_task_started_event_attributes
    failure = attributes.last_failure
    if attributes.attempt < 2:
        return None
    if not failure.ByteSize():
        return _retried_unrecorded(event, by_id)
    if not failure.HasField("timeout_failure_info"):
        return None  # the earlier attempt failed; it did not time out
    scheduled = by_id.get(attributes.scheduled_event_id)
    schedule = scheduled.activity_task_scheduled_event_attributes if scheduled else None
    subject = schedule.activity_type.name if schedule else "(unknown activity)"
    timeout_type = _timeout_type(failure.timeout_failure_info.timeout_type)
    item = explained(
        "activity", timeout_type, subject, event_id=event.event_id,
        attempt=attributes.attempt - 1, retry_state="RETRY_STATE_IN_PROGRESS",
        configured=_activity_configuration(schedule),
        timeline=_timeline([
            (scheduled, "scheduled"),
            (event, f"attempt {attributes.attempt - 1} timed out; attempt {attributes.attempt} "
                    "started (the timeout is recorded as this event's last failure)"),
        ]),
    )  # fmt: skip
    item.likely_cause = (
        f"attempt {attributes.attempt - 1} timed out and the retry policy started attempt "
        f"{attributes.attempt}; the activity went on"
    )
    return item


def _out_of_budget(
    event: HistoryEvent, by_id: dict[int, HistoryEvent]
) -> TimeoutExplanation | None:
    """A failure with retry state TIMEOUT: the attempts failed, and the server gave up retrying
    because the next one could not start before schedule-to-close. The history records the last
    failure, not a timeout event."""
    attributes = event.activity_task_failed_event_attributes
    if _retry_state(attributes.retry_state) != "RETRY_STATE_TIMEOUT":
        return None
    scheduled = by_id.get(attributes.scheduled_event_id)
    schedule = scheduled.activity_task_scheduled_event_attributes if scheduled else None
    started = by_id.get(attributes.started_event_id) if attributes.started_event_id > 0 else None
    attempt = started.activity_task_started_event_attributes.attempt if started else None
    item = explained(
        "activity", "SCHEDULE_TO_CLOSE", schedule.activity_type.name if schedule else "",
        event_id=event.event_id, attempt=attempt, retry_state="RETRY_STATE_TIMEOUT",
        configured=_activity_configuration(schedule), inferred=True,
        timeline=_timeline([
            (scheduled, "scheduled"), (started, f"attempt {attempt} started"),
            (event, "attempt failed; no time left to retry"),
        ]),
    )  # fmt: skip
    budget = item.configured.get("schedule_to_close", "the schedule-to-close timeout")
    item.likely_cause = (
        f"the attempts failed ({attributes.failure.message or 'see the failure'}) until the "
        f"next retry could not start within {budget}; the history records this as the last "
        "failure with retry state TIMEOUT, not as a timeout event"
    )
    return item


def _retried_unrecorded(
    event: HistoryEvent, by_id: dict[int, HistoryEvent]
) -> TimeoutExplanation | None:
    """Attempt N > 1 started, and the history does not say how attempt N-1 ended (the
    time-skipping test server writes no last_failure): a timeout can only be inferred."""
    attributes = event.activity_task_started_event_attributes
    scheduled = by_id.get(attributes.scheduled_event_id)
    schedule = scheduled.activity_task_scheduled_event_attributes if scheduled else None
    if schedule is None:
        return None
    item = explained(
        "activity", None, schedule.activity_type.name, event_id=event.event_id,
        attempt=attributes.attempt - 1, retry_state="RETRY_STATE_IN_PROGRESS",
        configured=_activity_configuration(schedule), inferred=True,
        timeline=_timeline(
            [(scheduled, "scheduled"), (event, f"attempt {attributes.attempt} started")]
        ),
    )  # fmt: skip
    item.likely_cause = (
        f"attempt {attributes.attempt - 1} failed or timed out (the history records only that "
        f"attempt {attributes.attempt} started, not how the one before ended; a server that "
        "writes lastFailure on the started event, such as the dev server, says which)"
    )
    return item


def _local_activity_timeout(event: HistoryEvent, first: HistoryEvent) -> TimeoutExplanation | None:
    attributes = event.marker_recorded_event_attributes
    failure = attributes.failure
    if attributes.marker_name != "core_local_activity" or not failure.message:
        return None
    timeouts = [f for f in _failure_chain(failure) if f.HasField("timeout_failure_info")]
    if not timeouts:
        return None
    data = _marker_data(attributes)
    subject = str(data.get("activity_type") or "(unknown local activity)")
    timeout_type = _timeout_type(timeouts[0].timeout_failure_info.timeout_type)
    attempt = data.get("attempt")
    item = explained(
        "local-activity", timeout_type, subject, event_id=event.event_id,
        attempt=attempt if isinstance(attempt, int) else None,
        timeline=_timeline([(first, "workflow started"), (event, "local activity timed out")]),
    )  # fmt: skip
    task = _seconds(first.workflow_execution_started_event_attributes.workflow_task_timeout)
    item.likely_cause = (
        "the local activity ran longer than its timeout inside the workflow task; a local "
        "activity attempt longer than the workflow task timeout"
        + (f" ({durations.text(task)})" if task else "")
        + " also makes the task time out and run again"
    )
    return item


# --- workflows ------------------------------------------------------------------------------------
def _child_timeout(event: HistoryEvent, by_id: dict[int, HistoryEvent]) -> TimeoutExplanation:
    attributes = event.child_workflow_execution_timed_out_event_attributes
    initiated = by_id.get(attributes.initiated_event_id)
    started = by_id.get(attributes.started_event_id)
    configured: dict[str, str] = {}
    if initiated is not None:
        start = initiated.start_child_workflow_execution_initiated_event_attributes
        configured = _configured(
            execution=start.workflow_execution_timeout, run=start.workflow_run_timeout,
            task=start.workflow_task_timeout,
        )  # fmt: skip
    child = attributes.workflow_execution.workflow_id
    item = explained(
        "child-workflow", None, attributes.workflow_type.name, event_id=event.event_id,
        retry_state=_retry_state(attributes.retry_state), configured=configured,
        timeline=_timeline([
            (initiated, f"child '{child}' initiated"), (started, "child started"),
            (event, "child timed out"),
        ]),
    )  # fmt: skip
    limits = " or ".join(
        f"{key} timeout {value}" for key, value in configured.items() if key != "task"
    )
    item.likely_cause = (
        f"the child '{child}' ran longer than its {limits or 'execution or run timeout'}"
    )
    return item


def _workflow_task_timeout(
    event: HistoryEvent, by_id: dict[int, HistoryEvent], workflow_type: str
) -> TimeoutExplanation:
    attributes = event.workflow_task_timed_out_event_attributes
    timeout_type = _timeout_type(attributes.timeout_type)
    first = next(iter(by_id.values()))
    task = first.workflow_execution_started_event_attributes.workflow_task_timeout
    item = explained(
        "workflow-task", timeout_type, workflow_type, event_id=event.event_id,
        configured=_configured(task=task),
        timeline=_timeline([
            (by_id.get(attributes.scheduled_event_id), "workflow task scheduled"),
            (by_id.get(attributes.started_event_id), "workflow task started"),
            (event, "workflow task timed out"),
        ]),
    )  # fmt: skip
    if timeout_type == "SCHEDULE_TO_START":
        item.likely_cause = (
            "the worker that had this workflow cached stopped polling its sticky queue (it was "
            "restarted or shut down); the server moved the task to the normal queue"
        )
    else:
        item.likely_cause = (
            "a worker took the task but did not answer within the task timeout: the workflow "
            "code blocked (synchronous I/O, a long loop, a deadlock), or the worker was "
            "overloaded or died mid-task"
        )
    return item


def _workflow_timeout(
    event: HistoryEvent, first: HistoryEvent, workflow_type: str
) -> TimeoutExplanation:
    attributes = event.workflow_execution_timed_out_event_attributes
    start = first.workflow_execution_started_event_attributes
    configured = _configured(
        execution=start.workflow_execution_timeout, run=start.workflow_run_timeout,
        task=start.workflow_task_timeout,
    )  # fmt: skip
    retry_state = _retry_state(attributes.retry_state)
    # The retry state does not tell them apart (the test server writes TIMEOUT for both); the
    # configuration does: the server sets the run timeout equal to the execution timeout when
    # only that is given, and a shorter run timeout is the one that fires first.
    execution = _seconds(start.workflow_execution_timeout)
    run = _seconds(start.workflow_run_timeout)
    shorter_run = "run" in configured and ("execution" not in configured or run < execution)
    scope = "workflow-run" if shorter_run else "workflow-execution"
    item = explained(
        scope, None, workflow_type, event_id=event.event_id, retry_state=retry_state,  # type: ignore[arg-type]
        configured=configured,
        timeline=_timeline([(first, "workflow started"), (event, "workflow timed out")]),
    )  # fmt: skip
    limit = configured.get("execution" if scope == "workflow-execution" else "run", "")
    item.likely_cause = (
        f"the workflow was still running when its {scope.removeprefix('workflow-')} timeout"
        + (f" of {limit}" if limit else "")
        + " ran out"
        + (
            f"; a new run {attributes.new_execution_run_id} was started"
            if attributes.new_execution_run_id
            else ""
        )
    )
    return item


# --- small readers --------------------------------------------------------------------------------
def _activity_configuration(schedule: Any) -> dict[str, str]:
    if schedule is None:
        return {}
    configured = _configured(
        start_to_close=schedule.start_to_close_timeout,
        schedule_to_close=schedule.schedule_to_close_timeout,
        schedule_to_start=schedule.schedule_to_start_timeout,
        heartbeat=schedule.heartbeat_timeout,
    )
    policy = schedule.retry_policy
    if schedule.HasField("retry_policy"):
        retry = _configured(
            **{"retry.initial_interval": policy.initial_interval,
               "retry.maximum_interval": policy.maximum_interval},
        )  # fmt: skip
        configured.update(retry)
        configured["retry.backoff_coefficient"] = f"{policy.backoff_coefficient:g}"
        configured["retry.maximum_attempts"] = str(policy.maximum_attempts or "unlimited")
    return configured


def _configured(**values: Duration) -> dict[str, str]:
    shown = {}
    for name, value in values.items():
        seconds = _seconds(value)
        if seconds and seconds < 10 * 365 * 86400:  # the test server writes 10 years for "none"
            shown[name] = durations.text(seconds)
    return shown


def _seconds(value: Duration | Timestamp) -> float:
    return value.seconds + value.nanos / 1e9


def _timeline(points: Iterable[tuple[Any, str]]) -> list[TimelineEntry]:
    moments: list[tuple[float, int | None, str]] = []
    for where, what in points:
        if where is None:
            continue
        if isinstance(where, float):
            moments.append((where, None, what))
        else:
            moments.append((_seconds(where.event_time), where.event_id, what))
    if not moments:
        return []
    zero = moments[0][0]
    return [
        TimelineEntry(
            at=datetime.fromtimestamp(stamp, timezone.utc).isoformat(timespec="milliseconds"),
            seconds=round(stamp - zero, 3),
            event_id=event_id,
            what=what,
        )
        for stamp, event_id, what in moments
    ]


def _timeout_type(value: Any) -> Any:
    name = TimeoutType.Name(value).removeprefix("TIMEOUT_TYPE_")
    return None if name == "UNSPECIFIED" else name


def _retry_state(value: Any) -> str | None:
    name = RetryState.Name(value)
    return None if name == "RETRY_STATE_UNSPECIFIED" else name


def _payloads_text(payloads: Any) -> str:
    values = []
    for payload in payloads:
        try:
            values.append(DataConverter.default.payload_converter.from_payload(payload))
        except Exception:  # an encrypted or custom payload: say it is there
            values.append("<encoded>")
    return ", ".join(repr(value) for value in values)


def _failure_chain(failure: Any) -> list[Any]:
    chain: list[Any] = []
    while failure is not None and failure.ByteSize() and len(chain) < 16:
        chain.append(failure)
        failure = failure.cause if failure.HasField("cause") else None
    return chain


def _marker_data(attributes: Any) -> dict[str, Any]:
    payloads = attributes.details.get("data")
    if payloads is None or not payloads.payloads:
        return {}
    try:
        value = DataConverter.default.payload_converter.from_payload(payloads.payloads[0])
    except Exception:
        return {}
    return value if isinstance(value, dict) else {}
