"""``MockBankThread``: the emulator in a thread of its own, usable from any event loop.

:class:`~bank131_async.mock.MockBank131` serves from the event loop that started it, so a
client in another loop (a session-scoped fixture under a function-scoped test loop) would
wait for answers that never come. This one runs its own loop in a daemon thread: any test, in
any loop, under any async test plugin (or none), can talk to it. It is what the pytest
fixture ``bank131_mock`` gives you::

    with MockBankThread(webhook_url="outbox") as mock:      # a plain context manager
        bank = mock.client()                                # an AsyncBank131 for it
        ...
        mock.add_fault("drop_after", route="session/confirm", times=1)
        await mock.deliver_webhooks(app)                    # into your ASGI app, this loop
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from .config import MockConfig
from .faults import Fault, FaultKind, Faults
from .server import MockBank131
from .state import MockState
from .webhooks import WebhookDelivery, WebhookSender, deliver_to_app

if TYPE_CHECKING:
    from ..client import AsyncBank131

__all__ = ["MockBankThread"]

T = TypeVar("T")


class MockBankThread:
    """A :class:`MockBank131` running in its own thread and event loop (127.0.0.1 only).

    Takes :class:`MockBank131`'s arguments. Read ``state`` freely (answers are complete when
    your awaits return); change behaviour with :meth:`add_fault` / :meth:`call`, which run in
    the mock's loop.
    """

    def __init__(self, config: MockConfig | None = None, **options: Any) -> None:
        self._mock = MockBank131(config, **options)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"MockBankThread({self._mock!r})"

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Start the emulator in its thread (what entering ``with`` does)."""
        if self._thread is not None:
            raise RuntimeError("MockBankThread is already running")
        started: Future[None] = Future()
        self._thread = threading.Thread(
            target=self._run, args=(started,), name="bank131-mock", daemon=True
        )
        self._thread.start()
        started.result(timeout=30)

    def _run(self, started: Future[None]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._mock.start())
        except BaseException as exc:
            started.set_exception(exc)
            loop.close()
            return
        started.set_result(None)
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._mock.stop())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def stop(self) -> None:
        """Stop it and join the thread (what leaving ``with`` does)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        self._loop = self._thread = None

    def __enter__(self) -> MockBankThread:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what a test needs ------------------------------------------------------------------

    def call(self, fn: Callable[[MockBank131], T]) -> T:
        """Run ``fn(mock)`` in the mock's loop and return its result (thread-safe changes)."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("MockBankThread is not running; use it with 'with'")
        done: Future[T] = Future()

        def run() -> None:
            try:
                done.set_result(fn(self._mock))
            except BaseException as exc:
                done.set_exception(exc)

        loop.call_soon_threadsafe(run)
        return done.result(timeout=30)

    def add_fault(self, kind: FaultKind | str | Fault, **options: Any) -> Fault:
        """``mock.faults.add(...)``, run in the mock's loop."""
        return self.call(lambda mock: mock.faults.add(kind, **options))

    def client(self, **overrides: Any) -> AsyncBank131:
        """An ``AsyncBank131`` for this mock (see :meth:`MockBank131.client`), usable from any
        event loop (the mock answers from its own)."""
        client = self._mock.client(**overrides)
        client._pin_to_loop(None)
        return client

    async def deliver_webhooks(
        self, app: Any, path: str = "/bank131/webhooks", *, at_least: int = 0, timeout: float = 5.0
    ) -> list[WebhookDelivery]:
        """Hand the outbox's webhooks to the ASGI ``app`` in the calling loop (see
        :func:`~bank131_async.mock.webhooks.deliver_to_app`)."""
        return await deliver_to_app(self.webhooks, app, path, at_least=at_least, timeout=timeout)

    @property
    def mock(self) -> MockBank131:
        """The emulator itself (its coroutines belong to the mock's loop: use :meth:`call`)."""
        return self._mock

    @property
    def url(self) -> str:
        """Host root, e.g. ``http://127.0.0.1:51234``."""
        return self._mock.url

    @property
    def project(self) -> str:
        """The project id the emulator expects."""
        return self._mock.project

    @property
    def config(self) -> MockConfig:
        """The emulator's :class:`MockConfig` (change it through :meth:`call`)."""
        return self._mock.config

    @property
    def state(self) -> MockState:
        """The emulator's :class:`MockState` (read it freely)."""
        return self._mock.state

    @property
    def faults(self) -> Faults:
        """The fault rules (add them with :meth:`add_fault`)."""
        return self._mock.faults

    @property
    def webhooks(self) -> WebhookSender:
        """The webhook sender and its outbox."""
        return self._mock.webhooks

    @property
    def partner_private_key_pem(self) -> bytes:
        """Your (the partner's) private key as PEM."""
        return self._mock.partner_private_key_pem

    @property
    def bank_public_key_pem(self) -> bytes:
        """The bank's public key as PEM (verifies its webhooks)."""
        return self._mock.bank_public_key_pem

    @property
    def bank_private_key_pem(self) -> bytes:
        """The bank's private key as PEM (signs its webhooks)."""
        return self._mock.bank_private_key_pem
