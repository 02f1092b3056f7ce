"""The MCP front end: `temporal-pro mcp` serves the engines to assistants and IDEs.

`build_server(settings)` in app.py makes the server; settings.py holds what the operator decides
(roots, limits, the Temporal server replay may reach). Importing this package imports no SDK."""
