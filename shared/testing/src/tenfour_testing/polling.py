"""For sync tests that wait on a positive marker another process produces (an event consumed, a
room opened): ask again until the answer shows it, and fail with the last answer if it never does."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["poll"]

T = TypeVar("T")


def poll(
    fetch: Callable[[], T], until: Callable[[T], object], *, within: float = 30.0, every: float = 0.2
) -> T:
    """The first answer of `fetch` that `until` accepts; after `within` seconds, the last answer
    (so the caller's assertion shows what was seen instead of a bare timeout)."""
    deadline = time.monotonic() + within
    while True:
        answer = fetch()
        if until(answer) or time.monotonic() > deadline:
            return answer
        time.sleep(every)
