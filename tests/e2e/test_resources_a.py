"""Every part-A method (tokens, recurrent, subscriptions, wallet, reports, fps, sberpay,
fiscalization) against the mock bank over real sockets, on both HTTP backends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bank131_async import AsyncBank131
from bank131_async.config import ApiVersion
from bank131_async.errors import ApiError, InvalidRequestError, RequestValidationError
from bank131_async.mock import MockBank131
from bank131_async.mock.routes import ROUTES
from bank131_async.models import (
    AcquiringWidget,
    AmountDetails,
    BankCard,
    FiscalizationDetails,
    FiscalizationService,
    OperationStatus,
    Participant,
    ParticipantDetails,
    PaymentOptions,
    PayoutDetails,
    ProfessionalIncomeTaxpayer,
    SelfEmployedWidget,
    SessionStatus,
    StatementTransactionType,
    TokenizedCard,
    TokenizeWidget,
)
from bank131_async.resources import (
    fiscalization,
    fps,
    recurrent,
    reports,
    sberpay,
    subscriptions,
    tokens,
    wallet,
)

from .conftest import POLL
from .steps import card_payment, finish

pytestmark = pytest.mark.asyncio

RUB = "rub"
SETTLEMENT = "40702810400000000333"
RECIPIENT = ParticipantDetails(recipient=Participant(first_name="Ivan", last_name="Ivanov"))


def test_the_mock_routes_every_part_a_endpoint() -> None:
    modules = (fiscalization, fps, recurrent, reports, sberpay, subscriptions, tokens, wallet)
    for module in modules:
        for endpoint in module.ENDPOINTS:
            for version in (endpoint.version,) if endpoint.version else ("v1", "v2"):
                route = ROUTES.get(f"/api/{version}/{endpoint.path}")
                assert route is not None, (version, endpoint.path)
                assert route.mutating is not endpoint.read_only, endpoint.path


# --------------------------------------------------------------------------- tokens


async def test_public_tokens_for_every_widget(bank: AsyncBank131, mock: MockBank131) -> None:
    session = await bank.sessions.create()
    tokenize = await bank.tokens.issue(tokenize_widget=TokenizeWidget())
    acquiring = await bank.tokens.issue(
        acquiring_widget=AcquiringWidget(
            session_id=session.id, success_return_url="https://shop.example/ok"
        )
    )
    self_employed = await bank.tokens.issue(
        self_employed_widget=SelfEmployedWidget(tax_reference="500000000000")
    )
    assert len({tokenize, acquiring, self_employed}) == 3
    assert set(mock.state.public_tokens) >= {tokenize, acquiring, self_employed}

    info = await bank.tokens.info(public_token=acquiring)
    assert info.token == acquiring
    assert info.is_active is True
    assert info.raw["info"]["token"] == acquiring


async def test_acquiring_widget_for_an_unknown_session_is_refused(bank: AsyncBank131) -> None:
    with pytest.raises(ApiError) as info:
        await bank.tokens.issue(acquiring_widget=AcquiringWidget(session_id="ps_nope"))
    assert info.value.code == "invalid_request"


async def test_card_token_info(bank: AsyncBank131) -> None:
    info = await bank.tokens.info(card=BankCard(number="2200240000004940"))
    assert info.type == "card"
    assert info.last4 == "4940"


async def test_tokenize_account_and_card(bank: AsyncBank131) -> None:
    account = await bank.tokens.tokenize(bik="049205131", account="40702810200000000025")
    assert account.data is not None
    assert account.data.masked_account == "40702***0025"
    again = await bank.tokens.tokenize(bik="049205131", account="40702810200000000025")
    assert again.token == account.token

    card = await bank.tokens.tokenize_elements("4242424242424242")
    assert card.token is not None
    assert card.raw["status"] == "ok"
    info = await bank.tokens.info(card=TokenizedCard(token=card.token))
    assert info.last4 == "4242"


async def test_tokenized_card_pays_out(bank: AsyncBank131, mock: MockBank131) -> None:
    mock.config.auto_confirm_payouts = True
    card = await bank.tokens.tokenize_elements("4242424242424242")
    assert card.token is not None
    session = await bank.sessions.init_payout(
        payout_details=PayoutDetails.from_card(TokenizedCard(token=card.token)),
        amount_details=AmountDetails(amount=1_000, currency=RUB),
        participant_details=ParticipantDetails(recipient=Participant(full_name="Ivan Ivanov")),
    )
    session = await bank.sessions.wait_for_finished(session.id, timeout=5, schedule=POLL)
    assert session.status == SessionStatus.ACCEPTED


# --------------------------------------------------------------------------- recurrent


async def test_recurrent_token_from_a_payment_then_disable(bank: AsyncBank131) -> None:
    session = await bank.sessions.init_payment(
        **card_payment(1_000, "user-9"), payment_options=PaymentOptions(recurrent=True)
    )
    session = await finish(bank, session.id)
    recurrent = session.payment_list[0].recurrent
    assert recurrent is not None

    status = await bank.recurrent.status(recurrent.token)
    assert status.is_active is True
    disabled = await bank.recurrent.disable(recurrent.token)
    assert disabled.is_active is False
    assert disabled.finished_at is not None
    assert (await bank.recurrent.status(recurrent.token)).is_active is False
    info = await bank.tokens.info(recurrent_token=recurrent.token)
    assert info.is_active is False


async def test_unknown_recurrent_token_is_an_api_error(bank: AsyncBank131) -> None:
    with pytest.raises(ApiError):
        await bank.recurrent.status("rt_unknown")


# --------------------------------------------------------------------------- subscriptions


async def test_subscription_cancel_and_restore(bank: AsyncBank131) -> None:
    # The bank answers a bare {"status": "ok"} (any error answer would raise), and the
    # methods refuse bad ids before sending.
    await bank.subscriptions.cancel("sub_1")
    await bank.subscriptions.restore("sub_1")
    with pytest.raises(RequestValidationError, match="subscription_id"):
        await bank.subscriptions.cancel(" ")


# --------------------------------------------------------------------------- balances


async def test_wallet_and_account_balance(bank: AsyncBank131, mock: MockBank131) -> None:
    wallets = await bank.wallet.balance()
    assert wallets[0].id == "131"
    assert wallets[0].amount_details.amount == mock.state.wallet_balance

    balance = await bank.reports.account_balance(SETTLEMENT)
    assert balance.account_number == SETTLEMENT
    assert balance.current_balance == mock.state.wallet_balance


async def test_account_statement_lists_todays_payout(bank: AsyncBank131, mock: MockBank131) -> None:
    mock.config.auto_confirm_payouts = True
    session = await bank.sessions.init_payout(
        payout_details=PayoutDetails.from_card(BankCard(number="4242424242424242")),
        amount_details=AmountDetails(amount=2_500, currency=RUB),
        participant_details=ParticipantDetails(recipient=Participant(full_name="Ivan Ivanov")),
    )
    await bank.sessions.wait_for_finished(session.id, timeout=5, schedule=POLL)

    today = datetime.now(UTC).date()
    statement = await bank.reports.account_statement(SETTLEMENT, date_from=today)
    assert statement.date_from == statement.date_to == today
    assert statement.account_number == SETTLEMENT
    (line,) = [t for t in statement.transactions if t.session_id == session.id]
    assert line.type is StatementTransactionType.DEBET
    assert line.amount == 2_500
    assert statement.total_turnover is not None
    assert statement.total_turnover.debet == 2_500
    assert statement.total_balance is not None
    assert statement.total_balance.closing == mock.state.wallet_balance
    assert statement.raw["method"]["name"] == "account_statement"

    empty = await bank.reports.account_statement(SETTLEMENT, date_from="2001-01-01")
    assert empty.transactions == ()


# --------------------------------------------------------------------------- FPS


@pytest.mark.parametrize("version", ["v1", "v2"])
async def test_fps_banks_and_customer_verification(bank: AsyncBank131, version: ApiVersion) -> None:
    view = bank.with_options(api_version=version)
    banks = await view.fps.banks()
    assert "100000000069" in {b.id for b in banks}

    session = await view.fps.customer_verification(
        phone="79001234567", bank_id=banks[0].id, participant_details=RECIPIENT
    )
    session = await view.sessions.wait_for_finished(session.id, timeout=5, schedule=POLL)
    assert session.status == SessionStatus.ACCEPTED
    assert session.payout_list[0].status == OperationStatus.SUCCEEDED

    created = await view.sessions.create()
    missing = await view.fps.customer_verification(
        phone="79001230000",
        bank_id=banks[0].id,
        participant_details=RECIPIENT,
        session_id=created.id,
    )
    assert missing.id == created.id
    missing = await view.sessions.wait_for_finished(missing.id, timeout=5, schedule=POLL)
    assert missing.status == SessionStatus.CANCELLED


# --------------------------------------------------------------------------- SberPay


async def test_sberpay_push(bank: AsyncBank131) -> None:
    session = await bank.sessions.create()
    await bank.sberpay.push(session.id, phone="79876543210")
    with pytest.raises(ApiError):
        await bank.sberpay.push("ps_unknown", phone="79876543210")


# --------------------------------------------------------------------------- fiscalization


def _receipt(inn: str) -> FiscalizationDetails:
    return FiscalizationDetails(
        professional_income_taxpayer=ProfessionalIncomeTaxpayer(
            tax_reference=inn,
            services=(
                FiscalizationService(
                    name="Design", amount_details=AmountDetails(amount=5_000, currency=RUB)
                ),
            ),
        )
    )


async def test_fiscalization_registers_a_receipt_without_moving_money(
    bank: AsyncBank131, mock: MockBank131
) -> None:
    balance = mock.state.wallet_balance
    session = await bank.sessions.create()
    session = await bank.fiscalization.create(
        session.id,
        fiscalization_details=_receipt("123456789012"),
        amount_details=AmountDetails(amount=5_000, currency=RUB),
    )
    assert session.status == SessionStatus.IN_PROGRESS
    session = await bank.sessions.wait_for_finished(session.id, timeout=5, schedule=POLL)
    assert session.status == SessionStatus.ACCEPTED
    details = session.payout_list[0].fiscalization_details
    assert details is not None
    assert details.professional_income_taxpayer is not None
    receipt = details.professional_income_taxpayer.receipt
    assert receipt is not None
    assert receipt.id
    assert mock.state.wallet_balance == balance


async def test_fiscalization_for_an_unbound_taxpayer_is_cancelled(bank: AsyncBank131) -> None:
    session = await bank.sessions.create()
    await bank.fiscalization.create(session.id, fiscalization_details=_receipt("123456780000"))
    session = await bank.sessions.wait_for_finished(session.id, timeout=5, schedule=POLL)
    assert session.status == SessionStatus.CANCELLED
    assert session.error is not None
    assert session.error.code == "taxpayer_not_bound"


async def test_fiscalization_needs_a_created_session(bank: AsyncBank131) -> None:
    with pytest.raises(InvalidRequestError):
        await bank.fiscalization.create(
            "ps_unknown", fiscalization_details=_receipt("123456789012")
        )
