"""Invalid input raised inside a block, under the request field it came from."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tenfour_signaling.domain.errors import InvalidSignal

__all__ = ["translated"]


@contextmanager
def translated(field: str = "request") -> Iterator[None]:
    """Invalid signals under `field` (they do not know the request field they were read from);
    every other error passes through unchanged."""
    try:
        yield
    except InvalidSignal as exc:
        raise exc.renamed(lambda name: field if name == "request" else name) from None
