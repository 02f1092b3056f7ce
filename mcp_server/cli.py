"""`temporal-pro`: the command-line front end. It parses arguments, calls one engine function and
renders the result; every error is one line on stderr with exit code 2, never a traceback."""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from mcp_server import __version__

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the cached path is short)

if TYPE_CHECKING:
    from mcp_server.lint.cache import Output
    from mcp_server.lint.config import Config
    from mcp_server.lint.models import LintReport
    from mcp_server.lint.options import LintOptions
    from mcp_server.lint.peers import Peers
    from mcp_server.replay.models import ServerSpec

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Formatter(argparse.HelpFormatter):
    """argparse's own, told the terminal width: left to find it, it imports shutil (and the
    compression modules shutil imports), and add_argument builds a formatter on every call,
    so that import cost a tenth of a cached lint run."""

    def __init__(self, prog: str) -> None:
        try:
            width = int(os.environ["COLUMNS"])
        except (KeyError, ValueError):
            try:
                width = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
            except (AttributeError, ValueError, OSError):  # no stdout, or not a terminal
                width = 80
        super().__init__(prog, width=width - 2)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse prints the whole usage block; we promise one line.
        raise _Usage(message)


class _Usage(Exception):
    """Bad usage, said in one line; `main` adds the program's prefix."""


# Every command, with the line `temporal-pro` alone and `--help` print for it.
_COMMANDS = {
    "lint": "find determinism mistakes in workflow code",
    "replay": "replay workflow histories against the current code",
    "rules": "list every lint rule",
    "rule": "print one rule's documentation",
    "docs": "list the reference topics, print one, or search them",
    "skill": "install the knowledge pack as an Agent Skill, or zip it",
    "explain-timeout": "explain a timeout from a history, an error or values; check code's",
    "scaffold": "write a saga package that is correct by construction, with its tests",
    "eval": "score AI-written workflow code for determinism mistakes; print the tasks",
    "mcp": "serve the linter, replay and the references to assistants and IDEs (MCP)",
}
_EVAL_ACTIONS = ("score", "prompts", "calibrate", "worker")
_SCAFFOLD_ACTIONS = ("saga",)
_SKILL_ACTIONS = ("install", "zip")


def _build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only`, just that command's part (each argparse parser costs a few ms,
    a real share of a cached lint run)."""
    parser = _Parser(prog="temporal-pro", description="Tools for Temporal workflows in Python.")
    parser.add_argument("--version", action="version", version=f"temporal-pro {__version__}")
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser, metavar="COMMAND"
    )
    if only in (None, "lint"):
        _add_lint(commands)
    if only in (None, "replay"):
        _add_replay(commands)
    if only in (None, "rules"):
        rules = commands.add_parser("rules", help=_COMMANDS["rules"])
        rules.add_argument("--format", choices=("text", "json"), default="text")
    if only in (None, "rule"):
        rule = commands.add_parser("rule", help=_COMMANDS["rule"])
        rule.add_argument("code", help="a rule code (TPR101) or name (workflow-wall-clock)")
    if only in (None, "skill"):
        skill = commands.add_parser("skill", help=_COMMANDS["skill"])
        actions = skill.add_subparsers(
            dest="action", required=True, parser_class=_Parser, metavar="{install,zip}"
        )
        install = actions.add_parser(
            "install", help="write temporal-python-pro/ to a skills folder"
        )
        where = install.add_mutually_exclusive_group()
        where.add_argument(
            "--dest", metavar="DIR", help="skills folder (default: ~/.claude/skills)"
        )
        where.add_argument("--project", action="store_true", help="use ./.claude/skills")
        install.add_argument(
            "--force",
            action="store_true",
            help="replace an installed copy you changed (it is kept as a backup)",
        )
        archive = actions.add_parser("zip", help="write a zip for uploading the skill")
        archive.add_argument("--output", metavar="FILE", help="default: ./temporal-python-pro.zip")
    if only in (None, "explain-timeout"):
        _add_explain_timeout(commands)
    if only in (None, "scaffold"):
        _add_scaffold(commands)
    if only in (None, "eval"):
        _add_eval(commands)
    if only in (None, "mcp"):
        _add_mcp(commands)
    if only in (None, "docs"):
        docs = commands.add_parser("docs", help=_COMMANDS["docs"])
        docs.add_argument("topic", nargs="*", help="a topic (testing) or words to search for")
    return parser


def _add_lint(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    lint = commands.add_parser("lint", help=_COMMANDS["lint"])
    lint.add_argument("paths", nargs="*", default=["."], help="files or folders; - for stdin")
    lint.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text")
    lint.add_argument("--statistics", action="store_true", help="print counts per rule instead")
    lint.add_argument("--config", metavar="FILE", help="a pyproject.toml (default: the nearest)")
    lint.add_argument("--cache-dir", metavar="DIR", help="default: .temporal-pro-cache/ beside it")
    lint.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    lint.add_argument("--fix", action="store_true", help="apply safe fixes to the files")
    lint.add_argument(
        "--unsafe-fixes", action="store_true", help="with --fix or --diff, apply unsafe fixes too"
    )
    lint.add_argument(
        "--diff", action="store_true", help="print the fixes as a diff instead of writing them"
    )
    lint.add_argument("--select", help="comma-separated codes, prefixes or names")
    lint.add_argument("--ignore", help="comma-separated codes, prefixes or names")
    lint.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="processes for large runs (default: one per CPU)",
    )
    lint.add_argument("--stdin-filename", default="<stdin>", help="file name for source on stdin")
    lint.add_argument(
        "--python",
        metavar="PATH",
        help="the interpreter whose installed packages to follow calls into (default: this one)",
    )


def _add_explain_timeout(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    explain = commands.add_parser(
        "explain-timeout",
        help=_COMMANDS["explain-timeout"],
        description="Explain timeouts: every one a history records (which, what it measures, "
        "the configured values, a timeline, the likely cause, what to change); the timeout an "
        "error text reports; the attempt-by-attempt schedule of given values; and the "
        "timeout and retry configuration of code, with warnings. The ways in combine. Exit 0 "
        "when nothing timed out or needs attention, 1 when something does, 2 on bad usage.",
    )
    explain.add_argument("--format", choices=("text", "json"), default="text")
    sources = explain.add_argument_group("from a history, code or an error")
    sources.add_argument(
        "--history", action="append", metavar="FILE", help="a history JSON file (repeatable)"
    )
    sources.add_argument(
        "--code", action="append", metavar="PATH", help="workflow code to check (repeatable)"
    )
    sources.add_argument(
        "--error",
        metavar="TEXT",
        help="a traceback, an ActivityError's text, or a failure JSON; - reads it from stdin",
    )
    server = explain.add_argument_group("a history from a Temporal server")
    server.add_argument("--workflow-id", metavar="ID")
    server.add_argument("--run-id", metavar="ID")
    _add_connection(server)
    values = explain.add_argument_group("from values (durations such as 30s, 5m, 1h30m, 250ms)")
    for flag in _DURATION_FLAGS:
        values.add_argument(f"--{flag}", metavar="DURATION")
    values.add_argument("--retry-backoff", type=float, metavar="N", help="backoff coefficient")
    values.add_argument(
        "--retry-max-attempts", type=int, metavar="N", help="maximum attempts (0: unlimited)"
    )


_DURATION_FLAGS = (
    "start-to-close", "schedule-to-close", "schedule-to-start", "heartbeat", "retry-initial",
    "retry-max-interval",
)  # fmt: skip


def _add_scaffold(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    scaffold = commands.add_parser("scaffold", help=_COMMANDS["scaffold"])
    kinds = scaffold.add_subparsers(
        dest="action", required=True, parser_class=_Parser, metavar="{saga}"
    )
    saga = kinds.add_parser(
        "saga",
        help="a saga: steps with compensations, a worker, a starter and tests",
        description="Write a small runnable package: the saga workflow (each compensation "
        "registered before its step, run in reverse on failure or cancellation), activity "
        "stubs with idempotency keys, a worker, a starter, tests in the time-skipping test "
        "server, and a README. It lints clean under temporal-pro with every rule.",
    )
    saga.add_argument("name", help="the saga's name, a Python identifier (order)")
    saga.add_argument(
        "--step",
        action="append",
        metavar="STEP[:COMPENSATION]",
        help="a step and the activity that undoes it, in order (repeatable)",
    )
    saga.add_argument(
        "--parallel",
        action="append",
        metavar="STEP,STEP",
        help="steps that run together and are compensated as a group (repeatable)",
    )
    saga.add_argument("--spec", metavar="FILE", help="a TOML or JSON spec instead of --step")
    saga.add_argument("--out", metavar="DIR", help="where to write it (default: ./NAME_saga)")
    saga.add_argument("--pydantic", action="store_true", help="pydantic models, not dataclasses")
    saga.add_argument("--dry-run", action="store_true", help="print the files, write nothing")
    saga.add_argument("--force", action="store_true", help="write into a folder that has files")


def _add_eval(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    evals = commands.add_parser("eval", help=_COMMANDS["eval"])
    actions = evals.add_subparsers(
        dest="action",
        required=True,
        parser_class=_Parser,
        metavar="{score,prompts,calibrate,worker}",
    )
    score = actions.add_parser(
        "score",
        help="score model outputs: a folder of files named by task id, or a JSONL file",
        description="Score model answers for determinism mistakes: each answer's code is "
        "extracted from its Markdown fences, checked to parse and to define the task's "
        "workflow, and linted; error-level findings are mistakes, warnings are listed. Exit 0 "
        "when every sample is clean, 1 otherwise, 2 on bad usage.",
    )
    score.add_argument(
        "outputs", help="a folder of <task_id>.md files, or a JSONL of task_id/output"
    )
    score.add_argument("--format", choices=("text", "json", "html"), default="text")
    score.add_argument("--output", metavar="FILE", help="write the report here (html needs it)")
    score.add_argument("--baseline", metavar="REPORT.json", help="compare with another run's JSON")
    score.add_argument("--jobs", type=int, metavar="N", help="processes (default: one per CPU)")
    score.add_argument(
        "--dynamic",
        action="store_true",
        help="also run each answer in the time-skipping test server and replay it under other "
        "hash seeds and a shifted clock (needs temporal-python-pro[dynamic])",
    )
    cluster = score.add_argument_group("score on a Temporal cluster (run `eval worker` there)")
    cluster.add_argument("--temporal-address", metavar="HOST:PORT")
    cluster.add_argument("--namespace", default="default")
    cluster.add_argument("--task-queue", metavar="QUEUE", default="temporal-pro-eval")
    worker = actions.add_parser("worker", help="score samples for `eval score --temporal-address`")
    worker.add_argument("--temporal-address", metavar="HOST:PORT", required=True)
    worker.add_argument("--namespace", default="default")
    worker.add_argument("--task-queue", metavar="QUEUE", default="temporal-pro-eval")
    worker.add_argument("--jobs", type=int, metavar="N", help="processes (default: one per CPU)")
    prompts = actions.add_parser("prompts", help="print the tasks as JSONL for a model runner")
    prompts.add_argument(
        "--with-skill", action="store_true", help="give SKILL.md as each task's system prompt"
    )
    actions.add_parser(
        "calibrate", help="the scorer's precision and recall on the labelled outputs"
    )


def _add_mcp(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from mcp_server.server.settings import Limits

    mcp = commands.add_parser(
        "mcp",
        help=_COMMANDS["mcp"],
        description="Serve the linter, replay and the knowledge pack over the Model Context "
        "Protocol. Tools read files only inside the --root folders, never reach the network, "
        "and replay imports workflow code in a child process with time and memory limits.",
    )
    mcp.add_argument("--transport", choices=("stdio", "streamable-http"), default="stdio")
    mcp.add_argument("--host", default="127.0.0.1", help="for streamable-http (default 127.0.0.1)")
    mcp.add_argument("--port", type=int, default=8000, help="for streamable-http (default 8000)")
    mcp.add_argument(
        "--root",
        action="append",
        metavar="DIR",
        help="a folder the tools may read (repeatable; default: the current directory)",
    )
    limits = mcp.add_argument_group("limits (a call over one gets a tool error)")
    default = Limits()
    for flag, kind, value, unit in (
        ("--max-source-bytes", int, default.source_bytes, "source text passed inline"),
        ("--max-history-bytes", int, default.history_bytes, "one history's JSON"),
        ("--max-files", int, default.files, "files one call may read"),
        ("--max-output-bytes", int, default.output_bytes, "one answer's JSON"),
        ("--replay-timeout", float, default.replay_seconds, "seconds one replay call may take"),
        ("--replay-memory-mb", int, default.replay_memory_mb, "the replay child's memory"),
    ):
        limits.add_argument(flag, type=kind, default=value, metavar="N", help=f"{unit} ({value:g})")
    temporal = mcp.add_argument_group("replay from a live server (off unless given)")
    temporal.add_argument(
        "--temporal-address", metavar="HOST:PORT", help="the only server replay may fetch from"
    )
    temporal.add_argument("--temporal-namespace", default="default", metavar="NAMESPACE")


def _add_replay(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    replay = commands.add_parser(
        "replay",
        help=_COMMANDS["replay"],
        description="Replay histories (files, folders, or fetched from a server) against your "
        "workflow code. Exit 0 when every history replays, 1 when one does not, 2 on bad usage.",
    )
    replay.add_argument(
        "histories", nargs="*", help="history JSON files or folders of them; - for stdin"
    )
    replay.add_argument(
        "--workflows",
        "-w",
        action="append",
        required=True,
        metavar="SPEC",
        help="a file, a module, or either with :Class (repeatable); every @workflow.defn class "
        "found is registered",
    )
    replay.add_argument(
        "--data-converter",
        metavar="SPEC",
        help="module:name of your workers' DataConverter (or a function returning it), with "
        "its codecs",
    )
    replay.add_argument("--format", choices=("text", "json"), default="text")
    replay.add_argument(
        "--hash-seeds",
        type=int,
        default=0,
        metavar="N",
        help="replay in N fresh processes under PYTHONHASHSEED=1..N (finds set-order bugs)",
    )
    replay.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="give up on a history that takes longer (a workflow that blocks); default 60",
    )
    server = replay.add_argument_group("histories from a Temporal server")
    server.add_argument("--workflow-id", metavar="ID", help="replay this workflow's history")
    server.add_argument(
        "--run-id", metavar="ID", help="with --workflow-id: this run, not the latest"
    )
    server.add_argument(
        "--query", metavar="QUERY", help="a list filter, e.g. \"WorkflowType='Order'\""
    )
    server.add_argument(
        "--limit", type=int, metavar="N", help="with --query: at most N (default 100)"
    )
    _add_connection(server)


def _add_connection(group: argparse._ArgumentGroup) -> None:
    """How to reach a Temporal server, as the temporal CLI's own flags say it."""
    group.add_argument("--address", help="host:port (default: $TEMPORAL_ADDRESS or localhost:7233)")
    group.add_argument("--namespace", help="default: $TEMPORAL_NAMESPACE or default")
    group.add_argument("--api-key", help="default: $TEMPORAL_API_KEY; implies --tls")
    group.add_argument("--tls", action="store_true", help="connect with TLS")
    group.add_argument("--tls-cert", metavar="FILE", help="client certificate (mTLS)")
    group.add_argument("--tls-key", metavar="FILE", help="client private key (mTLS)")
    group.add_argument("--tls-ca", metavar="FILE", help="server CA certificate")
    group.add_argument("--tls-server-name", metavar="NAME", help="server name to verify")
    group.add_argument("--profile", help="a profile of the temporal CLI's config file")


def _server_spec(args: argparse.Namespace) -> ServerSpec:
    from mcp_server.replay.models import ServerSpec

    return ServerSpec(
        args.address, args.namespace, args.api_key, args.tls, args.tls_cert, args.tls_key,
        args.tls_ca, args.tls_server_name, args.profile,
    )  # fmt: skip


def entry() -> None:
    """The console script: run, flush, and leave without tearing down the analysis' objects
    (freeing the trees of a large run takes longer than writing its report)."""
    _fill_closed_descriptors()
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except OSError as error:  # a broken pipe, a full disk (> /dev/full)
            code = _fail(_prog(sys.argv[1:]), _write_error(stream, error))
    os._exit(code)


def _fill_closed_descriptors() -> None:
    """Put /dev/null on a closed standard descriptor, so that no file this run opens (a fix's
    temporary file, a cache entry) takes its number and receives what a child process or the
    SDK's core writes to it. Python has already set the matching sys stream to None."""
    for descriptor in (0, 1, 2):
        try:
            os.fstat(descriptor)
        except OSError:
            os.open(os.devnull, os.O_RDWR)  # the lowest free number: this one


def _write_error(stream: object, error: OSError) -> str:
    name = "output" if stream is sys.stdout else "error"
    return f"cannot write to standard {name}: {error.strerror or error}"


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    prog = _prog(words)
    try:
        for stream, name in ((sys.stdout, "output"), (sys.stderr, "error")):
            if stream is None:  # every command reports on both
                raise _Usage(f"standard {name} is closed; redirect it to a file or /dev/null")
        if not words:
            return _overview()
        command = next((w for w in words if not w.startswith("-")), None)
        if command is not None and command not in _COMMANDS and words[0] == command:
            raise _Usage(f"unknown command '{command}' (the commands: {', '.join(_COMMANDS)})")
        args = _build_parser(command if command in _COMMANDS else None).parse_args(words)
        args.command_line = tuple(words)  # what a quick-path record of this run is keyed by
        handlers = {
            "lint": _lint,
            "rules": _rules,
            "rule": _rule,
            "skill": _skill,
            "docs": _docs,
            "replay": _replay,
            "mcp": _mcp,
            "explain-timeout": _explain_timeout,
            "eval": _eval,
            "scaffold": _scaffold,
        }
        return handlers[args.command](args)
    except _Usage as error:
        return _fail(prog, str(error))
    except KeyboardInterrupt:
        return _fail(prog, "interrupted")
    except OSError as error:
        return _os_error(prog, error)
    except Exception as error:  # the last guard: a one-line report, never a traceback
        return _fail(prog, _internal(error))


def _os_error(prog: str, error: OSError) -> int:
    if error.errno not in (errno.EPIPE, errno.ENOSPC, errno.EIO) or sys.stdout is None:
        return _fail(prog, _internal(error))
    return _fail(prog, _write_error(sys.stdout, error))


def replay_failed(words: Sequence[str], error: BaseException) -> int:
    """The exit code when writing a report the quick path (lint/quick.py) replays fails or is
    interrupted, said in one line as main says it."""
    prog = _prog(words)
    if isinstance(error, OSError):
        return _os_error(prog, error)
    return _fail(prog, "interrupted")


def _internal(error: Exception) -> str:
    from mcp_server.errors import InputError

    if isinstance(error, InputError):
        return str(error)
    return f"internal error: {type(error).__name__}: {error}"


def _prog(words: Sequence[str]) -> str:
    """`temporal-pro`, and the command (with its action) when the words name one: the prefix of
    every line this program writes to stderr."""
    named = [w for w in words if not w.startswith("-")][:2]
    if not named or named[0] not in _COMMANDS:
        return "temporal-pro"
    by_command = {"skill": _SKILL_ACTIONS, "eval": _EVAL_ACTIONS, "scaffold": _SCAFFOLD_ACTIONS}
    actions = by_command.get(named[0], ())
    if named[1:] and named[1] in actions:
        return f"temporal-pro {named[0]} {named[1]}"
    return f"temporal-pro {named[0]}"


def _fail(prog: str, message: str) -> int:
    if sys.stderr is not None:  # closed: nothing can be said, the exit code says it
        with contextlib.suppress(OSError):  # a broken stderr: as above
            print(f"{prog}: error: {message}", file=sys.stderr, flush=True)
    return EXIT_ERROR


def _overview() -> int:
    """`temporal-pro` alone: the commands, one line each, as git does (exit 2: nothing ran)."""
    width = max(map(len, _COMMANDS))
    lines = [
        "usage: temporal-pro COMMAND [OPTIONS]   (temporal-pro COMMAND --help for its options)",
        "",
        "Commands:",
        *(f"  {name:<{width}}  {summary}" for name, summary in _COMMANDS.items()),
        "",
        f"temporal-pro {__version__}. Start with: temporal-pro lint PATH",
    ]
    print("\n".join(lines))
    return EXIT_ERROR


def _explain_timeout(args: argparse.Namespace) -> int:
    from mcp_server.timeouts import durations, report
    from mcp_server.timeouts.engine import TimeoutRequest, explain
    from mcp_server.timeouts.schedule import Values

    given = {flag: getattr(args, flag.replace("-", "_")) for flag in _DURATION_FLAGS}
    seconds = {
        flag.replace("-", "_"): durations.parse(value, f"--{flag}")
        for flag, value in given.items()
        if value is not None
    }
    values = None
    if seconds or args.retry_backoff is not None or args.retry_max_attempts is not None:
        values = Values(
            **seconds, retry_backoff=args.retry_backoff, retry_max_attempts=args.retry_max_attempts
        )
    server = _server_spec(args) if args.workflow_id else None
    error = _read_stdin().decode(errors="replace") if args.error == "-" else args.error
    request = TimeoutRequest(
        history_paths=tuple(args.history or ()),
        server=server,
        workflow_id=args.workflow_id,
        run_id=args.run_id,
        code_paths=tuple(args.code or ()),
        values=values,
        error=error,
    )
    result = explain(request)
    print(report.json_text(result) if args.format == "json" else report.text(result), end="")
    attention = (
        result.timeouts or result.warnings or (result.schedule and result.schedule.unbounded)
    )
    return EXIT_FINDINGS if attention else EXIT_CLEAN


def _scaffold(args: argparse.Namespace) -> int:
    from mcp_server import scaffold

    if args.spec and (args.step or args.parallel):
        raise _Usage("give --spec or --step/--parallel, not both")
    if args.spec:
        spec = scaffold.load_spec(args.spec, args.name, args.pydantic or None)
    else:
        spec = scaffold.parse_steps(
            args.name, args.step or [], args.parallel or [], pydantic=args.pydantic
        )
    files = scaffold.scaffold_saga(spec)
    if args.dry_run:
        for file in files:
            print(
                f"==> {file.path} <==\n{file.content}",
                end="" if file.content.endswith("\n") else "\n",
            )
        return EXIT_CLEAN
    out = Path(args.out) if args.out else Path(f"{spec.name}_saga")
    written = scaffold.write_files(files, out, force=args.force)
    print(f"Wrote {len(written)} files to {out}; run its tests: cd {out} && python -m pytest")
    return EXIT_CLEAN


def _eval(args: argparse.Namespace) -> int:
    if args.action == "prompts":
        from mcp_server import pack
        from mcp_server.evals.tasks import load_tasks

        system = pack.skill_text() if args.with_skill else None
        for task in load_tasks().values():
            row = {"task_id": task.id, "prompt": task.prompt}
            if system is not None:
                row["system"] = system
            print(json.dumps(row))
        return EXIT_CLEAN
    if args.action == "calibrate":
        from mcp_server.evals import calibrate

        result = calibrate.calibrate()
        print(calibrate.text(result), end="")
        return EXIT_FINDINGS if result.below_floor() else EXIT_CLEAN
    if args.action == "worker":
        import asyncio

        from mcp_server.evals.distributed import run_worker

        if args.jobs is not None and args.jobs < 1:
            raise _Usage(f"--jobs must be at least 1, not {args.jobs}")
        where = f"task queue {args.task_queue} at {args.temporal_address}"
        print(f"Scoring samples for {where}", file=sys.stderr)
        asyncio.run(run_worker(args.temporal_address, args.namespace, args.task_queue, args.jobs))
        return EXIT_CLEAN
    return _eval_score(args)


def _eval_score(args: argparse.Namespace) -> int:
    from mcp_server.evals import report, suite

    if args.jobs is not None and args.jobs < 1:
        raise _Usage(f"--jobs must be at least 1, not {args.jobs}")
    if args.format == "html" and not args.output:
        raise _Usage("--format html writes a file: add --output FILE")
    outputs = suite.read_outputs(args.outputs)
    remote = None
    if args.temporal_address:
        remote = suite.Remote(args.temporal_address, args.namespace, args.task_queue)
    result = suite.score_outputs(outputs, args.jobs, _progress_bar(), remote, args.dynamic)
    if args.baseline:
        suite.compare(result, args.baseline)
    rendered = {"text": report.text, "json": report.json_text, "html": report.html}[args.format](
        result
    )
    if args.output:
        try:
            Path(args.output).write_text(rendered, encoding="utf-8")
        except OSError as error:
            raise _Usage(f"--output {args.output}: {error.strerror or error}") from None
        print(f"Wrote {args.output}", file=sys.stderr)
        if args.format != "text":
            print(report.text(result), end="")
    else:
        print(rendered, end="" if rendered.endswith("\n") else "\n")
    return EXIT_CLEAN if all(s.score == 1.0 for s in result.samples) else EXIT_FINDINGS


def _progress_bar():  # type: ignore[no-untyped-def]
    """A one-line progress bar on stderr, when stderr is a terminal and the run is long."""
    if sys.stderr is None or not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        if total < 20:
            return
        width = 30
        filled = round(done / total * width)
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}{end}")
        sys.stderr.flush()

    return show


def _mcp(args: argparse.Namespace) -> int:
    import anyio

    from mcp_server.server.settings import Limits, Roots, ServerSettings

    limits = Limits(
        source_bytes=args.max_source_bytes,
        history_bytes=args.max_history_bytes,
        files=args.max_files,
        output_bytes=args.max_output_bytes,
        replay_seconds=args.replay_timeout,
        replay_memory_mb=args.replay_memory_mb,
    )
    for name, value in vars(limits).items():
        if not 0 < value < float("inf"):
            raise _Usage(f"--{_LIMIT_FLAGS[name]} must be positive, not {value:g}")
    if not 0 < args.port < 65536:
        raise _Usage(f"--port must be between 1 and 65535, not {args.port}")
    try:
        roots = Roots.of(args.root or [])
    except ValueError as error:
        raise _Usage(str(error)) from None
    settings = ServerSettings(roots, limits, args.temporal_address, args.temporal_namespace)
    if args.transport == "streamable-http":
        import socket

        try:  # uvicorn would report a busy port in its own words and exit 3
            socket.create_server((args.host, args.port)).close()
        except OSError as error:
            reason = os.strerror(error.errno) if error.errno else str(error)
            raise _Usage(f"cannot listen on {args.host}:{args.port}: {reason}") from None
    from mcp_server.server.app import build_server

    server = build_server(settings)
    serve = (
        server.run_stdio_async
        if args.transport == "stdio"
        else functools.partial(server.run_streamable_http_async, host=args.host, port=args.port)
    )
    try:
        anyio.run(serve)
    except Exception as error:
        # The SDK's task groups wrap what went wrong; a client that closed the pipe is an
        # OSError inside, which main reports in one line like any other command's.
        raise _innermost(error) from None
    return EXIT_CLEAN


def _innermost(error: BaseException) -> BaseException:
    """The first error of a (nested) exception group, or the error itself (duck-typed: on
    Python 3.10 the groups come from the exceptiongroup backport)."""
    while inner := getattr(error, "exceptions", None):
        error = inner[0]
    return error


_LIMIT_FLAGS = {
    "source_bytes": "max-source-bytes",
    "history_bytes": "max-history-bytes",
    "files": "max-files",
    "output_bytes": "max-output-bytes",
    "replay_seconds": "replay-timeout",
    "replay_memory_mb": "replay-memory-mb",
}


def _replay(args: argparse.Namespace) -> int:
    import dataclasses

    from mcp_server.replay import engine, report
    from mcp_server.replay.models import ReplayOptions, ReplayRequest

    files = [path for path in args.histories if path != "-"]
    if len(files) < len(args.histories) - 1:
        raise _Usage("- (standard input) can be given once")
    from_server = bool(args.workflow_id or args.query)
    request = ReplayRequest(
        workflows=tuple(args.workflows),
        paths=tuple(files),
        # Read last: bad options are reported before waiting on a terminal.
        sources=(("<stdin>", b""),) if "-" in args.histories else (),
        server=_server_spec(args) if from_server else None,
        workflow_id=args.workflow_id,
        run_id=args.run_id,
        query=args.query,
        limit=args.limit,
        options=ReplayOptions(args.hash_seeds, args.timeout, args.data_converter),
    )  # fmt: skip
    if request.sources:
        request = dataclasses.replace(request, sources=(("<stdin>", _read_stdin()),))
    result = engine.run_request(request)
    print(report.json_text(result) if args.format == "json" else report.text(result))
    return EXIT_FINDINGS if result.failed else EXIT_CLEAN


def _read_stdin() -> bytes:
    """All of standard input, for the path `-`."""
    if sys.stdin is None:
        raise _Usage("- reads standard input, which is closed")
    try:
        return sys.stdin.buffer.read()
    except OSError as error:  # a folder (< /), a device that fails
        raise _Usage(f"-: cannot read standard input: {error.strerror or error}") from None


def _codes(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _lint(args: argparse.Namespace) -> int:
    started = time.time_ns()  # inputs changed since shortly before this are not trusted
    from mcp_server.lint import cache
    from mcp_server.lint.config import load_config
    from mcp_server.lint.files import discover

    # Options that would otherwise be ignored without a word.
    if args.statistics and args.format not in ("text", "json"):
        raise _Usage(f"--statistics prints text or json, not {args.format}")
    if args.unsafe_fixes and not (args.fix or args.diff):
        raise _Usage("--unsafe-fixes needs --fix or --diff")
    if args.stdin_filename != "<stdin>" and "-" not in args.paths:
        raise _Usage("--stdin-filename names source read from stdin: add -")
    for option in ("select", "ignore"):
        given = getattr(args, option)
        if given is not None and not _codes(given):
            raise _Usage(f"--{option} needs at least one code or name")
    if args.cache_dir and os.path.exists(args.cache_dir) and not os.path.isdir(args.cache_dir):
        raise _Usage(f"--cache-dir {args.cache_dir}: not a folder")
    config = load_config(Path(args.config) if args.config else None)
    options = _options(args, config)
    paths = [p for p in args.paths if p != "-"]
    if (args.fix or args.diff) and "-" in args.paths:
        raise _Usage("--fix and --diff work on files, not on stdin")
    directory = None
    if not args.no_cache:
        directory = (
            Path(args.cache_dir)
            if args.cache_dir
            else (config.cache_dir or config.root / cache.DIRECTORY)
        )
    # Asked now, so that a --python that is no interpreter is an error before anything runs.
    environment = options.environment(directory)
    if args.fix or args.diff:
        return _emit(_run_fix(args, config, options, paths))
    stdin = _read_stdin() if "-" in args.paths else None
    key = None
    hit: tuple[Output, list[str]] | None = None
    files: list[str] = []
    folders: list[str] = []  # walked to find the files: the quick path checks them
    if directory is not None:
        # The output depends on these options, the files, the settings and the installed
        # packages calls are followed into: all go in the key.
        shape = [args.format, args.select, args.ignore, args.statistics, args.stdin_filename]
        installed = environment.fingerprint() if environment is not None else None
        settings = json.dumps([*shape, paths, config.fingerprint(), os.getcwd(), installed])
        files = [path for path, _ in discover(paths, config, folders)]
        key = cache.run_key(directory, files, stdin, settings)
        hit = cache.load(directory, key) if key else None
    if hit is not None:
        output, followed = hit
    else:
        output, followed = _run_lint(args, config, options, paths, stdin)
        if key and directory and output.exit_code != EXIT_ERROR:
            cache.store(directory, key, output, followed)
    # The quick path knows only the linter's own environment, and never replays stdin.
    own_environment = options.python is None and config.python is None
    if key and directory and output.exit_code != EXIT_ERROR and stdin is None and own_environment:
        assert environment is not None  # the linter's own: always described
        from mcp_server.lint import quick

        quick.remember(
            args.command_line, str(directory), started, output,
            files=files, folders=folders, followed=followed, environment=environment,
        )  # fmt: skip
    return _emit(output)


def _run_lint(
    args: argparse.Namespace,
    config: Config,
    options: LintOptions,
    paths: list[str],
    stdin: bytes | None,
) -> tuple[Output, list[str]]:
    """The run's output, and the files outside `paths` it followed imports into."""

    from mcp_server.lint.cache import Output

    # Fork before importing the analysis: the peers import, find and read in parallel, then
    # each analyzes its share (see peers.py). A helper never gets past lint_paths.
    peers = _early_peers(options, paths, stdin)
    try:
        from mcp_server.lint.engine import lint_paths

        named_stdin = (args.stdin_filename, stdin) if stdin is not None else None
        progress = _Progress() if sys.stderr.isatty() and not peers.is_helper else None
        try:
            options = options.replace(peers=peers)
            result = lint_paths(paths, options, named_stdin, progress)
        finally:
            if progress is not None:
                progress.clear()
    except BaseException:
        if peers.is_helper:
            peers.leave()  # peer 0 meets the same error and reports it
        raise
    report = result.report
    code = EXIT_ERROR if result.errors else (EXIT_FINDINGS if report.findings else EXIT_CLEAN)
    rendered = _render(args, config, report, len(result.errors))
    warnings = _warning_lines(result.warnings)
    if not report.summary.files and not result.errors and not result.warnings:
        warnings += _warning_lines([f"no Python files found in {', '.join(paths)}"])
    output = Output(rendered, _error_lines(result.errors) + warnings, code)
    return output, result.followed


class _Progress:
    """`temporal-pro lint: 120/785 files` on a terminal's stderr, rewritten in place, for a run
    that has gone on for a second (a short run shows nothing), and erased at the end."""

    DELAY, INTERVAL = 1.0, 0.1  # seconds

    def __init__(self) -> None:
        self._start = self._last = time.monotonic()
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._start < self.DELAY or now - self._last < self.INTERVAL or done >= total:
            return
        self._last, self._shown = now, True
        sys.stderr.write(f"\rtemporal-pro lint: {done:,}/{total:,} files")
        sys.stderr.flush()

    def clear(self) -> None:
        if self._shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def _early_peers(options: LintOptions, paths: list[str], stdin: bytes | None) -> Peers:
    """Peers for a run large enough to split, judged by counting files (reading or even stat-ing
    them here would be serial work the peers exist to share)."""
    from mcp_server.lint.files import discover
    from mcp_server.lint.peers import Peers

    jobs = options.jobs or 1
    if jobs < 2 or stdin is not None:
        return Peers()
    for count, _ in enumerate(discover(paths, options.config), start=1):
        if count >= _EARLY_FORK_FILES:
            return Peers.start(jobs)
    return Peers()


# A tree this large is usually worth splitting; when its workflow files stay under the engine's
# own threshold (engine._PARALLEL_MIN_BYTES), a helper simply has nothing to do.
_EARLY_FORK_FILES = 200


def _options(args: argparse.Namespace, config: Config) -> LintOptions:
    from mcp_server.lint.options import LintOptions

    return LintOptions(
        select=_codes(args.select or ""),
        ignore=_codes(args.ignore or ""),
        jobs=os.cpu_count() if args.jobs is None else args.jobs,
        config=config,
        retain=_RETAINED,  # this process ends with os._exit: never free the trees
        python=Path(args.python) if args.python else None,
    )


_RETAINED: list[object] = []


def _render(args: argparse.Namespace, config: Config, report: LintReport, errors: int = 0) -> str:
    """The report in the chosen format; `errors`: how many error lines went to stderr (the
    text summary must not say "All clear" then)."""
    from mcp_server.lint import formats

    if args.statistics:
        if args.format == "json":
            return formats.render_statistics_json(report)
        return formats.render_statistics(report, errors)
    if args.format == "sarif":
        return formats.render_sarif(report, config.root)
    if args.format == "text":
        return formats.render_text(report, errors)
    return formats.render_json(report) if args.format == "json" else formats.render_github(report)


def _error_lines(errors: list[str]) -> str:
    return "".join(f"temporal-pro lint: error: {error}\n" for error in errors)


def _warning_lines(warnings: list[str]) -> str:
    return "".join(f"temporal-pro lint: warning: {warning}\n" for warning in warnings)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _run_fix(
    args: argparse.Namespace, config: Config, options: LintOptions, paths: list[str]
) -> Output:
    from mcp_server.lint.cache import Output
    from mcp_server.lint.fixes import fix_paths, write_fixes
    from mcp_server.lint.formats import render_diff

    result = fix_paths(paths, options, unsafe=args.unsafe_fixes)
    skipped = _warning_lines(result.remaining.warnings)
    if args.diff:
        errors = [*result.errors, *result.remaining.errors]
        note = f"Would fix {_plural(result.fixed, 'finding')}\n"
        code = EXIT_ERROR if errors else (EXIT_FINDINGS if result.changed else EXIT_CLEAN)
        return Output(render_diff(result.changed), _error_lines(errors) + skipped + note, code)
    written = write_fixes(result, paths, options)
    note = f"Fixed {_plural(written.fixed, 'finding')} in {_plural(len(written.files), 'file')}\n"
    errors = written.errors
    code = EXIT_ERROR if errors else (EXIT_FINDINGS if written.report.findings else EXIT_CLEAN)
    rendered = _render(args, config, written.report, len(errors))
    return Output(rendered, _error_lines(errors) + skipped + note, code)


def _emit(output: Output) -> int:
    sys.stderr.write(output.stderr)
    sys.stdout.write(output.stdout)  # each renderer returns complete lines
    return output.exit_code


def _rules(args: argparse.Namespace) -> int:
    import dataclasses

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
    raise _Usage(f"unknown rule: {wanted} (see `temporal-pro rules`)")


def _skill(args: argparse.Namespace) -> int:
    from mcp_server import pack

    if args.action == "install":
        dest = Path(args.dest).expanduser() if args.dest else pack.default_destination(args.project)
        installed = pack.install_skill(dest, force=args.force)
        if installed.unchanged:
            print(f"The skill is already installed in {installed.path}")
        elif installed.backup is not None:
            backup = installed.backup
            print(f"Installed the skill in {installed.path} (the previous one is in {backup})")
        else:
            print(f"Installed the skill in {installed.path}")
    else:
        output = Path(args.output).expanduser() if args.output else pack.default_zip_path()
        print(f"Wrote {pack.zip_skill(output)}")
    return EXIT_CLEAN


def _docs(args: argparse.Namespace) -> int:
    from mcp_server import pack

    query = " ".join(args.topic).strip()
    if not query:
        topics = pack.list_topics()
        width = max((len(t.name) for t in topics), default=0)
        for topic in topics:
            print(f"{topic.name:<{width}}  {topic.summary or topic.title}")
        return EXIT_CLEAN
    sections = pack.find(query)
    shown, rest = sections[:_DOCS_SHOWN], sections[_DOCS_SHOWN:]
    for index, section in enumerate(shown):
        if len(sections) > 1:
            print(("\n" if index else "") + f"-- {_where(section)}")
        print(section.text, end="")
    if rest:
        print(f"\n-- {len(rest)} more sections match (add words to narrow the search):")
        for section in rest:
            print(f"   {_where(section)}")
    return EXIT_CLEAN


_DOCS_SHOWN = 5  # whole sections printed for a search; the rest are listed by heading


def _where(section: object) -> str:
    parts = [getattr(section, name) for name in ("topic", "parent", "heading")]
    return " > ".join(filter(None, parts))
