"""Put generated files on disk, all or nothing.

The files go to a temporary folder first (inside the output folder if it exists, else next to
it), then move into place: an error (a full disk, a folder that is not writable) leaves nothing
behind, and folders made on the way are removed again. Every refusal comes before any write.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from mcp_server.scaffold.generate import GeneratedFile
from mcp_server.scaffold.spec import ScaffoldError


def write_files(files: Sequence[GeneratedFile], out: Path, force: bool = False) -> list[Path]:
    """Write `files` under `out` and return their paths. `out` must not exist, or be an empty
    folder; with `force`, a folder that has files too (the generated ones are replaced, the
    others left alone)."""
    out = Path(out)
    targets = [out / file.path for file in files]
    _check(out, targets, force)
    made = [] if out.is_dir() else _make_parents(out.parent, out)
    staging: Path | None = None
    try:
        # Next to the files' final place, so that moving them there is a rename.
        where = out if out.is_dir() else out.parent
        staging = Path(tempfile.mkdtemp(prefix=".scaffold-", dir=where))
        for file in files:
            path = staging / file.path
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(file.content)
        if not out.exists():
            os.rename(staging, out)
            staging = None
        else:
            _merge(staging, out, [file.path for file in files])
    except OSError as error:
        for folder in reversed(made):
            shutil.rmtree(folder, ignore_errors=True)
        raise ScaffoldError(f"{out}: cannot write: {error.strerror or error}") from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return targets


def _check(out: Path, targets: list[Path], force: bool) -> None:
    """Every refusal happens here, before anything is written."""
    if out.exists() and not out.is_dir():
        raise ScaffoldError(f"{out}: is a file, not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise ScaffoldError(f"{out}: the folder exists and is not empty (--force to overwrite)")
        for target in targets:
            for place in [*reversed(target.relative_to(out).parents[:-1]), target]:
                path = out / place
                if path == target and path.is_dir():
                    raise ScaffoldError(f"{path}: is a folder, where the scaffold writes a file")
                if path != target and path.exists() and not path.is_dir():
                    raise ScaffoldError(f"{path}: is a file, where the scaffold needs a folder")
    existing = next(p for p in [out, *out.parents] if p.exists())
    if not existing.is_dir():
        raise ScaffoldError(f"{existing}: is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ScaffoldError(f"{existing}: the folder is not writable")


def _make_parents(parent: Path, out: Path) -> list[Path]:
    """Create `parent` and its missing ancestors; return those it made, outermost first."""
    missing = [p for p in [parent, *parent.parents] if not p.exists()]
    made = []
    try:
        for folder in reversed(missing):
            folder.mkdir()
            made.append(folder)
    except OSError as error:
        for folder in reversed(made):
            folder.rmdir()
        raise ScaffoldError(f"{out}: cannot write: {error.strerror or error}") from None
    return made


def _merge(staging: Path, out: Path, paths: list[str]) -> None:
    """Move the staged files into an existing folder, replacing the generated ones there."""
    for relative in paths:
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / relative, target)
