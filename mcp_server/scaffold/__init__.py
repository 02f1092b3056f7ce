"""`temporal-pro scaffold saga`: a saga as a small package that is correct by construction.

    from mcp_server.scaffold import parse_steps, scaffold_saga, write_files
    spec = parse_steps("order", ["reserve_inventory:release_inventory", "ship_order"])
    write_files(scaffold_saga(spec), Path("order-saga"), force=False)

spec.py reads and checks the saga (flags, a TOML/JSON spec file, or that file's content as a
mapping: build_spec, for the MCP tool), generate.py writes its files
as text, write.py puts them on disk, all or nothing. Every refusal is a ScaffoldError: one line.
"""

from mcp_server.scaffold.generate import GeneratedFile, scaffold_saga, test_count
from mcp_server.scaffold.spec import SagaSpec, ScaffoldError, build_spec, load_spec, parse_steps
from mcp_server.scaffold.write import write_files

__all__ = [
    "GeneratedFile",
    "SagaSpec",
    "ScaffoldError",
    "build_spec",
    "load_spec",
    "parse_steps",
    "scaffold_saga",
    "test_count",
    "write_files",
]
