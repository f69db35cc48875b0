"""The emulator refuses keys the bank does not document, naming them by their full path, and
accepts every key the research documents (both API spellings, the PHP SDK's extra fields,
free-form metadata)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bank131_async.mock import MockBankApp
from tests.mock.mockbank_helpers import Bank, card_payment, card_payout

pytestmark = pytest.mark.asyncio


def _put(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """``body`` with ``value`` set at a dotted path (``[i]`` indexes a list)."""
    body = copy.deepcopy(body)
    *parents, last = path.split(".")
    node: Any = body
    for part in parents:
        name, _, index = part.partition("[")
        node = node[name]
        if index:
            node = node[int(index.rstrip("]"))]
    node[last] = value
    return body


async def test_misspelled_top_level_keys_are_refused(bank: Bank, mock_app: MockBankApp) -> None:
    for key in ("custom_routng", "metadta"):
        body = {**card_payout(), key: {"tags": []}}
        status, code, description = await bank.error("session/init/payout", body)
        assert (status, code, description) == (400, "invalid_request", f"{key}: unknown field")
    assert mock_app.state.sessions == {}


def _multi() -> dict[str, Any]:
    payment = card_payment()
    del payment["customer"]
    return {"payment_list": [payment], "payout_list": [card_payout()]}


FISCAL = {
    "professional_income_taxpayer": {
        "tax_reference": "123456789012",
        "services": [{"name": "Design", "amount_details": {"amount": 10_000, "currency": "rub"}}],
    }
}


#: (method, valid body, where the stray key goes, the description the emulator must answer)
NESTED = [
    (
        "session/init/payout",
        card_payout(),
        "payout_details.card.numbr",
        "payout_details.card.numbr: unknown field",
    ),
    (
        "session/init/payout",
        card_payout(),
        "payout_details.card.bank_card.cvv",
        "payout_details.card.bank_card.cvv: unknown field",
    ),
    (
        "session/init/payout",
        card_payout(),
        "amount_details.amout",
        "amount_details.amout: unknown field",
    ),
    (
        "session/init/payout",
        card_payout(),
        "participant_details.recipient.fullname",
        "participant_details.recipient.fullname: unknown field",
    ),
    (
        "session/init/payout",
        card_payout(),
        "participant_details.payee",
        "participant_details.payee: unknown field",
    ),
    (
        "session/init/payout",
        card_payout(),
        "payout_details.bank_account",
        "payout_details.bank_account: unknown field for type 'card'",
    ),
    (
        "session/init/payout/fiscalization",
        {**card_payout(), "fiscalization_details": FISCAL},
        "fiscalization_details.professional_income_taxpayer.services[0].price",
        "fiscalization_details.professional_income_taxpayer.services[0].price: unknown field",
    ),
    (
        "session/init/payment",
        card_payment(),
        "customer.referense",
        "customer.referense: unknown field",
    ),
    (
        "session/init/payment",
        card_payment(payment_options={"return_url": "https://x.test/"}),
        "payment_options.return_uri",
        "payment_options.return_uri: unknown field",
    ),
    (
        "session/init/payment",
        card_payment(customer={"reference": "u", "contacts": [{"email": "a@b.c"}]}),
        "customer.contacts[0].mail",
        "customer.contacts[0].mail: unknown field",
    ),
    (
        "session/multi/init",
        _multi(),
        "payout_list[0].payout_details.card.bank_card.numbr",
        "payout_list[0].payout_details.card.bank_card.numbr: unknown field",
    ),
    ("session/status", {"session_id": "ps_1"}, "sesion_id", "sesion_id: unknown field"),
    (
        "session/capture",
        {"session_id": "ps_1", "amount_details": {"amount": 1, "currency": "rub"}},
        "amount_details.curency",
        "amount_details.curency: unknown field",
    ),
]


@pytest.mark.parametrize(("method", "body", "path", "description"), NESTED)
async def test_unknown_nested_keys_are_named_by_path(
    bank: Bank, method: str, body: dict[str, Any], path: str, description: str
) -> None:
    response = await bank.call(method, _put(body, path, "x"))
    assert (response.status_code, response.json()) == (
        400,
        {"status": "error", "error": {"code": "invalid_request", "description": description}},
    )


#: v1-only methods: (method, body with a stray key, the description)
V1_METHODS = [
    ("token", {"acquiring_widget": {"sesion_id": "ps_1"}}, "acquiring_widget.sesion_id"),
    ("token/info", {"type": "public_token", "public_token": {"tokn": "x"}}, "public_token.tokn"),
    ("recurrent/status", {"recurrent": {"token": "t", "tokn": "t"}}, "recurrent.tokn"),
    (
        "tokenize",
        {"type": "bank_account_ru", "bank_account_ru": {"bic": "1"}},
        "bank_account_ru.bic",
    ),
    ("tokenize/elements", {"elements": [{"ref": "number", "pan": "1"}]}, "elements[0].pan"),
    ("subscription/cancel", {"subscription": "s"}, "subscription"),
    ("wallet/balance", {"request_date": "2026-01-01"}, "request_date"),
    ("report/account_balance", {"account": "1"}, "account"),
    ("report/account_statement", {"date": "2026-01-01"}, "date"),
    ("sberpay/push", {"phone": "79876543210", "session": "ps_1"}, "session"),
    ("npd/check", {"inn": "1"}, "inn"),
    ("npd/request/status", {"request": "1"}, "request"),
    ("npd/taxpayer/check_personal_info", {"tax_reference": "1", "surname": "I"}, "surname"),
    ("npd/notifications/count", {"tax_references": []}, "tax_references"),
    (
        "npd/notifications/update",
        {"notification_list": [{"tax_reference": "1", "message_ids": []}]},
        "notification_list[0].message_ids",
    ),
    ("calculate", {"amounts": {"source": {"amout": 1}}}, "amounts.source.amout"),
    ("fiscalization", {"session_id": "ps_1", "fiscalisation_details": {}}, "fiscalisation_details"),
    (
        "cash/payout/session/init",
        {"tcn_code": "x"},
        "tcn_code",
    ),
    (
        "session/multi/init/payment/nominal",
        {"payment_details": {"type": "internal_transfer", "internal_transfer": {"typ": "x"}}},
        "payment_details.internal_transfer.typ",
    ),
    (
        "session/init/payout/rko",
        {"payment_method": {"type": "tax", "tax": {"kbk": "1"}}},
        "payment_method.tax.kbk",
    ),
]


@pytest.mark.parametrize(("method", "body", "path"), V1_METHODS)
async def test_every_method_refuses_unknown_keys(
    bank: Bank, method: str, body: dict[str, Any], path: str
) -> None:
    status, code, description = await bank.error(method, body, version=1)
    assert (status, code, description) == (400, "invalid_request", f"{path}: unknown field")


async def test_unknown_keys_spend_no_idempotency_key(bank: Bank) -> None:
    body = {**card_payout(), "metadta": "x"}
    status, code, _ = await bank.error("session/init/payout", body, idempotency_key="k-1")
    assert (status, code) == (400, "invalid_request")
    session = await bank.session("session/init/payout", card_payout(), idempotency_key="k-1")
    assert session["status"] == "in_progress"


# -- what stays accepted ----------------------------------------------------------------------

PARTICIPANT = {
    "full_name": "Ivan Ivanov",
    "first_name": "Ivan",
    "last_name": "Ivanov",
    "middle_name": "Ivanovich",
    "company_name": "OOO Romashka",
    "reference": "user-7",
    "tax_reference": "123456789012",
    "beneficiary_id": "123456789012",
    "country_iso3": "RUS",
    "country_iso2": "RU",
    "city": "Kazan",
    "postal_code": "420000",
    "address_line": "Baumana 1",
    "street": "Baumana",
    "building": "1",
    "flat": "2",
    "state": "Tatarstan",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "document": "1234",
    "currency": "rub",
    "bank_name": "Bank 131",
    "registration_number": "1",
    "date_of_incorporation": "2020-01-01",
    "msisdn": "79991234567",
    "email": "a@b.c",
    "code": "1",
    "swift_bic_code": "BANKRUMM",
    "description": "x",
    "wallet_id": "w1",
    "date_of_birth": "1990-01-01",
    "citizenship_country_iso_3": "RUS",
    "citizenship_country_iso3": "RUS",
    "identity_document": {
        "id_type": "passport",
        "id_number": "4500123456",
        "id_expiration_date": "2030-01-01",
        "issue_date": "2010-01-01",
        "division_code": "770-001",
        "issued_by": "MVD",
    },
}
#: Free-form metadata: any keys at any depth.
METADATA = {"order": {"id": 7, "lines": [{"sku": "a", "anything": {"goes": True}}]}}
#: The fields the PHP SDK's session requests may carry beside the instrument and amount.
SDK_FIELDS: dict[str, Any] = {
    "metadata": METADATA,
    "payment_metadata": {"device_session_id": "d1", "device_session_id_list": ["d1", "d2"]},
    "custom_routing": {"tags": [{"root_tag": "t", "values": ["a", "b"]}]},
    "participant_details": {"sender": PARTICIPANT, "recipient": PARTICIPANT},
    "customer": {"reference": "user-7", "contacts": [{"email": "a@b.c", "phone": "7999"}]},
}


async def test_every_documented_payout_field_is_accepted(bank: Bank) -> None:
    body = {**card_payout(), **SDK_FIELDS}
    body["payout_details"]["card"]["bank_card"]["cardholder_name"] = "IVAN IVANOV"
    session = await bank.session("session/init/payout", body)
    assert session["payout_list"][0]["metadata"] == METADATA


async def test_every_documented_payment_field_is_accepted(bank: Bank) -> None:
    options = {
        "return_url": "https://x.test/",
        "recurrent": True,
        "expiration_at": "2026-01-01 00:00:00",
        "subscription": {"period": "month"},
        "platform_details": {"type": "mobile", "os": "android", "browser": "chrome"},
    }
    split = [{"contractor_alias": "c", "percent": "10", "remains": False, "amount": 100}]
    body = card_payment(**SDK_FIELDS, payment_options=options, revenue_split_info=split)
    session = await bank.session("session/init/payment", body)
    assert session["payment_list"][0]["revenue_split_info"] == split


@pytest.mark.parametrize(
    "payment_details",
    [
        {"type": "faster_payment_system", "faster_payment_system": []},  # PHP's empty object
        {"type": "faster_payment_system", "faster_payment_system": {"description": "x"}},
        {"type": "faster_payment_system_binding", "faster_payment_system_binding": []},
        {"type": "recurrent", "recurrent": {"token": "rt_1", "initiator": "client"}},
        {
            "type": "secured_card",
            "secured_card": {"type": "google_pay", "google_pay": {"token": "g"}},
        },
        {
            "type": "internet_banking",
            "internet_banking": {"type": "sber_pay", "sber_pay": {"channel": "app", "phone": "7"}},
        },
        {
            "type": "crypto_wallet",
            "crypto_wallet": {
                "type": "ton",
                "ton": {"address": "a", "product_id": "p", "product_name": "n"},
            },
        },
        {"type": "moneysend", "moneysend": {"whatever": {"the": "bank sends"}}},
    ],
    ids=lambda d: d["type"],
)
async def test_documented_payment_instruments_are_accepted(
    bank: Bank, payment_details: dict[str, Any]
) -> None:
    body = card_payment()
    body["payment_details"] = payment_details
    session = await bank.session("session/init/payment", body)
    assert session["payment_list"][0]["payment_details"]["type"] == payment_details["type"]


TAX_DETAILS = {"kbk": "18210102010011000110", "oktmo": "45000000", "period": "МС.02.2020"}


@pytest.mark.parametrize(
    "tax",
    [
        # the PHP SDK's flattened shape
        {
            "type": "tax_full",
            "description": "НДФЛ",
            "uin": "0",
            "tax_details": TAX_DETAILS,
            "payer": {"kpp": "770101001", "inn": "7701010101"},
            "payee": {"bik": "044525000", "account": "40102810045370000002", "name": "УФК"},
        },
        {
            "type": "tax_short",
            "tax_details": {"period": {"type": "month", "number": 2, "year": "2021"}},
        },
        # the docs' nested shape
        {
            "type": "tax_full",
            "tax_full": {"uin": "0", "description": "x", "tax_details": TAX_DETAILS},
        },
    ],
    ids=["sdk-full", "sdk-short", "docs-full"],
)
async def test_both_tax_shapes_are_accepted(bank: Bank, tax: dict[str, Any]) -> None:
    body = card_payout()
    body["payout_details"] = {"type": "tax", "tax": tax}
    session = await bank.session("session/init/payout", body)
    assert session["payout_list"][0]["payout_details"]["type"] == "tax"


@pytest.mark.parametrize(
    "bank_account",
    [
        {
            "system_type": "ru",
            "ru": {
                "bik": "044525974",
                "account": "40817810000000001234",
                "full_name": "Ivan Ivanov",
                "description": "Salary",
                "inn": "123456789012",
                "kpp": "770101001",
                "is_fast": True,
            },
        },
        {
            "system_type": "faster_payment_system",
            "faster_payment_system": {"phone": "79991234567", "bank_id": "1", "description": "x"},
        },
        {"system_type": "iban", "iban": {"account": "UA213223130000026007233566001"}},
        {"system_type": "upi", "upi": []},
    ],
    ids=lambda a: a["system_type"],
)
async def test_documented_bank_accounts_are_accepted(
    bank: Bank, bank_account: dict[str, Any]
) -> None:
    body = card_payout()
    body["payout_details"] = {"type": "bank_account", "bank_account": bank_account}
    session = await bank.session("session/init/payout", body)
    echoed = session["payout_list"][0]["payout_details"]["bank_account"]
    assert echoed["system_type"] == bank_account["system_type"]


async def test_wallet_payout_is_accepted(bank: Bank) -> None:
    body = card_payout()
    wallet = {"type": "yoomoney", "yoomoney": {"account": "41001000000000", "description": "x"}}
    body["payout_details"] = {"type": "wallet", "wallet": wallet}
    session = await bank.session("session/init/payout", body)
    assert session["payout_list"][0]["payout_details"]["type"] == "wallet"


async def test_v1_spelling_is_accepted_on_v1(bank: Bank) -> None:
    body = {**card_payout(version=1), **SDK_FIELDS}
    session = await bank.session("session/init/payout", body, version=1)
    assert session["payments"][0]["metadata"] == METADATA


async def test_widget_token_fields_are_accepted(bank: Bank) -> None:
    session = await bank.session("session/create", {})
    widget = {
        "session_id": session["id"],
        "success_return_url": "https://x.test/ok",
        "failure_return_url": "https://x.test/no",
        "show_recurrent_checkbox": False,
        "success_on_hold": False,
    }
    body = {
        "acquiring_widget": widget,
        "tokenize_widget": {"access": True},
        "self_employed_widget": {"tax_reference": "123456789012"},
    }
    response = await bank.call("token", body, version=1)
    assert response.status_code == 200, response.text
