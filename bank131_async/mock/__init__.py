"""Bank 131 emulator ("mock bank") for tests, demos and benchmarks.

>>> async with MockBank131(confirm_delay=0.01) as mock:                # doctest: +SKIP
...     async with mock.client(max_retries=2) as bank:                    # an AsyncBank131
...         session = await bank.sessions.init_payout(...)
...     mock.faults.add("drop_after", route="session/init/payout", times=1)
...     mock.state.payouts_by_idempotency_key()                           # paid twice?

* :class:`MockBank131` -- the emulator on a free 127.0.0.1 port in the current event loop;
  ``url``, ``project``, keys (``partner_private_key_pem``, ``bank_public_key_pem``, ...),
  ``state``, ``faults``, ``config``, ``webhooks``, ``client(**overrides)``.
* :class:`MockBankThread` -- the same in a thread of its own: usable from any event loop
  (what the pytest fixture ``bank131_mock`` gives you).
* :class:`MockBankApp` -- the same emulator as a raw ASGI app, for ``httpx.ASGITransport``.
* ``python -m bank131_async.mock --port 8131`` -- from a shell.

Behaviour: :class:`MockConfig` (delays, delayed capture, single-request payouts, wallet,
webhooks, body size cap); outcomes by input: :mod:`bank131_async.mock.outcomes`; fault rules
(including ``outage``, which refuses connections for a while): :mod:`bank131_async.mock.faults`;
HTTP statuses and error codes: :mod:`bank131_async.mock.wire`; the request keys it accepts
(anything else is ``invalid_request``): :mod:`bank131_async.mock.shapes`; which session call is
legal when: :mod:`bank131_async.mock.lifecycle`; every path it answers:
:mod:`bank131_async.mock.routes`.
"""

# ruff: noqa: E402 -- the imports below come after the check that names a missing extra
from __future__ import annotations

from .._extras import require

require("bank131_async.mock", "mock", "uvicorn", "httptools")

from .app import MockBankApp
from .config import MockConfig
from .faults import Fault, FaultKind, Faults
from .server import MockBank131
from .state import JournalEntry, MockState, Operation, Refund, Session
from .thread import MockBankThread
from .webhooks import WebhookDelivery

__all__ = [
    "Fault",
    "FaultKind",
    "Faults",
    "JournalEntry",
    "MockBank131",
    "MockBankApp",
    "MockBankThread",
    "MockConfig",
    "MockState",
    "Operation",
    "Refund",
    "Session",
    "WebhookDelivery",
]
