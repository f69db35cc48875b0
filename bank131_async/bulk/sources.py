"""Reading items from files, one at a time: ``.jsonl`` (one item per line) and ``.csv``.

Both readers stream (a file of a million lines is never held in memory) and never raise for a
bad line: each line becomes an :class:`Entry` holding either the item or the reason it cannot
be paid, with its line number, so one bad line never stops the others.

CSV columns (a header row names them; order is free, unknown columns are refused):

==============  ===========================================================================
``id``          the item id, unique in the batch (required)
``method``      ``card``, ``bank_account`` (a Russian account) or ``fps`` (required)
``amount``      integer minor units: kopecks for ``rub`` (``10000`` is 100.00 RUB; required)
``currency``    ISO-4217 code, default ``rub``
``full_name``   the recipient (required for ``card`` and ``bank_account``)
``card_number`` ``card``: the card number
``bik``         ``bank_account``: the bank's BIK (9 digits)
``account``     ``bank_account``: the account number (20 digits)
``inn``         ``bank_account``: the recipient's INN (optional)
``kpp``         ``bank_account``: the recipient's KPP (optional)
``phone``       ``fps``: the recipient's phone, digits with the country code (``79001234567``)
``bank_id``     ``fps``: the recipient's bank in the FPS (``fps.banks()``)
``description`` ``bank_account``/``fps``: the payment purpose (required for those)
``metadata``    optional JSON, echoed back by the bank
==============  ===========================================================================
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from attrs import frozen

from .items import InvalidItem, PayoutItem, parse_item

__all__ = ["CSV_COLUMNS", "Entry", "csv_row_to_item", "read_csv", "read_items", "read_jsonl"]

CSV_COLUMNS = (
    "id",
    "method",
    "amount",
    "currency",
    "full_name",
    "card_number",
    "bik",
    "account",
    "inn",
    "kpp",
    "phone",
    "bank_id",
    "description",
    "metadata",
)


@frozen(kw_only=True)
class Entry:
    """One input position: the item, or why it cannot be paid (``item_id`` when known)."""

    line: int
    item: PayoutItem | None = None
    item_id: str | None = None
    error: InvalidItem | None = None

    @classmethod
    def parse(cls, line: int, raw: Any) -> Entry:
        """An entry from decoded JSON (a mapping), never raising."""
        try:
            item = parse_item(raw)
        except InvalidItem as exc:
            return cls(line=line, item_id=_id_of(raw), error=exc)
        return cls(line=line, item=item, item_id=item.id)

    @property
    def reason(self) -> str | None:
        """Why the line is invalid (its line number and the field), or ``None``."""
        if self.error is None:
            return None
        return f"line {self.line}: {self.error}"


def _id_of(raw: Any) -> str | None:
    if isinstance(raw, Mapping):
        value = raw.get("id")
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    return None


def read_jsonl(path: Path) -> Iterator[Entry]:
    """Entries of a JSON-lines file; blank lines are skipped."""
    with path.open(encoding="utf-8") as lines:
        for number, text in enumerate(lines, 1):
            if not text.strip():
                continue
            try:
                raw = json.loads(text)
            except ValueError as exc:
                yield Entry(line=number, error=InvalidItem(None, f"not valid JSON ({exc})"))
                continue
            yield Entry.parse(number, raw)


def read_csv(path: Path) -> Iterator[Entry]:
    """Entries of a CSV file with a header row (see the module docstring for the columns)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        unknown = sorted(set(reader.fieldnames or ()) - set(CSV_COLUMNS))
        if unknown or "id" not in (reader.fieldnames or ()):
            what = f"unknown column {unknown[0]!r}" if unknown else "no 'id' column"
            raise ValueError(f"{path}: {what}; the columns are {', '.join(CSV_COLUMNS)}")
        for row in reader:
            line = reader.line_num
            try:
                raw = csv_row_to_item(row)
            except InvalidItem as exc:
                yield Entry(line=line, item_id=(row.get("id") or "").strip() or None, error=exc)
                continue
            yield Entry.parse(line, raw)


def read_items(path: Path) -> Iterator[Entry]:
    """:func:`read_jsonl` or :func:`read_csv` by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return read_jsonl(path)
    if suffix == ".csv":
        return read_csv(path)
    raise ValueError(f"{path}: expected a .jsonl or a .csv file")


def _cell(row: Mapping[str, str | None], name: str) -> str | None:
    value = row.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _need(row: Mapping[str, str | None], name: str, method: str) -> str:
    value = _cell(row, name)
    if value is None:
        raise InvalidItem(name, f"required for method {method!r}")
    return value


def csv_row_to_item(row: Mapping[str, str | None]) -> dict[str, Any]:
    """The v2 JSON item of one CSV row (checked afterwards by :func:`parse_item`)."""
    method = _cell(row, "method")
    amount_text = _cell(row, "amount")
    if amount_text is None:
        raise InvalidItem("amount", "required (integer minor units, e.g. 10000 for 100.00 RUB)")
    if not (amount_text.isascii() and amount_text.isdigit()):
        raise InvalidItem(
            "amount", f"expected integer minor units (10000 for 100.00 RUB), got {amount_text!r}"
        )
    item: dict[str, Any] = {
        "id": _cell(row, "id"),
        "amount_details": {"amount": int(amount_text), "currency": _cell(row, "currency") or "rub"},
    }
    full_name = _cell(row, "full_name")
    if method == "card":
        number = _need(row, "card_number", method).replace(" ", "")
        item["payout_details"] = {
            "type": "card",
            "card": {"type": "bank_card", "bank_card": {"number": number}},
        }
    elif method == "bank_account":
        ru: dict[str, Any] = {
            "bik": _need(row, "bik", method),
            "account": _need(row, "account", method),
            "full_name": _need(row, "full_name", method),
            "description": _need(row, "description", method),
        }
        for name in ("inn", "kpp"):
            if (value := _cell(row, name)) is not None:
                ru[name] = value
        item["payout_details"] = {
            "type": "bank_account",
            "bank_account": {"system_type": "ru", "ru": ru},
        }
    elif method == "fps":
        fps = {
            "phone": _need(row, "phone", method),
            "bank_id": _need(row, "bank_id", method),
            "description": _need(row, "description", method),
        }
        item["payout_details"] = {
            "type": "bank_account",
            "bank_account": {"system_type": "faster_payment_system", "faster_payment_system": fps},
        }
    else:
        raise InvalidItem("method", f"expected card, bank_account or fps, got {method!r}")
    if full_name is not None:
        item["participant_details"] = {"recipient": {"full_name": full_name}}
    metadata = _cell(row, "metadata")
    if metadata is not None:
        try:
            item["metadata"] = json.loads(metadata)
        except ValueError:
            raise InvalidItem("metadata", "expected JSON") from None
    return item
