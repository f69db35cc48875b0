"""Webhook receivers on 127.0.0.1 (free port) in the test's event loop: FastAPI under uvicorn
and aiohttp, both built by the SDK's contrib factories."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Generator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import uvicorn
from aiohttp import web
from fastapi import FastAPI

from bank131_async import AsyncBank131
from bank131_async.contrib import aiohttp as aiohttp_contrib
from bank131_async.contrib import fastapi as fastapi_contrib
from bank131_async.mock.server import bind_loopback
from bank131_async.signing import SignatureVerifier
from bank131_async.webhooks import WebhookRouter

Source = AsyncBank131 | SignatureVerifier
ReceiverFactory = Callable[[Source, WebhookRouter], AbstractAsyncContextManager[str]]


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


@asynccontextmanager
async def serve_asgi(app: Any) -> AsyncIterator[str]:
    """Run ``app`` under uvicorn on a free loopback port; yields the base URL."""
    sock = bind_loopback()
    config = uvicorn.Config(
        app,
        lifespan="off",
        log_config=None,
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=1,
    )
    server = _Server(config)
    task = asyncio.get_running_loop().create_task(server.serve(sockets=[sock]))
    try:
        for _ in range(1000):
            if server.started or task.done():
                break
            await asyncio.sleep(0.005)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@asynccontextmanager
async def serve_aiohttp(app: web.Application) -> AsyncIterator[str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = bind_loopback()
    try:
        site = web.SockSite(runner, sock)
        await site.start()
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        await runner.cleanup()
        sock.close()


@asynccontextmanager
async def fastapi_receiver(source: Source, router: WebhookRouter) -> AsyncIterator[str]:
    """A FastAPI app with the SDK's webhook route; yields the webhook URL."""
    app = FastAPI()
    app.include_router(fastapi_contrib.webhook_router(source, router))
    async with serve_asgi(app) as base:
        yield base + fastapi_contrib.DEFAULT_PATH


@asynccontextmanager
async def aiohttp_receiver(source: Source, router: WebhookRouter) -> AsyncIterator[str]:
    """An aiohttp app with the SDK's webhook handler; yields the webhook URL."""
    async with serve_aiohttp(aiohttp_contrib.webhook_app(source, router)) as base:
        yield base + aiohttp_contrib.DEFAULT_PATH


RECEIVERS: dict[str, ReceiverFactory] = {
    "fastapi": fastapi_receiver,
    "aiohttp": aiohttp_receiver,
}
