"""`temporal-pro scaffold saga` and the MCP tool scaffold_saga: the same engine (tested whole in
test_scaffold.py, generated suites included) behind the command line and the server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mcp import Client

from mcp_server.cli import main
from mcp_server.scaffold import parse_steps, scaffold_saga
from mcp_server.server.app import build_server
from mcp_server.server.settings import Roots, ServerSettings

STEPS = ["--step", "reserve_inventory:release_inventory", "--step", "charge_payment:refund_payment"]


def test_the_cli_writes_the_package_the_engine_generates(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "order_saga"
    assert (
        main(["scaffold", "saga", "order", *STEPS, "--step", "ship_order", "--out", str(out)]) == 0
    )
    expected = scaffold_saga(
        parse_steps(
            "order",
            ["reserve_inventory:release_inventory", "charge_payment:refund_payment", "ship_order"],
        )
    )
    assert capsys.readouterr().out.startswith(f"Wrote {len(expected)} files to {out}")
    for file in expected:
        assert (out / file.path).read_text() == file.content


def test_dry_run_prints_the_files_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["scaffold", "saga", "order", *STEPS, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "==> order/workflow.py <==" in out and "class OrderSaga" in out
    assert list(tmp_path.iterdir()) == []


def test_a_spec_file_and_the_pydantic_option(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    spec = tmp_path / "saga.json"
    spec.write_text(
        json.dumps(
            {"name": "trip", "steps": ["book_flight:cancel_flight", "book_hotel:cancel_hotel"]}
        )
    )
    out = tmp_path / "trip"
    assert (
        main(["scaffold", "saga", "trip", "--spec", str(spec), "--pydantic", "--out", str(out)])
        == 0
    )
    assert "pydantic_data_converter" in (out / "trip" / "worker.py").read_text()


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["saga", "order"], "no step"),
        (["saga", "order", "--step", "class:undo"], "class"),
        (["saga", "order", "--step", "a:b", "--step", "a:c"], "a"),
        (["saga", "order", "--spec", "nope.toml"], "nope.toml"),
        (
            ["saga", "order", "--spec", "x.toml", "--step", "a:b"],
            "give --spec or --step/--parallel, not both",
        ),
        (["saga"], "required: name"),
        (["bogus"], "invalid choice: 'bogus'"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    args: list[str], problem: str,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    assert main(["scaffold", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("temporal-pro scaffold") and problem in err
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_needs_force(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "order_saga"
    out.mkdir()
    (out / "notes.md").write_text("mine\n")
    assert main(["scaffold", "saga", "order", *STEPS, "--out", str(out)]) == 2
    assert capsys.readouterr().err.startswith("temporal-pro scaffold saga: error: ")
    assert sorted(p.name for p in out.iterdir()) == ["notes.md"]
    assert main(["scaffold", "saga", "order", *STEPS, "--out", str(out), "--force"]) == 0
    assert (out / "notes.md").read_text() == "mine\n" and (out / "order" / "workflow.py").is_file()


# -- the MCP tool ----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_the_tool_returns_the_files_and_writes_only_when_asked(tmp_path: Path) -> None:
    async with Client(build_server(ServerSettings(Roots.of([str(tmp_path)])))) as client:
        shown = await client.call_tool(
            "scaffold_saga",
            {"name": "order", "steps": ["reserve_inventory:release_inventory", "ship_order"]},
        )
        assert list(tmp_path.iterdir()) == []
        written = await client.call_tool(
            "scaffold_saga",
            {"name": "order", "steps": ["reserve_inventory:release_inventory"], "write_to": "out"},
        )
    answer = shown.structured_content
    assert not shown.is_error and answer is not None and answer["written_to"] is None
    paths = {f["path"] for f in answer["files"]}
    assert {"order/workflow.py", "order/activities.py", "tests/test_order.py", "README.md"} <= paths
    assert answer["tests"] >= 4
    assert written.structured_content is not None
    assert written.structured_content["written_to"] == str(tmp_path / "out")
    assert (tmp_path / "out" / "order" / "workflow.py").is_file()


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({"name": "order"}, "give steps"),
        ({"name": "order", "steps": ["a:b"], "write_to": "../outside"}, "outside the folders"),
        ({"name": "order", "steps": ["class:undo"]}, "class"),
        ({"name": "order", "spec": {"steps": ["a:b"], "bogus": 1}}, "bogus"),
    ],
)
async def test_bad_tool_calls_are_one_line_tool_errors(
    tmp_path: Path, arguments: dict[str, object], problem: str
) -> None:
    async with Client(build_server(ServerSettings(Roots.of([str(tmp_path)])))) as client:
        result = await client.call_tool("scaffold_saga", arguments)
    assert result.is_error and problem in result.content[0].text  # type: ignore[union-attr]
    assert list(tmp_path.iterdir()) == []
