"""`[tool.temporal-pro]` in the nearest pyproject.toml: which rules run where, and what the
linter should additionally know about calls.

    [tool.temporal-pro]
    select = ["TPR"]                       # codes, code prefixes or rule names
    ignore = ["TPR602"]
    extend-exclude = ["generated"]         # folders or globs, relative to this file
    per-file-ignores = { "tests/*" = ["TPR1"] }
    # What the knowledge table should also know (like workflowcheck's decls):
    nondeterministic-calls = { "acme.clock.now" = "TPR101", "acme.vault.*" = "workflow-network" }
    deterministic-calls = ["acme.ids.stable_id"]   # never flagged, never followed
    max-file-size = 2_000_000              # bytes; larger files are skipped (0: no limit)
    workflow-code = ["mypkg.durable.*"]    # modules or functions that run inside workflows
    target-temporalio = "1.35"             # the SDK table to check names against
    python = ".venv/bin/python"            # the environment the code runs in (site-packages)

Every error is one line naming the file and the key; unknown keys are errors, not warnings.
"""

from __future__ import annotations

import collections
import fnmatch
import functools
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from mcp_server.errors import InputError

DEFAULT_EXCLUDE = (
    ".venv", "venv", ".git", "build", "dist", "node_modules", "__pycache__", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".temporal-pro-cache",
)  # fmt: skip
_KEYS = {
    "select", "ignore", "exclude", "extend-exclude", "per-file-ignores",
    "nondeterministic-calls", "deterministic-calls", "cache-dir", "max-file-size",
    "workflow-code", "target-temporalio", "python",
}  # fmt: skip
# Larger files are skipped, not parsed: a generated 7 MB module took over 1 GB to parse.
DEFAULT_MAX_FILE_SIZE = 2_000_000


class ConfigError(InputError):
    """A configuration problem, as one line naming the file and the key."""


_Settings = collections.namedtuple(
    "_Settings",
    "path root_dir select ignore exclude per_file_ignores nondeterministic_calls "
    "deterministic_calls cache_dir max_file_size workflow_code target_temporalio python "
    "declared_temporalio",
    defaults=(
        None,
        None,
        (),
        (),
        DEFAULT_EXCLUDE,
        (),
        (),
        (),
        None,
        DEFAULT_MAX_FILE_SIZE,
        (),
        None,
        None,
        None,
    ),
)


class Config(_Settings):
    """The settings of one run. A namedtuple, not a dataclass: this is imported on the cached
    path, where `dataclasses` (and the `inspect` it pulls in) would be a tenth of the run.

    path: the pyproject.toml it came from (None: defaults); root_dir: what paths in it are
    relative to (None: the current directory); select / ignore: selectors; exclude: names or
    globs; per_file_ignores: ((glob, selectors), ...); nondeterministic_calls: ((name, code),
    ...); deterministic_calls: names (`a.b.*` for everything below a.b); cache_dir: Path or None;
    max_file_size: bytes above which a file is skipped, not parsed (0: no limit);
    workflow_code: dotted patterns (`pkg.mod`, `pkg.mod.func`, `pkg.*`) of code taken as workflow
    code; target_temporalio: "MAJOR.MINOR[.PATCH]" or None (the environment's temporalio);
    python: Path of the interpreter whose environment the code runs in, or None (this one);
    declared_temporalio: the temporalio the project itself declares in its nearest
    pyproject.toml, as "==1.20.0" (pinned) or ">=1.26.0" (a lower bound), SDK_SOURCE when the
    project is the SDK itself, or None.
    """

    __slots__ = ()

    @property
    def root(self) -> Path:
        return self.root_dir or Path.cwd()

    def is_excluded(self, path: str) -> bool:
        """Whether a file or folder found while walking is excluded (by name or by glob)."""
        names, globs = _split_patterns(self.exclude)
        name = os.path.basename(path)
        if name in names:
            return True
        if not globs:
            return False
        relative = _relative(path, self.root)
        return any(fnmatch.fnmatch(relative, g) or fnmatch.fnmatch(name, g) for g in globs)

    def relative(self, path: str) -> str:
        """`path` relative to the root with / separators (as given when outside the root)."""
        return _relative(path, self.root)

    def ignored_here(self, filename: str) -> set[str]:
        """Selectors that per-file-ignores switches off for this file."""
        relative = _relative(filename, self.root)
        name = os.path.basename(filename)
        return {
            selector
            for pattern, selectors in self.per_file_ignores
            if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(name, pattern)
            for selector in selectors
        }

    def too_large(self, size: int) -> bool:
        """Whether a file of `size` bytes is over the max-file-size limit (then it is skipped)."""
        return 0 < self.max_file_size < size

    def fingerprint(self) -> str:
        """Changes whenever a setting that affects findings changes (part of the cache key)."""
        settings = self._asdict()
        settings.pop("path"), settings.pop("cache_dir")
        text = json.dumps(settings, sort_keys=True, default=str)
        import hashlib  # here, not at the top: the cached path imports this module too

        return hashlib.sha256(text.encode()).hexdigest()[:16]


def skip_note(name: str, size: int, limit: int, what: str = "linted") -> str:
    """The one-line warning for a file skipped because it is over the max-file-size limit."""
    return (
        f"{name}: skipped, not {what}: {size:,} bytes is over the max-file-size limit of "
        f"{limit:,} (raise max-file-size in [tool.temporal-pro]; 0: no limit)"
    )


@functools.cache
def _split_patterns(patterns: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Plain names (`.venv`) are a set lookup; only real globs pay for fnmatch."""
    plain = frozenset(p for p in patterns if not any(c in p for c in "*?[/"))
    return plain, tuple(p for p in patterns if p not in plain)


def _relative(path: str, root: Path) -> str:
    # abspath, not resolve(): no file-system calls, and this runs for every file walked.
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    chosen = path if relative.startswith("..") else relative
    return chosen.replace(os.sep, "/")


def _project_files(start: Path) -> Iterator[tuple[Path, str]]:
    """Each readable pyproject.toml from `start` upward, with its text."""
    for directory in (start.resolve(), *start.resolve().parents):
        candidate = directory / "pyproject.toml"
        try:
            yield candidate, candidate.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue


_Read = Callable[[Path], dict]  # type: ignore[type-arg]


def find_config(files: list[tuple[Path, str]], read: _Read) -> Path | None:
    """The nearest pyproject.toml (of `files`, nearest first) with a [tool.temporal-pro] table."""
    for candidate, text in files:
        if "temporal-pro" not in text:
            continue  # most pyproject.toml files are not ours: no TOML parsing for them
        try:
            if "temporal-pro" in read(candidate).get("tool", {}):
                return candidate
        except ConfigError:
            return candidate  # report its error rather than silently skipping it
    return None


def _read(path: Path) -> dict:  # type: ignore[type-arg]
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None


def load_config(explicit: Path | None = None, start: Path | None = None) -> Config:
    """Settings from `explicit` (--config) or the nearest pyproject.toml; defaults if none."""
    files = list(_project_files(start or Path.cwd()))
    read = functools.cache(_read)  # the nearest file holds both the table and the dependencies
    path = explicit or find_config(files, read)
    declared = declared_temporalio(files, read)
    if path is None:
        return Config(declared_temporalio=declared)
    if explicit is not None and not explicit.is_file():
        problem = "not a file" if explicit.exists() else "no such configuration file"
        raise ConfigError(f"{explicit}: {problem}")
    data = read(path)
    table = data.get("tool", {}).get("temporal-pro", {}) if path.name == "pyproject.toml" else data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.temporal-pro] must be a table")
    return _parse(path, table)._replace(declared_temporalio=declared)


def declared_temporalio(files: list[tuple[Path, str]], read: _Read) -> str | None:
    """The temporalio the project declares in its nearest pyproject.toml: "==X" when it pins it,
    ">=X" for a lower bound (`>=`, `~=`, Poetry's `^`), SDK_SOURCE in the SDK's own repository,
    else None."""
    for candidate, text in files:
        if "temporalio" not in text:
            return None  # the nearest project file is the project's: it does not say
        try:
            data = read(candidate)
        except ConfigError:
            return None
        project = data.get("project", {}) if isinstance(data.get("project"), dict) else {}
        if project.get("name") == "temporalio":
            return SDK_SOURCE
        poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {})
        pinned = poetry.get("temporalio") if isinstance(poetry, dict) else None
        if isinstance(pinned, dict):
            pinned = pinned.get("version")
        requirements = [f"temporalio {pinned}"] if isinstance(pinned, str) else []
        groups = [project.get("dependencies", [])]
        groups += list((project.get("optional-dependencies") or {}).values())
        groups += list((data.get("dependency-groups") or {}).values())
        requirements += [r for group in groups if isinstance(group, list) for r in group]
        for requirement in requirements:
            found = isinstance(requirement, str) and _REQUIREMENT.match(requirement)
            if found:
                exact = found["op"] in ("==", "===") or found["op"] is None
                return f"{'==' if exact else '>='}{found['version']}"
        return None
    return None


def _parse(path: Path, table: dict) -> Config:  # type: ignore[type-arg]
    from mcp_server.lint.rules import RULES, resolve_codes  # the rule list is needed only here

    where = f"{path}: [tool.temporal-pro]"
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key '{unknown[0]}' (known: {', '.join(sorted(_KEYS))})"
        )

    def strings(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: '{key}' must be a list of strings")
        return tuple(value)

    def codes(key: str, selectors: tuple[str, ...]) -> tuple[str, ...]:
        try:
            resolve_codes(list(selectors))
        except ValueError as error:
            raise ConfigError(f"{where}: '{key}': {error}") from None
        return selectors

    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict) or not all(
        isinstance(v, list) and all(isinstance(s, str) for s in v) for v in per_file.values()
    ):
        raise ConfigError(f"{where}: 'per-file-ignores' must map globs to lists of codes")
    calls = table.get("nondeterministic-calls", {})
    if not isinstance(calls, dict) or not all(isinstance(v, str) for v in calls.values()):
        raise ConfigError(f"{where}: 'nondeterministic-calls' must map names to rule codes")
    call_rules = []
    for name, selector in calls.items():
        matched = codes("nondeterministic-calls", (selector,))
        code = sorted(resolve_codes(list(matched)))
        if len(code) != 1 or code[0] not in _CALL_RULES:
            raise ConfigError(
                f"{where}: 'nondeterministic-calls': '{name}' must name one call rule "
                f"({', '.join(sorted(_CALL_RULES))}), not '{selector}'"
            )
        call_rules.append((name, code[0]))
    cache_dir = table.get("cache-dir")
    if cache_dir is not None and not isinstance(cache_dir, str):
        raise ConfigError(f"{where}: 'cache-dir' must be a string")
    max_size = table.get("max-file-size", DEFAULT_MAX_FILE_SIZE)
    if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 0:
        raise ConfigError(
            f"{where}: 'max-file-size' must be a whole number of bytes, 0 for no limit, "
            f"not {max_size!r}"
        )
    exclude = strings("exclude") if "exclude" in table else DEFAULT_EXCLUDE
    workflow_code = strings("workflow-code")
    for pattern in workflow_code:
        if not _WORKFLOW_CODE.fullmatch(pattern):
            raise ConfigError(
                f"{where}: 'workflow-code': '{pattern}' is not a dotted name or a name ending "
                "in '.*' (like 'mypkg.durable.*')"
            )
    target = table.get("target-temporalio")
    if target is not None and not (isinstance(target, str) and _VERSION.fullmatch(target)):
        raise ConfigError(
            f'{where}: \'target-temporalio\' must be a version like "1.35" or "1.35.0", '
            f"not {target!r}"
        )
    python = table.get("python")
    if python is not None and not (isinstance(python, str) and python):
        raise ConfigError(f"{where}: 'python' must be the path of a Python interpreter")
    assert RULES  # imported for resolve_codes' registry
    return Config(
        path=path,
        root_dir=path.parent,
        select=codes("select", strings("select")),
        ignore=codes("ignore", strings("ignore")),
        exclude=(*exclude, *strings("extend-exclude")),
        per_file_ignores=tuple(
            (glob, codes("per-file-ignores", tuple(selectors)))
            for glob, selectors in sorted(per_file.items())
        ),
        nondeterministic_calls=tuple(sorted(call_rules)),
        deterministic_calls=tuple(sorted(strings("deterministic-calls"))),
        cache_dir=(path.parent / cache_dir) if cache_dir else None,
        max_file_size=max_size,
        workflow_code=workflow_code,
        target_temporalio=target,
        python=(path.parent / python) if python else None,
    )


# The SDK's own repository: its source is newer than its last release between two releases,
# so no release's table is its API.
SDK_SOURCE = "source"
# `temporalio[opentelemetry]>=1.26.0,<2`, `temporalio==1.20.0`, Poetry's `temporalio ^1.8`.
_REQUIREMENT = re.compile(
    r"\s*temporalio\s*(\[[^\]]*\])?\s*(?P<op>===|==|>=|~=|\^)?\s*v?(?P<version>\d+\.\d+(\.\d+)?)"
)
_WORKFLOW_CODE = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*(\.\*)?")
_VERSION = re.compile(r"\d+\.\d+(\.\d+)?")

# Rules driven by the knowledge table, which nondeterministic-calls may name.
_CALL_RULES = frozenset(
    {
        "TPR101", "TPR102", "TPR103", "TPR104", "TPR105", "TPR106", "TPR107",
        "TPR201", "TPR202", "TPR203", "TPR204", "TPR205", "TPR302", "TPR303", "TPR602",
    }
)  # fmt: skip
