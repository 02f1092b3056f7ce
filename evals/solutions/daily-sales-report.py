"""Daily sales report, started every morning by a Temporal Schedule."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy


@dataclass
class SalesReportInput:
    store_ids: list[str]
    report_date: str | None = None


@dataclass
class StoreSales:
    store_id: str
    total_cents: int
    orders: int


@dataclass
class RenderInput:
    report_date: str
    stores: list[StoreSales]
    total_cents: int


@dataclass
class EmailInput:
    to: str
    subject: str
    html: str


@dataclass
class SalesReportResult:
    report_date: str
    total_cents: int
    store_count: int
    top_store_id: str
    generated_at: str


@activity.defn
async def fetch_store_sales(store_id: str, report_date: str) -> StoreSales:
    # Real code: GET https://sales.internal/api/stores/{store_id}/totals?date={report_date}
    seed = sum(ord(c) for c in store_id + report_date)
    return StoreSales(store_id=store_id, total_cents=100_000 + seed * 37, orders=seed % 90 + 10)


@activity.defn
async def render_report(data: RenderInput) -> str:
    # Real code: render the Jinja2 template of the report.
    rows = "".join(
        f"<tr><td>{s.store_id}</td><td>{s.total_cents / 100:.2f}</td></tr>" for s in data.stores
    )
    return f"<h1>Sales {data.report_date}</h1><table>{rows}</table>"


@activity.defn
async def send_email(message: EmailInput) -> None:
    # Real code: send through the mail provider's API.
    activity.logger.info("sending %r to %s", message.subject, message.to)


@workflow.defn
class DailySalesReport:
    @workflow.run
    async def run(self, params: SalesReportInput) -> SalesReportResult:
        # workflow.now() is the time of the current workflow task, the same on every replay.
        report_date = params.report_date or (workflow.now().date() - timedelta(days=1)).isoformat()
        date.fromisoformat(report_date)  # reject a malformed date before calling the API

        retry = RetryPolicy(maximum_attempts=5)
        stores = await asyncio.gather(
            *(
                workflow.execute_activity(
                    fetch_store_sales,
                    args=[store_id, report_date],
                    start_to_close_timeout=timedelta(seconds=30),
                    retry_policy=retry,
                )
                for store_id in params.store_ids
            )
        )
        total = sum(s.total_cents for s in stores)
        top = max(stores, key=lambda s: (s.total_cents, s.store_id)).store_id if stores else ""

        html = await workflow.execute_activity(
            render_report,
            RenderInput(report_date=report_date, stores=list(stores), total_cents=total),
            start_to_close_timeout=timedelta(seconds=30),
        )
        await workflow.execute_activity(
            send_email,
            EmailInput(to="finance@example.com", subject=f"Daily sales {report_date}", html=html),
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=retry,
        )
        return SalesReportResult(
            report_date=report_date,
            total_cents=total,
            store_count=len(stores),
            top_store_id=top,
            generated_at=workflow.now().isoformat(),
        )
