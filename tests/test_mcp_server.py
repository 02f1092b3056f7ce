"""The MCP server in-process, as a client sees it: every tool, resource and prompt with real input
and an asserted answer, and bad calls that come back as tool errors while the server goes on."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from mcp_server.lint.rules import RULES
from mcp_server.pack import list_topics
from mcp_server.server.app import build_server
from mcp_server.server.settings import Limits, Roots, ServerSettings

pytestmark = pytest.mark.anyio

TOOLS = {
    "lint_workflow_code",
    "list_lint_rules",
    "explain_lint_rule",
    "search_references",
    "read_reference",
    "replay_history",
    "explain_timeout",
    "score_workflow_code",
    "scaffold_saga",
}

BAD = """\
import time

from temporalio import workflow


@workflow.defn
class Orders:
    @workflow.run
    async def run(self) -> float:
        return time.time()
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "app" / "workflows.py").write_text(BAD)
    (tmp_path / "secret.py").write_text(BAD)  # beside the root, never readable
    (root / "app" / "escape.py").symlink_to(tmp_path / "secret.py")
    return root


def settings(root: Path, **limits: object) -> ServerSettings:
    return ServerSettings(Roots.of([str(root)]), Limits(**limits))  # type: ignore[arg-type]


# Both protocol paths: the stateless 2026 revision and the initialize handshake IDEs speak.
@pytest.fixture(params=["auto", "legacy"])
async def client(request: pytest.FixtureRequest, project: Path):  # type: ignore[no-untyped-def]
    async with Client(build_server(settings(project)), mode=request.param) as connected:
        yield connected


async def test_every_tool_is_listed_with_truthful_annotations_and_an_output_schema(
    client: Client,
) -> None:
    tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.description and tool.output_schema, tool.name
        assert tool.annotations is not None
        # Only scaffold_saga writes, and only when asked to (write_to).
        writes = tool.name == "scaffold_saga"
        assert tool.annotations.read_only_hint is not writes, tool.name
        assert tool.annotations.idempotent_hint, tool.name
        assert tool.annotations.destructive_hint is False
    # No server was given: nothing reaches the network.
    assert not any(tool.annotations.open_world_hint for tool in tools.values())  # type: ignore[union-attr]


async def test_lint_source_returns_findings_with_chains_rule_links_and_the_fixed_source(
    client: Client,
) -> None:
    result = await client.call_tool(
        "lint_workflow_code", {"source": BAD, "filename": "app/new.py", "fix": "fixed_source"}
    )
    assert not result.is_error
    answer = result.structured_content
    assert answer is not None
    [finding] = answer["findings"]
    assert (finding["code"], finding["location"]) == ("TPR101", {"row": 10, "column": 16})
    assert [hop["function"] for hop in finding["chain"]] == ["Orders.run", "time.time"]
    assert answer["rules"]["TPR101"]["uri"] == "temporal-python-pro://rules/TPR101"
    assert answer["fixed"] == 1 and "return workflow.time()" in answer["fixed_source"]
    assert "import time" not in answer["fixed_source"]


async def test_lint_paths_reports_files_and_a_diff_without_writing(
    client: Client, project: Path
) -> None:
    result = await client.call_tool(
        "lint_workflow_code", {"paths": ["app/workflows.py"], "fix": "diff"}
    )
    answer = result.structured_content
    assert not result.is_error and answer is not None
    assert answer["summary"] == {"files": 1, "findings": 1}
    assert answer["findings"][0]["filename"] == str(project / "app" / "workflows.py")
    assert "+        return workflow.time()" in answer["diff"]
    assert (project / "app" / "workflows.py").read_text() == BAD


async def test_select_and_ignore_choose_the_rules(client: Client) -> None:
    ignored = await client.call_tool("lint_workflow_code", {"source": BAD, "ignore": ["TPR1"]})
    assert ignored.structured_content is not None
    assert ignored.structured_content["findings"] == []
    wrong = await client.call_tool("lint_workflow_code", {"source": BAD, "select": ["TPR999"]})
    assert wrong.is_error and "unknown rule code or name: TPR999" in wrong.content[0].text  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({}, "give source (one module's text) or paths"),
        ({"source": BAD, "paths": ["app"]}, "give source (one module's text) or paths"),
        ({"paths": ["../secret.py"]}, "../secret.py: outside the folders this server may read"),
        ({"paths": ["app/escape.py"]}, "app/escape.py: outside the folders"),
        ({"paths": ["/etc/passwd"]}, "/etc/passwd: outside the folders"),
        ({"source": BAD, "filename": "../elsewhere.py"}, "filename ../elsewhere.py: outside"),
        ({"paths": ["app/nope.py"]}, "nope.py: no such file or directory"),
        ({"paths": []}, "paths is empty: give at least one file or folder"),
        ({"source": 42}, "validation error"),
        ({"paths": ["app"], "fix": "fixed_source"}, "fix='fixed_source' needs source"),
        ({"source": BAD, "fix": "everything"}, "validation error"),
    ],
)
async def test_a_bad_lint_call_is_a_one_line_tool_error_and_the_server_goes_on(
    client: Client, arguments: dict[str, object], problem: str
) -> None:
    result = await client.call_tool("lint_workflow_code", arguments)
    assert result.is_error
    text = result.content[0].text  # type: ignore[union-attr]
    assert problem in text, text
    after = await client.call_tool("lint_workflow_code", {"source": BAD})
    assert not after.is_error


async def test_limits_on_source_files_and_answers_are_tool_errors(project: Path) -> None:
    for limits, arguments, problem in (
        ({"source_bytes": 100}, {"source": BAD}, "over this server's limit of 100"),
        ({"files": 1}, {"paths": ["."]}, "more than 1 Python files"),
        ({"output_bytes": 300}, {"source": BAD}, "over this server's limit of 300"),
    ):
        async with Client(build_server(settings(project, **limits))) as client:
            result = await client.call_tool("lint_workflow_code", arguments)
            assert result.is_error and problem in result.content[0].text  # type: ignore[union-attr]


async def test_imports_are_not_followed_outside_the_roots(tmp_path: Path) -> None:
    # The package root sits above the server's folder: its sibling module must not be read.
    (tmp_path / "pkg" / "inner").mkdir(parents=True)
    for folder in (tmp_path / "pkg", tmp_path / "pkg" / "inner"):
        (folder / "__init__.py").write_text("")
    (tmp_path / "pkg" / "clock.py").write_text(
        "import time\n\ndef now():\n    return time.time()\n"
    )
    flow = BAD.replace("import time\n", "from pkg.clock import now\n").replace(
        "time.time()", "now()"
    )
    (tmp_path / "pkg" / "inner" / "flow.py").write_text(flow)
    async with Client(build_server(settings(tmp_path / "pkg" / "inner"))) as client:
        confined = await client.call_tool("lint_workflow_code", {"paths": ["flow.py"]})
    async with Client(build_server(settings(tmp_path))) as client:
        wide = await client.call_tool("lint_workflow_code", {"paths": ["pkg/inner/flow.py"]})
    assert confined.structured_content is not None and wide.structured_content is not None
    assert confined.structured_content["findings"] == []
    assert [f["code"] for f in wide.structured_content["findings"]] == ["TPR101"]


async def test_rules_are_listed_and_explained(client: Client) -> None:
    listed = await client.call_tool("list_lint_rules", {})
    assert listed.structured_content is not None
    assert [rule["code"] for rule in listed.structured_content["rules"]] == list(RULES)
    explained = await client.call_tool("explain_lint_rule", {"rule": "workflow-set-iteration"})
    assert explained.structured_content is not None
    assert explained.structured_content["code"] == "TPR301"
    assert "## Why is this bad?" in explained.structured_content["documentation"]
    unknown = await client.call_tool("explain_lint_rule", {"rule": "TPR999"})
    assert unknown.is_error and "unknown rule 'TPR999'" in unknown.content[0].text  # type: ignore[union-attr]


async def test_references_are_searched_and_read(client: Client) -> None:
    found = await client.call_tool("search_references", {"query": "continue as new", "limit": 2})
    answer = found.structured_content
    assert answer is not None and len(answer["sections"]) == 2 and answer["more"] > 0
    assert all("continue" in s["text"].lower() for s in answer["sections"])
    section = await client.call_tool(
        "read_reference", {"topic": "testing", "section": "replay tests"}
    )
    assert section.structured_content is not None
    assert section.structured_content["text"].startswith("## Replay tests")
    whole = await client.call_tool("read_reference", {"topic": "versioning"})
    assert whole.structured_content is not None and "patched" in whole.structured_content["text"]
    for arguments, problem in (
        ({"topic": "nope"}, "no reference topic 'nope' (topics: activities"),
        ({"topic": "testing", "section": "nope"}, "testing has no section 'nope'"),
    ):
        bad = await client.call_tool("read_reference", arguments)
        assert bad.is_error and problem in bad.content[0].text  # type: ignore[union-attr]
    nothing = await client.call_tool("search_references", {"query": "zebra-unicorn-xyz"})
    assert nothing.is_error and "no documentation matches" in nothing.content[0].text  # type: ignore[union-attr]


async def test_the_skill_references_and_rules_are_resources(client: Client) -> None:
    templates = (await client.list_resource_templates()).resource_templates
    assert {t.uri_template for t in templates} == {
        "temporal-python-pro://references/{topic}",
        "temporal-python-pro://rules/{code}",
    }
    listed = {str(r.uri) for r in (await client.list_resources()).resources}
    assert "temporal-python-pro://skill" in listed
    assert {f"temporal-python-pro://references/{t.name}" for t in list_topics()} <= listed
    skill = (await client.read_resource("temporal-python-pro://skill")).contents[0]
    assert skill.mime_type == "text/markdown" and "name: temporal-python-pro" in skill.text  # type: ignore[union-attr]
    rule = (await client.read_resource("temporal-python-pro://rules/TPR101")).contents[0]
    assert rule.text.startswith("# TPR101 workflow-wall-clock")  # type: ignore[union-attr]
    topic = (await client.read_resource("temporal-python-pro://references/saga")).contents[0]
    assert "compensation" in topic.text.lower()  # type: ignore[union-attr]
    with pytest.raises(MCPError, match="unknown rule 'TPR999'"):
        await client.read_resource("temporal-python-pro://rules/TPR999")


async def test_prompts_embed_the_file_and_name_the_tools(client: Client, project: Path) -> None:
    names = {prompt.name for prompt in (await client.list_prompts()).prompts}
    assert names == {"review_workflow_file", "debug_nondeterminism", "write_workflow"}
    review = await client.get_prompt("review_workflow_file", {"path": "app/workflows.py"})
    text = review.messages[0].content.text  # type: ignore[union-attr]
    assert "lint_workflow_code" in text and "return time.time()" in text
    debug = await client.get_prompt(
        "debug_nondeterminism",
        {"history_path": "h.json", "workflow_path": "app/workflows.py:Orders"},
    )
    text = debug.messages[0].content.text  # type: ignore[union-attr]
    assert "replay_history" in text and f"{project / 'app' / 'workflows.py'}:Orders" in text
    write = await client.get_prompt("write_workflow", {"task": "charge a card, then ship"})
    text = write.messages[0].content.text  # type: ignore[union-attr]
    assert "charge a card, then ship" in text and "name: temporal-python-pro" in text
    with pytest.raises(MCPError, match="outside the folders this server may read"):
        await client.get_prompt("review_workflow_file", {"path": os.devnull})


async def test_the_skill_tells_an_agent_which_tool_to_call_and_names_only_real_tools(
    client: Client,
) -> None:
    from mcp_server.pack import skill_text

    tools = {tool.name for tool in (await client.list_tools()).tools}
    named = set(re.findall(r"`([a-z]+(?:_[a-z]+)+)`", skill_text()))
    mentioned = {name for name in named if name.split("_")[0] in VERBS}
    assert {"lint_workflow_code", "replay_history"} <= mentioned
    assert mentioned <= tools, mentioned - tools


VERBS = {"lint", "replay", "list", "explain", "search", "read", "score", "scaffold"}


async def test_the_roots_configuration_applies_and_skipped_files_are_listed(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.temporal-pro]\nignore = ["TPR101"]\nmax-file-size = 400\n'
    )
    (tmp_path / "small.py").write_text(BAD)
    (tmp_path / "large.py").write_text(BAD + "\n# padding\n" * 40)
    async with Client(build_server(settings(tmp_path))) as client:
        result = await client.call_tool("lint_workflow_code", {"paths": ["."]})
    answer = result.structured_content
    assert not result.is_error and answer is not None
    assert answer["findings"] == []  # TPR101 ignored by the project's own settings
    [skipped] = answer["warnings"]
    assert skipped.startswith(f"{tmp_path / 'large.py'}: skipped, not linted")
