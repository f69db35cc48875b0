"""The one place that attaches a decoded response envelope to a result model as ``.raw``.

Result models of partly documented answers declare ``raw`` as an ``attrs.field(init=False,
factory=dict, eq=False, repr=False)``: not a constructor argument, not compared, not
(un)structured by the converter. After parsing, the resource stores the whole envelope there, so
fields the SDK does not model yet stay reachable (``result.raw["some_new_key"]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

__all__ = ["with_raw"]

T = TypeVar("T")


def with_raw(result: T, envelope: Mapping[str, Any]) -> T:
    object.__setattr__(result, "raw", envelope)
    return result
