"""The Python environment the linted code runs in: the folders its installed packages are
imported from, and the temporalio it has.

`describe(None)` reads the interpreter running the linter, in this process, in about a
millisecond. `describe(path)` asks that interpreter once (`PATH -I -c ...`, which prints JSON)
and remembers the answer by the interpreter's path and modification time, in memory and, when
given a folder, in the lint cache. Both run the same probe, so they agree.

Only the environment's own folders count: site-packages (purelib and platlib) and the folders
their `.pth` files add, in the order `site` puts them on sys.path. The standard library, the
current directory and PYTHONPATH are not part of it. This module is imported on the cached path:
nothing heavy at the top.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import NamedTuple

from mcp_server.errors import InputError

TIMEOUT = 10.0  # seconds an interpreter gets to answer; a first start can compile its caches
_CACHE_FILE = "environments.index"  # not *.json: the result cache prunes those

# Runs in the interpreter asked (any Python 3), or in this one: `answer()` is the description.
# The temporalio version is read the way importlib.metadata finds it (the first distribution of
# that name on the path, its Version header) without importlib.metadata, whose import costs a
# tenth of a lint run.
_PROBE = r"""
import json, os, re, site, sys

def _pth_dirs(sitedir, names):
    found = []
    for name in sorted(names):
        if not name.endswith(".pth") or name.startswith("."):
            continue
        try:
            with open(os.path.join(sitedir, name), encoding="utf-8") as handle:
                lines = handle.read().splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for line in lines:
            line = line.rstrip()
            if not line or line.startswith("#") or line.startswith(("import ", "import\t")):
                continue
            path = os.path.abspath(os.path.join(sitedir, line))
            if os.path.isdir(path):
                found.append(path)
    return found

def _temporalio(dirs, listings):
    for directory in dirs:
        for name in sorted(listings.get(directory, ())):
            stem, dot, kind = name.rpartition(".")
            if kind not in ("dist-info", "egg-info"):
                continue
            project = re.sub(r"[-_.]+", "_", stem.partition("-")[0]).lower()
            if project != "temporalio":
                continue
            header = "METADATA" if kind == "dist-info" else "PKG-INFO"
            try:
                path = os.path.join(directory, name, header)
                with open(path, encoding="utf-8", errors="replace") as handle:
                    for line in handle:
                        if line.startswith("Version:"):
                            return line.partition(":")[2].strip()
                        if not line.strip():
                            break
            except OSError:
                pass
            return stem.partition("-")[2] or None
    return None

def answer():
    sites = list(site.getsitepackages()) if hasattr(site, "getsitepackages") else []
    if site.ENABLE_USER_SITE:
        sites.append(site.getusersitepackages())
    dirs, seen, listings = [], set(), {}
    for sitedir in sites:
        try:
            names = os.listdir(sitedir)
        except OSError:
            continue
        for path in [os.path.abspath(sitedir)] + _pth_dirs(sitedir, names):
            real = os.path.realpath(path)
            if real not in seen:
                seen.add(real)
                dirs.append(path)
        listings[os.path.abspath(sitedir)] = names
    return {"paths": dirs, "temporalio": _temporalio(dirs, listings)}
"""


class PythonEnvironmentError(InputError):
    """A `--python` (or `python` setting) that names no usable interpreter: one line."""


class Environment(NamedTuple):
    """Where installed packages are imported from, and which temporalio is installed."""

    python: str | None  # the interpreter asked; None: the one running the linter
    paths: tuple[str, ...]  # import folders of installed packages, in sys.path order
    temporalio_version: str | None

    def fingerprint(self) -> list[object]:
        """What changes when a package is installed, upgraded or removed (a folder's entries
        change): part of the result cache's key. A package file edited in place is a followed
        file, which the cache checks by content."""
        return [self.python, self.temporalio_version, [[p, _mtime(p)] for p in self.paths]]


def describe(
    python: Path | None,
    *,
    setting: str = "--python",
    cache_dir: Path | None = None,
    timeout: float = TIMEOUT,
) -> Environment:
    """The environment of `python` (None: of the interpreter running the linter). `setting`
    names where the path came from in error messages (`--python`, or the configuration's key).
    Raises PythonEnvironmentError when `python` is not an interpreter that answers in time."""
    if python is None:
        return _here()
    return _ask(python, setting, cache_dir, timeout)


# --- this interpreter -------------------------------------------------------------------------
_HERE: list[Environment] = []  # computed once per process: the linter's own packages stay put


def _here() -> Environment:
    if not _HERE:
        _HERE.append(_environment(None, _run_probe_here(), "this interpreter"))
    return _HERE[0]


def _run_probe_here() -> object:
    namespace: dict[str, object] = {}
    exec(compile(_PROBE, "<environment probe>", "exec"), namespace)  # our own code, not input
    answer = namespace["answer"]
    assert callable(answer)
    return answer()


# --- another interpreter ------------------------------------------------------------------------
# Answers by the interpreter's absolute path: (its stat, the mtimes of the folders it named, the
# environment). Valid while the interpreter and those folders are unchanged (a `pip install`
# touches site-packages, and may add a .pth file that adds a folder).
_ASKED: dict[str, tuple[list[int], dict[str, int | None], Environment]] = {}


def _ask(python: Path, setting: str, cache_dir: Path | None, timeout: float) -> Environment:
    shown = f"{setting} {python}"
    try:
        info = os.stat(python)
    except FileNotFoundError:
        raise PythonEnvironmentError(f"{shown}: no such file") from None
    except OSError as error:
        raise PythonEnvironmentError(f"{shown}: cannot be read: {error.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise PythonEnvironmentError(f"{shown}: not a Python interpreter (a folder)")
    if not stat.S_ISREG(info.st_mode) or not os.access(python, os.X_OK):
        raise PythonEnvironmentError(f"{shown}: not executable")
    # Not resolved: a venv's python is a symlink to the base interpreter, and the link's place
    # is what makes it the venv's.
    key = os.path.abspath(python)
    signature = [info.st_mtime_ns, info.st_size, info.st_ino]
    known = _ASKED.get(key)
    if known is None and cache_dir is not None:
        known = _load(cache_dir, key)
    if known is not None and known[0] == signature and _unchanged(known[1]):
        _ASKED[key] = known
        return known[2]
    environment = _environment(key, _run_probe(python, shown, timeout), shown)
    answer = (signature, {p: _mtime(p) for p in environment.paths}, environment)
    _ASKED[key] = answer
    if cache_dir is not None:
        _store(cache_dir, key, answer)
    return environment


def _run_probe(python: Path, shown: str, timeout: float) -> object:
    import subprocess

    code = _PROBE + "\nprint(json.dumps(answer()))\n"
    try:
        done = subprocess.run(
            [str(python), "-I", "-c", code],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PythonEnvironmentError(f"{shown}: no answer within {timeout:g} s") from None
    except OSError as error:
        problem = error.strerror or type(error).__name__
        raise PythonEnvironmentError(f"{shown}: not a Python interpreter ({problem})") from None
    lines = done.stdout.decode("utf-8", "replace").strip().splitlines()
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = f": {said[-1][:200]}" if said else ""
        raise PythonEnvironmentError(
            f"{shown}: not a Python interpreter (exit code {done.returncode}{detail})"
        )
    try:
        return json.loads(lines[-1])  # the last line: a sitecustomize may print before
    except (IndexError, ValueError):
        what = "printed nothing" if not lines else "printed something else"
        raise PythonEnvironmentError(f"{shown}: not a Python interpreter (it {what})") from None


def _environment(python: str | None, answer: object, shown: str) -> Environment:
    if not isinstance(answer, dict) or not isinstance(answer.get("paths"), list):
        raise PythonEnvironmentError(
            f"{shown}: not a Python interpreter (it printed something else)"
        )
    version = answer.get("temporalio")
    return Environment(
        python,
        tuple(str(p) for p in answer["paths"]),
        version if isinstance(version, str) else None,
    )


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _unchanged(folders: dict[str, int | None]) -> bool:
    return all(_mtime(path) == mtime for path, mtime in folders.items())


# --- the answers kept in the lint cache folder ----------------------------------------------------
def _load(cache_dir: Path, key: str) -> tuple[list[int], dict[str, int | None], Environment] | None:
    try:
        record = json.loads((cache_dir / _CACHE_FILE).read_text(encoding="utf-8"))[key]
        environment = Environment(
            key, tuple(record["paths"]), record["temporalio"] and str(record["temporalio"])
        )
        return list(record["signature"]), dict(record["folders"]), environment
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # missing or damaged: ask the interpreter


def _store(
    cache_dir: Path, key: str, answer: tuple[list[int], dict[str, int | None], Environment]
) -> None:
    """Best effort, like the result cache: a cache that cannot be written is skipped."""
    from mcp_server.lint.cache import write_file

    path = cache_dir / _CACHE_FILE
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(records, dict):
            records = {}
    except (OSError, ValueError):
        records = {}
    signature, folders, environment = answer
    records[key] = {
        "signature": signature,
        "folders": folders,
        "paths": list(environment.paths),
        "temporalio": environment.temporalio_version,
    }
    write_file(cache_dir, _CACHE_FILE, json.dumps(records))
