"""What the read model keeps about one warm-handoff referral: the day it was made and the day
the officer agreed to it, de-identified.

Scheduling says a referral was proposed (``referral_proposed``) and answered
(``referral_answered``). Kept per referral pseudonym and step: the step's day number and the
officer's pseudonym (only to count distinct people for the small-cell rule). No referral,
officer, peer or clinician id, and no timestamp. A session booked from a referral is a session
fact with ``from_referral`` set (completed when it is held).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from tenfour_outcomes.domain.periods import Period, month_of_day

__all__ = ["STEPS", "ReferralStep"]

STEPS = ("made", "accepted")


@dataclass(frozen=True, slots=True)
class ReferralStep:
    step: str  # one of STEPS
    day: int  # when it happened (UTC day number)
    officer: str  # pseudonym

    @property
    def month(self) -> Period:
        return month_of_day(self.day)

    def encode(self) -> str:
        return json.dumps({"s": self.step, "d": self.day, "of": self.officer}, separators=(",", ":"))

    @classmethod
    def decode(cls, raw: str) -> ReferralStep | None:
        data = json.loads(raw)
        step = str(data.get("s", ""))
        return cls(step, int(data["d"]), str(data["of"])) if step in STEPS else None
