"""Read histories from files and folders, in every shape people export them in.

Accepted, per JSON document: `{"events": [...]}` as written by `WorkflowHistory.to_json()`,
`temporal workflow show --output json|jsonl` and the Web UI's "Encoded" and "Decoded" downloads
(both enum styles, `EVENT_TYPE_WORKFLOW_EXECUTION_STARTED` and `WorkflowExecutionStarted`); a bare
list of events; and a `GetWorkflowExecutionHistory` response, `{"history": {"events": [...]}}`.
A file may hold several documents one after another (JSON Lines, or concatenated), each one a
history. A history that cannot be used becomes a `problem`, reported as `invalid-history`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHistory

from mcp_server.replay.models import ReplayError

SUFFIXES = (".json", ".jsonl")
# The UI's "Readable" download replaces base64 payloads with plain values; protobuf would reject
# some and silently corrupt the others.
_READABLE = re.compile(r'"encoding"\s*:\s*"(?:json|binary)/')


@dataclass
class History:
    """One history to replay, or the reason it cannot be."""

    name: str
    workflow_id: str
    workflow_type: str = ""
    history: WorkflowHistory | None = None
    problem: str = ""


def discover(paths: Iterable[str]) -> list[Path]:
    """The history files under `paths`: files as given, folders searched for *.json and *.jsonl."""
    found: list[Path] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise ReplayError(f"{text}: no such file or folder")
    return found


def read_files(paths: Iterable[str]) -> list[History]:
    return [history for file in discover(paths) for history in read_file(file)]


def read_file(path: Path) -> list[History]:
    name = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return [_invalid(name, path.stem, "not a JSON text file (it is not UTF-8)")]
    except OSError as error:
        return [_invalid(name, path.stem, f"cannot read it: {error.strerror or error}")]
    try:
        documents = list(_documents(text))
    except ValueError as error:
        return [_invalid(name, path.stem, f"not valid JSON: {error}")]
    if not documents:
        return [_invalid(name, path.stem, "the file is empty")]
    if len(documents) == 1:
        return [from_document(name, path.stem, documents[0], text)]
    return [
        from_document(f"{name}#{n}", f"{path.stem}#{n}", doc, None)
        for n, doc in enumerate(documents, 1)
    ]


def from_document(name: str, fallback_id: str, document: Any, text: str | None) -> History:
    """A history from one parsed JSON document; `fallback_id` names it when the history does not."""
    events = _events(document)
    if events is None:
        return _invalid(name, fallback_id, 'no list of events (expected {"events": [...]})')
    if not events:
        return _invalid(name, fallback_id, "the history has no events")
    if _READABLE.search(text if text is not None else json.dumps(document)):
        return _invalid(
            name,
            fallback_id,
            "its payloads were decoded for reading (the Web UI's 'Readable' download); "
            "download the 'Encoded' history to replay it",
        )
    if not isinstance(events[0], dict):
        return _invalid(
            name, fallback_id, f"the events are not objects (the first is {events[0]!r:.40})"
        )
    first = events[0]
    started = first.get("workflowExecutionStartedEventAttributes")
    if not isinstance(started, dict):
        kind = first.get("eventType", "an event without an eventType")
        return _invalid(
            name, fallback_id, f"the first event is {kind}, not a WorkflowExecutionStarted event"
        )
    workflow_id = str(started.get("workflowId") or fallback_id)
    workflow_type = str((started.get("workflowType") or {}).get("name", ""))
    try:
        history = WorkflowHistory.from_json(workflow_id, {"events": events})
    except Exception as error:  # protobuf's ParseError and friends: the text is not a history
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        return _invalid(name, workflow_id, f"not a Temporal history: {message}", workflow_type)
    return History(name, workflow_id, workflow_type, history)


def _invalid(name: str, workflow_id: str, problem: str, workflow_type: str = "") -> History:
    return History(name, workflow_id, workflow_type, problem=problem)


def _events(document: Any) -> list[Any] | None:
    if isinstance(document, dict) and isinstance(document.get("history"), dict):
        document = document["history"]
    if isinstance(document, dict):
        document = document.get("events")
    return document if isinstance(document, list) else None


def _documents(text: str) -> Iterator[Any]:
    """Every JSON document in `text`, however they are separated (JSON Lines or concatenated)."""
    decoder = json.JSONDecoder()
    position, end = 0, len(text)
    while True:
        while position < end and text[position].isspace():
            position += 1
        if position == end:
            return
        try:
            document, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise ValueError(f"line {error.lineno} column {error.colno}: {error.msg}") from None
        yield document
