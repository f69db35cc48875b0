"""Items: v2 JSON and CSV rows become checked ``PayoutItem``s, or a reason naming the field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from bank131_async.bulk import Entry, InvalidItem, PayoutItem, parse_item, read_csv, read_jsonl
from bank131_async.bulk.sources import csv_row_to_item, read_items
from bank131_async.models import AmountDetails, BankCard, PayoutDetails
from tests.bulk.helpers import item


def test_a_valid_item_structures_into_the_sdk_models() -> None:
    parsed = parse_item(item(7))
    assert parsed.id == "it-7"
    assert parsed.amount_details == AmountDetails(amount=10_007, currency="rub")
    assert parsed.payout_details == PayoutDetails.from_card(BankCard(number="4242424242424242"))
    assert parsed.metadata == {"item": "it-7"}
    assert parse_item(parsed.to_json()) == parsed


def test_integer_ids_become_strings() -> None:
    raw = item(1)
    raw["id"] = 17
    assert parse_item(raw).id == "17"


def test_card_numbers_never_show_in_repr() -> None:
    text = repr(parse_item(item(1)))
    assert "4242424242424242" not in text
    assert "424242******4242" in text


def _with(path: str, value: Any) -> dict[str, Any]:
    raw = copy.deepcopy(item(1))
    *parents, last = path.split(".")
    node = raw
    for name in parents:
        node = node[name]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return raw


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [
        ("id", _DELETE, "id", "required"),
        ("id", "", "id", "empty"),
        ("id", "x" * 200, "id", "at most"),
        ("id", ["a"], "id", "string"),
        ("amount_details", _DELETE, "amount_details", "required"),
        ("amount_details.amount", "100", None, None),  # digits as text are accepted
        ("amount_details.amount", 100.5, "amount_details.amount", "integer"),
        ("amount_details.amount", 0, "amount_details.amount", "positive"),
        ("amount_details.currency", _DELETE, "amount_details.currency", "required"),
        ("payout_details", _DELETE, "payout_details", "required"),
        ("payout_details.card.bank_card", {}, "payout_details.card.bank_card.number", "required"),
        ("payout_details.card", "4242", "payout_details.card", "JSON object"),
        ("participant_details", _DELETE, "participant_details.recipient.full_name", "name"),
        ("participant_details", "Ivan", "participant_details", "JSON object"),
        ("amount_detail", {"amount": 1}, "amount_detail", "unknown field"),
    ],
)
def test_invalid_items_name_the_field(
    path: str, value: Any, field: str | None, words: str | None
) -> None:
    raw = _with(path, value)
    if field is None:
        assert parse_item(raw).amount_details.amount == 100
        return
    with pytest.raises(InvalidItem) as caught:
        parse_item(raw)
    assert caught.value.field == field
    assert words is not None
    assert words in str(caught.value)


def test_bank_account_requisites_are_checked() -> None:
    raw = _with(
        "payout_details",
        {
            "type": "bank_account",
            "bank_account": {
                "system_type": "ru",
                "ru": {
                    "bik": "12345",
                    "account": "40817810000000000001",
                    "full_name": "Ivan Ivanov",
                    "description": "Payout",
                },
            },
        },
    )
    with pytest.raises(InvalidItem) as caught:
        parse_item(raw)
    assert caught.value.field == "payout_details.bank_account.ru.bik"


def test_reasons_are_redacted() -> None:
    raw = _with("payout_details.card.bank_card.number", 4242424242424242)
    raw["participant_details"] = {"recipient": {"full_name": ["4242424242424242"]}}
    with pytest.raises(InvalidItem) as caught:
        parse_item(raw)
    assert "4242424242424242" not in str(caught.value)


def test_a_payout_item_object_is_accepted_as_is() -> None:
    built = PayoutItem(
        id="x",
        payout_details=PayoutDetails.from_card(BankCard(number="4242424242424242")),
        amount_details=AmountDetails(amount=1, currency="rub"),
    )
    assert built.fingerprint() != parse_item(item(1)).fingerprint()
    assert len(built.fingerprint()) == 64


def test_jsonl_lines_never_raise(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text(
        '{"id": "a", "payout_details": {}}\n'
        "\n"
        "not json\n"
        "[1, 2]\n" + __import__("json").dumps(item(4)) + "\n",
        encoding="utf-8",
    )
    entries = list(read_jsonl(path))
    assert [e.line for e in entries] == [1, 3, 4, 5]
    first, garbage, array, good = entries
    assert first.item_id == "a"
    assert first.reason is not None
    assert first.reason.startswith("line 1: amount_details")
    assert garbage.item_id is None
    assert "not valid JSON" in (garbage.reason or "")
    assert array.reason == "line 4: expected a JSON object, got list"
    assert good.item is not None
    assert good.item.id == "it-4"
    assert good.error is None


CSV = """\
id,method,amount,currency,full_name,card_number,bik,account,phone,bank_id,description,metadata
c1,card,10000,,Ivan Ivanov,4242 4242 4242 4242,,,,,,"{""order"": 1}"
b1,bank_account,25000,rub,Ivan Ivanov,,044525974,40817810000000000001,,,Salary,
f1,fps,500,,,,,,79001234567,100000000004,Refund,
x1,cheque,500,,,,,,,,,
c2,card,100.50,,Ivan Ivanov,4242424242424242,,,,,,
c3,card,100,,,4242424242424242,,,,,,
b2,bank_account,100,,Ivan Ivanov,,044525974,,,,Salary,
"""


def test_csv_rows_of_the_three_methods(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text(CSV, encoding="utf-8")
    entries = {e.item_id: e for e in read_items(path)}
    card = entries["c1"].item
    assert card is not None
    assert card.metadata == {"order": 1}
    assert card.payout_details == PayoutDetails.from_card(BankCard(number="4242424242424242"))
    account = entries["b1"].item
    assert account is not None
    assert account.payout_details == PayoutDetails.from_bank_account_ru(
        bik="044525974",
        account="40817810000000000001",
        full_name="Ivan Ivanov",
        description="Salary",
    )
    fps = entries["f1"].item
    assert fps is not None
    assert fps.payout_details == PayoutDetails.from_fps(
        phone="79001234567", bank_id="100000000004", description="Refund"
    )
    assert fps.amount_details == AmountDetails(amount=500, currency="rub")
    reasons = {k: e.reason for k, e in entries.items() if e.error is not None}
    assert reasons == {
        "x1": "line 5: method: expected card, bank_account or fps, got 'cheque'",
        "c2": "line 6: amount: expected integer minor units (10000 for 100.00 RUB), got '100.50'",
        "c3": reasons["c3"],
        "b2": "line 8: account: required for method 'bank_account'",
    }
    assert reasons["c3"] is not None
    assert reasons["c3"].startswith("line 7: participant_details.recipient.full_name")


def test_csv_with_foreign_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text("id,method,amount,colour\n1,card,5,red\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown column 'colour'"):
        list(read_csv(path))


def test_other_suffixes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.jsonl or a \.csv"):
        read_items(tmp_path / "items.xlsx")


def test_csv_row_to_item_needs_an_amount() -> None:
    with pytest.raises(InvalidItem, match="amount"):
        csv_row_to_item({"id": "1", "method": "card"})


def test_entry_parse_keeps_the_id_of_a_bad_item() -> None:
    entry = Entry.parse(3, {"id": 5, "payout_details": {}})
    assert entry.item_id == "5"
    assert entry.item is None
