"""A long-lived account entity: transactions arrive as signals; the history is kept short by
continuing as new, carrying the balance, recent transactions and unprocessed signals over."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy

RECENT_LIMIT = 20
SEEN_LIMIT = 500


@dataclass
class Tx:
    tx_id: str
    amount_cents: int
    kind: str = "deposit"


@dataclass
class AppliedTx:
    tx_id: str
    kind: str
    amount_cents: int
    balance_after: int
    applied_at: str
    accepted: bool


@dataclass
class AccountInput:
    account_id: str
    balance_cents: int
    max_transactions_per_run: int
    recent: list[AppliedTx] = field(default_factory=list)
    seen_tx_ids: list[str] = field(default_factory=list)
    pending: list[Tx] = field(default_factory=list)
    close_requested: bool = False
    total_applied: int = 0


@dataclass
class AccountSummary:
    account_id: str
    balance_cents: int
    total_applied: int
    recent: list[AppliedTx]


@dataclass
class LedgerEntry:
    account_id: str
    tx_id: str
    kind: str
    amount_cents: int
    accepted: bool


@activity.defn
async def post_ledger_entry(entry: LedgerEntry) -> None:
    # Stub: the real call appends the entry to the ledger service, keyed by tx_id so a retry
    # does not post it twice.
    activity.logger.info("ledger %s %s %s", entry.account_id, entry.tx_id, entry.amount_cents)


LEDGER_TIMEOUT = timedelta(seconds=30)
LEDGER_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=10)


@workflow.defn
class AccountEntity:
    @workflow.init
    def __init__(self, state: AccountInput) -> None:
        self._state = state
        self._pending: list[Tx] = list(state.pending)
        self._closing = state.close_requested

    @workflow.signal
    def deposit(self, tx: Tx) -> None:
        self._pending.append(Tx(tx.tx_id, tx.amount_cents, "deposit"))

    @workflow.signal
    def withdraw(self, tx: Tx) -> None:
        self._pending.append(Tx(tx.tx_id, tx.amount_cents, "withdrawal"))

    @workflow.signal
    def close(self) -> None:
        self._closing = True

    @workflow.query
    def balance(self) -> int:
        return self._state.balance_cents

    @workflow.run
    async def run(self, state: AccountInput) -> AccountSummary:
        applied_this_run = 0
        while True:
            await workflow.wait_condition(
                lambda: (
                    bool(self._pending)
                    or self._closing
                    or workflow.info().is_continue_as_new_suggested()
                )
            )
            while self._pending and applied_this_run < state.max_transactions_per_run:
                await self._apply(self._pending.pop(0))
                applied_this_run += 1
            if self._closing and not self._pending:
                await workflow.wait_condition(workflow.all_handlers_finished)
                return AccountSummary(
                    account_id=state.account_id,
                    balance_cents=self._state.balance_cents,
                    total_applied=self._state.total_applied,
                    recent=self._state.recent,
                )
            if (
                applied_this_run >= state.max_transactions_per_run
                or workflow.info().is_continue_as_new_suggested()
            ):
                await workflow.wait_condition(workflow.all_handlers_finished)
                # Signals received but not yet applied travel with the new run.
                workflow.continue_as_new(
                    AccountInput(
                        account_id=state.account_id,
                        balance_cents=self._state.balance_cents,
                        max_transactions_per_run=state.max_transactions_per_run,
                        recent=self._state.recent,
                        seen_tx_ids=self._state.seen_tx_ids,
                        pending=self._pending,
                        close_requested=self._closing,
                        total_applied=self._state.total_applied,
                    )
                )

    async def _apply(self, tx: Tx) -> None:
        state = self._state
        if tx.tx_id in state.seen_tx_ids:
            return
        delta = tx.amount_cents if tx.kind == "deposit" else -tx.amount_cents
        accepted = tx.amount_cents > 0 and state.balance_cents + delta >= 0
        await workflow.execute_activity(
            post_ledger_entry,
            LedgerEntry(state.account_id, tx.tx_id, tx.kind, tx.amount_cents, accepted),
            start_to_close_timeout=LEDGER_TIMEOUT,
            retry_policy=LEDGER_RETRY,
        )
        if accepted:
            state.balance_cents += delta
        state.total_applied += 1
        state.seen_tx_ids = [*state.seen_tx_ids, tx.tx_id][-SEEN_LIMIT:]
        applied = AppliedTx(
            tx_id=tx.tx_id,
            kind=tx.kind,
            amount_cents=tx.amount_cents,
            balance_after=state.balance_cents,
            # The workflow task's time: identical when the history is replayed.
            applied_at=workflow.now().isoformat(),
            accepted=accepted,
        )
        state.recent = [*state.recent, applied][-RECENT_LIMIT:]
