"""Decide a plan upgrade from the customer's profile; every HTTP call is an activity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow

ACCOUNTS_API = "https://accounts.internal.example.com/v1"


@dataclass
class UpgradeRequest:
    customer_id: str
    requested_tier: str


@dataclass
class UpgradeDecision:
    customer_id: str
    approved: bool
    tier: str | None
    reason: str


@dataclass
class CustomerProfile:
    customer_id: str
    tier: str
    on_trial: bool
    unpaid_invoices: int


@activity.defn
async def fetch_customer_profile(customer_id: str) -> CustomerProfile:
    # Stub. The real call, here in the activity where I/O and the environment belong:
    #   token = os.environ["ACCOUNTS_API_TOKEN"]
    #   async with httpx.AsyncClient(timeout=10) as http:
    #       resp = await http.get(f"{ACCOUNTS_API}/customers/{customer_id}",
    #                             headers={"Authorization": f"Bearer {token}"})
    #       resp.raise_for_status()
    #       data = resp.json()
    return CustomerProfile(customer_id=customer_id, tier="team", on_trial=False, unpaid_invoices=0)


@activity.defn
async def apply_plan_change(customer_id: str, tier: str) -> None:
    # Stub: the real call POSTs {"tier": tier} to the billing service with httpx.
    activity.logger.info("moved %s to %s", customer_id, tier)


@workflow.defn
class PlanUpgrade:
    @workflow.run
    async def run(self, request: UpgradeRequest) -> UpgradeDecision:
        profile = await workflow.execute_activity(
            fetch_customer_profile,
            request.customer_id,
            start_to_close_timeout=timedelta(seconds=30),
        )
        if profile.unpaid_invoices:
            return UpgradeDecision(
                request.customer_id,
                approved=False,
                tier=None,
                reason=f"{profile.unpaid_invoices} unpaid invoice(s)",
            )
        tier = request.requested_tier
        reason = "approved as requested"
        if profile.on_trial and tier != "pro":
            tier, reason = "pro", "trial accounts can upgrade to pro at most"
        await workflow.execute_activity(
            apply_plan_change,
            args=[request.customer_id, tier],
            start_to_close_timeout=timedelta(seconds=30),
        )
        return UpgradeDecision(request.customer_id, approved=True, tier=tier, reason=reason)
