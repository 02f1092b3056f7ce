"""Which processes a process started: read from /proc, exited-but-unreaped ones included."""

from __future__ import annotations

from pathlib import Path


def children_of(parents: set[int]) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _parent(entry) in parents:
            found.add(int(entry.name))
    return found


def _parent(process: Path) -> int:
    try:
        return int((process / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1
