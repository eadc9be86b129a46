"""Anonymous feedback: answers, one-time credentials, per-period totals, respondent bounds.

A credential names only its agency and the session's month; the service stores its SHA-256
digest and nothing else about it (no officer, no session, no time). Responses are never stored
one by one: each is added to its agency's and month's totals in the same atomic step that
deletes the digest, so there is no response row that anything could be joined to.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

from tenfour_outcomes.domain.periods import Period
from tenfour_shared.errors import InvalidInput

__all__ = ["Answers", "Credential", "FeedbackTotals", "answers", "min_respondents"]

RATINGS = range(1, 6)
STRESS = range(0, 11)
_CREDENTIAL = re.compile(r"tf1\.(\d{4}-\d{2})\.([A-Za-z0-9_-]{1,128})\.([A-Za-z0-9_-]{43})")


@dataclass(frozen=True, slots=True)
class Answers:
    rating: int
    would_recommend: bool
    stress_before: int
    stress_after: int


def answers(
    rating: int, would_recommend: bool | None, stress_before: int | None, stress_after: int | None
) -> Answers:
    problems: list[tuple[str, str]] = []
    if rating not in RATINGS:
        problems.append(("rating", "must be 1 to 5"))
    if would_recommend is None:
        problems.append(("would_recommend", "is required"))
    for name, value in (("stress_before", stress_before), ("stress_after", stress_after)):
        if value is None:
            problems.append((name, "is required: 0 (none) to 10 (extreme)"))
        elif value not in STRESS:
            problems.append((name, "must be 0 (none) to 10 (extreme)"))
    if problems or would_recommend is None or stress_before is None or stress_after is None:
        raise InvalidInput(problems)
    return Answers(rating, would_recommend, stress_before, stress_after)


@dataclass(frozen=True, slots=True)
class Credential:
    month: Period
    agency_id: str
    secret: str  # 32 random bytes, base64url without padding

    @property
    def text(self) -> str:
        return f"tf1.{self.month.label}.{self.agency_id}.{self.secret}"

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    @classmethod
    def parse(cls, text: str) -> Credential:
        match = _CREDENTIAL.fullmatch(text)
        if match is None:
            raise InvalidInput([("credential", "is not a feedback credential")])
        try:
            month = Period.parse_month(match[1])
        except ValueError:
            raise InvalidInput([("credential", "is not a feedback credential")]) from None
        return cls(month, match[2], match[3])


@dataclass(frozen=True, slots=True)
class FeedbackTotals:
    responses: int = 0
    rating_sum: int = 0
    recommend_yes: int = 0
    stress_before_sum: int = 0
    stress_after_sum: int = 0

    @property
    def recommend_no(self) -> int:
        return self.responses - self.recommend_yes

    @staticmethod
    def increments(a: Answers) -> dict[str, int]:
        """What one response adds to the stored totals (field names of the Redis hash)."""
        return {
            "responses": 1,
            "rating_sum": a.rating,
            "recommend_yes": int(a.would_recommend),
            "stress_before_sum": a.stress_before,
            "stress_after_sum": a.stress_after,
        }

    @classmethod
    def of(cls, stored: Mapping[str, int]) -> FeedbackTotals:
        return cls(**{f.name: int(stored.get(f.name, 0)) for f in fields(cls)})

    def __add__(self, other: FeedbackTotals) -> FeedbackTotals:
        return FeedbackTotals(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


def min_respondents(responses: int, issued_per_officer: Iterable[int]) -> int:
    """The fewest distinct officers who could have given `responses` answers.

    Responses are anonymous, but each officer can answer at most once per credential they were
    issued: the worst case is that the officers with the most credentials answered them all.
    """
    counts = sorted((n for n in issued_per_officer if n > 0), reverse=True)
    if responses <= 0:
        return 0
    covered = 0
    for people, issued in enumerate(counts, start=1):
        covered += issued
        if covered >= responses:
            return people
    return len(counts)  # more answers than credentials: never from our own writes
