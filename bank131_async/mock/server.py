"""``MockBank131``: the emulator over real sockets on 127.0.0.1, in the current event loop.

>>> async with MockBank131(confirm_delay=0.01) as mock:           # doctest: +SKIP
...     mock.url, mock.project, mock.partner_private_key_pem
...     mock.faults.add("drop_after", route="session/init/payout", times=1)
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Generator
from types import TracebackType
from typing import TYPE_CHECKING, Any

import attrs
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa

from .app import MockBankApp
from .config import MockConfig
from .faults import Faults
from .keys import generate_key, private_pem, public_pem
from .state import MockState
from .webhooks import WebhookSender

if TYPE_CHECKING:
    from ..client import AsyncBank131

__all__ = ["MockBank131", "bind_loopback", "uvicorn_config"]

LOOPBACK = "127.0.0.1"


def bind_loopback(port: int = 0, host: str = LOOPBACK) -> socket.socket:
    """A listening socket on loopback only; port 0 picks a free one."""
    if host not in ("127.0.0.1", "localhost"):
        raise ValueError(f"the emulator binds loopback only, not {host!r}")
    # proto must say TCP: asyncio only disables Nagle on accepted sockets whose proto is
    # IPPROTO_TCP, and uvicorn writes headers and body separately, so with Nagle on every
    # answer waits out the client's delayed ACK (~40 ms).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((LOOPBACK, port))
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def uvicorn_config(app: MockBankApp, **options: Any) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        http="httptools",
        ws="none",
        interface="asgi3",
        lifespan="off",
        proxy_headers=False,
        server_header=False,
        date_header=False,
        access_log=False,
        log_config=None,
        log_level="warning",
        timeout_graceful_shutdown=1,
        backlog=1024,
        **options,
    )


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves the host process's signal handlers alone."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class MockBank131:
    """Runs the emulator on a free loopback port for the lifetime of an ``async with``.

    Keys are generated unless given: the partner key pair (the client signs with
    ``partner_private_key``; pass ``partner_public_key`` alone to register a key you keep) and
    the bank key pair (webhooks are signed with ``bank_private_key``; clients verify with
    ``bank_public_key_pem``). Keyword ``overrides`` set :class:`MockConfig` fields.
    """

    def __init__(
        self,
        config: MockConfig | None = None,
        *,
        port: int = 0,
        partner_key: rsa.RSAPrivateKey | None = None,
        partner_public_key: rsa.RSAPublicKey | None = None,
        bank_key: rsa.RSAPrivateKey | None = None,
        **overrides: Any,
    ) -> None:
        config = config if config is not None else MockConfig()
        if overrides:
            config = attrs.evolve(config, **overrides)
        if partner_public_key is None:
            partner_key = partner_key if partner_key is not None else generate_key()
            partner_public_key = partner_key.public_key()
        self.partner_private_key: rsa.RSAPrivateKey | None = partner_key
        self.partner_public_key = partner_public_key
        self.bank_private_key = bank_key if bank_key is not None else generate_key()
        self.app = MockBankApp(
            config, partner_public_key=partner_public_key, bank_private_key=self.bank_private_key
        )
        self._port = port
        self._sock: socket.socket | None = None
        self._server: _EmbeddedServer | None = None
        self._task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        where = self.url if self._sock is not None else "not running"
        return f"MockBank131(project={self.project!r}, {where})"

    # -- what a client needs ----------------------------------------------------------------

    @property
    def url(self) -> str:
        """Host root, e.g. ``http://127.0.0.1:51234`` (the client adds ``/api/v2/...``)."""
        if self._sock is None:
            raise RuntimeError("MockBank131 is not running; use it with 'async with'")
        port = self._sock.getsockname()[1]
        return f"http://{LOOPBACK}:{port}"

    @property
    def project(self) -> str:
        return self.app.config.project

    @property
    def config(self) -> MockConfig:
        return self.app.config

    @property
    def state(self) -> MockState:
        return self.app.state

    @property
    def faults(self) -> Faults:
        return self.app.faults

    @property
    def webhooks(self) -> WebhookSender:
        return self.app.webhooks

    @property
    def partner_private_key_pem(self) -> bytes:
        if self.partner_private_key is None:
            raise RuntimeError("only the partner public key was registered")
        return private_pem(self.partner_private_key)

    @property
    def partner_public_key_pem(self) -> bytes:
        return public_pem(self.partner_public_key)

    @property
    def bank_public_key_pem(self) -> bytes:
        return public_pem(self.bank_private_key)

    @property
    def bank_private_key_pem(self) -> bytes:
        return private_pem(self.bank_private_key)

    def client(self, **overrides: Any) -> AsyncBank131:
        """An ``AsyncBank131`` configured for this emulator (project, partner key, bank public
        key, URL); ``overrides`` go to the constructor (``max_retries=``, ``timeout=``, ...).
        The caller owns it: use it with ``async with``."""
        from ..client import AsyncBank131  # the emulator itself must not need the SDK

        if self.partner_private_key is None:
            raise RuntimeError("only the partner public key was registered; pass private_key=")
        settings: dict[str, Any] = {
            "project": self.project,
            "private_key": self.partner_private_key,
            "bank_public_key": self.bank_public_key_pem,
            "base_url": self.url,
        }
        settings.update(overrides)
        return AsyncBank131(**settings)

    # -- lifecycle --------------------------------------------------------------------------

    async def __aenter__(self) -> MockBank131:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("MockBank131 is already running")
        self._sock = bind_loopback(self._port)
        self._server = _EmbeddedServer(uvicorn_config(self.app))
        self._task = asyncio.get_running_loop().create_task(
            self._server.serve(sockets=[self._sock])
        )
        for _ in range(1000):  # 5 s at most
            if self._server.started:
                return
            if self._task.done():
                break
            await asyncio.sleep(0.005)
        await self.stop()
        raise RuntimeError("the emulator's server did not start")

    async def stop(self) -> None:
        try:
            if self._server is not None and self._task is not None:
                self._server.should_exit = True
                try:
                    await asyncio.wait_for(asyncio.shield(self._task), timeout=5)
                except TimeoutError:
                    self._server.force_exit = True
                    self._task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await self._task
        finally:
            await self.app.aclose()
            if self._sock is not None:
                self._sock.close()
            self._task = self._server = None
            self._sock = None  # a stopped emulator has no url
