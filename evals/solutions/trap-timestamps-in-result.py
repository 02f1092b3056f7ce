"""User onboarding that reports when each step finished and how long it took."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy


@dataclass
class OnboardingInput:
    user_id: str
    email: str
    plan: str


@dataclass
class StepRecord:
    name: str
    finished_at: str
    duration_ms: int


@dataclass
class OnboardingReport:
    user_id: str
    steps: list[StepRecord]


@activity.defn
async def create_account(req: OnboardingInput) -> str:
    # Real code: POST to the accounts service.
    return f"acct-{req.user_id}"


@activity.defn
async def provision_workspace(account_id: str, plan: str) -> str:
    # Real code: call the provisioning API for the plan's resources.
    return f"ws-{account_id}-{plan}"


@activity.defn
async def send_welcome_email(email: str, workspace_id: str) -> None:
    # Real code: send the welcome template through the mail provider.
    activity.logger.info("welcome mail to %s for %s", email, workspace_id)


@workflow.defn
class OnboardingPipeline:
    def __init__(self) -> None:
        self.steps: list[StepRecord] = []
        self.started = workflow.now()

    def _record(self, name: str) -> None:
        # workflow.now() is the time of the workflow task that saw the step finish: replay
        # sees the same value, unlike the machine's clock.
        now = workflow.now()
        self.steps.append(
            StepRecord(name, now.isoformat(), (now - self.started) // timedelta(milliseconds=1))
        )
        self.started = now

    @workflow.run
    async def run(self, req: OnboardingInput) -> OnboardingReport:
        retry = RetryPolicy(maximum_attempts=5)
        account_id = await workflow.execute_activity(
            create_account, req, start_to_close_timeout=timedelta(seconds=30), retry_policy=retry
        )
        self._record("create_account")
        workspace_id = await workflow.execute_activity(
            provision_workspace,
            args=[account_id, req.plan],
            start_to_close_timeout=timedelta(minutes=5),
            retry_policy=retry,
        )
        self._record("provision_workspace")
        await workflow.execute_activity(
            send_welcome_email,
            args=[req.email, workspace_id],
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=retry,
        )
        self._record("send_welcome_email")
        return OnboardingReport(user_id=req.user_id, steps=self.steps)
