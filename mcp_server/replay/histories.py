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

    name: str  # `file`, `file#index`, or namespace/workflow id/run id when fetched
    workflow_id: str | None  # as the history records it; None when it does not (see from_document)
    workflow_type: str = ""
    history: WorkflowHistory | None = None
    problem: str = ""
    file: str | None = None  # the file it was read from; None when fetched from a server
    index: int | None = None  # its place, from 1, in a file that holds several histories


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
    try:
        data = path.read_bytes()
    except OSError as error:
        return [_invalid(str(path), f"cannot read it: {error.strerror or error}")]
    return read_bytes(data, str(path))


def read_bytes(data: bytes, file: str) -> list[History]:
    """The histories in one file's content; `file` names it (`<stdin>` for `replay -`)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [_invalid(file, "not a JSON text file (it is not UTF-8)")]
    try:
        documents = list(_documents(text))
    except ValueError as error:
        return [_invalid(file, f"not valid JSON: {error}")]
    if not documents:
        return [_invalid(file, "the file is empty")]
    if len(documents) == 1:
        return [from_document(documents[0], file, text=text)]
    return [from_document(document, file, n) for n, document in enumerate(documents, 1)]


def from_document(
    document: Any, file: str, index: int | None = None, text: str | None = None
) -> History:
    """A history from one parsed JSON document: the only one in `file`, or its `index`th.

    The workflow id is the started event's `workflowId`, which servers record since 1.21 and
    every export keeps (`to_json()`, `temporal workflow show`, the HTTP API the Web UI downloads
    from, the gRPC response). Older servers and the time-skipping test server leave it out, and
    nothing else in a history holds it (a child's `parentWorkflowExecution` is its parent): then
    it is None, and only the replay itself, which needs some id, runs under the file's name."""

    def invalid(problem: str, workflow_id: str | None = None, workflow_type: str = "") -> History:
        return _invalid(file, problem, index, workflow_id, workflow_type)

    events = _events(document)
    if events is None:
        return invalid('no list of events (expected {"events": [...]})')
    if not events:
        return invalid("the history has no events")
    if _READABLE.search(text if text is not None else json.dumps(document)):
        return invalid(
            "its payloads were decoded for reading (the Web UI's 'Readable' download); "
            "download the 'Encoded' history to replay it"
        )
    if not isinstance(events[0], dict):
        return invalid(f"the events are not objects (the first is {events[0]!r:.40})")
    first = events[0]
    started = first.get("workflowExecutionStartedEventAttributes")
    if not isinstance(started, dict):
        kind = first.get("eventType", "an event without an eventType")
        return invalid(f"the first event is {kind}, not a WorkflowExecutionStarted event")
    workflow_id = str(started["workflowId"]) if started.get("workflowId") else None
    workflow_type = str((started.get("workflowType") or {}).get("name", ""))
    try:
        history = WorkflowHistory.from_json(
            workflow_id or _name(Path(file).stem, index), {"events": events}
        )
    except Exception as error:  # protobuf's ParseError and friends: the text is not a history
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        return invalid(f"not a Temporal history: {message}", workflow_id, workflow_type)
    return History(_name(file, index), workflow_id, workflow_type, history, file=file, index=index)


def _invalid(
    file: str,
    problem: str,
    index: int | None = None,
    workflow_id: str | None = None,
    workflow_type: str = "",
) -> History:
    name = _name(file, index)
    return History(name, workflow_id, workflow_type, problem=problem, file=file, index=index)


def _name(file: str, index: int | None) -> str:
    return file if index is None else f"{file}#{index}"


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
