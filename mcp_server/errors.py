"""The one kind of error a front end reports as the user's (or the model's) mistake: every engine's
input error is an InputError, said in one line that names the input. The command line prints it
after its prefix with exit code 2; the MCP server returns it as a tool error."""


class InputError(Exception):
    """Input an engine cannot use: a missing file, a bad option, a path outside the roots."""
