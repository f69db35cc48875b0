"""Which deliveries were handled: the de-duplication store behind :class:`WebhookRouter`."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from ..errors import ConfigurationError

__all__ = ["MemorySeenStore", "SeenStore"]


class SeenStore(Protocol):
    """Remembers which deliveries were handled, for de-duplication.

    ``add_if_new`` atomically claims ``key`` and says whether it was new; ``discard`` releases
    a claim (a handler failed, so the bank's re-send must be processed). Entries should expire
    after a TTL longer than the bank's re-send window (about 30 minutes). A shared store
    (Redis ``SET key 1 NX EX ttl`` / ``DEL key``) de-duplicates across processes; there a
    re-send reaching another process while the first attempt is still being handled counts as
    a duplicate, so keep handlers well below the bank's delivery timeout (enqueue long work).
    """

    async def add_if_new(self, key: str) -> bool:
        """Claim ``key``: ``True`` if it was not claimed yet (handle the delivery), ``False``
        for a duplicate (answer 200 without handling it)."""

    async def discard(self, key: str) -> None:
        """Release the claim on ``key`` (its handler failed: the re-send must be handled)."""


class MemorySeenStore:
    """In-process :class:`SeenStore`: at most ``max_size`` keys, each kept ``ttl`` seconds.

    The oldest keys go first when full, so memory stays bounded under any load.
    """

    def __init__(
        self,
        *,
        max_size: int = 100_000,
        ttl: float = 24 * 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_size < 1 or not ttl > 0:
            raise ConfigurationError("MemorySeenStore needs max_size >= 1 and ttl > 0")
        self.max_size = max_size
        self.ttl = ttl
        self._clock = clock
        self._expiry: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._expiry)

    async def add_if_new(self, key: str) -> bool:
        """Claim ``key`` for ``ttl`` seconds; ``False`` if it is already claimed."""
        now = self._clock()
        expiry = self._expiry.get(key)
        if expiry is not None and expiry > now:
            return False
        self._expiry.pop(key, None)
        self._expiry[key] = now + self.ttl
        # Insertion order is expiry order (one ttl for all): drop expired and overflow.
        while self._expiry:
            oldest_key, oldest = next(iter(self._expiry.items()))
            if oldest > now and len(self._expiry) <= self.max_size:
                break
            del self._expiry[oldest_key]
        return True

    async def discard(self, key: str) -> None:
        """Forget ``key``."""
        self._expiry.pop(key, None)
