"""Field declarations that carry a JSON shape rule as metadata; the converter applies them.

Models stay data only: a field says *what* it is (has another wire spelling, keeps the raw
answer, carries extra wire keys), :mod:`bank131_async.converter` says how that is (un)structured.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["ALIASES", "EXTRA", "RAW", "alias", "extra_field", "raw_field"]

#: Metadata key naming the other spellings a field accepts on input.
ALIASES = "bank131_aliases"
#: Metadata key marking the field that keeps the decoded answer a model was built from.
RAW = "bank131_raw"
#: Metadata key marking a mapping whose keys are sent as keys of the object itself.
EXTRA = "bank131_extra"


def alias(*names: str) -> dict[str, tuple[str, ...]]:
    """Field metadata: ``attrs.field(metadata=alias("payments"))`` also reads ``payments``."""
    return {ALIASES: names}


def raw_field() -> Any:
    """The decoded answer (the whole envelope of a partly documented answer, or a webhook's
    body): filled by the converter when it builds the model, never sent, not part of ``==``
    or ``repr``, so fields the SDK does not model yet stay reachable."""
    return attrs.field(factory=dict, eq=False, repr=False, kw_only=True, metadata={RAW: True})


def extra_field() -> Any:
    """Further wire keys of the object, as given (not in ``repr``): merged into the object
    when it is sent."""
    field: Mapping[str, Any] | None = attrs.field(
        default=None, repr=False, kw_only=True, metadata={EXTRA: True}
    )
    return field
