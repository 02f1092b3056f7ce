"""Generate `references/rules.md` from the rules' own documentation.

Each rule documents itself (its docstring with Ruff's headings, plus its first INVALID and VALID
samples, see `Rule.documentation()`); this module only assembles those pages under a title, an
introduction, the suppression syntax and a table of contents, with every heading one level down
so that each rule is a `##` section. `tests/test_rule_docs.py` fails when the committed file is
stale.

    python -m mcp_server.lint.docs --write   # regenerate references/rules.md
    python -m mcp_server.lint.docs --check   # exit 1 when it is stale
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mcp_server.lint.rules import Rule

REFERENCE = Path(__file__).parents[2] / "references" / "rules.md"
REGENERATE = "python -m mcp_server.lint.docs --write"

_HEADING = re.compile(r"^(#{1,6}) ")
_FENCE = re.compile(r"^\s*(```|~~~)")
# GitHub's heading anchors: lower case, punctuation dropped (except `-` and `_`), spaces to `-`.
_NOT_IN_ANCHOR = re.compile(r"[^\w\- ]")

_INTRO = """\
# Lint rules

<!-- Generated from the rule docstrings in mcp_server/lint/rules.py by
`{regenerate}`. Do not edit by hand. -->

`temporal-pro lint` is a static checker for Temporal workflows written in Python. Temporal runs a
workflow by replaying its code against the workflow's event history, so the code must make the
same decisions every time; the rules below find code that does not (clocks, randomness, I/O, set
order, shared state) and misuses of the SDK, in workflow classes and in every helper they call.
Each rule says what breaks on replay and when it shows up, with an example and its fix.

```bash
temporal-pro lint src/                   # path:line:col: CODE message; exit 1 on findings
temporal-pro lint --select TPR1 src/     # codes, code prefixes or rule names
temporal-pro lint --format json src/
temporal-pro rules                       # every rule in one line
temporal-pro rule TPR101                 # one rule's section of this file
```
"""

_SUPPRESSION = """\
## Suppressing a finding

Suppress a finding only with a reason, and write the reason in the comment.

- `# noqa: TPR101` at the end of a line silences those rules on that line. It takes codes,
  prefixes (`TPR1`) and rule names (`workflow-wall-clock`), separated by commas; a bare
  `# noqa` silences every rule on the line. A finding in a helper can also be silenced on the
  line of the workflow that calls it.
- `# temporal-pro: ignore[TPR101]` on a line of its own silences the next statement, all of it:
  a whole `def` or `class` (decorators included) when that is the next statement.
- `# temporal-pro: ignore-file[TPR101]` on a line of its own silences those rules in the
  whole file.
{unused}
Codes and rule names are interchangeable in all three forms. Ruff reads `# noqa` comments too
and, with its `RUF` rules on, reports codes it does not know (`RUF102`). Tell it that `TPR`
codes belong to another tool (in `ruff.toml`, the same line without the table header):

```toml
[tool.ruff]
lint.external = ["TPR"]
```
"""


def render_rules_reference() -> str:
    """The whole of `references/rules.md`."""
    from mcp_server.lint.rules import RULES

    rules = list(RULES.values())
    unused = next((r for r in rules if r.name == "unused-suppression"), None)
    unused_line = (
        f"- A suppression that silences nothing is reported as "
        f"[{_title(unused)}](#{github_anchor(_title(unused))}), so stale ones do not pile up.\n"
        if unused is not None
        else ""
    )
    contents = ["## Contents", ""]
    contents += [f"- [{_title(r)}](#{github_anchor(_title(r))}): {r.summary}" for r in rules]
    sections = [
        _INTRO.format(regenerate=REGENERATE),
        _SUPPRESSION.format(unused=unused_line),
        "\n".join(contents) + "\n",
        *(demote(rule.documentation()) for rule in rules),
    ]
    return "\n".join(sections)


def demote(markdown: str) -> str:
    """Every heading one level deeper (`#` -> `##`), leaving fenced code blocks alone."""
    lines = []
    fenced = False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and _HEADING.match(line):
            line = "#" + line
        lines.append(line)
    return "\n".join(lines) + "\n"


def _title(rule: type[Rule]) -> str:
    return f"{rule.code} {rule.name}"


def github_anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return _NOT_IN_ANCHOR.sub("", heading.strip().lower()).replace(" ", "-")


def heading_anchors(markdown: str) -> set[str]:
    """Every anchor a Markdown document's headings get on GitHub (`-1`, `-2` for repeats);
    headings inside fenced code do not count."""
    seen: dict[str, int] = {}
    fenced = False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            continue
        match = re.match(r"#{1,6} (.*)", line)
        if fenced or not match:
            continue
        base = github_anchor(match.group(1))
        seen[base] = seen.get(base, 0) + 1
    return {
        base if count == 0 else f"{base}-{count}"
        for base, total in seen.items()
        for count in range(total)
    }


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m mcp_server.lint.docs", description="Generate references/rules.md."
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="write the file")
    mode.add_argument("--check", action="store_true", help="exit 1 when the file is stale")
    args = parser.parse_args(argv)
    text = render_rules_reference()
    if args.write:
        REFERENCE.parent.mkdir(parents=True, exist_ok=True)
        REFERENCE.write_text(text, encoding="utf-8")
        return 0
    current = REFERENCE.read_text(encoding="utf-8") if REFERENCE.is_file() else None
    if current != text:
        print(f"references/rules.md is stale: run `{REGENERATE}`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
