"""lint_workflow_code's request: checked against the server's roots and limits, then one call of
the lint engine (the functions `temporal-pro lint` calls), never a write to disk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mcp_server.lint.config import Config, load_config
from mcp_server.lint.engine import lint_paths
from mcp_server.lint.files import UsageError, discover
from mcp_server.lint.fixes import fix_paths, fix_source
from mcp_server.lint.formats import render_diff
from mcp_server.lint.models import LintReport
from mcp_server.lint.options import LintOptions
from mcp_server.server import models
from mcp_server.server.settings import Limits, Roots


@dataclass
class LintRequest:
    source: str | None
    filename: str
    paths: list[str]
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    fix: Literal["none", "fixed_source", "diff"]
    unsafe_fixes: bool

    def check(self, roots: Roots, limits: Limits) -> None:
        """Resolve every path inside the roots and hold the input to the limits; raises
        OutsideRoots or UsageError with a line the model can act on."""
        if self.source is not None:
            size = len(self.source.encode("utf-8", "surrogatepass"))
            if size > limits.source_bytes:
                raise UsageError(
                    f"source: {size:,} bytes, over this server's limit of "
                    f"{limits.source_bytes:,} (--max-source-bytes); lint it by path instead"
                )
            # Relative imports are followed on disk from the module's folder: inside the roots.
            self.filename = str(roots.resolve(self.filename, "filename"))
            return
        if self.fix == "fixed_source":
            raise UsageError("fix='fixed_source' needs source; with paths, ask for fix='diff'")
        self.paths = [str(roots.resolve(path, "path")) for path in self.paths]
        if not self.paths:
            raise UsageError("paths is empty: give at least one file or folder")
        options = LintOptions(confine=roots.real_paths)
        for count, _ in enumerate(discover(self.paths, options.config), start=1):
            if count > limits.files:
                raise UsageError(
                    f"paths hold more than {limits.files:,} Python files, this server's limit "
                    "(--max-files); lint a smaller folder"
                )


def run(request: LintRequest, roots: Roots) -> models.LintOutput:
    options = LintOptions(
        select=request.select, ignore=request.ignore, confine=roots.real_paths,
        config=_project_config(roots),
    )  # fmt: skip
    unsafe = request.unsafe_fixes
    fixed, fixed_source, diff = 0, None, None
    source = request.source
    if source is not None:
        linted = lint_paths([], options, stdin=(request.filename, source))
    else:
        linted = lint_paths(request.paths, options)
    report, errors = linted.report, list(linted.errors)
    if source is not None and request.fix != "none":
        result = fix_source(source, request.filename, unsafe, options)
        fixed, errors = result.fixed, errors + result.errors
        if request.fix == "fixed_source":
            fixed_source = result.source
        else:
            diff = render_diff({request.filename: (source, result.source)} if result.fixed else {})
    elif request.fix == "diff":
        result_paths = fix_paths(request.paths, options, unsafe)
        fixed, diff = result_paths.fixed, render_diff(result_paths.changed)
        errors += result_paths.errors
    return models.LintOutput(
        findings=report.findings, summary=report.summary, rules=_links(report), errors=errors,
        warnings=list(linted.warnings), fixed=fixed, fixed_source=fixed_source, diff=diff,
    )  # fmt: skip


def _project_config(roots: Roots) -> Config:
    """The first root's own [tool.temporal-pro] settings, as the CLI run there would read them
    (never a pyproject.toml above the roots: the server reads nothing outside them)."""
    candidate = roots.folders[0] / "pyproject.toml"
    return load_config(candidate) if candidate.is_file() else Config()


def _links(report: LintReport) -> dict[str, models.RuleLink]:
    from mcp_server.lint.rules import RULES

    return {
        code: models.RuleLink(
            name=RULES[code].name, summary=RULES[code].info().summary, uri=models.rule_uri(code)
        )
        for code in sorted({finding.code for finding in report.findings})
        if code in RULES
    }
