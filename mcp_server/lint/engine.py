"""The lint engine: find files, pick the roots, walk the call graph, return a LintReport.

Workflow code is every method of a `@workflow.defn` class plus, transitively, every project
function, method and class those call. Activity code is every `@activity.defn` function plus what
it calls. The walk is breadth-first, so each finding carries the shortest chain of calls from a
workflow (or activity) entry point to the offending expression.
"""

from __future__ import annotations

import ast
import dataclasses
import gc
import itertools
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from mcp_server.lint import knowledge, sdk_api
from mcp_server.lint.checker import Checker, Context, Handler, Raw
from mcp_server.lint.config import SDK_SOURCE, Config, skip_note
from mcp_server.lint.files import UsageError, discover
from mcp_server.lint.models import ChainHop, Finding, LintReport, Location, Summary
from mcp_server.lint.options import DEFAULT_OPTIONS, LintOptions
from mcp_server.lint.parse import TooLarge, UnreadableFile, decode_source
from mcp_server.lint.peers import Peers
from mcp_server.lint.project import (
    MAX_INSTALLED_HOPS,
    ClassInfo,
    Function,
    Module,
    Project,
    Scope,
    _statements,
    decorator_target,
)
from mcp_server.lint.roots import declared_modules, find_roots
from mcp_server.lint.rules import RULES, is_test_file, resolve_codes
from mcp_server.lint.suppress import apply_suppressions
from mcp_server.sdk_facts import WORKFLOW

if TYPE_CHECKING:
    from mcp_server.lint.environment import Environment

Progress = Callable[[int, int], None]  # (files analyzed, files to analyze)


class LintResult:
    def __init__(
        self,
        report: LintReport,
        errors: list[str],
        followed: list[str] | None = None,
        warnings: list[str] | None = None,
    ) -> None:
        self.report = report
        self.errors = errors  # files that could not be read, one line each
        # Files outside the given paths that the analysis followed imports into: the report
        # also depends on them.
        self.followed = followed or []
        # Files skipped for their size (over max-file-size), one line each: warnings, which do
        # not change the exit code, since the user can raise the limit and nothing in them was
        # judged.
        self.warnings = warnings or []


# --- public entry points ------------------------------------------------------------------------
def lint_paths(
    paths: list[str],
    options: LintOptions = DEFAULT_OPTIONS,
    stdin: tuple[str, bytes | str] | None = None,
    progress: Progress | None = None,
) -> LintResult:
    """Lint files and folders; `stdin` is (file name, content) of a module that is not on disk
    (`temporal-pro lint -`, an editor's unsaved buffer): bytes are decoded as a file's are.
    `progress(done, total)` is told how many of the files to analyze are done, now and then."""
    # The trees stay alive until the end, so the cyclic collector would rescan them over and
    # over while more are built (a third of the run); nothing here makes garbage cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _lint(paths, options, stdin, progress)
    finally:
        if options.retain is not None:
            # Kept alive for good: out of the collector's sight, they no longer make every later
            # collection (rendering the report) rescan them all.
            gc.freeze()
        if collecting:
            gc.enable()


def _lint(
    paths: list[str],
    options: LintOptions,
    stdin: tuple[str, bytes | str] | None,
    progress: Progress | None = None,
) -> LintResult:
    config = options.config
    codes = _selected_codes(options)
    environment = options.environment()
    sdk = sdk_api.choose(_code_release(config, environment))
    if config.declared_temporalio == SDK_SOURCE and not config.target_temporalio:
        note = f"checked against the temporalio {sdk.table} table; this is the SDK's own source"
        sdk = sdk._replace(beyond=True, note=note)
    project = Project(
        knowledge.extended(config.nondeterministic_calls, config.deterministic_calls),
        config.deterministic_calls,
        options.overrides,
        options.confine,
        config.max_file_size,
        environment,
    )
    errors: list[str] = []
    named: set[int] = set()  # modules the user named explicitly: always parsed
    for path, explicit in discover(paths, config):
        try:
            module = project.add(path, project.read(path, config.max_file_size), path)
        except TooLarge as large:
            project.skipped.add(skip_note(path, large.size, config.max_file_size))
            continue
        except UnreadableFile as error:
            errors.append(str(error))
            continue
        if explicit:
            named.add(id(module))
    if stdin is not None:
        name, data = stdin
        size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "replace"))
        try:
            if config.too_large(size):
                project.skipped.add(skip_note(name, size, config.max_file_size))
            else:
                text = decode_source(data, name) if isinstance(data, bytes) else data
                module = project.add(name, text, name)
                named.add(id(module))
        except UnreadableFile as error:
            errors.append(str(error))
    given = len(project.modules)  # the summary counts these, not the helpers loaded on the way
    named |= declared_modules(config.workflow_code, config.path, project)
    jobs, peers = options.jobs or 1, options.peers or Peers()
    with sdk_api.using(sdk):  # every SDK name is checked against the code's own release
        findings, analysis_errors = _analyze(
            project, named, jobs, peers, progress, config.workflow_code
        )
    errors += analysis_errors
    findings = [f for f in findings if f.code in codes and not _ignored_here(f, config)]
    sources = {module.display: module.source for module in project.modules}
    for finding in findings:  # files a workflow reached outside the given paths
        if finding.filename not in sources:
            try:
                sources[finding.filename] = project.read(finding.filename)
            except UnreadableFile:
                sources[finding.filename] = ""
    parsed = {module.display: module.suppressions for module in project.modules}
    findings = _canonical(apply_suppressions(findings, sources, codes, _codes_of, parsed))
    findings = [_judged(finding, config, sdk) for finding in findings]
    findings.sort(key=lambda f: (f.filename, f.location.row, f.location.column, f.code))
    report = LintReport(findings=findings, summary=Summary(files=given, findings=len(findings)))
    if options.retain is not None:
        options.retain.append(project)
    return LintResult(report, errors, sorted(project.followed), sorted(project.skipped))


def lint_source(
    source: str, filename: str = "<string>", options: LintOptions = DEFAULT_OPTIONS
) -> LintReport:
    """Lint one module given as text."""
    return lint_paths([], options, stdin=(filename, source)).report


def _codes_of(selector: str) -> set[str]:
    return resolve_codes([selector])


def _selected_codes(options: LintOptions) -> set[str]:
    config = options.config
    try:
        select = options.select or config.select
        selected = resolve_codes(list(select)) if select else set(RULES)
        return selected - resolve_codes([*config.ignore, *options.ignore])
    except ValueError as error:
        raise UsageError(str(error)) from None


def _code_release(config: Config, environment: Environment | None) -> str | None:
    """The temporalio the linted code runs with: `target-temporalio`; else the project's pin;
    else the environment's, unless the project asks for a newer one than it has (the linter
    then runs beside the project, not in its environment)."""
    declared = config.declared_temporalio or ""  # SDK_SOURCE: neither a pin nor a bound
    installed = environment.temporalio_version if environment else None
    if config.target_temporalio or declared.startswith("=="):
        return config.target_temporalio or declared[2:]
    if declared.startswith(">=") and (
        installed is None or sdk_api.release(installed) < sdk_api.release(declared[2:])
    ):
        return declared[2:]
    return installed


_NONEXISTENT_API = "TPR411"


def _judged(finding: Finding, config: Config, sdk: sdk_api.TableChoice) -> Finding:
    """The finding at the severity it deserves where it is (the one place a finding's severity
    differs from its rule's): in a test file, the rule's test severity; a name missing from an
    SDK table other than the code's own release, a warning that says which table (the release
    may have added the name, or removed it since); an error is a promise the code fails."""
    if finding.code == _NONEXISTENT_API:
        message = f"{finding.message} ({sdk.note})"
        if sdk.beyond or sdk.before:
            return dataclasses.replace(finding, severity="warning", message=message)
        if sdk.table != sdk_api.versions()[-1]:
            return dataclasses.replace(finding, message=message)
    lowered = RULES[finding.code].test_severity
    if lowered is None or lowered == finding.severity:
        return finding
    if not is_test_file(config.relative(finding.filename)):
        return finding
    return dataclasses.replace(finding, severity=lowered)


def _ignored_here(finding: Finding, config: Config) -> bool:
    selectors = config.ignored_here(finding.filename) if config.per_file_ignores else ()
    return any(finding.code in _codes_of(selector) for selector in selectors)


# --- analysis -------------------------------------------------------------------------------------
class _Hop(NamedTuple):
    name: str
    module: Module
    node: ast.AST

    @property
    def order(self) -> tuple[str, int, int]:
        return (
            self.module.display,
            getattr(self.node, "lineno", 0),
            getattr(self.node, "col_offset", 0),
        )


def _analyze(
    project: Project,
    named: set[int],
    jobs: int,
    peers: Peers,
    progress: Progress | None = None,
    workflow_code: tuple[str, ...] = (),
) -> tuple[list[Finding], list[str]]:
    """Analyze every file that can hold workflows or activities (and whatever they reach).

    Big runs are shared out by folder between peer processes (see peers.py), started here
    unless the command line started them already; each parses lazily what its roots reach.
    A finding may come back once per chain that reached it; the caller drops the suppressed
    ones and keeps one per position (_canonical), so the report is the same however the work
    is shared out.
    """
    targets = [m for m in project.modules if id(m) in named or m.mentions_temporal]
    parallel = peers.count > 1 or (
        jobs > 1
        and sum(len(m.source) for m in targets) >= _PARALLEL_MIN_BYTES
        and hasattr(os, "fork")
    )
    chunks = _chunks(targets) if parallel else _batches(targets)
    if peers.count == 1 and parallel and len(chunks) > 1:
        peers = Peers.start(min(jobs, len(chunks)))
    peers.offer(len(chunks))
    findings: list[Finding] = []
    errors: list[str] = []
    # Chunks are claimed in order, so the ones before a claimed chunk are all taken.
    before = list(itertools.accumulate((len(chunk) for chunk in chunks), initial=0))
    for position, claimed in enumerate(peers.claims()):
        if progress is not None:
            progress(before[claimed], len(targets))
        # Free the chunk before's trees (this one parses what it needs again); the last
        # chunk's go with the project, or never in the command line (LintOptions.retain).
        if position:
            project.release()
        found, failed = _analyze_group(project, chunks[claimed], workflow_code)
        findings += found
        errors += failed
    if progress is not None and not peers.is_helper:
        progress(len(targets), len(targets))
    if peers.is_helper:
        peers.send((findings, errors, project.followed, project.skipped))  # never returns
    for share in peers.receive():
        if share is None:
            errors.append("internal error: a worker died")
            continue
        theirs: tuple[list[Finding], list[str], set[str], set[str]] = share  # type: ignore[assignment]
        findings += theirs[0]
        errors += theirs[1]
        project.followed |= theirs[2]
        project.skipped |= theirs[3]
    return findings, sorted(set(errors))


_PARALLEL_MIN_BYTES = 400_000  # below this, forking costs more than it saves
# Source characters analyzed between two releases of the trees: a parsed tree takes about 30
# bytes per character, so this keeps one process's trees near 0.6 MB whatever the tree's size,
# which a core's cache can hold. On samples-python, cachegrind with a 2 MB last-level cache
# counts 1.5 M misses at this size against 2.3 M at 80,000, for the same instructions; below
# it, helpers parsed again in more batches cost more instructions than the misses saved.
_BATCH_CHARACTERS = 20_000


def _chunks(modules: list[Module]) -> list[list[Module]]:
    """The run's work shared between peers, most expensive first (so the last ones claimed are
    small): one chunk per folder, since the files of a folder import each other and the
    helpers they share are parsed and walked once per chunk."""
    folders = _folders(modules)
    return sorted(folders, key=lambda f: (-_cost(f), f[0].display))


def _batches(modules: list[Module]) -> list[list[Module]]:
    """The run's work in one process: neighbouring folders together, up to a size."""
    batches: list[list[Module]] = []
    size = _BATCH_CHARACTERS
    for folder in _folders(modules):
        if size >= _BATCH_CHARACTERS:
            batches.append([])
            size = 0
        batches[-1] += folder
        size += sum(len(m.source) for m in folder)
    return batches


def _folders(modules: list[Module]) -> list[list[Module]]:
    folders: dict[str, list[Module]] = {}
    for module in modules:
        folders.setdefault(os.path.dirname(module.path), []).append(module)
    return [folders[path] for path in sorted(folders)]


def _cost(modules: list[Module]) -> int:
    """Estimated analysis cost: workflow modules are walked with every rule and their call
    graph, so their text weighs more than that of activity or plain modules."""
    return sum(len(m.source) * (3 if "workflow.defn" in m.source else 1) for m in modules)


def _canonical(findings: list[Finding]) -> list[Finding]:
    """One finding per (rule, position): one reached from a workflow or activity over one found
    in a function nothing reached (a split run finds both when the caller sits in another
    chunk; one process only the first), then the shortest chain, then the first."""
    best: dict[tuple[str, str, int, int], Finding] = {}
    for finding in findings:
        key = (finding.code, finding.filename, finding.location.row, finding.location.column)
        kept = best.get(key)
        if kept is None or _chain_order(finding) < _chain_order(kept):
            best[key] = finding
    return list(best.values())


def _chain_order(finding: Finding) -> tuple[bool, int, list[tuple[str, int, int]]]:
    chain = finding.chain
    return not chain, len(chain), [(h.filename, h.row, h.column) for h in chain]


# A root of the walk: the function, its context and handler kind, and the hops before it (the
# reason library code was taken as workflow code, or none).
_Root = tuple[Function, Context, Handler, tuple[_Hop, ...]]


def _analyze_group(
    project: Project, modules: list[Module], workflow_code: tuple[str, ...] = ()
) -> tuple[list[Finding], list[str]]:
    for module in modules:
        project.parse(module)
    parsed = [m for m in modules if m.tree is not None]
    raw: list[tuple[Raw, tuple[_Hop, ...]]] = []
    errors: list[str] = []
    visited: set[tuple[int, Context, Handler, frozenset[str]]] = set()

    def run(checker: Checker, where: str, target: Function | list[ast.stmt]) -> list[Raw]:
        try:
            if isinstance(target, Function):
                checker.check_function(target)
            else:
                checker.check_module(target)
        except RecursionError:
            errors.append(f"{where}: too deeply nested to analyze")
        except Exception as error:  # one bad function must not lose the whole report
            errors.append(f"{where}: internal error: {type(error).__name__}: {error}")
        return checker.findings

    def walk(roots: list[_Root]) -> None:
        # Breadth-first, one level at a time, each level in chain order: the first chain that
        # reaches a function is the shortest, and among those the first by position. A function
        # is walked again when reached through other suppression comments (a noqa comment at
        # one workflow's call of a helper): another workflow's chain may still expose it.
        # A root whose chain starts with the reason it is workflow code (roots.py) joins the
        # level of chains as long as its own, as if a workflow had called it from there.
        waiting: dict[
            int, list[tuple[Function, Context, Handler, tuple[_Hop, ...], frozenset[str]]]
        ] = {}
        for fn, context, handler, entry in roots:
            waiting.setdefault(len(entry), []).append((fn, context, handler, entry, frozenset()))
        level = waiting.pop(0, [])
        level.sort(key=lambda item: (item[0].module.display, item[0].node.lineno))
        depth = 0
        while level or waiting:
            depth += 1
            following = waiting.pop(depth, [])
            for function, context, handler, chain, hushed in level:
                if (id(function.node), context, handler, hushed) in visited:
                    continue
                visited.add((id(function.node), context, handler, hushed))
                checker = _checker(project, function, context, handler, chain)
                where = f"{function.module.display}:{function.node.lineno}"
                name = function.qualname if not chain else function.display_name
                for finding in run(checker, where, function):
                    if function.module.installed and finding.code in _QUIET_IN_INSTALLED:
                        continue
                    raw.append((finding, (*chain, _Hop(name, function.module, finding.node))))
                for callee, call, through in checker.calls:  # run in the caller's context
                    hop = _Hop(name, function.module, call)
                    if callee.module.installed and _installed(chain, hop) >= MAX_INSTALLED_HOPS:
                        continue  # deep in a package's plumbing
                    further = hushed | _hushed_at(function.module, call)
                    hops: tuple[_Hop, ...] = (hop,)
                    if through is not None:  # the declaration the call named, then its override
                        hops += (_Hop(through.display_name, through.module, through.node),)
                        further |= _hushed_at(through.module, through.node)
                    following.append((callee, context, None, (*chain, *hops), further))
            following.sort(key=lambda item: [hop.order for hop in item[3]])
            level = following

    workflow_roots: list[_Root] = []
    activity_roots: list[_Root] = []
    definitions: dict[int, tuple[list[Function], list[ClassInfo]]] = {}
    for module in parsed:
        functions = list(_functions(project, module))
        for function in functions:
            if project.is_activity(function):
                is_async = isinstance(function.node, ast.AsyncFunctionDef)
                activity_roots.append(
                    (function, "async-activity" if is_async else "activity", None, ())
                )
        classes = _workflow_classes(project, module)
        definitions[id(module)] = functions, classes
        for cls in classes:
            raw += [(finding, ()) for finding in _check_workflow_class(project, cls)]
            for node in cls.methods.values():
                function = project.function(module, node, cls)
                kind = _handler_kind(project, cls, node)
                workflow_roots.append((function, "workflow", kind, ()))
        # Library code that runs in workflows, and why: never a handler or a run method.
        for root in find_roots(project, module, functions, classes, workflow_code):
            entry = (_Hop(root.reason, module, root.node),)
            workflow_roots.append((root.function, "workflow", None, entry))
    project.follow_installed = True  # into installed packages: from workflow code only
    try:
        walk(workflow_roots)
    finally:
        project.follow_installed = False
    walk(activity_roots)

    # Everything else in files that use temporalio: the rules that apply anywhere.
    analyzed = {key[0] for key in visited}
    for module in parsed:
        if not module.mentions_temporal:
            continue
        assert module.tree is not None
        functions, classes = definitions[id(module)]
        top_level = Checker(
            project, module, project.module_scope(module), "module", workflow_module=bool(classes)
        )
        body = module.tree.body
        raw += [(f, ()) for f in run(top_level, module.display, body)]
        for function in functions:
            if id(function.node) not in analyzed:
                checker = _checker(project, function, "other", None)
                where = f"{module.display}:{function.node.lineno}"
                raw += [(f, ()) for f in run(checker, where, function)]

    for module in parsed:
        # The report asks for every file's suppression comments (a cached property): found
        # now, with the tree at hand, they need no second parse once the trees are freed.
        _ = module.suppressions
    # An installed package that does not parse is a note of the run (project.skipped).
    findings = [
        _syntax_error(m) for m in project.parsed if m.syntax_error is not None and not m.installed
    ]
    findings += [_to_model(finding, chain) for finding, chain in raw]
    return findings, errors


# A package's own logging repeats on replay like any other, but nobody can change it: noise.
_QUIET_IN_INSTALLED = frozenset({"TPR602"})


def _installed(chain: tuple[_Hop, ...], hop: _Hop) -> int:
    """How many functions of installed packages a chain has gone through."""
    return sum(h.module.installed for h in chain) + hop.module.installed


def _user_call(chain: tuple[_Hop, ...]) -> _Hop | None:
    """The last hop in the user's code: their call into an installed package."""
    return next((hop for hop in reversed(chain) if not hop.module.installed), None)


def _hushed_at(module: Module, call: ast.AST) -> frozenset[str]:
    """The suppression comments covering a call, as keys of the walk's state: each one's chain
    is walked, so each one silences (and is used for) what it covers, whatever other chains
    reach the same helper (see suppress.py for what they silence)."""
    row = getattr(call, "lineno", 0)
    return frozenset(
        f"{module.display}:{s.row}" for s in module.suppressions if s.first <= row <= s.last
    )


def _checker(
    project: Project,
    function: Function,
    context: Context,
    handler: Handler,
    chain: tuple[_Hop, ...] = (),
) -> Checker:
    outer = project.module_scope(function.module)
    scope = project.scope(function.module, function.node, outer, function.cls)
    # Judged by the chain that reached the function, never by whatever else happens to be
    # parsed: that depends on how the run was split, and two folders may share module names.
    name = function.module.name
    passed_through = bool(name) and any(name in hop.module.passthrough_imports for hop in chain)
    workflow_method = function.cls is not None and _is_workflow_class(outer, function.cls.node)
    return Checker(
        project,
        function.module,
        scope,
        context,
        handler=handler,
        passed_through=passed_through,
        workflow_method=workflow_method,
    )


def _functions(project: Project, module: Module) -> Iterator[Function]:
    """Module-level functions and methods of (nested) classes (nested functions: walked inline)."""
    assert module.tree is not None
    stack: list[tuple[list[ast.stmt], ClassInfo | None]] = [(module.tree.body, None)]
    while stack:
        body, cls = stack.pop()
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield project.function(module, node, cls)
            elif isinstance(node, ast.ClassDef):
                qualname = f"{cls.qualname}.{node.name}" if cls else node.name
                stack.append((node.body, project.class_info(module, node, qualname)))
            elif isinstance(node, (ast.If, ast.Try)):
                stack.append(([*node.body, *node.orelse], cls))


def _workflow_classes(project: Project, module: Module) -> list[ClassInfo]:
    """The module's `@workflow.defn` classes (top level, or under `if`/`try` at top level)."""
    assert module.tree is not None
    scope = project.module_scope(module)
    return [
        project.class_info(module, node)
        for node in _statements(module.tree.body)
        if isinstance(node, ast.ClassDef) and _is_workflow_class(scope, node)
    ]


def _is_workflow_class(scope: Scope, node: ast.ClassDef) -> bool:
    return any(
        scope.resolve(decorator_target(d)) == f"{WORKFLOW}.defn" for d in node.decorator_list
    )


def _handler_kind(
    project: Project, cls: ClassInfo, node: ast.FunctionDef | ast.AsyncFunctionDef
) -> Handler:
    if f"{WORKFLOW}.query" in project.decorators(cls.module, node):
        return "query"
    # `@<update>.validator`: only then look the update up (scanning every method for each one
    # made a class of N methods cost N squared).
    for decorator in node.decorator_list:
        target = decorator_target(decorator)
        if (
            isinstance(target, ast.Attribute)
            and target.attr == "validator"
            and isinstance(target.value, ast.Name)
        ):
            update = cls.methods.get(target.value.id)
            if update is not None and f"{WORKFLOW}.update" in project.decorators(
                cls.module, update
            ):
                return "validator"
    return None


def _check_workflow_class(project: Project, cls: ClassInfo) -> list[Raw]:
    findings: list[Raw] = []
    scope = project.module_scope(cls.module)
    for decorator in cls.node.decorator_list:
        if isinstance(decorator, ast.Call) and any(
            k.arg == "sandboxed" and isinstance(k.value, ast.Constant) and k.value.value is False
            for k in decorator.keywords
        ):
            findings.append(
                Raw("TPR603", cls.module, decorator, {"name": "workflow.defn(sandboxed=False)"})
            )
    runs = []
    for name, node in cls.methods.items():
        decorators = project.decorators(cls.module, node)
        if f"{WORKFLOW}.run" in decorators:
            runs.append(node)
            if not isinstance(node, ast.AsyncFunctionDef):
                findings.append(
                    Raw(
                        "TPR404",
                        cls.module,
                        _def_name(node),
                        {"problem": f"`@workflow.run` method `{name}` is not `async def`"},
                    )
                )
        if f"{WORKFLOW}.query" in decorators and isinstance(node, ast.AsyncFunctionDef):
            findings.append(Raw("TPR405", cls.module, _def_name(node), {"name": name}))
    for extra in runs[1:]:
        findings.append(
            Raw(
                "TPR404",
                cls.module,
                _def_name(extra),
                {"problem": f"`{cls.node.name}` has more than one `@workflow.run` method"},
            )
        )
    if not runs and not _inherits_run(project, cls, scope):
        findings.append(
            Raw(
                "TPR404",
                cls.module,
                _def_name(cls.node),
                {"problem": f"Workflow class `{cls.node.name}` has no `@workflow.run` method"},
            )
        )
    return findings


def _inherits_run(project: Project, cls: ClassInfo, scope: object) -> bool:
    """A run method may come from a base class; unknown bases get the benefit of the doubt."""
    known = project.bases(cls)
    if len(known) < len([b for b in cls.node.bases if not _is_plain_base(b)]):
        return True
    return any(
        f"{WORKFLOW}.run" in project.decorators(base.module, node)
        for base in known
        for node in base.methods.values()
    ) or any(_inherits_run(project, base, scope) for base in known)


def _is_plain_base(base: ast.expr) -> bool:
    return isinstance(base, ast.Name) and base.id in ("object", "Generic", "ABC")


class _Span:
    """Where a `def` or `class` statement's name is, so the finding underlines the name."""

    def __init__(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        keyword = {ast.ClassDef: "class", ast.FunctionDef: "def", ast.AsyncFunctionDef: "async def"}
        offset = len(keyword[type(node)]) + 1
        self.lineno = self.end_lineno = node.lineno
        self.col_offset = node.col_offset + offset
        self.end_col_offset = self.col_offset + len(node.name)


def _def_name(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> ast.AST:
    return _Span(node)  # type: ignore[return-value]


def _to_model(raw: Raw, chain: tuple[_Hop, ...]) -> Finding:
    rule = RULES[raw.code]
    start, end = raw.module.span(raw.node)
    hops = [
        ChainHop(function=hop.name, filename=hop.module.display, row=p.row, column=p.column)
        for hop in chain
        for p in (hop.module.span(hop.node)[0],)
    ]
    if hops and raw.target:
        hops.append(
            ChainHop(
                function=raw.target, filename=raw.module.display, row=start.row, column=start.column
            )
        )
    filename, message, fix = raw.module.display, rule.render(rule.message, raw.fields), raw.fix
    entry = _user_call(chain) if raw.module.installed else None
    if entry is not None:
        # Nobody can fix or suppress a line of an installed package: the finding is at the
        # user's call into it, and the chain goes on to the package's line.
        where = f"{raw.module.display}:{start.row}"
        message = f"{message} (in the installed package `{raw.module.top_package}`, {where})"
        start, end = entry.module.span(entry.node)
        filename, fix = entry.module.display, None
    return Finding(
        code=rule.code,
        name=rule.name,
        category=rule.category,
        severity=rule.severity,
        filename=filename,
        location=start,
        end_location=end,
        message=message or "",
        fix_title=rule.render(rule.fix_title, raw.fields),
        chain=hops,
        fix=fix,
    )


def _syntax_error(module: Module) -> Finding:
    error = module.syntax_error
    assert error is not None
    rule = RULES["TPR001"]
    row = error.lineno or 1
    column = max(error.offset or 1, 1)
    end_row = getattr(error, "end_lineno", None) or row
    end_column = getattr(error, "end_offset", None) or column + 1
    if (end_row, end_column) <= (row, column):
        end_row, end_column = row, column + 1
    return Finding(
        code=rule.code,
        name=rule.name,
        category=rule.category,
        severity=rule.severity,
        filename=module.display,
        location=Location(row=row, column=column),
        end_location=Location(row=end_row, column=end_column),
        message=f"SyntaxError: {error.msg}",
        fix_title=None,
        chain=[],
    )
