"""Processes that split one analysis between them.

Every peer computes the same list of chunks of work (it is deterministic), then claims chunks one
at a time from a pipe they all share, so a peer that finishes early takes more: no static split
can be balanced when the cost of a chunk is only known once it is analyzed. Peer 0 (the original
process) puts the chunk numbers in the pipe, receives the others' findings over pipes of their
own, merges them and reports. The command line forks its peers before importing the analysis,
so importing, finding and reading the files happen in parallel too; in-process callers fork at
the analysis instead. A peer other than 0 never returns: it sends its share and leaves with
os._exit.

Kept free of heavy imports: the command line imports it before the engine.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

_TOKEN = 4  # bytes per chunk number in the shared pipe

# Helpers that had sent their share but were still exiting (freeing a large run's memory takes
# milliseconds): reaped by the next start, so a long-lived caller collects no zombies, and
# nobody waits for them at the end of a run.
_exiting: list[int] = []


class Peers:
    def __init__(self, index: int = 0, count: int = 1) -> None:
        self.index = index  # 0: the process that merges and reports
        self.count = count
        self._children: list[tuple[int, int]] = []  # (pid, read end), in peer 0
        self._write_end: int | None = None  # in the others
        self._work: tuple[int, int | None] | None = None  # the shared pipe: (read end, write end)
        self._offered = 0  # without peers, this process claims every chunk itself

    @property
    def is_helper(self) -> bool:
        return self.index > 0

    @classmethod
    def start(cls, count: int) -> Peers:
        """Fork `count - 1` helpers; each returns its own Peers (index 1..), the caller gets 0."""
        if count < 2 or not hasattr(os, "fork"):
            return cls()
        while _exiting:
            os.waitpid(_exiting.pop(), 0)
        parent = cls(0, count)
        work_read, work_write = os.pipe()
        parent._work = (work_read, work_write)
        for index in range(1, count):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read_end)
                os.close(work_write)  # only peer 0 writes work: the others must see its end
                for _, inherited in parent._children:
                    os.close(inherited)
                child = cls(index, count)
                child._write_end = write_end
                child._work = (work_read, None)
                return child
            os.close(write_end)
            parent._children.append((pid, read_end))
        return parent

    def offer(self, chunks: int) -> None:
        """In peer 0: put chunk numbers 0..chunks-1 up for claiming (0: nothing to share); the
        others do nothing here. Every peer then calls `claims`."""
        if self._work is None:
            self._offered = chunks
            return
        read_end, write_end = self._work
        if write_end is None:
            return
        with os.fdopen(write_end, "wb") as stream:  # closing it is what ends the claiming
            stream.write(b"".join(n.to_bytes(_TOKEN, "big") for n in range(chunks)))
        self._work = (read_end, None)

    def claims(self) -> Iterator[int]:
        """The chunk numbers this peer claims, one at a time, until none are left. A read of a
        few bytes from a pipe takes them whole, so no two peers ever claim the same chunk."""
        if self._work is None:
            yield from range(self._offered)
            return
        read_end = self._work[0]
        while len(token := os.read(read_end, _TOKEN)) == _TOKEN:
            yield int.from_bytes(token, "big")
        os.close(read_end)  # a long-lived caller (the MCP server) must not collect pipes
        self._work = None

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
        if not self._children:
            return []
        import pickle

        shares: list[object] = []
        for pid, read_end in self._children:
            with os.fdopen(read_end, "rb") as stream:
                data = stream.read()
            if os.waitpid(pid, os.WNOHANG) == (0, 0):
                _exiting.append(pid)
            shares.append(pickle.loads(data) if data else None)
        self._children = []
        return shares
