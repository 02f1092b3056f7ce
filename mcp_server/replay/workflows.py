"""Import the user's workflow classes from `--workflows` specs.

A spec is a file (`app/workflows.py`), a module (`app.workflows`), or either with a class
(`app/workflows.py:Order`, `app.workflows:Order`). A file or module registers every
`@workflow.defn` class in its namespace, imported ones included (child workflows usually are).
The current directory and the folder of each file are put on `sys.path` so the user's own
imports resolve, in this process and in the sandbox that re-imports the workflow modules.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from temporalio.converter import DataConverter
from temporalio.workflow import _Definition

from mcp_server.lint.parse import UnreadableFile, read_source
from mcp_server.replay.models import ReplayError, one_line


def load(specs: Iterable[str]) -> list[type]:
    _importable(os.getcwd())
    classes: dict[str, type] = {}
    origins: dict[str, str] = {}
    for spec in specs:
        for cls in _classes(spec):
            defn = _Definition.from_class(cls)
            assert defn is not None
            name = defn.name or "<dynamic>"
            if name in classes and classes[name] is not cls:
                raise ReplayError(
                    f"--workflows: two classes register workflow type '{name}': "
                    f"{origins[name]} and {spec} ({cls.__qualname__}); name one with module:Class"
                )
            classes[name], origins[name] = cls, f"{spec} ({cls.__qualname__})"
    if not classes:
        raise ReplayError("--workflows: give at least one workflow file, module or module:Class")
    return list(classes.values())


def is_workflow(value: object) -> bool:
    return isinstance(value, type) and _Definition.from_class(value) is not None


def _classes(spec: str) -> list[type]:
    target, _, attribute = spec.partition(":") if not _is_drive(spec) else (spec, "", "")
    module = _import(spec, target)
    if attribute:
        value = getattr(module, attribute, None)
        if value is None:
            raise ReplayError(f"--workflows {spec}: {module.__name__} has no '{attribute}'")
        if not is_workflow(value):
            raise ReplayError(f"--workflows {spec}: '{attribute}' is not a @workflow.defn class")
        return [value]  # type: ignore[list-item]
    found = [value for value in vars(module).values() if is_workflow(value)]
    if not found:
        raise ReplayError(f"--workflows {spec}: no @workflow.defn classes in {module.__name__}")
    return list(dict.fromkeys(found))


def load_data_converter(spec: str) -> DataConverter:
    """`module:name` or `file.py:name`: a DataConverter, or a function that returns one (the
    worker's, codecs included, so that payloads decode as they do in production)."""
    _importable(os.getcwd())
    option = "--data-converter"
    target, _, attribute = spec.rpartition(":")
    if not target or not attribute:
        raise ReplayError(f"{option} {spec}: expected module:name or file.py:name")
    value = getattr(_import(spec, target, option), attribute, None)
    if callable(value) and not isinstance(value, DataConverter):
        try:
            value = value()
        except Exception as error:
            raise ReplayError(f"{option} {spec}: calling it failed: {one_line(error)}") from None
    if not isinstance(value, DataConverter):
        raise ReplayError(
            f"{option} {spec}: not a temporalio.converter.DataConverter "
            f"(nor a function returning one)"
        )
    return value


def _import(spec: str, target: str, option: str = "--workflows") -> ModuleType:
    path = Path(target)
    if target.endswith(".py") or path.exists():
        if path.is_dir():
            raise ReplayError(f"{option} {spec}: a folder; give a .py file or a module")
        if not path.exists():
            raise ReplayError(f"{option} {spec}: no such file")
        _check_readable(path, spec, option)
        path = path.resolve()
        _importable(str(path.parent))
        name = path.stem
        loaded = sys.modules.get(name)
        if loaded is not None and Path(getattr(loaded, "__file__", "") or "").resolve() != path:
            raise ReplayError(
                f"{option} {spec}: another module named '{name}' is already imported "
                f"({loaded.__file__ or 'built in'}); rename the file or give its module path"
            )
    else:
        name = target
    try:
        return importlib.import_module(name)
    except BaseException as error:  # SystemExit and KeyboardInterrupt from module code too
        if isinstance(error, KeyboardInterrupt):
            raise
        raise ReplayError(f"{option} {spec}: importing {name} failed: {one_line(error)}") from None


def _check_readable(path: Path, spec: str, option: str) -> None:
    """Refuse, as `lint` does and in its words, a file Python would fail to read or hang on
    (binary, undecodable, a named pipe), before importing it."""
    try:
        read_source(path)
    except UnreadableFile as error:
        reason = str(error).removeprefix(f"{path}: ")
        raise ReplayError(f"{option} {spec}: {reason}") from None


def _importable(folder: str) -> None:
    if folder not in sys.path:
        sys.path.insert(0, folder)


def _is_drive(spec: str) -> bool:
    return len(spec) > 1 and spec[1] == ":" and spec[0].isalpha() and os.name == "nt"


def registered_types(workflows: Iterable[type]) -> set[str]:
    """The workflow type names these classes serve; "*" when one of them is dynamic."""
    names = set()
    for cls in workflows:
        defn = _Definition.from_class(cls)
        if defn is not None:
            names.add(defn.name or "*")
    return names
