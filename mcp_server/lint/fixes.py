"""Automatic fixes: what each fixable finding becomes, and applying fixes to files (`--fix`).

A fix is a list of text edits at exact positions from the tree, so everything outside them
(formatting, comments) survives: the call is replaced, `from temporalio import workflow` is added
only when no binding exists (an existing one is reused, `wf.now()`), and an import the fix leaves
unused is removed, with libcst where one name leaves a multi-name import so the statement keeps
its layout. Each fix says whether it is safe; why each is safe or not is in the rule's
documentation (`Fix safety`).
"""

from __future__ import annotations

import ast
import os
import sys
import tokenize
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from mcp_server.lint.engine import LintResult, lint_paths
from mcp_server.lint.models import Edit, Finding, Fix, LintReport, Location
from mcp_server.lint.options import DEFAULT_OPTIONS, LintOptions
from mcp_server.lint.parse import parse_source, read_source, source_lines
from mcp_server.lint.project import Module, Scope

WORKFLOW = "temporalio.workflow"
_UTC = frozenset({"datetime.timezone.utc", "datetime.UTC"})
# `random` module functions that are also methods of workflow.random() (seed/state are not fixed).
_RANDOM_METHODS = frozenset(
    {
        "random", "randint", "randrange", "choice", "choices", "shuffle", "sample", "uniform",
        "triangular", "gauss", "normalvariate", "lognormvariate", "expovariate",
        "vonmisesvariate", "gammavariate", "betavariate", "paretovariate", "weibullvariate",
        "getrandbits", "randbytes", "binomialvariate",
    }
)  # fmt: skip


# --- building a finding's fix ---------------------------------------------------------------------
def fix_for(module: Module, scope: Scope, node: ast.AST, qname: str) -> Fix | None:
    """The fix for a knowledge-table finding at `node` (a call of `qname`), if there is one."""
    if not isinstance(node, ast.Call) or module.tree is None:
        return None
    plan = _plan(scope, node, qname)
    if plan is None:
        return None
    replace_whole_call, text, safe, message, needs = plan
    binding, import_edit = _binding(module, scope, needs)
    if binding is None:
        return None
    target = node if replace_whole_call else node.func
    replacement = text.format(binding)
    orphaned = _orphaned_import(module, node.func)
    edits = [_edit(module, target, replacement), *orphaned]
    if import_edit is not None:
        # The new import may land where the orphaned one is deleted: then it replaces it.
        removal = next((e for e in edits[1:] if _within(import_edit.location, e)), None)
        if removal is not None:
            # Keep the blank line the removal took along with the old import, if it took one.
            last_removed = module.lines[removal.end_location.row - 2]
            blank = "\n" if not last_removed.strip() else ""
            edits[edits.index(removal)] = Edit(
                content=import_edit.content + blank,
                location=removal.location,
                end_location=removal.end_location,
            )
        else:
            edits.append(import_edit)
    removed = _root_name(node.func) if orphaned else None
    edits = _settle(module, edits, _may_orphan(module, target, replacement, removed))
    return Fix(applicability="safe" if safe else "unsafe", message=message, edits=edits)


def _within(point: Location, edit: Edit) -> bool:
    """Inside the span, or at its start; at its end, an insertion simply follows it."""
    start, end = edit.location, edit.end_location
    return (start.row, start.column) <= (point.row, point.column) < (end.row, end.column)


def _plan(scope: Scope, node: ast.Call, qname: str) -> tuple[bool, str, bool, str, str] | None:
    """(replace the whole call?, replacement text with {} for the binding, safe?, message,
    the module the replacement needs)."""
    no_arguments = not node.args and not node.keywords
    if qname == "datetime.datetime.now":
        if no_arguments:
            return True, "{}.now()", False, "Replace with `workflow.now()` (aware UTC)", WORKFLOW
        arguments = [*node.args, *(k.value for k in node.keywords if k.arg == "tz")]
        only_tz = len(arguments) == 1 and len(node.args) + len(node.keywords) == 1
        if only_tz and scope.resolve(arguments[0]) in _UTC:
            return True, "{}.now()", True, "Replace with `workflow.now()`", WORKFLOW
        return None
    if qname == "datetime.datetime.utcnow" and no_arguments:
        return True, "{}.now()", False, "Replace with `workflow.now()` (aware UTC)", WORKFLOW
    if qname in ("time.time", "time.time_ns") and no_arguments:
        name = qname.rpartition(".")[2]
        return True, f"{{}}.{name}()", True, f"Replace with `workflow.{name}()`", WORKFLOW
    if qname in ("uuid.uuid4", "uuid.uuid7") and no_arguments:
        name = qname.rpartition(".")[2]
        return True, f"{{}}.{name}()", True, f"Replace with `workflow.{name}()`", WORKFLOW
    if qname.startswith("random.") and qname.count(".") == 1:
        method = qname.rpartition(".")[2]
        if method in _RANDOM_METHODS:
            return (
                False, f"{{}}.random().{method}", True,
                f"Replace with `workflow.random().{method}`", WORKFLOW,
            )  # fmt: skip
        return None
    if qname == "asyncio.as_completed" and not _iterated_asynchronously(scope, node):
        return False, "{}.as_completed", True, "Replace with `workflow.as_completed`", WORKFLOW
    if qname == "asyncio.wait":
        return False, "{}.wait", False, "Replace with `workflow.wait` (returns lists)", WORKFLOW
    if qname == "time.sleep" and _awaitable_statement(scope, node):
        return (
            True,
            "await {}.sleep(" + _arguments_text(scope, node) + ")",
            False,
            ("Replace with `await asyncio.sleep(...)` (a durable timer)"),
            "asyncio",
        )
    return None


def _iterated_asynchronously(scope: Scope, node: ast.Call) -> bool:
    """`async for x in asyncio.as_completed(...)` (3.13+): workflow.as_completed is a plain
    iterator, so that loop cannot take the fix."""
    return any(
        isinstance(loop, ast.AsyncFor) and loop.iter is node for loop in ast.walk(scope.node)
    )


def _awaitable_statement(scope: Scope, node: ast.Call) -> bool:
    """`time.sleep(x)` alone on its line, directly in an `async def`: `await` fits there."""
    if not isinstance(scope.node, ast.AsyncFunctionDef) or len(node.args) != 1 or node.keywords:
        return False
    return any(
        isinstance(statement, ast.Expr) and statement.value is node
        for statement in ast.walk(scope.node)
    )


def _arguments_text(scope: Scope, node: ast.Call) -> str:
    return _segment(scope.module, node.args[0])


def _binding(module: Module, scope: Scope, qualified: str) -> tuple[str | None, Edit | None]:
    """The name to call `qualified` by at this scope, and the import edit if one is needed."""
    for name, binding in module.bindings.items():
        # An import binding of it that is not shadowed at this scope, and exists at run time.
        reusable = binding.kind == "import" and binding.qname == qualified
        if reusable and scope.resolve(ast.Name(id=name)) == qualified:
            if _only_when_type_checking(module, scope, name):
                return None, None  # adding a second import would shadow it: no fix
            return name, None
    # `import temporalio.workflow` binds `temporalio` and loads the submodule: call it by its
    # dotted name (a bare `import temporalio` would not load `temporalio.workflow`).
    top = qualified.partition(".")[0]
    if _imports_dotted(module, qualified) and scope.resolve(ast.Name(id=top)) == top:
        return qualified, None
    default = qualified.rpartition(".")[2]
    if scope.lookup_name(default) is not None:
        return None, None  # the natural name means something else here: no fix
    package, _, name = qualified.rpartition(".")
    if package:
        joined = _join_from_import(module, package, name)
        if joined is not None:
            return default, joined
    statement = f"from {package} import {name}" if package else f"import {name}"
    return default, _insert_import(module, statement)


def _join_from_import(module: Module, package: str, name: str) -> Edit | None:
    """`from temporalio import activity` becomes `from temporalio import activity, workflow`,
    as isort would write it; only for a plain one-line statement at the top of the module."""
    assert module.tree is not None
    for node in module.tree.body:
        if not isinstance(node, ast.ImportFrom) or node.module != package or node.level:
            continue
        if node.end_lineno != node.lineno or any(c in _segment(module, node) for c in "(#\\;"):
            return None
        names = [f"{a.name} as {a.asname}" if a.asname else a.name for a in node.names]
        if "*" in names:
            return None
        # isort's order by type: CONSTANTS, then Classes, then everything else.
        ordered = sorted([*names, name], key=lambda n: (not n.isupper(), not n[:1].isupper(), n))
        return _edit(module, node, f"from {package} import {', '.join(ordered)}")
    return None


def _only_when_type_checking(module: Module, scope: Scope, name: str) -> bool:
    """Whether every top-level import of `name` sits under `if TYPE_CHECKING:` (not run)."""
    assert module.tree is not None
    typing_only_import = run_time_import = False
    stack: list[tuple[ast.stmt, bool]] = [(node, False) for node in module.tree.body]
    while stack:
        node, typing_only = stack.pop()
        if _binds(node, name):
            if typing_only:
                typing_only_import = True
            else:
                run_time_import = True
        elif isinstance(node, ast.If):
            checking = typing_only or scope.resolve(node.test) in _TYPE_CHECKING
            stack += [(child, checking) for child in node.body]
            stack += [(child, typing_only) for child in node.orelse]
        elif isinstance(node, (ast.Try, ast.With)):
            stack += [(child, typing_only) for child in node.body]
    return typing_only_import and not run_time_import


def _binds(node: ast.AST, local: str) -> bool:
    """Whether `node` is an import statement that binds the name `local`."""
    return isinstance(node, (ast.Import, ast.ImportFrom)) and any(
        (a.asname or a.name.partition(".")[0]) == local for a in node.names
    )


_TYPE_CHECKING = frozenset({"typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING"})


def _imports_dotted(module: Module, qualified: str) -> bool:
    """Whether the module says `import a.b` (no `as`) for the dotted `qualified`."""
    return (
        "." in qualified
        and module.tree is not None
        and any(
            isinstance(node, ast.Import)
            and any(alias.name == qualified and alias.asname is None for alias in node.names)
            for node in module.tree.body
        )
    )


def _insert_import(module: Module, statement: str) -> Edit:
    """Where isort would put it among the module's leading imports (after its docstring), so a
    module whose imports passed Ruff's import sorting (I001) still passes; without leading
    imports, after the docstring."""
    assert module.tree is not None
    row = 1
    leading: list[ast.Import | ast.ImportFrom] = []
    for index, node in enumerate(module.tree.body):
        is_docstring = (
            index == 0
            and isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        )
        if not is_docstring and not isinstance(node, (ast.Import, ast.ImportFrom)):
            break
        row = (node.end_lineno or node.lineno) + 1
        if not is_docstring:
            leading.append(node)  # type: ignore[arg-type]
    mine = _isort_key(ast.parse(statement).body[0])  # type: ignore[arg-type]
    index = next((i for i, n in enumerate(leading) if _isort_key(n) > mine), len(leading))
    sections = [_isort_key(n)[0] for n in leading]
    content = statement + "\n"
    if index and sections[index - 1] == mine[0]:
        row = (leading[index - 1].end_lineno or leading[index - 1].lineno) + 1  # in its section
    elif index < len(leading):
        row = leading[index].lineno
        if sections[index] != mine[0]:
            content += "\n"  # a section of its own, before the next one
    elif leading:
        content = "\n" + content  # a section of its own, after the last one
    at = Location(row=row, column=1)
    return Edit(content=content, location=at, end_location=at)


def _isort_key(node: ast.Import | ast.ImportFrom) -> tuple[int, int, str]:
    """isort's default order, roughly: (section: __future__, standard library, other absolute,
    relative; plain `import` before `from`; module name without case)."""
    if isinstance(node, ast.Import):
        name, style = node.names[0].name, 0
    else:
        name, style = node.module or "", 1
    if isinstance(node, ast.ImportFrom) and node.level:
        section = 3
    elif name == "__future__":
        section = 0
    else:
        section = 1 if name.partition(".")[0] in sys.stdlib_module_names else 2
    return section, style, name.lower()


def _orphaned_import(module: Module, replaced: ast.expr) -> list[Edit]:
    """Remove the import whose only use this fix replaces (`import uuid` for `uuid.uuid4()`)."""
    root = _root_name(replaced)
    if root is None or _uses(module)[root] != 1:
        return []
    return removal_edits(module, root)


def _root_name(expression: ast.expr) -> str | None:
    """`uuid` for `uuid.uuid4`."""
    while isinstance(expression, ast.Attribute):
        expression = expression.value
    return expression.id if isinstance(expression, ast.Name) else None


def _may_orphan(module: Module, target: ast.AST, replacement: str, removed: str | None) -> bool:
    """Whether the fix may leave a top-level import unused besides the one it removes itself
    (`timezone` in `datetime.now(timezone.utc)`). Only then is the fixed text parsed again;
    the counts are exact, so any doubt errs towards parsing."""
    inside = Counter(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    uses = _uses(module)
    gone = [name for name, count in inside.items() if uses[name] == count]
    if not gone:
        return False
    try:  # the replacement may use a name again: the argument `time.sleep(x)` keeps
        kept = _name_uses(ast.parse(replacement.removeprefix("await "), mode="eval"))
    except SyntaxError:
        return True
    assert module.tree is not None
    for name in gone:
        binders = sum(_binds(node, name) for node in module.tree.body)
        if name == removed and binders:
            binders -= 1  # the fix's own removal takes the first one
        if binders and not kept[name]:
            return True
    return False


def _uses(module: Module) -> Counter[str]:
    cached = getattr(module, "_name_uses", None)
    if cached is None:
        assert module.tree is not None
        cached = _name_uses(module.tree)
        module._name_uses = cached  # type: ignore[attr-defined]
    return cached


def _name_uses(tree: ast.AST) -> Counter[str]:
    """How often each name is used, string annotations included (`prev: "uuid.UUID"`)."""
    uses = Counter(n.id for n in ast.walk(tree) if isinstance(n, ast.Name))
    for text in _string_annotations(tree):
        try:
            uses.update(_name_uses(ast.parse(text, mode="eval")))
        except SyntaxError:
            continue
    return uses


def _string_annotations(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            annotations = [node.annotation]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            annotations = [node.returns]
        elif isinstance(node, ast.AnnAssign):
            annotations = [node.annotation]
        else:
            continue
        for annotation in annotations:
            if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
                yield annotation.value


def removal_edits(module: Module, local: str) -> list[Edit]:
    """Edits that remove the import binding `local`, keeping the rest of the line: the one at
    the top level, else the only one in the module (`import time` inside a function)."""
    assert module.tree is not None
    lines = module.lines

    node: ast.AST | None = next((n for n in module.tree.body if _binds(n, local)), None)
    if node is None:  # rare: the whole tree is walked only then
        nested = [n for n in ast.walk(module.tree) if _binds(n, local)]
        node = nested[0] if len(nested) == 1 else None
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        end_row = node.end_lineno or node.lineno
        alone = (
            not lines[node.lineno - 1][: node.col_offset].strip()
            and not lines[end_row - 1][node.end_col_offset or 0 :].strip()
        )
        if len(node.names) == 1 and alone:
            # Also take one following blank line when a blank line (or the top of the file)
            # precedes: the import's block vanished, not just its line.
            before_blank = node.lineno == 1 or not lines[node.lineno - 2].strip()
            after_blank = end_row < len(lines) and not lines[end_row].strip()
            last = end_row + 1 if before_blank and after_blank else end_row
            return [
                Edit(
                    content="",
                    location=Location(row=node.lineno, column=1),
                    end_location=Location(row=last + 1, column=1),
                )
            ]
        if len(node.names) == 1:
            return []  # shares its line with other code (`import x; y()`): leave it
        text = _without_alias(_segment(module, node), local)
        return [] if text is None else [_edit(module, node, text)]
    return []


def _without_alias(statement: str, local: str) -> str | None:
    """`from a import b, c` minus `c`. A plain one-line import is rebuilt directly; one with
    parentheses, continuation lines or comments goes through libcst, so its layout and comments
    stay (libcst is imported only then: it costs ~0.3 s, more than a whole lint run's analysis)."""
    if not any(mark in statement for mark in "()#\\\n"):
        return _without_alias_simple(statement, local)
    import libcst as cst

    try:
        parsed = cst.parse_statement(statement.strip() + "\n")
    except Exception:
        return None
    imported = parsed.body[0] if isinstance(parsed, cst.SimpleStatementLine) else None
    if not isinstance(imported, (cst.Import, cst.ImportFrom)) or isinstance(
        imported.names, cst.ImportStar
    ):
        return None

    def local_name(alias: cst.ImportAlias) -> str:
        if alias.asname is not None:
            return cst.ensure_type(alias.asname.name, cst.Name).value
        return cst.helpers.get_full_name_for_node(alias.name).partition(".")[0]  # type: ignore[union-attr]

    kept = [alias for alias in imported.names if local_name(alias) != local]
    kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return cst.Module(body=[]).code_for_node(imported.with_changes(names=kept))


def _without_alias_simple(statement: str, local: str) -> str | None:
    node = ast.parse(statement.strip()).body[0]
    assert isinstance(node, (ast.Import, ast.ImportFrom))
    kept = [
        f"{a.name} as {a.asname}" if a.asname else a.name
        for a in node.names
        if (a.asname or a.name.partition(".")[0]) != local
    ]
    if isinstance(node, ast.Import):
        return "import " + ", ".join(kept)
    return f"from {'.' * node.level}{node.module or ''} import " + ", ".join(kept)


# --- a fix's final edits -------------------------------------------------------------------------
Span = tuple[int, int, str]  # (start offset, end offset, content) in one text


def _settle(module: Module, edits: list[Edit], may_orphan: bool) -> list[Edit]:
    """The edits that give exactly what `--fix` writes for this finding alone, so a client that
    applies them (the JSON output) gets the same bytes: new lines end as the file's lines do, the
    imports the fix leaves unused go, and the file does not open on blank lines it did not open
    on. In document order, never overlapping: each position refers to the original text, so they
    apply from the last to the first."""
    source, starts = module.source, _line_starts(module)
    spans: list[Span] = []
    positions: dict[tuple[int, int], tuple[Location, Location]] = {}
    for edit in edits:
        start, end = (
            starts[at.row - 1] + at.column - 1 for at in (edit.location, edit.end_location)
        )
        content = edit.content
        if content and start == len(source) and source and not source.endswith(("\n", "\r")):
            content = "\n" + content  # after a last line that has no line break
        spans.append((start, end, _line_ends(source, content)))
        positions[start, end] = edit.location, edit.end_location
    spans.sort(key=lambda span: (span[0], span[1]))
    if may_orphan or spans[0][0] == 0:  # only then can anything but the spans change the text
        steps: list[Span] = []
        text = _applied(source, spans)
        if may_orphan:
            text = _drop_orphans(source, text, steps)
        blank = _opening_blank(source, text)
        if blank:
            steps.append((0, blank, ""))
        for step in steps:
            spans = _compose(source, spans, step)
    return [
        Edit(content=content, location=location, end_location=end_location)
        for start, end, content in spans
        for location, end_location in [
            positions.get((start, end))
            or (_location(source, starts, start), _location(source, starts, end))
        ]
    ]


def _line_ends(source: str, content: str) -> str:
    """New lines end the way the file's lines do."""
    if "\n" not in content or "\r\n" not in source:
        return content
    return content.replace("\r\n", "\n").replace("\n", "\r\n")


def _opening_blank(source: str, text: str) -> int:
    """How many line breaks open `text` that a removed import left there (the file did not open
    on a blank line before)."""
    if source.startswith(("\n", "\r")):
        return 0
    return len(text) - len(text.lstrip("\r\n"))


def _applied(source: str, spans: list[Span]) -> str:
    """The text with the (non-overlapping) spans replaced, from the last to the first."""
    text = source
    for start, end, content in sorted(spans, key=lambda s: (s[0], s[1]), reverse=True):
        text = text[:start] + content + text[end:]
    return text


def _compose(source: str, spans: list[Span], step: Span) -> list[Span]:
    """`spans` on `source`, then `step` on their result, as spans on `source`: a span that the
    step overlaps or touches merges with it into one."""
    text = _applied(source, spans)
    start, end, content = step
    kept: list[Span] = []
    merged: list[tuple[Span, int, int]] = []  # with its range in `text`
    shift = 0  # where `source` positions outside the spans sit in `text`, relative to `source`
    shift_at_start = shift_at_end = None
    for span in spans:
        low, high, inserted = span
        at = low + shift
        if shift_at_start is None and start < at:
            shift_at_start = shift
        if shift_at_end is None and end < at:
            shift_at_end = shift
        if at <= end and start <= at + len(inserted):
            merged.append((span, at, at + len(inserted)))
        else:
            kept.append(span)
        shift += len(inserted) - (high - low)
    shift_at_start = shift if shift_at_start is None else shift_at_start
    shift_at_end = shift if shift_at_end is None else shift_at_end
    if merged and merged[0][1] <= start:
        source_start, text_start = merged[0][0][0], merged[0][1]
    else:
        source_start, text_start = start - shift_at_start, start
    if merged and merged[-1][2] >= end:
        source_end, text_end = merged[-1][0][1], merged[-1][2]
    else:
        source_end, text_end = end - shift_at_end, end
    joined = text[text_start:start] + content + text[end:text_end]
    kept.append((source_start, source_end, joined))
    return sorted(
        (span for span in kept if source[span[0] : span[1]] != span[2]),
        key=lambda s: (s[0], s[1]),
    )


def _line_starts(module: Module) -> list[int]:
    """The offset where each row starts, and the text's end: computed once per module, as a
    file's findings are fixed one by one."""
    cached = getattr(module, "_line_starts", None)
    if cached is None:
        cached = [0, *accumulate(len(line) for line in module.lines)]
        module._line_starts = cached  # type: ignore[attr-defined]
    return cached


def _location(source: str, starts: list[int], offset: int) -> Location:
    """The 1-based (row, character column) of an offset; the end of a last line without a line
    break stays on that line."""
    row = bisect_right(starts, offset)
    if offset == len(source) and source and not source.endswith(("\n", "\r")):
        row -= 1
    return Location(row=row, column=offset - starts[row - 1] + 1)


# --- text positions: every Location here counts characters, as the JSON output does ------------
def _edit(module: Module, node: ast.AST, content: str) -> Edit:
    start, end = module.span(node)
    return Edit(content=content, location=start, end_location=end)


def _segment(module: Module, node: ast.AST) -> str:
    start, end = _offsets(module.lines, *module.span(node))
    return module.source[start:end]


def _offsets(lines: list[str], start: Location, end: Location) -> tuple[int, int]:
    return _offset(lines, start), _offset(lines, end)


def _offset(lines: list[str], at: Location) -> int:
    """A 1-based (row, character column) as an offset into the text."""
    return sum(len(line) for line in lines[: at.row - 1]) + at.column - 1


# --- applying fixes -------------------------------------------------------------------------------
@dataclass
class Applied:
    source: str
    fixed: int  # findings whose fix was applied


def apply(source: str, fixes: list[Fix]) -> Applied:
    """Apply non-overlapping fixes (in order); an edit identical to one already taken is shared,
    so two fixes that both add `from temporalio import workflow` add it once. A fix's edits are
    already final (_settle): what this adds only happens when several fixes meet, an import each
    left in use for the other's call."""
    lines = source_lines(source)
    taken: list[Span] = []
    fixed = 0
    for fix in fixes:
        spans = [(*_offsets(lines, e.location, e.end_location), e.content) for e in fix.edits]
        own_overlap = any(_conflicts(span, spans[:i]) for i, span in enumerate(spans))
        if own_overlap or any(_conflicts(span, taken) for span in spans):
            continue
        taken += [span for span in spans if span not in taken]
        fixed += 1
    text = _drop_orphans(source, _applied(source, taken))
    # Removed imports must not leave the file opening on blank lines.
    return Applied(text[_opening_blank(source, text) :], fixed)


def _conflicts(span: tuple[int, int, str], taken: list[tuple[int, int, str]]) -> bool:
    start, end, _ = span
    for other in taken:
        if other == span:
            continue
        other_start, other_end, _ = other
        if start < other_end and other_start < end:
            return True
        if start == end == other_start == other_end:
            return True  # two different insertions at one point: order would be ambiguous
    return False


def _drop_orphans(before: str, after: str, steps: list[Span] | None = None) -> str:
    """Remove imports that the applied fixes left without a single use; `steps` receives each
    removal, as a span on the text it applied to."""
    try:
        old, new = ast.parse(before), ast.parse(after)
    except SyntaxError:
        return after  # the caller reports unparsable output
    used_before = _name_uses(old)
    for _ in range(32):
        used_now = _name_uses(new)
        orphan = next(
            (
                local
                for local in _top_level_imports(new)
                if used_before[local] and not used_now[local]
            ),
            None,
        )
        if orphan is None:
            break
        edits = removal_edits(_module_of(after, new), orphan)
        if not edits:
            used_before[orphan] = 0  # cannot be removed cleanly: leave it
            continue
        lines = source_lines(after)
        start, end = _offsets(lines, edits[0].location, edits[0].end_location)
        content = _line_ends(before, edits[0].content)
        if steps is not None:
            steps.append((start, end, content))
        after = after[:start] + content + after[end:]
        new = ast.parse(after)
    return after


def _module_of(source: str, tree: ast.Module) -> Module:
    module = Module("", "<fixed>", "<fixed>", source, ".", False)
    module.tree, module.parsed = tree, True
    return module


def _top_level_imports(tree: ast.Module) -> Iterator[str]:
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    yield alias.asname or alias.name.partition(".")[0]


def write_atomically(path: str, text: str) -> None:
    """Replace the file's content all at once, keeping its permissions and its encoding (a
    PEP 263 coding line, a UTF-8 byte-order mark); raise OSError on failure."""
    mode = os.stat(path).st_mode
    # The permission bits, not os.access: root may write anything, but a read-only file was
    # made read-only on purpose.
    if not os.access(path, os.W_OK) or not mode & 0o222:
        raise PermissionError(f"{path}: file is read-only; not fixed")
    with open(path, "rb") as original:
        encoding, _ = tokenize.detect_encoding(original.readline)  # "utf-8-sig" keeps the mark
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        raise OSError(
            f"{path}: the fixed text cannot be written as {encoding}; not fixed"
        ) from None
    temporary = f"{path}.temporal-pro.{os.getpid()}.tmp"
    try:
        with open(temporary, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


# --- fixing ---------------------------------------------------------------------------------------
@dataclass
class FixResult:
    """What `--fix` would do: the new text of each changed file, and the run that remains."""

    changed: dict[str, tuple[str, str]]  # file -> (before, after)
    fixed_in: dict[str, int]  # file -> findings fixed
    remaining: LintResult
    errors: list[str]

    @property
    def fixed(self) -> int:
        return sum(self.fixed_in.values())


def fix_paths(paths: list[str], options: LintOptions, unsafe: bool = False) -> FixResult:
    """Apply fixes to these files in memory until none applies (each pass re-lints the fixed
    text, like Ruff), never accepting a text that does not parse. Nothing is written: the caller
    decides (see `write_fixes`)."""

    def lint_once(overrides: dict[str, str]) -> LintResult:
        return lint_paths(paths, options.replace(overrides=overrides))

    def editable(finding: Finding, result: LintResult) -> bool:
        # Only the files the user gave: pre-commit passes the staged ones, and a helper the
        # analysis followed outside them is reported, never edited.
        return os.path.abspath(finding.filename) not in result.followed

    return _fix_passes(lint_once, editable, lambda name: read_source(Path(name)), unsafe, options)


@dataclass
class FixedSource:
    """`fix_source`'s answer: the fixed text, and what remains in it."""

    source: str  # the input itself when nothing could be fixed
    fixed: int
    remaining: LintReport
    errors: list[str]  # a fix refused because its result would not parse


def fix_source(
    source: str,
    filename: str = "<string>",
    unsafe: bool = False,
    options: LintOptions = DEFAULT_OPTIONS,
) -> FixedSource:
    """The fixes of one module given as text, applied in memory as `fix_paths` applies them."""

    def lint_once(overrides: dict[str, str]) -> LintResult:
        return lint_paths([], options, stdin=(filename, overrides.get(filename, source)))

    def editable(finding: Finding, result: LintResult) -> bool:
        return finding.filename == filename  # not a helper module the analysis followed

    result = _fix_passes(lint_once, editable, lambda name: source, unsafe, options)
    fixed = result.changed.get(filename, (source, source))[1]
    return FixedSource(fixed, result.fixed, result.remaining.report, result.errors)


def _fix_passes(
    lint_once: Callable[[dict[str, str]], LintResult],
    editable: Callable[[Finding, LintResult], bool],
    read: Callable[[str], str],
    unsafe: bool,
    options: LintOptions,
) -> FixResult:
    overrides: dict[str, str] = dict(options.overrides)
    originals: dict[str, str] = {}
    refused: set[str] = set()
    errors: list[str] = []
    fixed_in: dict[str, int] = {}
    for _ in range(_MAX_FIX_PASSES):
        result = lint_once(overrides)
        wanted: dict[str, list[Finding]] = {}
        for finding in result.report.findings:
            fix = finding.fix
            if not fix or not editable(finding, result) or finding.filename in refused:
                continue
            if fix.applicability == "safe" or unsafe:
                wanted.setdefault(finding.filename, []).append(finding)
        progress = False
        for filename, findings in wanted.items():
            before = overrides.get(filename)
            if before is None:
                before = read(filename)
            applied = apply(before, [f.fix for f in findings if f.fix])
            if applied.source == before:
                continue
            try:
                parse_source(applied.source, filename)
            except SyntaxError:
                errors.append(
                    f"{filename}: a fix would produce code that does not parse; unchanged"
                )
                refused.add(filename)
                if filename in originals:  # undo earlier passes too: "unchanged" means unchanged
                    overrides[filename] = originals[filename]
                    fixed_in.pop(filename, None)
                continue
            originals.setdefault(filename, before)
            overrides[filename] = applied.source
            fixed_in[filename] = fixed_in.get(filename, 0) + applied.fixed
            progress = True
        if not progress:
            break
    changed = {
        name: (originals[name], overrides[name])
        for name in sorted(originals)
        if originals[name] != overrides[name]
    }
    return FixResult(changed, fixed_in, result, errors)


@dataclass
class Written:
    """What `write_fixes` put on disk, and the report of the files as they now are."""

    files: list[str]
    fixed: int
    report: LintReport
    errors: list[str]


def write_fixes(result: FixResult, paths: list[str], options: LintOptions) -> Written:
    """Write each changed file atomically, in its own encoding. When a write fails, the report
    is of what is on disk, not of the text that could not be written."""
    errors = [*result.errors, *result.remaining.errors]
    written: list[str] = []
    for name, (_, after) in result.changed.items():
        try:
            write_atomically(name, after)
            written.append(name)
        except OSError as error:
            errors.append(str(error) if name in str(error) else f"{name}: cannot write: {error}")
    report = result.remaining.report
    if len(written) < len(result.changed):
        report = lint_paths(paths, options).report
    fixed = sum(result.fixed_in.get(name, 0) for name in written)
    return Written(written, fixed, report, errors)


_MAX_FIX_PASSES = 10
