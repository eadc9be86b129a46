"""The clock every use case reads (injected, so tests can hold time still)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

__all__ = ["Clock"]

Clock = Callable[[], datetime]
