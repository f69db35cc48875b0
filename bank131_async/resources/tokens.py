"""``token``, ``token/info``, ``tokenize``, ``tokenize/elements``: widget tokens and
tokenization (API v1 only).

::

    public_token = await bank.tokens.issue(tokenize_widget=TokenizeWidget())
    info = await bank.tokens.info(recurrent_token="a1b2...")
    account = await bank.tokens.tokenize(bik="049205131", account="40702810200000000025")
    card = await bank.tokens.tokenize_elements("4242424242424242")

None of these methods is de-duplicated by the bank (idempotency keys are documented for
``session/*`` only), so the mutating ones send no ``X-PARTNER-IDEMPOTENCY-KEY`` and are not
repeated after a request that may have reached the bank.

Results of partly documented answers (``info``, ``tokenize_elements``) keep the whole decoded
envelope in ``.raw``.
"""

from __future__ import annotations

from typing import Any

from .._transport import Endpoint, parse_result
from .._validation import check_digits, check_tax_reference
from ..errors import RequestValidationError
from ..models.methods import BankCard, CardDetails, EncryptedCard, TokenizedCard
from ..models.tokens import (
    AccountToken,
    AcquiringWidget,
    CardElements,
    CardToken,
    PublicToken,
    RecurrentToken,
    SelfEmployedWidget,
    TokenInfo,
    TokenInfoType,
    TokenizeWidget,
)
from ._base import Resource, Timeout, require_id

__all__ = ["ENDPOINTS", "TokensResource"]

ISSUE = Endpoint("token", version="v1")
INFO = Endpoint("token/info", read_only=True, version="v1")
TOKENIZE = Endpoint("tokenize", version="v1")
TOKENIZE_ELEMENTS = Endpoint("tokenize/elements", version="v1")

#: Every endpoint this resource calls (the coverage test compares it with endpoints.md).
ENDPOINTS = (ISSUE, INFO, TOKENIZE, TOKENIZE_ELEMENTS)


class TokensResource(Resource):
    """``bank.tokens``: public widget tokens, token information, tokenization."""

    __slots__ = ()

    async def issue(
        self,
        *,
        tokenize_widget: TokenizeWidget | None = None,
        acquiring_widget: AcquiringWidget | None = None,
        self_employed_widget: SelfEmployedWidget | None = None,
        timeout: Timeout = None,
    ) -> str:
        """``token``: a public token for the JS widgets; at least one widget is required.

        ::

            token = await bank.tokens.issue(
                self_employed_widget=SelfEmployedWidget(tax_reference="500000000000")
            )

        One token serves one widget operation. Returns the token string.
        """
        if tokenize_widget is None and acquiring_widget is None and self_employed_widget is None:
            raise RequestValidationError(
                "issue needs at least one of tokenize_widget=, acquiring_widget=, "
                "self_employed_widget="
            )
        if acquiring_widget is not None:
            require_id(acquiring_widget.session_id, "acquiring_widget.session_id")
        if self_employed_widget is not None:
            check_tax_reference(
                self_employed_widget.tax_reference, "self_employed_widget.tax_reference"
            )
        body = {
            "tokenize_widget": tokenize_widget,
            "acquiring_widget": acquiring_widget,
            "self_employed_widget": self_employed_widget,
        }
        return await self._call(ISSUE, body, str, key="public_token", timeout=timeout)

    async def info(
        self,
        *,
        card: CardDetails | BankCard | EncryptedCard | TokenizedCard | None = None,
        public_token: str | None = None,
        recurrent_token: str | None = None,
        timeout: Timeout = None,
    ) -> TokenInfo:
        """``token/info``: what the bank knows about a card, a public or a recurrent token.

        Pass exactly one of them; the request ``type`` follows from it::

            info = await bank.tokens.info(card=EncryptedCard(number_hash="..."))
            info.brand, info.last4
            info = await bank.tokens.info(recurrent_token="...")
            info.is_active

        The answer for account tokens is not documented; ``info.raw`` holds the whole envelope.
        """
        if sum(v is not None for v in (card, public_token, recurrent_token)) != 1:
            raise RequestValidationError(
                "info needs exactly one of card=, public_token=, recurrent_token="
            )
        body: dict[str, Any]
        if card is not None:
            details = card if isinstance(card, CardDetails) else CardDetails.from_card(card)
            if not details.type:
                raise RequestValidationError("card.type is missing; use CardDetails.from_card(...)")
            body = {"type": TokenInfoType.CARD, "card": details}
        elif public_token is not None:
            token = require_id(public_token, "public_token")
            body = {"type": TokenInfoType.PUBLIC_TOKEN, "public_token": PublicToken(token=token)}
        else:
            assert recurrent_token is not None
            token = require_id(recurrent_token, "recurrent_token")
            body = {
                "type": TokenInfoType.RECURRENT_TOKEN,
                "recurrent_token": RecurrentToken(token=token),
            }
        data = await self._request(INFO, body, timeout=timeout)
        raw_info = data.get("info")
        info = raw_info if raw_info is not None else {}
        return parse_result(info, TokenInfo, "token info", raw=data)

    async def tokenize(self, *, bik: str, account: str, timeout: Timeout = None) -> AccountToken:
        """``tokenize``: a token for a Russian bank account, used instead of bik + account::

            acc = await bank.tokens.tokenize(bik="049205131", account="40702810200000000025")
            BankAccountRu(token=acc.token, full_name="...", description="...")
            acc.data.masked_account   # "40702***0025"

        Keep the token instead of the account number; the bank knows the account by it.
        """
        if bik is None or account is None:
            raise RequestValidationError("tokenize needs bik= and account=")
        check_digits(bik, "bik", (9,))
        check_digits(account, "account", (20,))
        body = {"type": "bank_account_ru", "bank_account_ru": {"bik": bik, "account": account}}
        return await self._call(TOKENIZE, body, AccountToken, timeout=timeout)

    async def tokenize_elements(self, card_number: str, *, timeout: Timeout = None) -> CardToken:
        """``tokenize/elements``: a token for a card number (PCI DSS partners)::

            card = await bank.tokens.tokenize_elements("4242424242424242")
            assert card.token is not None  # the answer's shape is not documented
            PayoutDetails.from_card(TokenizedCard(token=card.token))

        Request and response shapes are not documented beyond the CardElements object. The SDK
        sends ``{"elements": [{"ref": "number", "type": "card_number", "card_number": ...}]}``
        and reads ``token`` (or ``tokens[0].token``) from the answer; ``.raw`` holds the whole
        envelope.
        """
        if card_number is None:
            raise RequestValidationError("card_number is required")
        check_digits(card_number, "card_number", range(14, 20))
        body = {"elements": [CardElements(card_number=card_number)]}
        data = await self._request(TOKENIZE_ELEMENTS, body, timeout=timeout)
        payload: Any = {"token": data.get("token")}
        tokens = data.get("tokens")
        if payload["token"] is None and isinstance(tokens, list) and tokens:
            first = tokens[0]
            payload = {"token": first.get("token") if isinstance(first, dict) else first}
        return parse_result(payload, CardToken, "the response's token", raw=data)
