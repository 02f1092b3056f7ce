"""From values: the attempt-by-attempt schedule of an activity's timeouts and retry policy, and the
worst-case time until it completes or gives up, as the server runs it.

Each attempt may run for start-to-close (the server uses schedule-to-close when only that is
given); after a failure or a start-to-close timeout the next attempt waits initial interval x
backoff^(n-1), capped at the maximum interval. Schedule-to-close bounds everything: the server
does not start a retry that could not begin before it, and cuts a running attempt at it.
"""

from __future__ import annotations

from dataclasses import dataclass

from mcp_server import sdk_facts
from mcp_server.timeouts import durations
from mcp_server.timeouts.models import Attempt, Schedule, TimeoutInputError

# Enough to show the shape of an unlimited policy without listing it for ever.
SHOWN_WHEN_UNBOUNDED = 10
MAX_LISTED = 1_000


@dataclass(frozen=True)
class Values:
    """An activity's options in seconds; None when not given."""

    start_to_close: float | None = None
    schedule_to_close: float | None = None
    schedule_to_start: float | None = None
    heartbeat: float | None = None
    retry_initial: float | None = None
    retry_backoff: float | None = None
    retry_max_interval: float | None = None
    retry_max_attempts: int | None = None  # 0: unlimited

    def check(self) -> None:
        if not (self.start_to_close or self.schedule_to_close):
            raise TimeoutInputError(
                "give --start-to-close or --schedule-to-close: an activity needs one "
                "(without either, scheduling it fails the workflow task)"
            )
        if self.retry_backoff is not None and self.retry_backoff < 1:
            raise TimeoutInputError(f"--retry-backoff {self.retry_backoff:g}: must be 1 or more")
        if self.retry_max_attempts is not None and self.retry_max_attempts < 0:
            raise TimeoutInputError(
                f"--retry-max-attempts {self.retry_max_attempts}: 0 (unlimited) or more"
            )
        for name in ("start_to_close", "schedule_to_close", "retry_initial", "retry_max_interval"):
            if getattr(self, name) == 0:
                flag = name.replace("_", "-")
                raise TimeoutInputError(f"--{flag} 0: must be longer than zero")

    def configured(self) -> dict[str, str]:
        shown = {}
        for name in ("start_to_close", "schedule_to_close", "schedule_to_start", "heartbeat"):
            value = getattr(self, name)
            if value is not None:
                shown[name] = durations.text(value)
        return shown


def schedule(values: Values) -> Schedule:
    values.check()
    initial = values.retry_initial or sdk_facts.DEFAULT_RETRY_INITIAL_SECONDS
    backoff = values.retry_backoff or sdk_facts.DEFAULT_RETRY_BACKOFF
    max_interval = (
        values.retry_max_interval or initial * sdk_facts.DEFAULT_RETRY_MAX_INTERVAL_FACTOR
    )
    max_attempts = (
        values.retry_max_attempts
        if values.retry_max_attempts is not None
        else sdk_facts.DEFAULT_RETRY_MAX_ATTEMPTS
    )
    deadline = values.schedule_to_close
    per_attempt = values.start_to_close or deadline
    assert per_attempt is not None  # check() requires one
    queue_wait = values.schedule_to_start or 0.0
    notes = _notes(values, max_interval)
    unbounded_reason = None
    if max_attempts == 0 and deadline is None:
        unbounded_reason = (
            "unlimited attempts and no schedule-to-close: the activity retries for ever, one "
            f"attempt every {durations.text(per_attempt + max_interval)} at worst once the "
            f"backoff reaches the maximum interval ({durations.text(max_interval)})"
        )
    limit = max_attempts or (SHOWN_WHEN_UNBOUNDED if deadline is None else MAX_LISTED)
    attempts: list[Attempt] = []
    now = 0.0
    for number in range(1, limit + 1):
        wait = 0.0 if number == 1 else min(initial * backoff ** (number - 2), max_interval)
        starts = now + wait
        if deadline is not None and starts + queue_wait >= deadline:
            break  # the server gives up: the retry could not start before schedule-to-close
        runs = per_attempt if deadline is None else min(per_attempt, deadline - starts - queue_wait)
        attempts.append(
            Attempt(
                attempt=number, starts_at_seconds=_round(starts + queue_wait),
                timeout_seconds=_round(runs), ends_by_seconds=_round(starts + queue_wait + runs),
                backoff_before_seconds=_round(wait),
            )
        )  # fmt: skip
        now = starts + queue_wait + runs
    if deadline is not None and max_attempts == 0 and len(attempts) == MAX_LISTED:
        notes.append(f"only the first {MAX_LISTED} attempts are listed")
    worst = None if unbounded_reason else _round(attempts[-1].ends_by_seconds)
    return Schedule(
        attempts=attempts, worst_case_seconds=worst, unbounded=unbounded_reason is not None,
        unbounded_reason=unbounded_reason, notes=notes,
    )  # fmt: skip


def _notes(values: Values, max_interval: float) -> list[str]:
    notes = []
    if values.start_to_close is None:
        notes.append(
            "no start-to-close: the server sets it to the schedule-to-close, so one stuck attempt "
            "can use the whole budget; set a start-to-close near one attempt's real duration"
        )
    if values.schedule_to_start is None:
        notes.append(
            "time waiting for a worker is not counted: with no worker polling the task queue, "
            "the activity waits until schedule-to-close (or for ever without one)"
        )
    if values.heartbeat is not None:
        throttle = sdk_facts.heartbeat_throttle_seconds(values.heartbeat)
        notes.append(
            f"a stuck attempt is detected after {durations.text(values.heartbeat)} without a "
            f"heartbeat instead of after the whole start-to-close; the worker sends heartbeats at "
            f"most every {durations.text(throttle)}"
        )
    stc, s2c = values.start_to_close, values.schedule_to_close
    if stc and s2c and s2c < stc:
        notes.append(
            "schedule-to-close is shorter than start-to-close: no attempt can use its full "
            "start-to-close, and there is no time left for a retry"
        )
    return notes


def _round(seconds: float) -> float:
    return round(seconds, 3)
