"""What the operator decides when starting the server: which folders its tools may read, how large
an input or an answer may be, how long and how much memory a replay may use, and which Temporal
server (if any) replay may fetch histories from. A model calling a tool can change none of it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from mcp_server.errors import InputError


class OutsideRoots(InputError):
    """A path a tool call named that leads outside the server's folders; one line."""


@dataclass(frozen=True)
class Limits:
    source_bytes: int = 1_000_000  # source text passed inline
    history_bytes: int = 50_000_000  # history JSON, inline or one file
    files: int = 2_000  # Python files one lint call may read, history files one replay may
    output_bytes: int = 2_000_000  # the JSON of one answer
    replay_seconds: float = 120.0  # one replay call, its child process included
    replay_memory_mb: int = 2_048  # the replay child's address space


@dataclass(frozen=True)
class Roots:
    """The folders the tools may read, as real paths (symlinks resolved)."""

    folders: tuple[Path, ...]

    @classmethod
    def of(cls, folders: list[str] | tuple[str, ...]) -> Roots:
        """The operator's `--root` folders; a missing one is an error at start-up, not later."""
        resolved = []
        for folder in folders or [os.getcwd()]:
            path = Path(folder).expanduser().resolve()
            if not path.is_dir():
                raise ValueError(f"--root {folder}: not a folder")
            resolved.append(path)
        return cls(tuple(dict.fromkeys(resolved)))

    def resolve(self, given: str, what: str = "path") -> Path:
        """The real path `given` names: relative paths are taken from the first root where they
        exist (else the first root). `..`, absolute paths and symlinks that lead outside every
        root are refused."""
        if not given or "\0" in given:
            raise OutsideRoots(f"{what} {given!r}: not a path")
        path = Path(given)
        if not path.is_absolute():
            bases = [root / path for root in self.folders]
            path = next((p for p in bases if p.exists()), bases[0])
        real = path.resolve()
        if not any(real == root or real.is_relative_to(root) for root in self.folders):
            where = ", ".join(str(root) for root in self.folders)
            raise OutsideRoots(
                f"{what} {given}: outside the folders this server may read ({where}); "
                "give a path inside them"
            )
        return real

    @property
    def real_paths(self) -> tuple[str, ...]:
        return tuple(str(root) for root in self.folders)


@dataclass(frozen=True)
class ServerSettings:
    roots: Roots = field(default_factory=lambda: Roots.of([]))
    limits: Limits = Limits()
    # Replay may fetch histories from this server only: the operator's choice, never a model's.
    temporal_address: str | None = None
    temporal_namespace: str = "default"
