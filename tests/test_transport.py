"""The request pipeline end to end over httpx.MockTransport: retries, keys, decoding, errors."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131, RetryPolicy
from bank131_async._transport import Endpoint
from bank131_async.errors import (
    ApiError,
    Bank131Error,
    BankInternalError,
    IdempotencyConflictError,
    RateLimitError,
    RequestTimeoutError,
    ResponseDecodeError,
    SessionWrongStateError,
    TransportConnectionError,
    TransportError,
)
from bank131_async.models import AmountDetails, BankCard, Participant, ParticipantDetails
from bank131_async.models import PayoutDetails as PD

pytestmark = pytest.mark.asyncio

FAST = RetryPolicy(max_retries=2, initial_backoff=0.001, max_backoff=0.002)
SESSION = {"id": "ps_1", "status": "in_progress", "next_action": None}
OK = {"status": "ok", "session": SESSION}

Step = Callable[[httpx.Request], httpx.Response]


def answer(status: int = 200, body: Any = OK, headers: dict[str, str] | None = None) -> Step:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return lambda request: httpx.Response(status, content=raw, headers=headers)


def fail(exc: type[httpx.TransportError]) -> Step:
    def step(request: httpx.Request) -> httpx.Response:
        raise exc("scripted failure", request=request)

    return step


class Script:
    """Plays one step per request and records what was sent."""

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert self.steps, f"unexpected extra request #{len(self.requests)}"
        return self.steps.pop(0)(request)

    def keys(self) -> list[str | None]:
        return [r.headers.get("X-PARTNER-IDEMPOTENCY-KEY") for r in self.requests]


def client(key: rsa.RSAPrivateKey, script: Script, **kw: Any) -> AsyncBank131:
    if "max_retries" not in kw:
        kw.setdefault("retry_policy", FAST)
    return AsyncBank131(
        project="p1",
        private_key=key,
        base_url="https://bank.test",
        transport=httpx.MockTransport(script),
        **kw,
    )


CARD = PD.from_card(BankCard(number="4242424242424242"))
AMOUNT = AmountDetails(amount=100, currency="rub")
RECIPIENT = ParticipantDetails(recipient=Participant(full_name="Ivan Ivanov"))


async def init_payout(bank: AsyncBank131, key: str | None = None) -> Any:
    return await bank.sessions.init_payout(
        payout_details=CARD,
        amount_details=AMOUNT,
        participant_details=RECIPIENT,
        idempotency_key=key,
    )


# --------------------------------------------------------------------------- retries


@pytest.mark.parametrize(
    "first",
    [fail(httpx.ConnectError), fail(httpx.ConnectTimeout), fail(httpx.PoolTimeout)],
)
async def test_not_sent_is_retried_with_the_same_generated_key(
    partner_key: rsa.RSAPrivateKey, first: Step
) -> None:
    script = Script(first, answer())
    async with client(partner_key, script) as bank:
        session = await init_payout(bank)
    assert session.id == "ps_1"
    keys = script.keys()
    assert len(keys) == 2
    assert keys[0] is not None
    assert keys[0] == keys[1]
    assert uuid.UUID(keys[0]).version == 4
    # the exact same signed bytes are sent again
    assert script.requests[0].content == script.requests[1].content
    assert (
        script.requests[0].headers["X-PARTNER-SIGN"] == script.requests[1].headers["X-PARTNER-SIGN"]
    )


@pytest.mark.parametrize(
    "maybe_sent",
    [
        fail(httpx.ReadTimeout),
        fail(httpx.WriteTimeout),
        fail(httpx.ReadError),
        fail(httpx.RemoteProtocolError),
    ],
)
async def test_maybe_sent_mutating_call_is_retried_with_the_callers_key(
    partner_key: rsa.RSAPrivateKey, maybe_sent: Step
) -> None:
    script = Script(maybe_sent, answer())
    async with client(partner_key, script) as bank:
        await init_payout(bank, key="order-42")
    assert script.keys() == ["order-42", "order-42"]


async def test_maybe_sent_read_only_call_is_retried_without_a_key(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    script = Script(fail(httpx.ReadTimeout), answer())
    async with client(partner_key, script) as bank:
        await bank.sessions.status("ps_1")
    assert script.keys() == [None, None]


async def test_maybe_sent_call_without_idempotency_support_is_not_retried(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    script = Script(fail(httpx.ReadTimeout))
    endpoint = Endpoint("token", idempotent=False)
    async with client(partner_key, script) as bank:
        with pytest.raises(RequestTimeoutError) as info:
            await bank._transport.request(endpoint, b"{}")
    assert info.value.request_sent is True
    assert info.value.attempts == 1
    assert script.keys() == [None]


async def test_a_new_endpoint_with_default_flags_is_never_replayed(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    """A forgotten flag must not make a mutating call replayable: the defaults are safe."""
    script = Script(fail(httpx.ReadTimeout))
    async with client(partner_key, script) as bank:
        with pytest.raises(RequestTimeoutError) as info:
            await bank._transport.request(Endpoint("brand/new/method"), b"{}")
    assert info.value.maybe_processed is True
    assert script.keys() == [None]  # sent once, with no idempotency key


async def test_not_sent_call_without_idempotency_support_is_retried(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    script = Script(fail(httpx.ConnectError), answer(body={"status": "ok", "public_token": "t"}))
    async with client(partner_key, script) as bank:
        data = await bank._transport.request(Endpoint("token", idempotent=False), b"{}")
    assert data["public_token"] == "t"
    assert len(script.requests) == 2


@pytest.mark.parametrize(
    ("steps", "error", "sent"),
    [
        ([fail(httpx.ConnectError)] * 3, TransportConnectionError, False),
        ([fail(httpx.ConnectTimeout)] * 3, RequestTimeoutError, False),
        ([fail(httpx.ReadTimeout)] * 3, RequestTimeoutError, True),
        (
            [fail(httpx.ConnectError), fail(httpx.ConnectError), fail(httpx.ReadError)],
            TransportConnectionError,
            True,
        ),
    ],
)
async def test_exhausted_retries_raise_a_transport_error_that_says_if_money_may_have_moved(
    partner_key: rsa.RSAPrivateKey,
    steps: list[Step],
    error: type[TransportError],
    sent: bool,
) -> None:
    script = Script(*steps)
    async with client(partner_key, script) as bank:
        with pytest.raises(error) as info:
            await init_payout(bank, key="k-1")
    assert info.value.request_sent is sent
    assert info.value.attempts == 3
    assert info.value.idempotency_key == "k-1"
    assert not isinstance(info.value, httpx.HTTPError)
    # the last attempt's low-level error is chained, and its text kept in the message
    assert isinstance(info.value.__cause__, httpx.TransportError)
    assert "scripted failure" in str(info.value)
    assert "3 attempts" in str(info.value)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_is_retried_then_succeeds(partner_key: rsa.RSAPrivateKey, status: int) -> None:
    script = Script(
        answer(status, {"status": "error", "error": {"code": "internal_error"}}), answer()
    )
    async with client(partner_key, script) as bank:
        session = await init_payout(bank)
    assert session.id == "ps_1"
    assert len(set(script.keys())) == 1


async def test_5xx_exhausted_raises_the_typed_error_with_attempts(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    body = {"status": "error", "error": {"code": "internal_error", "description": "oops"}}
    script = Script(*[answer(500, body)] * 3)
    async with client(partner_key, script) as bank:
        with pytest.raises(BankInternalError) as info:
            await bank.sessions.status("ps_1")
    assert info.value.code == "internal_error"
    assert info.value.http_status == 500
    assert info.value.attempts == 3


async def test_429_honours_retry_after_then_raises_rate_limit(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    limited = answer(429, {"status": "error", "error": {"code": "too_many"}}, {"Retry-After": "0"})
    script = Script(limited, limited, limited)
    async with client(partner_key, script) as bank:
        with pytest.raises(RateLimitError) as info:
            await bank.sessions.status("ps_1")
    assert len(script.requests) == 3
    assert info.value.retry_after == 0.0


async def test_retry_after_longer_than_the_cap_is_not_waited_for(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    script = Script(answer(503, b"busy", {"Retry-After": "3600"}))
    async with client(partner_key, script) as bank:
        with pytest.raises(ResponseDecodeError) as info:
            await bank.sessions.status("ps_1")
    assert info.value.http_status == 503
    assert len(script.requests) == 1


@pytest.mark.parametrize("status", [400, 401, 404, 409])
async def test_definitive_errors_are_not_retried(
    partner_key: rsa.RSAPrivateKey, status: int
) -> None:
    body = {"status": "error", "error": {"code": "session_wrong_state", "description": "no"}}
    script = Script(answer(status, body))
    async with client(partner_key, script) as bank:
        with pytest.raises(SessionWrongStateError) as info:
            await bank.sessions.confirm("ps_1", idempotency_key="c-1")
    assert info.value.http_status == status
    assert info.value.idempotency_key == "c-1"
    assert len(script.requests) == 1


# --------------------------------------------------------------------------- idempotency

CONFLICT = {"status": "error", "error": {"code": "idempotency_key_already_exists"}}


async def test_conflict_on_a_retry_of_a_session_call_returns_the_current_session(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    confirmed = {"status": "ok", "session": {"id": "ps_1", "status": "accepted"}}
    script = Script(fail(httpx.ReadTimeout), answer(409, CONFLICT), answer(body=confirmed))
    async with client(partner_key, script) as bank:
        session = await bank.sessions.confirm("ps_1", idempotency_key="c-9")
    assert session.status == "accepted"
    assert [r.url.path for r in script.requests] == [
        "/api/v2/session/confirm",
        "/api/v2/session/confirm",
        "/api/v2/session/status",
    ]


async def test_conflict_on_a_retry_of_init_says_the_earlier_attempt_was_processed(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    script = Script(fail(httpx.RemoteProtocolError), answer(400, CONFLICT))
    async with client(partner_key, script) as bank:
        with pytest.raises(IdempotencyConflictError) as info:
            await init_payout(bank, key="order-7")
    assert info.value.attempts == 2
    assert info.value.idempotency_key == "order-7"
    assert "earlier attempt" in str(info.value)
    assert len(script.requests) == 2


async def test_conflict_on_the_first_attempt_surfaces(partner_key: rsa.RSAPrivateKey) -> None:
    script = Script(answer(400, CONFLICT))
    async with client(partner_key, script) as bank:
        with pytest.raises(IdempotencyConflictError) as info:
            await bank.sessions.confirm("ps_1", idempotency_key="reused")
    assert info.value.attempts == 1
    assert len(script.requests) == 1


# --------------------------------------------------------------------------- decoding


@pytest.mark.parametrize(
    ("status", "body", "fragment"),
    [
        (200, b"<html>gateway</html>", "no JSON object"),
        (200, b"", "no JSON object"),
        (200, b"[1, 2]", "JSON list"),
        (200, b'{"status": "maybe"}', "expected 'ok' or 'error'"),
        (400, b"Bad Request", "no JSON object"),
    ],
)
async def test_garbage_answers_raise_response_decode_error(
    partner_key: rsa.RSAPrivateKey, status: int, body: bytes, fragment: str
) -> None:
    script = Script(answer(status, body))
    async with client(partner_key, script, max_retries=0) as bank:
        with pytest.raises(ResponseDecodeError) as info:
            await bank.sessions.status("ps_1")
    assert fragment in str(info.value)
    assert info.value.http_status == status


async def test_decode_error_excerpt_is_redacted(partner_key: rsa.RSAPrivateKey) -> None:
    body = b'not json {"number":"4111111111111111","security_code":"123"}'
    script = Script(answer(200, body))
    async with client(partner_key, script) as bank:
        with pytest.raises(ResponseDecodeError) as info:
            await init_payout(bank, key="k")
    excerpt = info.value.body_excerpt
    assert "4111111111111111" not in excerpt
    assert "411111******1111" in excerpt
    assert '"123"' not in excerpt
    assert info.value.idempotency_key == "k"
    assert "may have been processed" in str(info.value)


@pytest.mark.parametrize(
    "session",
    [
        {"status": "in_progress"},  # no id
        {"id": "ps_1", "status": 5},
        {
            "id": "ps_1",
            "status": "accepted",
            "payout_list": [
                {
                    "id": "po",
                    "status": "succeeded",
                    "amount_details": {"amount": 1.5, "currency": "rub"},
                }
            ],
        },
        "ps_1",
        None,
    ],
)
async def test_malformed_session_raises_decode_error_not_a_cattrs_error(
    partner_key: rsa.RSAPrivateKey, session: Any
) -> None:
    script = Script(answer(200, {"status": "ok", "session": session}))
    async with client(partner_key, script) as bank:
        with pytest.raises(ResponseDecodeError, match="could not parse"):
            await bank.sessions.status("ps_1")


async def test_error_envelope_with_http_200_raises(partner_key: rsa.RSAPrivateKey) -> None:
    body = {"status": "error", "error": {"code": "brand_new_code", "description": "later"}}
    script = Script(answer(200, body))
    async with client(partner_key, script) as bank:
        with pytest.raises(ApiError) as info:
            await bank.sessions.status("ps_1")
    assert type(info.value) is ApiError
    assert info.value.code == "brand_new_code"
    assert info.value.http_status == 200


async def test_per_call_timeout_reaches_httpx(partner_key: rsa.RSAPrivateKey) -> None:
    script = Script(answer(), answer())
    async with client(partner_key, script, timeout=7.0) as bank:
        await bank.sessions.status("ps_1")
        await bank.sessions.status("ps_1", timeout=1.5)
    first, second = (r.extensions["timeout"] for r in script.requests)
    assert first == {"connect": 7.0, "read": 7.0, "write": 7.0, "pool": 7.0}
    assert second == {"connect": 1.5, "read": 1.5, "write": 1.5, "pool": 1.5}


class CountingSigner:
    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        from bank131_async.signing import RequestSigner

        self.inner = RequestSigner(key)
        self.calls = 0

    def sign(self, body: bytes) -> str:
        self.calls += 1
        return self.inner.sign(body)


async def test_read_only_bodies_are_signed_once_mutating_ones_every_time(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    import anyio

    from bank131_async._transport import Transport

    script = Script(*[answer()] * 6)
    signer = CountingSigner(partner_key)
    async with httpx.AsyncClient(transport=httpx.MockTransport(script)) as http:
        transport = Transport(
            http,
            base_url="https://bank.test",
            project="p",
            signer=signer,  # type: ignore[arg-type]
            submerchant=None,
            timeout=httpx.Timeout(5.0),
            policy=FAST,
            limiter=anyio.Semaphore(10),
        )
        status = Endpoint("session/status", read_only=True)
        for _ in range(3):
            await transport.request(status, b'{"session_id":"ps_1"}')
        assert signer.calls == 1
        for _ in range(3):
            await transport.request(Endpoint("session/confirm"), b'{"session_id":"ps_1"}')
        assert signer.calls == 4
    signatures = {r.headers["X-PARTNER-SIGN"] for r in script.requests}
    assert len(signatures) == 1  # deterministic: the cached value is the value


# --------------------------------------------------------------------------- the whole call

# One attempt's fate, and whether it may have reached the bank.
NOT_SENT_STEPS: dict[str, Step] = {
    "connect_error": fail(httpx.ConnectError),
    "connect_timeout": fail(httpx.ConnectTimeout),
    "pool_timeout": fail(httpx.PoolTimeout),
    "429": answer(429, {"status": "error", "error": {"code": "too_many_requests"}}),
}
MAYBE_SENT_STEPS: dict[str, Step] = {
    "read_timeout": fail(httpx.ReadTimeout),
    "write_timeout": fail(httpx.WriteTimeout),
    "read_error": fail(httpx.ReadError),
    "remote_protocol": fail(httpx.RemoteProtocolError),
    "500": answer(500, {"status": "error", "error": {"code": "internal_error"}}),
    "503_garbage": answer(503, b"<html>busy</html>"),
    "408": answer(408, b""),
}
ALL_STEPS = {**NOT_SENT_STEPS, **MAYBE_SENT_STEPS}


class Replay:
    """A MockTransport handler whose script is swapped per case (one client for many cases)."""

    def __init__(self) -> None:
        self.script = Script()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        return self.script(request)


@pytest.mark.parametrize("api_version", ["v2"])
async def test_every_mixed_sequence_of_three_failures_tells_the_truth(
    partner_key: rsa.RSAPrivateKey, api_version: str
) -> None:
    """Defect: ``request_sent`` described only the last attempt. A ReadTimeout followed by two
    refused connections said "not sent", and a caller who re-sent paid twice."""
    replay = Replay()
    bank = AsyncBank131(
        project="p1",
        private_key=partner_key,
        base_url="https://bank.test",
        transport=httpx.MockTransport(replay),
        retry_policy=FAST,
        api_version=api_version,  # type: ignore[arg-type]
    )
    checked = 0
    async with bank:
        for a in ALL_STEPS:
            for b in ALL_STEPS:
                for c in ALL_STEPS:
                    names = (a, b, c)
                    replay.script = Script(*(ALL_STEPS[n] for n in names))
                    with pytest.raises(Bank131Error) as info:
                        await init_payout(bank, key="order-1")
                    reached = [n for n in names if n in MAYBE_SENT_STEPS]
                    error = info.value
                    assert error.maybe_processed is bool(reached), names
                    assert getattr(error, "attempts", None) == 3, names
                    assert getattr(error, "idempotency_key", None) == "order-1", names
                    text = str(error)
                    if reached:
                        assert "may have been processed" in text, (names, text)
                        assert "sessions.status" in text, (names, text)
                        assert "not sent" not in text, (names, text)
                    else:
                        assert "may have been processed" not in text, (names, text)
                    if isinstance(error, TransportError):
                        assert error.request_sent is bool(reached), names
                    checked += 1
    assert checked == len(ALL_STEPS) ** 3


async def test_read_timeout_then_two_refusals_says_the_request_may_have_been_processed(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    script = Script(fail(httpx.ReadTimeout), fail(httpx.ConnectError), fail(httpx.ConnectError))
    async with client(partner_key, script) as bank:
        with pytest.raises(TransportConnectionError) as info:
            await init_payout(bank, key="order-9")
    error = info.value
    assert error.request_sent is True
    assert error.maybe_processed is True
    assert error.attempts == 3
    assert "attempt 1 may have reached the bank" in str(error)
    assert "order-9" in str(error)
    assert "was not sent" not in str(error)


@pytest.mark.parametrize("max_retries", [0, 2])
@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_a_final_5xx_says_money_may_have_moved(
    partner_key: rsa.RSAPrivateKey, status: int, max_retries: int
) -> None:
    """Defect: a 5xx after retries (or with max_retries=0) read as "the bank said no"."""
    body = {"status": "error", "error": {"code": "internal_error", "description": "oops"}}
    script = Script(*[answer(status, body)] * (max_retries + 1))
    policy = RetryPolicy(max_retries=max_retries, initial_backoff=0.001, max_backoff=0.002)
    async with client(partner_key, script, retry_policy=policy) as bank:
        with pytest.raises(BankInternalError) as info:
            await init_payout(bank, key="order-5")
    assert info.value.maybe_processed is True
    assert "may have been processed" in str(info.value)
    assert info.value.attempts == max_retries + 1


async def test_a_5xx_with_an_unknown_code_says_money_may_have_moved(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    body = {"status": "error", "error": {"code": "gateway_exploded"}}
    script = Script(answer(502, body))
    async with client(partner_key, script, retry_policy=RetryPolicy(max_retries=0)) as bank:
        with pytest.raises(ApiError) as info:
            await init_payout(bank, key="order-5")
    assert info.value.maybe_processed is True


async def test_a_processed_first_attempt_then_429_says_money_may_have_moved(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    limited = answer(429, {"status": "error", "error": {"code": "too_many"}}, {"Retry-After": "0"})
    script = Script(fail(httpx.ReadTimeout), limited, limited)
    async with client(partner_key, script) as bank:
        with pytest.raises(RateLimitError) as info:
            await init_payout(bank, key="order-3")
    assert info.value.maybe_processed is True
    assert info.value.answers_a_repeat is True
    assert "earlier attempt" in str(info.value)


@pytest.mark.parametrize(
    ("status", "code"),
    [(429, "too_many"), (400, "invalid_request"), (400, "declined_by_issuer_bank")],
)
async def test_a_definite_refusal_says_nothing_was_processed(
    partner_key: rsa.RSAPrivateKey, status: int, code: str
) -> None:
    script = Script(answer(status, {"status": "error", "error": {"code": code}}))
    async with client(partner_key, script, retry_policy=RetryPolicy(max_retries=0)) as bank:
        with pytest.raises(ApiError) as info:
            await init_payout(bank, key="order-3")
    assert info.value.maybe_processed is False
    assert "may have been processed" not in str(info.value)


# --------------------------------------------------------------------------- wrong state


WRONG_STATE = {"status": "error", "error": {"code": "session_wrong_state", "description": "no"}}


@pytest.mark.parametrize("lost", [fail(httpx.ReadTimeout), answer(502, b"bad gateway")])
@pytest.mark.parametrize("method", ["confirm", "start_payout"])
async def test_wrong_state_on_a_repeat_of_a_processed_call_is_reconciled(
    partner_key: rsa.RSAPrivateKey, lost: Step, method: str
) -> None:
    """Defect: a bank that does not de-duplicate a method answers the repeat of a processed
    ``confirm``/``start_payout`` with ``session_wrong_state``; that means "already done"."""
    done = {"status": "ok", "session": {"id": "ps_1", "status": "in_progress"}}
    script = Script(lost, answer(400, WRONG_STATE), answer(body=done))
    async with client(partner_key, script) as bank:
        if method == "confirm":
            session = await bank.sessions.confirm("ps_1", idempotency_key="c-1")
        else:
            session = await bank.sessions.start_payout(
                "ps_1",
                payout_details=CARD,
                amount_details=AMOUNT,
                participant_details=RECIPIENT,
                idempotency_key="s-1",
            )
    assert session.status == "in_progress"
    paths = [r.url.path.rsplit("/", 2)[-2:] for r in script.requests]
    assert paths[-1] == ["session", "status"]
    assert len(script.requests) == 3


@pytest.mark.parametrize(
    ("first", "refusal", "error", "maybe_processed"),
    [
        pytest.param(
            fail(httpx.ConnectError),
            answer(400, WRONG_STATE),
            SessionWrongStateError,
            False,
            id="wrong-state-after-connect-error",
        ),
        pytest.param(
            answer(429, {"status": "error", "error": {"code": "x"}}),
            answer(400, WRONG_STATE),
            SessionWrongStateError,
            False,
            id="wrong-state-after-429",
        ),
        # the key was spent by some other call: still "may have been processed", not reconciled
        pytest.param(
            fail(httpx.ConnectError),
            answer(409, CONFLICT),
            IdempotencyConflictError,
            True,
            id="conflict-after-connect-error",
        ),
    ],
)
async def test_done_already_after_attempts_that_never_reached_the_bank_surfaces(
    partner_key: rsa.RSAPrivateKey,
    first: Step,
    refusal: Step,
    error: type[ApiError],
    maybe_processed: bool,
) -> None:
    script = Script(first, refusal)
    async with client(partner_key, script) as bank:
        with pytest.raises(error) as info:
            await bank.sessions.confirm("ps_1", idempotency_key="c-1")
    assert info.value.maybe_processed is maybe_processed
    assert info.value.answers_a_repeat is False
    assert len(script.requests) == 2


@pytest.mark.parametrize("depth", [65, 900, 100_000])
async def test_a_deeply_nested_answer_is_a_decode_error(
    partner_key: rsa.RSAPrivateKey, depth: int
) -> None:
    """Defect: 100,000 levels escaped as RecursionError from any API answer."""
    body = b'{"status":"ok","session":{"id":"ps_1","metadata":' + b"[" * depth
    body += b"]" * depth + b"}}"
    script = Script(answer(200, body))
    async with client(partner_key, script) as bank:
        with pytest.raises(ResponseDecodeError, match="nested too deep") as info:
            await init_payout(bank, key="k")
    assert info.value.maybe_processed is True  # a 200 we cannot read may be a processed payout


@pytest.mark.parametrize("status", [200, 400])
async def test_an_internal_error_envelope_is_retried_whatever_its_http_status(
    partner_key: rsa.RSAPrivateKey, status: int
) -> None:
    """One notion of "retryable": the transport retries what ApiError.retryable (and so the
    polling helpers) call transient, an internal_error envelope with HTTP 200 included."""
    internal = answer(status, {"status": "error", "error": {"code": "internal_error"}})
    script = Script(internal, answer())
    async with client(partner_key, script) as bank:
        session = await bank.sessions.status("ps_1")
        assert session.id == "ps_1"
        script.steps = [internal, internal, internal]
        with pytest.raises(BankInternalError) as info:
            await bank.sessions.status("ps_1")
    assert info.value.retryable is True
    assert info.value.attempts == 3


@pytest.mark.parametrize("backend", ["httpx", "aiohttp"])
async def test_a_refused_connection_keeps_the_operating_systems_reason(
    partner_key: rsa.RSAPrivateKey, backend: str
) -> None:
    """Defect: only the exception's type name was kept, so "Connection refused" was lost."""
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with AsyncBank131(
        project="p",
        private_key=partner_key,
        base_url=f"http://127.0.0.1:{port}",
        retry_policy=RetryPolicy(max_retries=1, initial_backoff=0.001, max_backoff=0.001),
        http_backend=backend,  # type: ignore[arg-type]
    ) as bank:
        with pytest.raises(TransportConnectionError) as info:
            await bank.sessions.status("ps_1")
    assert "Connection refused" in str(info.value)
    assert "2 attempts" in str(info.value)
    assert info.value.request_sent is False
    assert isinstance(info.value.__cause__, httpx.ConnectError)


async def test_a_reconciliation_whose_status_read_fails_still_says_processed(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    """Found by the soak: the repeat of a processed confirm was answered with a conflict, the
    status read that reconciles it met a refused connection, and the caller got that status
    call's "not sent" error."""
    script = Script(
        fail(httpx.ReadTimeout),
        answer(409, CONFLICT),
        *[fail(httpx.ConnectError)] * 3,
    )
    async with client(partner_key, script) as bank:
        with pytest.raises(IdempotencyConflictError) as info:
            await bank.sessions.confirm("ps_1", idempotency_key="c-1")
    assert info.value.maybe_processed is True
    assert isinstance(info.value.__cause__, TransportConnectionError)
    assert info.value.__cause__.request_sent is False  # the status call, not the confirm
