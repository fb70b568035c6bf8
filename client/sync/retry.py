"""Retries for transient failures: exponential backoff with full jitter, bounded per sync.

Transient: no answer at all (:class:`ConnectionFailed`), 5xx, 408 and 429 (``retry_after`` is
honoured). Every request of the protocol is idempotent, so repeating one is always safe.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from client.sync.transport import ConnectionFailed, ServerError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # tries per request
    base_s: float = 0.5  # first backoff ceiling; doubles every attempt
    cap_s: float = 30.0  # longest single wait
    budget: int = 16  # retries per sync, all requests together

    def delay(self, attempt: int, rng: random.Random, retry_after: float | None = None) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**attempt)], at least retry_after."""
        jitter = rng.uniform(0.0, min(self.cap_s, self.base_s * (2**attempt)))
        return max(jitter, retry_after or 0.0)


class Retrier:
    """Runs calls with the policy; one instance per sync (it holds the budget)."""

    def __init__(
        self, policy: RetryPolicy, sleep: Callable[[float], None], rng: random.Random
    ) -> None:
        self.policy = policy
        self.sleep = sleep
        self.rng = rng
        self.budget = policy.budget
        self.retries = 0

    def wait(self, attempt: int, exc: Exception) -> bool:
        """Sleep before another try; False when the budget or the attempts are spent."""
        retry_after = exc.retry_after if isinstance(exc, ServerError) else None
        if attempt + 1 >= self.policy.attempts or self.budget <= 0:
            return False
        if retry_after is not None and retry_after > self.policy.cap_s:
            return False  # the server asks for a longer pause than a sync should take
        self.budget -= 1
        self.retries += 1
        self.sleep(self.policy.delay(attempt, self.rng, retry_after))
        return True

    def call(self, fn: Callable[..., T], *args: object) -> T:
        attempt = 0
        while True:
            try:
                return fn(*args)
            except ConnectionFailed as exc:
                if not self.wait(attempt, exc):
                    raise
            except ServerError as exc:
                if not exc.transient or not self.wait(attempt, exc):
                    raise
            attempt += 1
