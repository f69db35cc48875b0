"""Settings of one emulated Bank 131 project: timings, project-level switches, wallet, webhooks.

The bank configures these per project through a manager; the emulator takes them as plain
fields so a test can pick the behaviour it wants to exercise.
"""

from __future__ import annotations

import attrs

__all__ = ["MockConfig"]

#: 10 billion roubles in kopecks: large enough that ordinary tests never run dry.
DEFAULT_WALLET_BALANCE = 1_000_000_000_000
#: 4 MiB: a Bank 131 request is a few kilobytes; the cap only stops abuse.
DEFAULT_MAX_BODY_SIZE = 4 * 1024 * 1024


@attrs.define(kw_only=True)
class MockConfig:
    """Behaviour of the emulator. Mutable so a running test can flip a switch."""

    #: Value the client must send in ``X-PARTNER-PROJECT``.
    project: str = "mock_project"
    #: start/init -> ``next_action=confirm`` (the bank's validation step).
    confirm_delay: float = 0.02
    #: confirm/capture -> final state, and payment confirm -> ``action_required``/capture step.
    process_delay: float = 0.02
    #: session/cancel -> ``cancelled`` (the bank answers ``in_progress`` and cancels later).
    cancel_delay: float = 0.01
    #: refund/chargeback -> refund ``accepted``/``declined``.
    refund_delay: float = 0.02
    #: Project setting "delayed capture": payments stop at ``next_action=capture``.
    delayed_capture: bool = False
    #: Project setting "single-request payouts": no ``ready_to_confirm`` step for payouts.
    auto_confirm_payouts: bool = False
    #: Collateral balance in kopecks; successful payouts debit it, successful payments do not
    #: credit it (incoming money settles elsewhere).
    wallet_balance: int = DEFAULT_WALLET_BALANCE
    #: Where webhooks go; ``None`` switches them off. ``"outbox"`` keeps them (signed) in
    #: ``webhooks.outbox`` for ``deliver_webhooks(app)`` to hand to an ASGI app in your test.
    webhook_url: str | None = None
    #: Spelling of the session inside webhooks (1: ``payments``..., 2: ``payout_list``...).
    webhook_api_version: int = 2
    #: Attempts per webhook, the first included; the bank gives up after these.
    webhook_max_attempts: int = 5
    #: First retry interval; each further one doubles.
    webhook_retry_delay: float = 0.05
    #: Per-attempt timeout of a webhook POST.
    webhook_timeout: float = 5.0
    #: Seed of the RNG behind probabilistic faults, so a failing run can be replayed.
    seed: int = 131
    #: Largest request body accepted, in bytes. A larger one is answered 413 with an
    #: ``invalid_request`` envelope: at once when ``Content-Length`` says so, else as soon as
    #: the bytes received pass the cap (the rest is never held in memory).
    max_body_size: int = DEFAULT_MAX_BODY_SIZE
