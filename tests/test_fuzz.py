"""Fuzzing the entry points that take bytes from outside: only the SDK's typed errors come out,
in bounded time, whatever the input (hypothesis; bounded examples and deadlines)."""

from __future__ import annotations

import base64
import contextlib
import json
import time
from typing import Any

import attrs
import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bank131_async import models
from bank131_async._transport import Endpoint, _Answer, _Call, _decode, parse_result
from bank131_async.errors import (
    ApiError,
    InvalidSignatureError,
    ResponseDecodeError,
    WebhookDecodeError,
)
from bank131_async.models import WebhookEvent
from bank131_async.signing import RequestSigner, SignatureVerifier
from bank131_async.webhooks import parse_webhook
from bank131_async.webhooks.parse import _decode as decode_webhook

FUZZ = settings(
    max_examples=150,
    deadline=1000,  # ms per example: "bounded time"
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=12,
)

MODELS = sorted(
    {
        obj
        for name in models.__all__
        if isinstance(obj := getattr(models, name), type) and attrs.has(obj)
    },
    key=lambda cls: cls.__name__,
)


def shaped(cls: type[Any], depth: int = 2) -> st.SearchStrategy[Any]:
    """Dicts that use the model's own field names (so the fuzz reaches its nested fields),
    with values that are sometimes right and often wrong."""
    names = [f.name for f in attrs.fields(cls)] + ["type", "status", "id"]
    value = json_values if depth == 0 else json_values | st.deferred(lambda: shaped(cls, depth - 1))
    return st.dictionaries(st.sampled_from(names), value, max_size=len(names)) | json_values


def nested(depth: int) -> bytes:
    return b'{"type":"payment_finished","session":' + b"[" * depth + b"]" * depth + b"}"


HOSTILE_BODIES = [
    b"",
    b"\xff\xfe\x00garbage",
    b'{"type": "payment_finished", "session": "\xff"}',
    b"[" * 100_000,
    nested(100_000),
    nested(999),
    b'{"type":"payment_finished","session":{"id":"' + b"x" * 5_000_000 + b'"}}',
    b"1" * 1_000_000,
    json.dumps({"type": "ready_to_confirm", "session": {"id": 5}}).encode(),
]


# --------------------------------------------------------------------------- webhooks


@FUZZ
@given(body=st.binary(max_size=2000) | json_values.map(lambda v: json.dumps(v).encode()))
def test_webhook_decoding_raises_only_decode_errors(body: bytes) -> None:
    try:
        event = decode_webhook(body)
    except WebhookDecodeError:
        return
    assert isinstance(event, WebhookEvent)


@FUZZ
@given(
    kind=st.sampled_from(
        [
            "ready_to_confirm",
            "ready_to_capture",
            "action_required",
            "payment_finished",
            "payment_refunded",
            "nominal_topup",
            "brand_new",
        ]
    ),
    session=shaped(models.Session),
    extra=st.dictionaries(st.sampled_from(["confirm_information", "data"]), json_values),
)
def test_documented_webhook_types_with_wrong_shapes_raise_only_decode_errors(
    kind: str, session: Any, extra: dict[str, Any]
) -> None:
    body = json.dumps({"type": kind, "session": session, **extra}).encode()
    with contextlib.suppress(WebhookDecodeError):
        decode_webhook(body)


@pytest.mark.parametrize("body", HOSTILE_BODIES, ids=range(len(HOSTILE_BODIES)))
def test_hostile_webhook_bodies_are_typed_errors_in_bounded_time(
    body: bytes, bank_key: rsa.RSAPrivateKey
) -> None:
    verifier = SignatureVerifier(bank_key.public_key())
    signature = RequestSigner(bank_key).sign(body)
    started = time.perf_counter()
    with contextlib.suppress(WebhookDecodeError):
        parse_webhook(body, signature, verifier)
    assert time.perf_counter() - started < 2.0


# --------------------------------------------------------------------------- signatures


@pytest.fixture(scope="module")
def verifier(bank_key: rsa.RSAPrivateKey) -> SignatureVerifier:
    return SignatureVerifier(bank_key.public_key())


@FUZZ
@given(
    body=st.binary(max_size=500),
    signature=st.none()
    | st.text(max_size=400)
    | st.binary(max_size=400)
    | st.binary(min_size=256, max_size=256).map(lambda b: base64.b64encode(b).decode())
    | st.integers()
    | st.lists(st.text(max_size=3), max_size=3),
)
def test_the_verifier_raises_only_signature_errors(
    verifier: SignatureVerifier, body: bytes, signature: Any
) -> None:
    with pytest.raises(InvalidSignatureError):
        verifier.verify(body, signature)


@FUZZ
@given(cut=st.integers(min_value=0, max_value=343), flip=st.integers(min_value=0, max_value=255))
def test_truncated_or_altered_signatures_do_not_verify(
    verifier: SignatureVerifier, bank_key: rsa.RSAPrivateKey, cut: int, flip: int
) -> None:
    body = b'{"type":"payment_finished"}'
    good = RequestSigner(bank_key).sign(body)
    with pytest.raises(InvalidSignatureError):
        verifier.verify(body, good[:cut])
    raw = bytearray(base64.b64decode(good))
    raw[flip] ^= 0x01
    with pytest.raises(InvalidSignatureError):
        verifier.verify(body, base64.b64encode(bytes(raw)).decode())


# --------------------------------------------------------------------------- answers


CALL = _Call("POST", "https://bank.test/api/v2/session/status", "k", 1, None)


def _response(status: int, content: bytes) -> httpx.Response:
    request = httpx.Request("POST", CALL.url)
    return httpx.Response(status, content=content, request=request)


def _decode_answer(response: httpx.Response) -> dict[str, Any]:
    return _decode(response, _Answer.read(response), CALL)


@FUZZ
@given(
    status=st.sampled_from([200, 201, 400, 401, 404, 409, 429, 500, 502, 503]),
    content=st.binary(max_size=1000)
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.dictionaries(st.sampled_from(["status", "error", "session"]), json_values).map(
        lambda v: json.dumps(v).encode()
    ),
)
def test_answer_decoding_raises_only_api_or_decode_errors(status: int, content: bytes) -> None:
    try:
        data = _decode_answer(_response(status, content))
    except (ApiError, ResponseDecodeError):
        return
    assert isinstance(data, dict)
    assert data["status"] == "ok"


@pytest.mark.parametrize("body", HOSTILE_BODIES, ids=range(len(HOSTILE_BODIES)))
def test_hostile_answers_are_typed_errors_in_bounded_time(body: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(ResponseDecodeError):
        _decode_answer(_response(200, body))
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
def test_structuring_every_model_raises_only_decode_errors(cls: type[Any]) -> None:
    # Fewer examples per model: there are over a hundred models.
    @settings(FUZZ, max_examples=20)
    @given(data=shaped(cls, depth=1))
    def run(data: Any) -> None:
        try:
            result: Any = parse_result(data, cls, "the fuzzed body")
        except ResponseDecodeError as exc:
            result = exc
        if isinstance(result, ResponseDecodeError):
            assert len(str(result)) < 2_000
        else:
            assert isinstance(result, cls)

    run()


def test_the_status_endpoint_is_read_only() -> None:
    # The fuzzed answers above pretend to come from session/status; keep that honest.
    assert Endpoint("session/status", read_only=True).read_only
