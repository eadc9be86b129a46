"""How a delivery attempt ended, and when to try again."""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import Enum


class Outcome(Enum):
    DELIVERED = "delivered"
    TRANSIENT = "transient"  # try again later (server down, 5xx, 429, timeout)
    PERMANENT = "permanent"  # retrying cannot help (address refused, 4xx)
    GONE = "gone"  # the subscription no longer exists (404/410): remove it


@dataclass(frozen=True, slots=True)
class Attempt:
    outcome: Outcome
    reason_code: str = ""
    retry_after: float | None = None  # seconds the receiver asked for


@dataclass(frozen=True, slots=True)
class Backoff:
    base_seconds: float = 1.0
    max_seconds: float = 300.0
    max_attempts: int = 8

    def delay(self, attempts: int, rng: random.Random | None = None, asked: float | None = None) -> float:
        """Full jitter (AWS' "exponential backoff and jitter"): uniform in [0, base * 2^(n-1)],
        capped; never sooner than a receiver's Retry-After."""
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        chosen = (rng or random).uniform(ceiling / 2, ceiling)
        if asked is not None:
            chosen = max(chosen, min(asked, self.max_seconds))
        return chosen

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts
