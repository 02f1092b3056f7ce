"""Remind a new hire every interval until HR signals the paperwork is done; then escalate."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow


@dataclass
class OnboardingInput:
    employee_id: str
    employee_email: str
    manager_email: str
    reminder_interval_hours: int
    max_reminders: int


@dataclass
class OnboardingOutcome:
    status: str
    reminders_sent: int
    verified_by: str | None
    completed_at: str | None


@activity.defn
async def send_reminder(employee_email: str, reminder_number: int) -> None:
    # Stub: the real call sends the reminder through the email service.
    activity.logger.info("reminder %d to %s", reminder_number, employee_email)


@activity.defn
async def escalate_to_manager(manager_email: str, employee_id: str, reminders_sent: int) -> None:
    # Stub: the real call emails the manager.
    activity.logger.info("escalated %s to %s", employee_id, manager_email)


@workflow.defn
class OnboardingReminders:
    def __init__(self) -> None:
        self._sent = 0
        self._verified_by: str | None = None
        self._completed_at: str | None = None

    @workflow.signal
    def paperwork_completed(self, verified_by: str) -> None:
        if self._verified_by is None:
            self._verified_by = verified_by
            # The time of the workflow task that delivered the signal, as recorded in the history.
            self._completed_at = workflow.now().isoformat()

    @workflow.query
    def reminders_sent(self) -> int:
        return self._sent

    @workflow.run
    async def run(self, onboarding: OnboardingInput) -> OnboardingOutcome:
        interval = timedelta(hours=onboarding.reminder_interval_hours)
        while self._verified_by is None:
            if self._sent >= onboarding.max_reminders:
                await workflow.execute_activity(
                    escalate_to_manager,
                    args=[onboarding.manager_email, onboarding.employee_id, self._sent],
                    start_to_close_timeout=timedelta(seconds=30),
                )
                return OnboardingOutcome("escalated", self._sent, None, None)
            await workflow.execute_activity(
                send_reminder,
                args=[onboarding.employee_email, self._sent + 1],
                start_to_close_timeout=timedelta(seconds=30),
            )
            self._sent += 1
            # A durable timer that ends early when the signal arrives.
            with contextlib.suppress(asyncio.TimeoutError):
                await workflow.wait_condition(
                    lambda: self._verified_by is not None, timeout=interval
                )
        return OnboardingOutcome("completed", self._sent, self._verified_by, self._completed_at)
