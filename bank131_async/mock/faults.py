"""Fault injection: make the emulator misbehave the way networks and banks do.

A :class:`Fault` is a rule: which method it hits (``route``, a method name such as
``"session/init/payout"`` matching both API versions, or ``None`` for every method), how often
(``times`` requests, then it retires; ``probability`` per request from a seeded RNG) and what
happens:

================  ==========================================================================
``latency``       wait ``delay`` seconds, then serve normally (stacks with one other fault)
``server_error``  answer ``status`` (default 503) with an ``internal_error`` envelope
``rate_limit``    answer 429 with ``Retry-After: <retry_after>``
``malformed``     answer 200 with a truncated, non-JSON body
``reset``         reset the TCP connection (RST) before the request is processed
``drop_after``    process the request, then close the connection without answering
``outage``        process the request, close the connection without answering, then refuse
                  new connections (``ECONNREFUSED``) for ``duration`` seconds (default 0.2)
                  and listen again on the same port; open connections close too, as in a
                  restart. Overlapping outages extend. In-process (no sockets) it acts as
                  ``drop_after``
================  ==========================================================================

``server_error`` and ``malformed`` take ``after_processing=True`` to do the work first and
then answer badly, which is how a proxy failure after a successful payout looks. Rules can be
added from a test at any time (``mock.faults.add("reset", route="session/status", times=2)``)
or given on the command line as ``kind[:key=value,...]`` (``--fault drop_after:times=1``,
``--fault outage:route=session/init/payout,probability=0.01,duration=0.5``).
"""

from __future__ import annotations

import random
from enum import StrEnum
from typing import Any

import attrs

__all__ = ["Fault", "FaultKind", "Faults"]


class FaultKind(StrEnum):
    """What a fault does to a request (see the module's table)."""

    LATENCY = "latency"
    SERVER_ERROR = "server_error"
    RATE_LIMIT = "rate_limit"
    MALFORMED = "malformed"
    RESET = "reset"
    DROP_AFTER = "drop_after"
    OUTAGE = "outage"


@attrs.define(kw_only=True)
class Fault:
    """One fault rule: its ``kind``, the ``route`` it hits (``None``: every method), how often
    (``times``, ``probability``) and the kind's options.
    """

    kind: FaultKind = attrs.field(converter=FaultKind)
    route: str | None = None
    #: Requests left to hit; ``None`` means no limit.
    times: int | None = None
    probability: float = 1.0
    #: Seconds of added latency (``latency``).
    delay: float = 0.1
    #: HTTP status (``server_error``).
    status: int = 503
    #: Seconds in ``Retry-After`` (``rate_limit``).
    retry_after: float = 1.0
    #: Seconds new connections are refused (``outage``).
    duration: float = 0.2
    after_processing: bool = False
    #: How many requests this rule has hit so far.
    hits: int = 0

    @property
    def processes_first(self) -> bool:
        """Whether the request is processed before the fault strikes (money moves, the answer
        is lost or garbled).
        """
        return self.kind in (FaultKind.DROP_AFTER, FaultKind.OUTAGE) or (
            self.after_processing and self.kind in (FaultKind.SERVER_ERROR, FaultKind.MALFORMED)
        )

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """``"kind[:key=value,...]"``, e.g. ``"rate_limit:route=session/status,times=2"``."""
        kind, _, rest = spec.partition(":")
        fields: dict[str, Any] = {}
        types = {f.name: f.type for f in attrs.fields(cls)}
        for item in filter(None, rest.split(",")):
            key, sep, raw = item.partition("=")
            key = key.strip()
            if not sep or key not in types or key in ("kind", "hits"):
                raise ValueError(f"bad fault option {item!r} in {spec!r}")
            annotation = str(types[key])
            if "bool" in annotation:
                fields[key] = raw.strip().lower() in ("1", "true", "yes")
            elif "float" in annotation:
                fields[key] = float(raw)
            elif "int" in annotation:
                fields[key] = int(raw)
            else:
                fields[key] = raw.strip()
        return cls(kind=FaultKind(kind.strip()), **fields)


class Faults:
    """The active rules; the first matching non-latency rule decides a request's fate."""

    def __init__(self, seed: int = 131) -> None:
        self.rules: list[Fault] = []
        self._rng = random.Random(seed)

    def add(self, kind: FaultKind | str | Fault, **options: Any) -> Fault:
        """Add a rule, e.g. ``mock.faults.add("drop_after", route="session/confirm", times=1)``."""
        fault = kind if isinstance(kind, Fault) else Fault(kind=FaultKind(kind), **options)
        self.rules.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        """Remove a rule added before."""
        self.rules.remove(fault)

    def clear(self) -> None:
        """Remove every rule."""
        self.rules.clear()

    def seed(self, seed: int) -> None:
        """Re-seed the RNG behind ``probability`` (to replay a run)."""
        self._rng.seed(seed)

    def take(self, route: str) -> tuple[float, Fault | None]:
        """Latency to add and the fault to inject (if any) for one request to ``route``."""
        delay = 0.0
        chosen: Fault | None = None
        for rule in self.rules:
            if rule.route is not None and rule.route != route:
                continue
            if rule.times is not None and rule.times <= 0:
                continue
            if rule.kind is not FaultKind.LATENCY and chosen is not None:
                continue
            if rule.probability < 1.0 and self._rng.random() >= rule.probability:
                continue
            rule.hits += 1
            if rule.times is not None:
                rule.times -= 1
            if rule.kind is FaultKind.LATENCY:
                delay += rule.delay
            else:
                chosen = rule
        # Spent rules go, so the fast path (no rules) comes back by itself.
        self.rules = [r for r in self.rules if r.times is None or r.times > 0]
        return delay, chosen
