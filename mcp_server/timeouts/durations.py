"""Durations as people and Temporal write them: `30s`, `5m`, `1h30m`, `250ms`, `1.5s`, `2d`, and the
protobuf JSON form histories hold (`"30s"`, `"0.500s"`)."""

from __future__ import annotations

import math
import re

from mcp_server.timeouts.models import TimeoutInputError

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ms|s|m|h|d)")


def parse(text: str, what: str = "duration") -> float:
    """Seconds; a bare number is seconds. Raises TimeoutInputError naming `what`."""
    given = text.strip().lower()
    try:
        value = float(given)
    except ValueError:
        value = _parse_units(given, text, what)
    if not math.isfinite(value) or value < 0:
        raise TimeoutInputError(f"{what} {text}: not a duration (e.g. 30s, 5m, 1h30m, 250ms)")
    return value


def _parse_units(given: str, text: str, what: str) -> float:
    position, total = 0, 0.0
    for match in _PART.finditer(given):
        if match.start() != position:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    if not given or position != len(given):
        raise TimeoutInputError(f"{what} {text}: not a duration (e.g. 30s, 5m, 1h30m, 250ms)")
    return total


def text(seconds: float) -> str:
    """`1h30m`, `2m5s`, `30s`, `1.5s`, `250ms`: the shortest exact form."""
    if seconds == 0:
        return "0s"
    if seconds < 1:
        return f"{seconds * 1000:g}ms"
    whole, fraction = divmod(seconds, 1)
    if fraction > 1e-9:
        return f"{seconds:g}s"
    parts, rest = [], int(whole)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def from_proto(value: object) -> float | None:
    """A protobuf JSON duration (`"30s"`) as seconds; None when absent, malformed or zero (the
    server writes 0s for "not set")."""
    if not isinstance(value, str) or not value.endswith("s"):
        return None
    try:
        seconds = float(value[:-1])
    except ValueError:
        return None
    return seconds or None
