"""Clinicians' licensure: which licence lets a therapist see an officer on a given date.

A therapist may be offered to an officer at instant ``at`` when one of their licences is
valid then (``issued_at <= at < expires_at``) in a jurisdiction the officer is served in:
the officer's own (their preferences) or one the agency accepts through a compact. Peer
supporters are not licensed and are exempt. An officer without a jurisdiction is matched
by the agency's compact list only when it has one; with neither, licensure cannot be
applied and every clinician of the agency is offered (the README says so).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tenfour_scheduling.domain.errors import FieldViolation
from tenfour_shared.sensible_dates import date_range_problem

__all__ = [
    "UNLICENSED",
    "WARN_AHEAD",
    "Licence",
    "accepted",
    "licence_problems",
    "licensed_at",
    "licensed_until",
]

WARN_AHEAD = timedelta(days=30)
UNLICENSED = "this clinician holds no licence valid in your jurisdiction on that date"
_JURISDICTION = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./ -]{0,39}$")


@dataclass(frozen=True, slots=True)
class Licence:
    jurisdiction: str
    issued_at: datetime
    expires_at: datetime


def accepted(officer_jurisdiction: str | None, compacts: Iterable[str]) -> frozenset[str] | None:
    """The jurisdictions a clinician may be licensed in for this officer; None: no rule applies."""
    out = {j.upper() for j in compacts}
    if officer_jurisdiction:
        out.add(officer_jurisdiction.upper())
    return frozenset(out) or None


def licensed_at(licences: Sequence[Licence], jurisdictions: frozenset[str], at: datetime) -> bool:
    return any(lic.jurisdiction in jurisdictions and lic.issued_at <= at < lic.expires_at for lic in licences)


def licensed_until(
    licences: Sequence[Licence], jurisdictions: frozenset[str], at: datetime
) -> datetime | None:
    """Until when the clinician stays licensed for these jurisdictions from ``at`` on, following
    renewals that start before the previous licence ends; None when not licensed at ``at``."""
    until: datetime | None = None
    moment = at
    matching = sorted(
        (lic for lic in licences if lic.jurisdiction in jurisdictions), key=lambda x: x.issued_at
    )
    changed = True
    while changed:
        changed = False
        for lic in matching:
            if lic.issued_at <= moment < lic.expires_at:
                until = moment = lic.expires_at
                changed = True
    return until


def licence_problems(
    jurisdiction: str, number: str, issued_at: datetime | None, expires_at: datetime | None
) -> list[FieldViolation]:
    """What is wrong with a licence, as field violations (empty: valid)."""
    out: list[FieldViolation] = []
    if not _JURISDICTION.match(jurisdiction.upper()):
        out.append(FieldViolation("jurisdiction", "must be an ISO 3166-2 code such as US-CA"))
    if not _NUMBER.match(number.strip()):
        out.append(FieldViolation("number", "may hold only letters, digits, spaces and - / . (at most 40)"))
    dated = True
    for name, moment in (("issued_at", issued_at), ("expires_at", expires_at)):
        problem = "is required" if moment is None else date_range_problem(moment.date())
        if problem is not None:
            out.append(FieldViolation(name, problem))
            dated = False
    if dated and expires_at is not None and issued_at is not None and expires_at <= issued_at:
        out.append(FieldViolation("expires_at", "must be after the date of issue"))
    return out
