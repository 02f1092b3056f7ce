"""Expense approval: wait for an approver's signal, remind halfway, expire at the deadline."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy


@dataclass
class ExpenseRequest:
    request_id: str
    employee: str
    amount_cents: int
    approvers: list[str]
    deadline_hours: int


@dataclass
class Rejection:
    approver: str
    reason: str


@dataclass
class ApprovalResult:
    request_id: str
    status: str
    decided_by: str | None
    decided_at: str
    reason: str | None
    reminders_sent: int


@dataclass
class Notice:
    request_id: str
    recipients: list[str]
    message: str


@activity.defn
async def send_notice(notice: Notice) -> None:
    # Stub: the real call posts the message to each recipient through the chat service.
    activity.logger.info("notice for %s to %s", notice.request_id, notice.recipients)


@activity.defn
async def record_decision(result: ApprovalResult) -> None:
    # Stub: the real call writes the decision to the expenses system.
    activity.logger.info("recorded %s: %s", result.request_id, result.status)


NOTIFY_TIMEOUT = timedelta(seconds=30)
NOTIFY_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), maximum_attempts=5)


@workflow.defn
class ExpenseApproval:
    @workflow.init
    def __init__(self, request: ExpenseRequest) -> None:
        # Set from the input before any signal handler runs: a signal can arrive with the start.
        self._approvers = list(request.approvers)
        self._status = "pending"
        self._decided_by: str | None = None
        self._reason: str | None = None

    @workflow.signal
    def approve(self, approver: str) -> None:
        if self._status == "pending" and approver in self._approvers:
            self._status, self._decided_by = "approved", approver

    @workflow.signal
    def reject(self, rejection: Rejection) -> None:
        if self._status == "pending" and rejection.approver in self._approvers:
            self._status, self._decided_by = "rejected", rejection.approver
            self._reason = rejection.reason

    @workflow.query
    def status(self) -> str:
        return self._status

    @workflow.run
    async def run(self, request: ExpenseRequest) -> ApprovalResult:
        await self._notify(request, request.approvers, "New expense waiting for your approval")
        deadline = timedelta(hours=request.deadline_hours)
        reminders = 0
        # Durable timers: wait_condition's timeout survives worker restarts and replays.
        if not await self._wait_for_decision(deadline / 2):
            await self._notify(request, request.approvers, "Reminder: expense approval is due soon")
            reminders += 1
            if not await self._wait_for_decision(deadline - deadline / 2):
                self._status, self._reason = "expired", "no decision before the deadline"
                await self._notify(request, [request.employee], "Your expense request expired")
        result = ApprovalResult(
            request_id=request.request_id,
            status=self._status,
            decided_by=self._decided_by,
            decided_at=workflow.now().isoformat(),
            reason=self._reason,
            reminders_sent=reminders,
        )
        await workflow.execute_activity(
            record_decision,
            result,
            start_to_close_timeout=NOTIFY_TIMEOUT,
            retry_policy=NOTIFY_RETRY,
        )
        return result

    async def _wait_for_decision(self, timeout: timedelta) -> bool:
        try:
            await workflow.wait_condition(lambda: self._status != "pending", timeout=timeout)
        except asyncio.TimeoutError:
            return False
        return True

    async def _notify(self, request: ExpenseRequest, recipients: list[str], message: str) -> None:
        await workflow.execute_activity(
            send_notice,
            Notice(request.request_id, recipients, message),
            start_to_close_timeout=NOTIFY_TIMEOUT,
            retry_policy=NOTIFY_RETRY,
        )
