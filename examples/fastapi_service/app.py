"""A payout service built on the SDK, the idiomatic FastAPI way.

* The client is created in the app's lifespan (configured from ``BANK131_*`` variables) and
  stored on ``app.state.bank131``.
* The webhook receiver finds it there at request time (``from_app_state``), so the lifespan can
  run again and again (as it does in tests) without stacking routes or listeners.
* ``POST /payouts`` starts a card payout; the ``ready_to_confirm`` webhook confirms it.

Run it: ``BANK131_PROJECT=... BANK131_PRIVATE_KEY_PATH=... uvicorn app:app``; test it:
``pytest`` (see ``test_app.py``: the SDK's pytest plugin runs a mock bank for it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from pydantic import BaseModel

from bank131_async import AsyncBank131
from bank131_async.contrib.fastapi import from_app_state, webhook_router
from bank131_async.models import (
    AmountDetails,
    BankCard,
    Participant,
    ParticipantDetails,
    PaymentFinished,
    PayoutDetails,
    ReadyToConfirm,
)
from bank131_async.webhooks import WebhookRouter

#: What the service has seen finish (a database in a real service).
FINISHED: dict[str, str] = {}


class PayoutRequest(BaseModel):
    order_id: str
    card_number: str
    amount: int
    recipient: str


def create_app(make_client: Callable[[], AsyncBank131] = AsyncBank131.from_env) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with make_client() as bank:
            app.state.bank131 = bank
            yield

    app = FastAPI(lifespan=lifespan)
    # One router per app, its handlers closing over the app: however often the lifespan runs,
    # they find that lifespan's client on app.state.
    router = WebhookRouter()
    app.include_router(webhook_router(from_app_state("bank131"), router))

    @router.on(ReadyToConfirm)
    async def confirm(event: ReadyToConfirm) -> None:
        bank: AsyncBank131 = app.state.bank131
        await bank.sessions.confirm(
            event.session.id,
            confirm_information=event.confirm_information,
            idempotency_key=f"{event.session.id}-confirm",
        )

    @app.post("/payouts")
    async def start_payout(payout: PayoutRequest, request: Request) -> dict[str, str]:
        bank: AsyncBank131 = request.app.state.bank131
        session = await bank.sessions.create(idempotency_key=f"{payout.order_id}-create")
        await bank.sessions.start_payout(
            session.id,
            payout_details=PayoutDetails.from_card(BankCard(number=payout.card_number)),
            amount_details=AmountDetails(amount=payout.amount, currency="rub"),
            participant_details=ParticipantDetails(
                recipient=Participant(full_name=payout.recipient)
            ),
            idempotency_key=f"{payout.order_id}-payout",
        )
        return {"session_id": session.id}

    @router.on(PaymentFinished)
    async def finished(event: PaymentFinished) -> None:
        FINISHED[event.session.id] = str(event.session.status)

    return app


app = create_app()
