"""``MockBank131``: the emulator over real sockets on 127.0.0.1, in the current event loop.

>>> async with MockBank131(confirm_delay=0.01) as mock:           # doctest: +SKIP
...     mock.url, mock.project, mock.partner_private_key_pem
...     mock.faults.add("drop_after", route="session/init/payout", times=1)

:class:`SocketServer` is uvicorn on one loopback socket plus the ``outage`` fault: it stops
listening for a while (new connections are refused: ``ECONNREFUSED``, ``httpx.ConnectError``)
and then listens again on the same port. Both ``MockBank131`` and the CLI serve through it.
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
from .webhooks import WebhookDelivery, WebhookSender, deliver_to_app

if TYPE_CHECKING:
    from ..client import AsyncBank131

__all__ = ["MockBank131", "SocketServer", "bind_loopback", "uvicorn_config"]

LOOPBACK = "127.0.0.1"
BACKLOG = 1024
#: How often a listener that cannot get its port back (taken by another process in the instant
#: it was free) tries again; the server never gives up while it runs.
REBIND_INTERVAL = 0.05


def bind_loopback(port: int = 0, host: str = LOOPBACK, *, listen: bool = True) -> socket.socket:
    """A listening socket on loopback only; port 0 picks a free one. With ``listen=False`` the
    socket only holds the port: connections to it are refused until someone listens."""
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
        if listen:
            sock.listen(BACKLOG)
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
        backlog=BACKLOG,
        **options,
    )


class SocketServer(uvicorn.Server):
    """uvicorn serving ``app`` on ``sock``, which an ``outage`` fault can take down for a while.

    An outage (:meth:`outage`, called by the app once the faulty request is processed) closes
    the listening socket, so the kernel answers new connections with RST (``ECONNREFUSED``),
    and closes open connections as a restart would (idle ones at once, busy ones after their
    answer). The port stays reserved meanwhile by a bound socket that does not listen; when
    the outage ends that socket starts listening and serves through uvicorn's protocol
    again. Outages that overlap extend the current one; the server always listens again
    unless it is stopping.
    """

    def __init__(
        self, app: MockBankApp, sock: socket.socket, *, handle_signals: bool = False
    ) -> None:
        super().__init__(uvicorn_config(app))
        self.app = app
        self.sock = sock
        self.port: int = sock.getsockname()[1]
        #: Set while connections are accepted; cleared during an outage.
        self.listening = asyncio.Event()
        #: Outages so far (overlapping ones count once).
        self.outages = 0
        self._handle_signals = handle_signals
        self._until = 0.0  # loop time the current outage lasts until
        self._holder: socket.socket | None = None
        self._reopening: asyncio.Task[None] | None = None

    async def serve_forever(self) -> None:
        """Serve until :attr:`should_exit`; the app's outage faults act on this server."""
        self.app.on_outage = self.outage
        try:
            await self.serve(sockets=[self.sock])
        finally:
            self.app.on_outage = None
            self._end_outage()

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # Embedded in a test or a host program, the host's signal handlers stay in charge.
        if self._handle_signals:
            with super().capture_signals():
                yield
        else:
            yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self.listening.set()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._end_outage()
        await super().shutdown(sockets=sockets)

    def outage(self, duration: float) -> None:
        """Refuse new connections for ``duration`` seconds from now, then listen again."""
        loop = asyncio.get_running_loop()
        self._until = max(self._until, loop.time() + duration)
        if self._reopening is not None or self.should_exit or not self.started:
            return  # already out (now until the later end), or not serving at all
        self.outages += 1
        self._go_deaf()
        self._reopening = loop.create_task(self._reopen())

    def _go_deaf(self) -> None:
        self.listening.clear()
        loop = asyncio.get_running_loop()
        servers, self.servers = self.servers, []
        for server in servers:
            for sock in server.sockets:
                loop.remove_reader(sock.fileno())  # accept nothing more from now on
        # Close the listeners (connects then get RST) one loop step later: connections the
        # loop has just accepted are still being set up, and on Python 3.11 a transport made
        # for an already closed server fails an assertion and leaks its socket.
        loop.call_soon(_close_all, servers)
        self._holder = _hold(self.port)
        for connection in list(self.server_state.connections):
            connection.shutdown()

    async def _reopen(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while not self.should_exit:
                left = self._until - loop.time()
                if left > 0:
                    await asyncio.sleep(left)
                    continue
                sock, self._holder = self._holder, None
                try:
                    sock = sock if sock is not None else bind_loopback(self.port, listen=False)
                    server = await loop.create_server(
                        self._protocol, sock=sock, backlog=self.config.backlog
                    )
                except OSError:
                    if sock is not None:
                        sock.close()
                    await asyncio.sleep(REBIND_INTERVAL)
                    continue
                self.servers.append(server)
                if self._until > loop.time():
                    self._go_deaf()  # another outage began while the listener started
                    continue
                self.listening.set()
                return
        finally:
            self._reopening = None

    def _protocol(self) -> asyncio.Protocol:
        # What uvicorn.Server.startup builds for its own listeners: one protocol per connection,
        # sharing this server's state, so shutdown sees and closes every connection.
        # uvicorn types the class as a plain asyncio.Protocol and ignores the same error.
        protocol: asyncio.Protocol = self.config.http_protocol_class(  # type: ignore[call-arg]
            config=self.config, server_state=self.server_state, app_state=self.lifespan.state
        )
        return protocol

    def _end_outage(self) -> None:
        if self._reopening is not None:
            self._reopening.cancel()
        if self._holder is not None:
            self._holder.close()
            self._holder = None


def _close_all(servers: list[asyncio.Server]) -> None:
    for server in servers:
        server.close()


def _hold(port: int) -> socket.socket | None:
    """A socket bound to ``port`` that does not listen, so no other process takes the port
    during an outage; ``None`` if one did in the instant it was free (the reopen retries)."""
    try:
        return bind_loopback(port, listen=False)
    except OSError:
        return None


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
        self._server: SocketServer | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "not running"
        return f"MockBank131(project={self.project!r}, {where})"

    # -- what a client needs ----------------------------------------------------------------

    @property
    def url(self) -> str:
        """Host root, e.g. ``http://127.0.0.1:51234`` (the client adds ``/api/v2/...``)."""
        if self._server is None:
            raise RuntimeError("MockBank131 is not running; use it with 'async with'")
        return f"http://{LOOPBACK}:{self._server.port}"

    @property
    def listening(self) -> bool:
        """Whether new connections are accepted (``False`` during an ``outage`` fault)."""
        return self._server is not None and self._server.listening.is_set()

    @property
    def outages(self) -> int:
        """How many ``outage`` faults took the server down (overlapping ones count once)."""
        return self._server.outages if self._server is not None else 0

    async def wait_listening(self) -> None:
        """Until new connections are accepted again after an outage (bound it yourself,
        e.g. ``with anyio.fail_after(5):``)."""
        if self._server is None:
            raise RuntimeError("MockBank131 is not running")
        await self._server.listening.wait()

    @property
    def project(self) -> str:
        """The project id the emulator expects in ``X-PARTNER-PROJECT``."""
        return self.app.config.project

    @property
    def config(self) -> MockConfig:
        """The emulator's :class:`MockConfig` (mutable: a test may flip a setting)."""
        return self.app.config

    @property
    def state(self) -> MockState:
        """The emulator's :class:`MockState`: sessions, the money journal, the wallet balance."""
        return self.app.state

    @property
    def faults(self) -> Faults:
        """The fault rules (:class:`~bank131_async.mock.faults.Faults`)."""
        return self.app.faults

    @property
    def webhooks(self) -> WebhookSender:
        """The webhook sender (its ``outbox`` when ``webhook_url="outbox"``)."""
        return self.app.webhooks

    @property
    def partner_private_key_pem(self) -> bytes:
        """Your (the partner's) private key as PEM, for a client of this emulator."""
        if self.partner_private_key is None:
            raise RuntimeError("only the partner public key was registered")
        return private_pem(self.partner_private_key)

    @property
    def partner_public_key_pem(self) -> bytes:
        """Your public key as PEM, as the emulator registered it."""
        return public_pem(self.partner_public_key)

    @property
    def bank_public_key_pem(self) -> bytes:
        """The bank's public key as PEM (``bank_public_key=``: verifies its webhooks)."""
        return public_pem(self.bank_private_key)

    @property
    def bank_private_key_pem(self) -> bytes:
        """The bank's private key as PEM (signs the emulator's webhooks)."""
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
        client = AsyncBank131(**settings)
        if self._loop is not None:
            client._pin_to_loop(self._loop)
        return client

    async def deliver_webhooks(
        self, app: Any, path: str = "/bank131/webhooks", *, at_least: int = 0, timeout: float = 5.0
    ) -> list[WebhookDelivery]:
        """Hand the webhooks kept in the outbox (``webhook_url="outbox"``) to the ASGI ``app``
        (your FastAPI app) in this event loop, signed as the bank signs them, with no server;
        see :func:`~bank131_async.mock.webhooks.deliver_to_app`."""
        return await deliver_to_app(
            self.app.webhooks, app, path, at_least=at_least, timeout=timeout
        )

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
        """Start serving on 127.0.0.1 (what entering ``async with`` does)."""
        if self._task is not None:
            raise RuntimeError("MockBank131 is already running")
        self._sock = bind_loopback(self._port)
        self._loop = asyncio.get_running_loop()
        self._server = SocketServer(self.app, self._sock)
        self._task = asyncio.get_running_loop().create_task(self._server.serve_forever())
        for _ in range(1000):  # 5 s at most
            if self._server.started:
                return
            if self._task.done():
                break
            await asyncio.sleep(0.005)
        await self.stop()
        raise RuntimeError("the emulator's server did not start")

    async def stop(self) -> None:
        """Stop serving and close the connections (what leaving ``async with`` does)."""
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
