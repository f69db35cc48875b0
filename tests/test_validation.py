"""Table tests for the pre-send checks in ``bank131_async._validation``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bank131_async._validation import (
    MAX_FISCALIZATION_SERVICES,
    check_amount,
    check_digits,
    check_fiscalization,
    check_inn,
    check_instrument,
    check_payout_details,
    check_payout_recipient,
)
from bank131_async.converter import dumps, structure
from bank131_async.errors import RequestValidationError
from bank131_async.models import (
    AmountDetails,
    BankCard,
    FiscalizationDetails,
    FiscalizationService,
    Participant,
    ParticipantDetails,
    PaymentDetails,
    PayoutDetails,
    ProfessionalIncomeTaxpayer,
    TaxDetails,
    TaxParty,
)
from tests.helpers import assert_validates

CARD = PayoutDetails.from_card(BankCard(number="4242424242424242"))
ACCOUNT = PayoutDetails.from_bank_account_ru(
    bik="044525974", account="40817810000000000001", full_name="Ivan Ivanov", description="x"
)
FPS = PayoutDetails.from_fps(phone="79001234567", bank_id="100000000004", description="x")
WALLET = PayoutDetails.from_wallet("4100000000000")
UNKNOWN_TYPE = PayoutDetails(type="crypto")


def assert_sendable(value: Any) -> None:
    """An accepted value is a well-formed request: it serialises, and what is sent parses
    back into the same value (so the check did not pass something the wire would change)."""
    if value is None:
        return
    wire = json.loads(dumps(value))
    assert isinstance(wire, dict)
    assert structure(wire, type(value)) == value


def _rub(amount: int) -> AmountDetails:
    return AmountDetails(amount=amount, currency="rub")


# --------------------------------------------------------------------------- check_amount


@pytest.mark.parametrize(
    "amount",
    [None, _rub(1), _rub(10_000), AmountDetails(amount=10**15, currency="RUB")],
)
def test_check_amount_accepts(amount: AmountDetails | None) -> None:
    check_amount(amount)
    assert_sendable(amount)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (_rub(0), "amount_details.amount must be a positive int in minor units, got 0"),
        (AmountDetails(amount=5, currency=""), "currency must be an ISO-4217 code"),
    ],
)
def test_check_amount_rejects(amount: AmountDetails, message: str) -> None:
    with pytest.raises(RequestValidationError, match=message):
        check_amount(amount)


def test_check_amount_names_the_field() -> None:
    with pytest.raises(RequestValidationError, match=r"^payout_list\[\]\.amount_details\.amount"):
        check_amount(_rub(0), "payout_list[].amount_details")


def test_negative_amount_cannot_even_be_built() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        _rub(-1)


# --------------------------------------------------------------------------- recipient


def _recipient(
    full_name: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    company_name: str | None = None,
) -> ParticipantDetails:
    return ParticipantDetails(
        recipient=Participant(
            full_name=full_name,
            first_name=first_name,
            last_name=last_name,
            company_name=company_name,
        )
    )


@pytest.mark.parametrize(
    ("details", "participants"),
    [
        pytest.param(CARD, _recipient(full_name="Ivan Ivanov"), id="card-full-name"),
        pytest.param(CARD, _recipient(first_name="Ivan", last_name="Ivanov"), id="card-first-last"),
        pytest.param(
            CARD,
            ParticipantDetails(
                sender=Participant(full_name="S"), recipient=Participant(full_name="R")
            ),
            id="card-with-sender",
        ),
        pytest.param(ACCOUNT, None, id="bank-account-no-participants"),
        pytest.param(FPS, None, id="fps-no-participants"),
        pytest.param(WALLET, ParticipantDetails(), id="wallet-empty-participants"),
        pytest.param(UNKNOWN_TYPE, None, id="unknown-type"),
        pytest.param(None, None, id="no-payout-details"),
    ],
)
def test_recipient_ok(
    details: PayoutDetails | None, participants: ParticipantDetails | None
) -> None:
    check_payout_recipient(details, participants)
    assert_sendable(details)
    assert_sendable(participants)


@pytest.mark.parametrize(
    "participants",
    [
        pytest.param(None, id="no-participant-details"),
        pytest.param(ParticipantDetails(), id="no-recipient"),
        pytest.param(ParticipantDetails(sender=Participant(full_name="Sender")), id="sender-only"),
        pytest.param(_recipient(), id="empty-recipient"),
        pytest.param(_recipient(full_name=""), id="empty-full-name"),
        pytest.param(_recipient(first_name="Ivan"), id="first-name-only"),
        pytest.param(_recipient(last_name="Ivanov"), id="last-name-only"),
        pytest.param(_recipient(company_name="OOO Romashka"), id="company-only"),
    ],
)
def test_card_payout_without_recipient_name(participants: ParticipantDetails | None) -> None:
    with pytest.raises(RequestValidationError, match="card payouts need the recipient's name"):
        check_payout_recipient(CARD, participants)


def test_card_check_also_matches_raw_type_string() -> None:
    with pytest.raises(RequestValidationError):
        check_payout_recipient(PayoutDetails(type="card"), None)


# --------------------------------------------------------------------------- fiscalization


def _services(*prices: int, quantity: int | None = None) -> FiscalizationDetails:
    return FiscalizationDetails(
        professional_income_taxpayer=ProfessionalIncomeTaxpayer(
            tax_reference="123456789012",
            services=tuple(
                FiscalizationService(name=f"s{i}", amount_details=_rub(p), quantity=quantity)
                for i, p in enumerate(prices)
            ),
        )
    )


@pytest.mark.parametrize(
    ("details", "amount"),
    [
        pytest.param(None, _rub(100), id="none"),
        pytest.param(_services(100), _rub(100), id="one-service"),
        pytest.param(_services(40, 60), _rub(100), id="two-services"),
        pytest.param(_services(50, quantity=2), _rub(100), id="quantity"),
        pytest.param(_services(*[10] * 6), _rub(60), id="six-services"),
        pytest.param(_services(*[10] * 6, quantity=3), _rub(180), id="six-with-quantity"),
        pytest.param(_services(100), None, id="amount-unknown"),
    ],
)
def test_fiscalization_ok(
    details: FiscalizationDetails | None, amount: AmountDetails | None
) -> None:
    check_fiscalization(details, amount)
    assert_sendable(details)


@pytest.mark.parametrize(
    ("details", "amount", "message"),
    [
        pytest.param(
            FiscalizationDetails(),
            _rub(100),
            "professional_income_taxpayer is required",
            id="empty",
        ),
        pytest.param(_services(), _rub(100), "1 to 6 services, got 0", id="no-services"),
        pytest.param(_services(*[10] * 7), _rub(70), "1 to 6 services, got 7", id="seven-services"),
        pytest.param(_services(40, 50), _rub(100), "add up to 90", id="sum-too-small"),
        pytest.param(_services(60, 50), _rub(100), "add up to 110", id="sum-too-large"),
        pytest.param(_services(100, quantity=2), _rub(100), "add up to 200", id="quantity-counts"),
    ],
)
def test_fiscalization_rejected(
    details: FiscalizationDetails, amount: AmountDetails, message: str
) -> None:
    with pytest.raises(RequestValidationError, match=message):
        check_fiscalization(details, amount)


def test_max_services_is_six() -> None:
    assert MAX_FISCALIZATION_SERVICES == 6


# --------------------------------------------------------------------------- instrument


@pytest.mark.parametrize(
    "details",
    [
        None,
        CARD,
        ACCOUNT,
        FPS,
        WALLET,
        UNKNOWN_TYPE,
        PaymentDetails.from_card(BankCard(number="4242424242424242")),
        PaymentDetails.from_fps(),
        PaymentDetails(type="brand_new"),
    ],
)
def test_instrument_with_type_ok(details: PayoutDetails | PaymentDetails | None) -> None:
    check_instrument(details, "payout_details")
    assert_sendable(details)


@pytest.mark.parametrize(
    ("details", "name", "message"),
    [
        (
            PayoutDetails(),
            "payout_details",
            r"payout_details\.type is missing.*PayoutDetails\.from_card",
        ),
        (PayoutDetails(type=""), "payout_details", "payout_details.type is missing"),
        (PaymentDetails(), "payment_details", r"payment_details\.type is missing.*from_card"),
        (PaymentDetails(), "payment_list[].payment_details", r"^payment_list\[\]"),
    ],
)
def test_instrument_without_type_rejected(
    details: PayoutDetails | PaymentDetails, name: str, message: str
) -> None:
    with pytest.raises(RequestValidationError, match=message):
        check_instrument(details, name)


def test_recipient_check_also_checks_the_instrument() -> None:
    with pytest.raises(RequestValidationError, match="type is missing"):
        check_payout_recipient(PayoutDetails(), None)


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("value", "lengths", "ok"),
    [
        (None, (9,), True),
        ("044525974", (9,), True),
        ("04452597", (9,), False),
        ("0445259745", (9,), False),
        ("04452597a", (9,), False),
        ("٠٤٤٥٢٥٩٧٤", (9,), False),  # Arabic-Indic digits are digits, but not ASCII
        (" 44525974", (9,), False),
        ("12345678901", range(11, 21), True),
        ("12345678901234567890", range(11, 21), True),
        ("1234567890", range(11, 21), False),
        ("123456789012345678901", range(11, 21), False),
    ],
)
def test_check_digits(value: str | None, lengths: tuple[int, ...] | range, ok: bool) -> None:
    assert_validates(lambda: check_digits(value, "field", lengths), ok, "field")


@pytest.mark.parametrize(
    ("inn", "ok"),
    [("7707083893", True), ("500100732259", True), ("77070838931", False), ("770708389", False)],
)
def test_check_inn_takes_10_or_12_digits(inn: str, ok: bool) -> None:
    assert_validates(lambda: check_inn(inn), ok, "10 or 12 digits")


def _ru(
    *,
    bik: str = "044525974",
    account: str = "40817810000000000001",
    description: str = "Payout under contract 15",
    inn: str | None = None,
    kpp: str | None = None,
) -> PayoutDetails:
    return PayoutDetails.from_bank_account_ru(
        bik=bik,
        account=account,
        full_name="Ivan Ivanov",
        description=description,
        inn=inn,
        kpp=kpp,
    )


@pytest.mark.parametrize(
    ("details", "fragment"),
    [
        (_ru(bik="04452597"), "bank_account.ru.bik must have 9 digits"),
        (_ru(account="4081781000000000000"), "bank_account.ru.account must have 20 digits"),
        (_ru(inn="123"), "bank_account.ru.inn must have 10 or 12 digits"),
        (_ru(kpp="77010100"), "bank_account.ru.kpp must have 9 digits"),
        (_ru(description="x" * 211), "at most 210 characters"),
        (PayoutDetails.from_wallet("4100"), "wallet.yoomoney.account must have 11-20 digits"),
    ],
)
def test_payout_details_formats_are_checked(details: PayoutDetails, fragment: str) -> None:
    with pytest.raises(RequestValidationError, match=fragment):
        check_payout_details(details)
    with pytest.raises(RequestValidationError, match=fragment):
        check_payout_recipient(details, None)


@pytest.mark.parametrize(
    "details",
    [_ru(), _ru(inn="7707083893", kpp="770101001"), WALLET, FPS, CARD, None],
)
def test_valid_payout_details_pass(details: PayoutDetails | None) -> None:
    check_payout_details(details)
    assert_sendable(details)


def test_receipt_tax_reference_is_a_12_digit_inn() -> None:
    details = FiscalizationDetails(
        professional_income_taxpayer=ProfessionalIncomeTaxpayer(
            tax_reference="7707083893",
            services=(FiscalizationService(name="Design", amount_details=_rub(100)),),
        )
    )
    with pytest.raises(RequestValidationError, match="tax_reference must have 12 digits"):
        check_fiscalization(details, _rub(100))


def _tax(
    kbk: str = "18210102010011000110", oktmo: str = "45382000", inn: str = "7707083893"
) -> PayoutDetails:
    return PayoutDetails.from_tax_full(
        uin="0",
        description="НДФЛ",
        tax_details=TaxDetails(kbk=kbk, oktmo=oktmo, payment_reason="ТП", period="0"),
        payer=TaxParty(inn=inn, kpp="770701001"),
        payee=TaxParty(bik="024501901", account="03100643000000018500", inn="7727406020"),
    )


@pytest.mark.parametrize(
    ("details", "fragment"),
    [
        (_tax(kbk="1821010201001100011"), "tax.tax_details.kbk must have 20 digits"),
        (_tax(oktmo="4538200"), "tax.tax_details.oktmo must have 8 or 11 digits"),
        (_tax(inn="77070838"), "tax.payer.inn must have 10 or 12 digits"),
    ],
)
def test_tax_requisites_are_checked(details: PayoutDetails, fragment: str) -> None:
    with pytest.raises(RequestValidationError, match=fragment):
        check_payout_details(details)


def test_valid_tax_payout_passes() -> None:
    for details in (_tax(), _tax(oktmo="45382000001")):
        check_payout_details(details)
        assert_sendable(details)
