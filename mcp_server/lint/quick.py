"""The quick path of a cached lint run: a run whose every input is unchanged on disk replays its
output before anything else is imported (no argparse, no configuration, no hashing).

The result cache (cache.py) keys a run by the content of every file it reads, which costs a
walk of the tree, a stat of every file and the modules that compute the key. This module keeps,
beside that cache, one record per command line and working directory: the run's output, and the
stat signature (size, mtime, ctime, inode, device) of every path the key was computed from,
or of its absence:

* each linted file, and each folder walked to find them (a file added or removed changes its
  folder), and the files outside the linted paths that the run followed imports into;
* the pyproject.toml of the working directory and of each folder above it (configuration
  discovery reads them all), and the file --config names;
* the linter's own files and folders;
* the environment that calls are followed into: its site-packages folders and the folders
  their .pth files add, those .pth files, and temporalio's metadata.

Besides those, the record holds what is compared as text: the command line, the working
directory, the interpreter and its site configuration, and the linter's version and place. A run
replays the record only when all of it is unchanged; anything else (an option, stdin, --fix, a
`--python` or configured interpreter, a damaged record) goes to the normal path, which answers
from the keyed cache or lints, and then writes a fresh record.

Like git's index, a record never trusts a path changed within the file system's timestamp
granularity of the run: a second change in the same tick could leave its signature unchanged.
So nothing is recorded when any input changed less than two seconds before the run began; the
normal path answers until the tree has settled.

This module must stay cheap to import: os, sys, marshal and gc (built in) only, until the normal
path runs (not even `from __future__ import annotations`: the annotations here are strings
instead).
"""

import gc
import marshal
import os
import sys

import mcp_server

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from mcp_server.lint.cache import Output
    from mcp_server.lint.environment import Environment

    Signature = tuple[int, int, int, int, int] | int | None
    Interpreter = tuple[str, str, str, tuple[str, ...], str | None]
    Identity = tuple[tuple[str, ...], str, Interpreter, tuple[str, str]]

FORMAT = 1  # bump when a record's layout or meaning changes
PREFIX = "quick-"  # the records' file names in the cache folder
KEEP = 32  # records kept per cache folder, the most recent
DIRECTORY = ".temporal-pro-cache"  # the cache folder's default name (cache.DIRECTORY)


def entry() -> None:
    """The `temporal-pro` script and `python -m mcp_server`: replay a cached lint run, else run
    the command line."""
    words = sys.argv[1:]
    if words[:1] == ["lint"]:
        # A one-shot run whose objects live until os._exit: the engine turns the cyclic
        # collector off for its analysis (engine.lint_paths); off from the start, it also
        # skips the collections that importing the linter and rendering the report set off.
        gc.disable()
    try:
        output = cached_output(words)
        if output is None:
            from mcp_server.cli import entry as run

            return run()  # never returns
        stdout, stderr, code = output
        sys.stderr.write(stderr)  # as cli._emit: warnings first, then the report
        sys.stdout.write(stdout)
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, KeyboardInterrupt) as error:  # a closed pipe, a full disk, Ctrl-C: one line
        from mcp_server.cli import replay_failed

        code = replay_failed(words, error)
    os._exit(code)


def cached_output(words: "Sequence[str]") -> tuple[str, str, int] | None:
    """(stdout, stderr, exit code) of the recorded run of `words` in this directory when none of
    its inputs changed since, else None (nothing has been written then)."""
    if sys.stdout is None or sys.stderr is None:
        return None  # the normal path reports a closed stream
    try:
        cwd = os.getcwd()
        path = location(words, cwd)
        if path is None:
            return None
        with open(path, "rb") as handle:
            record = marshal.loads(handle.read())
        kind, identity, checks, output = record
        if kind != FORMAT or identity != _identity(words, cwd):
            return None
        for checked, expected in checks:
            if _signature(checked) != expected:
                return None
        stdout, stderr, code = output
        if not (isinstance(stdout, str) and isinstance(stderr, str) and isinstance(code, int)):
            return None
        return stdout, stderr, code
    except (OSError, EOFError, ValueError, TypeError):
        return None  # no record, a damaged one, no working directory: the normal path answers


def location(words: "Sequence[str]", cwd: str) -> str | None:
    """Where the record of `lint` run as `words` from `cwd` lives: in the cache folder that run
    uses when it is the default one (beside the configuration) or given by --cache-dir. Only a
    guess: the normal path writes a record only where this finds it, and a record found holds
    its own command line and directory, compared in full."""
    if not words or words[0] != "lint" or "--no-cache" in words:
        return None
    folder = _option(words, "--cache-dir")
    if folder is None:
        config = _option(words, "--config")
        root = os.path.dirname(os.path.join(cwd, config)) if config else _config_root(cwd)
        folder = os.path.join(root, DIRECTORY)
    return os.path.join(os.path.normpath(os.path.join(cwd, folder)), PREFIX + _name(words, cwd))


def _option(words: "Sequence[str]", flag: str) -> str | None:
    """The last value given to `flag` (`--flag VALUE` or `--flag=VALUE`), as argparse keeps it."""
    value = None
    for index, word in enumerate(words):
        if word == "--":
            break
        if word == flag and index + 1 < len(words):
            value = words[index + 1]
        elif word.startswith(flag + "="):
            value = word[len(flag) + 1 :]
    return value


def _config_root(cwd: str) -> str:
    """The folder of the nearest pyproject.toml that seems to hold a [tool.temporal-pro] table,
    else `cwd`: where the default cache folder is."""
    folder = cwd
    while True:
        try:
            with open(os.path.join(folder, "pyproject.toml"), "rb") as handle:
                if _has_table(handle.read()):
                    return folder
        except OSError:
            pass
        parent = os.path.dirname(folder)
        if parent == folder:
            return cwd
        folder = parent


def _has_table(text: bytes) -> bool:
    """Whether a pyproject.toml opens our table (`[tool.temporal-pro]`, a subtable of it, or a
    dotted key `tool.temporal-pro.select = ...`), read without a TOML parser: a guess that
    only decides where to look for a record."""
    if b"temporal-pro" not in text:  # most projects' files: no line to read
        return False
    for line in text.splitlines():
        bare = line.replace(b" ", b"").replace(b"\t", b"").replace(b'"', b"").replace(b"'", b"")
        if bare.startswith((b"[tool.temporal-pro]", b"[tool.temporal-pro.", b"tool.temporal-pro.")):
            return True
    return False


def _name(words: "Sequence[str]", cwd: str) -> str:
    """A record's file name: FNV-1a of the command line and directory (hashlib costs more to
    import than this costs to run; a collision only means a miss)."""
    digest = 0xCBF29CE484222325
    for character in "\0".join([cwd, *words]):
        digest = ((digest ^ ord(character)) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{digest:016x}"


def _identity(words: "Sequence[str]", cwd: str) -> "Identity":
    """What a record must match as text: the command, where it runs, the interpreter and its
    site configuration (which site-packages the environment has), and the linter itself."""
    import site  # imported at start-up already, unless python -S

    sites = tuple(site.getsitepackages()) if hasattr(site, "getsitepackages") else ()
    user = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    # Not sys.executable: `python` and `python3` of one environment share their records.
    interpreter = (sys.version, sys.prefix, sys.exec_prefix, sites, user)
    linter = (mcp_server.__version__, os.path.dirname(os.path.abspath(mcp_server.__file__)))
    return (tuple(words), cwd, interpreter, linter)


def _signature(path: str) -> "Signature":
    """The stat signature of `path` (following links, as reading it does), or the error that
    stat-ing it meets (a missing file: ENOENT)."""
    try:
        info = os.stat(path)
    except OSError as error:
        return error.errno
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


# --- writing a record (the normal path, after it answered) ---------------------------------------


def remember(
    words: "Sequence[str]",
    directory: str,
    started: int,
    output: "Output",
    *,
    files: "Sequence[str]",
    folders: "Sequence[str]",
    followed: "Sequence[str]",
    environment: "Environment",
) -> None:
    """Record the run of `words` that began at `started` (time.time_ns()) and answered `output`
    from the cache folder `directory`, for the next identical run to replay. Nothing is recorded
    (and an older record is removed) when that run would not look here, or when an input changed
    too recently to trust its signature. Best effort, like the cache: never an error."""
    import contextlib

    path = location(words, os.getcwd())
    if path is None or os.path.dirname(path) != os.path.abspath(directory):
        return
    checks = _inputs(words, files, folders, followed, environment)
    if checks is None or _racy(checks, started):
        with contextlib.suppress(OSError):
            os.unlink(path)  # it no longer describes the tree
        return
    from pathlib import Path

    from mcp_server.lint.cache import write_file

    record = (FORMAT, _identity(words, os.getcwd()), checks, tuple(output))
    write_file(Path(directory), os.path.basename(path), marshal.dumps(record))
    _prune(os.path.dirname(path))


def _inputs(
    words: "Sequence[str]",
    files: "Sequence[str]",
    folders: "Sequence[str]",
    followed: "Sequence[str]",
    environment: "Environment",
) -> "tuple[tuple[str, Signature], ...] | None":
    """Every path whose state the run depends on, with its signature now; None when the run read
    a file that is gone. `folders` are the ones files.discover walked to find `files`: a file
    added or removed since changed one of them, which _racy then sees."""
    from mcp_server.lint.cache import linter_files

    read = [os.path.abspath(path) for path in [*files, *followed]]
    checks = [(path, _signature(path)) for path in read]
    if any(not isinstance(signature, tuple) for _, signature in checks):
        return None  # gone since the run read it
    linter_folders, linter_code = linter_files()
    others = [*folders, *_configuration_files(words), *linter_folders, *linter_code]
    others += _environment_inputs(environment)
    checks += [(path, _signature(path)) for path in others]
    return tuple(checks)


def _configuration_files(words: "Sequence[str]") -> list[str]:
    """The pyproject.toml of the working directory and of every folder above it (configuration
    discovery reads them all: the table, and the temporalio the project declares), and the file
    --config names."""
    found = []
    folder = os.getcwd()
    while True:
        found.append(os.path.join(folder, "pyproject.toml"))
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    explicit = _option(words, "--config")
    if explicit is not None:
        found.append(os.path.abspath(explicit))
    return found


def _environment_inputs(environment: "Environment") -> list[str]:
    """What environment.describe(None) reads to find the installed packages calls are followed
    into, and whose change would change its fingerprint: the site-packages folders (present or
    not), the .pth files in them and every path those name, the folders found, and temporalio's
    metadata in them."""
    import site

    sites = list(site.getsitepackages()) if hasattr(site, "getsitepackages") else []
    if site.ENABLE_USER_SITE:
        sites.append(site.getusersitepackages())
    found = [*sites, *environment.paths]
    for sitedir in sites:
        try:
            names = sorted(os.listdir(sitedir))
        except OSError:
            continue
        for name in names:
            if not name.endswith(".pth"):
                continue
            found.append(os.path.join(sitedir, name))
            try:
                with open(os.path.join(sitedir, name), encoding="utf-8") as handle:
                    lines = [line.rstrip() for line in handle.read().splitlines()]
            except (OSError, UnicodeDecodeError):
                continue
            found += [
                os.path.abspath(os.path.join(sitedir, line))
                for line in lines
                if line and not line.startswith(("#", "import ", "import\t"))
            ]
    for folder in environment.paths:
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:  # temporalio-1.35.0.dist-info, Temporalio.egg-info, ...
            if name.lower().startswith("temporalio") and name.endswith((".dist-info", ".egg-info")):
                found += [os.path.join(folder, name, kind) for kind in ("METADATA", "PKG-INFO")]
    return found


def _racy(checks: "Iterable[tuple[str, Signature]]", started: int) -> bool:
    """Whether any input changed (its content, or its metadata: ctime) within the cache's clock
    granularity before the run's start, or after it."""
    from mcp_server.lint.cache import RACY_NS

    for _, signature in checks:
        if isinstance(signature, tuple) and max(signature[1], signature[2]) > started - RACY_NS:
            return True
    return False


def _prune(folder: str) -> None:
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(PREFIX)]
        entries.sort(key=lambda entry: entry.stat().st_mtime_ns, reverse=True)
        for stale in entries[KEEP:]:
            os.unlink(stale.path)
    except OSError:
        return
