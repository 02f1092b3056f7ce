"""How a lint run is asked for. Apart from the engine so the command line can check its options
before it decides whether the cache answers (the warm path never imports the analysis)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcp_server.lint.config import Config
from mcp_server.lint.files import UsageError
from mcp_server.lint.peers import Peers

if TYPE_CHECKING:
    from mcp_server.lint.environment import Environment


class LintOptions:
    """What a run checks and how. The defaults suit a long-lived caller (the MCP server): one
    process, the collector left alone. The command line, whose process ends after one run, asks
    for more: `jobs` to fork, `retain` to skip freeing the trees."""

    def __init__(
        self,
        *,
        select: tuple[str, ...] = (),
        ignore: tuple[str, ...] = (),
        jobs: int | None = None,
        overrides: dict[str, str] | None = None,
        peers: Peers | None = None,
        config: Config | None = None,
        retain: list[object] | None = None,
        confine: tuple[str, ...] | None = None,
        python: Path | None = None,
    ) -> None:
        if jobs is not None and jobs < 1:
            raise UsageError(f"--jobs must be at least 1, not {jobs}")
        self.select = select  # codes, prefixes or names: replaces the configuration's select
        self.ignore = ignore  # added to the configuration's ignore
        self.jobs = jobs  # processes to fork for a large run; None or 1: this one only
        # Text to use instead of a file's content on disk (fixes iterate in memory before
        # writing).
        self.overrides = {} if overrides is None else overrides
        self.peers = peers  # processes the command line already forked to share the work
        self.config = Config() if config is None else config
        # Where to put the run's trees instead of freeing them (millions of nodes take a sixth
        # of a run to free), for a process that exits right after the run: the command line.
        self.retain = retain
        # Real paths of the only folders whose modules imports may be followed into (the MCP
        # server's roots); None: wherever the importer's package root leads.
        self.confine = confine
        # The interpreter whose installed packages workflow code is followed into (--python);
        # None: the configuration's `python`, else the interpreter running the linter.
        self.python = python

    def replace(self, **changes: Any) -> LintOptions:
        """A copy with `changes` made."""
        return LintOptions(**{**vars(self), **changes})

    def environment(self, cache_dir: Path | None = None) -> Environment | None:
        """Where the linted code's installed packages are, or None to follow none: inside the
        MCP server's roots (`confine`), which installed packages lie outside of, and where
        running an interpreter that a root's configuration names would run the root's code."""
        if self.confine is not None:
            return None
        from mcp_server.lint.environment import describe

        if self.python is not None:
            return describe(self.python, cache_dir=cache_dir)
        configured = self.config.python
        if configured is None:
            return describe(None)
        return describe(configured, setting=f"{self.config.path}: python", cache_dir=cache_dir)


DEFAULT_OPTIONS = LintOptions()
