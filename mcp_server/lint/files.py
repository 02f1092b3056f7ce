"""Which files a lint run reads. Kept apart from the engine so the cache can key a run without
importing the analysis (the warm path must start in a few milliseconds)."""

from __future__ import annotations

import os
from collections.abc import Iterator

from mcp_server.errors import InputError
from mcp_server.lint.config import Config


class UsageError(InputError):
    """Bad input from the user (a missing path, an unknown rule): one line, exit code 2."""


def discover(
    paths: list[str], config: Config, folders: list[str] | None = None
) -> Iterator[tuple[str, bool]]:
    """(path, named explicitly) for every Python file under `paths`; named files are never
    excluded. Paths stay strings: this also runs on the cached path, where building a pathlib
    object per file would cost more than the rest of the walk. `folders`, when given, receives
    the absolute path of every folder walked (a file added to one or removed changes it)."""
    # Several paths may overlap (`lint src src/app`): remember what was yielded, by absolute
    # path (abspath: no file-system calls, unlike resolve). One path cannot overlap itself.
    seen: set[str] | None = set() if len(paths) > 1 else None
    for path in paths:
        if not os.path.exists(path):
            raise UsageError(f"{path}: no such file or directory")
        if os.path.isdir(path):
            for directory, subdirectories, files in os.walk(path):
                if folders is not None:
                    folders.append(os.path.abspath(directory))
                subdirectories[:] = sorted(
                    d for d in subdirectories if not config.is_excluded(os.path.join(directory, d))
                )
                for name in sorted(files):
                    if not name.endswith(".py"):
                        continue
                    found = os.path.normpath(os.path.join(directory, name))  # not ./x.py
                    if not config.is_excluded(found) and _new(seen, found):
                        yield found, False
        elif _new(seen, path):
            yield path, True


def _new(seen: set[str] | None, path: str) -> bool:
    if seen is None:
        return True
    absolute = os.path.abspath(path)
    if absolute in seen:
        return False
    seen.add(absolute)
    return True
