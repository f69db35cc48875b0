"""Payout items: what one line of a bulk file asks for, checked before anything is sent.

An item is an ``id`` (unique in the batch) plus the fields of the bank's payout request in
their v2 spelling::

    {"id": "order-17",
     "payout_details": {"type": "card", "card": {"type": "bank_card",
                                                 "bank_card": {"number": "4242424242424242"}}},
     "amount_details": {"amount": 10000, "currency": "rub"},
     "participant_details": {"recipient": {"full_name": "Ivan Ivanov"}},
     "metadata": {"order": 17}}

:func:`parse_item` structures such a mapping with the SDK's converter and runs the same checks
the SDK runs before a payout request; any problem raises :class:`InvalidItem` naming the field.
Items can also be built directly: ``PayoutItem(id="17", payout_details=PayoutDetails.from_card(
...), amount_details=AmountDetails(amount=10_000, currency="rub"), ...)``.
"""

from __future__ import annotations

import hashlib
import json
import typing
from collections.abc import Mapping
from typing import Any

import attrs
from attrs import frozen

from .._logging import redact
from .._validation import check_amount, check_fiscalization, check_payout_recipient
from ..converter import converter
from ..errors import Bank131Error
from ..models.common import AmountDetails, ParticipantDetails
from ..models.fiscalization import FiscalizationDetails
from ..models.methods import PayoutDetails

__all__ = ["MAX_ID_LENGTH", "InvalidItem", "PayoutItem", "parse_item"]

#: Item ids end up in idempotency keys (hashed) and in every report; keep them short.
MAX_ID_LENGTH = 128

_FIELDS: dict[str, Any] = {
    "payout_details": PayoutDetails,
    "amount_details": AmountDetails,
    "participant_details": ParticipantDetails,
    "fiscalization_details": FiscalizationDetails,
}
_REQUIRED = ("payout_details", "amount_details")
_KNOWN = frozenset({"id", "metadata", *_FIELDS})


class InvalidItem(ValueError):
    """An item that must not be sent. ``field`` is the dotted path of the culprit (or ``None``
    when the item as a whole is wrong), ``reason`` says what is wrong (redacted)."""

    def __init__(self, field: str | None, reason: str) -> None:
        self.field = field
        self.reason = redact(reason)
        super().__init__(f"{field}: {self.reason}" if field else self.reason)


@frozen(kw_only=True)
class PayoutItem:
    """One payout of a batch. ``id`` is the caller's (unique in the batch); the other fields
    are those of ``session/start/payout``. Card numbers show masked in ``repr``."""

    id: str
    payout_details: PayoutDetails
    amount_details: AmountDetails
    participant_details: ParticipantDetails | None = None
    fiscalization_details: FiscalizationDetails | None = None
    metadata: Any = None

    def to_json(self) -> dict[str, Any]:
        """The item as v2 JSON (what :func:`parse_item` reads back)."""
        data: dict[str, Any] = {"id": self.id}
        for name in _FIELDS:
            value = getattr(self, name)
            if value is not None:
                data[name] = converter.unstructure(value)
        if self.metadata is not None:
            data["metadata"] = self.metadata
        return data

    def dumps(self) -> str:
        """Compact JSON of :meth:`to_json` (the journal keeps it until the payout starts)."""
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))

    def fingerprint(self) -> str:
        """A digest of everything that decides the payout: a rerun with a changed item is
        noticed (the journal keeps this, not the card number)."""
        canonical = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def check_item(item: PayoutItem) -> None:
    """The checks ``sessions.start_payout`` would run, as :class:`InvalidItem`."""
    _check_id(item.id)
    try:
        check_amount(item.amount_details)
        check_payout_recipient(item.payout_details, item.participant_details)
        check_fiscalization(item.fiscalization_details, item.amount_details)
    except Bank131Error as exc:
        raise InvalidItem(_field_of(str(exc)), str(exc)) from None


def parse_item(raw: Any) -> PayoutItem:
    """Structure and check one item given as decoded JSON; raises :class:`InvalidItem`.

    >>> parse_item({"id": 1, "payout_details": {}}).id                 # doctest: +SKIP
    InvalidItem: amount_details: required
    """
    if not isinstance(raw, Mapping):
        raise InvalidItem(None, f"expected a JSON object, got {type(raw).__name__}")
    unknown = sorted(set(raw) - _KNOWN)
    if unknown:
        raise InvalidItem(
            str(unknown[0]),
            "unknown field (an item has id, " + ", ".join(sorted(_KNOWN - {"id"})) + ")",
        )
    item_id = raw.get("id")
    if isinstance(item_id, int) and not isinstance(item_id, bool):
        item_id = str(item_id)
    if not isinstance(item_id, str):
        raise InvalidItem("id", "required: a string (or an integer) unique in the batch")
    _check_id(item_id)
    values: dict[str, Any] = {}
    for name, cls in _FIELDS.items():
        value = raw.get(name)
        if value is None:
            if name in _REQUIRED:
                raise InvalidItem(name, "required")
            continue
        values[name] = _structure(value, cls, name)
    item = PayoutItem(id=item_id, metadata=raw.get("metadata"), **values)
    check_item(item)
    return item


def _check_id(item_id: str) -> None:
    if not item_id.strip():
        raise InvalidItem("id", "must not be empty")
    if len(item_id) > MAX_ID_LENGTH:
        raise InvalidItem("id", f"at most {MAX_ID_LENGTH} characters, got {len(item_id)}")


def _structure(value: Any, cls: Any, path: str) -> Any:
    try:
        return converter.structure(value, cls)
    except Exception as exc:  # cattrs and attrs raise KeyError/TypeError/ValueError and kin
        where, why = _locate(value, cls, path)
        raise InvalidItem(where, why or _describe(exc)) from None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing required field {exc.args[0]!r}" if exc.args else "missing field"
    return str(exc) or type(exc).__name__


def _attrs_class(tp: Any) -> type | None:
    """``X`` for an attrs class ``X`` or ``X | None``; else ``None``."""
    if isinstance(tp, type) and attrs.has(tp):
        return tp
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if len(args) == 1 and isinstance(args[0], type) and attrs.has(args[0]):
        return args[0]
    return None


def _locate(value: Any, tp: Any, path: str) -> tuple[str, str | None]:
    """The deepest field of ``value`` that does not structure as ``tp``, and why.

    The converter reports what failed but not where (detailed validation is off: it is slow on
    the response path); this walk runs only for an item that already failed.
    """
    cls = _attrs_class(tp)
    if cls is None or not isinstance(value, Mapping):
        return path, None
    hints = typing.get_type_hints(cls)
    for field in attrs.fields(cls):
        sub = f"{path}.{field.name}"
        if field.name not in value:
            if field.default is attrs.NOTHING:
                return sub, "required"
            continue
        try:
            converter.structure(value[field.name], hints[field.name])
        except Exception as exc:
            where, why = _locate(value[field.name], hints[field.name], sub)
            return where, why or _describe(exc)
    return path, None


def _field_of(message: str) -> str | None:
    """The dotted field a validation message starts with (``payout_details.bank_account...``)."""
    head = message.split(" ", 1)[0]
    if head.startswith("professional_income_taxpayer."):
        return "fiscalization_details." + head
    if "." in head or head in _FIELDS or head in ("id",):
        return head.rstrip(":")
    if message.startswith("card payouts need the recipient"):
        return "participant_details.recipient.full_name"
    if message.startswith("fiscalization"):
        return "fiscalization_details"
    return None
