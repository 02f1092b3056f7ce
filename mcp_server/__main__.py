from mcp_server.cli import entry

entry()
