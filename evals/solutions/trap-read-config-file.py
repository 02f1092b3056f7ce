"""Price a quote with the rules from pricing.yaml."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy


@dataclass
class QuoteItem:
    sku: str
    quantity: int
    unit_price_cents: int


@dataclass
class QuoteRequest:
    customer_tier: str
    items: list[QuoteItem]
    rules_path: str = "pricing.yaml"


@dataclass
class VolumeBreak:
    min_quantity: int
    percent_off: int


@dataclass
class PricingRules:
    tier_percent_off: dict[str, int] = field(default_factory=dict)
    volume_breaks: list[VolumeBreak] = field(default_factory=list)


@dataclass
class Quote:
    quote_id: str
    subtotal_cents: int
    discount_cents: int
    total_cents: int


@activity.defn
async def load_pricing_rules(path: str) -> PricingRules:
    # Real code: yaml.safe_load(Path(path).read_text()), validated into PricingRules.
    # Reading it in an activity records the rules in the history, so a replay prices the quote
    # with the rules the original run used, even after pricing.yaml changed.
    return PricingRules(
        tier_percent_off={"gold": 10, "silver": 5},
        volume_breaks=[VolumeBreak(10, 3), VolumeBreak(50, 8)],
    )


@activity.defn
async def save_quote(subtotal_cents: int, discount_cents: int) -> str:
    # Real code: INSERT INTO quotes ... RETURNING id
    return f"Q-{subtotal_cents:x}-{discount_cents:x}"


@workflow.defn
class QuotePricing:
    @workflow.run
    async def run(self, req: QuoteRequest) -> Quote:
        rules = await workflow.execute_activity(
            load_pricing_rules,
            req.rules_path,
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=RetryPolicy(maximum_attempts=3),
        )
        subtotal = 0
        discount = 0
        tier_off = rules.tier_percent_off.get(req.customer_tier, 0)
        for item in req.items:
            line = item.quantity * item.unit_price_cents
            volume_off = max(
                (b.percent_off for b in rules.volume_breaks if item.quantity >= b.min_quantity),
                default=0,
            )
            subtotal += line
            discount += line * (tier_off + volume_off) // 100
        quote_id = await workflow.execute_activity(
            save_quote,
            args=[subtotal, discount],
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(maximum_attempts=5),
        )
        return Quote(quote_id, subtotal, discount, subtotal - discount)
