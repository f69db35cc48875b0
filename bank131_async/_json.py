"""JSON decoding with a nesting limit, for every body that comes from outside the process.

``json.loads`` parses about a thousand levels and then raises ``RecursionError``; a body just
under that limit parses, and later breaks whatever walks it recursively (``repr``, ``==``,
``json.dumps`` in an error path, cattrs). Bank 131 JSON is a few levels deep, so anything
deeper than :data:`MAX_DEPTH` is refused here, as a ``ValueError`` like any other bad JSON.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["MAX_DEPTH", "JsonDepthError", "loads"]

#: Deepest nesting accepted (objects and arrays). The bank's deepest documented object is
#: about eight levels; ``metadata`` you send comes back as you sent it.
MAX_DEPTH = 64


class JsonDepthError(ValueError):
    """The JSON nests deeper than :data:`MAX_DEPTH`."""


def loads(raw: bytes | str) -> Any:
    """``json.loads`` that raises ``ValueError`` (never ``RecursionError``) for deep nesting.

    Invalid JSON and invalid UTF-8 raise ``ValueError`` as with ``json.loads``.
    """
    try:
        data = json.loads(raw)
    except RecursionError:
        raise JsonDepthError(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    # Every level needs a bracket, so a body with few brackets (every normal answer) is
    # shallow without walking it; bytes.count is a fast C loop.
    opening = (
        raw.count(b"{") + raw.count(b"[")
        if isinstance(raw, bytes)
        else (raw.count("{") + raw.count("["))
    )
    if opening > MAX_DEPTH:
        _check_depth(data)
    return data


def _check_depth(data: Any) -> None:
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_DEPTH:
            raise JsonDepthError(f"JSON nested deeper than {MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
