"""The knowledge pack tests itself: skill/SKILL.md and references/*.md.

Every ```python block compiles. Flags in the fence's info string say what else it must do:
`lint=clean` (the linter reports nothing), `lint=TPR101,TPR401` (exactly these rules), `run` (a
program that must exit 0 against the real Temporal servers installed from PyPI), `test` (a pytest
file that must pass). Every temporalio name the text or the code uses must exist in the installed
SDK, except in a section whose heading says "Corrections". Relative links resolve. SKILL.md passes
the Agent Skills validator and stays under 500 lines. references/rules.md is generated from the
rules and tested by tests/test_rule_docs.py, so it is left out here.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from mcp_server.lint.docs import heading_anchors
from mcp_server.lint.engine import LintOptions, lint_source

ROOT = Path(__file__).resolve().parents[1]
BOOTSTRAP = Path(__file__).with_name("pack_bootstrap.py")
SKILL = ROOT / "skill" / "SKILL.md"
DOCUMENTS = sorted(
    [SKILL, *(p for p in (ROOT / "references").glob("*.md") if p.name != "rules.md")]
    if SKILL.exists()
    else (p for p in (ROOT / "references").glob("*.md") if p.name != "rules.md")
)
RUN_TIMEOUT = 120

# Shorthand class names the text uses, and the module each comes from.
SHORTHAND = {
    "Worker": "temporalio.worker.Worker",
    "Client": "temporalio.client.Client",
    "Replayer": "temporalio.worker.Replayer",
    "WorkflowEnvironment": "temporalio.testing.WorkflowEnvironment",
    "ActivityEnvironment": "temporalio.testing.ActivityEnvironment",
    "RetryPolicy": "temporalio.common.RetryPolicy",
    "ApplicationError": "temporalio.exceptions.ApplicationError",
    "workflow": "temporalio.workflow",
    "activity": "temporalio.activity",
}
NAME = re.compile(r"\b(temporalio(?:\.\w+)+|(?:" + "|".join(SHORTHAND) + r")(?:\.\w+)+)")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    flags: dict[str, str]
    code: str
    in_corrections: bool

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


@dataclass(frozen=True)
class InlineName:
    path: Path
    line: int
    name: str


def _parse(path: Path) -> tuple[list[Block], list[InlineName], list[tuple[int, str]]]:
    """Python blocks, temporalio names in inline code, and (line, target) of relative links."""
    tokens = MarkdownIt("commonmark").enable("table").parse(path.read_text(encoding="utf-8"))
    blocks, names, links = [], [], []
    corrections = False
    heading_level = 0
    for index, token in enumerate(tokens):
        line = (token.map[0] + 1) if token.map else 0
        if token.type == "heading_open":
            level = int(token.tag[1])
            title = tokens[index + 1].content
            if corrections and level <= heading_level:
                corrections = False
            if "correction" in title.lower():
                corrections, heading_level = True, level
        if token.type == "fence":
            words = token.info.split()
            if words and words[0] == "python":
                flags = dict(w.partition("=")[::2] for w in words[1:])
                blocks.append(Block(path, line, flags, token.content, corrections))
        if token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "code_inline" and not corrections:
                    names += [InlineName(path, line, m) for m in NAME.findall(child.content)]
                if child.type == "link_open":
                    href = str(child.attrs.get("href", ""))
                    if not re.match(r"^[a-z]+:", href):
                        links.append((line, href))
    return blocks, names, links


PARSED = {path: _parse(path) for path in DOCUMENTS}
BLOCKS = [block for blocks, _, _ in PARSED.values() for block in blocks]


def _blocks(*, flag: str | None = None) -> list[pytest.ParameterSet]:
    chosen = [b for b in BLOCKS if flag is None or flag in b.flags]
    return [pytest.param(b, id=b.id) for b in chosen]


# --- every block -----------------------------------------------------------------------------------
@pytest.mark.parametrize("block", _blocks())
def test_block_compiles(block: Block) -> None:
    compile(block.code, block.id, "exec")


@pytest.mark.parametrize("block", _blocks())
def test_block_lints_as_marked(block: Block) -> None:
    codes = {f.code for f in lint_source(block.code, "block.py", LintOptions(jobs=1)).findings}
    wanted = block.flags.get("lint")
    if wanted == "clean":
        assert codes == set(), f"a block marked lint=clean has findings: {sorted(codes)}"
    elif wanted:
        assert codes == set(wanted.split(",")), f"expected exactly {wanted}, got {sorted(codes)}"
    elif not block.in_corrections:
        assert "TPR411" not in codes, "the block names a temporalio API that does not exist"


def test_every_document_has_tested_examples() -> None:
    for path, (blocks, _, _) in PARSED.items():
        if path == SKILL:
            continue
        assert any("lint" in b.flags or "run" in b.flags or "test" in b.flags for b in blocks), (
            f"{path.name} has no block that is linted, run or tested"
        )


# --- names in the text ------------------------------------------------------------------------------
def _resolves(dotted: str) -> bool:
    head, _, rest = dotted.partition(".")
    qualified = SHORTHAND.get(head, head) + (f".{rest}" if rest else "")
    parts = qualified.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            if not hasattr(target, attribute):
                return _is_instance_field(target, attribute)
            target = getattr(target, attribute)
        return True
    return False


def _is_instance_field(owner: object, attribute: str) -> bool:
    """Dataclass fields without defaults are not class attributes, but they exist."""
    import dataclasses

    return dataclasses.is_dataclass(owner) and attribute in {
        f.name for f in dataclasses.fields(owner)
    }


INLINE = [
    pytest.param(n, id=f"{n.path.relative_to(ROOT)}:{n.line}:{n.name}")
    for _, names, _ in PARSED.values()
    for n in names
]


@pytest.mark.parametrize("name", INLINE)
def test_every_temporalio_name_in_the_text_exists(name: InlineName) -> None:
    assert _resolves(name.name), f"{name.name} does not exist in the installed temporalio"


def test_the_name_check_can_fail() -> None:
    assert _resolves("workflow.uuid4") and _resolves("Worker.run")
    assert not _resolves("workflow.get_version") and not _resolves("Worker.run_until")


# --- links --------------------------------------------------------------------------------------------
def _anchors(path: Path) -> set[str]:
    return heading_anchors(path.read_text(encoding="utf-8"))


LINKS = [
    pytest.param(path, line, href, id=f"{path.relative_to(ROOT)}:{line}:{href}")
    for path, (_, _, links) in PARSED.items()
    for line, href in links
]


@pytest.mark.parametrize(("path", "line", "href"), LINKS)
def test_relative_link_resolves(path: Path, line: int, href: str) -> None:
    target, _, anchor = href.partition("#")
    file = (path.parent / target).resolve() if target else path
    assert file.exists(), f"{href}: no such file"
    if anchor and file.suffix == ".md":
        assert anchor in _anchors(file), f"{href}: no heading with that anchor in {file.name}"


# --- running the examples ---------------------------------------------------------------------------
def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(BOOTSTRAP.parent), env.get("PYTHONPATH", "")])
    return env


@pytest.mark.parametrize("block", _blocks(flag="run"))
def test_run_block_runs(block: Block, tmp_path: Path) -> None:
    (tmp_path / "block.py").write_text(block.code)
    done = subprocess.run(
        [sys.executable, str(BOOTSTRAP), "block.py"],
        cwd=tmp_path, env=_environment(), capture_output=True, text=True, timeout=RUN_TIMEOUT,
    )  # fmt: skip
    assert done.returncode == 0, f"{block.id} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


@pytest.mark.parametrize("block", _blocks(flag="test"))
def test_test_block_passes(block: Block, tmp_path: Path) -> None:
    (tmp_path / "test_block.py").write_text(block.code)
    (tmp_path / "conftest.py").write_text(
        "import pack_bootstrap\n"
        "from pack_bootstrap import pytest_sessionfinish, pytest_unconfigure  # noqa: F401\n"
        "\npack_bootstrap.patch()\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_block.py"],
        cwd=tmp_path, env=_environment(), capture_output=True, text=True, timeout=RUN_TIMEOUT,
    )  # fmt: skip
    assert done.returncode == 0, f"{block.id} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


# --- SKILL.md --------------------------------------------------------------------------------------------
def _frontmatter() -> dict[str, str]:
    text = SKILL.read_text(encoding="utf-8")
    assert text.startswith("---\n"), "SKILL.md must start with YAML frontmatter"
    header = text.split("---\n", 2)[1]
    fields: dict[str, str] = {}
    for line in header.splitlines():
        if line and not line.startswith(" "):
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
    return fields


def test_skill_frontmatter_holds_only_the_specs_keys() -> None:
    fields = _frontmatter()
    assert fields["name"] == "temporal-python-pro"
    assert set(fields) <= {"name", "description", "license", "compatibility", "metadata"}
    description = fields["description"]
    assert 0 < len(description) <= 1024 and "<" not in description and ">" not in description


def test_skill_stays_under_500_lines() -> None:
    assert len(SKILL.read_text(encoding="utf-8").splitlines()) < 500


def test_installed_skill_passes_the_agent_skills_validator(tmp_path: Path) -> None:
    # The validator wants the folder named after the skill: check the folder users install.
    from mcp_server.pack import install_skill

    folder = install_skill(tmp_path).path
    validator = shutil.which("agentskills") or str(Path(sys.executable).parent / "agentskills")
    done = subprocess.run(
        [validator, "validate", str(folder)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in DOCUMENTS])
def test_long_documents_open_with_a_table_of_contents(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    if len(lines) <= 300:
        return
    opening = "\n".join(lines[:60])
    anchors = re.findall(r"\]\(#([\w-]+)\)", opening)
    assert len(anchors) >= 3, f"{path.name} has {len(lines)} lines and no table of contents"
    assert set(anchors) <= _anchors(path), "a table-of-contents link points at no heading"
