"""Suppression comments, and the findings they silence.

    x = time.time()  # noqa: TPR101          this line (a bare `# noqa` silences every rule)
    # temporal-pro: ignore[TPR101]           the next statement: a line, or a whole def/class
    # temporal-pro: ignore-file[TPR602]      the whole file

A scoped comment at the end of a line covers that line's statement; one among a definition's
decorators, the definition; one inside a multi-line statement, that statement. Text after the
brackets is the reason.

Codes, code prefixes and rule names are accepted. A finding reached through a call chain is also
silenced by a suppression on any hop of the chain, so a helper's finding can be silenced where the
workflow calls it; a chain through an unsuppressed call (another workflow's) still reports it.

A suppression that silences nothing is itself reported (TPR900), and so is a code or name that
matches no rule (TPR999 in a noqa; anything in our own comments), except a bare `# noqa` or
another tool's code, which may be meant for that tool. Ruff users add `lint.external = ["TPR"]`
so Ruff keeps our codes in its own unused-noqa check.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from bisect import bisect_right
from collections.abc import Callable

from mcp_server.lint.models import Finding, Location
from mcp_server.lint.parse import statement_rows

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[\w\-]+(?:[\s,]+[\w\-]+)*))?", re.IGNORECASE)
_DIRECTIVE = re.compile(  # text after it, separated by a space, is the reason
    r"#\s*temporal-pro:\s*(?P<kind>ignore-file|ignore)(?:\[(?P<codes>[^\]]*)\])?(?:\s.*)?$"
)
UNUSED = "TPR900"


class Suppression:
    __slots__ = ("column", "end_column", "first", "kind", "last", "row", "selectors", "used")

    def __init__(
        self,
        kind: str,
        row: int,
        column: int,
        end_column: int,
        selectors: tuple[str, ...],
        first: int,
        last: int,
    ) -> None:
        self.kind = kind  # "noqa", "ignore" or "ignore-file"
        self.row = row  # the comment's line
        self.column = column
        self.end_column = end_column
        self.selectors = selectors  # empty: every rule
        self.first = first  # the rows it covers
        self.last = last
        self.used: set[str] = set()

    def covers(self, row: int, code: str, matches: dict[str, set[str]]) -> bool:
        if not self.first <= row <= self.last:
            return False
        return not self.selectors or any(code in matches.get(s, set()) for s in self.selectors)


def _comments(source: str, tree: ast.Module | None) -> list[tuple[int, int, str, bool]]:
    """(row, column, text, alone on its line) of the comments on the lines that may hold a
    suppression. Python's tokenizer runs over each such line's top-level statement only (it
    starts outside any string, so the tokens agree with the whole file's): tokenizing a whole
    file costs about 10 us a line, and the SDK's largest test file has 10,000 lines and two
    `noqa` comments. A file without a tree (it does not parse) is tokenized whole."""
    lines = io.StringIO(source).readlines()  # the lines as tokenize reads them
    rows = {
        row
        for row, line in enumerate(lines, 1)
        if "temporal-pro:" in line or "noqa" in line.lower()
    }
    if not rows:
        return []
    # A lone CR ends a line for ast, not for tokenize: rows would not agree.
    if tree is None or source.count("\r") != source.count("\r\n"):
        return _tokenized(lines, 1, len(lines))
    spans = [statement_rows(node) for node in tree.body]
    starts = [first for first, _ in spans]
    found: dict[tuple[int, int], tuple[int, int, str, bool]] = {}
    for row in sorted(rows):
        index = bisect_right(starts, row) - 1
        first, last = spans[index] if index >= 0 else (row, row)
        if last < row:  # between two statements: the line stands alone
            first = row
        for comment in _tokenized(lines, first, row):
            found[comment[:2]] = comment
    return [found[key] for key in sorted(found) if key[0] in rows]


def _tokenized(lines: list[str], first: int, last: int) -> list[tuple[int, int, str, bool]]:
    """The comments of rows `first` to `last`, tokenized from `first` (which starts a line
    outside any string); a file that does not tokenize has a syntax-error finding already."""
    found = []
    readline = iter(lines[first - 1 : last]).__next__
    try:
        for token in tokenize.generate_tokens(readline):
            if token.type == tokenize.COMMENT:
                alone = not token.line[: token.start[1]].strip()
                found.append((token.start[0] + first - 1, token.start[1], token.string, alone))
    except (tokenize.TokenError, SyntaxError, IndentationError, StopIteration):
        pass  # the statement goes on past `last`: its comments up to `last` were found
    return found


def parse_suppressions(source: str, tree: ast.Module | None = None) -> list[Suppression]:
    """The suppression comments of a module; `tree` is its tree, parsed again when not given."""
    lowered = source.lower()  # a plain substring scan; a case-blind regex costs 20x more
    if "noqa" not in lowered and "temporal-pro:" not in lowered:
        return []
    tree = tree or _parsed(source)
    suppressions = []
    statements: list[ast.stmt] | None = None
    last_row = source.count("\n") + 1
    for row, column, text, alone in _comments(source, tree):
        end = column + len(text) + 1
        directive = _DIRECTIVE.match(text)
        if directive:
            selectors = tuple(s for s in re.split(r"[\s,]+", directive["codes"] or "") if s)
            if directive["kind"] == "ignore-file":
                suppressions.append(
                    Suppression("ignore-file", row, column + 1, end, selectors, 1, last_row)
                )
                continue
            if statements is None:
                statements = _all_statements(tree)
            span = _covered(statements, row, alone)
            if span is not None:
                suppressions.append(Suppression("ignore", row, column + 1, end, selectors, *span))
            continue
        noqa = _NOQA.search(text)
        if noqa:
            raw = noqa["codes"] or ""
            selectors = tuple(s for s in re.split(r"[\s,]+", raw) if s)
            suppressions.append(Suppression("noqa", row, column + 1, end, selectors, row, row))
    return suppressions


def _parsed(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None  # a file that does not parse has a syntax-error finding already


def _all_statements(tree: ast.Module | None) -> list[ast.stmt]:
    if tree is None:
        return []
    return [node for node in ast.walk(tree) if isinstance(node, ast.stmt)]


def _covered(statements: list[ast.stmt], row: int, alone: bool) -> tuple[int, int] | None:
    """The rows a scoped comment on `row` covers: at the end of a line, that line's statement;
    on its own line, the definition whose decorators it sits among, the statement it sits
    inside (a multi-line call), or else the next statement."""
    simple = [n for n in statements if not hasattr(n, "body")]
    if not alone:
        inside = [n for n in simple if n.lineno <= row <= statement_rows(n)[1]]
        return _innermost(inside) if inside else (row, row)
    # Among a definition's decorators, before its `def`:
    decorated = [n for n in statements if statement_rows(n)[0] < row < n.lineno]
    inside = [n for n in simple if n.lineno < row < statement_rows(n)[1]]
    if decorated or inside:
        return _innermost(decorated or inside)
    following = [statement_rows(n) for n in statements if statement_rows(n)[0] > row]
    return min(following, key=lambda span: span[0]) if following else None  # outermost first


def _innermost(nodes: list[ast.stmt]) -> tuple[int, int]:
    return min((statement_rows(n) for n in nodes), key=lambda span: span[1] - span[0])


def apply_suppressions(
    findings: list[Finding],
    sources: dict[str, str],
    enabled: set[str],
    selector_codes: Callable[[str], set[str]],
    parsed: dict[str, list[Suppression]] | None = None,
) -> list[Finding]:
    """Drop suppressed findings and add one TPR900 finding per suppression that did nothing.

    `sources` maps each linted file's name to its text; `selector_codes(selector)` returns the
    codes a selector names, or raises ValueError for a selector that is not ours; `parsed`
    holds the suppressions of files already parsed by the caller.
    """
    parsed = parsed or {}
    by_file = {
        name: parsed[name] if name in parsed else parse_suppressions(text)
        for name, text in sources.items()
    }
    matches: dict[str, set[str]] = {}
    for suppressions in by_file.values():
        for suppression in suppressions:
            for selector in suppression.selectors:
                if selector not in matches:
                    try:
                        matches[selector] = selector_codes(selector)
                    except ValueError:
                        matches[selector] = set()  # someone else's code (E501): not ours
    kept = []
    for finding in findings:
        places = [
            (finding.filename, finding.location.row),
            (finding.filename, finding.end_location.row),
        ]
        # A comment where a root's reason points (its `execute_activity` line) covers that line,
        # not everything the function does.
        places += [(hop.filename, hop.row) for hop in finding.chain if not hop.is_reason]
        silenced = False
        for filename, row in places:
            for suppression in by_file.get(filename, ()):
                if suppression.covers(row, finding.code, matches):
                    suppression.used.add(finding.code)
                    silenced = True
        if not silenced:
            kept.append(finding)
    if UNUSED in enabled:
        kept += _unused(by_file, matches, enabled)
    return kept


def _unused(
    by_file: dict[str, list[Suppression]], matches: dict[str, set[str]], enabled: set[str]
) -> list[Finding]:
    from mcp_server.lint.rules import RULES

    rule = RULES[UNUSED]
    found = []
    for filename, suppressions in by_file.items():
        for s in suppressions:
            ours = [x for x in s.selectors if matches.get(x)]
            # Selectors that match no rule: in our own comments every one was meant for us; in
            # a noqa, only those that look like our codes (E501 is another tool's).
            unknown = [
                f"{x} (no such code or rule name)"
                for x in s.selectors
                if not matches.get(x) and (s.kind != "noqa" or x.upper().startswith("TPR"))
            ]
            if s.kind == "noqa" and not ours and not unknown:
                continue  # a bare or foreign noqa may be another tool's
            idle = [x for x in ours if not (matches[x] & s.used) and matches[x] & enabled]
            idle += unknown
            if not s.selectors and not s.used:
                idle = ["every rule"]
            if not idle:
                continue
            names = ", ".join(idle)
            found.append(
                Finding(
                    code=rule.code,
                    name=rule.name,
                    category=rule.category,
                    severity=rule.severity,
                    filename=filename,
                    location=Location(row=s.row, column=s.column),
                    end_location=Location(row=s.row, column=s.end_column),
                    message=rule.render(rule.message, {"codes": names}) or "",
                    fix_title=rule.render(rule.fix_title, {"codes": names}),
                )
            )
    return found
