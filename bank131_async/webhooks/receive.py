"""The receiver, framework-free: read a capped body, verify, parse, dispatch, choose the answer.

The FastAPI and aiohttp adapters in :mod:`bank131_async.contrib` are thin wrappers over this.
"""

from __future__ import annotations

from collections.abc import AsyncIterable

import attrs

from .._logging import logger
from ..errors import InvalidSignatureError, WebhookDecodeError
from ..models.webhooks import WebhookEvent
from ..signing import SignatureVerifier
from .parse import parse_webhook
from .router import DispatchResult, WebhookRouter

__all__ = ["DEFAULT_MAX_BODY_SIZE", "TOO_LARGE", "WebhookReply", "read_capped", "receive_webhook"]


@attrs.frozen(kw_only=True)
class WebhookReply:
    """What a receiver answers: ``status`` and a JSON ``body``; ``event`` if one was parsed."""

    status: int
    body: bytes
    event: WebhookEvent | None = None
    result: DispatchResult | None = None


_OK = b"{}"

#: The largest webhook body a receiver reads (``max_body_size=``). Bank 131 webhooks are a few
#: kilobytes; the body is read before its signature can be checked, so an unsigned request must
#: not be able to make the receiver buffer megabytes.
DEFAULT_MAX_BODY_SIZE = 1024 * 1024

#: What a receiver answers when the body is larger than its ``max_body_size``.
TOO_LARGE = WebhookReply(status=413, body=b'{"error":"body too large"}')


async def read_capped(
    chunks: AsyncIterable[bytes], *, declared: str | None, limit: int
) -> bytes | None:
    """The body from ``chunks``, or ``None`` as soon as it is known to exceed ``limit`` bytes
    (from the ``Content-Length`` header ``declared``, or while reading: nothing beyond the
    limit is buffered)."""
    if declared is not None:
        try:
            if int(declared) > limit:
                return None
        except ValueError:
            pass  # the server has already refused a malformed Content-Length
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
    return b"".join(parts)


async def receive_webhook(
    body: bytes | None,
    signature: str | None,
    *,
    verifier: SignatureVerifier,
    router: WebhookRouter,
) -> WebhookReply:
    """The whole receiver, framework-free: verify, parse, dispatch, choose the answer.

    ``body`` is what :func:`read_capped` read (``None``: it was over the cap):

    * 413 -- the body was over the receiver's ``max_body_size`` (nothing was verified);
    * 200 -- handled, a duplicate, no handler, or an unknown ``type`` (the bank would
      otherwise re-send it for a long time; it is logged);
    * 400 -- missing/bad signature (nothing is parsed or dispatched) or a verified body that
      cannot be parsed (logged as an error: the bank keeps re-sending it);
    * 500 -- a handler raised: the bank re-sends later and the delivery is processed again.

    Handlers run before the answer, so keep them short (enqueue long work).
    """
    if body is None:
        return TOO_LARGE
    try:
        event = parse_webhook(body, signature, verifier)
    except InvalidSignatureError as exc:
        logger.warning("webhook rejected: %s", exc)
        return WebhookReply(status=400, body=b'{"error":"invalid signature"}')
    except WebhookDecodeError as exc:
        logger.error(
            "webhook with a valid signature could not be parsed: %s: %s", exc, exc.body_excerpt
        )
        return WebhookReply(status=400, body=b'{"error":"bad webhook body"}')
    try:
        result = await router.dispatch(event)
    except Exception:
        logger.exception(
            "webhook %s for %s: handler failed; answering 500",
            event.type,
            event.session.id if event.session is not None else "-",
        )
        return WebhookReply(status=500, body=b'{"error":"handler failed"}', event=event)
    return WebhookReply(status=200, body=_OK, event=event, result=result)
