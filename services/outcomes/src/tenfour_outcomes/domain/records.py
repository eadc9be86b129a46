"""What the use cases read and write through their ports (service/ports.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tenfour_outcomes.domain.facts import SessionFact, Tier
from tenfour_outcomes.domain.referral_facts import ReferralStep
from tenfour_outcomes.domain.urgent_facts import UrgentFact

__all__ = ["IssueResult", "RedeemResult", "Snapshot"]


class IssueResult:
    ISSUED, ALREADY_ISSUED, CLOSED = 1, 0, 3


class RedeemResult:
    STORED, UNKNOWN, USED, CLOSED = 1, 0, 2, 3


@dataclass(frozen=True, slots=True)
class Snapshot:
    facts: dict[str, SessionFact]  # by appointment pseudonym
    enrolments: dict[str, int]
    tiers: dict[str, Tier]
    urgent: dict[str, UrgentFact] = field(default_factory=dict)  # by request pseudonym
    referrals: list[ReferralStep] = field(default_factory=list)
