"""temporal-python-pro: engines (lint, ...) and their two front ends (cli, server)."""

__version__ = "0.1.0"
