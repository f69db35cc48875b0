"""Webhooks with aiohttp: the same service as the FastAPI guide, on aiohttp's web server.

    pip install 'bank131-async[mock,aiohttp]'
    python examples/guide_webhooks_aiohttp.py

The client is created in a cleanup context (aiohttp's lifespan); ``webhook_handler(bank,
router)`` verifies each webhook's signature, hands the typed event to the router, and attaches
the router to the client, so its waits resolve from webhooks.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from bank131_async import AsyncBank131
from bank131_async.contrib.aiohttp import DEFAULT_PATH, webhook_handler
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

BANK = web.AppKey("bank131", AsyncBank131)
FINISHED = web.AppKey("finished", dict[str, str])


def create_app(make_client: Callable[[], AsyncBank131] = AsyncBank131.from_env) -> web.Application:
    app = web.Application()
    app[FINISHED] = {}
    router = WebhookRouter()

    @router.on(ReadyToConfirm)
    async def confirm(event: ReadyToConfirm) -> None:
        await app[BANK].sessions.confirm(
            event.session.id,
            confirm_information=event.confirm_information,
            idempotency_key=f"{event.session.id}-confirm",
        )

    @router.on(PaymentFinished)
    async def finished(event: PaymentFinished) -> None:
        app[FINISHED][event.session.id] = str(event.session.status)

    async def bank131_client(app: web.Application) -> AsyncIterator[None]:
        async with make_client() as bank:
            app[BANK] = bank
            app.router.add_post(DEFAULT_PATH, webhook_handler(bank, router))
            yield

    app.cleanup_ctx.append(bank131_client)
    return app


async def main() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    webhook_url = f"http://127.0.0.1:{sock.getsockname()[1]}{DEFAULT_PATH}"
    async with MockBank131(webhook_url=webhook_url) as mock:
        app = create_app(mock.client)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.SockSite(runner, sock).start()
        print(f"receiving webhooks at {webhook_url}")

        bank = app[BANK]
        ids = []
        for n, number in enumerate(("4242424242424242", "4000000000000051")):
            session = await bank.sessions.init_payout(
                payout_details=PayoutDetails.from_card(BankCard(number=number)),
                amount_details=AmountDetails(amount=100_00, currency="rub"),
                participant_details=ParticipantDetails(recipient=Participant(full_name="Ivan")),
                idempotency_key=f"aiohttp-guide-{n}",
            )
            ids.append(session.id)
        for session_id in ids:  # confirmed by the ready_to_confirm handler
            await bank.sessions.wait_for_finished(session_id, timeout=30)
        await asyncio.sleep(0.2)  # let the last payment_finished handlers run
        for session_id in ids:
            print(f"{session_id}: {app[FINISHED].get(session_id)} (from payment_finished)")
        await runner.cleanup()
    return 0 if len(app[FINISHED]) == len(ids) else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
