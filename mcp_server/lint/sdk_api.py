"""The public surface of the installed temporalio SDK, as a generated table.

The linter flags names that do not exist in the Python SDK (`workflow.uuid()`,
`workflow.get_version()`, `Worker.run_until()`, `execute_workflow(..., replay_history=...)`).
The set of real names is derived from the installed temporalio by `generate()` and committed as
`sdk_api.json`; `tests/test_sdk_api.py` fails when the two drift apart. Regenerate with
`python -m mcp_server.lint.sdk_api --write`.

Lint time only reads the JSON: importing temporalio costs ~0.4 s, so this module must not import
it outside `generate()`.

Table layout (every list sorted, every name public):
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
"""

from __future__ import annotations

import argparse
import contextlib
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
from pathlib import Path
from typing import Any

JSON_PATH = Path(__file__).with_name("sdk_api.json")
REGENERATE = "python -m mcp_server.lint.sdk_api --write"

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
        names.update(members)
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


# --------------------------------------------------------------------------- lint-time queries


@functools.cache
def load() -> dict[str, Any]:
    """The committed table. Never imports temporalio."""
    table: dict[str, Any] = json.loads(JSON_PATH.read_text(encoding="utf-8"))
    return table


def _table() -> dict[str, Any]:
    # Query helpers must never raise: a missing/corrupt table (caught by the drift test)
    # degrades to "nothing is known" instead of crashing the linter.
    try:
        return load()
    except (OSError, ValueError):
        return {}


@functools.cache
def _index() -> dict[str, tuple[str, frozenset[str], bool]]:
    """path -> (kind, members, closed); closed=False means absent names are not provably absent."""
    table = _table()
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


@functools.cache
def _returns() -> dict[str, str]:
    """callable -> the SDK class it returns (see "returns" in the table)."""
    return {
        name: entry["returns"]
        for name, entry in _table().get("callables", {}).items()
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


@functools.cache
def _methods_by_name() -> dict[str, tuple[str, ...]]:
    table = _table()
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


def _first_difference(old: Any, new: Any, path: str = "") -> str:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys()):
            if old.get(key) != new.get(key):
                return _first_difference(old.get(key), new.get(key), f"{path}/{key}".lstrip("/"))
    return path or "<root>"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mcp_server.lint.sdk_api", description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help=f"regenerate {JSON_PATH.name}")
    mode.add_argument("--check", action="store_true", help="exit 1 if the table is stale")
    args = parser.parse_args(argv)
    table = generate()
    if args.write:
        JSON_PATH.write_text(render(table), encoding="utf-8")
        return 0
    try:
        committed = json.loads(JSON_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        committed = None
    if committed != table:
        print(
            f"{JSON_PATH.name} is stale for temporalio {table['temporalio_version']} (first "
            f"difference at {_first_difference(committed, table)}): run {REGENERATE}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
