"""The counters behind sign-in throttling, account e-mail limits and PIN tries, and what they do when Redis is down.

They count in ``RATELIMIT_STORAGE_URI`` (Redis in production, shared by every worker). When that storage
cannot be reached, sign-in must still work, so counting goes on in this process's memory with the same
limits, and the storage is tried again after ``RETRY_SECONDS``. The limits still hold, per worker: with
W workers an attacker gets at most W times the attempts while Redis is down, and what was counted in memory
is not carried back into Redis. Failing closed instead would lock every person out of their account for as
long as Redis is down, including someone who needs their safety plan; not counting at all would leave
sign-in open to guessing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import current_app
from limits import RateLimitItem
from limits.storage import MemoryStorage
from limits.strategies import RateLimiter

from companion.extensions import limiter

RETRY_SECONDS = 30


class Counters:
    """limits' calls (hit, test, window stats, clear) on the configured storage, or on memory while it is down."""

    def __init__(self) -> None:
        self.down_until = 0.0
        self.memory = MemoryStorage()
        self.fallback: RateLimiter | None = None

    def _run(self, action: Callable[[RateLimiter], Any]) -> Any:
        if time.monotonic() >= self.down_until:
            strategy = limiter.limiter
            try:
                return action(strategy)
            except strategy.storage.base_exceptions as error:
                self.down_until = time.monotonic() + RETRY_SECONDS
                current_app.logger.warning("The rate-limit storage cannot be reached (%s): counting in this process's "
                                           "memory, and trying it again in %s s", error, RETRY_SECONDS)
        if self.fallback is None or type(self.fallback) is not type(limiter.limiter):
            self.fallback = type(limiter.limiter)(self.memory)
        return action(self.fallback)

    def hit(self, limit: RateLimitItem, *identifiers: str) -> bool:
        return self._run(lambda s: s.hit(limit, *identifiers))

    def test(self, limit: RateLimitItem, *identifiers: str) -> bool:
        return self._run(lambda s: s.test(limit, *identifiers))

    def get_window_stats(self, limit: RateLimitItem, *identifiers: str):
        return self._run(lambda s: s.get_window_stats(limit, *identifiers))

    def clear(self, limit: RateLimitItem, *identifiers: str) -> None:
        self._run(lambda s: s.clear(limit, *identifiers))

    def refund(self, limit: RateLimitItem, *identifiers: str) -> None:
        """Give back one counted attempt (a sign-in that succeeded does not count).

        limits has no call for it, so this reaches into the two storages Companion runs on: memory, where the
        moving window is a list of entries, newest first, and Redis, where it is the same list under a key.
        """

        def pop(strategy: RateLimiter) -> None:
            storage = strategy.storage
            key = limit.key_for(*identifiers)
            if isinstance(storage, MemoryStorage):
                with storage.locks[key]:
                    if events := storage.events.get(key):
                        events.pop(0)
            elif hasattr(storage, "get_connection") and hasattr(storage, "prefixed_key"):
                storage.get_connection().lpop(storage.prefixed_key(key))

        self._run(pop)

    def reset(self) -> None:
        """Forget every count (tests), in the storage and in memory."""
        self.down_until = 0.0
        self.memory.reset()
        limiter.reset()


counters = Counters()
