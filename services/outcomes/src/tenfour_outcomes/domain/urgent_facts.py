"""What the read model keeps about one urgent request: its waits and its wrap-up, de-identified.

Scheduling says when a request was made, first accepted and first joined by a provider
(``urgent_connected``) and what happened after the session (``urgent_wrapped_up``). Kept per
request pseudonym: the request's day number, the officer's pseudonym (only to count distinct
people for the small-cell rule), the two waits in whole seconds and the wrap-up word. No
request, officer or provider id, and no timestamp.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from tenfour_outcomes.domain.periods import Period, day_number, month_of_day

__all__ = ["WRAP_UPS", "UrgentFact"]

WRAP_UPS = ("follow_up_booked", "referred", "none")


@dataclass(frozen=True, slots=True)
class UrgentFact:
    day: int  # the request's day (UTC day number)
    officer: str  # pseudonym
    accept_seconds: int | None = None  # request to first accept
    joined_seconds: int | None = None  # request to a provider in the room
    wrap_up: str | None = None  # one of WRAP_UPS

    @classmethod
    def connected(cls, officer: str, requested: datetime, accepted: datetime, joined: datetime) -> UrgentFact:
        def wait(at: datetime) -> int:
            return max(0, int((at - requested).total_seconds()))

        return cls(day_number(requested), officer, wait(accepted), wait(joined))

    @classmethod
    def wrapped_up(cls, officer: str, requested: datetime, outcome: str) -> UrgentFact:
        return cls(day_number(requested), officer, wrap_up=outcome if outcome in WRAP_UPS else None)

    def merged(self, other: UrgentFact) -> UrgentFact:
        """The two halves (connected, wrapped up) of one request, whichever came first."""
        return UrgentFact(
            min(self.day, other.day),
            self.officer or other.officer,
            self.accept_seconds if self.accept_seconds is not None else other.accept_seconds,
            self.joined_seconds if self.joined_seconds is not None else other.joined_seconds,
            self.wrap_up or other.wrap_up,
        )

    @property
    def month(self) -> Period:
        return month_of_day(self.day)

    def encode(self) -> str:
        data: dict[str, object] = {"d": self.day, "of": self.officer}
        if self.accept_seconds is not None:
            data["a"] = self.accept_seconds
        if self.joined_seconds is not None:
            data["j"] = self.joined_seconds
        if self.wrap_up is not None:
            data["w"] = self.wrap_up
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def decode(cls, raw: str) -> UrgentFact:
        data = json.loads(raw)
        return cls(
            day=int(data["d"]),
            officer=str(data["of"]),
            accept_seconds=None if data.get("a") is None else int(data["a"]),
            joined_seconds=None if data.get("j") is None else int(data["j"]),
            wrap_up=None if data.get("w") not in WRAP_UPS else str(data["w"]),
        )
