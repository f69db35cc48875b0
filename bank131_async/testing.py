"""Test your webhook handlers: throwaway bank keys, signed webhook bodies, pytest fixtures.

Sign a body the way the bank does and feed it to your receiver::

    from bank131_async.testing import WebhookSigner, webhook_payload

    signer = WebhookSigner()                                   # a throwaway "bank" key
    body, signature = signer.sign(webhook_payload("payment_finished", session_id="ps_1"))
    response = await client.post("/bank131/webhooks", content=body,
                                 headers={"X-PARTNER-SIGN": signature})

    bank = AsyncBank131(..., bank_public_key=signer.public_key_pem)   # verifies those

Or use the pytest plugin's fixtures: the package registers this module as a plugin (the
``pytest11`` entry point ``bank131``), so with ``pip install 'bank131-async[testing]'`` they
need no import::

    async def test_handler(bank131_webhook_signer):
        body, signature = bank131_webhook_signer.sign({"type": "ready_to_confirm", ...})

``bank131_mock`` (a :class:`~bank131_async.mock.MockBankThread`), ``bank131_client`` (an
``AsyncBank131`` connected to it), ``bank131_webhook_signer`` and ``bank131_bank_key``; override
``bank131_mock_options`` or ``bank131_client_options`` to change their settings.
"""

from __future__ import annotations

import base64
import importlib.util
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ._extras import require
from ._keys import generate_key, private_pem, public_pem
from ._retry import RetryPolicy
from .converter import dumps_json, session_envelope
from .models.webhooks import WebhookEvent
from .signing import PrivateKeyInput, SignatureVerifier, load_private_key

if TYPE_CHECKING:
    from .client import AsyncBank131
    from .mock import MockBankThread

__all__ = [
    "WebhookSigner",
    "bank131_bank_key",
    "bank131_client",
    "bank131_client_options",
    "bank131_mock",
    "bank131_mock_options",
    "bank131_webhook_signer",
    "generate_key",
    "private_key_pem",
    "public_key_pem",
    "sign_webhook",
    "webhook_body",
    "webhook_payload",
]

WebhookInput = bytes | str | Mapping[str, Any] | WebhookEvent


#: PEM helpers under the names this module has always used.
private_key_pem = private_pem
public_key_pem = public_pem


def webhook_body(event: WebhookInput) -> bytes:
    """The wire bytes of a webhook: bytes as given, ``str`` as UTF-8, a mapping as compact
    JSON, a typed event as the bank would send it (its ``raw`` body when it has one)."""
    if isinstance(event, bytes):
        return event
    if isinstance(event, str):
        return event.encode("utf-8")
    if isinstance(event, Mapping):
        return dumps_json(dict(event))
    if event.raw:
        return dumps_json(dict(event.raw))
    data: dict[str, Any] = {"type": event.type}
    if event.session is not None:
        data.update(session_envelope(event.session))
    return dumps_json(data)


def sign_webhook(event: WebhookInput, bank_private_key: PrivateKeyInput) -> tuple[bytes, str]:
    """``(body, signature)``: the body bytes and its ``X-PARTNER-SIGN``, as the bank sends them.

    >>> body, signature = sign_webhook({"type": "payment_finished", "session": {...}}, key)  # doctest: +SKIP
    """
    key = load_private_key(bank_private_key)
    body = webhook_body(event)
    signature = key.sign(body, padding.PKCS1v15(), hashes.SHA256())
    return body, base64.b64encode(signature).decode("ascii")


def webhook_payload(
    kind: str,
    *,
    session_id: str = "ps_test",
    status: str | None = None,
    next_action: str | None = None,
    operation_status: str | None = None,
    updated_at: datetime | str | None = None,
    payout: bool = True,
    api_version: int = 2,
    **extra: Any,
) -> dict[str, Any]:
    """A documented-shape webhook body for ``kind`` with one payout (or payment) operation.

    Statuses default to what the bank sends with each type (``ready_to_confirm``:
    ``in_progress`` + ``next_action=confirm`` + ``pending``; ``payment_finished``: ``accepted``
    + ``succeeded``; ...). ``extra`` keys are added at the top level.
    """
    defaults = {
        "ready_to_confirm": ("in_progress", "confirm", "pending"),
        "ready_to_capture": ("in_progress", "capture", "pending"),
        "action_required": ("in_progress", None, "pending"),
        "payment_finished": ("accepted", None, "succeeded"),
        "payment_refunded": ("accepted", None, "succeeded"),
    }
    d_status, d_action, d_op = defaults.get(kind, ("in_progress", None, "in_progress"))
    if updated_at is None:
        updated_at = datetime.now(UTC)
    stamp = (
        updated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        if isinstance(updated_at, datetime)
        else updated_at
    )
    operation: dict[str, Any] = {
        "id": ("po_" if payout else "pm_") + session_id.removeprefix("ps_"),
        "status": operation_status or d_op,
        "amount_details": {"amount": 10_000, "currency": "rub"},
    }
    if payout:
        key = "payout_list" if api_version == 2 else "payments"
        method = "payout_details" if api_version == 2 else "payment_method"
        operation[method] = {"type": "card", "card": {"last4": "4242", "brand": "visa"}}
    else:
        key = "payment_list" if api_version == 2 else "acquiring_payments"
    session: dict[str, Any] = {
        "id": session_id,
        "status": status or d_status,
        "created_at": stamp,
        "updated_at": stamp,
        key: [operation],
    }
    action = next_action if next_action is not None else d_action
    if action is not None:
        session["next_action"] = action
    return {"type": kind, "session": session, **extra}


class WebhookSigner:
    """A throwaway bank key that signs webhooks, and what a client needs to verify them.

    ``AsyncBank131(..., bank_public_key=signer.public_key_pem)``; ``signer.verifier`` for
    :func:`~bank131_async.webhooks.parse_webhook`; ``signer.sign(body_or_event)``.
    """

    def __init__(self, key: rsa.RSAPrivateKey | None = None) -> None:
        self.key = key if key is not None else generate_key()

    @property
    def public_key_pem(self) -> bytes:
        """The bank's public key as PEM: pass it as ``bank_public_key``."""
        return public_key_pem(self.key)

    @property
    def verifier(self) -> SignatureVerifier:
        """A :class:`~bank131_async.signing.SignatureVerifier` of this key."""
        return SignatureVerifier(self.key.public_key())

    def sign(self, event: WebhookInput) -> tuple[bytes, str]:
        """``(body, signature)``: the exact body bytes and their ``X-PARTNER-SIGN`` value."""
        return sign_webhook(event, self.key)

    def headers(self, event: WebhookInput) -> tuple[bytes, dict[str, str]]:
        """``(body, headers)`` ready for an HTTP client: JSON content type and signature."""
        body, signature = self.sign(event)
        return body, {"Content-Type": "application/json", "X-PARTNER-SIGN": signature}

    def __repr__(self) -> str:
        return f"WebhookSigner(<RSA-{self.key.key_size} throwaway bank key>)"


if importlib.util.find_spec("pytest") is not None:  # the helpers above work without pytest
    import pytest

    @pytest.fixture(scope="session")
    def bank131_bank_key() -> rsa.RSAPrivateKey:
        """A throwaway "bank" private key, generated once per test session."""
        return generate_key()

    @pytest.fixture
    def bank131_webhook_signer(bank131_bank_key: rsa.RSAPrivateKey) -> WebhookSigner:
        """A :class:`WebhookSigner` over :func:`bank131_bank_key`."""
        return WebhookSigner(bank131_bank_key)

    @pytest.fixture
    def bank131_mock_options() -> dict[str, Any]:
        """Options of the ``bank131_mock`` fixture (:class:`MockConfig` fields); override
        this fixture to change them, e.g. ``{"auto_confirm_payouts": True}``."""
        return {"confirm_delay": 0.01, "process_delay": 0.01, "webhook_url": "outbox"}

    @pytest.fixture
    def bank131_mock(
        bank131_bank_key: rsa.RSAPrivateKey, bank131_mock_options: dict[str, Any]
    ) -> Iterator[MockBankThread]:
        """A running mock Bank 131 on 127.0.0.1, in a thread of its own, so it answers from
        any event loop and under any async test plugin. Webhooks wait in its outbox:
        ``await bank131_mock.deliver_webhooks(app)`` hands them to your ASGI app."""
        require("the bank131_mock fixture", "testing", "uvicorn", "httptools")
        from .mock import MockBankThread

        with MockBankThread(bank_key=bank131_bank_key, **bank131_mock_options) as mock:
            yield mock

    @pytest.fixture
    def bank131_client_options() -> dict[str, Any]:
        """Options of the ``bank131_client`` fixture (``AsyncBank131`` arguments); override
        this fixture to change them, e.g. ``{"max_retries": 0}``."""
        return {"retry_policy": RetryPolicy(initial_backoff=0.01, max_backoff=0.1)}

    @pytest.fixture
    def bank131_client(
        bank131_mock: MockBankThread, bank131_client_options: dict[str, Any]
    ) -> Iterator[AsyncBank131]:
        """An ``AsyncBank131`` connected to ``bank131_mock``.

        It opens a connection per request (no keep-alive), so nothing in it belongs to one
        event loop: it works in function- and session-scoped loops alike, and nothing is left
        open when the test ends. (Measure speed with a client of your own.)
        """
        options = {
            "http_client": httpx.AsyncClient(
                limits=httpx.Limits(max_keepalive_connections=0), timeout=10.0
            ),
            **bank131_client_options,
        }
        client = bank131_mock.client(**options)
        yield client
        client._mark_closed()  # nothing of it is open: no await, so no event loop, needed
