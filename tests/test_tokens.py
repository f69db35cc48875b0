"""Wire and parse tests for ``bank.tokens``: token, token/info, tokenize, tokenize/elements."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131
from bank131_async.errors import ResponseDecodeError
from bank131_async.models import (
    AccountToken,
    AccountTokenData,
    AcquiringWidget,
    CardDetails,
    CardToken,
    EncryptedCard,
    RecurrentInitiator,
    SelfEmployedWidget,
    TokenInfo,
    TokenizeWidget,
)
from bank131_async.resources import tokens
from tests.resource_wire import assert_not_sent, call_checked, call_once, declared, ok

pytestmark = pytest.mark.asyncio


def test_endpoints_are_declared() -> None:
    assert declared(tokens.ENDPOINTS, "path", "version", "read_only", "idempotent", "method") == [
        ("token", "v1", False, False, "POST"),
        ("token/info", "v1", True, False, "POST"),
        ("tokenize", "v1", False, False, "POST"),
        ("tokenize/elements", "v1", False, False, "POST"),
    ]
    assert not any(e.sends_idempotency_key for e in tokens.ENDPOINTS)


# --------------------------------------------------------------------------- token


@pytest.mark.parametrize(
    ("kwargs", "body"),
    [
        pytest.param(
            {"tokenize_widget": TokenizeWidget()},
            b'{"tokenize_widget":{"access":true}}',
            id="tokenize-widget",
        ),
        pytest.param(
            {
                "acquiring_widget": AcquiringWidget(
                    session_id="ps_3230",
                    success_return_url="https://shop.example/ok",
                    failure_return_url="https://shop.example/fail",
                    show_recurrent_checkbox=False,
                )
            },
            b'{"acquiring_widget":{"session_id":"ps_3230",'
            b'"success_return_url":"https://shop.example/ok",'
            b'"failure_return_url":"https://shop.example/fail","show_recurrent_checkbox":false}}',
            id="acquiring-widget",
        ),
        pytest.param(
            {"self_employed_widget": SelfEmployedWidget(tax_reference="500000000000")},
            b'{"self_employed_widget":{"tax_reference":"500000000000"}}',
            id="self-employed-widget",
        ),
        pytest.param(
            {
                "tokenize_widget": TokenizeWidget(),
                "acquiring_widget": AcquiringWidget(session_id="ps_1", success_on_hold=True),
            },
            b'{"tokenize_widget":{"access":true},'
            b'"acquiring_widget":{"session_id":"ps_1","success_on_hold":true}}',
            id="two-widgets",
        ),
    ],
)
async def test_issue_wire(
    kwargs: dict[str, Any], body: bytes, partner_key: rsa.RSAPrivateKey
) -> None:
    answer = ok(public_token="3a1b5c7d9e0f2a4b6c8d0e1f3a5b7c9d")
    result = await call_checked(
        partner_key, "POST", "/api/v1/token", answer, lambda b: b.tokens.issue(**kwargs), body=body
    )
    assert result == "3a1b5c7d9e0f2a4b6c8d0e1f3a5b7c9d"


async def test_issue_ignores_api_version(partner_key: rsa.RSAPrivateKey) -> None:
    _, request = await call_once(
        partner_key,
        "POST",
        "/api/v1/token",
        ok(public_token="t"),
        lambda b: b.tokens.issue(tokenize_widget=TokenizeWidget()),
        api_version="v2",
    )
    assert request.url.path == "/api/v1/token"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "at least one of"),
        ({"self_employed_widget": SelfEmployedWidget(tax_reference="12345")}, "12 digits"),
        ({"self_employed_widget": SelfEmployedWidget(tax_reference="12345678901a")}, "digits"),
        ({"acquiring_widget": AcquiringWidget(session_id=" ")}, "session_id"),
    ],
)
async def test_issue_validation_sends_nothing(
    kwargs: dict[str, Any], match: str, partner_key: rsa.RSAPrivateKey
) -> None:
    await assert_not_sent(partner_key, lambda b: b.tokens.issue(**kwargs), match)


async def test_issue_missing_token_is_a_decode_error(partner_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(ResponseDecodeError):
        await call_once(
            partner_key,
            "POST",
            "/api/v1/token",
            ok(),
            lambda b: b.tokens.issue(tokenize_widget=TokenizeWidget()),
        )


# --------------------------------------------------------------------------- token/info


HASH = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
RECURRENT = "b4a5c7e4f1a0e2b9c8d7e6f5a4b3c2d1"
CREATED = datetime(2020, 5, 29, 7, 1, 37, 499907, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kwargs", "info", "body", "expected", "secret"),
    [
        pytest.param(
            {"card": EncryptedCard(number_hash=HASH)},
            {
                "type": "card",
                "number_hash": HASH,
                "brand": "visa",
                "last4": "4242",
                "country_iso3": "RUS",
                "new_field": 1,
            },
            b'{"type":"card","card":{"type":"encrypted_card",'
            b'"encrypted_card":{"number_hash":"f0e1d2c3b4a5968778695a4b3c2d1e0f"}}}',
            TokenInfo(
                type="card", number_hash=HASH, brand="visa", last4="4242", country_iso3="RUS"
            ),
            HASH,
            id="card",
        ),
        pytest.param(
            {"public_token": "pt_0123456789abcdef"},
            {
                "token": "pt_0123456789abcdef",
                "created_at": "2020-05-29T07:01:37.499907Z",
                "finished_at": "2020-05-29T08:01:37.499907Z",
                "is_active": True,
            },
            b'{"type":"public_token","public_token":{"token":"pt_0123456789abcdef"}}',
            TokenInfo(
                token="pt_0123456789abcdef",
                created_at=CREATED,
                finished_at=datetime(2020, 5, 29, 8, 1, 37, 499907, tzinfo=UTC),
                is_active=True,
            ),
            "pt_0123456789abcdef",
            id="public-token",
        ),
        pytest.param(
            {"recurrent_token": RECURRENT},
            {
                "token": RECURRENT,
                "created_at": "2020-05-29T07:01:37.499907Z",
                "is_active": False,
                "initiator": "merchant",
            },
            b'{"type":"recurrent_token","recurrent_token":{"token":"' + RECURRENT.encode() + b'"}}',
            TokenInfo(
                token=RECURRENT,
                created_at=CREATED,
                is_active=False,
                initiator=RecurrentInitiator.MERCHANT,
            ),
            RECURRENT,
            id="recurrent-token",
        ),
    ],
)
async def test_info_wire_and_parse(
    kwargs: dict[str, Any],
    info: dict[str, Any],
    body: bytes,
    expected: TokenInfo,
    secret: str,
    partner_key: rsa.RSAPrivateKey,
) -> None:
    result = await call_checked(
        partner_key,
        "POST",
        "/api/v1/token/info",
        ok(info=info),
        lambda b: b.tokens.info(**kwargs),
        body=body,
    )
    assert result == expected
    assert result.raw["info"] == info  # unknown fields kept
    assert secret not in repr(result)


async def test_info_card_details_pass_through(partner_key: rsa.RSAPrivateKey) -> None:
    details = CardDetails.from_card(EncryptedCard(number_hash="abc"))
    _, request = await call_once(
        partner_key,
        "POST",
        "/api/v1/token/info",
        ok(info={"type": "card"}),
        lambda b: b.tokens.info(card=details),
    )
    assert request.content == (
        b'{"type":"card","card":{"type":"encrypted_card","encrypted_card":{"number_hash":"abc"}}}'
    )


async def test_info_account_token_keeps_raw(partner_key: rsa.RSAPrivateKey) -> None:
    answer = ok(info={"masked_account": "40702***0025"}, data={"masked_account": "40702***0025"})
    result, _ = await call_once(
        partner_key,
        "POST",
        "/api/v1/token/info",
        answer,
        lambda b: b.tokens.info(public_token="x"),
    )
    assert result.masked_account == "40702***0025"
    assert result.raw["data"] == {"masked_account": "40702***0025"}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "exactly one"),
        ({"public_token": "a", "recurrent_token": "b"}, "exactly one"),
        ({"card": CardDetails(brand="visa")}, "card.type"),
        ({"public_token": ""}, "public_token"),
    ],
)
async def test_info_validation_sends_nothing(
    kwargs: dict[str, Any], match: str, partner_key: rsa.RSAPrivateKey
) -> None:
    await assert_not_sent(partner_key, lambda b: b.tokens.info(**kwargs), match)


# --------------------------------------------------------------------------- tokenize


async def test_tokenize_wire_and_parse(partner_key: rsa.RSAPrivateKey) -> None:
    answer = ok(token="e9a2c0b8d6f4e2a0c8b6d4f2e0a8c6b4", data={"masked_account": "40702***0025"})
    result = await call_checked(
        partner_key,
        "POST",
        "/api/v1/tokenize",
        answer,
        lambda b: b.tokens.tokenize(bik="049205131", account="40702810200000000025"),
        body=b'{"type":"bank_account_ru","bank_account_ru":'
        b'{"bik":"049205131","account":"40702810200000000025"}}',
    )
    assert result == AccountToken(
        token="e9a2c0b8d6f4e2a0c8b6d4f2e0a8c6b4",
        data=AccountTokenData(masked_account="40702***0025"),
    )
    assert "e9a2c0b8d6f4e2a0c8b6d4f2e0a8c6b4" not in repr(result)


@pytest.mark.parametrize(
    ("bik", "account", "match"),
    [
        ("04920513", "40702810200000000025", "bik must have 9 digits"),
        ("049205131", "4070281020000000002", "account must have 20 digits"),
        ("049205131", "4070281020000000002X", "account must be a string of digits"),
    ],
)
async def test_tokenize_validation_sends_nothing(
    bik: str, account: str, match: str, partner_key: rsa.RSAPrivateKey
) -> None:
    await assert_not_sent(partner_key, lambda b: b.tokens.tokenize(bik=bik, account=account), match)


# --------------------------------------------------------------------------- tokenize/elements


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param({"token": "c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6"}, id="token"),
        pytest.param(
            {"tokens": [{"ref": "number", "token": "c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6"}]},
            id="tokens-list",
        ),
    ],
)
async def test_tokenize_elements_wire_and_parse(
    answer: dict[str, Any], partner_key: rsa.RSAPrivateKey
) -> None:
    result = await call_checked(
        partner_key,
        "POST",
        "/api/v1/tokenize/elements",
        ok(**answer),
        lambda b: b.tokens.tokenize_elements("4242424242424242"),
        body=b'{"elements":[{"ref":"number","type":"card_number",'
        b'"card_number":"4242424242424242"}]}',
    )
    assert result == CardToken(token="c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6")
    assert result.raw == {"status": "ok", **answer}
    assert "c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6" not in repr(result)


@pytest.mark.parametrize(
    ("number", "match"),
    [("4242", "14-19 digits"), ("4242-4242-4242-4242", "digits"), ("", "digits")],
)
async def test_tokenize_elements_validation_sends_nothing(
    number: str, match: str, partner_key: rsa.RSAPrivateKey
) -> None:
    await assert_not_sent(partner_key, lambda b: b.tokens.tokenize_elements(number), match)


def test_card_elements_repr_masks_the_number() -> None:
    from bank131_async.models import CardElements

    text = repr(CardElements(card_number="4242424242424242"))
    assert "4242424242424242" not in text
    assert "424242******4242" in text


async def test_client_attribute(partner_key: rsa.RSAPrivateKey) -> None:
    from tests.helpers import make_client

    async with make_client(partner_key) as bank:
        assert isinstance(bank, AsyncBank131)
        assert isinstance(bank.tokens, tokens.TokensResource)


def test_object_reference_names_are_aliases() -> None:
    from bank131_async import models

    assert models.TokenizeWidgetMetadata is TokenizeWidget
    assert models.AcquiringWidgetMetadata is AcquiringWidget
    assert models.SelfEmployedWidgetMetadata is SelfEmployedWidget
    assert models.CardTokenInfo is TokenInfo
    assert models.PublicTokenInfo is TokenInfo
