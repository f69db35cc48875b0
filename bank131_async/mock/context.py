"""What the route table and every handler share: the context, the request, the route and
method records, route lookup, session lookup and the session envelope.

A route is a gate and a handler. The gate does the checks its API makes before any method
runs (the main API's in :mod:`.partner`, KYC's in :mod:`.kyc`) and hands over the decoded body
and the idempotency key to spend; the handler gets that body, the API major version of the
path and the key, and returns the bytes of a 200 answer. Either raises
:class:`~.wire.ApiFailure` for an error answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
from cryptography.hazmat.primitives.asymmetric import rsa

from . import validate as v
from .config import MockConfig
from .machine import Machine
from .shapes import Shape
from .state import MockState, Session
from .wire import ApiFailure, dumps

__all__ = [
    "Context",
    "Gate",
    "Handler",
    "Method",
    "Request",
    "Route",
    "find_session",
    "lookup",
    "session_reply",
]


@attrs.define(eq=False)
class Context:
    """The emulated bank as the routes see it."""

    state: MockState
    machine: Machine
    #: Verifies ``X-PARTNER-SIGN``. ``None`` in a context built to call handlers directly
    #: (benchmarks): no signature verifies then.
    partner_key: rsa.RSAPublicKey | None = None

    @property
    def config(self) -> MockConfig:
        return self.machine.config


@attrs.frozen
class Request:
    method: str
    path: str
    headers: Sequence[tuple[bytes, bytes]]
    body: bytes
    #: The last path segment where the route's path ends in ``{id}`` (KYC ``check/{id}``).
    param: str = ""


Handler = Callable[[Context, dict[str, Any], int, "str | None"], bytes]
#: ``(decoded body, idempotency key to spend)`` for a request the route may handle.
Gate = Callable[[Context, "Route", Request], tuple[dict[str, Any], "str | None"]]


@attrs.frozen
class Method:
    """A main-API method as its module declares it; the route table adds path and version."""

    handler: Handler
    #: The keys the body may carry (:mod:`.shapes`); any other is ``invalid_request``.
    body: Shape
    mutating: bool


@attrs.frozen
class Route:
    """One entry of the route table."""

    handler: Handler
    #: API version of the path (KYC: 2 for v2.0, 1 for v1.1).
    version: int
    #: Method name without version, e.g. ``session/init/payout`` (fault rules match on it).
    name: str
    #: Mutating calls honour ``X-PARTNER-IDEMPOTENCY-KEY``; read-only ones ignore it.
    mutating: bool
    body: Shape
    gate: Gate
    #: HTTP methods answered.
    verbs: frozenset[str] = frozenset({"POST"})

    def serve(self, ctx: Context, request: Request) -> tuple[int, bytes]:
        """``(HTTP status, body)``; a key is spent only by a request that succeeded."""
        try:
            data, key = self.gate(ctx, self, request)
            payload = self.handler(ctx, data, self.version, key)
        except ApiFailure as failure:
            return failure.http_status, failure.body()
        if key is not None:
            ctx.state.idempotency_keys[key] = self.name
        return 200, payload


def lookup(table: Mapping[str, Route], path: str) -> tuple[Route | None, str]:
    """The route for ``path`` and the path parameter: an exact path first (a dict lookup on
    the hot path), then a path whose last segment is ``{id}``."""
    route = table.get(path)
    if route is not None:
        return route, ""
    head, _, tail = path.rpartition("/")
    if not tail:
        return None, ""
    route = table.get(head + "/{id}")
    return (route, tail) if route is not None else (None, "")


def find_session(ctx: Context, body: dict[str, Any]) -> Session:
    sid = v.session_id(body)
    session = ctx.state.sessions.get(sid)
    if session is None:
        raise ApiFailure(404, "invalid_request", f"session_id: unknown session {sid!r}")
    return session


def session_reply(session: Session, version: int) -> bytes:
    """``{"status": "ok", "session": ..., "confirm_information"?: ...}`` from the cached JSON."""
    reply = b'{"status":"ok","session":' + session.json(version)
    confirm_information = session.confirm_information_for(version)
    if confirm_information is not None:
        reply += b',"confirm_information":' + dumps(confirm_information)
    return reply + b"}"
