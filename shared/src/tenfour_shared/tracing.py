"""W3C trace context carried across gRPC (the `traceparent` metadata key) and NATS (the
envelope's `traceparent` field), so one request can be followed through every service.

Only random ids travel: a trace never carries who is calling or what they asked.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar, Token

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_current: ContextVar[str] = ContextVar("tenfour_traceparent", default="")


def new_traceparent(trace_id: str = "") -> str:
    """A fresh span id under `trace_id` (a new trace when empty), sampled."""
    return f"00-{trace_id or os.urandom(16).hex()}-{os.urandom(8).hex()}-01"


def continue_from(incoming: str) -> str:
    """A child span of a valid incoming traceparent, or a new trace for anything else."""
    match = _TRACEPARENT.match(incoming.strip().lower()) if incoming else None
    return new_traceparent(match.group(1) if match else "")


def current() -> str:
    return _current.get()


def trace_id() -> str:
    value = _current.get()
    return value[3:35] if value else ""


def activate(traceparent: str) -> Token[str]:
    return _current.set(traceparent)


def deactivate(token: Token[str]) -> None:
    _current.reset(token)
