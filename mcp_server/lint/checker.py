"""The visitor that applies the rules to one function (or one module's top level) in one context.

The engine decides the context (workflow code, activity code, anything else, a module's top
level) and walks the call graph; a Checker reports what is wrong inside one body and records the
project functions that body calls, so the engine can follow them.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal, NamedTuple

from mcp_server import sdk_facts
from mcp_server.lint import knowledge, sdk_api
from mcp_server.lint.knowledge import Entry
from mcp_server.lint.models import Fix
from mcp_server.lint.project import (
    Binding,
    ClassInfo,
    Function,
    Module,
    Project,
    Scope,
    Symbol,
    _statements,
    generic_class,
)
from mcp_server.lint.roots import LEAVES, in_workflow_sense
from mcp_server.sdk_facts import WORKFLOW

Context = Literal["workflow", "activity", "async-activity", "other", "module"]
Handler = Literal["query", "validator"] | None

_COMPOUND = tuple(
    getattr(ast, name)
    for name in ("If", "Try", "TryStar", "With", "AsyncWith", "For", "AsyncFor", "While")
    if hasattr(ast, name)
)
_ACTIVITY_STARTERS = sdk_facts.ACTIVITY_STARTERS | sdk_facts.LOCAL_ACTIVITY_STARTERS
# Coroutine functions whose result does nothing unless awaited.
_MUST_AWAIT = frozenset(
    {
        *(name for name in _ACTIVITY_STARTERS if ".execute_" in name),
        *sdk_facts.CHILD_WORKFLOW_STARTERS,
        f"{WORKFLOW}.sleep",
        f"{WORKFLOW}.wait_condition",
        "asyncio.sleep",
    }
)
# Workflow APIs that issue commands or change state: forbidden in queries and validators.
_COMMANDS = frozenset(
    {
        *_ACTIVITY_STARTERS,
        *sdk_facts.CHILD_WORKFLOW_STARTERS,
        *(
            f"{WORKFLOW}.{name}"
            for name in (
                "sleep",
                "wait_condition",
                "continue_as_new",
                "upsert_search_attributes",
                "upsert_memo",
                "patched",
                "deprecate_patch",
                "signal_external_workflow",
            )
        ),
    }
)
# What a query or an update validator must not call besides commands, and why: the SDK's
# read-only check rejects these (temporalio/worker/_workflow_instance.py, `_assert_not_read_only`).
_HANDLER_CHANGES = {
    **dict.fromkeys(("random", "uuid4", "new_random"), "draws from the workflow's random sequence"),
    **dict.fromkeys(
        (
            f"set_{d}{kind}_handler"
            for d in ("", "dynamic_")
            for kind in ("query", "signal", "update")
        ),
        "registers a handler",
    ),
    "set_current_details": "sets the workflow's current details",
    "register_random_seed_callback": "registers a callback on the workflow's random seed",
}
_NOT_IN_HANDLERS = frozenset(
    {
        *_COMMANDS,
        *(f"{WORKFLOW}.{name}" for name in _HANDLER_CHANGES),
        *(  # signalling or cancelling another workflow issues a command too
            f"{WORKFLOW}.{handle}.{method}"
            for handle in ("get_external_workflow_handle", "get_external_workflow_handle_for")
            for method in ("signal", "cancel")
        ),
    }
)
# What a replay-dependent decision must not issue or skip (TPR408): the commands above, timers
# (`asyncio.sleep`, `asyncio.wait_for`/`timeout` start one in a workflow) and the commands issued
# through handles.
_REPLAYING = frozenset(
    {f"{WORKFLOW}.unsafe.is_replaying", f"{WORKFLOW}.unsafe.is_replaying_history_events"}
)
_REPLAY_COMMANDS = frozenset(
    {
        *_COMMANDS,
        "asyncio.sleep",
        "asyncio.wait_for",
        "asyncio.timeout",
        "asyncio.timeout_at",
        *(
            f"{WORKFLOW}.{handle}.{method}"
            for handle in (
                "get_external_workflow_handle",
                "get_external_workflow_handle_for",
                "start_child_workflow",
            )
            for method in ("signal", "cancel")
        ),
        *(f"{WORKFLOW}.{starter}.cancel" for starter in _ACTIVITY_STARTERS if ".start_" in starter),
        f"{WORKFLOW}.create_nexus_client.start_operation",
        f"{WORKFLOW}.create_nexus_client.execute_operation",
    }
)
# In module-level code these run at import, which the sandbox repeats for every workflow run.
_IMPORT_TIME_EFFECTS = frozenset(
    {"asyncio.run", "temporalio.client.Client.connect", "temporalio.worker.Worker"}
)
_IMPORT_TIME_RULES = frozenset(
    {
        knowledge.WALL_CLOCK,
        knowledge.RANDOM,
        knowledge.UNSEEDED_RNG,
        knowledge.UUID,
        knowledge.BLOCKING_SLEEP,
        knowledge.FILE_IO,
        knowledge.NETWORK,
        knowledge.SUBPROCESS,
        knowledge.THREADING,
        knowledge.ENVIRONMENT,
    }
)
_SET_TYPES = frozenset(
    {
        "builtins.set",
        "builtins.frozenset",
        "typing.Set",
        "typing.FrozenSet",
        "typing.AbstractSet",
        "typing.MutableSet",
        "collections.abc.Set",
        "collections.abc.MutableSet",
    }
)
_SET_RETURNING_METHODS = frozenset(
    {"union", "intersection", "difference", "symmetric_difference", "copy"}
)
# Consumers that expose a set's iteration order, and ones that do not.
_ORDERED_CONSUMERS = frozenset(
    f"builtins.{name}" for name in ("list", "tuple", "enumerate", "iter", "zip", "map", "filter")
)
_ORDER_FREE_CONSUMERS = frozenset(
    f"builtins.{name}"
    for name in ("sorted", "len", "sum", "min", "max", "any", "all", "set", "frozenset")
)
_MUTATORS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "pop",
        "remove",
        "clear",
        "update",
        "setdefault",
        "add",
        "discard",
        "popitem",
        "appendleft",
        "extendleft",
        "popleft",
        "sort",
        "reverse",
        "__setitem__",
        "__delitem__",
    }
)
_MUTABLE_FACTORIES = frozenset(
    {
        "builtins.list",
        "builtins.dict",
        "builtins.set",
        "builtins.bytearray",
        "collections.defaultdict",
        "collections.deque",
        "collections.Counter",
        "collections.OrderedDict",
    }
)
# Class-level defaults that give each instance its own value (dataclasses, pydantic, attrs).
_PER_INSTANCE_DEFAULTS = frozenset(
    {
        "dataclasses.field",
        "pydantic.Field",
        "pydantic.fields.Field",
        "pydantic.PrivateAttr",
        "pydantic.fields.PrivateAttr",
        "attrs.field",
        "attr.ib",
        "attr.attrib",
        "attr.field",
        "msgspec.field",
    }
)
_SHARED_BY_RUNS = (
    "every run on the worker shares when its module is passed through or the sandbox is off"
)
_NUMERIC_CONVERSIONS = frozenset(
    {"builtins.int", "builtins.float", "builtins.round", "builtins.abs", "math.floor", "math.ceil"}
)
# Methods an assistant calls on a client or environment of unknown type; checked by name.
_DISTINCTIVE_METHODS = ("execute_workflow", "start_workflow")
# Hints for names that exist in other Temporal SDKs but not in Python's.
_NONEXISTENT_HINTS = {
    "temporalio.workflow.uuid": "`workflow.uuid4()`",
    "temporalio.workflow.get_version": "`workflow.patched(id)` / `workflow.deprecate_patch(id)`",
    "temporalio.workflow.side_effect": "an activity or local activity",
    "temporalio.workflow.mutable_side_effect": "an activity or local activity",
    "temporalio.worker.Worker.run_until": "`async with worker: await stop_event.wait()`",
    "replay_history": "`Replayer(workflows=[...]).replay_workflow(history)`",
    "temporalio.workflow.info.history_length": "`workflow.info().get_current_history_length()`",
    "temporalio.workflow.info.history_size": "`workflow.info().get_current_history_size()`",
}


_VISITORS: dict[type, Callable[[Checker, Any], None]] = {}
# What a reference resolved to: its qualified name, and the name and entry Checker._entry found.
_Known = tuple[str | None, str, "knowledge.Entry | None"]
_CHILDREN: dict[type, tuple[str, ...]] = {}
# Fields that never hold a node worth visiting: names, numbers, flags, and the operator and
# context singletons (`ast.Load()`, `ast.Add()`); most of a tree's nodes are leaves below them.
_NOT_CHILDREN = frozenset(
    {"ctx", "op", "ops", "id", "attr", "name", "names", "arg", "module", "level", "kind"}
    | {"type_comment", "is_async", "conversion", "kwd_attrs", "rest"}
)
_LEAVES = (ast.Constant, ast.Pass, ast.Break, ast.Continue, ast.Global, ast.Nonlocal, ast.alias)


def _visitor(node_type: type) -> Callable[[Checker, Any], None]:
    method: Callable[[Checker, Any], None] | None = None
    if not issubclass(node_type, _LEAVES):
        method = getattr(Checker, "visit_" + node_type.__name__, None)
    if method is None:
        method = Checker.generic_visit if _children(node_type) else Checker._skip
    _VISITORS[node_type] = method
    return method


def _children(node_type: type) -> tuple[str, ...]:
    fields = tuple(f for f in getattr(node_type, "_fields", ()) if f not in _NOT_CHILDREN)
    _CHILDREN[node_type] = fields
    return fields


class Raw:
    """A finding before it becomes a model: the rule, the node, and the message fields."""

    __slots__ = ("code", "fields", "fix", "module", "node", "target")

    def __init__(
        self,
        code: str,
        module: Module,
        node: ast.AST,
        fields: dict[str, str],
        target: str | None = None,
    ) -> None:
        self.code = code
        self.module = module
        self.node = node
        self.fields = fields
        self.target = target  # the offending qualified name, the chain's last hop
        self.fix: Fix | None = None


_Kind = Literal["module-level", "class-level", "object"]


class _Shared(NamedTuple):
    """Process-wide state that an expression is, or is part of (see Checker._shared)."""

    kind: _Kind
    name: str  # the module or class attribute, or the shared object, qualified
    holder: str = ""  # an object's: "a module-level object", ...
    cls: ClassInfo | None = None  # the expression's class, when the linted files define it
    container: bool = False  # the expression holds a list, dict, set, ...
    inside: bool = False  # the expression is reached from the shared thing, not the thing


def _is_workflow_api(qname: str) -> bool:
    """A call of the `workflow` module's API (`workflow.now`, `workflow.logger.info`), not of a
    method on what one returned (`workflow.now().isoformat()` resolves to `...now.isoformat`)."""
    if not qname.startswith(f"{WORKFLOW}.") or qname == f"{WORKFLOW}.in_workflow":
        return False
    parts = qname.split(".")
    if not parts[-1][:1].islower():
        return False  # a class: constructing it is harmless
    prefixes = (".".join(parts[:i]) for i in range(3, len(parts)))
    return not any(sdk_api.callable_params(prefix) is not None for prefix in prefixes)


class Checker(ast.NodeVisitor):
    def __init__(
        self,
        project: Project,
        module: Module,
        scope: Scope,
        context: Context,
        *,
        handler: Handler = None,
        workflow_module: bool = False,
        passed_through: bool = False,
        workflow_method: bool = False,
    ) -> None:
        self.project = project
        self.module = module
        self.scope = scope
        self.context = context
        self.handler = handler
        self.workflow_module = workflow_module
        self.passed_through = passed_through  # a module of the chain here passes this one through
        # False in a helper outside the workflow class: activities, tests or scripts may call it
        # too, and a workflow API raises there, so replacing a call with one is never safe.
        self.workflow_method = workflow_method
        self.table = project.table
        self.findings: list[Raw] = []
        # What this body calls: (callee, the call, the method the call names when the callee
        # is an override of it that the call dispatches to, else None).
        self.calls: list[tuple[Function, ast.Call, Function | None]] = []
        self._order_free: set[int] = set()
        self._cut_after: set[int] = set()  # `if in_workflow(): return`: what follows is not ours
        self._in_message = 0  # inside a logging call's arguments: a set's order only shows there
        self._single: set[str] | None = None  # names compared with `len(name) == 1` (or !=)
        self._awaited: set[int] = set()  # awaited calls are async I/O, never blocking
        self._replay_reported: set[int] = set()  # under two nested decisions: reported once
        self._discarded: ast.Call | None = None  # the call an expression statement is

    # --- entry points -----------------------------------------------------------------------
    def check_function(self, function: Function) -> None:
        for statement in function.node.body:
            self.visit(statement)
            if self._cut_after and id(statement) in self._cut_after:
                break  # the rest of the body runs only outside workflows

    def check_module(self, statements: list[ast.stmt]) -> None:
        """A module's top level (and class bodies): what runs when the module is imported."""
        for statement in statements:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for decorator in statement.decorator_list:
                    self.visit(decorator)
            elif isinstance(statement, ast.ClassDef):
                for expression in (*statement.decorator_list, *statement.bases):
                    self.visit(expression)
                self.check_module(statement.body)
            elif isinstance(statement, ast.If) and _is_main_guard(statement.test):
                continue
            elif isinstance(statement, _COMPOUND):
                for value in (v for _, v in ast.iter_fields(statement)):
                    if isinstance(value, ast.AST):
                        self.visit(value)
                    elif value and isinstance(value, list) and isinstance(value[0], ast.stmt):
                        self.check_module(value)
                    elif isinstance(value, list):
                        for item in value:
                            if isinstance(item, ast.ExceptHandler):
                                self.check_module(item.body)
                            elif isinstance(item, ast.AST):
                                self.visit(item)
            else:
                self.visit(statement)

    # --- traversal: ast.NodeVisitor's, with the method and the child fields cached per type ----
    def visit(self, node: ast.AST) -> None:
        method = _VISITORS.get(node.__class__) or _visitor(node.__class__)
        method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        cut = self._cut_after
        visitors = _VISITORS
        fields = _CHILDREN.get(node.__class__)
        for name in _children(node.__class__) if fields is None else fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                for item in value:
                    if item is not None:  # a dict's `**spread` key
                        (visitors.get(item.__class__) or _visitor(item.__class__))(self, item)
                        if cut and id(item) in cut:
                            break  # the rest of the block runs only outside workflows
            elif value is not None:
                (visitors.get(value.__class__) or _visitor(value.__class__))(self, value)

    def _skip(self, node: ast.AST) -> None:
        """A node with nothing to check below it (a constant, `pass`, an import alias)."""

    # --- reporting ------------------------------------------------------------------------------
    def report(self, code: str, node: ast.AST, target: str | None = None, **fields: str) -> None:
        if code == "TPR301" and (self._in_message or self._one_element(node)):
            return  # the order shows only in a log line, or there is one element
        if "name" in fields:  # `print`, not `builtins.print`
            fields["name"] = fields["name"].removeprefix("builtins.")
        self.findings.append(Raw(code, self.module, node, fields, target))

    def _report_entry(self, node: ast.AST, qname: str, entry: Entry) -> bool:
        """Report a knowledge-table hit under the rule the current context calls for."""
        rule = entry.rule
        assert rule is not None
        fields = {
            "name": qname,
            "replacement": entry.replacement or "",
            "reason": entry.reason,
            "note": self._passthrough_note(),
        }
        if rule == knowledge.GLOBAL_STATE:  # a setter of process-wide configuration
            fields.update(action="calls", why=f"which {entry.reason}")
        if rule == knowledge.SANDBOX_ESCAPE or self.context == "workflow":
            self.report(rule, node, qname, **fields)
            if (
                rule in knowledge.FIXABLE
                and self.context == "workflow"
                and id(node) not in self.project.written_calls
            ):
                from mcp_server.lint.fixes import fix_for  # only a finding with a fix pays for it

                fix = fix_for(self.module, self.scope, node, qname)
                if fix is not None and not self.workflow_method:
                    fix = Fix(applicability="unsafe", message=fix.message, edits=fix.edits)
                self.findings[-1].fix = fix
        elif self.context == "async-activity" and entry.blocking and id(node) not in self._awaited:
            self.report("TPR501", node, qname, **fields)
        elif self.context == "module" and self.workflow_module and rule in _IMPORT_TIME_RULES:
            self.report("TPR601", node, qname, **fields)
        else:
            return False
        return True

    def _passthrough_note(self) -> str:
        if self.passed_through:
            return (
                f" (module `{self.module.name}` is imported through imports_passed_through(), "
                "so the sandbox never checks it)"
            )
        return ""

    # --- scopes -----------------------------------------------------------------------------
    def _visit_nested(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        for default in (*node.args.defaults, *(d for d in node.args.kw_defaults if d)):
            self.visit(default)
        outer = self.scope
        self.scope = self.project.scope(self.module, node, outer)
        try:
            if isinstance(node, ast.Lambda):
                self.visit(node.body)
            else:
                for decorator in node.decorator_list:
                    self.visit(decorator)
                for statement in node.body:
                    self.visit(statement)
        finally:
            self.scope = outer

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _visit_nested

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for statement in node.body:
            self.visit(statement)

    # --- calls --------------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        qname = self.scope.resolve(func)
        if node is self._discarded:
            self._discarded = None
            self._check_discarded(node, qname)
        if qname is None and isinstance(func, ast.Subscript):
            qname = generic_class(func, self.scope)  # `Box[int](...)`
        reported, named, entry = False, "", None
        if qname:
            named, entry = self._entry(qname)
            if (
                entry is not None
                and entry.rule is not None
                and entry.match == "call"
                and not (entry.unless_arg and _has_argument(node, *entry.unless_arg))
            ):
                reported = self._report_entry(node, named, entry)
            self._check_call(node, qname)
        self._check_call_shape(node, qname)
        if self.context == "workflow" and isinstance(node.func, (ast.Name, ast.Subscript)):
            self._check_activity_from_container(node)
        logs = bool(qname) and (
            f"{qname}.".startswith(f"{WORKFLOW}.logger.")
            or (entry is not None and entry.rule == knowledge.REPLAY_LOGGING)
        )
        self._in_message += logs
        # The callee is checked as a reference too, with what was just resolved; when it is
        # reported already, only the arguments are left to check.
        known = (qname, named, entry)
        if reported:
            pass
        elif func.__class__ is ast.Attribute:
            self.visit_Attribute(func, known)
        elif func.__class__ is ast.Name:
            self.visit_Name(func, known)
        else:
            self.visit(func)
        for child in (*node.args, *node.keywords):
            self.visit(child)
        self._in_message -= logs

    def _one_element(self, node: ast.AST) -> bool:
        """`s.pop()` or `next(iter(s))` where the function checks `len(s) == 1` (or `!= 1`):
        a set of one element has one order."""
        while isinstance(node, (ast.Call, ast.Attribute)):
            node = node.func if isinstance(node, ast.Call) else node.value
        if not isinstance(node, ast.Name):
            return False
        if self._single is None:
            self._single = set()
            for found in ast.walk(self.scope.node):
                if (
                    isinstance(found, ast.Compare)
                    and isinstance(found.ops[0], (ast.Eq, ast.NotEq))
                    and isinstance(found.left, ast.Call)
                    and isinstance(found.left.func, ast.Name)
                    and found.left.func.id == "len"
                    and found.left.args
                    and isinstance(found.left.args[0], ast.Name)
                    and isinstance(found.comparators[0], ast.Constant)
                    and found.comparators[0].value == 1
                ):
                    self._single.add(found.left.args[0].id)
        return node.id in self._single

    def _check_call(self, node: ast.Call, qname: str) -> None:
        if qname in _ACTIVITY_STARTERS:
            self._check_activity_timeout(node, qname)
        if self.context == "module" and self.workflow_module and qname in _IMPORT_TIME_EFFECTS:
            self.report("TPR601", node, qname, name=qname, replacement="", reason="", note="")
        if self.context in ("activity", "async-activity") and _is_workflow_api(qname):
            self.report("TPR410", node, qname, name=qname)
        if self.handler and qname in _NOT_IN_HANDLERS:
            what = _HANDLER_CHANGES.get(qname.rpartition(".")[2], "issues a command")
            self._report_handler_change(node, f"`{qname}` {what}")
        if qname in _NUMERIC_CONVERSIONS and node.args:
            self._check_random_as_number(node.args[0])
        if qname.startswith("temporalio."):
            self._check_keywords(node, qname, sdk_api.callable_params(qname))
        if self.context in ("workflow", "activity", "async-activity"):
            self._follow(node, qname)
        if self.context == "workflow":
            self._check_set_consumer(node, qname)
            runner = knowledge.callback_argument(qname)
            if runner is not None:
                self._follow_callback(node, runner)

    def _check_call_shape(self, node: ast.Call, qname: str | None) -> None:
        """Checks that need the call's form rather than its resolved name."""
        func = node.func
        if not isinstance(func, ast.Attribute):
            return
        if (
            func.attr in _DISTINCTIVE_METHODS
            and not (qname or "").startswith("temporalio.")
            and self.module.mentions_temporal
        ):
            self._check_keywords(node, func.attr, sdk_api.union_params(func.attr))
        if self.context == "workflow":
            if func.attr == "join" and node.args and self._is_set(node.args[0]):
                self.report("TPR301", node.args[0], how="`str.join` over it")
            if func.attr == "pop" and not node.args and self._is_set(func.value):
                self.report("TPR301", node, how="`set.pop()` on it")
            self._check_shared_call(node, func)
        if self.handler and func.attr in _MUTATORS and self._rooted_at_self(func.value):
            self._report_handler_change(node, f"`.{func.attr}()` mutates workflow state")

    def _follow(self, node: ast.Call, qname: str) -> None:
        if self.project.is_trusted(qname):
            return  # declared deterministic in [tool.temporal-pro]: not followed
        entry = self.project.entry(qname)
        if entry is not None and entry.rule is None:
            return  # known safe (`opentelemetry.trace.get_tracer`): what it does is not ours
        through_super = qname.startswith("builtins.super.")
        if through_super:
            symbol = self._super_method(node.func)
        else:
            symbol = self.project.lookup(qname, self.module)
        if symbol is None:
            return
        if symbol.kind == "class" and symbol.cls is not None:
            for method in ("__init__", "__post_init__"):
                found = self.project.method(symbol.cls, method)
                if found is not None:
                    self._add_call(found, node)
            for factory in self._default_factories(symbol.cls, node):
                self.calls.append((factory, node, None))
            return
        if symbol.kind != "function":
            return
        function = self._function(symbol)
        if self.context == "workflow" and self.project.is_activity(function):
            self.report("TPR403", node, qname, name=qname, how="called directly")
            return
        self._add_call(symbol, node)
        if symbol.cls is not None and not through_super and self.project.is_abstract(symbol):
            self._follow_overrides(node, qname, symbol)

    def _super_method(self, func: ast.expr) -> Symbol | None:
        """`super().name(...)` in a method: `name` as the bases of the method's class define it."""
        if not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Call):
            return None
        scope: Scope | None = self.scope
        while scope is not None and scope.cls is None:
            scope = scope.parent  # a function or lambda nested in the method
        if scope is None or scope.cls is None:
            return None
        for base in self.project.bases(scope.cls):
            found = self.project.method(base, func.attr)
            if found is not None:
                return found
        return None

    def _follow_overrides(self, node: ast.Call, qname: str, declared: Symbol) -> None:
        """A call of a method that the receiver's class only declares (abstract, or a stub) runs
        one of its overrides in the linted files: each is followed, through the declaration."""
        assert declared.cls is not None
        receiver = self.project.lookup(qname.rpartition(".")[0], self.module)
        static = receiver.cls if receiver is not None and receiver.kind == "class" else None
        name = qname.rpartition(".")[2]
        through = self._function(declared)
        for override in self.project.overrides(static or declared.cls, name):
            self.calls.append((self._function(override), node, through))

    def _default_factories(self, cls: ClassInfo, call: ast.Call) -> Iterator[Function]:
        """The default factories that constructing `cls` runs: `field(default_factory=...)` of
        a dataclass (pydantic's `Field`, attrs' `field(factory=...)`) for each field the call
        does not give, when the class leaves `__init__` to its decorator or base."""
        if "__init__" in cls.methods:
            return  # its own __init__ runs instead of the generated one
        positional = len(call.args)
        if any(isinstance(argument, ast.Starred) for argument in call.args):
            positional = 0  # cannot tell which: every factory may run
        given = {keyword.arg for keyword in call.keywords}
        index = 0
        for owner, name, factory, in_init in self._fields(cls, set()):
            if in_init:
                index += 1
                if name in given or index <= positional:
                    continue
            if factory is not None:
                scope = self.project.module_scope(owner.module)
                if isinstance(factory, ast.Lambda) or _runs_code(factory, scope):
                    yield self.project.factory_function(owner, factory)

    def _fields(
        self, cls: ClassInfo, seen: set[int]
    ) -> Iterator[tuple[ClassInfo, str, ast.expr | None, bool]]:
        """(class, name, default factory, a parameter of __init__?) of each annotated field of
        `cls` and of its bases in the linted files, bases first, as dataclasses order them."""
        if id(cls.node) in seen or len(seen) > 8:
            return
        seen.add(id(cls.node))
        for base in reversed(self.project.bases(cls)):
            yield from self._fields(base, seen)
        scope = self.project.module_scope(cls.module)
        for statement in cls.node.body:
            if not isinstance(statement, ast.AnnAssign) or not isinstance(
                statement.target, ast.Name
            ):
                continue
            value = statement.value
            factory, in_init = None, True
            if isinstance(value, ast.Call) and scope.resolve(value.func) in _PER_INSTANCE_DEFAULTS:
                keywords = {k.arg: k.value for k in value.keywords}
                factory = keywords.get("default_factory") or keywords.get("factory")
                flag = keywords.get("init")
                in_init = not (isinstance(flag, ast.Constant) and flag.value is False)
            yield cls, statement.target.id, factory, in_init

    def _follow_callback(self, node: ast.Call, where: tuple[int, str]) -> None:
        """A function handed to a thread or an executor runs as surely as a called one."""
        callback = _argument(node, *where)
        if (
            isinstance(callback, ast.Call)
            and callback.args
            and self.scope.resolve(callback.func) == "functools.partial"
        ):
            callback = callback.args[0]  # functools.partial(fn, ...)
        if not isinstance(callback, (ast.Name, ast.Attribute)):
            return  # a lambda or a nested function is checked where it is written
        qname = self.scope.resolve(callback)
        if not qname or self.project.is_trusted(qname):
            return
        symbol = self.project.lookup(qname, self.module)
        if symbol is None or symbol.kind != "function":
            return
        if self.project.is_activity(self._function(symbol)):
            how = f"handed to `{ast.unparse(node.func)}()`"
            self.report("TPR403", callback, qname, name=qname, how=how)
            return
        self._add_call(symbol, node)

    def _check_activity_from_container(self, node: ast.Call) -> None:
        """`TOOLS[name](req)`, or `tool = TOOLS.get(name)` then `tool(req)`, where the
        module-level `TOOLS` holds `@activity.defn` functions: a direct call of one of them."""
        func: ast.AST = node.func
        if isinstance(func, ast.Name):
            found = self.scope.lookup_name(func.id)
            if found is None or found[0].kind != "var" or found[0].count != 1:
                return
            value = found[0].node
            if value is None:
                return
            func = value
        if isinstance(func, ast.Subscript):
            container = func.value
        elif (
            isinstance(func, ast.Call)
            and isinstance(func.func, ast.Attribute)
            and func.func.attr == "get"
        ):
            container = func.func.value
        else:
            return
        if not isinstance(container, (ast.Name, ast.Attribute)):
            return
        owner = self.scope.resolve(container)
        symbol = self.project.lookup(owner, self.module) if owner else None
        if symbol is None or symbol.kind != "var":
            return
        held_by = symbol.node
        if isinstance(held_by, ast.Dict):
            items = [v for v in held_by.values if v is not None]
        elif isinstance(held_by, (ast.List, ast.Tuple, ast.Set)):
            items = list(held_by.elts)
        else:
            return
        scope = self.project.module_scope(symbol.module)
        activities = []
        for item in items:
            target = scope.resolve(item) if isinstance(item, (ast.Name, ast.Attribute)) else None
            found_symbol = self.project.lookup(target, symbol.module) if target else None
            if (
                found_symbol is not None
                and found_symbol.kind == "function"
                and self.project.is_activity(self._function(found_symbol))
            ):
                activities.append(f"`{found_symbol.qname.rpartition('.')[2]}`")
        if activities:
            held = ", ".join(activities[:3]) + (", ..." if len(activities) > 3 else "")
            how = f"called directly (`{ast.unparse(container)}` holds {held})"
            self.report("TPR403", node, owner, name=ast.unparse(node.func), how=how)

    def _function(self, symbol: Symbol) -> Function:
        assert isinstance(symbol.node, (ast.FunctionDef, ast.AsyncFunctionDef))
        return self.project.function(symbol.module, symbol.node, symbol.cls)

    def _add_call(self, symbol: Symbol, node: ast.Call) -> None:
        self.calls.append((self._function(symbol), node, None))

    def _check_activity_timeout(self, node: ast.Call, qname: str) -> None:
        keywords = {k.arg: k.value for k in node.keywords}
        if None in keywords:  # **options: the timeout may be inside
            return
        required = sdk_facts.REQUIRED_ACTIVITY_TIMEOUTS
        given = [name for name in required if name in keywords and not _is_none(keywords[name])]
        if not given and not self._misspelled_timeout(qname, keywords):
            self.report("TPR401", node, qname, name=qname)

    @staticmethod
    def _misspelled_timeout(qname: str, keywords: dict[str | None, ast.expr]) -> bool:
        """A keyword the starter does not take that is a misspelled timeout (`start_to_close=`):
        TPR411 reports it, and the call fails with a TypeError before any timeout is checked."""
        params = sdk_api.callable_params(qname)
        if params is None or params[1]:
            return False
        import difflib

        wanted = [name.replace("_", "") for name in sdk_facts.REQUIRED_ACTIVITY_TIMEOUTS]
        return any(
            difflib.get_close_matches(keyword.replace("_", "").lower(), wanted, n=1, cutoff=0.6)
            for keyword in keywords
            if keyword is not None and keyword not in params[0]
        )

    def _check_keywords(
        self, node: ast.Call, qname: str, params: tuple[list[str], bool] | None
    ) -> None:
        if params is None or params[1]:
            return
        for keyword in node.keywords:
            if keyword.arg is not None and keyword.arg not in params[0]:
                hint = _NONEXISTENT_HINTS.get(keyword.arg) or _close(keyword.arg, params[0])
                self.report(
                    "TPR411",
                    keyword,
                    f"{qname}({keyword.arg}=...)",
                    name=f"{qname.rpartition('.')[2]}({keyword.arg}=...)",
                    hint=hint or "the parameters the installed temporalio documents",
                )

    def visit_Await(self, node: ast.Await) -> None:
        self._awaited.add(id(node.value))
        self.generic_visit(node)

    # --- names and attributes -----------------------------------------------------------------
    def visit_Attribute(self, node: ast.Attribute, known: _Known | None = None) -> None:
        if (
            node.ctx.__class__ is ast.Load
            and self._may_name_a_module(node)
            and self._check_reference(node, known)
        ):
            return
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name, known: _Known | None = None) -> None:
        # Most names are locals: the pre-check keeps them from being resolved.
        if node.ctx.__class__ is ast.Load and self._names_an_import(node.id):
            self._check_reference(node, known)

    def _check_reference(self, node: ast.Attribute | ast.Name, known: _Known | None = None) -> bool:
        """Report a reference the tables know; `known`: what a call already resolved its callee
        to (its qualified name, then _entry's answer)."""
        if known is None:
            qname = self.scope.resolve(node)
            if not qname:
                return False
            named, entry = self._entry(qname)
        else:
            qname, named, entry = known
            if not qname:
                return False
        if isinstance(node, ast.Attribute) and qname.startswith("temporalio."):
            missing = sdk_api.missing_attribute(qname)
            if missing is not None and missing[0] == qname:
                self._report_missing(node, qname, missing[1])
                return True
        if entry is not None and entry.rule is not None and entry.match == "ref":
            return self._report_entry(node, named, entry)
        return False

    def _entry(self, qname: str) -> tuple[str, knowledge.Entry | None]:
        """The knowledge table's entry for a name, seen through a project module that only
        aliases or re-exports it (`from app.log import logger`, app/log.py: `logger = loguru's`),
        with the name it was found under."""
        entry = self.project.entry(qname)
        if entry is None and self.context != "other":  # elsewhere, table entries report nothing
            outside = self.project.value_alias(qname, self.module)
            if outside is not None:
                return outside, self.project.entry(outside)
        return qname, entry

    def _may_name_a_module(self, node: ast.AST) -> bool:
        """Cheap pre-check: only names rooted at an import (or an alias) can reach the knowledge
        table or the SDK table, so `self.items` and other locals need no resolution."""
        while isinstance(node, ast.Attribute):
            node = node.value
        if isinstance(node, ast.Call):
            return True
        return isinstance(node, ast.Name) and self._names_an_import(node.id)

    def _names_an_import(self, name: str) -> bool:
        """Whether a name is bound by an import, or is an alias that may stand for one."""
        found = self.scope.lookup_name(name)
        if found is None:
            return bool(self.module.star_imports)
        binding = found[0]
        return binding.kind == "import" or (binding.kind == "var" and binding.count == 1)

    def _report_missing(self, node: ast.AST, qname: str, suggestions: list[str]) -> None:
        hint = _NONEXISTENT_HINTS.get(qname) or (
            " or ".join(f"`{s}`" for s in suggestions) if suggestions else ""
        )
        self.report(
            "TPR411",
            node,
            qname,
            name=sdk_api.spelled(qname),
            hint=hint or "the API the installed temporalio documents",
        )

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not (node.module or "").startswith("temporalio"):
            return
        for alias in node.names:
            qname = f"{node.module}.{alias.name}"
            missing = sdk_api.missing_attribute(qname) if alias.name != "*" else None
            if missing is not None and missing[0] == qname:
                self._report_missing(node, qname, missing[1])

    # --- statements -----------------------------------------------------------------------------
    def visit_Expr(self, node: ast.Expr) -> None:
        if node.value.__class__ is ast.Call:
            self._discarded = node.value  # visit_Call checks it once it has resolved the callee
        self.visit(node.value)

    def _check_discarded(self, node: ast.Call, qname: str | None) -> None:
        """A call whose result the statement drops: a coroutine nobody awaits does nothing."""
        if qname in _MUST_AWAIT or (
            qname and sdk_api.is_coroutine_function(qname) and qname.startswith(f"{WORKFLOW}.")
        ):
            self.report("TPR402", node, qname, name=qname or "")

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        if self.context == "workflow" and self._is_set(node.iter):
            self.report("TPR301", node.iter, how="a `for` loop over it")
        self.generic_visit(node)

    visit_AsyncFor = visit_For

    def _visit_comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> None:
        ordered = not isinstance(node, ast.SetComp)  # a set built from a set keeps no order
        if ordered and self.context == "workflow" and id(node) not in self._order_free:
            for generator in node.generators:
                if self._is_set(generator.iter):
                    self.report("TPR301", generator.iter, how="a comprehension over it")
        # The first iterable is evaluated outside; the rest sees the loop variables, which hide
        # the names outside (`[random.random() for random in generators]`, `workflow` in a fix).
        first = node.generators[0]
        self.visit(first.iter)
        outer = self.scope
        self.scope = self.project.comprehension_scope(self.module, node, outer)
        try:
            for generator in node.generators:
                if generator is not first:
                    self.visit(generator.iter)
                for condition in generator.ifs:
                    self.visit(condition)
            for part in ("elt", "key", "value"):
                if hasattr(node, part):
                    self.visit(getattr(node, part))
        finally:
            self.scope = outer

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _visit_comprehension

    def visit_Starred(self, node: ast.Starred) -> None:
        if (
            self.context == "workflow"
            and isinstance(node.ctx, ast.Load)
            and self._is_set(node.value)
        ):
            self.report("TPR301", node.value, how="unpacking it with `*`")
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._check_write(target)
            if (
                self.context == "workflow"
                and isinstance(target, (ast.Tuple, ast.List))
                and self._is_set(node.value)
            ):
                self.report("TPR301", node.value, how="unpacking it into names")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._check_write(node.target)
        self._check_random_as_number(node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._check_write(node.target)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._check_write(target)
        self.generic_visit(node)

    def visit_Try(self, node: ast.Try) -> None:
        if self.context == "workflow" and _contains_await(node.body):
            for handler in node.handlers:
                caught = self._caught(handler.type)
                if caught & {
                    "builtins.BaseException",
                    "asyncio.CancelledError",
                    "asyncio.exceptions.CancelledError",
                    "*",
                }:
                    break  # cancellation is handled by this or an earlier clause
                if "builtins.Exception" in caught and _contains_await(handler.body):
                    self.report("TPR701", handler)
                    break
        self.generic_visit(node)

    def visit_TryStar(self, node: ast.Try) -> None:  # type: ignore[override]  # same fields
        self.visit_Try(node)

    def _caught(self, expression: ast.expr | None) -> set[str]:
        if expression is None:
            return {"*"}
        elements = expression.elts if isinstance(expression, ast.Tuple) else [expression]
        return {self.scope.resolve(e) or "" for e in elements}

    # --- decisions on workflow.unsafe.is_replaying() ----------------------------------------------
    def visit_If(self, node: ast.If) -> None:
        condition = self._replaying_condition(node.test)
        if condition:
            self._check_replay_branch(node, [*node.body, *node.orelse], condition, loop=False)
        sense = None
        if self.context == "workflow" and self.module.asks_in_workflow:
            sense = in_workflow_sense(node.test, self.scope)
        if sense is None:
            self.generic_visit(node)
            return
        # `if workflow.in_workflow():` in code a workflow reached: only the branch that runs in
        # a workflow is workflow code, and after `if in_workflow(): return ...`, nothing is.
        self.visit(node.test)
        for statement in node.body if sense else node.orelse:
            self.visit(statement)
        if sense and node.body and isinstance(node.body[-1], LEAVES):
            self._cut_after.add(id(node))

    def visit_While(self, node: ast.While) -> None:
        condition = self._replaying_condition(node.test)
        if condition:
            self._check_replay_branch(node, [*node.body, *node.orelse], condition, loop=True)
        self.generic_visit(node)

    def visit_IfExp(self, node: ast.IfExp) -> None:
        condition = self._replaying_condition(node.test)
        if condition:
            self._report_replay_commands([node.body, node.orelse], condition)
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        # `is_replaying() or await workflow.sleep(1)`: what follows a decision runs on one side
        for index, value in enumerate(node.values[:-1]):
            condition = self._replaying_condition(value)
            if condition:
                self._report_replay_commands(node.values[index + 1 :], condition)
                break
        self.generic_visit(node)

    def _replaying_condition(self, test: ast.expr) -> str:
        """`workflow.unsafe.is_replaying()` as spelled, when `test` depends on it: directly, through
        a name assigned from it, or through a helper that returns it. Empty otherwise."""
        if self.context not in ("workflow", "other"):
            return ""
        for node in ast.walk(test):
            if isinstance(node, ast.Call):
                condition = self._replaying_call(node, helpers=True)
            elif isinstance(node, ast.Name):
                # `replaying = workflow.unsafe.is_replaying()`, then `if not replaying:`
                found = self.scope.lookup_name(node.id)
                if found is None or found[0].kind != "var" or found[0].count != 1:
                    continue
                value = found[0].node
                if isinstance(value, ast.UnaryOp):
                    value = value.operand
                if not isinstance(value, ast.Call):
                    continue
                condition = self._replaying_call(value, helpers=False)
            else:
                continue
            if condition:
                return condition
        return ""

    def _replaying_call(self, call: ast.Call, helpers: bool) -> str:
        func = call.func
        last = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if "replaying" not in last:  # cheap: most calls in a condition are something else
            return ""
        qname = self.scope.resolve(func)
        if qname in _REPLAYING:
            return f"{_as_written(qname)}()"
        return self._replaying_helper(qname) if helpers and qname else ""

    def _replaying_helper(self, qname: str) -> str:
        """`_is_replaying()`, a helper in the linted files that returns is_replaying()."""
        symbol = self.project.lookup(qname, self.module)
        if symbol is None or symbol.kind != "function":
            return ""
        function = self._function(symbol)
        outer = self.project.module_scope(function.module)
        scope = self.project.scope(function.module, function.node, outer, function.cls)
        for node in _own_nodes(function.node.body):
            if isinstance(node, ast.Return) and node.value is not None:
                for call in ast.walk(node.value):
                    if isinstance(call, ast.Call) and scope.resolve(call.func) in _REPLAYING:
                        return f"{_as_written(scope.resolve(call.func) or '')}()"
        return ""

    def _check_replay_branch(
        self, node: ast.If | ast.While, branch: list[ast.stmt], condition: str, loop: bool
    ) -> None:
        """Commands under a decision on replaying, and exits that skip the commands after it."""
        self._report_replay_commands(branch, condition)
        function = self.scope.node
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return
        is_run = f"{WORKFLOW}.run" in self.project.decorators(self.module, function)
        for exit_node in _exits(branch, in_loop=loop):
            if id(exit_node) in self._replay_reported:
                continue
            keyword = type(exit_node).__name__.lower()
            if isinstance(exit_node, ast.Raise):
                what = "This `raise`"
            elif isinstance(exit_node, ast.Return) and is_run:
                what = "Completing the workflow with this `return`"
            else:
                skipped = self._skipped_command(function, node, exit_node)
                if skipped is None:
                    continue  # it skips nothing that the history records
                what = f"Skipping `{_as_written(skipped)}` with this `{keyword}`"
            self._replay_reported.add(id(exit_node))
            self.report("TPR408", exit_node, what=what, condition=condition)

    def _report_replay_commands(self, nodes: Iterable[ast.AST], condition: str) -> None:
        for call in _own_nodes(nodes):
            if not isinstance(call, ast.Call) or id(call) in self._replay_reported:
                continue
            qname = self._replay_command(call)
            if qname:
                self._replay_reported.add(id(call))
                what = f"Issuing `{_as_written(qname)}`"
                self.report("TPR408", call, qname, what=what, condition=condition)

    def _replay_command(self, call: ast.Call) -> str | None:
        qname = self.scope.resolve(call.func)
        if qname not in _REPLAY_COMMANDS:
            return None
        first = call.args[0] if call.args else None
        if qname == "asyncio.sleep" and isinstance(first, ast.Constant) and first.value == 0:
            return None  # `asyncio.sleep(0)` only yields: it starts no timer
        if qname == "asyncio.wait_for" and not _has_argument(call, 1, "timeout"):
            return None  # no timeout: no timer
        if qname == "asyncio.timeout" and not _has_argument(call, 0, "delay"):
            return None
        return qname

    def _skipped_command(
        self,
        function: ast.FunctionDef | ast.AsyncFunctionDef,
        decision: ast.If | ast.While,
        exit_node: ast.AST,
    ) -> str | None:
        """The first command an exit under `decision` skips: `return` skips what follows the
        decision in the function (and the later rounds of the loops around it), `continue` what
        follows it in its loop, `break` the rest of its loop."""
        ancestors = _ancestors(function.body, decision) or []
        loops = [a for a in ancestors if isinstance(a, (ast.For, ast.AsyncFor, ast.While))]
        first, last = decision.lineno, getattr(decision, "end_lineno", None) or decision.lineno
        if isinstance(exit_node, (ast.Break, ast.Continue)):
            if not loops:
                return None
            body: list[ast.stmt] = loops[-1].body
            start = last + 1 if isinstance(exit_node, ast.Continue) else 0
        else:
            body = function.body
            start = loops[0].lineno if loops else last + 1
        for call in _own_nodes(body):
            line = getattr(call, "lineno", 0)
            if isinstance(call, ast.Call) and line >= start and not first <= line <= last:
                qname = self._replay_command(call)
                if qname:
                    return qname
        return None

    # --- workflow.random() used as a number -----------------------------------------------------
    def visit_BinOp(self, node: ast.BinOp) -> None:
        self._check_random_as_number(node.left)
        self._check_random_as_number(node.right)
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        for operand in (node.left, *node.comparators):
            self._check_random_as_number(operand)
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        self._check_random_as_number(node.operand)
        self.generic_visit(node)

    def _check_random_as_number(self, node: ast.AST) -> None:
        if isinstance(node, ast.Call) and self.scope.resolve(node.func) == f"{WORKFLOW}.random":
            self.report("TPR412", node, f"{WORKFLOW}.random")

    # --- sets -------------------------------------------------------------------------------------
    def _is_set(self, node: ast.AST, depth: int = 0) -> bool:
        if depth > 8:
            return False
        if isinstance(node, (ast.Set, ast.SetComp)):
            return True
        if isinstance(node, ast.BinOp) and isinstance(
            node.op, (ast.BitOr, ast.BitAnd, ast.Sub, ast.BitXor)
        ):
            return self._is_set(node.left, depth + 1)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _SET_RETURNING_METHODS
        ):
            return self._is_set(node.func.value, depth + 1)
        if isinstance(node, ast.Name):
            found = self.scope.lookup_name(node.id)
            if found is not None and found[0].kind == "var" and found[0].count == 1:
                value = found[0].node
                if isinstance(value, ast.Subscript):  # an annotation (set[str]), or self.m[k]
                    if self._set_typed(value, found[1]):
                        return True
                    value = value.value
                if value is not None:
                    return self._is_set(value, depth + 1) or self._set_typed(value, found[1])
            return False
        if isinstance(node, (ast.Call, ast.Attribute, ast.Subscript)):
            return self._set_typed(node, self.scope)
        return False

    def _set_typed(self, node: ast.AST, scope: Scope) -> bool:
        if isinstance(node, ast.Attribute) and not isinstance(node.value, ast.Name):
            return False
        return scope.resolve(node) in _SET_TYPES

    def _check_set_consumer(self, node: ast.Call, qname: str) -> None:
        if qname in _ORDER_FREE_CONSUMERS:
            for argument in node.args:  # `sorted(list(s))`: the order list() sees is dropped
                if isinstance(argument, (ast.GeneratorExp, ast.ListComp, ast.Call)):
                    self._order_free.add(id(argument))
        elif qname in _ORDERED_CONSUMERS and id(node) not in self._order_free:
            for argument in node.args:
                if self._is_set(argument):
                    self.report("TPR301", argument, how=f"`{qname.rpartition('.')[2]}()` over it")

    # --- writes to shared state -------------------------------------------------------------------
    def _check_write(self, target: ast.AST) -> None:
        if self.handler and self._rooted_at_self(target):
            self._report_handler_change(target, "assigning to it changes workflow state")
        if self.context != "workflow":
            return
        if isinstance(target, ast.Name):
            if target.id in self.scope.global_names:
                self._report_state(target, "module-level", target.id)
            return
        if not isinstance(target, (ast.Attribute, ast.Subscript)):
            return
        shared = self._shared(target)
        if shared is None:
            return
        if shared.kind == "object" and not shared.inside:
            # `module.obj = value` rebinds the module's name rather than changing the object.
            self._report_state(target, "module-level", shared.name)
        else:
            self._report_state(target, shared.kind, shared.name, shared.holder)

    def _check_shared_call(self, node: ast.Call, func: ast.Attribute) -> None:
        """`x.append(v)` on a shared list, dict or set; `x.method()` on a shared object whose
        method (in the linted files) writes to `self`."""
        if func.attr not in _MUTATORS and not self._may_be_shared(func.value):
            return  # most calls: `workflow.execute_activity(...)`, `self.helper(...)`
        shared = self._shared(func.value)
        if shared is None:
            return
        if func.attr in _MUTATORS and shared.container:
            self._report_state(node, shared.kind, shared.name, shared.holder)
            return
        if shared.cls is None:
            return
        method = self.project.method(shared.cls, func.attr)
        if method is None or method.cls is None:
            return
        written = self._self_write(method.cls, self._function(method).node, set())
        if written is None:
            return
        module, target = written
        where = f"{module.display}:{getattr(target, 'lineno', 0)}"
        qname = _qualify(method.module.name, method.qname)
        self.report(
            "TPR303",
            node,
            qname,
            action="calls",
            name=qname,
            why=(
                f"which writes `{ast.unparse(target)}` ({where}) on `{shared.name}`, "
                f"{shared.holder or 'an object'} that {_SHARED_BY_RUNS}"
            ),
        )

    def _report_state(self, node: ast.AST, kind: str, name: str, holder: str = "") -> None:
        if kind == "object":
            action, why = "writes state of", f"{holder} that {_SHARED_BY_RUNS}"
        else:
            action, why = f"writes {kind} state", f"which {_SHARED_BY_RUNS}"
        self.report("TPR303", node, action=action, name=name, why=why)

    def _may_be_shared(self, node: ast.AST) -> bool:
        """Cheap pre-check for a method call's receiver: rooted at a module-level name, an
        import, an alias, or `self.<attribute>` (not `self` itself, nor a parameter)."""
        while isinstance(node, (ast.Attribute, ast.Subscript)):
            if isinstance(node.value, ast.Name) and node.value.id == self.scope.self_name:
                return True
            node = node.value
        if not isinstance(node, ast.Name) or node.id == self.scope.self_name:
            return False
        found = self.scope.lookup_name(node.id)
        if found is None or found[0].kind not in ("var", "import"):
            return False
        return not (found[0].qname or "").startswith("temporalio")  # the SDK's own API

    def _shared(self, node: ast.AST) -> _Shared | None:
        """The process-wide state `node` is, or is part of: an attribute of a module or a class
        (`litellm.api_key`, `Settings.cache`), a module-level object (`_agent`, `mod._agent`),
        an object in a class attribute that no instance overrides (`self.shared`), or
        something reached from one of them (`_agent.cache[key]`, `self.shared.memo`)."""
        layers: list[ast.Attribute | ast.Subscript] = []
        scope = self.scope
        for _ in range(4):
            while isinstance(node, (ast.Attribute, ast.Subscript)):
                layers.append(node)
                node = node.value
            if not isinstance(node, ast.Name):
                return None
            found = scope.lookup_name(node.id)
            if found is None:
                return None
            binding, owner = found
            alias = self._alias(binding, owner)
            if alias is None:
                break
            node, scope = alias, owner  # `cache = _agent.cache`: what the name stands for
        else:
            return None
        layers.reverse()  # nearest the root first
        root = self._shared_root(node.id, binding, owner, layers)
        if root is None:
            return None
        shared, used = root
        for layer in layers[used:]:  # what the expression reaches from the shared root
            cls = shared.cls
            if isinstance(layer, ast.Attribute) and cls is not None:
                container = self._container_attribute(cls, layer.attr)
                attribute_type = self.project.self_attribute(cls, layer.attr, 0)
                found_type = self.project.lookup(attribute_type, cls.module)
                next_cls = found_type.cls if found_type and found_type.kind == "class" else None
            else:
                container, next_cls = False, None
            shared = shared._replace(cls=next_cls, container=container, inside=True)
        return shared

    def _alias(self, binding: Binding, owner: Scope) -> ast.expr | None:
        """The expression a local name was assigned once (`agent = _agent`), or None: for a
        parameter or a bare annotation (`agent: Agent`) the binding holds a type, not a value."""
        value = binding.node
        if (
            binding.kind != "var"
            or binding.count != 1
            or owner.node is owner.module.tree
            or not isinstance(value, (ast.Name, ast.Attribute, ast.Subscript))
            or not isinstance(owner.node, (ast.FunctionDef, ast.AsyncFunctionDef))
        ):
            return None
        arguments = owner.node.args
        parameters = (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
        if any(p.annotation is value for p in parameters):
            return None
        for statement in _statements(owner.node.body):
            if isinstance(statement, ast.AnnAssign) and statement.annotation is value:
                return None
        return value

    def _shared_root(
        self, name: str, binding: Binding, owner: Scope, layers: list[ast.Attribute | ast.Subscript]
    ) -> tuple[_Shared, int] | None:
        """What the root name of a write is, with the number of `layers` that naming it took."""
        if owner.cls is not None and owner.self_name == name:
            if not layers or not isinstance(layers[0], ast.Attribute):
                return None
            attr = layers[0].attr
            found = self.project.class_attribute(owner.cls, attr)
            if found is None:
                return None  # an instance attribute: each run has its own
            cls, value = found
            qname = f"{_qualify(cls.module.name, cls.qualname)}.{attr}"
            held = self._held(qname, value, self.project.module_scope(cls.module), True)
            return (held, 1) if held is not None else None
        if binding.kind == "var" and owner.node is owner.module.tree:
            qname = _qualify(owner.module.name, name)
            held = self._held(qname, binding.node, owner, False, reassigned=binding.count > 1)
            return held or _Shared("module-level", qname), 0
        if binding.kind == "class" and owner.node is owner.module.tree:
            return self._definition_root(_qualify(owner.module.name, name), layers)
        if binding.kind == "import" and binding.qname:
            return self._definition_root(binding.qname, layers)
        return None

    def _definition_root(
        self, qname: str, layers: list[ast.Attribute | ast.Subscript]
    ) -> tuple[_Shared, int] | None:
        """A write under an imported name or a class: `config.x`, `mod._agent.cache`,
        `Settings.cache`, or `litellm.api_key` for a module outside the linted files."""
        used = 0
        symbol = self.project.lookup(qname, self.module)
        while symbol is not None and symbol.kind == "module":
            if used == len(layers) or not isinstance(layers[used], ast.Attribute):
                return None
            qname = f"{qname}.{layers[used].attr}"  # type: ignore[union-attr]
            used += 1
            symbol = self.project.lookup(qname, self.module)
            if symbol is None:  # a name the module does not bind at its top level
                return _Shared("module-level", qname), used
        if symbol is not None and symbol.kind == "var":
            scope = self.project.module_scope(symbol.module)
            held = self._held(symbol.qname, symbol.node, scope, False)
            return held or _Shared("module-level", symbol.qname), used  # `config.retries = 3`
        if used == len(layers) or not isinstance(layers[used], ast.Attribute):
            return None
        attr = layers[used].attr  # type: ignore[union-attr]
        if symbol is not None and symbol.kind == "class" and symbol.cls is not None:
            value = _class_body_value(symbol.cls, attr)
            scope = self.project.module_scope(symbol.cls.module)
            container = value is not None and _is_mutable(value, scope)
            return _Shared("class-level", f"{qname}.{attr}", container=container), used + 1
        if symbol is not None:
            return None  # a function's attribute
        # Outside the linted files: a module, a class or an object of a library, shared alike.
        written = f"{qname}.{attr}"
        entry = self.project.entry(written)
        if entry is not None and entry.rule is not None:
            return None  # the table's rule reports it (`os.environ[k] = v`)
        capitalized = qname.rpartition(".")[2][:1].isupper()
        kind: _Kind = "class-level" if capitalized else "module-level"
        return _Shared(kind, written, container=True), used + 1

    def _held(
        self,
        qname: str,
        value: ast.AST | None,
        scope: Scope,
        in_class: bool,
        reassigned: bool = False,
    ) -> _Shared | None:
        """A module-level name or a class attribute, by the value it holds."""
        if isinstance(value, ast.Constant) and value.value is not None:
            return None  # a str or a number cannot be written to
        if (
            in_class
            and isinstance(value, ast.Call)
            and scope.resolve(value.func) in (_PER_INSTANCE_DEFAULTS)
        ):
            return None  # `field(default_factory=list)`: each instance gets its own
        kind: _Kind = "class-level" if in_class else "module-level"
        if _is_mutable(value, scope) or reassigned:
            return _Shared(kind, qname, container=True)
        cls = None
        if isinstance(value, ast.Call):
            found = self.project.lookup(scope.resolve(value.func) or "", scope.module)
            cls = found.cls if found is not None and found.kind == "class" else None
        holder = "an object in a class attribute" if in_class else "a module-level object"
        return _Shared("object", qname, holder, cls)

    def _container_attribute(self, cls: ClassInfo, attr: str) -> bool:
        """Whether `attr` of the instances of `cls` holds a list, dict, set, ...: the first value
        or annotation the class (or a base) gives it says so."""
        for owner in (cls, *self.project.bases(cls)):
            scope = self.project.module_scope(owner.module)
            value = _class_body_value(owner, attr)
            if value is not None:
                return _is_container(value, scope)
            for method in owner.methods.values():
                method_scope = self.project.scope(owner.module, method, scope, owner)
                for node in _statements(method.body):
                    if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
                        continue
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    if any(
                        isinstance(t, ast.Attribute)
                        and t.attr == attr
                        and isinstance(t.value, ast.Name)
                        and t.value.id == method_scope.self_name
                        for t in targets
                    ):
                        return _is_container(node.value, method_scope)
        return False

    def _self_write(
        self, cls: ClassInfo, method: ast.FunctionDef | ast.AsyncFunctionDef, seen: set[int]
    ) -> tuple[Module, ast.AST] | None:
        """The first write a method makes to its instance (`self.x = v`, `self.cache[k] = v`,
        `self.items.append(v)`), itself or through the other methods it calls on `self`."""
        if id(method) in seen or len(seen) > 8:
            return None
        seen.add(id(method))
        outer = self.project.module_scope(cls.module)
        scope = self.project.scope(cls.module, method, outer, cls)
        me = scope.self_name
        if me is None:
            return None
        for node in _own_nodes(method.body):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and node.value is not None:
                targets = [node.target]
            elif isinstance(node, ast.Delete):
                targets = node.targets
            for target in targets:
                if _written_on(target, me) and not self._reported_in_method(cls, target, me):
                    return cls.module, target
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            receiver = node.func.value
            if isinstance(receiver, ast.Name) and receiver.id == me:  # `self.helper()`
                found = self._method_write(cls, node.func.attr, seen)
                if found is not None:
                    return found
            elif isinstance(receiver, ast.Attribute) and _written_on(receiver, me):
                if not isinstance(receiver.value, ast.Name):
                    continue
                if node.func.attr in _MUTATORS and self._container_attribute(cls, receiver.attr):
                    if not self._reported_in_method(cls, receiver, me):
                        return cls.module, node
                    continue
                # `self.toolset.get_tools()`: what the shared object holds is shared too.
                held = self.project.self_attribute(cls, receiver.attr, 0)
                symbol = self.project.lookup(held, cls.module)
                if symbol is not None and symbol.kind == "class" and symbol.cls is not None:
                    found = self._method_write(symbol.cls, node.func.attr, seen)
                    if found is not None:
                        return found
        return None

    def _method_write(
        self, cls: ClassInfo, name: str, seen: set[int]
    ) -> tuple[Module, ast.AST] | None:
        called = self.project.method(cls, name)
        if called is None or called.cls is None:
            return None
        return self._self_write(called.cls, self._function(called).node, seen)

    def _reported_in_method(self, cls: ClassInfo, target: ast.expr, me: str) -> bool:
        """A write to a class-level container (`cache: dict = {}` in the class body) is reported
        inside the method, where the workflow's walk reaches it: not again at the call."""
        while isinstance(target, ast.Subscript):
            target = target.value
        if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)):
            return False
        if target.value.id != me:
            return False
        found = self.project.class_attribute(cls, target.attr)
        return found is not None and _is_mutable(found[1], self.project.module_scope(cls.module))

    def _rooted_at_self(self, node: ast.AST) -> bool:
        while isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
            if isinstance(node, ast.Name):
                return node.id == self.scope.self_name
        return False

    def _report_handler_change(self, node: ast.AST, why: str) -> None:
        code = "TPR406" if self.handler == "query" else "TPR407"
        self.report(code, node, why=why)


def _has_argument(node: ast.Call, position: int, keyword: str) -> bool:
    if any(isinstance(a, ast.Starred) for a in node.args) or any(
        k.arg is None for k in node.keywords
    ):
        return True  # *args / **kwargs: assume the argument is given
    if len(node.args) > position:
        return not _is_none(node.args[position])
    return any(k.arg == keyword and not _is_none(k.value) for k in node.keywords if keyword)


def _argument(node: ast.Call, position: int, keyword: str) -> ast.expr | None:
    """The argument given at `position` or as `keyword`, when it can be told."""
    for index, argument in enumerate(node.args):
        if isinstance(argument, ast.Starred):
            return None
        if index == position:
            return argument
    return next((k.value for k in node.keywords if keyword and k.arg == keyword), None)


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _as_written(qname: str) -> str:
    """`workflow.get_external_workflow_handle().signal`, as workflow code spells an SDK call."""
    return sdk_api.spelled(qname).removeprefix("temporalio.")


def _qualify(module: str, name: str) -> str:
    return f"{module}.{name}" if module else name


def _runs_code(factory: ast.expr, scope: Scope) -> bool:
    """A default factory named by reference whose call may do something: not `list`, `dict`,
    ... (nor a name the linter cannot resolve)."""
    if not isinstance(factory, (ast.Name, ast.Attribute)):
        return False
    qname = scope.resolve(factory) or "builtins."
    return not qname.startswith("builtins.") and qname not in _MUTABLE_FACTORIES


def _is_mutable(value: ast.AST | None, scope: Scope) -> bool:
    if isinstance(value, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)):
        return True
    return isinstance(value, ast.Call) and scope.resolve(value.func) in _MUTABLE_FACTORIES


def _is_container(value: ast.AST | None, scope: Scope) -> bool:
    """A list, dict or set, or a default that makes one for each instance
    (`field(default_factory=list)`)."""
    if _is_mutable(value, scope):
        return True
    if isinstance(value, ast.Call) and scope.resolve(value.func) in _PER_INSTANCE_DEFAULTS:
        factory = next((k.value for k in value.keywords if k.arg == "default_factory"), None)
        return factory is not None and scope.resolve(factory) in _MUTABLE_FACTORIES
    return False


def _class_body_value(cls: ClassInfo, attr: str) -> ast.expr | None:
    """The value the body of `cls` itself assigns to `attr`, if any."""
    for statement in cls.node.body:
        if isinstance(statement, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == attr for t in statement.targets
        ):
            return statement.value
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.target.id == attr
            and statement.value is not None
        ):
            return statement.value
    return None


def _written_on(target: ast.AST, name: str) -> bool:
    """Whether an assignment target writes to (into) what `name` holds: `self.x`, `self.x[k]`."""
    if isinstance(target, (ast.Tuple, ast.List)):
        return any(_written_on(element, name) for element in target.elts)
    if isinstance(target, ast.Starred):
        return _written_on(target.value, name)
    if not isinstance(target, (ast.Attribute, ast.Subscript)):
        return False
    while isinstance(target, (ast.Attribute, ast.Subscript)):
        target = target.value
    return isinstance(target, ast.Name) and target.id == name


_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _own_nodes(nodes: Iterable[ast.AST]) -> Iterator[ast.AST]:
    """Every node under `nodes`, in source order, without entering nested functions, lambdas
    or classes (they run when called, not here)."""
    stack = list(reversed(list(nodes)))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _NESTED):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _exits(branch: list[ast.stmt], in_loop: bool) -> Iterator[ast.AST]:
    """`return`, `raise`, and the `break`/`continue` that leave the code around `branch`
    (`in_loop`: the branch is a loop's own body, so its `break` leaves only that loop)."""
    stack: list[tuple[ast.AST, bool]] = [(node, in_loop) for node in reversed(branch)]
    while stack:
        node, looped = stack.pop()
        leaves = isinstance(node, (ast.Break, ast.Continue)) and not looped
        if leaves or isinstance(node, (ast.Return, ast.Raise)):
            yield node
        if isinstance(node, (*_NESTED, ast.expr)):
            continue
        inner = looped or isinstance(node, (ast.For, ast.AsyncFor, ast.While))
        stack.extend((child, inner) for child in reversed(list(ast.iter_child_nodes(node))))


def _ancestors(body: list[ast.stmt], target: ast.stmt) -> list[ast.stmt] | None:
    """The statements enclosing `target` in `body`, outermost first (None: not in `body`)."""
    for statement in body:
        if statement is target:
            return []
        if isinstance(statement, _NESTED):
            continue
        for block in _blocks(statement):
            found = _ancestors(block, target)
            if found is not None:
                return [statement, *found]
    return None


def _blocks(statement: ast.stmt) -> Iterator[list[ast.stmt]]:
    for name in ("body", "orelse", "finalbody"):
        block = getattr(statement, name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield block
    for part in (*getattr(statement, "handlers", []), *getattr(statement, "cases", [])):
        yield part.body


def _contains_await(body: list[ast.stmt]) -> bool:
    return any(
        isinstance(n, (ast.Await, ast.AsyncFor, ast.AsyncWith)) for s in body for n in ast.walk(s)
    )


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )


def _close(word: str, candidates: list[str]) -> str:
    import difflib

    matches = difflib.get_close_matches(word, candidates, n=2, cutoff=0.6)
    return " or ".join(f"`{m}`" for m in matches)
