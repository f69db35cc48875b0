"""End-to-end over sockets: self-employed, escrow/settlement sessions, transfers and KYC
against the mock bank."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131
from bank131_async.errors import (
    AuthenticationError,
    InvalidRequestError,
    KycAlreadyExistsError,
    KycVerificationFailedError,
    SessionWrongStateError,
)
from bank131_async.mock import MockBank131
from bank131_async.models import (
    AmountDetails,
    KycStatus,
    NotificationList,
    OperationStatus,
    Participant,
    ParticipantDetails,
    SessionStatus,
)
from tests.kyc_people import legacy, person
from tests.payouts import ACCOUNT_RU, ESCROW, MIR_CARD

from .conftest import POLL
from .steps import finish

pytestmark = pytest.mark.asyncio

INN = "500100732259"
AMOUNT = AmountDetails(amount=10_000, currency="rub")


# --------------------------------------------------------------------------- self-employed


async def test_self_employed_check_and_status(bank: AsyncBank131) -> None:
    check = await bank.self_employed.check(INN)
    result = await bank.self_employed.request_status(check.request_id)
    assert result.request_id == check.request_id
    assert result.tax_reference == INN
    assert result.is_self_employed is True
    assert result.is_bound is True

    info = await bank.self_employed.check_personal_info(
        "500100732222", last_name="Ivanov", first_name="Ivan", phone="79001234567"
    )
    result = await bank.self_employed.request_status(info.request_id)
    assert result.raw["personal_info_valid"] is False


async def test_self_employed_notifications(bank: AsyncBank131) -> None:
    other = "772345678901"
    counts = await bank.self_employed.notifications_count([INN, other])
    assert counts.count_for(INN) == 2
    assert counts.count_for(other) == 2

    texts = await bank.self_employed.notifications_read(INN)
    notes = texts.for_inn(INN)
    assert [n.status for n in notes] == ["NEW", "NEW"]
    ids = tuple(n.id for n in notes)

    await bank.self_employed.notifications_mark_as_delivered(
        [NotificationList(tax_reference=INN, message_id_list=ids)]
    )
    assert (await bank.self_employed.notifications_count(INN)).count_for(INN) == 2
    await bank.self_employed.notifications_update(
        [NotificationList(tax_reference=INN, message_id_list=ids[:1])]
    )
    assert (await bank.self_employed.notifications_count(INN)).count_for(INN) == 1
    notes = (await bank.self_employed.notifications_read(INN)).for_inn(INN)
    assert [n.status for n in notes] == ["ACKNOWLEDGED", "NEW"]

    with pytest.raises(InvalidRequestError, match="unknown message id"):
        await bank.self_employed.notifications_update(
            [NotificationList(tax_reference=INN, message_id_list=("nope",))]
        )


# --------------------------------------------------------------------------- escrow / rko


async def _confirm_and_finish(bank: AsyncBank131, session_id: str) -> SessionStatus | str:
    session = await bank.sessions.wait_for_next_action(
        session_id, "confirm", timeout=5, schedule=POLL
    )
    assert session.confirm_information is not None
    await bank.sessions.confirm(session.id, confirm_information=session.confirm_information)
    session = await bank.sessions.wait_for_finished(session.id, timeout=5, schedule=POLL)
    assert session.payout_list[0].status == OperationStatus.SUCCEEDED
    return session.status


async def test_escrow_account_payout(bank: AsyncBank131, mock: MockBank131) -> None:
    balance = mock.state.wallet_balance
    session = await bank.nominal.init_payout(
        payout_details=ACCOUNT_RU,
        amount_details=AMOUNT,
        participant_details=ParticipantDetails(
            sender=Participant(account=ESCROW), recipient=Participant(beneficiary_id=INN)
        ),
        idempotency_key="escrow-1",
    )
    waiting = await bank.sessions.wait_for_next_action(
        session.id, "confirm", timeout=5, schedule=POLL
    )
    # Escrow sessions cannot be confirmed without the information the bank showed.
    with pytest.raises(InvalidRequestError, match="confirm_information"):
        await bank.sessions.confirm(waiting.id)
    assert await _confirm_and_finish(bank, session.id) == SessionStatus.ACCEPTED
    assert mock.state.wallet_balance == balance - AMOUNT.amount


async def test_settlement_create_then_start(bank: AsyncBank131) -> None:
    session = await bank.rko.create(
        payout_details=ACCOUNT_RU,
        amount_details=AMOUNT,
        participant_details=ParticipantDetails(sender=Participant(account=ESCROW)),
    )
    assert session.status == SessionStatus.CREATED
    session = await bank.rko.start_payout(session.id)
    assert await _confirm_and_finish(bank, session.id) == SessionStatus.ACCEPTED


@pytest.mark.parametrize("kind", ["nominal", "rko"])
async def test_card_payout_from_an_account(bank: AsyncBank131, kind: str) -> None:
    resource = bank.nominal if kind == "nominal" else bank.rko
    parties = ParticipantDetails(
        sender=Participant(full_name="OOO Romashka", beneficiary_id=INN),
        recipient=Participant(full_name="Ivan Ivanov"),
    )
    session = await resource.multi_init_payment(
        payout_details=MIR_CARD,
        amount_details=AMOUNT,
        participant_details=parties,
        description="Payout under contract 15",
        idempotency_key=f"{kind}-card-1",
    )
    assert await _confirm_and_finish(bank, session.id) == SessionStatus.ACCEPTED

    created = await resource.multi_create(
        payout_details=MIR_CARD, participant_details=parties, description="Second payout"
    )
    started = await resource.multi_start_payment(created.id, amount_details=AMOUNT)
    assert await _confirm_and_finish(bank, started.id) == SessionStatus.ACCEPTED


async def test_multi_start_needs_a_multi_session(bank: AsyncBank131) -> None:
    plain = await bank.rko.create()
    with pytest.raises(SessionWrongStateError):
        await bank.rko.multi_start_payment(
            plain.id,
            payout_details=MIR_CARD,
            amount_details=AMOUNT,
            participant_details=ParticipantDetails(recipient=Participant(full_name="I I")),
            description="x",
        )


# --------------------------------------------------------------------------- transfers


async def test_transfers(bank: AsyncBank131, mock: MockBank131) -> None:
    quote = await bank.transfers.calculate(
        source=AmountDetails(amount=1_000_000, currency="rub"), destination_currency="try"
    )
    assert quote.amounts is not None
    assert quote.amounts.destination == AmountDetails(amount=350_000, currency="TRY")
    assert quote.amounts.payment == AmountDetails(amount=1_010_000, currency="RUB")
    assert quote.exchanges is not None
    assert quote.exchanges.rate is not None
    assert quote.exchanges.rate.fx_rate == "0.35"

    sender = ParticipantDetails(
        sender=Participant(first_name="Ivan", last_name="Ivanov", citizenship_country_iso_3="RUS")
    )
    session = await bank.transfers.bpa_init_payment(
        moneysend={"transfer_id": "t-1"}, amount_details=AMOUNT, participant_details=sender
    )
    session = await finish(bank, session.id)
    assert session.payment_list[0].status == OperationStatus.SUCCEEDED

    session = await bank.transfers.cash_payout_init(
        tcn_code="TCN-1", moneysend={"transfer_id": "t-1"}, amount_details=AMOUNT
    )
    session = await finish(bank, session.id)
    assert session.status == SessionStatus.ACCEPTED


# --------------------------------------------------------------------------- KYC


def fake_cryptopro(payload: bytes) -> str:
    """NOT a GOST signature: base64 text the emulator accepts (it cannot verify GOST)."""
    return base64.b64encode(b"test-signature:" + payload[:16]).decode()


@pytest_asyncio.fixture(params=["auto", "httpx", "aiohttp"])
async def kyc_bank(
    request: pytest.FixtureRequest, mock: MockBank131, partner_key: rsa.RSAPrivateKey
) -> AsyncIterator[AsyncBank131]:
    async with mock.client(
        kyc_base_url=mock.url,
        kyc_signer=fake_cryptopro,
        http_backend=request.param,
        max_retries=0,
    ) as client:
        yield client


async def test_kyc_check_then_status(kyc_bank: AsyncBank131) -> None:
    check = await kyc_bank.kyc.check(person(inn=INN))
    first = await kyc_bank.kyc.status(check.id)
    assert first.status == KycStatus.PENDING
    second = await kyc_bank.kyc.status(check.id)
    assert second.is_verified
    assert second.description == "valid"
    assert second.participant is not None

    with pytest.raises(KycAlreadyExistsError) as caught:
        await kyc_bank.kyc.check(person(inn=INN))
    assert caught.value.existing_id == check.id


async def test_kyc_legacy_v1(kyc_bank: AsyncBank131) -> None:
    check = await kyc_bank.kyc.check(legacy(inn=INN, agent_contract_number="AC-1"))
    await kyc_bank.kyc.status(check.id, version="v1.1")
    assert (await kyc_bank.kyc.status(check.id, version="v1.1")).is_verified


@pytest.mark.parametrize(
    ("inn", "signer", "error"),
    [
        ("500100730000", fake_cryptopro, KycVerificationFailedError),
        ("500100731111", fake_cryptopro, KycVerificationFailedError),
        (INN, lambda _: "not base64!", AuthenticationError),
    ],
    ids=["passport", "inn", "bad-signature"],
)
async def test_kyc_failures(
    kyc_bank: AsyncBank131, inn: str, signer: object, error: type[Exception]
) -> None:
    check = await kyc_bank.kyc.check(person(inn=inn), signer=signer)  # type: ignore[arg-type]
    with pytest.raises(error):
        await kyc_bank.kyc.status(check.id)


async def test_kyc_mock_checks_headers_and_signature_field(mock: MockBank131) -> None:
    url = f"{mock.url}/api/v2.0/check"
    project = {"X-PARTNER-PROJECT": mock.project}
    async with httpx.AsyncClient() as http:
        signed = await http.post(url, content=b"{}", headers={**project, "X-PARTNER-SIGN": "x"})
        anonymous = await http.post(url, content=b'{"signature":"x"}')
        unsigned = await http.post(url, content=b'{"inn":"1"}', headers=project)
        unknown = await http.get(f"{mock.url}/api/v2.0/check/kyc_0", headers=project)
    assert (signed.status_code, signed.json()["error"]["code"]) == (
        422,
        "request_header_validation_error",
    )
    assert anonymous.json()["error"]["code"] == "request_header_validation_error"
    assert unsigned.json()["error"]["description"].startswith("signature")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "request_not_found")


def test_the_mock_answers_every_part_b_endpoint() -> None:
    from bank131_async.mock import kyc as mock_kyc
    from bank131_async.mock.routes import ROUTES
    from bank131_async.resources import account_sessions, kyc, self_employed, transfers

    for module in (account_sessions, self_employed, transfers):
        for endpoint in module.ENDPOINTS:
            assert f"/api/{endpoint.version}/{endpoint.path}" in ROUTES, endpoint.path
    for endpoint in kyc.ENDPOINTS:
        path = f"/api/{endpoint.version}/{endpoint.path.format(id='kyc_1')}"
        assert mock_kyc.handles(path), path
