"""For tests that wait on a positive marker another process produces (an event consumed, a
room opened): ask again until the answer shows it, and fail with the last answer if it never does.
`poll` for sync tests, `poll_async` for asyncio ones (a browser's API call, a JetStream query)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["poll", "poll_async"]

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


async def poll_async(
    fetch: Callable[[], Awaitable[T]],
    until: Callable[[T], object],
    *,
    within: float = 30.0,
    every: float = 0.2,
) -> T:
    """As :func:`poll`, awaiting `fetch` and yielding to the event loop between answers."""
    deadline = time.monotonic() + within
    while True:
        answer = await fetch()
        if until(answer) or time.monotonic() > deadline:
            return answer
        await asyncio.sleep(every)
