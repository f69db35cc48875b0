"""Bank 131 emulator ("mock bank") for tests, demos and benchmarks.

``async with MockBank131() as mock:`` serves the emulator on a free 127.0.0.1 port;
``MockBankApp`` is the same emulator as an ASGI app for ``httpx.ASGITransport``;
``python -m bank131_async.mock --port 8131`` runs it from a shell. Outcomes by input are listed
in :mod:`bank131_async.mock.outcomes`, fault rules in :mod:`bank131_async.mock.faults`.
"""

from __future__ import annotations

from .app import MockBankApp
from .config import MockConfig
from .faults import Fault, FaultKind, Faults
from .server import MockBank131
from .state import JournalEntry, MockState, Operation, Refund, Session
from .webhooks import WebhookDelivery

__all__ = [
    "Fault",
    "FaultKind",
    "Faults",
    "JournalEntry",
    "MockBank131",
    "MockBankApp",
    "MockConfig",
    "MockState",
    "Operation",
    "Refund",
    "Session",
    "WebhookDelivery",
]
