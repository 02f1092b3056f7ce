"""Processes that split one analysis between them.

Every peer computes the same partition of the files (it is deterministic) and analyzes its own
share; peer 0 (the original process) receives the others' findings over pipes, merges them and
reports. The command line forks its peers before importing the analysis, so importing, finding
and reading the files happen in parallel too; in-process callers fork at the analysis instead.
A peer other than 0 never returns: it sends its share and leaves with os._exit.

Kept free of heavy imports: the command line imports it before the engine.
"""

from __future__ import annotations

import os


class Peers:
    def __init__(self, index: int = 0, count: int = 1) -> None:
        self.index = index  # 0: the process that merges and reports
        self.count = count
        self._children: list[tuple[int, int]] = []  # (pid, read end), in peer 0
        self._write_end: int | None = None  # in the others

    @property
    def is_helper(self) -> bool:
        return self.index > 0

    @classmethod
    def start(cls, count: int) -> Peers:
        """Fork `count - 1` helpers; each returns its own Peers (index 1..), the caller gets 0."""
        if count < 2 or not hasattr(os, "fork"):
            return cls()
        parent = cls(0, count)
        for index in range(1, count):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read_end)
                for _, inherited in parent._children:
                    os.close(inherited)
                child = cls(index, count)
                child._write_end = write_end
                return child
            os.close(write_end)
            parent._children.append((pid, read_end))
        return parent

    def send(self, share: object) -> None:
        """In a helper: hand the share to peer 0 and leave (no cleanup, no output of its own)."""
        import pickle

        assert self._write_end is not None
        try:
            payload = pickle.dumps(share)
        except BaseException as error:  # report it rather than fall back into the caller's code
            payload = pickle.dumps(([], [f"internal error: {type(error).__name__}: {error}"]))
        with os.fdopen(self._write_end, "wb") as stream:
            stream.write(payload)
        os._exit(0)

    def leave(self) -> None:
        """In a helper that failed before its share was ready: peer 0 reports the failure."""
        os._exit(1)

    def receive(self) -> list[object]:
        """In peer 0: every helper's share, in index order (None for a helper that died)."""
        import pickle

        shares: list[object] = []
        for pid, read_end in self._children:
            with os.fdopen(read_end, "rb") as stream:
                data = stream.read()
            os.waitpid(pid, 0)
            shares.append(pickle.loads(data) if data else None)
        self._children = []
        return shares
