"""From code: every activity, local activity and child workflow call, its timeouts and retry policy
resolved where they are literal, and warnings for configurations that misbehave in production.

Calls are found the way the linter finds them: the same project model resolves names through
imports and aliases (`from temporalio import workflow as wf`, `import temporalio.workflow`), so
`wf.execute_activity(...)` and `execute_local_activity(...)` both count. Values resolve through
`timedelta(...)`, `RetryPolicy(...)`, simple arithmetic and names assigned once (in the function,
the module, or a module they are imported from); anything else shows as "?" and warns about
nothing. `**options` could hold any timeout, so a call with unresolved `**` warns only about what
it spells out.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeGuard

from mcp_server import sdk_facts
from mcp_server.lint.config import Config
from mcp_server.lint.files import UsageError, discover
from mcp_server.lint.parse import UnreadableFile
from mcp_server.lint.project import ClassInfo, Module, Project, Scope, Symbol, decorator_target
from mcp_server.timeouts import durations
from mcp_server.timeouts.models import ConfiguredCall, TimeoutInputError, TimeoutWarning
from mcp_server.timeouts.models import Scope as CallScope

LONG_ATTEMPT_SECONDS = 300.0  # an attempt this long should heartbeat
HELPER_LEVELS = 2  # how far calls from an activity are followed looking for a heartbeat
_HEARTBEAT = "temporalio.activity.heartbeat"
_COMPLETE_ASYNC = "temporalio.activity.raise_complete_async"
_TIMEDELTA = "datetime.timedelta"
_TIMEDELTA_UNITS = (86400.0, 1.0, 1e-6, 1e-3, 60.0, 3600.0, 604800.0)  # positional order
_TIMEDELTA_KEYWORDS = {
    "days": 86400.0, "seconds": 1.0, "microseconds": 1e-6, "milliseconds": 1e-3,
    "minutes": 60.0, "hours": 3600.0, "weeks": 604800.0,
}  # fmt: skip
_RETRY_FIELDS = (
    "initial_interval",
    "backoff_coefficient",
    "maximum_interval",
    "maximum_attempts",
    "non_retryable_error_types",
)
_SHOWN_RETRY = _RETRY_FIELDS[:4]  # "?" for each when the policy cannot be read
# What a module must contain to hold a starter call: the API's name (an alias names it where it
# is made). Other modules are parsed only if a lookup reaches them.
_MARKERS = ("_activity", "child_workflow")
_MAX_DEPTH = 16


# --- literal values ----------------------------------------------------------------------------
class _Unknown:
    def __repr__(self) -> str:
        return "?"


UNKNOWN = _Unknown()


@dataclass(frozen=True)
class _Duration:
    seconds: float


@dataclass
class _Policy:
    """A `RetryPolicy(...)`: the fields it spells out; `opaque` when `**`/`*` may set others."""

    fields: dict[str, object] = field(default_factory=dict)
    opaque: bool = False


@dataclass
class _Mapping:
    """A dict literal or `dict(...)` with string keys, as `**` spreads it into a call."""

    items: dict[str, ast.expr]
    scope: Scope


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Evaluator:
    """Literal values of expressions, following names to the single assignment they stand for."""

    def __init__(self, project: Project) -> None:
        self.project = project

    def value(self, node: ast.AST, scope: Scope, depth: int = 0) -> object:
        if depth > _MAX_DEPTH:
            return UNKNOWN
        if isinstance(node, ast.Constant):
            if node.value is None or isinstance(node.value, str) or _number(node.value):
                return node.value
            return UNKNOWN
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.value(node.operand, scope, depth + 1)
            sign = -1 if isinstance(node.op, ast.USub) else 1
            if _number(operand):
                return sign * operand
            if isinstance(operand, _Duration):
                return _Duration(sign * operand.seconds)
            return UNKNOWN
        if isinstance(node, ast.BinOp):
            left = self.value(node.left, scope, depth + 1)
            right = self.value(node.right, scope, depth + 1)
            return _arithmetic(node.op, left, right)
        if isinstance(node, (ast.List, ast.Tuple)):
            return tuple(self.value(element, scope, depth + 1) for element in node.elts)
        if isinstance(node, ast.Dict):
            return self._mapping(node, scope)
        if isinstance(node, ast.Name):
            return self._name(node.id, scope, depth)
        if isinstance(node, ast.Attribute):
            qname = scope.resolve(node)
            return self._imported(qname, scope.module, depth) if qname else UNKNOWN
        if isinstance(node, ast.Call):
            return self._call(node, scope, depth)
        return UNKNOWN

    def _name(self, name: str, scope: Scope, depth: int) -> object:
        found = scope.lookup_name(name)
        if found is None:
            return UNKNOWN
        binding, owner = found
        if binding.kind == "import" and binding.qname:
            return self._imported(binding.qname, owner.module, depth)
        if binding.kind != "var" or binding.count != 1 or binding.node is None:
            return UNKNOWN
        if _is_parameter(owner, binding.node):
            return UNKNOWN  # an annotated parameter: its binding holds the annotation
        return self.value(binding.node, owner, depth + 1)

    def _imported(self, qname: str, near: Module, depth: int) -> object:
        """A module-level constant of another module (`from app.settings import RETRY`)."""
        symbol = self.project.lookup(qname, near)
        if symbol is None or symbol.kind != "var" or symbol.node is None:
            return UNKNOWN
        binding = symbol.module.bindings.get(symbol.qname.rpartition(".")[2])
        if binding is not None and binding.count != 1:
            return UNKNOWN
        return self.value(symbol.node, self.project.module_scope(symbol.module), depth + 1)

    def _call(self, node: ast.Call, scope: Scope, depth: int) -> object:
        qname = scope.resolve(node.func) or ""
        if qname == _TIMEDELTA:
            return self._timedelta(node, scope, depth)
        if qname.startswith("temporalio.") and qname.endswith(".RetryPolicy"):
            return self._policy(node, scope, depth)
        if qname == "builtins.dict" and not node.args:
            if any(k.arg is None for k in node.keywords):
                return UNKNOWN
            return _Mapping({k.arg: k.value for k in node.keywords if k.arg}, scope)
        return UNKNOWN

    def _timedelta(self, node: ast.Call, scope: Scope, depth: int) -> object:
        if len(node.args) > len(_TIMEDELTA_UNITS):
            return UNKNOWN
        parts = [(arg, unit) for arg, unit in zip(node.args, _TIMEDELTA_UNITS, strict=False)]
        for keyword in node.keywords:
            unit = _TIMEDELTA_KEYWORDS.get(keyword.arg or "")
            if unit is None:
                return UNKNOWN
            parts.append((keyword.value, unit))
        total = 0.0
        for expression, unit in parts:
            amount = self.value(expression, scope, depth + 1)
            if not _number(amount):
                return UNKNOWN
            total += amount * unit
        return _Duration(total)

    def _policy(self, node: ast.Call, scope: Scope, depth: int) -> _Policy:
        policy = _Policy()
        for position, arg in enumerate(node.args):
            if isinstance(arg, ast.Starred) or position >= len(_RETRY_FIELDS):
                policy.opaque = True
                break
            policy.fields[_RETRY_FIELDS[position]] = self.value(arg, scope, depth + 1)
        for keyword in node.keywords:
            if keyword.arg is None:
                policy.opaque = True
            else:
                policy.fields[keyword.arg] = self.value(keyword.value, scope, depth + 1)
        return policy

    def _mapping(self, node: ast.Dict, scope: Scope) -> object:
        items: dict[str, ast.expr] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                return UNKNOWN  # `**rest` inside the literal, or a computed key
            items[key.value] = value
        return _Mapping(items, scope)


def _arithmetic(op: ast.operator, left: object, right: object) -> object:
    """`timedelta(minutes=1) * 5`, `5 * 60`, `BASE + timedelta(seconds=1)`: what durations do."""
    if _number(left) and _number(right):
        a, b = float(left), float(right)
        if isinstance(op, ast.Add):
            result = a + b
        elif isinstance(op, ast.Sub):
            result = a - b
        elif isinstance(op, ast.Mult):
            result = a * b
        elif isinstance(op, ast.Div) and b:
            result = a / b
        else:
            return UNKNOWN
        both_int = isinstance(left, int) and isinstance(right, int) and not isinstance(op, ast.Div)
        return int(result) if both_int else result
    if isinstance(left, _Duration) and isinstance(right, _Duration):
        if isinstance(op, ast.Add):
            return _Duration(left.seconds + right.seconds)
        if isinstance(op, ast.Sub):
            return _Duration(left.seconds - right.seconds)
        return UNKNOWN
    if isinstance(op, ast.Mult):
        if isinstance(left, _Duration) and _number(right):
            return _Duration(left.seconds * right)
        if _number(left) and isinstance(right, _Duration):
            return _Duration(right.seconds * left)
    if isinstance(op, ast.Div) and isinstance(left, _Duration) and _number(right) and right:
        return _Duration(left.seconds / right)
    return UNKNOWN


def _is_parameter(scope: Scope, node: ast.AST) -> bool:
    function = scope.node
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return False
    arguments = function.args
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
    return any(node is argument.annotation for argument in every)


# --- walking code with its scopes --------------------------------------------------------------
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


def _scoped(
    project: Project,
    nodes: list[ast.stmt],
    scope: Scope,
    skip: Callable[[ast.stmt], bool] | None = None,
) -> Iterator[tuple[ast.AST, Scope]]:
    """Every node under `nodes` with the scope its names resolve in: functions, lambdas and
    comprehensions get their own, as the linter gives them. `skip`: functions and classes not
    worth entering."""
    stack: list[tuple[ast.AST, Scope, ClassInfo | None]] = [(n, scope, None) for n in nodes]
    module = scope.module
    while stack:
        node, where, owner = stack.pop()
        if skip is not None and isinstance(node, (*_FUNCTIONS, ast.ClassDef)) and skip(node):
            continue
        if isinstance(node, _FUNCTIONS):
            arguments = node.args
            for outer in (*node.decorator_list, *arguments.defaults, *arguments.kw_defaults):
                if outer is not None:
                    stack.append((outer, where, None))
            inner = project.scope(module, node, where, owner)
            stack.extend((statement, inner, None) for statement in node.body)
            continue
        if isinstance(node, ast.Lambda):
            stack.append((node.body, project.scope(module, node, where), None))
            continue
        if isinstance(node, ast.ClassDef):
            for expression in (*node.decorator_list, *node.bases, *node.keywords):
                stack.append((expression, where, None))
            qualname = f"{owner.qualname}.{node.name}" if owner else node.name
            info = project.class_info(module, node, qualname)
            stack.extend((statement, where, info) for statement in node.body)
            continue
        if isinstance(node, _COMPREHENSIONS):
            where = project.comprehension_scope(module, node, where)
        yield node, where
        for child in ast.iter_child_nodes(node):
            stack.append((child, where, owner if isinstance(node, ast.stmt) else None))


# --- the calls ---------------------------------------------------------------------------------
_ACTIVITY_KEYS = ("start_to_close", "schedule_to_close", "schedule_to_start", "heartbeat")
# The SDK's execute_local_activity also takes schedule_to_start_timeout (rarely useful).
_LOCAL_KEYS = ("start_to_close", "schedule_to_close", "schedule_to_start")
_CHILD_KEYS = ("execution", "run", "task")


@dataclass
class _Found:
    """One call as analyzed: its report entry and what the warnings need."""

    entry: ConfiguredCall
    scope: Scope
    target: ast.expr | None
    seconds: dict[str, float | None]  # resolved timeouts; None: given but not literal
    opaque: bool  # `**options` that could not be read: absent keywords prove nothing
    policy: object  # None (no policy), _Policy, or UNKNOWN


def _starter_scope(qname: str) -> CallScope | None:
    if qname in sdk_facts.ACTIVITY_STARTERS:
        return "activity"
    if qname in sdk_facts.LOCAL_ACTIVITY_STARTERS:
        return "local-activity"
    if qname in sdk_facts.CHILD_WORKFLOW_STARTERS:
        return "child-workflow"
    return None


def _parameters(scope: CallScope) -> list[tuple[str, str]]:
    """(configured key, keyword argument) of the timeouts a call of this scope takes."""
    if scope == "child-workflow":
        return [(key, sdk_facts.WORKFLOW_TIMEOUTS[key].parameter) for key in _CHILD_KEYS]
    keys = _ACTIVITY_KEYS if scope == "activity" else _LOCAL_KEYS
    return [(key, sdk_facts.ACTIVITY_TIMEOUTS[key].parameter) for key in keys]


class _Analysis:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.values = _Evaluator(project)
        self._named_activities: dict[str, list[Symbol]] | None = None

    def calls_in(self, module: Module) -> Iterator[_Found]:
        assert module.tree is not None
        outer = self.project.module_scope(module)
        # Names a starter call can be spelled with: the API's own, or a module-level alias.
        markers = set(_MARKERS)
        markers.update(
            name
            for name, binding in module.bindings.items()
            if binding.kind in ("import", "var")
            and _starter_scope(outer.resolve(ast.Name(name)) or "")
        )

        def skip(definition: ast.stmt) -> bool:
            # Most functions start nothing: not entering them saves building their scopes.
            end = getattr(definition, "end_lineno", None) or definition.lineno
            text = "\n".join(module.lines[definition.lineno - 1 : end])
            return not any(marker in text for marker in markers)

        for node, scope in _scoped(self.project, module.tree.body, outer, skip):
            if not isinstance(node, ast.Call):
                continue
            qname = scope.resolve(node.func)
            kind = _starter_scope(qname) if qname else None
            if kind is not None and qname is not None:
                yield self._found(module, node, scope, kind, qname)

    def _found(
        self, module: Module, node: ast.Call, scope: Scope, kind: CallScope, qname: str
    ) -> _Found:
        keywords: dict[str, tuple[ast.expr, Scope]] = {}
        opaque = False
        for keyword in node.keywords:
            if keyword.arg is not None:
                keywords[keyword.arg] = (keyword.value, scope)
                continue
            spread = self.values.value(keyword.value, scope)
            if isinstance(spread, _Mapping):
                for name, spread_value in spread.items.items():
                    keywords.setdefault(name, (spread_value, spread.scope))
            else:
                opaque = True
        target = node.args[0] if node.args and not isinstance(node.args[0], ast.Starred) else None
        if target is None:
            named = keywords.get("workflow" if kind == "child-workflow" else "activity")
            target = named[0] if named else None
        configured: dict[str, str] = {}
        seconds: dict[str, float | None] = {}
        for key, parameter in _parameters(kind):
            if parameter not in keywords:
                continue
            expression, where = keywords[parameter]
            value = self.values.value(expression, where)
            if value is None:
                continue  # `=None` is the default: not set
            configured[key] = _duration_text(value)
            seconds[key] = (
                value.seconds if isinstance(value, _Duration) and value.seconds >= 0 else None
            )
        policy: object = None
        if "retry_policy" in keywords:
            expression, where = keywords["retry_policy"]
            policy = self.values.value(expression, where)
            if policy is not None and not isinstance(policy, _Policy):
                policy = UNKNOWN
        configured.update(_retry_configured(policy))
        row = getattr(node, "lineno", 1)
        entry = ConfiguredCall(
            scope=kind,
            call=qname.removeprefix("temporalio."),
            target=_target_text(target),
            filename=module.display,
            row=row,
            column=module.column(row, node.col_offset),
            configured=configured,
        )
        return _Found(entry, scope, target, seconds, opaque, policy)

    # --- warnings ------------------------------------------------------------------------------
    def warnings(self, found: _Found) -> list[TimeoutWarning]:
        entry = found.entry
        if entry.scope == "child-workflow":
            return []
        seconds, opaque = found.seconds, found.opaque
        name = f"{entry.call}({entry.target})"
        out: list[tuple[str, str]] = []
        has_start, has_close = "start_to_close" in seconds, "schedule_to_close" in seconds
        start, close = seconds.get("start_to_close"), seconds.get("schedule_to_close")
        # The SDK tests the timedeltas' truth: a zero timeout counts as none.
        required = [seconds[k] for k in ("start_to_close", "schedule_to_close") if k in seconds]
        if all(value == 0 for value in required) and not opaque:
            out.append((
                "missing-timeout",
                f"{name} sets neither start_to_close_timeout nor schedule_to_close_timeout: "
                "scheduling it raises ValueError and fails the workflow task, retried for ever; "
                "set start_to_close_timeout to the longest one attempt should take",
            ))  # fmt: skip
        if start and close and close < start:
            out.append((
                "schedule-to-close-shorter",
                f"{name} has schedule_to_close_timeout={durations.text(close)} shorter than "
                f"start_to_close_timeout={durations.text(start)}: no attempt can use its whole "
                "start-to-close and no time is left for a retry; make schedule_to_close_timeout "
                "longer than start_to_close_timeout, with room for the retries you want",
            ))  # fmt: skip
        unlimited = _unlimited(found.policy)
        if unlimited and not has_close and not opaque:
            cap = _capped_interval(found.policy)
            every = f", up to {durations.text(cap)} apart once the backoff is capped" if cap else ""
            out.append((
                "retries-unbounded",
                f"{name} retries without limit (maximum_attempts unset or 0) and has "
                "no schedule_to_close_timeout: if it keeps failing it retries for ever"
                f"{every}; set RetryPolicy(maximum_attempts=...) or a schedule_to_close_timeout",
            ))  # fmt: skip
        attempt = start if has_start else close
        if entry.scope == "activity":
            if "schedule_to_start" in seconds:
                out.append((
                    "schedule-to-start",
                    f"{name} sets {_setting(entry, 'schedule_to_start')}, a timeout that is "
                    f"{sdk_facts.ACTIVITY_TIMEOUTS['schedule_to_start'].retried}; remove it unless "
                    "the task queue routes to specific hosts",
                ))  # fmt: skip
            if "heartbeat" in seconds:
                out += self._heartbeat_never_sent(found, name)
            elif attempt is not None and attempt >= LONG_ATTEMPT_SECONDS and not opaque:
                out.append((
                    "long-activity-no-heartbeat",
                    f"{name} may run {durations.text(attempt)} per attempt with no "
                    "heartbeat_timeout: a worker that dies mid-attempt is noticed only after "
                    f"{durations.text(attempt)}; set heartbeat_timeout and call "
                    "activity.heartbeat() in the activity",
                ))  # fmt: skip
        task = sdk_facts.DEFAULT_WORKFLOW_TASK_TIMEOUT_SECONDS
        if entry.scope == "local-activity" and attempt is not None and attempt > task:
            out.append((
                "local-activity-outlasts-task",
                f"{name} may run {durations.text(attempt)} per attempt, longer than the workflow "
                f"task timeout ({durations.text(task)} by default) it runs within; make it a "
                f"regular activity (execute_activity) or keep its attempt under "
                f"{durations.text(task)}",
            ))  # fmt: skip
        return [
            TimeoutWarning(
                code=code, filename=entry.filename, row=entry.row, column=entry.column,
                message=message,
            )
            for code, message in out
        ]  # fmt: skip

    def _heartbeat_never_sent(self, found: _Found, name: str) -> list[tuple[str, str]]:
        symbol = self._activity_function(found)
        if symbol is None or self._heartbeats(symbol) is not False:
            return []
        node = symbol.node
        assert isinstance(node, _FUNCTIONS)
        qualname = f"{symbol.cls.qualname}.{node.name}" if symbol.cls else node.name
        function = f"{symbol.module.name}.{qualname}" if symbol.module.name else qualname
        where = f"{symbol.module.display}:{node.lineno}"
        given = found.entry.configured["heartbeat"]
        longer = "the heartbeat timeout" if given == "?" else given
        return [(
            "heartbeat-never-sent",
            f"{name} sets {_setting(found.entry, 'heartbeat')} but {function} ({where}) never "
            f"calls activity.heartbeat(): an attempt that runs longer than {longer} times out "
            "(HEARTBEAT); call activity.heartbeat() as it makes progress, or remove "
            "heartbeat_timeout",
        )]  # fmt: skip

    # --- following the activity -----------------------------------------------------------------
    def _activity_function(self, found: _Found) -> Symbol | None:
        target = found.target
        if target is None:
            return None
        if isinstance(target, ast.Constant) and isinstance(target.value, str):
            matches = self._activities_named().get(target.value, [])
            return matches[0] if len(matches) == 1 else None
        qname = found.scope.resolve(target)
        symbol = self.project.lookup(qname, found.scope.module) if qname else None
        if symbol is not None and symbol.kind == "class" and symbol.cls is not None:
            symbol = self.project.method(symbol.cls, "__call__")  # the _class forms
        if symbol is None or symbol.kind != "function":
            return None
        return symbol

    def _activities_named(self) -> dict[str, list[Symbol]]:
        """`@activity.defn` functions by the name workers register them under, for calls that
        name the activity by string."""
        if self._named_activities is not None:
            return self._named_activities
        named: dict[str, list[Symbol]] = {}
        for module in list(self.project.modules):
            if "defn" not in module.source or not module.mentions_temporal:
                continue
            if self.project.parse(module).tree is None:
                continue
            for node, cls in _definitions(self.project, module):
                name = _activity_name(self.project, module, node)
                if name:
                    qname = f"{cls.qualname}.{node.name}" if cls else node.name
                    named.setdefault(name, []).append(Symbol("function", module, node, qname, cls))
        self._named_activities = named
        return named

    def _heartbeats(self, activity: Symbol) -> bool | None:
        """Whether the activity calls activity.heartbeat (itself, in its decorators, or in
        helpers they call, up to HELPER_LEVELS deep); None when that cannot be told: a stub, a
        decorator from a library, an activity completed asynchronously (heartbeats then come
        through the client), helpers deeper than we look."""
        assert isinstance(activity.node, _FUNCTIONS)
        if _is_stub(activity.node):
            return None  # an interface: the implementation is elsewhere
        seen = {id(activity.node)}
        level = [activity]
        for depth in range(HELPER_LEVELS + 1):
            following: list[Symbol] = []
            for symbol in level:
                for reached in self._references(symbol, root=symbol is activity):
                    if reached == _HEARTBEAT:
                        return True
                    if reached is UNKNOWN:
                        return None
                    if isinstance(reached, Symbol) and id(reached.node) not in seen:
                        if depth == HELPER_LEVELS:
                            return None  # deeper than we look: it may heartbeat there
                        seen.add(id(reached.node))
                        following.append(reached)
            level = following
        return False

    def _references(self, symbol: Symbol, root: bool) -> Iterator[object]:
        """What a function's code and decorators name: the heartbeat API (`_HEARTBEAT`), project
        functions it calls or hands on (`run(self._beat)`), or UNKNOWN for what could heartbeat
        out of sight (asynchronous completion; on the activity itself, a library's decorator)."""
        node = symbol.node
        assert isinstance(node, _FUNCTIONS)
        module = symbol.module
        outer = self.project.module_scope(module)
        for decorator in node.decorator_list:
            named = outer.resolve(decorator_target(decorator)) or ""
            if named.startswith("temporalio."):
                continue
            found = self.project.lookup(named, module) if named else None
            if found is not None and found.kind == "function":
                yield found  # a decorator of the project: its wrapper may heartbeat
            elif root:
                yield UNKNOWN
        scope = self.project.scope(module, node, outer, symbol.cls)
        for child, where in _scoped(self.project, node.body, scope):
            if not isinstance(child, (ast.Name, ast.Attribute)):
                continue
            if not isinstance(child.ctx, ast.Load):
                continue
            qname = where.resolve(child)
            if not qname or qname.startswith("builtins."):
                continue
            if qname in (_HEARTBEAT, _COMPLETE_ASYNC):
                yield _HEARTBEAT if qname == _HEARTBEAT else UNKNOWN
                continue
            if qname.startswith("temporalio."):
                continue
            found = self.project.lookup(qname, module)
            if found is not None and found.kind == "function":
                yield found


def _definitions(
    project: Project, module: Module
) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, ClassInfo | None]]:
    assert module.tree is not None
    for node in module.tree.body:
        if isinstance(node, _FUNCTIONS):
            yield node, None
        elif isinstance(node, ast.ClassDef):
            cls = project.class_info(module, node)
            for method in cls.methods.values():
                yield method, cls


def _activity_name(
    project: Project, module: Module, node: ast.FunctionDef | ast.AsyncFunctionDef
) -> str | None:
    """The name `@activity.defn` registers the function under; None if not an activity."""
    scope = project.module_scope(module)
    for decorator in node.decorator_list:
        if scope.resolve(decorator_target(decorator)) != "temporalio.activity.defn":
            continue
        if isinstance(decorator, ast.Call):
            for keyword in decorator.keywords:
                if keyword.arg == "name":
                    value = keyword.value
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        return value.value
                    return None  # a computed name
        return node.name
    return None


def _is_stub(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A body of only a docstring, `...`, `pass` or `raise NotImplementedError`."""
    for statement in node.body:
        if isinstance(statement, ast.Pass):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue
        if isinstance(statement, ast.Raise) and "NotImplementedError" in ast.unparse(statement):
            continue
        return False
    return True


def _setting(entry: ConfiguredCall, key: str) -> str:
    """`heartbeat_timeout=10s`, or just the keyword when its value is not literal."""
    parameter = sdk_facts.ACTIVITY_TIMEOUTS[key].parameter
    value = entry.configured[key]
    return parameter if value == "?" else f"{parameter}={value}"


def _target_text(target: ast.expr | None) -> str:
    if target is None:
        return "?"
    if isinstance(target, ast.Constant) and isinstance(target.value, str):
        return target.value
    return ast.unparse(target)


def _number_text(value: object) -> str:
    if not _number(value):
        return "?"
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def _duration_text(value: object) -> str:
    if isinstance(value, _Duration) and value.seconds >= 0:
        return durations.text(value.seconds)
    return "?"


def _names_text(value: object) -> str:
    """`["CardDeclined", "Fraud"]` -> `CardDeclined, Fraud`."""
    if not isinstance(value, tuple) or not all(isinstance(n, str) for n in value):
        return "?"
    return ", ".join(value)


def _retry_configured(policy: object) -> dict[str, str]:
    if policy is None:
        return {}
    if not isinstance(policy, _Policy):
        return {f"retry.{name}": "?" for name in _SHOWN_RETRY}
    shown: dict[str, str] = {}
    for name in _RETRY_FIELDS:
        if name not in policy.fields:
            if policy.opaque and name in _SHOWN_RETRY:
                shown[f"retry.{name}"] = "?"
            continue
        value = policy.fields[name]
        if value is None:
            continue  # the default
        if name.endswith("_interval"):
            shown[f"retry.{name}"] = _duration_text(value)
        elif name == "non_retryable_error_types":
            shown[f"retry.{name}"] = _names_text(value)
        else:
            shown[f"retry.{name}"] = _number_text(value)
    return shown


def _unlimited(policy: object) -> bool:
    """Whether the retry policy allows unlimited attempts; False when it cannot be told."""
    if policy is None:
        return sdk_facts.DEFAULT_RETRY_MAX_ATTEMPTS == 0
    if not isinstance(policy, _Policy):
        return False
    if "maximum_attempts" not in policy.fields:
        return not policy.opaque and sdk_facts.DEFAULT_RETRY_MAX_ATTEMPTS == 0
    attempts = policy.fields["maximum_attempts"]
    return _number(attempts) and attempts == 0


def _capped_interval(policy: object) -> float | None:
    """The longest wait between attempts (maximum_interval, else 100 x the initial interval)."""
    fields = policy.fields if isinstance(policy, _Policy) else {}
    maximum = fields.get("maximum_interval")
    if isinstance(maximum, _Duration):
        return maximum.seconds
    if maximum is not None:
        return None
    initial = fields.get("initial_interval")
    if initial is None:
        seconds = sdk_facts.DEFAULT_RETRY_INITIAL_SECONDS
    elif isinstance(initial, _Duration):
        seconds = initial.seconds
    else:
        return None
    return seconds * sdk_facts.DEFAULT_RETRY_MAX_INTERVAL_FACTOR


# --- the entry point ---------------------------------------------------------------------------
def analyze_code(
    paths: list[str], confine: tuple[str, ...] | None = None
) -> tuple[list[ConfiguredCall], list[TimeoutWarning]]:
    """Every activity, local activity and child workflow call under `paths` (files or folders),
    and the warnings its configuration earns. Imports are followed to find the activity a call
    starts, within `confine` (real paths of folders) when given. A file named in `paths` that
    cannot be read or parsed raises TimeoutInputError; one found in a folder is skipped, as it
    would fail to import anyway."""
    project = Project(confine=confine)
    named: set[int] = set()
    try:
        for path, explicit in discover(paths, Config()):
            try:
                module = project.add(path, project.read(path), path)
            except UnreadableFile as error:
                if explicit:
                    raise TimeoutInputError(str(error)) from None
                continue
            if explicit:
                named.add(id(module))
    except UsageError as error:
        raise TimeoutInputError(str(error)) from None
    analysis = _Analysis(project)
    calls: list[ConfiguredCall] = []
    warnings: list[TimeoutWarning] = []
    for module in list(project.modules):  # lookups append the modules they load from disk
        if id(module) not in named and not any(marker in module.source for marker in _MARKERS):
            continue
        project.parse(module)
        broken = module.syntax_error
        if broken is not None:
            if id(module) in named:
                raise TimeoutInputError(f"{module.display}:{broken.lineno or 1}: {broken.msg}")
            continue
        for found in analysis.calls_in(module):
            calls.append(found.entry)
            warnings += analysis.warnings(found)
    calls.sort(key=lambda c: (c.filename, c.row, c.column))
    warnings.sort(key=lambda w: (w.filename, w.row, w.column, w.code))
    return calls, warnings
