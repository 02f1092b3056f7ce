"""Convert an invoice to USD, fetching each currency's rate once per workflow run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow


@dataclass
class InvoiceLine:
    description: str
    currency: str
    amount_cents: int


@dataclass
class Invoice:
    invoice_id: str
    lines: list[InvoiceLine]


@dataclass
class UsdInvoice:
    invoice_id: str
    total_usd_cents: int
    rates_fetched: int


@activity.defn
async def fetch_usd_rate(currency: str) -> float:
    # Stub: the real call asks the rates API for today's <currency>/USD mid-market rate.
    return {"EUR": 1.08, "GBP": 1.27, "JPY": 0.0064, "CHF": 1.12}.get(currency, 1.0)


@workflow.defn
class InvoiceToUsd:
    def __init__(self) -> None:
        # The cache lives on the workflow instance: a replay rebuilds it from the same history.
        self._rates: dict[str, float] = {"USD": 1.0}
        self._fetched = 0

    async def _rate(self, currency: str) -> float:
        if currency not in self._rates:
            self._rates[currency] = await workflow.execute_activity(
                fetch_usd_rate, currency, start_to_close_timeout=timedelta(seconds=10)
            )
            self._fetched += 1
        return self._rates[currency]

    @workflow.run
    async def run(self, invoice: Invoice) -> UsdInvoice:
        total = 0
        for line in invoice.lines:
            rate = await self._rate(line.currency.upper())
            total += round(line.amount_cents * rate)
        return UsdInvoice(invoice.invoice_id, total, self._fetched)
