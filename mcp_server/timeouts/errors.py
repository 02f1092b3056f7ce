"""From an error: which timeout a Python traceback, the `str()` of an ActivityError or TimeoutError,
or a failure JSON (the Web UI's, or a history event's `failure`) reports, and what it means.

The SDK's words: sdk-core writes "Activity task timed out", "Local Activity timed out" and "Child
Workflow execution timed out" as the ActivityError, ChildWorkflowError messages; the server writes
"activity StartToClose timeout" (the time-skipping test server writes only "Timeout"), and the
client raises TimeoutError("Workflow timed out") for both execution and run timeouts.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from mcp_server.timeouts.explain import explained
from mcp_server.timeouts.models import Scope, TimeoutExplanation, TimeoutType

_TYPES: dict[str, TimeoutType] = {
    "starttoclose": "START_TO_CLOSE",
    "scheduletoclose": "SCHEDULE_TO_CLOSE",
    "scheduletostart": "SCHEDULE_TO_START",
    "heartbeat": "HEARTBEAT",
}
# "activity StartToClose timeout", "TIMEOUT_TYPE_HEARTBEAT", "TimeoutType.SCHEDULE_TO_START",
# "type=START_TO_CLOSE", "timeoutType": "START_TO_CLOSE"
_TYPE_TEXT = re.compile(
    r"(?:TIMEOUT_TYPE_|TimeoutType\.|type=|\"timeoutType\":\s*\")?"
    r"\b(Start_?To_?Close|Schedule_?To_?Close|Schedule_?To_?Start|Heartbeat)(?:\b|_)",
    re.IGNORECASE,
)
_RETRY_STATE = re.compile(r"(?:RETRY_STATE_|RetryState\.|retry_state=)([A-Z_]+)")
_ACTIVITY_TYPE = re.compile(
    r"activity_type=['\"]?([\w.\-]+)|activityType[\"']?:\s*\{?\s*[\"']?name[\"']?:\s*[\"']([\w.\-]+)"
)
_HEARTBEAT_DETAILS = re.compile(r"last_heartbeat_details=(\[[^\]]*\]|\([^)]*\))")


def explain_error(text: str) -> list[TimeoutExplanation]:
    """Every timeout the error text reports (usually one); empty when it names none."""
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        try:
            return _from_failure_json(json.loads(stripped))
        except ValueError:
            pass  # not JSON after all: read it as text
    return _from_text(stripped)


def _from_text(text: str) -> list[TimeoutExplanation]:
    lowered = text.lower()
    found = _TYPE_TEXT.search(text)
    timeout_type = _TYPES[found.group(1).replace("_", "").lower()] if found else None
    scope: Scope | None = None
    if "local activity timed out" in lowered:
        scope = "local-activity"
    elif "child workflow execution timed out" in lowered or "childworkflowerror" in lowered:
        scope = "child-workflow"
    elif "workflow timed out" in lowered or "workflow execution timed out" in lowered:
        scope = "workflow-execution"
    elif "workflowtasktimedout" in lowered or "workflow task timed out" in lowered:
        scope = "workflow-task"
    elif "activity" in lowered and (timeout_type or "timed out" in lowered):
        scope = "activity"
    elif timeout_type and "timeout" in lowered:
        scope = "activity"  # a bare TimeoutError(type=...) is an activity's
    if scope is None:
        return []
    if scope == "workflow-task":
        timeout_type = "START_TO_CLOSE"
    elif scope not in ("activity", "local-activity"):
        timeout_type = None
    subject_match = _ACTIVITY_TYPE.search(text)
    subject = next((g for g in subject_match.groups() if g), "") if subject_match else ""
    retry = _RETRY_STATE.search(text)
    item = explained(
        scope, timeout_type, subject,
        retry_state=f"RETRY_STATE_{retry.group(1)}" if retry else None,
    )  # fmt: skip
    if scope == "workflow-execution":
        item.likely_cause = (
            "the client reports execution and run timeouts alike (TimeoutError 'Workflow timed "
            "out'); the history's WorkflowExecutionTimedOut event tells them apart: run "
            "explain-timeout --history on it"
        )
    elif scope == "activity" and timeout_type is None:
        item.likely_cause = (
            "the text does not say which activity timeout fired (the time-skipping test server "
            "writes only 'Timeout'); the cause's TimeoutError type, or the history, does"
        )
    details = _HEARTBEAT_DETAILS.search(text)
    if timeout_type == "HEARTBEAT":
        item.likely_cause = (
            f"the attempt stopped heartbeating (last details: {details.group(1)})"
            if details
            else "the attempt stopped heartbeating: it is stuck, or does not heartbeat in its loop"
        )
    return [item]


def _from_failure_json(data: Any) -> list[TimeoutExplanation]:
    """A Failure as JSON: {message, timeoutFailureInfo | activityFailureInfo | ..., cause}."""
    chain = list(_causes(data))
    for failure in chain:
        info = failure.get("timeoutFailureInfo")
        if not isinstance(info, dict):
            continue
        raw = str(info.get("timeoutType", "")).removeprefix("TIMEOUT_TYPE_")
        timeout_type = raw if raw in _TYPES.values() else None
        outer = chain[0]
        scope: Scope = "activity"
        subject = ""
        retry_state = None
        if isinstance(outer.get("activityFailureInfo"), dict):
            activity = outer["activityFailureInfo"]
            subject = str((activity.get("activityType") or {}).get("name", ""))
            retry_state = activity.get("retryState")
        elif isinstance(outer.get("childWorkflowExecutionFailureInfo"), dict):
            child = outer["childWorkflowExecutionFailureInfo"]
            scope, timeout_type = "child-workflow", None
            subject = str((child.get("workflowType") or {}).get("name", ""))
            retry_state = child.get("retryState")
        elif "local activity" in str(outer.get("message", "")).lower():
            scope = "local-activity"
        item = explained(
            scope, timeout_type, subject,  # type: ignore[arg-type]
            retry_state=retry_state,
        )  # fmt: skip
        if timeout_type == "HEARTBEAT":
            details = _details(info.get("lastHeartbeatDetails"))
            item.likely_cause = (
                "the attempt stopped heartbeating"
                + (f" after a heartbeat with details {details}" if details else "")
                + ": it is stuck, or does not heartbeat in its loop"
            )
        return [item]
    text = json.dumps(data)
    return _from_text(text) if "timed out" in text.lower() else []


def _causes(failure: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while isinstance(failure, dict) and len(found) < 32:
        found.append(failure)
        failure = failure.get("cause") or failure.get("failure")
    return found


def _details(payloads: Any) -> str:
    """Heartbeat details as the Web UI shows them: JSON payloads decoded, others named."""
    items = payloads.get("payloads", []) if isinstance(payloads, dict) else []
    shown = []
    for payload in items:
        try:
            encoding = base64.b64decode(payload["metadata"]["encoding"]).decode()
            data = base64.b64decode(payload["data"])
            shown.append(repr(json.loads(data)) if encoding == "json/plain" else f"<{encoding}>")
        except (KeyError, TypeError, ValueError):
            shown.append("<encoded>")
    return ", ".join(shown)
