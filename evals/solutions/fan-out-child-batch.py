"""Monthly invoicing: one child workflow per customer, a bounded number at a time."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ChildWorkflowError


@dataclass
class BatchInput:
    batch_id: str
    billing_period: str
    customer_ids: list[str]
    max_concurrent: int


@dataclass
class BatchResult:
    batch_id: str
    invoiced: list[str]
    failed: list[str]
    total_cents: int


@dataclass
class InvoiceInput:
    customer_id: str
    billing_period: str


@dataclass
class InvoiceResult:
    customer_id: str
    invoice_number: str
    amount_cents: int


@dataclass
class SendInvoice:
    customer_id: str
    billing_period: str
    amount_cents: int


@activity.defn
async def compute_invoice_amount(request: InvoiceInput) -> int:
    # Stub: the real call sums the customer's metered usage for the period in the billing DB.
    return 1000 + 7 * len(request.customer_id)


@activity.defn
async def send_invoice(request: SendInvoice) -> str:
    # Stub: the real call creates the invoice in the accounting system and emails it.
    return f"INV-{request.billing_period}-{request.customer_id}"


CALL_TIMEOUT = timedelta(seconds=60)
CALL_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), maximum_attempts=5)


@workflow.defn
class CustomerInvoice:
    @workflow.run
    async def run(self, request: InvoiceInput) -> InvoiceResult:
        amount = await workflow.execute_activity(
            compute_invoice_amount,
            request,
            start_to_close_timeout=CALL_TIMEOUT,
            retry_policy=CALL_RETRY,
        )
        number = await workflow.execute_activity(
            send_invoice,
            SendInvoice(request.customer_id, request.billing_period, amount),
            start_to_close_timeout=CALL_TIMEOUT,
            retry_policy=CALL_RETRY,
        )
        return InvoiceResult(request.customer_id, number, amount)


@workflow.defn
class InvoiceBatch:
    @workflow.run
    async def run(self, batch: BatchInput) -> BatchResult:
        # Drop duplicates but keep the input's order: children start in the same order on replay.
        customers = list(dict.fromkeys(batch.customer_ids))
        window = max(1, batch.max_concurrent)
        invoiced: list[str] = []
        failed: list[str] = []
        total = 0
        for start in range(0, len(customers), window):
            chunk = customers[start : start + window]
            results = await asyncio.gather(
                *(self._invoice(batch, customer) for customer in chunk),
                return_exceptions=True,
            )
            for customer, result in zip(chunk, results, strict=True):
                if isinstance(result, InvoiceResult):
                    invoiced.append(customer)
                    total += result.amount_cents
                elif isinstance(result, ChildWorkflowError):
                    workflow.logger.warning("invoice for %s failed: %s", customer, result)
                    failed.append(customer)
                elif isinstance(result, BaseException):
                    raise result
        return BatchResult(batch.batch_id, invoiced, failed, total)

    async def _invoice(self, batch: BatchInput, customer: str) -> InvoiceResult:
        # The child id comes from the data: a re-run of the batch cannot invoice a customer twice.
        return await workflow.execute_child_workflow(
            CustomerInvoice.run,
            InvoiceInput(customer, batch.billing_period),
            id=f"invoice-{batch.billing_period}-{customer}",
        )
