"""Fetch histories from a running Temporal service, by workflow id or by list query.

Connection settings start from the SDK's environment configuration (the `TEMPORAL_ADDRESS`,
`TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS_*` variables and the profiles of the
`temporal` CLI's config file), and command-line options override them.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHistory
from temporalio.envconfig import ClientConfig
from temporalio.service import RPCError, RPCStatusCode, TLSConfig

from mcp_server.replay.histories import History
from mcp_server.replay.models import ReplayError, ServerSpec, one_line

# A service that does not answer must not hang the run: connecting and each call get this long.
CONNECT_TIMEOUT = 5.0
CALL_TIMEOUT = 30.0


async def fetch(
    server: ServerSpec,
    *,
    workflow_id: str | None,
    run_id: str | None,
    query: str | None,
    limit: int,
) -> list[History]:
    client = await connect(server)
    namespace = client.namespace
    try:
        if workflow_id:
            handle = client.get_workflow_handle(workflow_id, run_id=run_id)
            history = await asyncio.wait_for(handle.fetch_history(), CALL_TIMEOUT)
            return [_history(namespace, history)]
        assert query is not None
        found = [
            _history(namespace, history)
            async for history in client.list_workflows(query, limit=limit).map_histories()
        ]
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND and workflow_id:
            run = f" run {run_id}" if run_id else ""
            raise ReplayError(
                f"--workflow-id {workflow_id}{run}: not found in namespace '{namespace}'"
            ) from None
        what = f"--workflow-id {workflow_id}" if workflow_id else f"--query {query!r}"
        raise ReplayError(f"{what}: {one_line(error, with_type=False)}") from None
    except (asyncio.TimeoutError, TimeoutError):
        raise ReplayError(f"the server at {server.address} stopped answering") from None
    if not found:
        raise ReplayError(f"--query {query!r}: no workflows in namespace '{namespace}' match")
    return found


async def connect(server: ServerSpec) -> Client:
    config = _connect_config(server)
    address = config.get("target_host", "localhost:7233")
    try:
        return await asyncio.wait_for(Client.connect(**config), CONNECT_TIMEOUT)
    except (asyncio.TimeoutError, TimeoutError):
        raise ReplayError(
            f"cannot connect to Temporal at {address}: no answer within {CONNECT_TIMEOUT:g} s"
        ) from None
    except Exception as error:
        raise ReplayError(
            f"cannot connect to Temporal at {address}: {one_line(error, with_type=False)}"
        ) from None


def _connect_config(server: ServerSpec) -> dict[str, Any]:
    try:
        config: dict[str, Any] = dict(ClientConfig.load_client_connect_config(server.profile))
    except Exception as error:
        raise ReplayError(
            f"Temporal client configuration: {one_line(error, with_type=False)}"
        ) from None
    config.setdefault("target_host", "localhost:7233")
    if server.address:
        config["target_host"] = server.address
    if server.namespace:
        config["namespace"] = server.namespace
    if server.api_key:
        config["api_key"] = server.api_key
        config.setdefault("tls", True)
    files = (server.tls_cert, server.tls_key, server.tls_ca)
    if any(files) or server.tls_server_name:
        cert, key, ca = (_read(path) for path in files)
        config["tls"] = TLSConfig(
            server_root_ca_cert=ca,
            client_cert=cert,
            client_private_key=key,
            domain=server.tls_server_name,
        )
    elif server.tls:
        config["tls"] = True
    return config


def _read(path: str | None) -> bytes | None:
    if path is None:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise ReplayError(f"{path}: cannot read it: {error.strerror or error}") from None


def _history(namespace: str, history: WorkflowHistory) -> History:
    started = history.events[0].workflow_execution_started_event_attributes
    return History(
        name=f"{namespace}/{history.workflow_id}/{history.run_id}",
        workflow_id=history.workflow_id,
        workflow_type=started.workflow_type.name,
        history=history,
    )
