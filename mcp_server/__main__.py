from mcp_server.lint.quick import entry

entry()  # a cached lint run is replayed here; every other command goes on to cli.entry
