"""The one converter: exact bytes out, tolerant parsing in (hooks, aliases, open enums)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest

from bank131_async.converter import (
    ALIASES,
    StructureError,
    alias,
    converter,
    dumps,
    dumps_json,
    loads,
    structure,
)
from bank131_async.models import (
    AmountDetails,
    BankAccountRu,
    BankCard,
    CardDetails,
    Contact,
    Customer,
    CustomRouting,
    CustomRoutingTag,
    NextAction,
    OperationStatus,
    Participant,
    ParticipantDetails,
    PaymentOptions,
    PayoutDetails,
    PayoutDetailsType,
    RecurrentTokenInfo,
    Refund,
    RefundStatus,
    RevenueSplitInfoItem,
    Session,
    SessionStatus,
    Subscription,
    TaxDetails,
    TaxPeriod,
)

# --------------------------------------------------------------------------- dumps: exact bytes


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        pytest.param(
            AmountDetails(amount=10_000, currency="rub"),
            b'{"amount":10000,"currency":"rub"}',
            id="amount",
        ),
        pytest.param(
            Participant(full_name="Иван Иванов"),
            '{"full_name":"Иван Иванов"}'.encode(),
            id="utf8-not-escaped",
        ),
        pytest.param(Participant(), b"{}", id="all-none-omitted"),
        pytest.param(
            Customer(reference="user-1", contacts=(Contact(email="a@b.c"),)),
            b'{"reference":"user-1","contacts":[{"email":"a@b.c"}]}',
            id="nested-tuple",
        ),
        pytest.param(
            CustomRouting(tags=(CustomRoutingTag(root_tag="t", values=("a", "b")),)),
            b'{"tags":[{"root_tag":"t","values":["a","b"]}]}',
            id="tuple-of-str",
        ),
        pytest.param(
            {"session_id": "ps_1", "amount_details": None, "metadata": None},
            b'{"session_id":"ps_1"}',
            id="request-dict-drops-top-level-none",
        ),
        pytest.param(
            {"metadata": {"k": None, "list": [1, None]}},
            b'{"metadata":{"k":null,"list":[1,null]}}',
            id="metadata-sent-as-given",
        ),
        pytest.param(
            {"a": "x/y", "b": '"q"\n', "c": "€"},
            '{"a":"x/y","b":"\\"q\\"\\n","c":"€"}'.encode(),
            id="escapes",
        ),
        pytest.param({}, b"{}", id="empty-body"),
        pytest.param([], b"[]", id="empty-list"),
        pytest.param(
            {"amount_details": AmountDetails(amount=1, currency="rub"), "metadata": "Перевод"},
            '{"amount_details":{"amount":1,"currency":"rub"},"metadata":"Перевод"}'.encode(),
            id="signature-vector-3-body",
        ),
    ],
)
def test_dumps_exact_bytes(obj: Any, expected: bytes) -> None:
    data = dumps(obj)
    assert isinstance(data, bytes)
    assert data == expected
    assert b"\\u" not in data
    assert b": " not in data
    assert b", " not in data or b'", "' in expected


def test_dumps_sends_real_defaults_and_enum_values() -> None:
    # A field with a real default is sent; enums travel as their wire strings.
    card = CardDetails.from_card(BankCard(number="4242424242424242"))
    assert dumps(card) == b'{"type":"bank_card","bank_card":{"number":"4242424242424242"}}'
    assert dumps({"status": SessionStatus.ACCEPTED}) == b'{"status":"accepted"}'
    assert dumps({"next": NextAction.CONFIRM, "n": 1}) == b'{"next":"confirm","n":1}'


def test_dumps_never_sends_none_anywhere_in_models() -> None:
    details = ParticipantDetails(
        sender=Participant(full_name="A"), recipient=Participant(full_name="B", reference=None)
    )
    data = dumps({"participant_details": details, "customer": None})
    assert (
        data
        == b'{"participant_details":{"sender":{"full_name":"A"},"recipient":{"full_name":"B"}}}'
    )
    assert b"null" not in data


def test_dumps_json_is_compact_utf8() -> None:
    assert dumps_json({"a": [1, 2], "b": "ё"}) == '{"a":[1,2],"b":"ё"}'.encode()
    assert dumps_json("x") == b'"x"'


def test_dumps_matches_the_docs_doctest() -> None:
    assert dumps(AmountDetails(amount=10_000, currency="rub")) == (
        b'{"amount":10000,"currency":"rub"}'
    )


# --------------------------------------------------------------------------- datetimes


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        (
            "2020-05-29T07:01:37.499907Z",
            datetime(2020, 5, 29, 7, 1, 37, 499907, tzinfo=UTC),
        ),
        ("2020-05-29T07:01:37Z", datetime(2020, 5, 29, 7, 1, 37, tzinfo=UTC)),
        ("2020-05-29T07:01:37.499907+00:00", datetime(2020, 5, 29, 7, 1, 37, 499907, tzinfo=UTC)),
        (
            "2020-05-29T10:01:37+03:00",
            datetime(2020, 5, 29, 10, 1, 37, tzinfo=timezone(timedelta(hours=3))),
        ),
        ("2020-05-29T07:01:37", datetime(2020, 5, 29, 7, 1, 37, tzinfo=UTC)),  # naive = UTC
    ],
)
def test_datetime_parsing(wire: str, expected: datetime) -> None:
    parsed = structure({"id": "ps", "status": "created", "created_at": wire}, Session).created_at
    assert parsed == expected
    assert parsed is not None
    assert parsed.tzinfo is not None


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (datetime(2020, 5, 29, 7, 1, 37, 499907, tzinfo=UTC), "2020-05-29T07:01:37.499907Z"),
        (datetime(2020, 5, 29, 7, 1, 37, tzinfo=UTC), "2020-05-29T07:01:37Z"),
        (
            datetime(2020, 5, 29, 10, 1, 37, 5, tzinfo=timezone(timedelta(hours=3))),
            "2020-05-29T07:01:37.000005Z",
        ),
        (datetime(2020, 5, 29, 7, 1, 37), "2020-05-29T07:01:37Z"),
    ],
)
def test_datetime_serialisation(value: datetime, wire: str) -> None:
    assert dumps(Subscription(next_point=value)) == f'{{"next_point":"{wire}"}}'.encode()


@pytest.mark.parametrize("bad", [1590735697, ["2020"], "yesterday", "2020-13-01T00:00:00Z"])
def test_bad_datetime_is_rejected(bad: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        structure({"id": "ps", "status": "created", "created_at": bad}, Session)


def test_date_round_trip() -> None:
    participant = structure({"date_of_birth": "1990-01-02"}, Participant)
    assert participant.date_of_birth == date(1990, 1, 2)
    assert dumps(participant) == b'{"date_of_birth":"1990-01-02"}'


# --------------------------------------------------------------------------- scalars


@pytest.mark.parametrize(
    ("wire", "expected"),
    [(10000, 10000), (0, 0), ("10000", 10000), (10**18, 10**18)],
)
def test_int_accepted(wire: Any, expected: int) -> None:
    assert structure({"amount": wire, "currency": "rub"}, AmountDetails).amount == expected


@pytest.mark.parametrize("wire", [100.0, 100.5, True, False, "1e3", "10.5", None, [1], {"a": 1}])
def test_float_bool_and_junk_amounts_rejected(wire: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        structure({"amount": wire, "currency": "rub"}, AmountDetails)


def test_float_in_json_text_is_rejected_by_loads() -> None:
    with pytest.raises(TypeError, match="expected an integer"):
        loads(b'{"amount":100.0,"currency":"rub"}', AmountDetails)


@pytest.mark.parametrize(("wire", "expected"), [("ps_1", "ps_1"), (3230, "3230"), (1.5, "1.5")])
def test_ids_given_as_numbers_become_strings(wire: Any, expected: str) -> None:
    assert structure({"id": wire, "status": "created"}, Session).id == expected


@pytest.mark.parametrize("wire", [True, None, {"a": 1}, ["x"]])
def test_non_string_rejected_for_str(wire: Any) -> None:
    with pytest.raises(TypeError):
        structure({"id": wire, "status": "created"}, Session)


# --------------------------------------------------------------------------- open enums


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("created", SessionStatus.CREATED),
        ("in_progress", SessionStatus.IN_PROGRESS),
        ("accepted", SessionStatus.ACCEPTED),
        ("cancelled", SessionStatus.CANCELLED),
        ("error", SessionStatus.ERROR),
        ("on_hold_forever", "on_hold_forever"),
        ("ACCEPTED", "ACCEPTED"),
    ],
)
def test_open_enum_session_status(wire: str, expected: str) -> None:
    status = structure({"id": "ps", "status": wire}, Session).status
    assert status == expected
    if isinstance(expected, SessionStatus):
        assert status is expected
    else:
        assert type(status) is str


@pytest.mark.parametrize(
    ("wire", "expected_type"),
    [("confirm", NextAction), ("capture", NextAction), ("sign", str), (None, type(None))],
)
def test_open_optional_enum(wire: str | None, expected_type: type) -> None:
    session = structure({"id": "ps", "status": "created", "next_action": wire}, Session)
    assert type(session.next_action) is expected_type
    assert session.next_action == wire


def test_open_enum_rejects_non_strings() -> None:
    with pytest.raises(TypeError, match="expected a string for SessionStatus"):
        structure({"id": "ps", "status": 5}, Session)


def test_open_enum_members_compare_to_wire_strings() -> None:
    succeeded: str = OperationStatus.SUCCEEDED
    declined: str = RefundStatus.DECLINED
    assert succeeded == "succeeded"
    assert declined == "declined"
    assert PayoutDetailsType("card") is PayoutDetailsType.CARD


# --------------------------------------------------------------------------- str | Model


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("\u041c\u0421.02.2020", "\u041c\u0421.02.2020"),  # "МС.02.2020"
        (
            {"type": "month", "number": 2, "year": "2021"},
            TaxPeriod(type="month", number=2, year="2021"),
        ),
        (None, None),
    ],
)
def test_str_or_model(wire: Any, expected: Any) -> None:
    assert structure({"period": wire}, TaxDetails).period == expected


# --------------------------------------------------------------------------- aliases, unknown keys


@attrs.frozen(kw_only=True)
class _Aliased:
    new: int = attrs.field(default=0, metadata=alias("old", "older"))
    plain: str | None = None


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ({"new": 1}, 1),
        ({"old": 2}, 2),
        ({"older": 3}, 3),
        ({"new": 1, "old": 2}, 1),  # the v2 name wins
        ({"old": 2, "older": 3}, 2),  # first alias wins
        ({}, 0),
    ],
)
def test_alias_metadata(wire: dict[str, Any], expected: int) -> None:
    assert structure(wire, _Aliased).new == expected


def test_alias_helper_and_output_name() -> None:
    assert alias("a", "b") == {ALIASES: ("a", "b")}
    # Output always uses the attribute (v2) name.
    assert dumps(_Aliased(new=5)) == b'{"new":5}'


def test_unknown_keys_are_ignored() -> None:
    data = {"amount": 1, "currency": "rub", "brand_new": {"deep": [1, 2]}}
    assert structure(data, AmountDetails) == AmountDetails(amount=1, currency="rub")


@pytest.mark.parametrize("bad", [[], "x", 1, None])
def test_model_needs_json_object(bad: Any) -> None:
    with pytest.raises(TypeError, match="expected a JSON object"):
        structure(bad, AmountDetails)
    with pytest.raises(TypeError, match="expected a JSON object"):
        structure(bad, Session)


def test_missing_required_key_raises() -> None:
    with pytest.raises(StructureError, match=r"required field missing @ \$\.status"):
        structure({"id": "ps"}, Session)


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (
            {"id": "ps", "status": "accepted", "payout_list": [{"id": "po"}]},
            r"required field missing @ \$\.payout_list\[0\]\.status",
        ),
        (
            {
                "id": "ps",
                "status": "accepted",
                "payout_list": [
                    {"id": "po", "status": "succeeded", "amount_details": {"amount": 1.5}}
                ],
            },
            r"expected an integer, got 1\.5 @ \$\.payout_list\[0\]\.amount_details\.amount",
        ),
    ],
)
def test_a_structure_error_names_the_failing_fields_path(data: Any, where: str) -> None:
    with pytest.raises(StructureError, match=where):
        structure(data, Session)


def test_a_structure_error_is_redacted() -> None:
    data = {"id": "ps", "status": 4242424242424242}
    with pytest.raises(StructureError) as info:
        structure(data, Session)
    assert "4242424242424242" not in str(info.value)
    assert "424242******4242 @ $.status" in str(info.value)


# --------------------------------------------------------------------------- loads, round trips


def test_loads_accepts_bytes_and_str() -> None:
    body = '{"amount":5,"currency":"rub","x":"ё"}'
    assert loads(body, AmountDetails) == loads(body.encode(), AmountDetails)


def test_session_round_trip() -> None:
    session = Session(
        id="ps_1",
        status=SessionStatus.ACCEPTED,
        created_at=datetime(2020, 5, 29, 7, 1, 37, 499907, tzinfo=UTC),
        next_action=NextAction.CONFIRM,
    )
    wire = dumps(session)
    assert wire == (
        b'{"id":"ps_1","status":"accepted","created_at":"2020-05-29T07:01:37.499907Z",'
        b'"next_action":"confirm"}'
    )
    assert loads(wire, Session) == session


def test_converter_is_one_shared_instance() -> None:
    from bank131_async import converter as module

    assert module.converter is converter
    # Unstructured data is plain JSON-able data.
    raw = converter.unstructure(PayoutDetails.from_wallet("4100"))
    assert json.loads(json.dumps(raw)) == {
        "type": "wallet",
        "wallet": {"type": "yoomoney", "yoomoney": {"account": "4100"}},
    }


# --------------------------------------------------------------------------- booleans


BOOL_FIELDS = [
    pytest.param(Refund, "is_chargeback", {"id": "rf_1", "status": "accepted"}, id="refund"),
    pytest.param(PaymentOptions, "recurrent", {}, id="payment-options"),
    pytest.param(BankAccountRu, "is_fast", {}, id="bank-account-ru"),
    pytest.param(RecurrentTokenInfo, "is_active", {"token": "t"}, id="recurrent-token"),
    pytest.param(Subscription, "initial", {}, id="subscription-initial"),
    pytest.param(Subscription, "retries_exceeded", {}, id="subscription-retries"),
    pytest.param(RevenueSplitInfoItem, "remains", {"contractor_alias": "c"}, id="revenue-split"),
]


@pytest.mark.parametrize(("cls", "field", "base"), BOOL_FIELDS)
@pytest.mark.parametrize("value", [True, False])
def test_bool_fields_parse(cls: type[Any], field: str, base: dict[str, Any], value: bool) -> None:
    obj = structure({**base, field: value}, cls)
    assert getattr(obj, field) is value
    assert dumps(obj) == dumps_json({**base, field: value})


@pytest.mark.parametrize(("cls", "field", "base"), BOOL_FIELDS)
def test_bool_fields_serialise(cls: type[Any], field: str, base: dict[str, Any]) -> None:
    obj = cls(**{**base, field: True})
    assert json.loads(dumps(obj))[field] is True


@pytest.mark.parametrize(("cls", "field", "base"), BOOL_FIELDS)
@pytest.mark.parametrize("value", ["false", "true", 0, 1, None, []])
def test_bool_fields_reject_non_booleans(
    cls: type[Any], field: str, base: dict[str, Any], value: Any
) -> None:
    if value is None:  # every bool field is optional
        assert getattr(structure({**base, field: None}, cls), field) is None
        return
    with pytest.raises(TypeError, match="expected true or false"):
        structure({**base, field: value}, cls)
