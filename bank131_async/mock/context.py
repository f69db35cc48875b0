"""What the route table and every handler share: the context, the request, the route and
method records, session lookup and the session envelope.

A main-API handler gets the decoded JSON body, the API major version of the path and the
idempotency key, and returns the bytes of a 200 answer or raises :class:`~.wire.ApiFailure`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

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
    config: MockConfig
    #: Verifies ``X-PARTNER-SIGN``.
    partner_key: rsa.RSAPublicKey


@attrs.frozen
class Request:
    method: str
    path: str
    headers: Sequence[tuple[bytes, bytes]]
    body: bytes
    #: The last path segment where the route's path ends in ``{id}`` (KYC ``check/{id}``).
    param: str = ""


class Route(Protocol):
    """One entry of the route table: how a request to its path is checked and answered."""

    #: Method name without version, e.g. ``session/init/payout`` (fault rules match on it).
    @property
    def name(self) -> str: ...

    #: Mutating calls honour ``X-PARTNER-IDEMPOTENCY-KEY``; read-only ones ignore it.
    @property
    def mutating(self) -> bool: ...

    def serve(self, ctx: Context, request: Request) -> tuple[int, bytes]:
        """``(HTTP status, body)``."""
        ...


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


Handler = Callable[[Context, dict[str, Any], int, "str | None"], bytes]


@attrs.frozen
class Method:
    """A main-API method as its module declares it; the route table adds path and version."""

    handler: Handler
    #: The keys the body may carry (:mod:`.shapes`); any other is ``invalid_request``.
    body: Shape
    mutating: bool


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
