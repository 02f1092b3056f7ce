"""Source text -> stdlib `ast`, the fast tree every rule reads.

Code written for a newer Python than the one running the linter (a 3.12 `type` statement read by
3.11) is still analyzed: libcst's parser knows every grammar up to 3.14, so on a SyntaxError we
parse with libcst, rewrite the new constructs into older equivalents that keep the names, calls
and line numbers the rules look at, and parse the result with `ast` again.
"""

from __future__ import annotations

import ast
import io
import os
import re
import stat
import tokenize
from pathlib import Path

from mcp_server.errors import InputError


class UnreadableFile(InputError):
    """A file that cannot be linted at all (binary, undecodable, unreadable); one-line message."""


class TooLarge(Exception):
    """A file over the max-file-size limit, which is skipped with a note (config.skip_note)."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def read_source(path: str | Path, limit: int = 0) -> str:
    """A Python file's text; TooLarge when it has more than `limit` bytes (0: no limit)."""
    try:
        # Non-blocking, so that a named pipe called x.py fails here instead of waiting forever
        # for a writer. This runs once per file of the tree, so it makes few system calls: one
        # fstat for the kind and size (no stat of the path first), os.read rather than a file
        # object (no isatty, seek or second fstat), and no read past the end it already found.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                raise UnreadableFile(f"{path}: not a regular file")
            if 0 < limit < info.st_size:
                raise TooLarge(info.st_size)
            data = os.read(descriptor, info.st_size + 1)
            if len(data) > info.st_size:  # the file grew while it was read
                chunks = [data]
                while chunks[-1]:
                    chunks.append(os.read(descriptor, 1 << 20))
                data = b"".join(chunks)
        finally:
            os.close(descriptor)
    except OSError as error:
        raise UnreadableFile(f"{path}: cannot read file: {error.strerror or error}") from None
    return decode_source(data, str(path))


def statement_rows(node: ast.stmt) -> tuple[int, int]:
    """First and last row of a statement; a definition starts at its first decorator."""
    decorators = getattr(node, "decorator_list", ())
    return min([node.lineno, *(d.lineno for d in decorators)]), node.end_lineno or node.lineno


def source_lines(text: str) -> list[str]:
    """The lines of Python source, ends kept, broken only where Python breaks them (\\n, \\r\\n,
    \\r): str.splitlines() also breaks at form feeds and U+2028, which would shift every row
    after one by a line."""
    return _LINES.findall(text)


_LINES = re.compile(r"[^\r\n]*(?:\r\n|[\r\n])|[^\r\n]+$")


def decode_source(data: bytes, name: str) -> str:
    if b"\x00" in data:
        raise UnreadableFile(f"{name}: binary file, not Python source")
    if b"coding" not in data[:300]:  # no PEP 263 cookie: UTF-8, without tokenize's machinery
        try:
            return data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            raise UnreadableFile(f"{name}: not valid UTF-8 (or declared-encoding) text") from None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        raise UnreadableFile(f"{name}: not valid UTF-8 (or declared-encoding) text") from None


def parse_source(source: str, filename: str) -> ast.Module:
    """Parse `source`; raise the interpreter's SyntaxError when no supported grammar accepts it."""
    try:
        return ast.parse(source, filename)
    except SyntaxError as error:
        downgraded = _downgrade(source)
        if downgraded is None:
            raise error from None
        try:
            return ast.parse(downgraded, filename)
        except SyntaxError:
            raise error from None
    except ValueError as error:  # e.g. "source code string cannot contain null bytes"
        raise SyntaxError(str(error), (filename, 1, 1, "")) from None


def _downgrade(source: str) -> str | None:
    """Rewrite newer syntax into the oldest equivalent libcst can print, or None if it can't."""
    import libcst as cst  # imported only on this slow path: it costs ~0.3 s at start-up

    try:
        module = cst.parse_module(source)
    except Exception:  # libcst raises its own ParserSyntaxError and, rarely, others
        return None

    class Downgrade(cst.CSTTransformer):
        # PEP 695: `type X[T] = v` -> `X = v`; `def f[T]()` -> `def f()`.
        def leave_TypeAlias(self, original, updated):  # type: ignore[no-untyped-def]
            return cst.Assign(targets=[cst.AssignTarget(updated.name)], value=updated.value)

        def leave_FunctionDef(self, original, updated):  # type: ignore[no-untyped-def]
            return updated.with_changes(type_parameters=None)

        def leave_ClassDef(self, original, updated):  # type: ignore[no-untyped-def]
            return updated.with_changes(type_parameters=None)

        # PEP 701 / 750: f-strings with nested quotes and t-strings -> a tuple of their
        # expressions, so the calls inside them are still seen. The tuple spans as many lines
        # as the string did, so every row after it stays where it was.
        def _expressions(self, original, updated):  # type: ignore[no-untyped-def]
            parts = [
                cst.Element(part.expression)
                for part in updated.parts
                if hasattr(part, "expression")
            ]
            replacement = cst.Tuple([*parts, cst.Element(cst.SimpleString('""'))])
            missing = module.code_for_node(original).count("\n") - module.code_for_node(
                replacement
            ).count("\n")
            if missing <= 0:
                return replacement
            padding = cst.ParenthesizedWhitespace(
                empty_lines=[cst.EmptyLine(indent=False)] * (missing - 1), indent=False
            )
            return replacement.with_changes(rpar=[cst.RightParen(whitespace_before=padding)])

        def leave_FormattedString(self, original, updated):  # type: ignore[no-untyped-def]
            return self._expressions(original, updated)

        def leave_TemplatedString(self, original, updated):  # type: ignore[no-untyped-def]
            return self._expressions(original, updated)

        # `"a" f"{b}"`: a tuple cannot be one side of a concatenation, so the whole
        # concatenation becomes one tuple of the expressions of its formatted parts.
        def visit_ConcatenatedString(self, node):  # type: ignore[no-untyped-def]
            return False

        def leave_ConcatenatedString(self, original, updated):  # type: ignore[no-untyped-def]
            pieces, stack = [], [original]
            while stack:
                piece = stack.pop()
                if isinstance(piece, cst.ConcatenatedString):
                    stack += [piece.right, piece.left]
                else:
                    pieces.append(piece)
            if not any(hasattr(piece, "parts") for piece in pieces):
                return updated
            parts = [p for piece in pieces for p in getattr(piece, "parts", ())]
            return self._expressions(original, cst.FormattedString(parts=parts))

        # PEP 758: `except A, B:` -> `except (A, B):`.
        def leave_ExceptHandler(self, original, updated):  # type: ignore[no-untyped-def]
            if isinstance(updated.type, cst.Tuple) and not updated.type.lpar:
                return updated.with_changes(
                    type=updated.type.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
                )
            return updated

    try:
        return module.visit(Downgrade()).code
    except Exception:
        return None
