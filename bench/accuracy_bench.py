#!/usr/bin/env python3
"""Accuracy of `temporal-pro lint` on real public Temporal Python code, rule by rule.

Run: python bench/accuracy_bench.py [--mirrors DIR] [--manifest FILE] [--verbose]

The cases live in bench/accuracy/cases.json; the code they point at is read from git
mirrors of the public repositories (`fetch` puts them in /work/.mirror/owner+name/repo) and
never stored here. Four kinds of files are linted, each in a temporary copy of its
repository's tree, so that calls are followed across modules as in the real project:

* real bugs: a determinism or SDK-misuse mistake that shipped and was later fixed; the
  file is linted at the commit before the fix, and the fixed file at the fix commit is a
  clean case;
* teaching fixtures: code the SDK's own tests use to show a mistake on purpose;
* injected mistakes: one known mistake (datetime.now(), uuid4(), a missing activity
  timeout...) written into the run method of a clean sample workflow at a known line;
* clean files: every workflow-defining file of the clean trees that holds no labelled site,
  plus the fixed files. A clean file counts as a false finding when an ERROR finding lies
  in it or is reached from one of its workflows (warnings do not count).

Recall is found/total per rule and kind: a site is found when a finding of one of its codes
lies on its lines. temporalint (PyPI) is measured the same way through the table of its
codes that have an equivalent here. The script uses only the standard library, prints
numbers, and exits 0 whatever they are; 2 when a tool failed to run.
"""

from __future__ import annotations

import argparse
import ast
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MANIFEST = Path(__file__).resolve().parent / "accuracy" / "cases.json"
DEFAULT_MIRRORS = Path("/work/.mirror")
KINDS = ("real", "teaching", "injected")
KIND_TITLES = {"real": "real bugs", "teaching": "teaching", "injected": "injected"}
TOOL_TIMEOUT_SECONDS = 600

SITE_FIELDS = ("id", "repo", "path", "lines", "contains", "codes", "needs", "description")
REAL_FIELDS = (*SITE_FIELDS, "fix_commit", "buggy_commit", "tree")
TEACHING_FIELDS = (*SITE_FIELDS, "commit", "tree")
MISTAKE_FIELDS = ("code", "module_lines", "statement", "description")
# What a site may need that a per-file checker of workflow classes does not do.
NEEDS = frozenset(
    {"library-roots", "site-packages", "process-global", "is-replaying", "type-inference"}
)

# temporalint's codes and the rules here that cover the same mistake. It has no severities:
# every finding it prints is presented as a problem, so every one counts on clean files.
TEMPORALINT_EQUIVALENTS: dict[str, tuple[str, ...]] = {
    "TPL001": ("TPR401",),  # activity-timeout
    "TPL005": ("TPR404",),  # workflow-defn-shape
    "TPL007": ("TPR402",),  # missing-await
    "TPL008": ("TPR101", "TPR103", "TPR104", "TPR105"),  # nondeterministic-call
    "TPL009": ("TPR602",),  # workflow-logger
}
TEMPORALINT_WITHOUT_EQUIVALENT = {
    "TPL002": "arg-and-args (passing both arg= and args=)",
    "TPL003": "activity-unlimited-retry (off by default)",
    "TPL004": "missing-heartbeat",
    "TPL006": "query-without-return",
    "TPL010": "workflow-exception (raising a non-Temporal exception)",
}
TEMPORALINT_LINE = re.compile(r"^(?P<path>.+?):(?P<row>\d+):(?P<col>\d+): (?P<code>TPL\d{3}) ")
WORKFLOW_DEFN = re.compile(
    r"\bworkflow\.defn\b|from\s+temporalio\.workflow\s+import\s[^\n]*\bdefn\b"
)


class ToolError(Exception):
    """A linter could not be run or its output could not be read."""


# ---------------------------------------------------------------------------
# The manifest
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """One labelled mistake: where it is and which rules should flag it."""

    kind: str
    id: str
    repo: str
    commit: str
    path: str
    start: int
    end: int
    codes: tuple[str, ...]
    needs: tuple[str, ...] = ()
    description: str = ""
    contains: str = ""
    awaiting_rule: str = ""

    @property
    def rule(self) -> str:
        """The row a site is counted under: its first code, or the rule it awaits."""
        return self.codes[0] if self.codes else f"(awaiting) {self.awaiting_rule}"


def load_manifest(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def validate_manifest(manifest: dict[str, Any], rule_codes: Iterable[str]) -> list[str]:
    """Every problem with the manifest's shape, one line each; empty when it is well formed."""
    known = set(rule_codes)
    repos = manifest.get("repos", {})
    problems: list[str] = []
    seen_ids: set[str] = set()

    def check_site(entry: dict[str, Any], fields: Sequence[str], where: str) -> None:
        missing = [name for name in fields if name not in entry]
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
            return
        if entry["id"] in seen_ids:
            problems.append(f"{where}: duplicate id {entry['id']}")
        seen_ids.add(entry["id"])
        if entry["repo"] not in repos:
            problems.append(f"{where}: repo {entry['repo']} is not listed under repos")
        lines = entry["lines"]
        if not (
            isinstance(lines, list)
            and len(lines) == 2
            and all(isinstance(n, int) and n >= 1 for n in lines)
            and lines[0] <= lines[1]
        ):
            problems.append(f"{where}: lines must be [start, end] with 1 <= start <= end")
        if not entry["contains"]:
            problems.append(f"{where}: contains is empty")
        if not entry["description"].strip():
            problems.append(f"{where}: description is empty")
        for code in entry["codes"]:
            if code not in known:
                problems.append(f"{where}: unknown rule code {code}")
        if not entry["codes"] and not entry.get("awaiting_rule"):
            problems.append(f"{where}: no codes and no awaiting_rule")
        for need in entry["needs"]:
            if need not in NEEDS:
                problems.append(f"{where}: unknown need {need}")
        reached_from = entry.get("reached_from", [])
        if not (isinstance(reached_from, list) and all(isinstance(p, str) for p in reached_from)):
            problems.append(f"{where}: reached_from must be a list of paths")
        if "fixed_file_not_clean" in entry and not str(entry["fixed_file_not_clean"]).strip():
            problems.append(f"{where}: fixed_file_not_clean needs a reason")
        for name in ("commit", "fix_commit", "buggy_commit"):
            if name in entry and not re.fullmatch(r"[0-9a-f]{40}", entry[name]):
                problems.append(f"{where}: {name} is not a full commit hash")

    for index, entry in enumerate(manifest.get("real_bugs", [])):
        check_site(entry, REAL_FIELDS, f"real_bugs[{index}]")
    for section in ("teaching", "unfixed"):
        for index, entry in enumerate(manifest.get(section, [])):
            check_site(entry, TEACHING_FIELDS, f"{section}[{index}]")
    for index, tree in enumerate(manifest.get("clean_trees", [])):
        missing = [name for name in ("repo", "commit", "tree") if name not in tree]
        if missing:
            problems.append(f"clean_trees[{index}]: missing {', '.join(missing)}")
        elif tree["repo"] not in repos:
            problems.append(f"clean_trees[{index}]: repo {tree['repo']} is not listed")
    injected = manifest.get("injected")
    if not injected:
        problems.append("injected: missing")
    else:
        for name in ("repo", "commit", "tree", "rounds", "mistakes"):
            if name not in injected:
                problems.append(f"injected: missing {name}")
        for index, mistake in enumerate(injected.get("mistakes", [])):
            missing = [name for name in MISTAKE_FIELDS if name not in mistake]
            if missing:
                problems.append(f"injected.mistakes[{index}]: missing {', '.join(missing)}")
            elif mistake["code"] not in known:
                problems.append(f"injected.mistakes[{index}]: unknown rule code {mistake['code']}")
    return problems


def sites_of(manifest: dict[str, Any]) -> list[Site]:
    """The real-bug and teaching sites; injected sites are made at run time."""
    sites = []
    for entry in manifest.get("real_bugs", []):
        sites.append(_site("real", entry, entry["buggy_commit"]))
    for entry in manifest.get("teaching", []):
        sites.append(_site("teaching", entry, entry["commit"]))
    return sites


def _site(kind: str, entry: dict[str, Any], commit: str) -> Site:
    return Site(
        kind=kind,
        id=entry["id"],
        repo=entry["repo"],
        commit=commit,
        path=entry["path"],
        start=entry["lines"][0],
        end=entry["lines"][1],
        codes=tuple(entry["codes"]),
        needs=tuple(entry.get("needs", ())),
        description=entry.get("description", ""),
        contains=entry.get("contains", ""),
        awaiting_rule=entry.get("awaiting_rule", ""),
    )


# ---------------------------------------------------------------------------
# Injection
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Injection:
    source: str
    line: int  # 1-based line of the injected statement


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    if isinstance(node, ast.Call):
        return _dotted(node.func)
    return ""


def _is_workflow_decorator(node: ast.expr, name: str) -> bool:
    dotted = _dotted(node)
    return dotted == f"workflow.{name}" or dotted.endswith(f".workflow.{name}")


def _run_method(tree: ast.Module) -> ast.AsyncFunctionDef | None:
    """The async @workflow.run method of the first workflow class in the module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(
            _is_workflow_decorator(d, "defn") for d in node.decorator_list
        ):
            for item in node.body:
                if isinstance(item, ast.AsyncFunctionDef) and any(
                    _is_workflow_decorator(d, "run") for d in item.decorator_list
                ):
                    return item
    return None


def _module_insert_index(tree: ast.Module) -> int:
    """0-based line index after `from __future__` imports and the docstring."""
    index = 0
    for position, statement in enumerate(tree.body):
        is_docstring = (
            position == 0
            and isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        )
        is_future = isinstance(statement, ast.ImportFrom) and statement.module == "__future__"
        if is_docstring or is_future:
            index = statement.end_lineno or statement.lineno
        else:
            break
    return index


def _first_line(statement: ast.stmt) -> int:
    decorators = getattr(statement, "decorator_list", [])
    return min([statement.lineno, *(d.lineno for d in decorators)])


def inject(source: str, module_lines: Sequence[str], statement: str) -> Injection | None:
    """Write `statement` as the first statement of the workflow's run method.

    `module_lines` (imports, a module-level list) go after the docstring and `from
    __future__` imports. None when the file has no async @workflow.run method whose body
    starts on its own line, or when the result would not parse.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    lines = source.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    at = _module_insert_index(tree)
    lines[at:at] = [f"{line}{newline}" for line in module_lines]
    shifted = "".join(lines)
    run = _run_method(ast.parse(shifted))
    if run is None:
        return None
    body = run.body
    first = body[0]
    has_docstring = (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    )
    anchor = body[1] if has_docstring and len(body) > 1 else first
    if anchor is first and has_docstring:
        line = (first.end_lineno or first.lineno) + 1  # the docstring is the whole body
        indent = lines[first.lineno - 1][: first.col_offset]
    else:
        line = _first_line(anchor)
        indent = lines[anchor.lineno - 1][: anchor.col_offset]
    if line <= run.lineno or indent.strip():
        return None  # a one-line def, or a body that shares a line with something else
    lines[line - 1 : line - 1] = [f"{indent}{statement}{newline}"]
    result = "".join(lines)
    try:
        ast.parse(result)
    except SyntaxError:
        return None
    return Injection(result, line)


def is_workflow_defining(source: str) -> bool:
    return bool(WORKFLOW_DEFN.search(source))


# ---------------------------------------------------------------------------
# Findings and scores
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    path: str  # relative to the linted tree, with forward slashes
    row: int
    code: str
    severity: str
    origin: str  # the file whose workflow the chain starts in (the finding's own file if none)
    message: str = ""


def temporalint_codes(code: str) -> tuple[str, ...]:
    """Our codes a temporalint code stands for (none for its codes without an equivalent)."""
    return TEMPORALINT_EQUIVALENTS.get(code, ())


def match_site(
    site: Site,
    findings: Iterable[Finding],
    translate: Callable[[str], tuple[str, ...]] | None = None,
) -> Finding | None:
    """The finding that catches the site: one of its codes on its lines.

    A site awaiting a rule is caught by an error finding of any code on its lines (no
    existing rule fires there, so a hit comes from the new one). `translate` maps another
    tool's codes to ours.
    """
    for finding in findings:
        if finding.path != site.path or not site.start <= finding.row <= site.end:
            continue
        codes = translate(finding.code) if translate else (finding.code,)
        if site.codes:
            if set(codes) & set(site.codes):
                return finding
        elif finding.severity == "error" and (translate is None or codes):
            return finding
    return None


@dataclass
class Tally:
    found: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.total += 1
        self.found += int(hit)

    @property
    def recall(self) -> float | None:
        return self.found / self.total if self.total else None

    def cell(self) -> str:
        if not self.total:
            return "-"
        return f"{self.found}/{self.total}"


def score(results: Iterable[tuple[Site, bool]]) -> dict[str, dict[str, Tally]]:
    """found/total per kind and rule; the rule "all" holds each kind's total."""
    table: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    for site, hit in results:
        table[site.kind][site.rule].add(hit)
        table[site.kind]["all"].add(hit)
    return table


def clean_verdicts(
    clean_files: Iterable[str], findings: Iterable[Finding], errors_only: bool = True
) -> dict[str, list[Finding]]:
    """For each clean file, the findings held against it: in it, or reached from it."""
    verdict: dict[str, list[Finding]] = {path: [] for path in clean_files}
    for finding in findings:
        if errors_only and finding.severity != "error":
            continue
        for path in {finding.path, finding.origin}:
            if path in verdict:
                verdict[path].append(finding)
    return verdict


def rate(verdict: dict[str, list[Finding]]) -> tuple[int, int]:
    """(files with a finding, files)."""
    return sum(1 for found in verdict.values() if found), len(verdict)


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


# ---------------------------------------------------------------------------
# Mirrors and trees
# ---------------------------------------------------------------------------


def mirror_of(mirrors: Path, repo: str) -> Path:
    return mirrors / repo.replace("/", "+") / "repo"


def git(gitdir: Path, *args: str, stdin: bytes | None = None) -> bytes:
    proc = subprocess.run(
        ["git", "--git-dir", str(gitdir), *args], input=stdin, capture_output=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args[:2])}: {proc.stderr.decode(errors='replace')}")
    return proc.stdout


def has_commit(gitdir: Path, commit: str) -> bool:
    proc = subprocess.run(
        ["git", "--git-dir", str(gitdir), "cat-file", "-e", f"{commit}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    return proc.returncode == 0


def read_blobs(gitdir: Path, shas: Sequence[str]) -> dict[str, bytes]:
    """Blob contents by id in one `git cat-file --batch`; missing blobs are left out."""
    if not shas:
        return {}
    out = git(gitdir, "cat-file", "--batch", stdin="".join(f"{s}\n" for s in shas).encode())
    blobs: dict[str, bytes] = {}
    position = 0
    while position < len(out):
        header_end = out.index(b"\n", position)
        header = out[position:header_end].split()
        position = header_end + 1
        if len(header) < 3:  # "<sha> missing": a file the snapshot left out
            continue
        size = int(header[2])
        blobs[header[0].decode()] = out[position : position + size]
        position += size + 1
    return blobs


def extract_tree(gitdir: Path, commit: str, paths: Sequence[str], dest: Path) -> list[str]:
    """Write the .py files under `paths` at `commit` into dest, and the repository's top-level
    pyproject.toml (a checkout has it: it declares the project's temporalio); return the .py
    files' paths."""
    spec = [] if "." in paths else ["--", *paths, "pyproject.toml"]
    listing = git(gitdir, "ls-tree", "-r", "-z", commit, *spec).split(b"\0")
    wanted: list[tuple[str, str]] = []
    for entry in listing:
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        mode, kind, sha = meta.split()
        path = name.decode("utf-8", errors="surrogateescape")
        if (
            kind == b"blob"
            and mode != b"120000"
            and (path.endswith(".py") or path == "pyproject.toml")
        ):
            wanted.append((path, sha.decode()))
    blobs = read_blobs(gitdir, [sha for _, sha in wanted])
    written = []
    for path, sha in wanted:
        if sha not in blobs:
            continue
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blobs[sha])
        if path.endswith(".py"):
            written.append(path)
    return written


def lint_paths(root: Path, tree: Sequence[str]) -> list[str]:
    """The command-line paths for a tree: the folders or files that exist in the copy."""
    if "." in tree:
        return ["."]
    return [path for path in tree if (root / path).exists()]


# ---------------------------------------------------------------------------
# The tools
# ---------------------------------------------------------------------------


@dataclass
class Tool:
    name: str
    argv: list[str]
    env: dict[str, str] | None = None


def script_beside_interpreter(name: str) -> Path | None:
    candidate = Path(sys.executable).parent / name
    return candidate if candidate.exists() else None


def find_temporal_pro() -> Tool:
    script = script_beside_interpreter("temporal-pro") or shutil.which("temporal-pro")
    if script:
        return Tool("temporal-pro", [str(script)])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return Tool("temporal-pro", [sys.executable, "-m", "mcp_server"], env)


def find_temporalint() -> Tool | None:
    script = script_beside_interpreter("temporalint") or shutil.which("temporalint")
    return Tool("temporalint", [str(script)]) if script else None


def rule_table(tool: Tool) -> dict[str, dict[str, str]]:
    proc = subprocess.run(
        [*tool.argv, "rules", "--format", "json"],
        capture_output=True,
        text=True,
        env=tool.env,
        check=False,
    )
    if proc.returncode != 0:
        raise ToolError(f"temporal-pro rules failed: {proc.stderr.strip()[:500]}")
    return {rule["code"]: rule for rule in json.loads(proc.stdout)}


def _relative(filename: str, root: Path) -> str:
    path = Path(filename)
    if path.is_absolute():
        path = Path(os.path.relpath(path, root))
    return path.as_posix().removeprefix("./")


def run_temporal_pro(tool: Tool, root: Path, paths: Sequence[str]) -> list[Finding]:
    proc = subprocess.run(
        [*tool.argv, "lint", "--no-cache", "--format", "json", *paths],
        cwd=root,
        capture_output=True,
        text=True,
        env=tool.env,
        timeout=TOOL_TIMEOUT_SECONDS,
        check=False,
    )
    if proc.returncode not in (0, 1):
        raise ToolError(
            f"temporal-pro lint exited {proc.returncode} on {root}: "
            + " | ".join(proc.stderr.strip().splitlines()[:3])
        )
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError as error:
        raise ToolError(f"temporal-pro lint printed no JSON on {root}: {error}") from error
    findings = []
    for item in report["findings"]:
        path = _relative(item["filename"], root)
        chain = item.get("chain") or []
        origin = _relative(chain[0]["filename"], root) if chain else path
        findings.append(
            Finding(
                path,
                item["location"]["row"],
                item["code"],
                item["severity"],
                origin,
                item.get("message", ""),
            )
        )
    return findings


def run_temporalint(tool: Tool, root: Path, paths: Sequence[str]) -> tuple[list[Finding], int]:
    """temporalint's findings, and how many files it could not parse."""
    proc = subprocess.run(
        [*tool.argv, *paths],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_SECONDS,
        check=False,
    )
    errors = [line for line in proc.stderr.splitlines() if line.strip()]
    unparsed = [line for line in errors if ": syntax error:" in line or "codec can't" in line]
    # It exits 2 when a file does not parse; that is a finding about the file, not a failure.
    if proc.returncode not in (0, 1, 2) or (proc.returncode == 2 and len(unparsed) != len(errors)):
        raise ToolError(
            f"temporalint exited {proc.returncode} on {root}: " + " | ".join(errors[:3])
        )
    findings = []
    for line in proc.stdout.splitlines():
        match = TEMPORALINT_LINE.match(line)
        if match:
            path = _relative(match["path"], root)
            code = match["code"]
            findings.append(Finding(path, int(match["row"]), code, "error", path, line))
    return findings, len(unparsed)


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------


@dataclass
class TreeRun:
    """One copy of one repository at one commit, linted by each tool."""

    repo: str
    commit: str
    tree: tuple[str, ...]
    root: Path
    files: list[str]
    ours: list[Finding] = field(default_factory=list)
    theirs: list[Finding] = field(default_factory=list)
    unparsed_by_temporalint: int = 0


@dataclass
class Corpus:
    """What a run collected: labelled sites, clean files, and the files left out of both."""

    sites: list[tuple[Site, TreeRun]] = field(default_factory=list)
    unfixed: list[tuple[Site, TreeRun]] = field(default_factory=list)
    clean: list[tuple[TreeRun, str]] = field(default_factory=list)
    clean_trees: list[TreeRun] = field(default_factory=list)
    # Files of a tree that hold labelled mistakes (or reach one), so they are not clean.
    left_out: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    not_clean_fixes: list[str] = field(default_factory=list)


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.manifest = load_manifest(args.manifest)
        self.mirrors: Path = args.mirrors
        self.work = Path(tempfile.mkdtemp(prefix="accuracy-bench-"))
        self.trees: dict[tuple[str, str, tuple[str, ...]], TreeRun] = {}
        self.missing_repos: dict[str, str] = {}
        self.label_errors: list[str] = []
        self.seconds: dict[str, float] = defaultdict(float)
        self.runs: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()
        self.ours = find_temporal_pro()
        self.theirs = None if args.no_temporalint else find_temporalint()

    def close(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)

    def available(self, repo: str, commit: str) -> bool:
        gitdir = mirror_of(self.mirrors, repo)
        if not gitdir.is_dir():
            self.missing_repos[repo] = f"no mirror at {gitdir}"
            return False
        if not has_commit(gitdir, commit):
            self.missing_repos[repo] = f"the mirror lacks commit {commit[:12]}"
            return False
        return True

    def tree(self, repo: str, commit: str, tree: Sequence[str]) -> TreeRun:
        key = (repo, commit, tuple(tree))
        if key not in self.trees:
            root = self.work / f"t{len(self.trees)}"
            root.mkdir()
            files = extract_tree(mirror_of(self.mirrors, repo), commit, tree, root)
            self.trees[key] = TreeRun(repo, commit, tuple(tree), root, files)
        return self.trees[key]

    def lint(self, runs: Iterable[TreeRun]) -> None:
        """Lint each tree with each tool, a few subprocesses at a time."""
        jobs: list[Callable[[], None]] = []
        for run_ in runs:
            jobs.append(functools.partial(self._lint_ours, run_))
            if self.theirs:
                jobs.append(functools.partial(self._lint_theirs, run_, self.theirs))
        with ThreadPoolExecutor(max_workers=self.args.jobs) as pool:
            for done in [pool.submit(job) for job in jobs]:
                done.result()  # re-raises a ToolError from the job

    def _lint_ours(self, run_: TreeRun) -> None:
        started = time.monotonic()
        run_.ours = run_temporal_pro(self.ours, run_.root, lint_paths(run_.root, run_.tree))
        self._count("temporal-pro", time.monotonic() - started)

    def _lint_theirs(self, run_: TreeRun, tool: Tool) -> None:
        started = time.monotonic()
        paths = lint_paths(run_.root, run_.tree)
        run_.theirs, run_.unparsed_by_temporalint = run_temporalint(tool, run_.root, paths)
        self._count("temporalint", time.monotonic() - started)

    def _count(self, tool: str, seconds: float) -> None:
        with self.lock:
            self.seconds[tool] += seconds
            self.runs[tool] += 1

    def check_label(self, site: Site, run: TreeRun) -> bool:
        path = run.root / site.path
        if not path.exists():
            self.label_errors.append(f"{site.id}: {site.path} is not in {site.commit[:12]}")
            return False
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        text = "\n".join(lines[site.start - 1 : site.end])
        if site.contains not in text:
            self.label_errors.append(
                f"{site.id}: {site.path}:{site.start}-{site.end} does not contain {site.contains!r}"
            )
            return False
        return True

    def collect(self) -> Corpus:
        """Extract every tree the manifest names and sort its files into the kinds."""
        manifest = self.manifest
        corpus = Corpus()
        fixed: list[tuple[TreeRun, str]] = []
        for entry in manifest["real_bugs"]:
            site = _site("real", entry, entry["buggy_commit"])
            if not (
                self.available(site.repo, entry["buggy_commit"])
                and self.available(site.repo, entry["fix_commit"])
            ):
                continue
            buggy = self.tree(site.repo, entry["buggy_commit"], entry["tree"])
            if self.check_label(site, buggy):
                corpus.sites.append((site, buggy))
            after = self.tree(site.repo, entry["fix_commit"], entry["tree"])
            if entry.get("fixed_file_not_clean"):
                corpus.not_clean_fixes.append(f"{site.id}: {entry['fixed_file_not_clean']}")
            elif site.path in after.files and (after, site.path) not in fixed:
                fixed.append((after, site.path))
        for section, kind in (("teaching", "teaching"), ("unfixed", "unfixed")):
            for entry in manifest.get(section, []):
                site = _site(kind, entry, entry["commit"])
                if not self.available(site.repo, site.commit):
                    continue
                run_ = self.tree(site.repo, site.commit, entry["tree"])
                corpus.left_out[id(run_)].update([site.path, *entry.get("reached_from", [])])
                if self.check_label(site, run_):
                    (corpus.sites if kind == "teaching" else corpus.unfixed).append((site, run_))
        for spec in manifest["clean_trees"]:
            if not self.available(spec["repo"], spec["commit"]):
                continue
            run_ = self.tree(spec["repo"], spec["commit"], spec["tree"])
            corpus.clean_trees.append(run_)
            for path in sorted(run_.files):
                if path in corpus.left_out[id(run_)]:
                    continue
                source = (run_.root / path).read_text(encoding="utf-8", errors="replace")
                if is_workflow_defining(source):
                    corpus.clean.append((run_, path))
        corpus.clean.extend(fixed)
        return corpus


def injection_sites(
    bench: Bench, base: TreeRun, mistakes: list[dict[str, Any]], rounds: int, skip: set[str]
) -> list[tuple[Site, TreeRun]]:
    """Copies of the clean sample tree, each workflow file with one injected mistake per round.

    Round r gives the i-th target file mistake (i + r) mod n, so each round puts a
    different mistake in every file.
    """
    targets = []
    for path in sorted(base.files):
        if path in skip:
            continue
        source = (base.root / path).read_text(encoding="utf-8", errors="replace")
        if is_workflow_defining(source) and inject(source, [], "pass") is not None:
            targets.append(path)
    made: list[tuple[Site, TreeRun]] = []
    copies = []
    for round_index in range(rounds):
        root = bench.work / f"injected{round_index}"
        shutil.copytree(base.root, root)
        run_ = TreeRun(base.repo, base.commit, base.tree, root, list(base.files))
        for index, path in enumerate(targets):
            mistake = mistakes[(index + round_index) % len(mistakes)]
            source = (root / path).read_text(encoding="utf-8", errors="replace")
            result = inject(source, mistake["module_lines"], mistake["statement"])
            if result is None:
                continue
            (root / path).write_text(result.source, encoding="utf-8")
            site = Site(
                kind="injected",
                id=f"{path}#{mistake['code']}",
                repo=base.repo,
                commit=base.commit,
                path=path,
                start=result.line,
                end=result.line,
                codes=(mistake["code"],),
                description=mistake["description"],
            )
            made.append((site, run_))
        copies.append(run_)
    bench.lint(copies)
    return made


# ---------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------


def print_recall_table(
    title: str, results: list[tuple[Site, bool]], names: dict[str, dict[str, str]]
) -> None:
    table = score(results)
    rules = sorted({site.rule for site, _ in results})
    print(f"\n{title}")
    print(f"  {'rule':<44} " + " ".join(f"{KIND_TITLES[k]:>12}" for k in KINDS))
    for rule in [*rules, "all"]:
        label = rule if rule == "all" else f"{rule} {names.get(rule, {}).get('name', '')}"
        cells = [table[kind][rule].cell() if rule in table.get(kind, {}) else "-" for kind in KINDS]
        print(f"  {label[:44]:<44} " + " ".join(f"{cell:>12}" for cell in cells))
    recalls = []
    for kind in KINDS:
        tally = table.get(kind, {}).get("all")
        recalls.append(f"{tally.recall:.2f}" if tally and tally.recall is not None else "-")
    print(f"  {'recall':<44} " + " ".join(f"{value:>12}" for value in recalls))


def print_sites(sites: list[tuple[Site, TreeRun]], verbose: bool) -> None:
    labelled = [(s, r) for s, r in sites if s.kind != "injected"]
    if verbose:
        print("\nReal and teaching sites:")
        for site, run_ in labelled:
            hit = match_site(site, run_.ours)
            state = f"found {hit.code}" if hit else "MISSED"
            print(f"  {site.kind:8} {state:12} {site.id:38} {site.path}:{site.start}")
    misses = [(s, r) for s, r in labelled if not match_site(s, r.ours)]
    if misses:
        print("\nMissed real and teaching sites, and what the linter would need to see them:")
        for site, run_ in misses:
            near = [f for f in run_.ours if f.path == site.path and site.start <= f.row <= site.end]
            extra = f" (on those lines: {', '.join(f.code for f in near)})" if near else ""
            needs = ", ".join(site.needs) or "a rule gap"
            print(f"  {site.kind:8} {site.id:38} {site.rule:7} needs {needs}{extra}")
            if verbose:
                print(f"      {site.repo}@{site.commit[:10]} {site.path}:{site.start}")
                print(f"      {site.description}")
    injected_misses = [s for s, r in sites if s.kind == "injected" and not match_site(s, r.ours)]
    if injected_misses and verbose:
        print("\nMissed injected mistakes:")
        for site in injected_misses:
            print(f"  {site.path}:{site.start} {site.rule} ({site.description})")


def print_temporalint(sites: list[tuple[Site, TreeRun]], names: dict[str, dict[str, str]]) -> None:
    equivalent = {code for codes in TEMPORALINT_EQUIVALENTS.values() for code in codes}
    comparable = [(s, r) for s, r in sites if set(s.codes) & equivalent]
    print_recall_table(
        "temporalint on the sites its rules cover (found/total)",
        [(s, match_site(s, r.theirs, temporalint_codes) is not None) for s, r in comparable],
        names,
    )
    print_recall_table(
        "temporal-pro on those same sites",
        [(s, match_site(s, r.ours) is not None) for s, r in comparable],
        names,
    )
    print("  temporalint over every site of a kind (sites it has no rule for count as missed):")
    for kind in KINDS:
        of_kind = [(s, r) for s, r in sites if s.kind == kind]
        found = sum(1 for s, r in of_kind if match_site(s, r.theirs, temporalint_codes))
        if of_kind:
            print(
                f"    {KIND_TITLES[kind]:<10} {found}/{len(of_kind)} ({found / len(of_kind):.2f})"
            )
    print("  temporalint codes and ours:")
    for code, ours in TEMPORALINT_EQUIVALENTS.items():
        print(f"    {code} -> {', '.join(ours)}")
    for code, what in TEMPORALINT_WITHOUT_EQUIVALENT.items():
        print(f"    {code} -> no equivalent: {what}")
    print(
        f"    ours without a temporalint equivalent: {', '.join(sorted(set(names) - equivalent))}"
    )


def print_clean(bench: Bench, corpus: Corpus) -> None:
    verbose = bench.args.verbose
    by_run: dict[int, list[str]] = defaultdict(list)
    runs: dict[int, TreeRun] = {}
    for run_, path in corpus.clean:
        by_run[id(run_)].append(path)
        runs[id(run_)] = run_
    ours_flagged: list[tuple[TreeRun, str, list[Finding]]] = []
    theirs_flagged: list[tuple[TreeRun, str, list[Finding]]] = []
    theirs_error_equivalent = 0
    for key, paths in by_run.items():
        run_ = runs[key]
        verdict = clean_verdicts(paths, run_.ours)
        ours_flagged += [(run_, p, found) for p, found in verdict.items() if found]
        if bench.theirs:
            theirs = clean_verdicts(paths, run_.theirs)
            theirs_flagged += [(run_, p, found) for p, found in theirs.items() if found]
            theirs_error_equivalent += sum(
                1
                for found in theirs.values()
                if any(set(temporalint_codes(f.code)) - {"TPR602"} for f in found)
            )
    total = len(corpus.clean)
    print(f"\nFalse findings on clean files ({total}: workflow-defining files and fixed files)")
    print(
        f"  temporal-pro: {len(ours_flagged)}/{total} ({percent(len(ours_flagged), total)}) "
        "have an error finding in them or reached from their workflows"
    )
    by_code: dict[str, int] = defaultdict(int)
    for _, _, found in ours_flagged:
        for finding in found:
            by_code[finding.code] += 1
    if by_code:
        counts = ", ".join(f"{code} {count}" for code, count in sorted(by_code.items()))
        print(f"    their error findings by rule: {counts}")
    if bench.theirs:
        print(
            f"  temporalint:  {len(theirs_flagged)}/{total} ({percent(len(theirs_flagged), total)})"
            f" have a finding; {theirs_error_equivalent} "
            f"({percent(theirs_error_equivalent, total)}) counting only its codes whose "
            "equivalent here is an error"
        )
        unparsed = sum(run_.unparsed_by_temporalint for run_ in bench.trees.values())
        if unparsed:
            print(f"    temporalint could not parse {unparsed} files of the linted trees")
    if corpus.not_clean_fixes:
        print(f"  fixed files not counted as clean: {len(corpus.not_clean_fixes)}")
    if verbose:
        for run_, path, found in ours_flagged:
            print(f"  {run_.repo}@{run_.commit[:10]} {path}")
            for finding in found:
                print(f"      {finding.code} {finding.path}:{finding.row} {finding.message[:100]}")
        if bench.theirs:
            print("  temporalint on clean files:")
            for run_, path, found in theirs_flagged:
                codes = ", ".join(sorted({f.code for f in found}))
                print(f"    {run_.repo}@{run_.commit[:10]} {path}: {codes}")
        for reason in corpus.not_clean_fixes:
            print(f"  fixed file not clean: {reason}")
    print_left_out(corpus, verbose)


def print_left_out(corpus: Corpus, verbose: bool) -> None:
    """Error findings the rate does not see: in left-out files off their labelled lines, and
    in library files that no clean workflow reaches."""
    on_labels = {
        (id(run_), site.path, row)
        for site, run_ in corpus.sites + corpus.unfixed
        for row in range(site.start, site.end + 1)
    }
    clean_paths = {(id(run_), path) for run_, path in corpus.clean}
    in_left_out: list[tuple[TreeRun, Finding]] = []
    elsewhere: list[tuple[TreeRun, Finding]] = []
    for run_ in corpus.clean_trees:
        left_out = corpus.left_out.get(id(run_), set())
        for f in run_.ours:
            if f.severity != "error" or (id(run_), f.path, f.row) in on_labels:
                continue
            if {(id(run_), f.path), (id(run_), f.origin)} & clean_paths:
                continue
            if {f.path, f.origin} & left_out:
                in_left_out.append((run_, f))
            else:
                elsewhere.append((run_, f))
    print(
        f"  not in the rate: {len(in_left_out)} error findings off the labelled lines of files "
        f"left out as teaching or unfixed; {len(elsewhere)} in library files no clean "
        "workflow reaches"
    )
    if verbose:
        for title, items in (("left-out files", in_left_out), ("library files", elsewhere)):
            if items:
                print(f"  {title}:")
            for run_, f in items:
                print(f"    {run_.repo} {f.path}:{f.row} {f.code} {f.message[:90]}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS, help="git mirrors")
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--verbose", action="store_true", help="list files, sites and findings")
    parser.add_argument("--no-temporalint", action="store_true", help="skip the comparison")
    parser.add_argument("--keep", action="store_true", help="keep the copies of the trees")
    parser.add_argument(
        "--jobs", type=int, default=max(2, os.cpu_count() or 1), help="tool runs at a time"
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    bench = Bench(args)
    try:
        return run(bench, started)
    except ToolError as error:
        print(f"accuracy_bench: a tool failed: {error}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"copies kept in {bench.work}")
        else:
            bench.close()


def run(bench: Bench, started: float) -> int:
    manifest = bench.manifest
    names = rule_table(bench.ours)
    print("Accuracy of temporal-pro lint on real public Temporal Python code")
    print(f"  manifest: {bench.args.manifest}")
    print(f"  mirrors:  {bench.mirrors}")
    print(f"  temporal-pro: {' '.join(bench.ours.argv)}")
    if bench.theirs:
        print(f"  temporalint:  {' '.join(bench.theirs.argv)}")
    else:
        print("  temporalint:  skipped (not found beside this interpreter or on PATH)")
    for problem in validate_manifest(manifest, names):
        print(f"  MANIFEST PROBLEM: {problem}")

    corpus = bench.collect()
    bench.lint(bench.trees.values())
    spec = manifest["injected"]
    if bench.available(spec["repo"], spec["commit"]):
        base = bench.tree(spec["repo"], spec["commit"], spec["tree"])
        skip = corpus.left_out.get(id(base), set())
        corpus.sites += injection_sites(bench, base, spec["mistakes"], int(spec["rounds"]), skip)

    if bench.missing_repos:
        print("\nMISSING CORPUS: the cases of these repositories were skipped (not a pass).")
        print("Fetch them (the `fetch` tool, github:OWNER/NAME) into the mirrors folder:")
        for repo, why in sorted(bench.missing_repos.items()):
            print(f"  github:{repo}  ({why})")
        skipped = {
            section: sum(1 for e in manifest.get(section, []) if e["repo"] in bench.missing_repos)
            for section in ("real_bugs", "teaching", "unfixed")
        }
        clean_skipped = sum(
            1 for spec in manifest["clean_trees"] if spec["repo"] in bench.missing_repos
        )
        injected_skipped = manifest["injected"]["repo"] in bench.missing_repos
        print(
            f"  skipped: {skipped['real_bugs']} real-bug sites, {skipped['teaching']} teaching "
            f"sites, {skipped['unfixed']} unfixed sites, {clean_skipped} clean trees"
            + (", all injected mistakes" if injected_skipped else "")
        )
    for error in bench.label_errors:
        print(f"  LABEL MISMATCH, skipped: {error}")

    print_recall_table(
        "Recall of temporal-pro (found/total; a site is found by a finding of its rule on its "
        "lines)",
        [(s, match_site(s, r.ours) is not None) for s, r in corpus.sites],
        names,
    )
    print_sites(corpus.sites, bench.args.verbose)
    if bench.theirs:
        print_temporalint(corpus.sites, names)
    if corpus.unfixed:
        found = [(s, match_site(s, r.ours)) for s, r in corpus.unfixed]
        print(
            f"\nUnfixed mistakes in the clean trees (their files are left out of the clean set): "
            f"{sum(1 for _, hit in found if hit)}/{len(found)} found"
        )
        if bench.args.verbose:
            for site, hit in found:
                state = f"found {hit.code}" if hit else "MISSED"
                print(f"  {state:12} {site.id:30} {site.path}:{site.start}")
    print_clean(bench, corpus)
    timing = ", ".join(
        f"{tool} {bench.seconds[tool]:.1f}s over {bench.runs[tool]} trees" for tool in bench.seconds
    )
    timing += f" ({bench.args.jobs} runs at a time)"
    print(f"\nTime: {time.monotonic() - started:.1f}s in all; {timing}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
