"""The public surface of every supported temporalio release, as generated tables.

The linter flags names that do not exist in the Python SDK (`workflow.uuid()`,
`workflow.get_version()`, `Worker.run_until()`, `execute_workflow(..., replay_history=...)`).
Which names exist depends on the release: `workflow.uuid7()` arrived in 1.32, `event_groups=` on
most workflow commands in 1.34. So `sdk_api.json` holds one table per minor release from
OLDEST_TABLE to the newest (each made from that minor's newest patch), merged; `choose()` picks
the table for the temporalio the linted code runs with, and `using()` makes every query below
answer from it (the newest table otherwise).

The tables are derived from the released SDKs, never written by hand:
  python -m mcp_server.lint.sdk_api --write-all   every table, from the package registry (needs
                                                  it: installs each release into a throwaway venv)
  python -m mcp_server.lint.sdk_api --write       the installed temporalio's table only
  python -m mcp_server.lint.sdk_api --check       exit 1 unless the installed temporalio's table
                                                  equals generate() (tests/test_sdk_api.py)

Lint time only reads the JSON: importing temporalio costs ~0.4 s, so this module must not import
it outside `generate()`.

Table layout, one release (what `generate()` returns and `table()` gives back; every list
sorted, every name public):
  modules:   "temporalio.workflow" -> {"members": [...]}, or {"opaque": true} when the module
             failed to import (optional dependency missing): it exists, its contents are unknown.
  classes:   "temporalio.worker.Worker" -> {"members": [...]}, plus "open": true when the class
             inherits from a non-SDK class (Exception, dict, ...) whose members we do not record:
             then a name missing from "members" is unknown rather than absent.
  callables: "temporalio.client.Client.execute_workflow" -> {"params": [...], "varkw": bool,
             "coroutine": bool}; a class key describes its constructor. "params" are the names
             accepted as keywords, in signature order (no self/cls, no positional-only, no *args).
             "returns": "temporalio.workflow.Info" when the return annotation (awaited, for a
             coroutine) is an SDK class the table records: its attributes are checked too.
Classes and callables are keyed by the public name they are reachable under
(`temporalio.worker.Worker`, not `temporalio.worker._worker.Worker`), once per public name.

Merged layout (`sdk_api.json`): "versions" maps each table's label ("1.27") to the release it was
made from ("1.27.2"); "modules", "classes" and "callables" hold every entry of every table. What
is the same in all tables is written once, as above; what is not goes in the entry's "@":
  "in": "1.23-"                       the tables the entry is in, when not all of them
  "members": {"uuid7": "1.32-"}       for a list field: its items not in every table the entry
                                      is in (the field itself lists every item, in order)
  "returns": {"-1.27": "...", "1.28-": null}
                                      any other field that differs: its value per table (null:
                                      absent); the field itself is then left out
Table sets are comma-separated runs of labels: "1.23" one table, "1.23-1.27", "1.23-" that one
and every newer, "-1.27" that one and every older. So adding a release changes only the entries
it changed.
"""

from __future__ import annotations

import argparse
import contextlib
import contextvars
import dataclasses
import functools
import importlib
import inspect
import json
import re
import sys
import types
import typing
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mcp_server.errors import InputError

JSON_PATH = Path(__file__).with_name("sdk_api.json")
REGENERATE = "python -m mcp_server.lint.sdk_api --write"
REGENERATE_ALL = "python -m mcp_server.lint.sdk_api --write-all"
# The oldest release --write-all makes a table for; every minor release after it gets one.
OLDEST_TABLE = (1, 20)
# Packages outside temporalio's own requirements that decide whether a temporalio module imports
# (contrib.pydantic, contrib.opentelemetry): --write-all installs the versions this environment
# has next to each release, so every table sees the same optional modules as --check does.
_COMPANIONS = ("pydantic", "opentelemetry-api")

# Generated protobuf / Rust-bridge code: thousands of names nobody mistypes from memory.
_SKIPPED_SUBTREES = ("temporalio.api", "temporalio.bridge")
# Bases that add no public class-level names a user would reach through an SDK class. Enum
# bases do add some (int methods on an IntEnum), but recording those would tie the table to the
# Python version (3.12 added int.is_integer), and missing enum members are worth flagging.
_TRANSPARENT_BASES = frozenset(
    {
        "builtins.object",
        "typing.Generic",
        "typing.Protocol",
        "typing_extensions.Protocol",
        "abc.ABC",
        "enum.Enum",
        "enum.IntEnum",
        "enum.StrEnum",
        "enum.Flag",
        "enum.IntFlag",
    }
)
# `self.NAME = ...` or `self.NAME: T = ...` in an __init__ body, but not `self.NAME == ...`.
_SELF_ASSIGN = re.compile(r"\bself\.([A-Za-z]\w*)\s*(?::[^=\n]*)?=(?!=)")


# --------------------------------------------------------------------------- generation


def _is_public_path(dotted: str) -> bool:
    return not any(part.startswith("_") for part in dotted.split("."))


def _is_skipped(dotted: str) -> bool:
    return any(dotted == s or dotted.startswith(s + ".") for s in _SKIPPED_SUBTREES)


def _is_sdk_name(module_name: object) -> bool:
    """True for objects defined by the SDK itself (not re-exported stdlib/typing/protobuf)."""
    return (
        isinstance(module_name, str)
        and (module_name == "temporalio" or module_name.startswith("temporalio."))
        and not _is_skipped(module_name)
    )


def _is_sdk_class(obj: object) -> bool:
    return inspect.isclass(obj) and _is_sdk_name(obj.__module__)


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _import_tree() -> tuple[dict[str, types.ModuleType], set[str], dict[str, set[str]]]:
    """Import every public module; returns (imported, opaque names, submodule names per module)."""
    import pkgutil  # here, like difflib below: lint runs import this module and never use them

    import temporalio

    imported: dict[str, types.ModuleType] = {"temporalio": temporalio}
    opaque: set[str] = set()
    submodules: dict[str, set[str]] = {}
    pending = ["temporalio"]
    while pending:
        name = pending.pop()
        path = getattr(imported[name], "__path__", None)
        if path is None:
            continue
        for info in pkgutil.iter_modules(path, name + "."):
            if not _is_public_path(info.name):
                continue
            submodules.setdefault(name, set()).add(info.name.rpartition(".")[2])
            if _is_skipped(info.name):
                continue
            try:
                imported[info.name] = importlib.import_module(info.name)
            except Exception:  # optional dependency missing, or the module refuses to load
                opaque.add(info.name)
                continue
            pending.append(info.name)
    return imported, opaque, submodules


def _params(func: Any, *, drop_first: bool, owner: type | None = None) -> dict[str, Any] | None:
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    params = list(sig.parameters.values())
    if drop_first and params:
        params = params[1:]
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    try:
        coroutine = inspect.iscoroutinefunction(inspect.unwrap(func))
    except ValueError:  # __wrapped__ cycle
        coroutine = False
    entry: dict[str, Any] = {
        "params": [p.name for p in params if p.kind in kinds],
        "varkw": any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params),
        "coroutine": coroutine,
    }
    returned = _return_class(func, owner)
    if returned is not None:
        entry["returns"] = returned  # the class; generate() replaces it with its public name
    return entry


def _return_class(func: Any, owner: type | None = None) -> type | None:
    """The SDK class a callable's return annotation names (`WorkflowHandle[Any, Any]` names
    WorkflowHandle, `Self` the method's class), or None: no annotation, a union, a stdlib type,
    or one that won't resolve."""
    if inspect.isclass(func):
        return None  # a constructor returns its own class
    try:
        func = inspect.unwrap(func)
        returned = typing.get_type_hints(func).get("return")
    except Exception:  # a forward reference to a TYPE_CHECKING import, a __wrapped__ cycle
        # Another annotation failed: a plain name (`-> "Client"`) still resolves on its own.
        returned = _global_name(func, getattr(func, "__annotations__", {}).get("return"))
    if owner is not None and (returned == "Self" or repr(returned).endswith(".Self")):
        returned = owner
    returned = typing.get_origin(returned) or returned
    if not _is_sdk_class(returned):
        return None
    # What comes back is some subclass (or any object, for a protocol), with more members.
    assert isinstance(returned, type)
    if inspect.isabstract(returned) or getattr(returned, "_is_protocol", False):
        return None
    return returned


def _constructor(cls: type) -> dict[str, Any] | None:
    """Constructor signature, only when SDK code decides it (stdlib ones vary by Python)."""
    call = type(cls).__call__
    if call is not type.__call__ and not _is_sdk_name(getattr(call, "__module__", None)):
        return None  # EnumType and friends
    init, new = cls.__init__, cls.__new__  # type: ignore[misc]
    owners = [getattr(f, "__module__", None) for f in (init, new)]
    if any(_is_sdk_name(m) for m in owners) or (init is object.__init__ and new is object.__new__):
        return _params(cls, drop_first=False)
    return None


def _class_members(cls: type) -> tuple[set[str], bool]:
    """Public class and instance attribute names; True if a non-SDK base adds unrecorded ones.

    Only SDK classes in the MRO contribute: members inherited from stdlib/third-party bases vary
    with their versions (3.12 added int.is_integer), which would make the table unreproducible.
    """
    names: set[str] = set()
    is_open = False
    for klass in cls.__mro__:
        if not _is_sdk_class(klass):
            continue
        names.update(klass.__dict__)
        with contextlib.suppress(Exception):  # 3.14 evaluates annotations lazily; may fail
            names.update(inspect.get_annotations(klass))
        slots = klass.__dict__.get("__slots__", ())
        names.update([slots] if isinstance(slots, str) else slots)
        is_open = is_open or any(
            not _is_sdk_class(b) and _qualname(b) not in _TRANSPARENT_BASES for b in klass.__bases__
        )
        init = klass.__dict__.get("__init__")
        if init is not None:
            # Instance attributes set in __init__ are invisible to dir(cls).
            with contextlib.suppress(OSError, TypeError, ValueError):
                names.update(_SELF_ASSIGN.findall(inspect.getsource(inspect.unwrap(init))))
    if dataclasses.is_dataclass(cls):
        names.update(f.name for f in dataclasses.fields(cls))
    members = getattr(cls, "__members__", None)  # enum members, aliases included
    if isinstance(members, types.MappingProxyType):
        # Every member (and so an annotated instance, `code: RPCStatusCode`) has the Enum
        # base's `name` and `value`; the base's other members are left out like any base's.
        names.update(members, ("name", "value"))
    return {n for n in names if not n.startswith("_")}, is_open


def _method(cls: type, name: str) -> dict[str, Any] | None:
    try:
        static = inspect.getattr_static(cls, name)
        bound = getattr(cls, name)
    except Exception:
        return None
    if isinstance(static, staticmethod):
        drop_first = False
    elif isinstance(static, classmethod):
        drop_first = False  # getattr already bound cls
    elif inspect.isfunction(static):
        drop_first = True
    else:
        return None  # properties, descriptors, plain values
    if not _is_sdk_name(getattr(bound, "__module__", None)):
        return None
    return _params(bound, drop_first=drop_first, owner=cls)


def _global_name(func: Any, annotation: object) -> object:
    """What a string annotation such as `"Client"` or `"WorkflowHandle[Any, Any]"` names in the
    function's module, without evaluating it; None when it is not a plain dotted name."""
    if not isinstance(annotation, str):
        return None
    value: object = getattr(func, "__globals__", {})
    for part in annotation.partition("[")[0].strip().split("."):
        if not part.isidentifier():
            return None
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
    return value


def _add_class(
    path: str,
    cls: type,
    classes: dict[str, Any],
    callables: dict[str, Any],
    names: dict[type, str],
) -> None:
    members, is_open = _class_members(cls)
    known = names.get(cls)
    if known is None or (len(path), path) < (len(known), known):
        names[cls] = path  # the shortest public name, for "returns"
    entry: dict[str, Any] = {"members": sorted(members)}
    if is_open:
        entry["open"] = True
    classes[path] = entry
    ctor = _constructor(cls)
    if ctor is not None:
        callables[path] = ctor
    for name in members:
        try:
            value = getattr(cls, name)
        except Exception:  # instance-only attribute, or a descriptor that raises on the class
            continue
        if inspect.isclass(value) and value.__qualname__ == f"{cls.__qualname__}.{name}":
            _add_class(f"{path}.{name}", value, classes, callables, names)  # truly nested
            continue
        method = _method(cls, name)
        if method is not None:
            callables[f"{path}.{name}"] = method


def generate() -> dict[str, Any]:
    """Walk the installed temporalio and return the table (deterministic, JSON-able)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        imported, opaque, submodules = _import_tree()
        modules: dict[str, Any] = {name: {"opaque": True} for name in opaque}
        classes: dict[str, Any] = {}
        callables: dict[str, Any] = {}
        names: dict[type, str] = {}  # class -> its shortest public name
        # Introspect only after every import: importing one module can add attributes to another.
        for mod_name, module in imported.items():
            members = {n for n in dir(module) if not n.startswith("_")}
            members |= submodules.get(mod_name, set())
            modules[mod_name] = {"members": sorted(members)}
            for name in sorted(members):
                try:
                    value = getattr(module, name)
                except Exception:  # a module __getattr__ that refuses
                    continue
                path = f"{mod_name}.{name}"
                if _is_sdk_class(value):
                    _add_class(path, value, classes, callables, names)
                elif inspect.isfunction(value) and _is_sdk_name(value.__module__):
                    entry = _params(value, drop_first=False)
                    if entry is not None:
                        callables[path] = entry
    for entry in callables.values():
        returned = entry.pop("returns", None)
        if returned in names:
            entry["returns"] = names[returned]
    return {
        "temporalio_version": imported["temporalio"].__version__,
        "modules": modules,
        "classes": classes,
        "callables": callables,
    }


def render(table: dict[str, Any]) -> str:
    return json.dumps(table, indent=1, sort_keys=True) + "\n"


# --------------------------------------------------------------------------- merged tables

_KINDS = ("modules", "classes", "callables")


def version_key(label: str) -> tuple[int, ...]:
    """The sort key of a label: "1.27" -> (1, 27), so 1.100 comes after 1.99."""
    return tuple(int(part) for part in label.split("."))


def label_of(version: str) -> str:
    """The table label of a release: "1.27.2" -> "1.27"."""
    major, minor = release(version)
    return f"{major}.{minor}"


def merge(tables: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The merged layout (module docstring) of one-release tables keyed by label."""
    labels = tuple(sorted(tables, key=version_key))
    merged: dict[str, Any] = {
        "versions": {label: tables[label]["temporalio_version"] for label in labels}
    }
    for kind in _KINDS:
        names = sorted({name for table in tables.values() for name in table[kind]})
        merged[kind] = {
            name: _merge_entry([(label, tables[label][kind].get(name)) for label in labels], labels)
            for name in names
        }
    return merged


def _merge_entry(
    per_table: list[tuple[str, dict[str, Any] | None]], labels: tuple[str, ...]
) -> dict[str, Any]:
    present = [(label, entry) for label, entry in per_table if entry is not None]
    merged: dict[str, Any] = {}
    varying: dict[str, Any] = {}
    if len(present) < len(labels):
        varying["in"] = _runs({label for label, _ in present}, labels)
    for field in sorted({field for _, entry in present for field in entry}):
        values = [(label, entry.get(field)) for label, entry in present]
        first = values[0][1]
        if first is not None and all(value == first for _, value in values):
            merged[field] = first
            continue
        items = _merged_list([value for _, value in values])
        if items is not None:
            merged[field] = items
            holding = [(label, set(value or ())) for label, value in values]
            varying[field] = {
                item: _runs({label for label, held in holding if item in held}, labels)
                for item in items
                if not all(item in held for _, held in holding)
            }
            continue
        by_value: dict[str, set[str]] = {}  # a value (as JSON, None for absent) -> its tables
        for label, value in values:
            by_value.setdefault(json.dumps(value, sort_keys=True), set()).add(label)
        varying[field] = {
            _runs(held, labels): json.loads(value) for value, held in by_value.items()
        }
    if varying:
        merged["@"] = varying
    return merged


def _merged_list(lists: list[Any]) -> list[str] | None:
    """Every name in `lists` in one order that filters back to each list, or None when there is
    none (a parameter moved) or a value is not a list of distinct names."""
    if not all(
        isinstance(items, list)
        and all(isinstance(item, str) for item in items)
        and len(set(items)) == len(items)
        for items in lists
    ):
        return None
    if all(items == sorted(items) for items in lists):
        merged = sorted({item for items in lists for item in items})
    else:  # signature order: the newest first, an older name right after the one before it
        merged = list(lists[-1])
        for items in reversed(lists[:-1]):
            for position, item in enumerate(items):
                if item not in merged:
                    merged.insert(merged.index(items[position - 1]) + 1 if position else 0, item)
    for items in lists:
        kept = set(items)
        if [item for item in merged if item in kept] != items:
            return None
    return merged


def _runs(chosen: set[str], labels: tuple[str, ...]) -> str:
    """The tables `chosen` as runs: {"1.23", ..., newest} -> "1.23-" (see the module docstring)."""
    runs: list[str] = []
    start = None
    for position, label in enumerate([*labels, None]):
        if label is not None and label in chosen:
            start = position if start is None else start
            continue
        if start is not None:
            end = position - 1
            assert (start, end) != (0, len(labels) - 1), "a field in every table is not varying"
            first = "" if start == 0 else labels[start]
            last = "" if end == len(labels) - 1 else labels[end]
            runs.append(labels[start] if start == end else f"{first}-{last}")
            start = None
    return ",".join(runs)


@functools.cache
def _tables_in(runs: str, labels: tuple[str, ...]) -> frozenset[str]:
    """The labels named by `runs`; ValueError for a label that is not in `labels`."""
    chosen: set[str] = set()
    for run in runs.split(","):
        first, dash, last = run.partition("-")
        if not dash:
            labels.index(run)  # raises ValueError for an unknown label
            chosen.add(run)
            continue
        start = labels.index(first) if first else 0
        end = labels.index(last) if last else len(labels) - 1
        chosen.update(labels[start : end + 1])
    return frozenset(chosen)


def materialize(merged: dict[str, Any], label: str) -> dict[str, Any]:
    """The one-release table `label` (the layout generate() returns) out of a merged one.

    Entries that are the same in every table are shared with `merged`, not copied: callers must
    not change them."""
    labels = tuple(sorted(merged["versions"], key=version_key))
    table: dict[str, Any] = {"temporalio_version": merged["versions"][label]}

    def holds(runs: str) -> bool:
        return label in _tables_in(runs, labels)

    for kind in _KINDS:
        entries: dict[str, Any] = {}
        for name, entry in merged[kind].items():
            varying = entry.get("@")
            if varying is None:
                entries[name] = entry
                continue
            if "in" in varying and not holds(varying["in"]):
                continue
            resolved = {field: value for field, value in entry.items() if field != "@"}
            for field, spec in varying.items():
                if field == "in":
                    continue
                if field in resolved:  # a list: drop the items this table lacks
                    resolved[field] = [
                        i for i in resolved[field] if i not in spec or holds(spec[i])
                    ]
                    continue
                value = next((value for runs, value in spec.items() if holds(runs)), None)
                if value is not None:
                    resolved[field] = value
            entries[name] = resolved
        table[kind] = entries
    return table


# --------------------------------------------------------------------------- choosing a table


class VersionError(InputError):
    """A temporalio version that does not read as MAJOR.MINOR[.PATCH]."""


class TableChoice(typing.NamedTuple):
    """Which table the names are checked against, and why (see choose())."""

    table: str  # the label of the table used: "1.35"
    requested: str | None  # the temporalio version asked for; None: the newest table
    beyond: bool  # the requested release is newer than every table: unknown names may be new
    before: bool  # it is older than every table: names may have been removed since
    note: str  # one sentence for messages: which table, for which release


# A release as pip and importlib.metadata spell it: "1.35", "1.35.0", "1.36.0rc1", "1.35.0+local".
# A pattern, not a compiled one: lint runs that never choose a table skip compiling it.
_VERSION = (
    r"(\d+)\.(\d+)(?:\.\d+)*"
    r"(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview|post|dev)[-_.]?\d*)*"
    r"(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?"
)
# Set by using(): the label of the table in use in this thread or task; None: the newest.
_in_use: contextvars.ContextVar[str | None] = contextvars.ContextVar("sdk_api_table", default=None)


def release(version: str) -> tuple[int, int]:
    """(major, minor) of a release as pip spells it; VersionError when it is not one."""
    match = re.fullmatch(_VERSION, version, re.IGNORECASE) if isinstance(version, str) else None
    if match is None:
        raise VersionError(
            f"temporalio version {version!r} is not MAJOR.MINOR or MAJOR.MINOR.PATCH (like 1.35)"
        )
    return int(match[1]), int(match[2])


def choose(version: str | None) -> TableChoice:
    """The table to check code that runs with temporalio `version` against: the one for its
    minor release, else the newest table not newer than it, else the oldest (`before`). None,
    or a release newer than every table (`beyond`), get the newest. VersionError when `version`
    is not a version."""
    return _choose(version, versions())


def _choose(version: str | None, labels: tuple[str, ...]) -> TableChoice:
    wanted = None if version is None else release(version)
    if not labels:  # no table (a broken install): the queries know nothing, so flag nothing
        return TableChoice("", version, False, False, "no temporalio table ships with the linter")
    newest = labels[-1]
    if wanted is None:
        note = f"checked against the temporalio {newest} table, the newest this linter ships"
        return TableChoice(newest, None, False, False, note)
    fitting = [label for label in labels if version_key(label) <= wanted]
    label = fitting[-1] if fitting else labels[0]
    beyond = wanted > version_key(newest)
    before = not fitting
    if beyond:
        which = f"the temporalio {label} table, the newest this linter ships"
    elif before:
        which = f"the temporalio {label} table, the oldest this linter ships"
    elif version_key(label) != wanted:
        which = f"the temporalio {label} table (none ships for {wanted[0]}.{wanted[1]})"
    else:
        which = f"the temporalio {label} table"
    note = f"checked against {which}; this code runs with temporalio {version}"
    return TableChoice(label, version, beyond, before, note)


@contextlib.contextmanager
def using(choice: TableChoice) -> Iterator[TableChoice]:
    """Within the block, every query below answers from `choice`'s table.

    A ContextVar, so lints in other threads or tasks keep their own table. A thread started
    inside the block does not see it (asyncio tasks and `contextvars.copy_context().run` do):
    enter `using` in the thread that lints."""
    token = _in_use.set(choice.table)
    try:
        yield choice
    finally:
        _in_use.reset(token)


# --------------------------------------------------------------------------- lint-time queries


def _read_merged() -> dict[str, Any]:
    merged: dict[str, Any] = json.loads(JSON_PATH.read_text(encoding="utf-8"))
    return merged


@functools.cache
def _merged() -> dict[str, Any]:
    return _read_merged()


@functools.cache
def versions() -> tuple[str, ...]:
    """The labels of the shipped tables, oldest first: ("1.20", ..., "1.35"); () if unreadable."""
    try:
        return tuple(sorted(_merged()["versions"], key=version_key))
    except (OSError, ValueError, KeyError, TypeError):
        return ()


@functools.cache
def table(label: str | None = None) -> dict[str, Any]:
    """The shipped table `label` in the one-release layout (None: the newest); KeyError for a
    label that does not ship. Never imports temporalio."""
    labels = versions()
    if label is None and labels:
        label = labels[-1]
    if label not in labels:
        raise KeyError(f"no temporalio table {label!r} ships (there are {', '.join(labels)})")
    return materialize(_merged(), label)


def load() -> dict[str, Any]:
    """The table in use: the one using() chose, else the newest. Never imports temporalio."""
    return table(_in_use.get())


def _table() -> dict[str, Any]:
    return _table_for(_in_use.get())


@functools.cache
def _table_for(label: str | None) -> dict[str, Any]:
    # Query helpers must never raise: a missing/corrupt table (caught by the drift test)
    # degrades to "nothing is known" instead of crashing the linter.
    try:
        return table(label)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _index() -> dict[str, tuple[str, frozenset[str], bool]]:
    return _index_for(_in_use.get())


@functools.cache
def _index_for(label: str | None) -> dict[str, tuple[str, frozenset[str], bool]]:
    """path -> (kind, members, closed); closed=False means absent names are not provably absent."""
    table = _table_for(label)
    index: dict[str, tuple[str, frozenset[str], bool]] = {}
    for name, entry in table.get("modules", {}).items():
        if entry.get("opaque"):
            index[name] = ("opaque", frozenset(), False)
        else:
            index[name] = ("module", frozenset(entry.get("members", ())), True)
    for name, entry in table.get("classes", {}).items():
        index[name] = ("class", frozenset(entry.get("members", ())), not entry.get("open"))
    return index


def missing_attribute(qualified_name: str) -> tuple[str, list[str]] | None:
    """The first part of `qualified_name` that does not exist, and close names, in the table in
    use (asked for every SDK name a checker resolves: each is walked once per table)."""
    return _missing_attribute(_in_use.get(), qualified_name)


@functools.lru_cache(maxsize=8192)
def _missing_attribute(label: str | None, qualified_name: str) -> tuple[str, list[str]] | None:
    """("temporalio.workflow.uuid", ["uuid4", "uuid7"]) for a name that does not exist, else None.

    An attribute of a call's result is checked against the class the callable returns
    (`temporalio.workflow.info.history_length`: `Info` has no `history_length`). None also when
    the walk reaches something whose contents are unknown: an opaque module, a non-SDK object, a
    function without a known return class, an instance of an open class.
    """
    parts = qualified_name.split(".")
    if parts[0] != "temporalio" or not all(parts):
        return None
    walked = _walk(parts)
    if walked is None:
        return None
    index, members = walked
    part = parts[index]
    if part.startswith("_"):
        return None
    import difflib

    suggestions = difflib.get_close_matches(part, sorted(members), n=3, cutoff=0.6)
    return ".".join(parts[: index + 1]), suggestions


def spelled(qualified_name: str) -> str:
    """The name as code writes it: `temporalio.workflow.info().history_length`."""
    parts = qualified_name.split(".")
    returns = _returns()
    path = ".".join(parts[:2])
    spelled_parts = parts[:2]
    for part in parts[2:]:
        returned = returns.get(path)
        if returned is not None and _index().get(path) is None:
            spelled_parts[-1] += "()"
            path = returned
        spelled_parts.append(part)
        path = f"{path}.{part}"
    return ".".join(spelled_parts)


def _walk(parts: list[str]) -> tuple[int, frozenset[str]] | None:
    """(position of the first part that does not exist, the members it was looked up in)."""
    index = _index()
    unknown: tuple[str, frozenset[str], bool] = ("unknown", frozenset(), False)
    # Start from the longest prefix that is a module (opaque ones included).
    start = len(parts)
    while start and index.get(".".join(parts[:start]), unknown)[0] not in ("module", "opaque"):
        start -= 1
    if not start:
        return None  # no table
    path = ".".join(parts[:start])
    returns = _returns()
    for position in range(start, len(parts)):
        part = parts[position]
        kind, members, closed = index.get(path, unknown)
        if kind == "unknown" and path in returns:  # a call's result: the class it returns
            path = returns[path]
            kind, members, closed = index.get(path, unknown)
        if kind in ("opaque", "unknown"):
            return None  # contents not recorded: opaque module, function, instance, non-SDK
        if part not in members:
            return (position, members) if closed else None
        path = f"{path}.{part}"
    return None


def _returns() -> dict[str, str]:
    return _returns_for(_in_use.get())


@functools.cache
def _returns_for(label: str | None) -> dict[str, str]:
    """callable -> the SDK class it returns (see "returns" in the table)."""
    return {
        name: entry["returns"]
        for name, entry in _table_for(label).get("callables", {}).items()
        if isinstance(entry, dict) and isinstance(entry.get("returns"), str)
    }


def callable_params(qualified_name: str) -> tuple[list[str], bool] | None:
    """(keyword-acceptable parameter names, accepts **kwargs) for a known callable."""
    entry = _table().get("callables", {}).get(qualified_name)
    if not isinstance(entry, dict):
        return None
    return list(entry.get("params", ())), bool(entry.get("varkw"))


def is_coroutine_function(qualified_name: str) -> bool:
    entry = _table().get("callables", {}).get(qualified_name)
    return isinstance(entry, dict) and bool(entry.get("coroutine"))


def _methods_by_name() -> dict[str, tuple[str, ...]]:
    return _methods_by_name_for(_in_use.get())


@functools.cache
def _methods_by_name_for(label: str | None) -> dict[str, tuple[str, ...]]:
    table = _table_for(label)
    classes = table.get("classes", {})
    found: dict[str, list[str]] = {}
    for key in table.get("callables", {}):
        owner, _, name = key.rpartition(".")
        if owner in classes:
            found.setdefault(name, []).append(key)
    return {name: tuple(sorted(keys)) for name, keys in found.items()}


def methods_named(name: str) -> list[str]:
    """Every SDK method called `name`, e.g. "connect" -> ["temporalio.client.Client.connect"]."""
    return list(_methods_by_name().get(name, ()))


def has_member(owner: str, name: str) -> bool:
    """Whether module or class `owner` is known to have `name` (for `from owner import *`)."""
    entry = _index().get(owner)
    return entry is not None and name in entry[1]


def union_params(method: str) -> tuple[list[str], bool] | None:
    """Keywords accepted by any SDK method called `method`, for receivers of unknown type."""
    found = [callable_params(key) for key in methods_named(method)]
    known = [params for params in found if params is not None]
    if not known:
        return None
    return sorted({name for names, _ in known for name in names}), any(v for _, v in known)


# --------------------------------------------------------------------------- command line


class _WriteAllError(Exception):
    """A step of --write-all failed; the message is one line."""


def _first_difference(old: Any, new: Any, path: str = "") -> str:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys()):
            if old.get(key) != new.get(key):
                return _first_difference(old.get(key), new.get(key), f"{path}/{key}".lstrip("/"))
    return path or "<root>"


def _shipped_tables() -> dict[str, dict[str, Any]]:
    """Every table in sdk_api.json, one-release layout, keyed by label; {} if unreadable."""
    try:
        merged = _read_merged()
        return {label: materialize(merged, label) for label in merged["versions"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _write(tables: dict[str, dict[str, Any]]) -> None:
    JSON_PATH.write_text(render(merge(tables)), encoding="utf-8")


def _stale(generated: dict[str, Any]) -> str | None:
    """Why the shipped table for `generated`'s release differs from it, or None."""
    version = generated["temporalio_version"]
    shipped = _shipped_tables().get(label_of(version))
    if shipped == generated:
        return None
    return (
        f"{JSON_PATH.name}'s temporalio {label_of(version)} table is stale for temporalio "
        f"{version} (first difference at {_first_difference(shipped, generated)}): run "
        f"{REGENERATE}, or {REGENERATE_ALL} to remake every table"
    )


def _run(command: list[str], what: str, **options: Any) -> str:
    import subprocess  # here: lint runs never start one

    result = subprocess.run(command, capture_output=True, text=True, check=False, **options)
    if result.returncode:
        last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise _WriteAllError(f"{what} failed: {last}")
    return result.stdout


def _releases() -> list[str]:
    """The newest patch of every minor release since OLDEST_TABLE, as the registry lists them."""
    listing = _run(
        [sys.executable, "-m", "pip", "index", "versions", "temporalio"],
        "listing temporalio's releases (is the package registry reachable?)",
    )
    line = next((ln for ln in listing.splitlines() if ln.startswith("Available versions:")), "")
    newest: dict[tuple[int, ...], tuple[int, ...]] = {}
    for text in line.partition(":")[2].split(","):
        if not re.fullmatch(r"\d+\.\d+\.\d+", text.strip()):
            continue  # a pre-release: its minor gets a table once it is released
        release = version_key(text.strip())
        if release[:2] >= OLDEST_TABLE and release > newest.get(release[:2], ()):
            newest[release[:2]] = release
    if not newest:
        raise _WriteAllError(f"pip listed no temporalio release since {OLDEST_TABLE}: {line!r}")
    return [".".join(map(str, release)) for _, release in sorted(newest.items())]


def _generate_in_venv(version: str, work_dir: Path, source: Path) -> dict[str, Any]:
    """generate() run by a venv holding temporalio `version` (made once, reused from work_dir)."""
    import os
    from importlib import metadata

    venv = work_dir / version
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    installed = venv / "installed"  # written last: a venv without it is half made
    if not installed.exists():
        _run([sys.executable, "-m", "venv", "--clear", str(venv)], f"making a venv for {version}")
        companions = []
        for name in _COMPANIONS:
            with contextlib.suppress(metadata.PackageNotFoundError):
                companions.append(f"{name}=={metadata.version(name)}")
        _run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                f"temporalio=={version}",
                *companions,
            ],
            f"installing temporalio {version}",
        )
        installed.write_text(version, encoding="utf-8")
    # Only the generator on the path (not the whole package, nor this environment's packages),
    # so the venv's own temporalio is the one generate() walks.
    output = _run(
        [str(python), "-m", "mcp_server.lint.sdk_api", "--print"],
        f"generating the temporalio {version} table",
        env={**os.environ, "PYTHONPATH": str(source)},
        cwd=work_dir,
    )
    generated: dict[str, Any] = json.loads(output)
    if generated.get("temporalio_version") != version:
        raise _WriteAllError(f"the venv for {version} has temporalio {generated.get('version')}")
    return generated


def _generator_copy(work_dir: Path) -> Path:
    """The files `python -m mcp_server.lint.sdk_api --print` needs, copied under work_dir."""
    import shutil

    package = Path(__file__).resolve().parent.parent
    source = work_dir / "generator"
    for relative in ("__init__.py", "errors.py", "lint/sdk_api.py"):
        target = source / "mcp_server" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(package / relative, target)
    return source


def _write_all(work_dir: Path | None) -> int:
    import concurrent.futures
    import os
    import tempfile

    releases = _releases()
    with contextlib.ExitStack() as stack:
        if work_dir is None:
            work_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sdk-api-")))
        work_dir.mkdir(parents=True, exist_ok=True)
        source = _generator_copy(work_dir)
        workers = min(8, os.cpu_count() or 1)
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            made = pool.map(lambda version: _generate_in_venv(version, work_dir, source), releases)
            tables = {label_of(t["temporalio_version"]): t for t in made}
    _write(tables)
    print(f"{JSON_PATH.name}: {len(tables)} tables, {', '.join(releases)}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mcp_server.lint.sdk_api",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--write", action="store_true", help="remake the installed temporalio's table only"
    )
    mode.add_argument(
        "--write-all",
        action="store_true",
        help="remake every table from the package registry (installs each release in a venv)",
    )
    mode.add_argument(
        "--check", action="store_true", help="exit 1 if the installed temporalio's table is stale"
    )
    mode.add_argument(
        "--print", action="store_true", help="print the installed temporalio's table as JSON"
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        help="with --write-all: keep the venvs here and reuse them (default: a temporary folder)",
    )
    args = parser.parse_args(argv)
    if args.write_all:
        try:
            return _write_all(args.work_dir)
        except _WriteAllError as error:
            print(f"{REGENERATE_ALL}: error: {error}", file=sys.stderr)
            return 2
    generated = generate()
    if args.print:
        sys.stdout.write(render(generated))
        return 0
    if args.write:
        _write({**_shipped_tables(), label_of(generated["temporalio_version"]): generated})
        return 0
    problem = _stale(generated)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
