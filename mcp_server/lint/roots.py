"""Library code that runs in workflows: roots of the workflow walk besides `@workflow.defn` classes.

Durable-execution integrations (agent frameworks, graph runtimes) run library functions inside
workflows that live in another package. A function outside any workflow class is taken as
workflow code when

- it calls an API of `temporalio.workflow` that only works inside a workflow (WORKFLOW_ONLY):
  `workflow.execute_activity(...)`, `workflow.now()`, ... A function that asks whether it is in
  one (`workflow.in_workflow()`, `workflow.unsafe.in_sandbox()`) means to run outside too, so
  there only its workflow branches count (next point);
- it sits under `if workflow.in_workflow():` or `if workflow.unsafe.in_sandbox():` (only that
  branch: the `else` of `if not workflow.in_workflow():`, or the rest of the block after
  `if not workflow.in_workflow(): return ...`);
- the user says so: `[tool.temporal-pro] workflow-code = ["mypkg.durable.*", "mypkg.agent.run"]`.

Each root carries its reason, which becomes the first hop of its findings' chains. Activities
are never workflow roots. A function that only names workflow types, or uses `workflow.logger`,
`workflow.unsafe.*` or the decorators, gives no signal.
"""

from __future__ import annotations

import ast
import copy
import functools
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from mcp_server.errors import InputError
from mcp_server.lint.project import ClassInfo, Function, Module, Project, Scope, holds_row
from mcp_server.sdk_facts import WORKFLOW

# The functions of `temporalio.workflow` that raise `_NotInWorkflowEventLoopError` ("Not in
# workflow event loop") when called outside a workflow: measured by calling every public function
# of the pinned SDK outside one (tests/test_workflow_roots.py repeats the measurement, so this
# fails when the SDK changes). Calling one is a promise that the caller runs in a workflow.
# `in_workflow`, `as_completed`, `wait`, `current_update_info`, `create_nexus_client`, the
# decorators and `workflow.unsafe.*` work anywhere, so they say nothing.
WORKFLOW_ONLY = frozenset(
    f"{WORKFLOW}.{name}"
    for name in (
        *(
            f"{verb}_{kind}{suffix}"
            for verb in ("execute", "start")
            for kind in ("activity", "local_activity")
            for suffix in ("", "_class", "_method")
        ),
        "execute_child_workflow",
        "start_child_workflow",
        "signal_with_start_workflow",
        "get_external_workflow_handle",
        "get_external_workflow_handle_for",
        "continue_as_new",
        "sleep",
        "wait_condition",
        "all_handlers_finished",
        "info",
        "instance",
        "memo",
        "memo_value",
        "upsert_memo",
        "upsert_search_attributes",
        "now",
        "time",
        "time_ns",
        "random",
        "new_random",
        "random_seed",
        "register_random_seed_callback",
        "uuid4",
        "uuid7",
        "patched",
        "deprecate_patch",
        "cancellation_reason",
        "create_event_group",
        "extern_functions",
        "get_current_details",
        "set_current_details",
        "get_last_completion_result",
        "has_last_completion_result",
        "get_last_failure",
        "is_failure_exception",
        "metric_meter",
        "payload_converter",
        *(
            f"{verb}_{dynamic}{kind}_handler"
            for verb in ("get", "set")
            for dynamic in ("", "dynamic_")
            for kind in ("query", "signal", "update")
        ),
    )
)
# Asking whether the code runs in a workflow (or in the workflow sandbox).
IN_WORKFLOW_PROBES = frozenset({f"{WORKFLOW}.in_workflow", f"{WORKFLOW}.unsafe.in_sandbox"})
# A call under these expects the workflow API to fail: a test of the API, not workflow code.
_EXPECTS_FAILURE = frozenset({"pytest.raises", "contextlib.suppress"})
_EXPECTS_FAILURE_METHODS = frozenset({"assertRaises", "assertRaisesRegex"})  # unittest's
_NOT_IN_WORKFLOW_ERRORS = frozenset(
    {f"{WORKFLOW}._NotInWorkflowEventLoopError", "temporalio.exceptions.TemporalError"}
)
_SHORT_NAMES = frozenset(name.rpartition(".")[2] for name in WORKFLOW_ONLY | IN_WORKFLOW_PROBES)
LEAVES = (ast.Return, ast.Raise, ast.Continue, ast.Break)
_KEYWORD = {ast.Return: "return", ast.Raise: "raise", ast.Continue: "continue", ast.Break: "break"}
_SHOWN_TEST = 60  # characters of an `if` test quoted in a reason


class WorkflowCodeError(InputError):
    """A `workflow-code` pattern that matches nothing: one line naming the setting."""


class Root(NamedTuple):
    """A function (or one branch of it) taken as workflow code, and why."""

    function: Function
    reason: str  # "`helpers.run_step` runs in a workflow: it calls `workflow.execute_activity`"
    node: ast.AST  # where the reason points: the call, the `if` test, the definition


# --- [tool.temporal-pro] workflow-code ---------------------------------------------------------
def matches(pattern: str, module: str, qualname: str) -> bool:
    """Whether `pattern` declares the function `qualname` of `module` workflow code: `pkg.*`
    covers everything below `pkg`; a plain name is a module, a class (its methods) or a
    function."""
    full = f"{module}.{qualname}" if module else qualname
    if pattern.endswith(".*"):
        return full.startswith(pattern[:-1])
    if pattern in (module, full):
        return True
    in_module = not module or pattern.startswith(module + ".")
    return in_module and full.startswith(pattern + ".")


def declared_modules(patterns: tuple[str, ...], where: Path | None, project: Project) -> set[int]:
    """The ids of the linted modules that hold code `patterns` declare (they are analyzed even
    when they never mention temporalio). A pattern that matches nothing is an error, unless it
    names a module of the project that this run does not lint (pre-commit passes only the
    staged files; an editor, one buffer)."""
    held: set[int] = set()
    linted = list(project.modules)
    for pattern in patterns:
        found = [m for m in linted if _holds(pattern, m, project)]
        held.update(id(m) for m in found)
        if not found and not any(_on_disk(pattern, root) for root in {m.root for m in linted}):
            setting = f"{where}: [tool.temporal-pro] 'workflow-code'" if where else "workflow-code"
            raise WorkflowCodeError(
                f"{setting}: '{pattern}' matches no module or function in the linted files"
            )
    return held


def _holds(pattern: str, module: Module, project: Project) -> bool:
    stem = pattern.removesuffix(".*")
    name = module.name
    if not name:
        return False
    if name == stem or (pattern.endswith(".*") and name.startswith(stem + ".")):
        return True
    if not stem.startswith(name + "."):
        return False
    tree = project.parse(module).tree
    return tree is not None and any(matches(pattern, name, q) for q in _qualnames(tree))


def _qualnames(tree: ast.Module) -> Iterator[str]:
    """Dotted names of the module's functions, classes and methods (as the engine finds them)."""
    stack: list[tuple[list[ast.stmt], str]] = [(tree.body, "")]
    while stack:
        body, prefix = stack.pop()
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                yield prefix + node.name
                if isinstance(node, ast.ClassDef):
                    stack.append((node.body, f"{prefix}{node.name}."))
            elif isinstance(node, (ast.If, ast.Try)):
                stack.append(([*node.body, *node.orelse], prefix))


def _on_disk(pattern: str, root: str) -> bool:
    """Whether the module the pattern names (or holding the function it names) is a file of
    the project under `root` that the run does not lint."""
    parts = pattern.removesuffix(".*").split(".")
    for end in range(len(parts), 0, -1):
        base = os.path.join(root, *parts[:end])
        for path in (base + ".py", os.path.join(base, "__init__.py")):
            if not os.path.isfile(path):
                continue
            if end == len(parts):
                return True
            try:
                tree = ast.parse(Path(path).read_bytes())
            except (OSError, SyntaxError, ValueError):
                return False
            module = ".".join(parts[:end])
            return any(matches(pattern, module, q) for q in _qualnames(tree))
        if end == len(parts) and pattern.endswith(".*") and os.path.isdir(base):
            return True  # a namespace package
    return False


# --- finding the roots ----------------------------------------------------------------------------
def find_roots(
    project: Project,
    module: Module,
    functions: list[Function],
    workflow_classes: list[ClassInfo],
    workflow_code: tuple[str, ...] = (),
) -> list[Root]:
    """The module's functions (and branches) outside its workflow classes that run in a
    workflow, with the reason for each. `functions` are the module's functions and methods."""
    in_class = {id(cls.node) for cls in workflow_classes}

    def candidate(function: Function) -> bool:
        in_workflow_class = function.cls is not None and id(function.cls.node) in in_class
        return not in_workflow_class and not project.is_activity(function)

    roots: list[Root] = []
    declared: set[int] = set()
    for function in functions if workflow_code else ():
        pattern = next(
            (p for p in workflow_code if matches(p, module.name, function.qualname)), None
        )
        if pattern is not None and candidate(function):
            why = f"it matches workflow-code '{pattern}'"
            roots.append(
                Root(function, f"{_named(function)} runs in a workflow: {why}", function.node)
            )
            declared.add(id(function.node))  # the whole function: its signals add nothing
    # Only a module that mentions `workflow` can call its API, and only the functions whose
    # lines hold one of its names (a cheap scan of the text) are worth a walk.
    lines = _signal_lines(module) if "workflow" in module.source else []
    for function in functions if lines else ():
        node = function.node
        if (
            holds_row(lines, node.lineno, node.end_lineno or node.lineno)
            and id(node) not in declared
            and candidate(function)
        ):
            around = project.module_scope(module)
            scope = project.scope(module, node, around, function.cls)
            try:
                roots += _Survey(project, module, function, scope, around).roots()
            except RecursionError:  # the walk reports what is too deeply nested to analyze
                continue
    return roots


def _named(function: Function) -> str:
    return f"`{function.display_name}`"


def _signal_lines(module: Module) -> list[int]:
    """The (sorted) lines where a workflow-only API or a probe may be called."""
    aliases = {"workflow"}  # also what a function-level `from temporalio import workflow` binds
    direct: set[str] = set()
    for local, binding in module.bindings.items():
        if binding.kind != "import" or not binding.qname:
            continue
        if binding.qname == WORKFLOW:
            aliases.add(local)
        elif binding.qname in WORKFLOW_ONLY or binding.qname in IN_WORKFLOW_PROBES:
            direct.add(local)
    source = module.source
    starts = [
        match.start()
        for alias in sorted(aliases)
        for match in _through_alias(alias).finditer(source)
        if match[1] in _SHORT_NAMES
    ]
    if direct:
        starts += [match.start() for match in _direct(frozenset(direct)).finditer(source)]
    starts.sort()
    lines: list[int] = []
    row, position = 1, 0
    for start in starts:
        row += source.count("\n", position, start)
        position = start
        if not lines or lines[-1] != row:
            lines.append(row)
    return lines


# One pattern per alias, each starting with its literal: the regex engine then skips ahead to
# the literal, where alternatives at the start would make it try every position (17x slower).
# Any attribute call matches, and a set picks the names: an alternation of them all takes a
# millisecond to compile, a whole file's worth of searching.
@functools.cache
def _through_alias(alias: str) -> re.Pattern[str]:
    return re.compile(rf"{re.escape(alias)}\s*\.\s*(?:unsafe\s*\.\s*)?(\w+)\s*\(")


@functools.cache
def _direct(names: frozenset[str]) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.])(?:{'|'.join(sorted(names))})\s*\(")


def in_workflow_sense(test: ast.expr, scope: Scope) -> bool | None:
    """True when an `if` test holds only in a workflow (`workflow.in_workflow()`,
    `workflow.unsafe.in_sandbox()`, a name assigned once from one), False when it fails only in
    one (`not workflow.in_workflow()`), None when it says neither."""
    if _probe(test, scope):
        return True
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = in_workflow_sense(test.operand, scope)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        senses = [in_workflow_sense(value, scope) for value in test.values]
        # `a and b` holds only in a workflow if one of them does; fails only in one if
        # each does (and the other way round for `or`).
        conjunction = isinstance(test.op, ast.And)
        if (conjunction and True in senses) or (not conjunction and False in senses):
            return conjunction
        if all(s is (not conjunction) for s in senses):
            return not conjunction
    return None


def _probe(test: ast.expr, scope: Scope) -> bool:
    """`workflow.in_workflow()`, or a name assigned once from it."""
    if isinstance(test, ast.Name):
        found = scope.lookup_name(test.id)
        if found is None or found[0].kind != "var" or found[0].count != 1:
            return False
        value = found[0].node
        return isinstance(value, ast.Call) and _called(value, scope) in IN_WORKFLOW_PROBES
    return isinstance(test, ast.Call) and _called(test, scope) in IN_WORKFLOW_PROBES


def _called(call: ast.Call, scope: Scope) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr not in _SHORT_NAMES:
        return None
    if not isinstance(func, (ast.Attribute, ast.Name)):
        return None
    return scope.resolve(func)


class _Survey:
    """One definition's own body (nested definitions apart): the workflow-only calls outside
    any `in_workflow()` test, whether it asks that question at all, its workflow branches, and
    the nested definitions to survey in turn."""

    def __init__(
        self, project: Project, module: Module, function: Function, scope: Scope, parent: Scope
    ) -> None:
        self.project = project
        self.module = module
        self.function = function
        self.scope = scope
        self.parent = parent  # the scope around the definition
        self.asks = False  # calls in_workflow() / in_sandbox(): it runs outside workflows too
        self.calls: list[tuple[ast.Call, str]] = []
        self.branches: list[tuple[ast.expr, list[ast.stmt], str]] = []  # (test, body, how)
        self.nested: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        self._block(function.node.body)

    def roots(self) -> list[Root]:
        function = self.function
        if self.calls and not self.asks:
            call, qname = min(self.calls, key=lambda c: (c[0].lineno, c[0].col_offset))
            api = qname.removeprefix("temporalio.")
            reason = f"{_named(function)} runs in a workflow: it calls `{api}`"
            return [Root(function, reason, call)]  # nested definitions are walked with it
        roots = [self._branch(test, body, how) for test, body, how in self.branches]
        for node in self.nested:
            qualname = f"{function.qualname}.{node.name}"
            nested = Function(self.module, node, qualname)
            scope = self.project.scope(self.module, node, self.scope)  # closures see this one
            roots += _Survey(self.project, self.module, nested, scope, self.scope).roots()
        return roots

    def _branch(self, test: ast.expr, body: list[ast.stmt], how: str) -> Root:
        """The branch as a function of its own: a copy of the definition whose body is the
        branch, with the scope of the whole function (a name bound before the `if` counts)."""
        function = self.function
        node = copy.copy(function.node)
        self.project.scope(self.module, node, self.parent, function.cls)
        node.body = body
        # Cached by the project, which keeps the copy alive: its scope is keyed by its id.
        self.project.function(self.module, node, function.cls)
        branch = Function(self.module, node, function.qualname, function.cls)
        shown = ast.unparse(test)
        if len(shown) > _SHOWN_TEST:
            shown = shown[: _SHOWN_TEST - 3] + "..."
        reason = f"{_named(function)} runs in a workflow {how.format(test=shown)}"
        return Root(branch, reason, test)

    # --- the walk ---------------------------------------------------------------------------
    def _block(self, body: list[ast.stmt]) -> None:
        for index, statement in enumerate(body):
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.nested.append(statement)
                for expression in (*statement.decorator_list, *statement.args.defaults):
                    self._expression(expression)
                continue
            if isinstance(statement, ast.ClassDef):
                continue
            if isinstance(statement, ast.If):
                sense = in_workflow_sense(statement.test, self.scope)
                if sense is not None:
                    self.asks = True
                    rest = body[index + 1 :]
                    if self._guard(statement, sense, rest):
                        return  # the rest of the block is a branch
                    continue
            if isinstance(statement, (ast.With, ast.AsyncWith)) and any(
                self._expects_failure(item.context_expr) for item in statement.items
            ):
                continue
            if isinstance(statement, ast.Try) and any(
                self._catches_not_in_workflow(handler) for handler in statement.handlers
            ):
                statement = copy.copy(statement)
                statement.body = []  # a probe: `try: workflow.info() except ...`
            self._statement(statement)

    def _guard(self, statement: ast.If, sense: bool, rest: list[ast.stmt]) -> bool:
        """Record the workflow branch of an `in_workflow()` test; True when it is the rest of
        the block (`if not workflow.in_workflow(): return ...`)."""
        inside, outside = (
            (statement.body, statement.orelse) if sense else (statement.orelse, statement.body)
        )
        if inside:
            how = "under `if {test}:`" if sense else "in the `else` of `if {test}:`"
            self.branches.append((statement.test, inside, how))
            return False
        leaves = outside[-1] if outside and isinstance(outside[-1], LEAVES) else None
        if not sense and leaves is not None and rest:
            how = "after `if {test}: " + _KEYWORD[type(leaves)] + "`"
            self.branches.append((statement.test, rest, how))
            return True
        return False

    def _statement(self, statement: ast.stmt) -> None:
        for value in (v for _, v in ast.iter_fields(statement)):
            if isinstance(value, ast.AST):
                self._expression(value)
            elif isinstance(value, list) and value:
                if isinstance(value[0], ast.stmt):
                    self._block(value)  # whole: a guard's "rest of the block" is in it
                    continue
                for item in value:
                    if isinstance(item, (ast.ExceptHandler, ast.match_case)):
                        self._block(item.body)
                    elif isinstance(item, ast.AST):
                        self._expression(item)

    def _expression(self, node: ast.AST) -> None:
        stack = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, ast.Lambda):
                continue  # runs whenever it is called: no signal for this function
            if isinstance(current, ast.Call):
                qname = self._called(current)
                if qname in IN_WORKFLOW_PROBES:
                    self.asks = True
                elif qname in WORKFLOW_ONLY:
                    self.calls.append((current, qname))
            stack.extend(ast.iter_child_nodes(current))

    def _called(self, call: ast.Call) -> str | None:
        return _called(call, self.scope)

    def _expects_failure(self, manager: ast.expr) -> bool:
        if not isinstance(manager, ast.Call):
            return False
        func = manager.func
        if isinstance(func, ast.Attribute) and func.attr in _EXPECTS_FAILURE_METHODS:
            return True
        return self.scope.resolve(func) in _EXPECTS_FAILURE

    def _catches_not_in_workflow(self, handler: ast.ExceptHandler) -> bool:
        caught = handler.type
        elements = caught.elts if isinstance(caught, ast.Tuple) else [caught] if caught else []
        return any(self.scope.resolve(e) in _NOT_IN_WORKFLOW_ERRORS for e in elements)
