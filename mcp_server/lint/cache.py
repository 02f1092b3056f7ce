"""The result cache: a second run over an unchanged tree replays the first run's output.

Findings in one file depend on other files (a workflow's chain runs through its helpers), so the
unit cached is a whole run: the key hashes every linted file's path and content, the settings,
the command-line options that shape the output, and the linter's own code. The cache lives in
`.temporal-pro-cache/` beside the configuration file (or in the current directory), holds a
`.gitignore` so it is never committed, and keeps the most recent runs only.

This module must stay cheap to import: on a hit, nothing else of the linter is loaded. A run whose
every input is unchanged on disk is answered even earlier, without computing this key: see quick.py.
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections import namedtuple
from pathlib import Path

import mcp_server
from mcp_server.lint.quick import DIRECTORY as DIRECTORY  # defined where the quick path needs it

KEEP = 32  # cached runs kept per cache directory


# A run's complete output. A namedtuple: `typing` and `dataclasses` are not imported on this path.
Output = namedtuple("Output", "stdout stderr exit_code")


def run_key(directory: Path, files: list[str], stdin: bytes | None, settings: str) -> str | None:
    """The key of a run over `files`, or None when a file cannot be read (no caching then).

    Each file enters the key by the hash of its content. Like git's index, a file whose size,
    modification time, change time and inode match the previous run reuses the digest recorded
    then, so an unchanged tree is stat-ed, not read. The change time is there because no tool can
    set it back: a same-size edit whose modification time was restored (cp -p, rsync -t) still
    misses. A file changed within the index's clock granularity (racily new) is always re-hashed.
    """
    import hashlib  # here and in _digest: `--no-cache` runs import this module, and never hash

    index = _load_index(directory)
    fresh: dict[str, list[int | str]] = {}
    now = time.time_ns()
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(settings.encode())
    digest.update(_linter_fingerprint().encode())
    for path in files:
        name = os.path.abspath(path)
        try:
            info = os.stat(name)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):  # a named pipe would block; lint reports it
            return None
        signature = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
        known = index.get(name)
        changed = max(info.st_mtime_ns, info.st_ctime_ns)
        reuse = known is not None and known[:4] == signature and now - changed > RACY_NS
        content_hash = str(known[4]) if known is not None and reuse else _digest(name)
        if content_hash is None:
            return None
        fresh[name] = [*signature, content_hash]
        digest.update(f"{name}\0{content_hash}\0".encode())
    if stdin is not None:
        digest.update(b"<stdin>\0" + stdin)
    if fresh != {name: index.get(name) for name in fresh}:
        _store_index(directory, {**index, **fresh})
    return digest.hexdigest()


RACY_NS = 2_000_000_000  # files touched this recently may change again within one mtime tick
_INDEX = "files.index"


def _load_index(directory: Path) -> dict[str, list[int | str]]:
    try:
        data = json.loads((directory / _INDEX).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _store_index(directory: Path, index: dict[str, list[int | str]]) -> None:
    _write_atomically(directory, _INDEX, json.dumps(index))


def _linter_fingerprint() -> str:
    """The linter's version and its own files: a changed rule or table invalidates the cache."""
    package = os.path.dirname(os.path.abspath(mcp_server.__file__))
    parts = [mcp_server.__version__]
    for path in linter_files()[1]:
        info = os.stat(path)
        parts.append(f"{os.path.relpath(path, package)}:{info.st_size}:{info.st_mtime_ns}")
    return "|".join(parts)


def linter_files() -> tuple[list[str], list[str]]:
    """The linter's own code: the folders of its package and the .py and .json files in them.
    Bytecode caches aside (Python rewrites them, and they hold no code of their own), and the
    knowledge pack a wheel carries in `_pack` (the skill and eval tasks, which lint never reads)."""
    folders: list[str] = []
    files: list[str] = []
    package = os.path.dirname(os.path.abspath(mcp_server.__file__))
    for folder, subfolders, names in os.walk(package):
        skipped = ("__pycache__", "_pack") if folder == package else ("__pycache__",)
        subfolders[:] = sorted(name for name in subfolders if name not in skipped)
        folders.append(folder)
        files += [os.path.join(folder, n) for n in sorted(names) if n.endswith((".py", ".json"))]
    return folders, files


def load(directory: Path, key: str) -> tuple[Output, list[str]] | None:
    """The stored output of run `key`, and the files outside the linted paths that run followed
    imports into. Its stdout is kept raw beside a small JSON record, so a large report is
    replayed without decoding it. A miss when one of those followed files (not in the key) has
    changed or gone."""
    try:
        data = json.loads((directory / f"{key}.json").read_text(encoding="utf-8"))
        dependencies = data["dependencies"]
        if any(_digest(path) != digest for path, digest in dependencies.items()):
            return None
        stdout = (directory / f"{key}.out").read_text(encoding="utf-8")
        if len(stdout) != data["length"]:
            return None  # a torn or foreign file
        return Output(stdout, data["stderr"], int(data["exit_code"])), [*dependencies]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # missing or damaged: run the linter


def store(
    directory: Path, key: str, output: Output, dependencies: tuple[str, ...] | list[str] = ()
) -> None:
    """Write atomically; a cache that cannot be written is skipped, never an error.
    `dependencies`: the files outside the linted paths that the run followed imports into."""
    try:
        _prepare(directory)
        record: dict[str, object] = {"stderr": output.stderr, "exit_code": output.exit_code}
        record["length"] = len(output.stdout)
        record["dependencies"] = {path: _digest(path) for path in dependencies}
        _write_atomically(directory, f"{key}.out", output.stdout)
        _write_atomically(directory, f"{key}.json", json.dumps(record))  # last: marks it whole
        _prune(directory)
    except OSError:
        return


def write_file(directory: Path, name: str, content: str | bytes) -> None:
    """Keep another small record in the cache folder (the environments asked, the quick path's
    records): atomically, and never an error."""
    try:
        _prepare(directory)
    except OSError:
        return
    _write_atomically(directory, name, content)


def _prepare(directory: Path) -> None:
    """Create the cache folder, with the .gitignore that keeps it out of commits."""
    directory.mkdir(parents=True, exist_ok=True)
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Written by temporal-pro: never commit the cache.\n*\n")


def _digest(path: str) -> str | None:
    """The content hash of a file, None when there is no readable file."""
    import hashlib

    try:
        with open(path, "rb") as handle:
            return hashlib.sha1(handle.read(), usedforsecurity=False).hexdigest()
    except OSError:
        return None


def _write_atomically(directory: Path, name: str, content: str | bytes) -> None:
    """Write beside the target and rename over it: readers see the old file or the new one."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        temporary = directory / f".{name}.{os.getpid()}.tmp"
        data = content.encode() if isinstance(content, str) else content
        temporary.write_bytes(data)
        os.replace(temporary, directory / name)
    except OSError:
        return  # a cache that cannot be written is skipped, never an error


def _prune(directory: Path) -> None:
    entries = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for stale in entries[KEEP:]:
        stale.unlink(missing_ok=True)
        stale.with_suffix(".out").unlink(missing_ok=True)
