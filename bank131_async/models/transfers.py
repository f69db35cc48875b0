"""Money transfers abroad (``endpoints.md`` §10): the FX pre-calculation.

``calculate`` answers ``{amounts: {source, destination, transfer_fee, sms_fee, payment},
exchanges: {source, destination, rate: {fx_rate, quantity}}}``. The bank does not say whether
``exchanges.source``/``destination`` are currency codes or amounts: both parse (a string stays
a string, an object becomes :class:`AmountDetails`). ``fx_rate`` is kept as text so no
precision is lost (numbers become their decimal text). The whole answer is in ``raw``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import frozen

from ._fields import raw_field
from .common import AmountDetails

__all__ = [
    "CalculationAmounts",
    "CalculationExchanges",
    "CalculationRate",
    "TransferCalculation",
]


@frozen(kw_only=True)
class CalculationAmounts:
    """What the sender pays and the recipient gets, in minor units."""

    source: AmountDetails | None = None
    destination: AmountDetails | None = None
    transfer_fee: AmountDetails | None = None
    sms_fee: AmountDetails | None = None
    #: The total the sender pays (source + fees).
    payment: AmountDetails | None = None


@frozen(kw_only=True)
class CalculationRate:
    """``quantity`` units of the source currency buy ``fx_rate`` units of the destination."""

    fx_rate: str | None = None
    quantity: int | None = None


@frozen(kw_only=True)
class CalculationExchanges:
    """The exchange of a transfer calculation: source and destination amounts and the rate."""

    source: str | AmountDetails | None = None
    destination: str | AmountDetails | None = None
    rate: CalculationRate | None = None


@frozen(kw_only=True)
class TransferCalculation:
    """The answer of ``calculate`` (the rate is reserved only by ``session/multi/init``)."""

    amounts: CalculationAmounts | None = None
    exchanges: CalculationExchanges | None = None
    raw: Mapping[str, Any] = raw_field()
