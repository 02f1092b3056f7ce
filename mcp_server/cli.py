"""`temporal-pro`: the command-line front end. It parses arguments, calls one engine function and
renders the result; every error is one line on stderr with exit code 2, never a traceback."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence

from mcp_server import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse prints the whole usage block; we promise one line.
        raise _Usage(f"{self.prog}: {message}")


class _Usage(Exception):
    pass


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="temporal-pro", description="Tools for Temporal workflows in Python.")
    parser.add_argument("--version", action="version", version=f"temporal-pro {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    lint = commands.add_parser("lint", help="find determinism mistakes in workflow code")
    lint.add_argument("paths", nargs="*", default=["."], help="files or folders; - for stdin")
    lint.add_argument("--format", choices=("text", "json"), default="text")
    lint.add_argument("--select", default="", help="comma-separated codes, prefixes or names")
    lint.add_argument("--ignore", default="", help="comma-separated codes, prefixes or names")
    lint.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="processes for large runs (default: one per CPU)",
    )
    lint.add_argument("--stdin-filename", default="<stdin>", help="file name for source on stdin")

    rules = commands.add_parser("rules", help="list every lint rule")
    rules.add_argument("--format", choices=("text", "json"), default="text")

    rule = commands.add_parser("rule", help="print one rule's documentation")
    rule.add_argument("code", help="a rule code (TPR101) or name (workflow-wall-clock)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _build_parser().parse_args(argv)
        handler = {"lint": _lint, "rules": _rules, "rule": _rule}[args.command]
        return handler(args)
    except _Usage as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        return _fail("interrupted")
    except BrokenPipeError:
        return EXIT_ERROR
    except Exception as error:  # the last guard: a one-line report, never a traceback
        from mcp_server.lint.engine import UsageError

        if isinstance(error, UsageError):
            return _fail(str(error))
        return _fail(f"internal error: {type(error).__name__}: {error}")


def _fail(message: str) -> int:
    prefix = "" if message.startswith("temporal-pro") else "temporal-pro: error: "
    print(f"{prefix}{message}", file=sys.stderr)
    return EXIT_ERROR


def _codes(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _lint(args: argparse.Namespace) -> int:
    from mcp_server.lint.engine import LintOptions, lint_paths

    if args.jobs is not None and args.jobs < 1:
        raise _Usage(f"temporal-pro lint: --jobs must be at least 1, not {args.jobs}")
    options = LintOptions(select=_codes(args.select), ignore=_codes(args.ignore), jobs=args.jobs)
    paths = [p for p in args.paths if p != "-"]
    stdin = (args.stdin_filename, sys.stdin.buffer.read()) if "-" in args.paths else None
    result = lint_paths(paths, options, stdin)
    for error in result.errors:
        print(f"temporal-pro: error: {error}", file=sys.stderr)
    report = result.report
    if args.format == "json":
        print(json.dumps(report.to_dict(), indent=2))
    else:
        _print_text(report)
    if result.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if report.findings else EXIT_CLEAN


def _print_text(report: object) -> None:
    from mcp_server.lint.models import LintReport

    assert isinstance(report, LintReport)
    for f in report.findings:
        print(f"{f.filename}:{f.location.row}:{f.location.column}: {f.code} {f.message}")
        if f.fix_title:
            print(f"    fix: {f.fix_title}")
        if len(f.chain) > 2:
            path = " -> ".join(hop.function for hop in f.chain)
            print(f"    via: {path}")
            for hop in f.chain[:-1]:
                print(f"      {hop.filename}:{hop.row}:{hop.column}: {hop.function}")
    files, count = report.summary.files, report.summary.findings
    noun = "finding" if count == 1 else "findings"
    print(
        f"{count} {noun} in {files} file{'s' if files != 1 else ''}"
        if count
        else f"All clear: {files} file{'s' if files != 1 else ''} checked"
    )


def _rules(args: argparse.Namespace) -> int:
    from mcp_server.lint.rules import RULES

    infos = [rule.info() for rule in RULES.values()]
    if args.format == "json":
        print(json.dumps([dataclasses.asdict(info) for info in infos], indent=2))
    else:
        for info in infos:
            print(f"{info.code}  {info.name:<34} {info.severity:<8} {info.summary}")
    return EXIT_CLEAN


def _rule(args: argparse.Namespace) -> int:
    from mcp_server.lint.rules import RULES

    wanted = args.code.strip()
    for rule in RULES.values():
        if wanted.upper() == rule.code or wanted == rule.name:
            print(rule.documentation(), end="")
            return EXIT_CLEAN
    return _fail(f"unknown rule: {wanted} (see `temporal-pro rules`)")
