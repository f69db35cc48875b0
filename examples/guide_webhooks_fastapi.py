"""Webhooks with FastAPI: the bank's notifications confirm payouts and report their end.

    pip install 'bank131-async[mock,fastapi]'
    python examples/guide_webhooks_fastapi.py

``create_app`` is the service: the client lives in the app's lifespan on ``app.state``, the
receiver finds it there (``from_app_state``), verifies each webhook's signature with the bank's
public key and hands the typed event to the router's handlers. The script runs the app with
uvicorn on 127.0.0.1 and points the mock bank's webhooks at it, as you would give your
webhook URL to your Bank 131 manager.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable, Generator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

from bank131_async import AsyncBank131
from bank131_async.contrib.fastapi import DEFAULT_PATH, from_app_state, webhook_router
from bank131_async.mock import MockBank131
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


def create_app(make_client: Callable[[], AsyncBank131] = AsyncBank131.from_env) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with make_client() as bank:  # AsyncBank131.from_env(): the BANK131_* variables
            app.state.bank131 = bank
            yield

    app = FastAPI(lifespan=lifespan)
    router = WebhookRouter()  # skips the bank's re-sends of a webhook it has handled
    app.include_router(webhook_router(from_app_state("bank131"), router))  # POST /bank131/webhooks
    app.state.finished = {}

    @router.on(ReadyToConfirm)
    async def confirm(event: ReadyToConfirm) -> None:
        # Check the payout against your records here; then confirm (or cancel) it.
        bank: AsyncBank131 = app.state.bank131
        await bank.sessions.confirm(
            event.session.id,
            confirm_information=event.confirm_information,
            idempotency_key=f"{event.session.id}-confirm",
        )

    @router.on(PaymentFinished)
    async def finished(event: PaymentFinished) -> None:
        # Keep handlers short: an exception answers 500 and the bank sends the webhook again.
        app.state.finished[event.session.id] = str(event.session.status)

    return app


class Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # embedded in this script: leave Ctrl-C alone


async def main() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    webhook_url = f"http://127.0.0.1:{sock.getsockname()[1]}{DEFAULT_PATH}"
    async with MockBank131(webhook_url=webhook_url) as mock:
        app = create_app(mock.client)
        server = Server(uvicorn.Config(app, log_level="warning"))
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:  # noqa: ASYNC110 (uvicorn exposes a flag, not an event)
            await asyncio.sleep(0.01)
        print(f"receiving webhooks at {webhook_url}")

        bank: AsyncBank131 = app.state.bank131
        ids = []
        for n, number in enumerate(("4242424242424242", "4000000000000002", "5536913700008371")):
            session = await bank.sessions.init_payout(
                payout_details=PayoutDetails.from_card(BankCard(number=number)),
                amount_details=AmountDetails(amount=100_00, currency="rub"),
                participant_details=ParticipantDetails(recipient=Participant(full_name="Ivan")),
                idempotency_key=f"webhook-guide-{n}",
            )
            ids.append(session.id)
        # No confirm here: the ready_to_confirm handler does it. The router is attached to
        # the client, so these waits resolve from the webhooks instead of polling.
        for session_id in ids:
            await bank.sessions.wait_for_finished(session_id, timeout=30)
        await asyncio.sleep(0.2)  # let the last payment_finished handlers run
        for session_id in ids:
            print(f"{session_id}: {app.state.finished.get(session_id)} (from payment_finished)")

        server.should_exit = True
        await serving
    sock.close()
    return 0 if len(app.state.finished) == len(ids) else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
