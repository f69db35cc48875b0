"""Session models: realistic responses of both API versions, wire shapes, money, masking."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from bank131_async.converter import dumps, loads, structure
from bank131_async.errors import Bank131Error, InvalidAmountError, RequestValidationError
from bank131_async.models import (
    AcquiringPayment,
    AmountDetails,
    BankAccountType,
    BankCard,
    CardType,
    ConfirmInformation,
    CustomerInteractionType,
    EncryptedCard,
    FiscalizationReceipt,
    IdentityDocument,
    NextAction,
    OperationStatus,
    Participant,
    PaymentDetails,
    PaymentDetailsType,
    Payout,
    PayoutDetails,
    PayoutDetailsType,
    QrCode,
    RecurrentInitiator,
    RefundStatus,
    Session,
    SessionStatus,
    TaxDetails,
    TaxParty,
    TaxPeriod,
    TokenizedCard,
    WalletType,
)

# --------------------------------------------------------------------------- realistic bodies
# Built from the examples in objects.md / webhooks.md, written in the v2 spelling; v1() turns
# them into the v1 spelling.

CARD_PAYOUT: dict[str, Any] = {
    "id": "ps_3230",
    "status": "in_progress",
    "created_at": "2020-05-29T07:01:37.499907Z",
    "updated_at": "2020-05-29T07:01:38.120000Z",
    "next_action": "confirm",
    "payout_list": [
        {
            "id": "po_2025",
            "status": "pending",
            "created_at": "2020-05-29T07:01:37.512312Z",
            "customer": {"reference": "lucky", "contacts": [{"email": "a@example.com"}]},
            "payout_details": {
                "type": "card",
                "card": {"last4": "4940", "brand": "mir", "bin": "220024", "country_iso3": "RUS"},
            },
            "participant_details": {"recipient": {"full_name": "Ivanov Ivan Ivanovich"}},
            "amount_details": {"amount": 800000, "currency": "rub"},
            "amounts": {
                "fee": {"merchant_fee": {"amount": 10, "currency": "RUB"}},
                "net": {"amount": 799990, "currency": "rub"},
                "gross": {"amount": 800000, "currency": "rub"},
            },
            "transaction_info": {"rrn": "123456789012", "auth_code": "A1B2C3"},
            "metadata": "good",
        }
    ],
}

ACQUIRING_REDIRECT: dict[str, Any] = {
    "id": "ps_131",
    "status": "in_progress",
    "created_at": "2021-02-01T10:00:00Z",
    "updated_at": "2021-02-01T10:00:05.000001Z",
    "payment_list": [
        {
            "id": "pm_131",
            "status": "pending",
            "created_at": "2021-02-01T10:00:00Z",
            "customer": {"reference": "user-77"},
            "payment_details": {
                "type": "card",
                "card": {
                    "brand": "visa",
                    "last4": "4242",
                    "bin": "424242",
                    "card_id": "c_1",
                },
            },
            "amount_details": {"amount": 15000, "currency": "rub"},
            "payment_options": {"return_url": "https://shop.example/return"},
            "customer_interaction": {
                "type": "redirect",
                "redirect": {
                    "url": "https://bank131.ru?foo=bar",
                    "base_url": "https://bank131.ru",
                    "method": "POST",
                    "qs": {"foo": "bar"},
                    "params": {"PaReq": "eJxVUt1u", "MD": 42},
                },
            },
            "amounts": {"fee": {"merchant_fee": {"amount": 150, "currency": "RUB"}}},
            "metadata": {"order": 77},
        }
    ],
}

ACQUIRING_QR: dict[str, Any] = {
    "id": "ps_132",
    "status": "in_progress",
    "payment_list": [
        {
            "id": "pm_132",
            "status": "pending",
            "customer": {"reference": "user-78", "contacts": [{"phone": "7900***4567"}]},
            "payment_details": {"type": "faster_payment_system", "faster_payment_system": {}},
            "amount_details": {"amount": 100, "currency": "rub"},
            "customer_interaction": {
                "type": "inform",
                "inform": {
                    "qr": {
                        "content": "https://qr.nspk.ru/AD10006M",
                        "img": "iVBORw0KGgoAAAANSUhEUgAA",
                    }
                },
            },
        }
    ],
}

REFUNDED: dict[str, Any] = {
    "id": "ps_203",
    "status": "accepted",
    "finished_at": "2021-02-03T12:00:00Z",
    "payment_list": [
        {
            "id": "pm_203",
            "status": "succeeded",
            "customer": {"reference": "user-1"},
            "amount_details": {"amount": 20000, "currency": "rub"},
            "refunds": [
                {
                    "id": "rf_203",
                    "status": "accepted",
                    "created_at": "2021-02-03T11:00:00Z",
                    "finished_at": "2021-02-03T11:05:00.5Z",
                    "amount_details": {"amount": 5000, "currency": "rub"},
                },
                {
                    "id": "rf_204",
                    "status": "in_progress",
                    "amount_details": {"amount": 15000, "currency": "rub"},
                    "metadata": "second",
                },
            ],
        }
    ],
}

CHARGEBACK: dict[str, Any] = copy.deepcopy(REFUNDED)
CHARGEBACK["payment_list"][0]["refunds"][0]["is_chargeback"] = True
CHARGEBACK["payment_list"][0]["refunds"][1]["is_chargeback"] = False

FISCALIZED: dict[str, Any] = {
    "id": "ps_500",
    "status": "accepted",
    "payout_list": [
        {
            "id": "po_500",
            "status": "succeeded",
            "finished_at": "2021-03-01T00:00:00Z",
            "payout_details": {
                "type": "bank_account",
                "bank_account": {
                    "system_type": "ru",
                    "ru": {
                        "bik": "044525974",
                        "account": "40817810000000000001",
                        "full_name": "Иванов Иван Иванович",
                        "description": "Оплата по договору 15",
                    },
                },
            },
            "amount_details": {"amount": 30000, "currency": "rub"},
            "fiscalization_details": {
                "professional_income_taxpayer": {
                    "tax_reference": "123456789012",
                    "payer_type": "legal",
                    "payer_tax_number": "7700000000",
                    "payer_name": "OOO Romashka",
                    "services": [
                        {
                            "name": "Design",
                            "amount_details": {"amount": 10000, "currency": "rub"},
                            "quantity": 3,
                        }
                    ],
                    "receipt": {"id": "20abc", "link": "https://lknpd.nalog.ru/api/v1/receipt/1"},
                }
            },
        }
    ],
}

WITH_CONFIRM_INFORMATION: dict[str, Any] = {
    "id": "ps_900",
    "status": "in_progress",
    "next_action": "confirm",
    "payout_list": [{"id": "po_900", "status": "pending"}],
    "confirm_information": {
        "transfer_details": {
            "payout_details": {
                "type": "card",
                "card": {"brand": "mir", "last4": "4940"},
            },
            "customer": {
                "account_number": "40702810000000000001",
                "name": "OOO Romashka",
                "bank_name": "Bank 131",
                "bik": "049205131",
                "correspondent_account_number": "30101810822029205131",
            },
            "recipient": {"name": "Ivanov Ivan"},
            "purpose": "Payout; card:220024******4940",
            "amount": {"amount": 100000, "currency": "rub"},
        },
        "account_details": {
            "sender": {"account_number": "40702810000000000001", "inn": "7700000000", "kpp": "1"},
            "recipient": {"name": "Ivanov Ivan", "inn": "123456789012"},
        },
        "exchanges": [
            {
                "id": "fx_1",
                "source": {"amount": 100000, "currency": "rub"},
                "destination": {"amount": 1100, "currency": "usd"},
                "fx_rate": "90.9090",
                "commission": {"amount": 100, "currency": "rub"},
            }
        ],
    },
}

EXAMPLES = [
    pytest.param(CARD_PAYOUT, id="card-payout"),
    pytest.param(ACQUIRING_REDIRECT, id="acquiring-redirect"),
    pytest.param(ACQUIRING_QR, id="acquiring-qr"),
    pytest.param(REFUNDED, id="refunds"),
    pytest.param(CHARGEBACK, id="chargeback"),
    pytest.param(FISCALIZED, id="fiscalized-payout"),
    pytest.param(WITH_CONFIRM_INFORMATION, id="confirm-information"),
]


def v1(data: dict[str, Any]) -> dict[str, Any]:
    """The same session in the API v1 spelling."""
    out = copy.deepcopy(data)
    if "payout_list" in out:
        out["payments"] = out.pop("payout_list")
        for payout in out["payments"]:
            if "payout_details" in payout:
                payout["payment_method"] = payout.pop("payout_details")
    if "payment_list" in out:
        out["acquiring_payments"] = out.pop("payment_list")
    transfer = out.get("confirm_information", {}).get("transfer_details")
    if transfer and "payout_details" in transfer:
        transfer["payment_method"] = transfer.pop("payout_details")
    return out


#: Free-form maps: their keys are data, not fields.
FREE_FORM = frozenset({"metadata", "qs", "params", "tds_data"})


def with_unknown_fields(value: Any) -> Any:
    """Add unknown keys to every object at every level (free-form maps are left alone)."""
    if isinstance(value, dict):
        out = {k: v if k in FREE_FORM else with_unknown_fields(v) for k, v in value.items()}
        out["zz_new_field"] = {"nested": [1, "x", None], "flag": True}
        out["zz_new_scalar"] = 1.5
        return out
    if isinstance(value, list):
        return [with_unknown_fields(v) for v in value]
    return value


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize("data", EXAMPLES)
def test_v1_and_v2_spellings_parse_to_the_same_session(data: dict[str, Any]) -> None:
    v2_session = structure(data, Session)
    v1_data = v1(data)
    assert v1_data != data
    assert structure(v1_data, Session) == v2_session
    assert loads(json.dumps(v1_data).encode(), Session) == v2_session


@pytest.mark.parametrize("data", EXAMPLES)
def test_unknown_fields_at_every_level_are_ignored(data: dict[str, Any]) -> None:
    noisy = with_unknown_fields(data)
    assert structure(noisy, Session) == structure(data, Session)
    assert structure(with_unknown_fields(v1(data)), Session) == structure(data, Session)


@pytest.mark.parametrize("data", EXAMPLES)
def test_examples_round_trip(data: dict[str, Any]) -> None:
    session = structure(data, Session)
    assert loads(dumps(session), Session) == session


def test_card_payout_fields() -> None:
    session = structure(CARD_PAYOUT, Session)
    assert session.id == "ps_3230"
    assert session.status is SessionStatus.IN_PROGRESS
    assert session.next_action is NextAction.CONFIRM
    assert session.created_at == datetime(2020, 5, 29, 7, 1, 37, 499907, tzinfo=UTC)
    assert session.payment_list == ()
    (payout,) = session.payout_list
    assert session.operations == (payout,)
    assert payout.status is OperationStatus.PENDING
    assert not payout.is_final
    assert payout.payout_details is not None
    assert payout.payout_details.type is PayoutDetailsType.CARD
    card = payout.payout_details.card
    assert card is not None
    assert (card.brand, card.last4, card.bin, card.country_iso3) == ("mir", "4940", "220024", "RUS")
    assert card.type is None
    assert payout.amount_details == AmountDetails(amount=800000, currency="rub")
    assert payout.amounts is not None
    assert payout.amounts.fee is not None
    assert payout.amounts.fee.merchant_fee == AmountDetails(amount=10, currency="RUB")
    assert payout.amounts.net == AmountDetails(amount=799990, currency="rub")
    assert payout.participant_details is not None
    assert payout.participant_details.recipient == Participant(full_name="Ivanov Ivan Ivanovich")
    assert payout.customer is not None
    assert payout.customer.contacts is not None
    assert payout.customer.contacts[0].email == "a@example.com"
    assert payout.transaction_info is not None
    assert payout.transaction_info.rrn == "123456789012"
    assert payout.metadata == "good"
    assert payout.refunds == ()
    assert not session.is_finished


def test_acquiring_redirect_fields() -> None:
    session = structure(ACQUIRING_REDIRECT, Session)
    (payment,) = session.payment_list
    assert isinstance(payment, AcquiringPayment)
    assert payment.payment_details is not None
    assert payment.payment_details.type is PaymentDetailsType.CARD
    assert payment.payment_details.card is not None
    assert payment.payment_details.card.card_id == "c_1"
    assert payment.payment_options is not None
    assert payment.payment_options.return_url == "https://shop.example/return"
    interaction = payment.customer_interaction
    assert interaction is not None
    assert interaction.type is CustomerInteractionType.REDIRECT
    assert interaction.redirect is not None
    assert interaction.redirect.base_url == "https://bank131.ru"
    assert interaction.redirect.method == "POST"
    assert interaction.redirect.qs == {"foo": "bar"}
    assert interaction.redirect.params == {"PaReq": "eJxVUt1u", "MD": 42}
    assert interaction.inform is None
    assert payment.metadata == {"order": 77}
    assert session.updated_at == datetime(2021, 2, 1, 10, 0, 5, 1, tzinfo=UTC)


def test_acquiring_qr_fields() -> None:
    session = structure(ACQUIRING_QR, Session)
    (payment,) = session.payment_list
    assert payment.payment_details is not None
    assert payment.payment_details.type is PaymentDetailsType.FASTER_PAYMENT_SYSTEM
    interaction = payment.customer_interaction
    assert interaction is not None
    assert interaction.type is CustomerInteractionType.INFORM
    assert interaction.inform is not None
    assert interaction.inform.qr == QrCode(
        content="https://qr.nspk.ru/AD10006M", img="iVBORw0KGgoAAAANSUhEUgAA"
    )
    # The (large) QR image never floods a repr.
    assert "iVBORw0KGgo" not in repr(session)
    assert "<image>" in repr(session)


def test_refund_fields() -> None:
    session = structure(REFUNDED, Session)
    assert session.status is SessionStatus.ACCEPTED
    (payment,) = session.payment_list
    assert payment.is_final
    first, second = payment.refunds
    assert first.status is RefundStatus.ACCEPTED
    assert first.amount_details == AmountDetails(amount=5000, currency="rub")
    assert first.finished_at == datetime(2021, 2, 3, 11, 5, 0, 500000, tzinfo=UTC)
    assert first.is_chargeback is None
    assert second.status is RefundStatus.IN_PROGRESS
    assert second.metadata == "second"
    assert session.is_finished


def test_chargeback_refund_fields() -> None:
    session = structure(CHARGEBACK, Session)
    first, second = session.payment_list[0].refunds
    assert first.is_chargeback is True
    assert second.is_chargeback is False
    assert structure(v1(CHARGEBACK), Session) == session


def test_fiscalization_receipt() -> None:
    session = structure(FISCALIZED, Session)
    (payout,) = session.payout_list
    assert payout.payout_details is not None
    account = payout.payout_details.bank_account
    assert account is not None
    assert account.system_type is BankAccountType.RU
    assert account.ru is not None
    assert account.ru.full_name == "Иванов Иван Иванович"
    taxpayer = payout.fiscalization_details
    assert taxpayer is not None
    assert taxpayer.professional_income_taxpayer is not None
    pit = taxpayer.professional_income_taxpayer
    assert pit.payer_type == "legal"
    assert pit.services[0].quantity == 3
    assert pit.services[0].amount_details.amount == 10000
    assert pit.receipt == FiscalizationReceipt(
        id="20abc", link="https://lknpd.nalog.ru/api/v1/receipt/1"
    )
    assert session.is_finished


def test_confirm_information() -> None:
    session = structure(WITH_CONFIRM_INFORMATION, Session)
    info = session.confirm_information
    assert isinstance(info, ConfirmInformation)
    assert info.transfer_details is not None
    assert info.transfer_details.payout_details is not None
    assert info.transfer_details.payout_details.type is PayoutDetailsType.CARD
    assert info.transfer_details.customer is not None
    assert info.transfer_details.customer.bik == "049205131"
    assert info.transfer_details.amount == AmountDetails(amount=100000, currency="rub")
    assert info.transfer_details.purpose == "Payout; card:220024******4940"
    assert info.account_details is not None
    assert info.account_details.sender is not None
    assert info.account_details.sender.inn == "7700000000"
    assert info.exchanges is not None
    assert info.exchanges[0].fx_rate == "90.9090"
    assert info.exchanges[0].destination == AmountDetails(amount=1100, currency="usd")


def test_unknown_enum_values_and_types_are_kept() -> None:
    data = {
        "id": "ps_1",
        "status": "frozen",
        "next_action": "sign",
        "payout_list": [
            {
                "id": "po_1",
                "status": "reversed",
                "payout_details": {"type": "crypto", "crypto": {"address": "x"}},
                "customer_interaction": {"type": "telepathy", "telepathy": {}},
                "refunds": [{"id": "rf", "status": "partially_done"}],
            }
        ],
        "payment_list": [
            {
                "id": "pm_1",
                "status": "succeeded",
                "payment_details": {
                    "type": "internet_banking",
                    "internet_banking": {"type": "new_bank", "new_bank": {}},
                },
            }
        ],
    }
    session = structure(data, Session)
    assert session.status == "frozen"
    assert session.next_action == "sign"
    payout = session.payout_list[0]
    assert payout.status == "reversed"
    assert not payout.is_final
    assert payout.payout_details is not None
    assert payout.payout_details.type == "crypto"
    assert payout.customer_interaction is not None
    assert payout.customer_interaction.type == "telepathy"
    assert payout.refunds[0].status == "partially_done"
    payment = session.payment_list[0]
    assert payment.payment_details is not None
    assert payment.payment_details.internet_banking is not None
    assert payment.payment_details.internet_banking.type == "new_bank"
    assert not session.is_finished


def test_v2_spelling_wins_when_both_are_present() -> None:
    data = {
        "id": "ps",
        "status": "accepted",
        "payout_list": [{"id": "po_v2", "status": "succeeded"}],
        "payments": [{"id": "po_v1", "status": "succeeded"}],
        "payment_list": [],
        "acquiring_payments": [{"id": "pm_v1", "status": "succeeded"}],
    }
    session = structure(data, Session)
    assert [p.id for p in session.payout_list] == ["po_v2"]
    assert session.payment_list == ()


def test_session_error_and_operation_error() -> None:
    data = {
        "id": "ps_1",
        "status": "cancelled",
        "error": {"code": "session_cancelled", "description": "cancelled"},
        "payout_list": [
            {
                "id": "po",
                "status": "failed",
                "error": {
                    "code": "operation_rejected",
                    "reject_reasons": [
                        {"rule_alias": "r1", "expiration_date": "2030-01-01T00:00:00Z"}
                    ],
                },
            }
        ],
    }
    session = structure(data, Session)
    assert session.error is not None
    assert session.error.code == "session_cancelled"
    error = session.payout_list[0].error
    assert error is not None
    assert error.reject_reasons is not None
    assert error.reject_reasons[0].rule_alias == "r1"
    assert error.reject_reasons[0].expiration_date == datetime(2030, 1, 1, tzinfo=UTC)
    assert session.is_finished


@pytest.mark.parametrize(
    ("status", "op_statuses", "finished"),
    [
        ("accepted", ["succeeded"], True),
        ("cancelled", ["failed"], True),
        ("cancelled", [], True),
        ("accepted", ["succeeded", "in_progress"], False),
        ("in_progress", ["succeeded"], False),
        ("error", ["failed"], False),  # error is not final
        ("created", [], False),
        ("something_new", [], False),
    ],
)
def test_is_finished(status: str, op_statuses: list[str], finished: bool) -> None:
    data = {
        "id": "ps",
        "status": status,
        "payout_list": [{"id": f"po{i}", "status": s} for i, s in enumerate(op_statuses)],
    }
    assert structure(data, Session).is_finished is finished


# --------------------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        (100.0, TypeError),
        (100.5, TypeError),
        (True, TypeError),
        (False, TypeError),
        ("100", TypeError),
        (None, TypeError),
        (-1, ValueError),
    ],
)
def test_amount_must_be_a_non_negative_int(amount: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="amount"):
        AmountDetails(amount=amount, currency="rub")


def test_amount_error_message_explains_minor_units() -> None:
    with pytest.raises(TypeError, match="minor units"):
        AmountDetails(amount=1.5, currency="rub")  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["100.0", "1e2", "true"])
def test_float_in_session_json_is_rejected(amount: str) -> None:
    body = '{"id":"ps","status":"accepted","payout_list":[{"id":"po","status":"succeeded",'
    body += f'"amount_details":{{"amount":{amount},"currency":"rub"}}}}]}}'
    with pytest.raises(TypeError):
        loads(body.encode(), Session)


def test_models_are_frozen() -> None:
    amount = AmountDetails(amount=1, currency="rub")
    with pytest.raises(AttributeError):
        amount.amount = 2  # type: ignore[misc]


# --------------------------------------------------------------------------- constructors


@pytest.mark.parametrize(
    ("details", "wire"),
    [
        pytest.param(
            PayoutDetails.from_card(BankCard(number="4242424242424242")),
            {
                "type": "card",
                "card": {"type": "bank_card", "bank_card": {"number": "4242424242424242"}},
            },
            id="payout-bank-card",
        ),
        pytest.param(
            PayoutDetails.from_card(EncryptedCard(number_hash="h" * 20)),
            {
                "type": "card",
                "card": {"type": "encrypted_card", "encrypted_card": {"number_hash": "h" * 20}},
            },
            id="payout-encrypted-card",
        ),
        pytest.param(
            PayoutDetails.from_card(TokenizedCard(token="tok_123456789")),
            {
                "type": "card",
                "card": {"type": "tokenized_card", "tokenized_card": {"token": "tok_123456789"}},
            },
            id="payout-tokenized-card",
        ),
        pytest.param(
            PayoutDetails.from_bank_account_ru(
                bik="044525974",
                account="40817810000000000001",
                full_name="Ivan Ivanov",
                description="Payout under contract 15",
            ),
            {
                "type": "bank_account",
                "bank_account": {
                    "system_type": "ru",
                    "ru": {
                        "bik": "044525974",
                        "account": "40817810000000000001",
                        "full_name": "Ivan Ivanov",
                        "description": "Payout under contract 15",
                    },
                },
            },
            id="payout-bank-account-ru",
        ),
        pytest.param(
            PayoutDetails.from_bank_account_ru(
                bik="044525974",
                account="40702810000000000001",
                full_name="OOO Romashka",
                description="Invoice 7",
                inn="7700000000",
                kpp="770001001",
                is_fast=True,
            ),
            {
                "type": "bank_account",
                "bank_account": {
                    "system_type": "ru",
                    "ru": {
                        "bik": "044525974",
                        "account": "40702810000000000001",
                        "full_name": "OOO Romashka",
                        "description": "Invoice 7",
                        "inn": "7700000000",
                        "kpp": "770001001",
                        "is_fast": True,
                    },
                },
            },
            id="payout-bank-account-ru-legal",
        ),
        pytest.param(
            PayoutDetails.from_fps(
                phone="79001234567", bank_id="100000000004", description="Payout"
            ),
            {
                "type": "bank_account",
                "bank_account": {
                    "system_type": "faster_payment_system",
                    "faster_payment_system": {
                        "phone": "79001234567",
                        "bank_id": "100000000004",
                        "description": "Payout",
                    },
                },
            },
            id="payout-fps",
        ),
        pytest.param(
            PayoutDetails.from_wallet("41001234567890"),
            {
                "type": "wallet",
                "wallet": {"type": "yoomoney", "yoomoney": {"account": "41001234567890"}},
            },
            id="payout-wallet-yoomoney",
        ),
        pytest.param(
            PayoutDetails.from_wallet("4100", description="Prize", type=WalletType.QIWI),
            {
                "type": "wallet",
                "wallet": {"type": "qiwi", "qiwi": {"account": "4100", "description": "Prize"}},
            },
            id="payout-wallet-qiwi",
        ),
        pytest.param(
            PaymentDetails.from_card(
                BankCard(
                    number="4242424242424242",
                    expiration_month="12",
                    expiration_year="30",
                    security_code="123",
                    cardholder_name="IVAN IVANOV",
                )
            ),
            {
                "type": "card",
                "card": {
                    "type": "bank_card",
                    "bank_card": {
                        "number": "4242424242424242",
                        "expiration_month": "12",
                        "expiration_year": "30",
                        "security_code": "123",
                        "cardholder_name": "IVAN IVANOV",
                    },
                },
            },
            id="payment-bank-card",
        ),
        pytest.param(
            PaymentDetails.from_recurrent("tok_recurrent_1", initiator=RecurrentInitiator.CLIENT),
            {"type": "recurrent", "recurrent": {"token": "tok_recurrent_1", "initiator": "client"}},
            id="payment-recurrent",
        ),
        pytest.param(
            PaymentDetails.from_recurrent("tok_recurrent_1"),
            {"type": "recurrent", "recurrent": {"token": "tok_recurrent_1"}},
            id="payment-recurrent-default-initiator",
        ),
        pytest.param(
            PaymentDetails.from_fps(),
            {"type": "faster_payment_system", "faster_payment_system": {}},
            id="payment-fps",
        ),
        pytest.param(
            PaymentDetails.from_fps(description="Order 5"),
            {"type": "faster_payment_system", "faster_payment_system": {"description": "Order 5"}},
            id="payment-fps-description",
        ),
    ],
)
def test_constructor_wire_shapes(
    details: PayoutDetails | PaymentDetails, wire: dict[str, Any]
) -> None:
    data = dumps(details)
    assert data == json.dumps(wire, separators=(",", ":"), ensure_ascii=False).encode()
    # And the wire shape parses back into an equal object.
    assert structure(wire, type(details)) == details


def test_constructor_types_are_enums() -> None:
    card = PayoutDetails.from_card(BankCard(number="4242424242424242"))
    assert card.type is PayoutDetailsType.CARD
    assert card.card is not None
    assert card.card.type is CardType.BANK_CARD
    fps = PayoutDetails.from_fps(phone="7", bank_id="1", description="d")
    assert fps.bank_account is not None
    assert fps.bank_account.system_type is BankAccountType.FASTER_PAYMENT_SYSTEM


# --------------------------------------------------------------------------- masking


def test_bank_card_repr_is_masked() -> None:
    card = BankCard(
        number="4242424242424242", expiration_month="12", expiration_year="30", security_code="987"
    )
    text = repr(card)
    assert "4242424242424242" not in text
    assert "424242******4242" in text
    assert "987" not in text
    assert "security_code='***'" in text


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("4242424242424242", "424242******4242"),
        ("4242 4242 4242 4242", "424242******4242"),
        ("2200240000000000004", "220024*********0004"),
        ("12345", "****"),
    ],
)
def test_pan_masking(number: str, shown: str) -> None:
    assert f"number={shown!r}" in repr(BankCard(number=number))


def test_payout_details_and_session_repr_are_masked() -> None:
    card = BankCard(number="5536913700008371", security_code="321")
    details = PayoutDetails.from_card(card)
    session = Session(
        id="ps_1",
        status="in_progress",
        payout_list=(Payout(id="po_1", status="pending", payout_details=details),),
    )
    for text in (repr(details), repr(session), str(session)):
        assert "5536913700008371" not in text
        assert "553691******8371" in text
        assert "321" not in text


@pytest.mark.parametrize(
    ("obj", "secret"),
    [
        (TokenizedCard(token="tok_abcdefghijklmnopqrstuvwxyz"), "abcdefghijklmnopqrstuvwxyz"),
        (
            EncryptedCard(number_hash="hash_0123456789abcdef", security_code_hash="cvchash"),
            "0123456789abcdef",
        ),
        (EncryptedCard(number_hash="h", security_code_hash="cvchash_secret"), "cvchash_secret"),
        (PaymentDetails.from_recurrent("rec_tok_0123456789abcdef"), "0123456789abcdef"),
        (IdentityDocument(id_type="passport", id_number="4510123456"), "4510123456"),
    ],
)
def test_secrets_are_masked_in_repr(obj: object, secret: str) -> None:
    assert secret not in repr(obj)


def test_response_without_discriminators_still_parses() -> None:
    data = {
        "id": "ps_1",
        "status": "accepted",
        "payout_list": [
            {
                "id": "po_1",
                "status": "succeeded",
                "payout_details": {"card": {"last4": "4940"}},
                "customer_interaction": {"redirect": {"url": "https://x"}},
            },
            {
                "id": "po_2",
                "status": "succeeded",
                "payout_details": {"bank_account": {"ru": {"bik": "044525974"}}},
            },
        ],
        "payment_list": [
            {
                "id": "pm_1",
                "status": "succeeded",
                "payment_details": {"wallet": {"yoomoney": {"account": "4100"}}},
            }
        ],
    }
    session = structure(data, Session)
    first, second = session.payout_list
    assert first.payout_details is not None
    assert first.payout_details.type is None
    assert first.payout_details.card is not None
    assert first.payout_details.card.last4 == "4940"
    assert first.customer_interaction is not None
    assert first.customer_interaction.type is None
    assert second.payout_details is not None
    assert second.payout_details.bank_account is not None
    assert second.payout_details.bank_account.system_type is None
    payment = session.payment_list[0]
    assert payment.payment_details is not None
    assert payment.payment_details.wallet is not None
    assert payment.payment_details.wallet.type is None
    assert session.is_finished


@pytest.mark.parametrize("key", ["citizenship_country_iso_3", "citizenship_country_iso3"])
def test_participant_citizenship_accepts_both_documented_spellings(key: str) -> None:
    participant = structure({key: "RUS"}, Participant)
    assert participant.citizenship_country_iso_3 == "RUS"


# --------------------------------------------------------------------------- tax payouts

TAX_PARTIES = {
    "payer": {"inn": "7707083893", "kpp": "770701001"},
    "payee": {
        "bik": "024501901",
        "account": "03100643000000018500",
        "account_eks": "40102810445370000059",
        "name": "Federal Treasury",
        "inn": "7727406020",
        "kpp": "770801001",
    },
}
TAX_DETAILS = {
    "kbk": "18210102010011000110",
    "oktmo": "45382000",
    "payment_reason": "ТП",
    "period": "МС.02.2020",
    "document_number": "0",
    "document_date": "0",
}


def test_tax_full_constructor_sends_the_sdk_shape() -> None:
    details = PayoutDetails.from_tax_full(
        uin="0",
        description="НДФЛ за февраль",
        tax_details=structure(TAX_DETAILS, TaxDetails),
        payer=structure(TAX_PARTIES["payer"], TaxParty),
        payee=structure(TAX_PARTIES["payee"], TaxParty),
    )
    wire = json.loads(dumps(details))
    assert wire == {
        "type": "tax",
        "tax": {
            "type": "tax_full",
            "description": "НДФЛ за февраль",
            "uin": "0",
            "tax_details": TAX_DETAILS,
            **TAX_PARTIES,
        },
    }


def test_tax_short_constructor_sends_the_period_object() -> None:
    details = PayoutDetails.from_tax_short(period=TaxPeriod(type="month", number=2, year="2021"))
    assert dumps(details) == (
        b'{"type":"tax","tax":{"type":"tax_short","tax_details":'
        b'{"period":{"type":"month","number":2,"year":"2021"}}}}'
    )


@pytest.mark.parametrize(
    "tax",
    [
        {"type": "tax_full", "uin": "0", "tax_details": TAX_DETAILS, **TAX_PARTIES},
        {"type": "tax_full", "tax_full": {"uin": "0", "tax_details": TAX_DETAILS, **TAX_PARTIES}},
    ],
    ids=["sdk-flattened", "docs-nested"],
)
def test_both_documented_tax_shapes_parse(tax: dict[str, Any]) -> None:
    parsed = structure({"type": "tax", "tax": tax}, PayoutDetails).tax
    assert parsed is not None
    fields = parsed.tax_full or parsed
    assert fields.uin == "0"
    assert fields.tax_details is not None
    assert fields.tax_details.kbk == "18210102010011000110"
    assert fields.tax_details.period == "МС.02.2020"
    assert fields.payee is not None
    assert fields.payee.account_eks == "40102810445370000059"


@pytest.mark.parametrize(
    "amount", [100.5, 100.0, Decimal("100"), "100", True, -1], ids=lambda v: repr(v)
)
def test_a_bad_amount_is_the_sdks_error_and_a_builtin_one(amount: object) -> None:
    with pytest.raises(InvalidAmountError, match="amount") as info:
        AmountDetails(amount=amount, currency="rub")  # type: ignore[arg-type]
    error = info.value
    assert isinstance(error, Bank131Error)
    assert isinstance(error, TypeError)
    assert isinstance(error, ValueError)
    assert isinstance(error, RequestValidationError)


@pytest.mark.parametrize("currency", ["rub", "RUB", " Rub "])
def test_a_currency_is_kept_in_the_banks_lower_case(currency: str) -> None:
    amount = AmountDetails(amount=100, currency=currency)
    assert amount.currency == "rub"
    assert dumps(amount) == b'{"amount":100,"currency":"rub"}'


def test_a_currency_that_is_not_text_is_refused() -> None:
    with pytest.raises(InvalidAmountError, match="ISO-4217"):
        AmountDetails(amount=100, currency=643)
