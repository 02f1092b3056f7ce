"""The knowledge pack: `SKILL.md` and the `references/*.md` topics it links to.

An Agent Skill (agentskills.io) is a folder named after the skill, holding `SKILL.md` and the
files it links to by relative path (`references/determinism.md`). This module finds the pack (the
copy inside the installed package, else the source checkout), writes it out as that folder
(`install_skill`) or as a zip with the folder at the archive's root (`zip_skill`, the layout
claude.ai's skill upload and Anthropic's own `package_skill.py` use), and answers
`temporal-pro docs [TOPIC]` from the reference files (`list_topics`, `find`).

Plain functions, standard library only: importing this module costs next to nothing. Every
failure a user can cause raises `PackError` with a one-line message naming the input.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from mcp_server.errors import InputError

SKILL_NAME = "temporal-python-pro"
SKILL_FILE = "SKILL.md"
REFERENCES = "references"
ZIP_NAME = f"{SKILL_NAME}.zip"
# A file in the installed folder holding the hash of every file the install wrote, so the next
# install can tell the files nobody touched (safe to replace) from the user's edits.
MANIFEST = ".temporal-pro-install.json"

_PACKAGE = Path(__file__).resolve().parent
# In a wheel: package data (hatch force-include maps skill/ and references/ here).
_PACKAGED = _PACKAGE / "_pack"
# In a source checkout (editable install): the repository root.
_CHECKOUT = _PACKAGE.parent

# Zip entries carry this timestamp (the earliest a zip can hold) so two runs give the same bytes.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

# How many of the user's changes a refusal names before it says "and N more".
_SHOWN_CHANGES = 5

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^a-z\s])")


class PackError(InputError):
    """A one-line, user-facing error about the pack or its input."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


@dataclass(frozen=True, slots=True)
class PackRoot:
    """Where the pack lives: the folder holding SKILL.md and the folder holding the topics."""

    skill: Path
    references: Path

    @property
    def skill_file(self) -> Path:
        return self.skill / SKILL_FILE


@dataclass(frozen=True, slots=True)
class Topic:
    """One reference file: `name` is its file name without `.md`."""

    name: str
    title: str
    summary: str
    path: Path


@dataclass(frozen=True, slots=True)
class Section:
    """A part of a reference file, from one `##`/`###` heading to the next (the part before the
    first such heading is headed by the file's title). `text` is the section's Markdown, heading
    line included; `parent` is the enclosing `##` heading of a `###` section."""

    topic: str
    file: Path
    heading: str
    level: int
    text: str
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class Installed:
    """What `install_skill` did: `path` is the skill folder; `backup` is where the previous copy
    went when `force` moved one aside; `unchanged` says the folder already held this version and
    nothing was written."""

    path: Path
    backup: Path | None = None
    unchanged: bool = False


def pack_root() -> PackRoot:
    """The packaged copy when the package holds one, else the source checkout's."""
    for base in (_PACKAGED, _CHECKOUT):
        found = _pack_in(base)
        if found is not None:
            return found
    raise PackError(
        f"the knowledge pack is missing: no {SKILL_FILE} or {REFERENCES}/ in {_PACKAGED} "
        f"or {_CHECKOUT}"
    )


def _pack_in(base: Path) -> PackRoot | None:
    # The skill folder is skill/ (or skills/<name>/, the plugin default); the topics sit beside
    # SKILL.md when the folder holds them, else at the base.
    skill = next(
        (d for d in (base / "skill", base / "skills" / SKILL_NAME) if (d / SKILL_FILE).is_file()),
        base / "skill",
    )
    references = skill / REFERENCES
    if not references.is_dir():
        references = base / REFERENCES
    if (skill / SKILL_FILE).is_file() or references.is_dir():
        return PackRoot(skill, references)
    return None


def default_destination(project: bool) -> Path:
    """The skills folder Claude Code reads: `./.claude/skills` (project) or `~/.claude/skills`."""
    base = Path.cwd() if project else Path.home()
    return base / ".claude" / "skills"


def skill_files() -> list[tuple[str, Path]]:
    """Every file of the skill folder as (path inside the folder, source), sorted by path:
    SKILL.md and each `references/*.md`."""
    root = pack_root()
    if not root.skill_file.is_file():
        raise PackError(f"{SKILL_FILE} is missing from the knowledge pack ({root.skill_file})")
    files = [(SKILL_FILE, root.skill_file)]
    if root.references.is_dir():
        files += [
            (f"{REFERENCES}/{p.name}", p) for p in root.references.glob("*.md") if p.is_file()
        ]
    return sorted(files)


def install_skill(dest: Path, *, force: bool = False) -> Installed:
    """Write the skill folder `dest/temporal-python-pro/` (SKILL.md and references/*.md).

    An existing copy is replaced only when nothing in it is the user's: files this version would
    write with the same bytes, files it lacks (they are re-added) and files a previous install
    wrote and nobody has touched since (its manifest records their hashes). Anything else (a file
    added or edited, a link or a plain file in the folder's place, a folder that cannot be read)
    is refused with a `PackError` naming it, unless `force`, which moves the old copy into a new
    `dest/.temporal-python-pro.backup-N/` first. The same version over an untouched copy writes
    nothing and returns `unchanged=True`.

    The new folder is assembled in a hidden staging folder beside it and then renamed into place,
    so readers see the old folder or the new one, never half of one. Staging and backups hold
    their copy one level down, so a tool that scans `dest/*/SKILL.md` (Claude Code watches its
    skills folders) never finds a second skill there."""
    import shutil

    files = skill_files()
    dest = Path(dest)
    target = dest / SKILL_NAME
    staging = dest / f".{SKILL_NAME}.{os.getpid()}-{os.urandom(4).hex()}.tmp"
    slot: Path | None = None
    try:
        blocker = next((p for p in (dest, *dest.parents) if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            raise PackError(
                f"cannot install the skill into {dest}: {blocker} is a file, not a folder"
            )
        new = {name: source.read_bytes() for name, source in files}
        refusal, same = _survey(target, new)
        if same:
            return Installed(target, unchanged=True)
        if refusal is not None and not force:
            raise PackError(refusal)
        dest.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
        fresh = staging / SKILL_NAME
        for name, data in [*new.items(), (MANIFEST, _manifest_bytes(new))]:
            out = fresh / name
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
        backup: Path | None = None
        if refusal is not None:
            slot = _backup_slot(dest)
            backup = slot / SKILL_NAME
        if backup is not None and target.is_symlink():
            # A link moved one level down would point elsewhere: the backup is a new link to
            # the same place, and the old link is discarded with the staging folder.
            _copy_link(target, backup)
            _swap(fresh, target, staging / "previous")
        else:
            _swap(fresh, target, backup or staging / "previous")
        slot = None
    except OSError as error:
        raise PackError(f"cannot install the skill into {dest}: {_reason(error)}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if slot is not None:  # the install failed and put the old copy back: drop the empty slot
            with contextlib.suppress(OSError):
                slot.rmdir()
    return Installed(target, backup)


def _survey(target: Path, new: dict[str, bytes]) -> tuple[str | None, bool]:
    """(why `target` must not be replaced without `force`, or None; whether it already holds
    exactly `new`)."""
    if not (target.is_symlink() or target.exists()):
        return None, False
    keep = "pass --force to replace it (it is kept as a backup)"
    if target.is_symlink():
        try:
            differs = _differences(target, new)[1] if target.is_dir() else True
        except OSError:
            differs = True
        if not differs:
            return None, True
        # Replacing the link would undo the user's set-up even when no file of theirs is at stake.
        return (
            f"{target} is a link to {os.readlink(target)}, which does not hold this version of "
            f"the skill; pass --force to replace the link (it is kept as a backup; what it points "
            f"to is left alone)"
        ), False
    if not target.is_dir():
        return f"{target} is a file, not the skill folder; {keep}", False
    try:
        changes, differs = _differences(target, new)
    except OSError as error:
        where = error.filename or target
        return (
            f"cannot read {where} to check {target} for changes ({_reason(error)}); {keep}",
            False,
        )
    if not changes:
        return None, not differs
    count = len(changes)
    listed = ", ".join(changes[:_SHOWN_CHANGES])
    if count > _SHOWN_CHANGES:
        listed += f" and {count - _SHOWN_CHANGES} more"
    files, differ, them = ("file", "differs", "it") if count == 1 else ("files", "differ", "them")
    return (
        f"{count} {files} in {target} {differ} from this version of the skill: {listed}; pass "
        f"--force to replace {them} (the old folder is kept as a backup)"
    ), False


def _differences(folder: Path, new: dict[str, bytes]) -> tuple[list[str], bool]:
    """(the user's changes in `folder`, sorted, each `path (added)` or `path (edited)`; whether
    anything there differs from `new` at all). A file a previous install wrote and that still has
    the bytes its manifest records is not the user's: it may be replaced."""
    files, others = _entries(folder)
    written = _manifest(files.pop(MANIFEST, None))
    changes: list[str] = []
    stale = False
    for name, path in files.items():
        if name not in new and name not in written:
            changes.append(f"{name} (added)")
            continue
        data = path.read_bytes()
        if new.get(name) == data:
            continue
        if written.get(name) == _digest(data):
            stale = True  # an older version's file, untouched
            continue
        changes.append(f"{name} (edited)")
    for name in others:
        if name.endswith("/") and any(ours.startswith(name) for ours in new):
            continue  # one of our folders, emptied: nothing of the user's
        known = name in new or name in written
        changes.append(f"{name} ({'edited' if known else 'added'})")
    missing = any(name not in files for name in new)
    return sorted(changes), bool(changes) or stale or missing


def _entries(folder: Path) -> tuple[dict[str, Path], list[str]]:
    """The regular files under `folder` by their path inside it, and the paths of everything else
    that is there (links, which are not followed, special files, and empty folders as `name/`)."""
    files: dict[str, Path] = {}
    others: list[str] = []

    def walk(directory: str, prefix: str) -> None:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
        if prefix and not entries:
            others.append(prefix)
        for entry in entries:
            name = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path, f"{name}/")
            elif entry.is_file(follow_symlinks=False):
                files[name] = Path(entry.path)
            else:
                others.append(name)

    walk(os.fspath(folder), "")
    return files, others


def _manifest(path: Path | None) -> dict[str, str]:
    """The hashes a previous install recorded, by path; none when there is no readable record (then
    every difference counts as the user's)."""
    import json

    if path is None:
        return {}
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    hashes = record.get("files") if isinstance(record, dict) else None
    if not isinstance(hashes, dict):
        return {}
    return {name: h for name, h in hashes.items() if isinstance(name, str) and isinstance(h, str)}


def _manifest_bytes(new: dict[str, bytes]) -> bytes:
    import json

    from mcp_server import __version__

    record = {
        "installed-by": f"temporal-pro {__version__}",
        "files": {name: _digest(data) for name, data in sorted(new.items())},
    }
    return (json.dumps(record, indent=2) + "\n").encode("utf-8")


def _digest(data: bytes) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256(data).hexdigest()


def _backup_slot(dest: Path) -> Path:
    """A new empty folder `dest/.temporal-python-pro.backup-N`, N the first number free. Creating
    it is what claims the number, so an existing backup is never overwritten."""
    number = 1
    while True:
        slot = dest / f".{SKILL_NAME}.backup-{number}"
        try:
            slot.mkdir()
        except FileExistsError:
            number += 1
            continue
        return slot


def _copy_link(link: Path, copy: Path) -> None:
    """Make `copy` a link to where `link` points, a relative target adjusted to its new folder."""
    pointee = os.readlink(link)
    if not os.path.isabs(pointee):
        pointee = os.path.relpath(os.path.join(link.parent, pointee), copy.parent)
    os.symlink(pointee, copy)


def _swap(fresh: Path, target: Path, previous: Path) -> None:
    """Move `fresh` to `target`, first moving whatever is at `target` to `previous`."""
    if target.is_symlink() or target.exists():
        os.replace(target, previous)
    try:
        os.replace(fresh, target)
    except OSError:
        if previous.is_symlink() or previous.exists():
            os.replace(previous, target)  # put the old copy back
        raise


def default_zip_path() -> Path:
    return Path.cwd() / ZIP_NAME


def zip_skill(output: Path) -> Path:
    """Write a zip with the folder `temporal-python-pro/` at its root (SKILL.md and
    references/*.md inside it) and return its path. An existing folder as `output` gets
    `temporal-python-pro.zip` inside it. Entries are sorted and carry fixed timestamps and modes,
    so the same pack gives the same bytes."""
    import zipfile

    files = skill_files()
    output = Path(output)
    if output.is_dir():
        output = output / ZIP_NAME
    if output.exists() and not zipfile.is_zipfile(output):
        raise PackError(f"{output} exists and is not a zip file; not overwritten")
    blocker = next((p for p in output.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise PackError(f"cannot write the skill zip {output}: {blocker} is a file, not a folder")
    partial = output.with_name(f".{output.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(partial, "w") as archive:
            for name, source in files:
                entry = zipfile.ZipInfo(f"{SKILL_NAME}/{name}", date_time=_ZIP_EPOCH)
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.create_system = 3  # Unix, so the mode below means the same everywhere
                entry.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
                archive.writestr(entry, source.read_bytes(), compresslevel=9)
        os.replace(partial, output)
    except OSError as error:
        raise PackError(f"cannot write the skill zip {output}: {_reason(error)}") from None
    finally:
        _remove(partial)
    return output


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):  # then it could not have been created either
        path.unlink(missing_ok=True)


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


# --- temporal-pro docs ------------------------------------------------------------------------


def list_topics() -> list[Topic]:
    """The reference files, sorted by name."""
    return [_topic(path) for path in _reference_files()]


def find(query: str) -> list[Section]:
    """The sections matching `query`, best first. A query naming a topic (`rules`, `rules.md`)
    returns that whole file as one section; otherwise every word of the query must occur in a
    section's heading or text (case-insensitive). Sections whose heading holds every word come
    first, then those holding the words as a phrase (`signal with start` finds
    "signal-with-start"), then by how often the words occur; ties keep file order."""
    words = query.lower().split()
    if not words:
        raise PackError("empty documentation query (give a topic or words to search for)")
    paths = _reference_files()
    wanted = query.strip().lower().removesuffix(".md")
    for path in paths:
        if path.stem.lower() == wanted:
            text = _body(path.read_text(encoding="utf-8"))
            title = _title(text) or path.stem
            return [Section(path.stem, path, title, 1, text.strip("\n") + "\n")]
    phrase = " ".join(words)
    scored: list[tuple[tuple[bool, bool, int], Section]] = []
    for path in paths:
        for section in _sections(path):
            text = section.text.lower()
            if not all(word in text or word in section.heading.lower() for word in words):
                continue
            in_heading = all(word in section.heading.lower() for word in words)
            as_phrase = phrase in text.replace("-", " ").replace("_", " ")
            scored.append(((in_heading, as_phrase, sum(text.count(w) for w in words)), section))
    if not scored:
        names = ", ".join(path.stem for path in paths) or "none"
        raise PackError(f"no documentation matches {query.strip()!r} (topics: {names})")
    scored.sort(key=lambda item: item[0], reverse=True)  # stable: ties keep file order
    return [section for _, section in scored]


def read_topic(name: str, heading: str | None = None) -> Section:
    """One reference file whole (`testing`, `testing.md`), or its section under `heading`
    (case-insensitive; a `##` section includes its `###` subsections)."""
    paths = {path.stem.lower(): path for path in _reference_files()}
    path = paths.get(name.strip().lower().removesuffix(".md"))
    if path is None:
        raise PackError(f"no reference topic {name!r} (topics: {', '.join(sorted(paths))})")
    if heading is None:
        text = _body(path.read_text(encoding="utf-8"))
        return Section(path.stem, path, _title(text) or path.stem, 1, text.strip("\n") + "\n")
    sections = _sections(path)
    wanted = heading.strip().lower().lstrip("#").strip()
    for index, section in enumerate(sections):
        if section.heading.lower() == wanted:
            nested = sections[index + 1 :] if section.level == 2 else []
            children = [s.text for s in nested[: _next_h2(nested)]]
            return Section(
                section.topic, path, section.heading, section.level,
                "\n".join([section.text, *children]), section.parent,
            )  # fmt: skip
    headings = "; ".join(s.heading for s in sections if s.level == 2)
    raise PackError(f"{path.stem} has no section {heading!r} (its sections: {headings})")


def _next_h2(sections: list[Section]) -> int:
    return next((i for i, s in enumerate(sections) if s.level == 2), len(sections))


def skill_text() -> str:
    """SKILL.md as an agent loads it."""
    path = pack_root().skill_file
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise PackError(f"cannot read {path}: {error.strerror or error}") from None


def _reference_files() -> list[Path]:
    root = pack_root()
    if not root.references.is_dir():
        raise PackError(f"the knowledge pack has no {REFERENCES}/ folder ({root.references})")
    return sorted((p for p in root.references.glob("*.md") if p.is_file()), key=lambda p: p.name)


def _topic(path: Path) -> Topic:
    text = _body(path.read_text(encoding="utf-8"))
    return Topic(path.stem, _title(text) or path.stem, _summary(text), path)


def _body(text: str) -> str:
    """The text without a leading YAML front matter block."""
    lines = text.splitlines(keepends=True)
    if lines and lines[0].strip() == "---":
        for index, line in enumerate(lines[1:], start=1):
            if line.strip() in ("---", "..."):
                return "".join(lines[index + 1 :])
    return text


def _lines(text: str) -> list[tuple[str, bool]]:
    """Each line with whether it is inside (or is a delimiter of) a fenced code block."""
    marked: list[tuple[str, bool]] = []
    fence: str | None = None
    for line in text.splitlines():
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
            marked.append((line, True))
        elif fence is not None:
            if line.strip().startswith(fence) and set(line.strip()) == {fence[0]}:
                fence = None
            marked.append((line, True))
        else:
            marked.append((line, False))
    return marked


def _heading(line: str) -> tuple[int, str] | None:
    match = _HEADING.match(line)
    return (len(match.group(1)), (match.group(2) or "").strip()) if match else None


def _title(text: str) -> str:
    for line, fenced in _lines(text):
        heading = None if fenced else _heading(line)
        if heading and heading[0] == 1:
            return heading[1]
    return ""


def _summary(text: str) -> str:
    """The first sentence of the first paragraph (not a heading, list, quote, table, HTML block
    or code), with links reduced to their text."""
    paragraph: list[str] = []
    comment = False
    for line, fenced in _lines(text):
        stripped = line.strip()
        if comment:
            comment = "-->" not in stripped
            continue
        if stripped.startswith("<!--"):
            comment = "-->" not in stripped
            continue
        plain = (
            stripped
            and not fenced
            and not _heading(line)
            and not re.match(r"([-*+>|<]|\d+[.)])(\s|$)", stripped)
            and not stripped.startswith("<")
        )
        if plain:
            paragraph.append(stripped)
        elif paragraph:
            break
    joined = _LINK.sub(r"\1", " ".join(paragraph))
    return _SENTENCE_END.split(joined, maxsplit=1)[0].strip()


def _sections(path: Path) -> list[Section]:
    text = _body(path.read_text(encoding="utf-8"))
    title = _title(text) or path.stem
    found: list[Section] = []
    heading, level, parent = title, 1, None
    current_h2: str | None = None
    lines: list[str] = []

    def close() -> None:
        body = "\n".join(lines).strip("\n")
        if body.strip():
            found.append(Section(path.stem, path, heading, level, body + "\n", parent))

    for line, fenced in _lines(text):
        split = None if fenced else _heading(line)
        if split and split[0] in (2, 3):
            close()
            level, heading = split
            if level == 2:
                current_h2, parent = heading, None
            else:
                parent = current_h2
            lines = [line]
        else:
            lines.append(line)
    close()
    return found
