"""The linted tree as the linter sees it: modules, what their names are bound to, and lookups.

Files are indexed by module name up front but parsed only when needed: a file that mentions
`temporalio` is parsed because it can define workflows and activities; any other file is parsed
only when a workflow (or activity) reaches it through an import. That keeps ordinary code nearly
free to lint.

Name resolution follows Python's scoping rules closely enough for a linter: a name bound anywhere
in a function is local to it (so a parameter called `random` is not the `random` module), a local
bound exactly once to an expression resolves through that expression (`now = datetime.now` makes
`now()` a clock read), and an attribute taken from a call resolves through the call
(`Path(p).read_text` -> `pathlib.Path.read_text`).
"""

from __future__ import annotations

import ast
import bisect
import builtins
import functools
import os
import re
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from mcp_server.lint import knowledge, sdk_api
from mcp_server.lint.config import skip_note
from mcp_server.lint.knowledge import Entry
from mcp_server.lint.models import Location
from mcp_server.lint.parse import (
    TooLarge,
    UnreadableFile,
    parse_source,
    read_source,
    source_lines,
    statement_rows,
)
from mcp_server.lint.suppress import Suppression, parse_suppressions

if TYPE_CHECKING:
    from mcp_server.lint.environment import Environment

BUILTIN_NAMES = frozenset(dir(builtins))
# The fields of compound statements that hold nested statements (or handlers and match cases).
_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")
_BLOCKS_OF: dict[type, tuple[str, ...]] = {}  # the _BLOCKS a node type has (most have none)


def _blocks(node_type: type) -> tuple[str, ...]:
    found = _BLOCKS_OF[node_type] = tuple(
        b for b in _BLOCKS if b in getattr(node_type, "_fields", ())
    )
    return found


_COMPOUND = tuple(
    getattr(ast, name)
    for name in ("If", "Try", "TryStar", "For", "AsyncFor", "While")
    if hasattr(ast, name)
)
ACTIVITY_DEFN = "temporalio.activity.defn"
PASSTHROUGH = "temporalio.workflow.unsafe.imports_passed_through"
MAX_DEPTH = 12  # alias and re-export chains deeper than this are treated as unknown
MAX_INSTALLED_HOPS = 3
"""How far workflow code is followed into installed packages: a call from the user's code into
a package's function is the first hop, a call from there into another installed function the
second, and calls made by the third are not followed. What the first three do is reported at the
user's call; deeper code is mostly the package's plumbing, and following it costs time."""
_UNKNOWN: Any = object()  # a cache's "not asked yet" (None is an answer)
MAX_OVERRIDES = 8
"""How many implementations of a method that a base class only declares are followed from a
call of it; a base with more is a plug-in point (models, stores, providers), where the one that
runs is configuration, and the call is not followed into any of them."""
_MAX_SUBCLASSES = 4 * MAX_OVERRIDES  # searched for before a base counts as a plug-in point
# Extension-module suffixes: such a module has no source to follow.
_BINARY_SUFFIXES = (".so", ".pyd")


class Binding:
    """What a name is bound to in one scope."""

    __slots__ = ("count", "kind", "node", "qname")

    def __init__(
        self,
        kind: Literal["import", "def", "class", "var", "opaque"],
        qname: str | None = None,
        node: ast.AST | None = None,
        count: int = 1,
    ) -> None:
        self.kind = kind
        self.qname = qname  # import: the qualified name it stands for
        self.node = node  # def/class: the definition; var: the single assigned value
        self.count = count  # var: how many assignments (more than one -> not an alias)


class Module:
    def __init__(
        self,
        name: str,
        path: str,
        display: str,
        source: str,
        root: str,
        is_package: bool,
        installed: bool = False,
    ) -> None:
        self.name = name
        # Paths are strings: a pathlib object per file of the tree costs more than its uses.
        self.path = path
        self.display = display  # the file name as reported
        self.source = source
        self.root = root  # the directory on sys.path that `name` is relative to
        self.is_package = is_package
        # Found in the environment's installed packages (site-packages), not in the linted
        # tree: findings there are reported at the user's call into it, which the user can change.
        self.installed = installed
        self.tree: ast.Module | None = None
        self.syntax_error: SyntaxError | None = None
        self.parsed = False
        self.bindings: dict[str, Binding] = {}
        self.star_imports: list[str] = []
        self.passthrough_imports: set[str] = set()  # under imports_passed_through()

    @property
    def top_package(self) -> str:
        """The top-level package a module belongs to (`thirdlib` for `thirdlib.ids`)."""
        return self.name.partition(".")[0]

    @property
    def package(self) -> str:
        return self.name if self.is_package else self.name.rpartition(".")[0]

    @property
    def mentions_temporal(self) -> bool:
        return "temporalio" in self.source

    @functools.cached_property
    def suppressions(self) -> list[Suppression]:
        """Its suppression comments, parsed once per run (the walk and the report both ask)."""
        return parse_suppressions(self.source, self.tree)

    @functools.cached_property
    def asks_in_workflow(self) -> bool:
        """Whether it can hold `if workflow.in_workflow():` (or `unsafe.in_sandbox()`): asked
        by every function walked in it, so the text is searched once."""
        return "in_workflow" in self.source or "in_sandbox" in self.source

    @functools.cached_property
    def walrus_rows(self) -> list[int]:
        """The rows that hold `:=`, in order (in a string too: binding collection only looks
        for `name := value` in the statements around them)."""
        if ":=" not in self.source:
            return []
        return [row for row, line in enumerate(self.lines, 1) if ":=" in line]

    @functools.cached_property
    def lines(self) -> list[str]:
        return source_lines(self.source)

    def column(self, row: int, byte_offset: int) -> int:
        """The 1-based character column of an `ast` column, which counts UTF-8 bytes."""
        if not 0 < row <= len(self.lines):
            return byte_offset + 1
        line = self.lines[row - 1]
        if line.isascii():
            return byte_offset + 1
        return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")) + 1

    def span(self, node: ast.AST) -> tuple[Location, Location]:
        """A node's start and (exclusive) end, 1-based, in characters."""
        row = getattr(node, "lineno", 1)
        start = Location(row=row, column=self.column(row, getattr(node, "col_offset", 0)))
        end_column = getattr(node, "end_col_offset", None)
        if end_column is None:
            return start, Location(row=row, column=start.column + 1)
        end_row = getattr(node, "end_lineno", None) or row
        return start, Location(row=end_row, column=self.column(end_row, end_column))


class ClassInfo:
    def __init__(self, module: Module, node: ast.ClassDef, qualname: str) -> None:
        self.module = module
        self.node = node
        self.qualname = qualname  # dotted path inside the module

    @functools.cached_property
    def methods(self) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
        return {
            n.name: n
            for n in self.node.body
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        }


class Function:
    """A function or method the engine can analyze, with the class it belongs to."""

    __slots__ = ("cls", "module", "node", "qualname")

    def __init__(
        self,
        module: Module,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        qualname: str,
        cls: ClassInfo | None = None,
    ) -> None:
        self.module = module
        self.node = node
        self.qualname = qualname
        self.cls = cls

    @property
    def display_name(self) -> str:
        return f"{self.module.name}.{self.qualname}" if self.module.name else self.qualname


class _SelfInfo(NamedTuple):
    """What a class's methods assign to `self`: the known types, and every name assigned."""

    types: dict[str, str]
    assigned: frozenset[str]
    values: dict[str, str]  # what `self.attr[key]` is, from `attr: dict[str, set[str]]`


class Symbol(NamedTuple):
    kind: Literal["module", "function", "class", "var"]
    module: Module
    node: ast.AST | None = None
    qname: str = ""
    cls: ClassInfo | None = None


class Scope:
    """The local names of one function (or of a module, when `node` is the module)."""

    def __init__(
        self,
        project: Project,
        module: Module,
        node: ast.AST,
        parent: Scope | None,
        cls: ClassInfo | None = None,
    ) -> None:
        self.project = project
        self.module = module
        self.node = node
        self.parent = parent
        self.cls = cls
        self.self_name: str | None = None
        self.names: dict[str, Binding] = {}
        self.global_names: set[str] = set()
        self._module_scope: Scope | None = None  # asked for on most lookups: kept at hand
        self._found: dict[str, tuple[Binding, Scope | None] | None] = {}
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            _collect_function_bindings(self, node)

    def lookup_name(self, name: str) -> tuple[Binding, Scope] | None:
        # Asked for every name a checker visits; a scope's bindings never change once made.
        # Kept without the scope itself when the name is its own (None): a scope that pointed
        # at itself would keep its tree alive after Project.release (the collector is off).
        kept = self._found.get(name, _UNKNOWN)  # not try/except: most first asks would raise
        if kept is _UNKNOWN:
            found = self._lookup_name(name)
            self._found[name] = found if found is None or found[1] is not self else (found[0], None)
            return found
        if kept is None or kept[1] is not None:
            return kept  # the owner is another scope
        return kept[0], self

    def _lookup_name(self, name: str) -> tuple[Binding, Scope] | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.global_names:
                break
            binding = scope.names.get(name)
            if binding is not None:
                return binding, scope
            scope = scope.parent
        binding = self.module.bindings.get(name)
        if binding is not None:
            if self.parent is None:
                return binding, self  # the module's own scope (kept out of itself: no cycle)
            if self._module_scope is None:
                self._module_scope = self.project.module_scope(self.module)
            return binding, self._module_scope
        return None

    def resolve(self, node: ast.AST, depth: int = 0) -> str | None:
        """The qualified name `node` stands for, or None when the linter cannot tell."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(node, ast.Name):
            return self._resolve_name(node.id, depth)
        if isinstance(node, ast.Attribute):
            value = node.value
            if isinstance(value, ast.Name):
                # `self.x` in a method (or in a lambda inside it): the class knows what x is.
                found = self.lookup_name(value.id)
                owner = found[1] if found else None
                if owner is not None and owner.cls is not None and owner.self_name == value.id:
                    return self.project.self_attribute(owner.cls, node.attr, depth)
            base = self.resolve(value, depth + 1)
            if base in knowledge.PATH_VALUES:  # `Path(p).parent.read_text` reads a file too
                base = "pathlib.Path"
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Call):
            return self.resolve(node.func, depth + 1) or generic_class(node.func, self)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
            # `self.adj[ref]` where the class declares `adj: dict[str, set[str]]`: a set.
            owner_node = node.value.value
            if not isinstance(owner_node, ast.Name):
                return None
            found = self.lookup_name(owner_node.id)
            owner = found[1] if found else None
            if owner is not None and owner.cls is not None and owner.self_name == owner_node.id:
                return self.project.self_value(owner.cls, node.value.attr)
            return None
        if isinstance(node, ast.Await):
            return self.resolve(node.value, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            # `Path(__file__).parent / "templates"` is a path; other divisions are unknown.
            left = self.resolve(node.left, depth + 1)
            return "pathlib.Path" if left in knowledge.PATH_VALUES else None
        return None

    def _resolve_name(self, name: str, depth: int) -> str | None:
        found = self.lookup_name(name)
        if found is None:
            for star in self.module.star_imports:
                qname = self.project.star_member(star, name, self.module)
                if qname:
                    return qname
            return f"builtins.{name}" if name in BUILTIN_NAMES else None
        binding, scope = found
        if binding.kind == "import":
            return binding.qname
        if binding.kind in ("def", "class"):
            if scope.node is scope.module.tree:
                return _join(scope.module.name, name)
            return None  # nested definitions are analyzed in place
        if binding.kind == "var" and binding.count == 1 and binding.node is not None:
            resolved = scope.resolve(binding.node, depth + 1)
            if resolved:
                return resolved
        if binding.kind == "var" and scope.node is scope.module.tree:
            return _join(scope.module.name, name)
        return None


def _join(module: str, name: str) -> str:
    return f"{module}.{name}" if module else name


def _target_names(target: ast.AST) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for element in target.elts for n in _target_names(element)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return []


def _bind(names: dict[str, Binding], name: str, binding: Binding) -> None:
    previous = names.get(name)
    if previous is not None and previous.kind == "var" and binding.kind == "var":
        previous.count += 1
        return
    if previous is not None and binding.kind == "var":
        binding.count = 2  # a rebinding of an import or def: no longer a plain alias
    names[name] = binding


def import_bindings(node: ast.Import | ast.ImportFrom, package: str) -> list[tuple[str, str]]:
    """(local name, qualified name) pairs an import statement binds; '*' for star imports."""
    pairs = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                pairs.append((alias.asname, alias.name))
            else:
                top = alias.name.partition(".")[0]
                pairs.append((top, top))
        return pairs
    base = node.module or ""
    if node.level:
        parts = package.split(".") if package else []
        if node.level > 1:
            parts = parts[: len(parts) - node.level + 1] if node.level - 1 <= len(parts) else []
        base = ".".join([*parts, base] if base else parts)
    for alias in node.names:
        if alias.name == "*":
            pairs.append(("*", base))
        else:
            pairs.append((alias.asname or alias.name, _join(base, alias.name)))
    return pairs


def decorator_target(decorator: ast.expr) -> ast.expr:
    """`@workflow.query(name="x")` -> `workflow.query`: what a decorator names."""
    return decorator.func if isinstance(decorator, ast.Call) else decorator


def _annotation_type(annotation: ast.expr) -> ast.expr:
    """`set[str]` -> `set`: the class an annotation names."""
    return annotation.value if isinstance(annotation, ast.Subscript) else annotation


_TYPE_WRAPPERS = frozenset(
    f"{module}.{name}"
    for module in ("typing", "typing_extensions")
    for name in ("ClassVar", "Final", "Optional")
)


def _declared_type(annotation: ast.expr, scope: Scope) -> str | None:
    """The class an annotation declares: `set[str]` -> set, `ClassVar[dict[str, int]]` -> dict,
    `Optional[Helper]` and `Helper | None` -> Helper."""
    for _ in range(3):
        if isinstance(annotation, ast.Subscript) and scope.resolve(annotation.value) in (
            _TYPE_WRAPPERS
        ):
            annotation = annotation.slice
        elif isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            left, right = annotation.left, annotation.right
            if _is_none(right):
                annotation = left
            elif _is_none(left):
                annotation = right
            else:
                return None
        else:
            break
    return scope.resolve(_annotation_type(annotation))


_MAPPINGS = frozenset(
    {
        "builtins.dict",
        *(f"typing.{name}" for name in ("Dict", "Mapping", "MutableMapping", "DefaultDict")),
        *(f"collections.{name}" for name in ("defaultdict", "OrderedDict")),
        *(f"collections.abc.{name}" for name in ("Mapping", "MutableMapping")),
    }
)


def _declared_value(annotation: ast.expr, scope: Scope) -> str | None:
    """The class of a mapping's values: `dict[str, set[str]]` -> set."""
    if (
        isinstance(annotation, ast.Subscript)
        and isinstance(annotation.slice, ast.Tuple)
        and len(annotation.slice.elts) == 2
        and scope.resolve(annotation.value) in _MAPPINGS
    ):
        return _declared_type(annotation.slice.elts[1], scope)
    return None


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _is_plain_base(base: ast.expr) -> bool:
    """`object`, or `Generic[T]` / `Protocol`: bases that add no per-instance copying."""
    target = base.value if isinstance(base, ast.Subscript) else base
    return isinstance(target, (ast.Name, ast.Attribute)) and (
        getattr(target, "id", None) or getattr(target, "attr", None)
    ) in ("object", "Generic", "Protocol", "ABC")


def _value_type(value: ast.expr, scope: Scope) -> str | None:
    """The class of an assigned value, when the expression says it: `Helper()`, `Box[int]()`,
    `{...}`, `Path(p) / "x"`, or a parameter's annotation (`def __init__(self, h: Helper)`
    then `self.h = h`)."""
    if isinstance(value, (ast.Call, ast.BinOp)):
        return scope.resolve(value)
    if isinstance(value, (ast.Set, ast.SetComp)):
        return "builtins.set"
    if isinstance(value, ast.Name):
        return _parameter_type(value.id, scope)
    return None


def _parameter_type(name: str, scope: Scope) -> str | None:
    """The class a function's parameter is annotated with, when `name` is that parameter."""
    found = scope.lookup_name(name)
    if found is None:
        return None
    binding, owner = found
    function = owner.node
    if binding.kind != "var" or not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    arguments = function.args
    parameters = (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
    annotation = binding.node
    if not isinstance(annotation, ast.expr) or not any(
        p.annotation is annotation for p in parameters
    ):
        return None  # a local assigned once: its value, not a declared type
    return _declared_type(annotation, owner)


def generic_class(func: ast.expr, scope: Scope) -> str | None:
    """`Box[int]` in `Box[int](...)`: the class `Box` of the linted files, which the generic
    alias instantiates (an element of a container is called the same way: it is not a class)."""
    if not isinstance(func, ast.Subscript):
        return None
    qname = scope.resolve(func.value)
    symbol = scope.project.lookup(qname, scope.module) if qname else None
    return qname if symbol is not None and symbol.kind == "class" else None


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement of a block, nested blocks included, nested functions and classes not."""
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        blocks = _BLOCKS_OF.get(node.__class__)
        for block in _blocks(node.__class__) if blocks is None else blocks:
            for child in reversed(getattr(node, block)):
                if isinstance(child, (ast.match_case, ast.ExceptHandler)):
                    stack.extend(reversed(child.body))
                else:
                    stack.append(child)


def _imported_modules(node: ast.Import | ast.ImportFrom, qname: str) -> set[str]:
    """Modules an import statement may load: `from a import b` loads `a`, and `a.b` if a module."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    return {qname.rpartition(".")[0], qname}


def _collect_function_bindings(
    scope: Scope, fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
) -> None:
    names = scope.names
    arguments = fn.args
    params = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    for extra in (arguments.vararg, arguments.kwarg):
        if extra is not None:
            params.append(extra)
    for index, arg in enumerate(params):
        # An annotated parameter resolves to its type, so `p: Path` makes `p.read_text` known.
        names[arg.arg] = (
            Binding("var", node=arg.annotation)
            if arg.annotation is not None and not (index == 0 and scope.cls is not None)
            else Binding("opaque")
        )
    if scope.cls is not None and params and not isinstance(fn, ast.Lambda):
        decorators = {getattr(d, "id", None) for d in fn.decorator_list}
        if "staticmethod" not in decorators:
            scope.self_name = params[0].arg
    if isinstance(fn, ast.Lambda):
        return
    _collect_block_bindings(
        fn.body, names, scope.global_names, scope.module.package, scope.module.walrus_rows
    )


def _collect_block_bindings(
    body: list[ast.stmt],
    names: dict[str, Binding],
    global_names: set[str],
    package: str,
    walrus_rows: Sequence[int] = (),
) -> None:
    """Bindings made by a block, without entering nested function or class bodies.

    Only statements bind names (a comprehension's variables live in their own scope), so the
    walk visits statements and match patterns, never expressions; the rare `name := value`
    is looked for in the statements that span one of `walrus_rows` (Module.walrus_rows).
    """
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        kind = node.__class__
        if kind is ast.Expr or kind is ast.Return or kind is ast.Pass:
            continue  # the most common statements, and they bind nothing
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _bind(names, node.name, Binding("def", node=node))
            continue
        if isinstance(node, ast.ClassDef):
            _bind(names, node.name, Binding("class", node=node))
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Global):
            global_names.update(node.names)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for local, qname in import_bindings(node, package):
                if local != "*":
                    _bind(names, local, Binding("import", qname=qname))
            continue
        if isinstance(node, ast.Assign):
            for target in node.targets:
                single = isinstance(target, ast.Name)
                for name in _target_names(target):
                    _bind(names, name, Binding("var", node=node.value if single else None))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            _bind(names, node.target.id, Binding("var", node=node.value or node.annotation))
        elif isinstance(node, ast.AugAssign):
            for name in _target_names(node.target):
                _bind(names, name, Binding("var", count=2))
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            for name in _target_names(node.target):
                _bind(names, name, Binding("opaque"))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    single = isinstance(item.optional_vars, ast.Name)
                    for name in _target_names(item.optional_vars):
                        _bind(
                            names, name, Binding("var", node=item.context_expr if single else None)
                        )
        elif isinstance(node, ast.ExceptHandler) and node.name:
            _bind(names, node.name, Binding("opaque"))
        elif isinstance(node, ast.match_case):
            for pattern in ast.walk(node.pattern):
                captured = getattr(pattern, "name", None) or getattr(pattern, "rest", None)
                if captured:
                    _bind(names, captured, Binding("opaque"))
        blocks = _BLOCKS_OF.get(kind)
        for block in _blocks(kind) if blocks is None else blocks:
            children = getattr(node, block)
            if children:
                stack.extend(reversed(children))
    for statement in body if walrus_rows else ():
        if holds_row(walrus_rows, *statement_rows(statement)):
            for node in ast.walk(statement):
                if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
                    _bind(names, node.target.id, Binding("var", node=node.value))


def holds_row(rows: Sequence[int], first: int, last: int) -> bool:
    """Whether the sorted `rows` hold one from `first` to `last`."""
    index = bisect.bisect_left(rows, first)
    return index < len(rows) and rows[index] <= last


class Project:
    """Every Python file of the linted paths, indexed by module name, parsed on demand."""

    def __init__(
        self,
        table: dict[str, Entry] | None = None,
        trusted: tuple[str, ...] = (),
        overrides: dict[str, str] | None = None,
        confine: tuple[str, ...] | None = None,
        max_file_size: int = 0,
        environment: Environment | None = None,
    ) -> None:
        self._overrides = overrides or {}
        self._max_file_size = max_file_size  # bytes (0: no limit); larger files are skipped
        # Real paths of the folders imports may be followed into (None: anywhere on disk).
        self._confine = confine
        self.table = table if table is not None else knowledge.TABLE
        self._table_entries: dict[str, knowledge.Entry | None] = {}
        self._trusted = frozenset(trusted)
        self.modules: list[Module] = []
        self.parsed: list[Module] = []  # the modules parsed since the last release
        self.by_name: dict[str, list[Module]] = {}
        self._tops: set[str] = set()  # top-level names of the tree's modules
        self._scopes: dict[int, Scope] = {}
        self._classes: dict[int, ClassInfo] = {}
        self._functions: dict[int, Function] = {}
        self._self_types: dict[int, _SelfInfo] = {}
        self._decorators: dict[int, frozenset[str]] = {}  # by id(definition node)
        self._subclasses: dict[int, list[ClassInfo]] = {}  # by id(base class node)
        self._factories: dict[int, Function] = {}  # by id(default factory node)
        self.written_calls: set[int] = set()  # ids of the calls factory_function wrote
        self._searched: list[Module] | None = None  # where subclasses are looked for
        self._missing: set[tuple[str, str]] = set()  # (module name, root) not on disk
        self._cwd = os.getcwd()  # what relative paths are relative to, asked once
        self._folders: dict[str, frozenset[str]] = {}  # folders listed, to find modules
        self.followed: set[str] = set()  # files outside the given ones that imports led to
        self.skipped: set[str] = set()  # one note per file skipped (size, syntax, binary)
        # Folders of installed packages that imports not found in the tree are looked up in.
        self._installed_paths = environment.paths if environment is not None else ()
        # Set by the engine while it walks workflow code: only then do lookups reach installed
        # packages (what activities and other code call is their own business, and reading
        # site-packages for them would cost time and print notes about nothing).
        self.follow_installed = False
        self._installed: dict[str, Module | None] = {}  # by module name, found or not
        self._listings: dict[str, tuple[frozenset[str], dict[str, str]] | None] = {}

    def read(self, path: str, limit: int = 0) -> str:
        """A file's text: the in-memory version while --fix iterates, else the disk's, which
        raises TooLarge when it has more than `limit` bytes."""
        override = self._overrides.get(path)
        return override if override is not None else read_source(path, limit)

    # --- building -------------------------------------------------------------------------
    def add(self, path: str, source: str, display: str) -> Module:
        root, name, is_package = _module_name(os.path.join(self._cwd, path))
        module = Module(name, path, display, source, root, is_package)
        self.modules.append(module)
        self.by_name.setdefault(name, []).append(module)
        self._tops.add(name.partition(".")[0])
        return module

    def parse(self, module: Module) -> Module:
        if module.parsed:
            return module
        module.parsed = True
        self.parsed.append(module)
        try:
            module.tree = parse_source(module.source, module.display)
        except SyntaxError as error:
            module.syntax_error = error
            return module
        self._collect_module_bindings(module)
        return module

    def entry(self, qname: str) -> knowledge.Entry | None:
        """The knowledge table's entry for a name (knowledge.lookup), asked once per name: the
        checkers ask it for every reference they resolve."""
        found = self._table_entries.get(qname, _UNKNOWN)
        if found is _UNKNOWN:
            found = self._table_entries[qname] = knowledge.lookup(qname, self.table)
        return found

    def release(self) -> None:
        """Free every tree and what points into them; a later lookup parses again. Between the
        chunks of a run, this bounds memory by the largest chunk instead of the whole tree."""
        for module in self.parsed:
            module.tree, module.syntax_error, module.parsed = None, None, False
            module.bindings, module.star_imports = {}, []
            module.passthrough_imports = set()
        self.parsed = []
        # Keyed by id(node): the ids of freed nodes are reused.
        self._scopes.clear()
        self._classes.clear()
        self._functions.clear()
        self._self_types.clear()
        self._decorators.clear()
        self._subclasses.clear()
        self._factories.clear()
        self.written_calls.clear()

    def _collect_module_bindings(self, module: Module) -> None:
        assert module.tree is not None
        names = module.bindings
        # Walk top-level statements in order (imports under `if`/`try`/`with` count too).
        stack: list[tuple[ast.stmt, bool]] = [(s, False) for s in reversed(module.tree.body)]
        while stack:
            node, passed_through = stack.pop()
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for local, qname in import_bindings(node, module.package):
                    if local == "*":
                        module.star_imports.append(qname)
                    else:
                        _bind(names, local, Binding("import", qname=qname))
                    if passed_through:
                        module.passthrough_imports.update(_imported_modules(node, qname))
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                _bind(
                    names,
                    node.name,
                    Binding("class" if isinstance(node, ast.ClassDef) else "def", node=node),
                )
                continue
            if isinstance(node, (ast.With, ast.AsyncWith)):
                inner = passed_through or any(
                    self.module_scope(module).resolve(item.context_expr) == PASSTHROUGH
                    for item in node.items
                )
                stack.extend((s, inner) for s in reversed(node.body))
                continue
            if isinstance(node, _COMPOUND):
                for block in ("body", "orelse", "finalbody"):
                    stack.extend((s, passed_through) for s in reversed(getattr(node, block, [])))
                for handler in getattr(node, "handlers", []):
                    stack.extend((s, passed_through) for s in reversed(handler.body))
                if isinstance(node, (ast.For, ast.AsyncFor)):
                    for name in _target_names(node.target):
                        _bind(names, name, Binding("opaque"))
                continue
            _collect_block_bindings([node], names, set(), module.package)

    # --- scopes and definitions -------------------------------------------------------------
    def scope(
        self,
        module: Module,
        node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
        parent: Scope,
        cls: ClassInfo | None = None,
    ) -> Scope:
        """The (cached) scope of a function: its bindings are collected once per run."""
        scope = self._scopes.get(id(node))
        if scope is None:
            scope = self._scopes[id(node)] = Scope(self, module, node, parent, cls)
        return scope

    def comprehension_scope(
        self,
        module: Module,
        node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp,
        parent: Scope,
    ) -> Scope:
        """A comprehension's own scope: its loop variables hide the names outside it."""
        scope = Scope(self, module, node, parent)
        for generator in node.generators:
            for name in _target_names(generator.target):
                scope.names[name] = Binding("opaque")
        return scope

    def module_scope(self, module: Module) -> Scope:
        key = id(module)
        scope = self._scopes.get(key)
        if scope is None:
            scope = self._scopes[key] = Scope(
                self, module, module.tree or ast.Module(body=[], type_ignores=[]), None
            )
        return scope

    def class_info(
        self, module: Module, node: ast.ClassDef, qualname: str | None = None
    ) -> ClassInfo:
        info = self._classes.get(id(node))
        if info is None:
            info = self._classes[id(node)] = ClassInfo(module, node, qualname or node.name)
        return info

    def function(
        self,
        module: Module,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        cls: ClassInfo | None = None,
    ) -> Function:
        info = self._functions.get(id(node))
        if info is None:
            qualname = f"{cls.qualname}.{node.name}" if cls else node.name
            info = self._functions[id(node)] = Function(module, node, qualname, cls)
        return info

    def factory_function(self, cls: ClassInfo, factory: ast.expr) -> Function:
        """A field's default factory as a function the walk can follow, named for the `__init__`
        that runs it: a lambda's body, or a call of the factory it names. That call is written
        by the linter (`written_calls`): a finding on it points at the factory, with no fix."""
        function = self._factories.get(id(factory))
        if function is not None:
            return function
        if isinstance(factory, ast.Lambda):
            arguments, value = factory.args, factory.body
        else:
            arguments = ast.arguments(
                posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None,
                defaults=[],
            )  # fmt: skip
            value = ast.copy_location(ast.Call(func=factory, args=[], keywords=[]), factory)
            self.written_calls.add(id(value))
        returned = ast.copy_location(ast.Return(value=value), value)
        # Python 3.12 added type parameters; a definition without them is malformed there.
        since_312: dict[str, Any] = (
            {"type_params": []} if "type_params" in ast.FunctionDef._fields else {}
        )
        node = ast.FunctionDef(
            name="__init__",
            args=arguments,
            body=[returned],
            decorator_list=[],
            returns=None,
            **since_312,
        )
        ast.copy_location(node, factory)
        function = Function(cls.module, node, f"{cls.qualname}.__init__")
        self._factories[id(factory)] = function
        return function

    def decorators(
        self, module: Module, node: ast.FunctionDef | ast.AsyncFunctionDef
    ) -> frozenset[str]:
        """Qualified names of a definition's decorators (`@workflow.query(name=...)` included),
        resolved once per definition: the engine and the checkers ask again and again."""
        found = self._decorators.get(id(node))
        if found is None:
            scope = self.module_scope(module)
            found = frozenset(scope.resolve(decorator_target(d)) or "" for d in node.decorator_list)
            self._decorators[id(node)] = found
        return found

    def is_activity(self, function: Function) -> bool:
        return ACTIVITY_DEFN in self.decorators(function.module, function.node)

    def is_trusted(self, qname: str) -> bool:
        """Declared deterministic by the user (`acme.ids.stable_id`, or `acme.ids.*`)."""
        if not self._trusted:
            return False
        parts = qname.split(".")
        return qname in self._trusted or any(
            ".".join(parts[:i]) + ".*" in self._trusted for i in range(1, len(parts))
        )

    # --- lookups --------------------------------------------------------------------------------
    def find_module(self, name: str, near: Module | None) -> Module | None:
        if near is not None and near.installed:
            return self._installed_module(name)  # a package imports its own or other packages
        candidates = self.by_name.get(name)
        if not candidates:
            return self._load_from_disk(name, near) or self._installed_module(name)
        if len(candidates) > 1 and near is not None:
            # Two files with one module name (two sample folders): prefer the importer's root.
            same_root = [m for m in candidates if m.root == near.root]
            candidates = same_root or sorted(
                candidates, key=lambda m: -len(os.path.commonpath([m.path, near.path]))
            )
        return self.parse(candidates[0])

    def _load_from_disk(self, name: str, near: Module | None) -> Module | None:
        """A project module the linted files import but the user did not name (pre-commit passes
        only the staged files): found under the importer's sys.path root, like Python would."""
        if near is None or not name or (name, near.root) in self._missing:
            return None
        if not self._on_root(name.partition(".")[0], near.root):
            self._missing.add((name, near.root))  # datetime, temporalio: one listing, no stat
            return None
        # Found in the folders' listings first: most names asked for are attributes
        # (`pkg.mod.func`), not files.
        *folders, last = name.split(".")
        folder = os.path.join(near.root, *folders)
        listed = self._folder_names(folder)
        paths = [os.path.join(folder, f"{last}.py")] if f"{last}.py" in listed else []
        if last in listed and "__init__.py" in self._folder_names(os.path.join(folder, last)):
            paths.append(os.path.join(folder, last, "__init__.py"))
        for path in paths:
            if os.path.isfile(path) and self._allowed(path):
                self.followed.add(path)  # the result cache checks it: not in the key
                display = _display(path)
                try:
                    source = self.read(display, self._max_file_size)
                except TooLarge as large:
                    note = skip_note(display, large.size, self._max_file_size, "followed")
                    self.skipped.add(note)
                    break
                except UnreadableFile:
                    break
                module = self.add(path, source, display)
                if module.name == name:
                    return self.parse(module)
        self._missing.add((name, near.root))
        return None

    def _on_root(self, top: str, root: str) -> bool:
        """Whether a module or package named `top` may lie directly in `root`."""
        entries = self._folder_names(root)
        return top in entries or f"{top}.py" in entries

    def _folder_names(self, folder: str) -> frozenset[str]:
        """What a folder holds (each folder listed once per run; nothing if it is none)."""
        entries = self._folders.get(folder)
        if entries is None:
            try:
                entries = frozenset(os.listdir(folder))
            except OSError:
                entries = frozenset()
            self._folders[folder] = entries
        return entries

    def _installed_module(self, name: str) -> Module | None:
        """An installed module, while the engine walks workflow code: never the standard library
        (Python imports it first) nor temporalio (the SDK's table and the rules know it)."""
        if not self.follow_installed or not self._installed_paths or not name:
            return None
        if name in self._installed:
            module = self._installed[name]
        else:
            followed = self._installed_may_hold(name.partition(".")[0])
            module = self._installed[name] = self._load_installed(name) if followed else None
        return self.parse(module) if module is not None else None

    def _installed_may_hold(self, top: str) -> bool:
        return top not in sys.stdlib_module_names and top != "temporalio"

    def _may_find(self, top: str, near: Module) -> bool:
        """Whether find_module can find anything under the top-level name `top` from `near`
        (cheap: most names asked for are the standard library's or the SDK's)."""
        installed = self.follow_installed and bool(self._installed_paths)
        if near.installed:
            return installed and self._installed_may_hold(top)
        return self._in_tree(top, near) or (installed and self._installed_may_hold(top))

    def _load_installed(self, name: str) -> Module | None:
        """Read an installed module, or note why it is not followed (binary, too large, does not
        parse): the note is a warning of the run, like a helper module over the size limit."""
        found = self._locate_installed(name)
        if found is None:
            return None
        kind, path, module_name = found
        display = _display(path)
        if kind == "binary":
            self.skipped.add(f"{display}: `{module_name}` is a binary extension: not followed")
            return None
        if kind == "namespace":  # a folder without __init__.py: its modules are found below it
            return Module(name, path, display, "", path, True, installed=True)
        self.followed.add(path)  # the result cache checks it: its content is not in the key
        try:
            source = read_source(path, self._max_file_size)
        except TooLarge as large:
            self.skipped.add(skip_note(display, large.size, self._max_file_size, "followed"))
            return None
        except UnreadableFile as error:
            self.skipped.add(f"{error}: not followed")
            return None
        root = path
        for _ in range(name.count(".") + (kind == "package") + 1):
            root = os.path.dirname(root)
        module = Module(name, path, display, source, root, kind == "package", installed=True)
        self.parse(module)
        broken = module.syntax_error
        if broken is not None:
            self.skipped.add(
                f"{display}:{broken.lineno or 1}: does not parse ({broken.msg}): not followed"
            )
            return None
        return module

    def _locate_installed(self, name: str) -> tuple[str, str, str] | None:
        """(kind, path, module name) of an installed module, found as Python's path finder finds
        it: in each folder in order, a package (`part/__init__.py`) or a module (`part.py`, or a
        binary `part.*.so` when there is no `.py`) ends the search; folders `part/` without an
        `__init__.py` are portions of a namespace package, used only when no folder has more.
        Kinds: "module", "package", "namespace" (path: its first folder), "binary"."""
        search: list[str] = list(self._installed_paths)
        parts = name.split(".")
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            portions: list[str] = []
            found: tuple[str, str] | None = None
            for directory in search:
                listing = self._listing(directory)
                if listing is None:
                    continue
                names, binaries = listing
                if part in names:
                    inner = self._listing(os.path.join(directory, part))
                    if inner is not None:
                        package = os.path.join(directory, part)
                        if "__init__.py" in inner[0]:
                            found = ("package", package)
                            break
                        if "__init__" in inner[1]:
                            found = ("binary", os.path.join(package, inner[1]["__init__"]))
                            break
                        portions.append(package)
                if f"{part}.py" in names:
                    found = ("module", os.path.join(directory, f"{part}.py"))
                    break
                if part in binaries:
                    found = ("binary", os.path.join(directory, binaries[part]))
                    break
            dotted = ".".join(parts[: index + 1])
            if found is None:
                if not portions:
                    return None
                if last:
                    return "namespace", portions[0], dotted
                search = portions
                continue
            kind, path = found
            if kind == "binary":
                return kind, path, dotted
            if last:
                return kind, os.path.join(path, "__init__.py") if kind == "package" else path, name
            if kind == "module":
                return None  # a module has no submodules
            search = [path]
        return None

    def _listing(self, directory: str) -> tuple[frozenset[str], dict[str, str]] | None:
        """A folder's entries, and its binary modules by name (`_speedups` ->
        `_speedups.cpython-312-x86_64-linux-gnu.so`); None when it is not a folder. Read once."""
        if directory not in self._listings:
            try:
                names = os.listdir(directory)
            except OSError:
                self._listings[directory] = None
                return None
            binaries = {
                entry.partition(".")[0]: entry
                for entry in sorted(names, reverse=True)
                if entry.endswith(_BINARY_SUFFIXES)
            }
            self._listings[directory] = (frozenset(names), binaries)
        return self._listings[directory]

    def _allowed(self, path: str) -> bool:
        if self._confine is None:
            return True
        real = os.path.realpath(path)
        return any(real == root or real.startswith(root + os.sep) for root in self._confine)

    def lookup(self, qname: str, near: Module | None, depth: int = 0) -> Symbol | None:
        """The project definition `qname` names, following imports and re-exports."""
        if depth > MAX_DEPTH or not qname:
            return None
        parts = qname.split(".")
        if near is not None and not near.name and near.tree is not None:
            # A module without a name (stdin, a script): its own definitions are unqualified.
            binding = near.bindings.get(parts[0])
            if binding is not None and binding.kind in ("def", "class", "var"):
                return self._walk(near, parts, depth)
        if near is not None and not self._may_find(parts[0], near):
            return None  # the standard library, temporalio, a package not on disk
        for i in range(len(parts), 0, -1):
            module = self.find_module(".".join(parts[:i]), near)
            if module is not None:
                if module.installed and self._known(parts):
                    return None  # the knowledge table says what it does: reported, not followed
                return self._walk(module, parts[i:], depth)
        return None

    def value_alias(self, qname: str, near: Module, depth: int = 0) -> str | None:
        """The name outside the linted tree that a name of one of its modules stands for, when
        that module only re-exports or aliases it: `app.log.logger.info` is `loguru.logger.info`
        when app/log.py says `logger = base_logger` after `from loguru import logger as
        base_logger`. None when the name is defined in the tree, or unknown."""
        parts = qname.split(".")
        if depth > MAX_DEPTH or not self._in_tree(parts[0], near):
            return None
        for i in range(len(parts) - 1, 0, -1):
            module = self.find_module(".".join(parts[:i]), near)
            if module is None:
                continue
            binding = module.bindings.get(parts[i])
            if binding is None:
                return None
            if binding.kind == "import" and binding.qname:
                base: str | None = binding.qname
            elif binding.kind == "var" and binding.count == 1 and binding.node is not None:
                base = self.module_scope(module).resolve(binding.node, depth + 1)
            elif (
                binding.kind == "def"
                and parts[i + 1 :]
                and isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef))
            ):
                # `get_logger().info(...)`: what the helper returns, when that is one outside
                # object whose creation reports nothing (the helper's own walk reports that).
                base = self._returned(module, binding.node, depth)
                entry = self.entry(base) if base else None
                if entry is not None and entry.rule is not None:
                    return None
            else:
                return None  # a definition of the tree: its own name is the right one
            if base is None:
                return None
            target = ".".join([base, *parts[i + 1 :]])
            if self._in_tree(target.partition(".")[0], module):
                return self.value_alias(target, module, depth + 1)
            return target
        return None

    def _returned(
        self, module: Module, node: ast.FunctionDef | ast.AsyncFunctionDef, depth: int
    ) -> str | None:
        """The one name every `return` of a function resolves to, or None."""
        scope = self.scope(module, node, self.module_scope(module))
        names = set()
        for statement in _statements(node.body):
            if isinstance(statement, ast.Return):
                value = statement.value
                names.add(scope.resolve(value, depth + 1) if value is not None else None)
        return names.pop() if len(names) == 1 else None

    def _in_tree(self, top: str, near: Module) -> bool:
        return top in self._tops or (not near.installed and self._on_root(top, near.root))

    def _known(self, parts: list[str]) -> bool:
        """Whether the knowledge table has an entry for the name or a name above it."""
        return any(".".join(parts[:i]) in self.table for i in range(len(parts), 0, -1))

    def _walk(self, module: Module, rest: list[str], depth: int) -> Symbol | None:
        if not rest:
            return Symbol("module", module, None, module.name)
        if module.tree is None:
            return None
        binding = module.bindings.get(rest[0])
        if binding is None:
            if module.is_package:
                return self.lookup(_join(module.name, ".".join(rest)), module, depth + 1)
            return None
        qname = _join(module.name, rest[0])
        if binding.kind == "import" and binding.qname:
            return self.lookup(".".join([binding.qname, *rest[1:]]), module, depth + 1)
        if binding.kind == "def" and isinstance(
            binding.node, (ast.FunctionDef, ast.AsyncFunctionDef)
        ):
            if len(rest) == 1:
                return Symbol("function", module, binding.node, qname)
            return self._returned_method(module, binding.node, rest[1:], depth)
        if binding.kind == "class" and isinstance(binding.node, ast.ClassDef):
            cls = self.class_info(module, binding.node)
            if len(rest) == 1:
                return Symbol("class", module, binding.node, qname, cls)
            method = self.method(cls, rest[1], depth)
            if len(rest) == 2 or method is None:
                return method
            assert isinstance(method.node, (ast.FunctionDef, ast.AsyncFunctionDef))
            return self._returned_method(method.module, method.node, rest[2:], depth)
        if binding.kind == "var" and len(rest) == 1:
            return Symbol("var", module, binding.node, qname)
        return None

    def _returned_method(
        self,
        module: Module,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        rest: list[str],
        depth: int,
    ) -> Symbol | None:
        """`make().run` (`make` declared `-> Runner`): the method of the class the function
        declares it returns, when the linted files define that class."""
        if len(rest) != 1 or node.returns is None:
            return None
        returned = _declared_type(node.returns, self.module_scope(module))
        symbol = self.lookup(returned, module, depth + 1) if returned else None
        if symbol is None or symbol.kind != "class" or symbol.cls is None:
            return None
        return self.method(symbol.cls, rest[0], depth + 1)

    def method(self, cls: ClassInfo, name: str, depth: int = 0) -> Symbol | None:
        """`name` looked up on `cls` and then its bases in the project (depth-first, like MRO)."""
        node = cls.methods.get(name)
        if node is not None:
            return Symbol("function", cls.module, node, f"{cls.qualname}.{name}", cls)
        for base in self.bases(cls, depth):
            found = self.method(base, name, depth + 1)
            if found is not None:
                return found
        return None

    def bases(self, cls: ClassInfo, depth: int = 0) -> list[ClassInfo]:
        if depth > MAX_DEPTH:
            return []
        scope = self.module_scope(cls.module)
        found = []
        for base in cls.node.bases:
            if isinstance(base, ast.Subscript):  # a generic base: `TracecatUUID[ShortID]`
                base = base.value
            qname = scope.resolve(base)
            symbol = self.lookup(qname, cls.module, depth + 1) if qname else None
            if symbol is not None and symbol.cls is not None and symbol.kind == "class":
                found.append(symbol.cls)
        return found

    def overrides(self, cls: ClassInfo, name: str) -> list[Symbol]:
        """The definitions of method `name` in the classes of the linted files that derive from
        `cls` (directly or not), in file order: the code a call of `name` on a `cls` runs when
        `cls` only declares it. None past MAX_OVERRIDES: which of that many implementations
        runs is configuration, and following all of them would be guessing."""
        found = []
        for subclass in self.subclasses(cls):
            node = subclass.methods.get(name)
            if node is not None:
                qualname = f"{subclass.qualname}.{name}"
                found.append(Symbol("function", subclass.module, node, qualname, subclass))
        return found if len(found) <= MAX_OVERRIDES else []

    def subclasses(self, cls: ClassInfo) -> list[ClassInfo]:
        """The classes of the linted files that derive from `cls`, directly or not, nearest
        first. Only the files the run was given are searched (not those imports led to), so
        the answer is the same however the run is split; a file whose text never names the
        base in a class statement is not parsed. Empty past _MAX_SUBCLASSES."""
        known = self._subclasses.get(id(cls.node))
        if known is not None:
            return known
        if self._searched is None:
            self._searched = [
                m for m in self.modules if not m.installed and m.path not in self.followed
            ]
        found: list[ClassInfo] = []
        level = [cls]
        while level:
            following = []
            for base in level:
                for subclass in self._direct_subclasses(base):
                    if subclass.node is not cls.node and subclass not in found:
                        found.append(subclass)
                        following.append(subclass)
            if len(found) > _MAX_SUBCLASSES:
                found = []  # a framework's base of everything: no override is followed
                break
            level = following
        self._subclasses[id(cls.node)] = found
        return found

    def _direct_subclasses(self, base: ClassInfo) -> Iterator[ClassInfo]:
        """The classes of the searched files that name `base` among their own bases."""
        statement = _class_statement(base.node.name)
        for module in self._searched or ():
            if base.node.name not in module.source or not statement.search(module.source):
                continue
            tree = self.parse(module).tree
            if tree is None:
                continue
            for info in self._classes_of(module, tree):
                if any(found.node is base.node for found in self.bases(info)):
                    yield info

    def _classes_of(self, module: Module, tree: ast.Module) -> Iterator[ClassInfo]:
        """A module's classes, nested ones and those under `if`/`try` included."""
        stack: list[tuple[list[ast.stmt], str]] = [(tree.body, "")]
        while stack:
            body, prefix = stack.pop()
            for node in _statements(body):
                if isinstance(node, ast.ClassDef):
                    info = self.class_info(module, node, prefix + node.name)
                    yield info
                    stack.append((node.body, f"{info.qualname}."))

    def is_abstract(self, function: Symbol) -> bool:
        """A method whose body says nothing of what it does: `@abstractmethod`,
        or a stub (`...`, `pass`, `raise NotImplementedError`, after a docstring)."""
        node = function.node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
        if _is_stub(node.body):
            return True
        named = {getattr(decorator_target(d), "attr", None) for d in node.decorator_list}
        named |= {getattr(decorator_target(d), "id", None) for d in node.decorator_list}
        return bool(
            named & _ABSTRACT_SHORT_NAMES
            and self.decorators(function.module, node) & _ABSTRACT_DECORATORS
        )

    def self_value(self, cls: ClassInfo, attr: str) -> str | None:
        """`self.attr[key]` inside `cls`: the declared type of the mapping's values, if any."""
        return self._self_info(cls).values.get(attr)

    def self_attribute(self, cls: ClassInfo, attr: str, depth: int) -> str:
        """`self.attr` inside `cls`: the type assigned in the class (`self.h = Helper()`) if any."""
        return (
            self._self_info(cls).types.get(attr) or f"{_join(cls.module.name, cls.qualname)}.{attr}"
        )

    def _self_info(self, cls: ClassInfo) -> _SelfInfo:
        info = self._self_types.get(id(cls))
        if info is None:
            # Collecting resolves `self.b = self.a.m()`, which asks for `self.a` of this same
            # class: the placeholder answers "not known yet" instead of recursing forever.
            self._self_types[id(cls)] = _SelfInfo({}, frozenset(), {})
            info = self._self_types[id(cls)] = self._collect_self_types(cls)
        return info

    def _collect_self_types(self, cls: ClassInfo) -> _SelfInfo:
        # A type declared in the class body (`h: Helper`) wins; then the one type every
        # assignment gives (`self.h = Helper()`, twice is fine); then one declared in a method
        # (`self.seen: set[str] = ...`, when the assignments do not say).
        in_class: dict[str, str] = {}
        in_methods: dict[str, str] = {}
        values: dict[str, str] = {}
        assigned: dict[str, set[str | None]] = {}
        scope = self.module_scope(cls.module)
        for statement in cls.node.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                resolved = _declared_type(statement.annotation, scope)
                if resolved:
                    in_class[statement.target.id] = resolved
                held = _declared_value(statement.annotation, scope)
                if held:
                    values[statement.target.id] = held
        for method in cls.methods.values():
            method_scope = self.scope(cls.module, method, scope, cls)
            for node in _statements(method.body):
                if isinstance(node, ast.Assign):
                    targets, value = node.targets, node.value
                elif isinstance(node, ast.AnnAssign) and node.value is not None:
                    targets, value = [node.target], node.value
                else:
                    continue
                for target in targets:
                    if (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id == method_scope.self_name
                    ):
                        kinds = assigned.setdefault(target.attr, set())
                        kinds.add(_value_type(value, method_scope))
                        if isinstance(node, ast.AnnAssign) and target.attr not in in_methods:
                            resolved = _declared_type(node.annotation, method_scope)
                            if resolved:
                                in_methods[target.attr] = resolved
                            held = _declared_value(node.annotation, method_scope)
                            if held:
                                values.setdefault(target.attr, held)
        types = dict(in_methods)
        for name, kinds in assigned.items():
            if len(kinds) == 1:
                (kind,) = kinds
                if kind:
                    types[name] = kind
        types.update(in_class)
        return _SelfInfo(types, frozenset(assigned), values)

    def class_attribute(self, cls: ClassInfo, attr: str) -> tuple[ClassInfo, ast.expr] | None:
        """The value `attr` is bound to in the body of `cls` or of a base, when `self.attr` reads
        it: no method of those classes assigns `self.attr`. None when a base is outside the
        project (a pydantic model copies its class-level defaults into every instance)."""
        classes = self._lineage(cls)
        if classes is None or any(attr in self._self_info(c).assigned for c in classes):
            return None
        for owner in classes:
            for statement in owner.node.body:
                if isinstance(statement, ast.Assign):
                    if any(isinstance(t, ast.Name) and t.id == attr for t in statement.targets):
                        return owner, statement.value
                elif (
                    isinstance(statement, ast.AnnAssign)
                    and isinstance(statement.target, ast.Name)
                    and statement.target.id == attr
                    and statement.value is not None
                ):
                    return owner, statement.value
        return None

    def _lineage(self, cls: ClassInfo, depth: int = 0) -> list[ClassInfo] | None:
        """`cls` and all its bases, nearest first; None when one of them is not in the project,
        or comes from another installed package (pydantic's BaseModel copies its class-level
        defaults into every instance: what a base does with them is that package's business)."""
        if depth > MAX_DEPTH:
            return None
        bases = self.bases(cls, depth)
        if len(bases) != sum(not _is_plain_base(base) for base in cls.node.bases):
            return None
        if any(
            base.module.installed
            and not (cls.module.installed and base.module.top_package == cls.module.top_package)
            for base in bases
        ):
            return None
        found = [cls]
        for base in bases:
            more = self._lineage(base, depth + 1)
            if more is None:
                return None
            found += [c for c in more if c not in found]
        return found

    def star_member(self, star_module: str, name: str, near: Module) -> str | None:
        """The qualified name `name` has when it comes from `from star_module import *`."""
        if star_module.startswith("temporalio"):
            return f"{star_module}.{name}" if sdk_api.has_member(star_module, name) else None
        module = self.find_module(star_module, near)
        if module is not None and module.tree is not None and name in module.bindings:
            binding = module.bindings[name]
            return binding.qname if binding.kind == "import" else _join(module.name, name)
        return None


_ABSTRACT_DECORATORS = frozenset({"abc.abstractmethod", "abc.abstractproperty"})
_ABSTRACT_SHORT_NAMES = frozenset(name.rpartition(".")[2] for name in _ABSTRACT_DECORATORS)


def _is_stub(body: list[ast.stmt]) -> bool:
    """`...`, `pass` or `raise NotImplementedError`, after an optional docstring."""
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring (or a lone `...`)
    if not body:
        return True
    if len(body) > 1:
        return False
    statement = body[0]
    if isinstance(statement, ast.Pass):
        return True
    if isinstance(statement, ast.Expr):
        return isinstance(statement.value, ast.Constant) and statement.value.value is Ellipsis
    if isinstance(statement, ast.Raise) and statement.exc is not None:
        raised = statement.exc.func if isinstance(statement.exc, ast.Call) else statement.exc
        return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"
    return False


@functools.cache
def _class_statement(name: str) -> re.Pattern[str]:
    """`class X(... name ...)`: a class statement that may name `name` among its bases."""
    return re.compile(
        rf"\bclass\s+\w+\s*(?:\[[^\]]*\])?\s*\((?:[^()]|\([^()]*\))*?\b{re.escape(name)}\b"
    )


def _display(path: str) -> str:
    """A followed file's name as reported: relative to the current folder when it is below it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _module_name(path: str) -> tuple[str, str, bool]:
    """(sys.path root, dotted module name, is package) of a file, found through `__init__.py`s.
    String operations, not pathlib: this runs once per file of the tree, before any analysis."""
    directory, file_name = os.path.split(os.path.normpath(path))
    is_package = file_name == "__init__.py"
    root, package = _package_of(directory)
    stem = os.path.splitext(file_name)[0]
    # `<stdin>` or `my-script.py` can't be imported: such a file is a module without a name.
    own = [] if is_package or not stem.isidentifier() else [stem]
    return root, ".".join([*package, *own]), is_package


@functools.cache
def _package_of(directory: str) -> tuple[str, tuple[str, ...]]:
    """The sys.path root above `directory` and the package path from it (cached: one stat each)."""
    parent, name = os.path.split(directory)
    if not name or not os.path.exists(os.path.join(directory, "__init__.py")):
        return directory, ()
    root, parts = _package_of(parent)
    return root, (*parts, name)
