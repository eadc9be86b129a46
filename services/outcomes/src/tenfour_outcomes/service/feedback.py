"""Anonymous feedback: credentials for fulfilled sessions, and answers given with them.

Issuing knows who asks and for which session (it must: one per officer and session); it keeps
a marker saying so, and the credential's digest in the month's unordered set, with nothing
linking the two. Submitting uses only the credential and the caller's agency (never the
caller's id) and stores nothing but additions to the month's totals.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from tenfour_outcomes.domain.facts import Outcome
from tenfour_outcomes.domain.feedback import Answers, Credential, FeedbackTotals, answers
from tenfour_outcomes.domain.pseudonyms import Pseudonyms
from tenfour_outcomes.domain.records import IssueResult, RedeemResult
from tenfour_outcomes.service.access import officer_agency
from tenfour_outcomes.service.ports import Outcomes
from tenfour_shared.auth.principal import Principal
from tenfour_shared.errors import (
    AlreadyExists,
    FieldViolation,
    InvalidInput,
    NotAllowed,
    NotFound,
    WrongState,
)

__all__ = ["Clock", "FeedbackService"]

Clock = Callable[[], datetime]
_CLOSED = "feedback for this session has closed: its month's figures are published"
_ID_MAX = 255
# Credentials outlive the month's close by this much (the clock, not Redis, decides when it closes).
_MARGIN = timedelta(days=1)


class FeedbackService:
    def __init__(self, store: Outcomes, pseudonyms: Pseudonyms, clock: Clock, delay: timedelta) -> None:
        self._store = store
        self._p = pseudonyms
        self._clock = clock
        self._delay = delay

    async def issue(self, caller: Principal, appointment_id: str) -> tuple[str, datetime]:
        agency = officer_agency(caller)
        if not 0 < len(appointment_id) <= _ID_MAX:
            raise InvalidInput.single("appointment_id", "is required: the session's appointment id")
        appointment = self._p.appointment(appointment_id)
        officer = self._p.officer(caller.subject)
        fact = await self._store.fact(agency, appointment)
        if fact is None or officer not in fact.officers:
            # The same answer whether the session exists or not: no probing of other people's.
            raise NotFound("no session of yours with this id (a just-ended one may take a moment)")
        if fact.outcome is not Outcome.FULFILLED:
            raise WrongState("feedback opens once the session has taken place")
        closes = fact.month.published_at(self._delay)
        now = self._clock()
        if now >= closes:
            raise WrongState(_CLOSED)
        credential = Credential(fact.month, agency, secrets.token_urlsafe(32))
        ttl = closes - now + _MARGIN
        result = await self._store.issue(agency, fact.month, officer, appointment, credential.digest, ttl)
        if result == IssueResult.ALREADY_ISSUED:
            raise AlreadyExists("a feedback credential was already issued to you for this session")
        if result == IssueResult.CLOSED:
            raise WrongState(_CLOSED)
        return credential.text, closes

    async def submit(
        self,
        caller: Principal,
        credential_text: str,
        rating: int,
        would_recommend: bool | None,
        stress_before: int | None,
        stress_after: int | None,
    ) -> None:
        agency = officer_agency(caller)
        given, credential = _validated(credential_text, rating, would_recommend, stress_before, stress_after)
        if credential.agency_id != agency:
            raise NotAllowed("this feedback credential belongs to another agency")
        closes = credential.month.published_at(self._delay)
        now = self._clock()
        if now >= closes:
            raise WrongState(_CLOSED)
        increments = FeedbackTotals.increments(given)
        ttl = closes - now + _MARGIN
        result = await self._store.redeem(agency, credential.month, credential.digest, increments, ttl)
        if result == RedeemResult.UNKNOWN:
            raise NotFound("unknown feedback credential")
        if result == RedeemResult.USED:
            raise AlreadyExists("this feedback credential has already been used")
        if result == RedeemResult.CLOSED:
            raise WrongState(_CLOSED)


def _validated(
    text: str, rating: int, would_recommend: bool | None, stress_before: int | None, stress_after: int | None
) -> tuple[Answers, Credential]:
    """Both answers and credential, every problem reported at once; nothing used up on failure."""
    problems: list[FieldViolation] = []
    try:
        given = answers(rating, would_recommend, stress_before, stress_after)
    except InvalidInput as exc:
        problems.extend(exc.violations)
    try:
        credential = Credential.parse(text)
    except InvalidInput as exc:
        problems.extend(exc.violations)
    if problems:
        raise InvalidInput(problems)
    return given, credential
