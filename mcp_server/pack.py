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

SKILL_NAME = "temporal-python-pro"
SKILL_FILE = "SKILL.md"
REFERENCES = "references"
ZIP_NAME = f"{SKILL_NAME}.zip"

_PACKAGE = Path(__file__).resolve().parent
# In a wheel: package data (hatch force-include maps skill/ and references/ here).
_PACKAGED = _PACKAGE / "_pack"
# In a source checkout (editable install): the repository root.
_CHECKOUT = _PACKAGE.parent

# Zip entries carry this timestamp (the earliest a zip can hold) so two runs give the same bytes.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^a-z\s])")


class PackError(Exception):
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


def install_skill(dest: Path) -> Path:
    """Write the skill folder `dest/temporal-python-pro/` (SKILL.md and references/*.md), replacing
    an existing one, and return it.

    The new folder is assembled in a hidden staging folder beside it and then renamed into place,
    so readers see the old folder or the new one, never half of one. The staging folder holds the
    copy one level down, so a tool that scans `dest/*/SKILL.md` (Claude Code watches its skills
    folders) never finds a second skill there."""
    import shutil

    files = skill_files()
    dest = Path(dest)
    target = dest / SKILL_NAME
    staging = dest / f".{SKILL_NAME}.{os.getpid()}-{os.urandom(4).hex()}.tmp"
    try:
        dest.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
        fresh = staging / SKILL_NAME
        for name, source in files:
            out = fresh / name
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, out)
        _swap(fresh, target, staging / "previous")
    except OSError as error:
        raise PackError(f"cannot install the skill into {dest}: {_reason(error)}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


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
