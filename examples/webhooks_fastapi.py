"""Webhook demo: the embedded mock bank sends signed webhooks to a FastAPI receiver.

    python examples/webhooks_fastapi.py --count 200

A router confirms every payout on ``ready_to_confirm`` and counts ``payment_finished``; the
client is attached to the router, so ``wait_for_finished`` resolves from the webhooks. At the
end it prints how many ``session/status`` calls the waits made (none while webhooks flow).
Needs ``pip install 'bank131-async[mock,fastapi]'``.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import time
from collections.abc import Generator

import anyio
import httpx
import uvicorn
from fastapi import FastAPI

from bank131_async import AsyncBank131
from bank131_async.contrib.fastapi import DEFAULT_PATH, webhook_router
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


class Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # embedded: leave Ctrl-C to the demo


def build_router(bank: AsyncBank131, finished: list[str]) -> WebhookRouter:
    router = WebhookRouter()

    @router.on(ReadyToConfirm)
    async def confirm(event: ReadyToConfirm) -> None:
        await bank.sessions.confirm(event.session.id, confirm_information=event.confirm_information)

    @router.on(PaymentFinished)
    async def done(event: PaymentFinished) -> None:
        finished.append(event.session.id)

    return router


async def pay(bank: AsyncBank131, order: int) -> None:
    session = await bank.sessions.init_payout(
        payout_details=PayoutDetails.from_card(BankCard(number="4242424242424242")),
        amount_details=AmountDetails(amount=10_000 + order, currency="rub"),
        participant_details=ParticipantDetails(recipient=Participant(full_name="Ivan Ivanov")),
        idempotency_key=f"webhook-demo-{order}",
    )
    # the router confirms it when ready_to_confirm arrives; this wait needs no polling
    await bank.sessions.wait_for_finished(session.id, timeout=60)


async def main(count: int) -> None:
    status_calls = 0

    async def count_status(request: httpx.Request) -> None:
        nonlocal status_calls
        status_calls += request.url.path.endswith("/session/status")

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}{DEFAULT_PATH}"
    finished: list[str] = []
    async with (
        MockBank131(confirm_delay=0.2, process_delay=0.2, webhook_url=url) as mock,
        httpx.AsyncClient(event_hooks={"request": [count_status]}) as http,
        mock.client(http_client=http) as bank,
    ):
        app = FastAPI()
        # passing the client attaches the router to it: its waits resolve from webhooks
        app.include_router(webhook_router(bank, build_router(bank, finished)))
        server = Server(uvicorn.Config(app, log_config=None, lifespan="off"))
        async with anyio.create_task_group() as tg:
            tg.start_soon(lambda: server.serve(sockets=[sock]))
            for _ in range(500):  # uvicorn only exposes a flag
                if server.started:
                    break
                await anyio.sleep(0.01)
            started = time.monotonic()
            async with anyio.create_task_group() as payouts:
                for order in range(count):
                    payouts.start_soon(pay, bank, order)
            elapsed = time.monotonic() - started
            server.should_exit = True
    sock.close()
    print(f"{count} payouts confirmed and finished by webhooks in {elapsed:.2f}s")
    print(f"payment_finished handled: {len(finished)}; session/status calls: {status_calls}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    anyio.run(main, parser.parse_args().count)
