"""Peer-supporter readiness: which required courses are current, and until when.

A peer is offered to officers while every course the agency requires has a record that is
current: completed (never in the future) and not yet expired. Of several records of one
course the latest expiry counts (a refresher extends the initial course). ``ready_until`` is
the earliest of those expiries: the instant the peer stops being offered (None: never).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from tenfour_scheduling.domain.errors import FieldViolation
from tenfour_shared.sensible_dates import date_range_problem

__all__ = [
    "COURSE",
    "NEVER_READY",
    "WARN_AHEAD",
    "Course",
    "CourseState",
    "Readiness",
    "Record",
    "State",
    "policy_problems",
    "readiness",
    "ready_at",
    "record_problems",
]

WARN_AHEAD = timedelta(days=30)  # the lapse warning goes out this long before an expiry
COURSE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
NEVER_READY = datetime(1970, 1, 1, tzinfo=UTC)  # a required course was never completed
MAX_COURSES = 20
MAX_TEXT = 120


class State(StrEnum):
    CURRENT = "current"
    LAPSING = "lapsing"
    LAPSED = "lapsed"
    NOT_REQUIRED = "not_required"


@dataclass(frozen=True, slots=True)
class Course:
    course: str
    title: str


@dataclass(frozen=True, slots=True)
class Record:
    record_id: str
    course: str
    provider: str
    completed_at: datetime
    expires_at: datetime | None  # None: does not expire


@dataclass(frozen=True, slots=True)
class CourseState:
    course: Course
    state: State
    latest: Record | None


@dataclass(frozen=True, slots=True)
class Readiness:
    state: State
    ready_until: datetime | None  # None: no end; NEVER_READY when a course is missing
    courses: tuple[CourseState, ...]

    @property
    def lapsing_courses(self) -> tuple[str, ...]:
        """The required courses whose expiry is ``ready_until`` (what lapses first)."""
        return tuple(
            c.course.course
            for c in self.courses
            if c.latest is None
            or (c.latest.expires_at is not None and c.latest.expires_at == self.ready_until)
        )


def ready_at(ready_until: datetime | None, at: datetime) -> bool:
    return ready_until is None or at < ready_until


def _state(until: datetime | None, now: datetime) -> State:
    if until is None:
        return State.CURRENT
    if now >= until:
        return State.LAPSED
    return State.LAPSING if until - now <= WARN_AHEAD else State.CURRENT


def _expiry(record: Record) -> datetime:
    return record.expires_at or datetime.max.replace(tzinfo=UTC)


def readiness(required: Sequence[Course], records: Sequence[Record], now: datetime) -> Readiness:
    if not required:
        return Readiness(State.NOT_REQUIRED, None, ())
    courses: list[CourseState] = []
    until: datetime | None = None
    for course in required:
        mine = [r for r in records if r.course == course.course and r.completed_at <= now]
        latest = max(mine, key=lambda r: (_expiry(r), r.completed_at), default=None)
        course_until = NEVER_READY if latest is None else latest.expires_at
        courses.append(CourseState(course, _state(course_until, now), latest))
        if course_until is not None and (until is None or course_until < until):
            until = course_until
    return Readiness(_state(until, now), until, tuple(courses))


def record_problems(
    course: str, provider: str, completed_at: datetime | None, expires_at: datetime | None, now: datetime
) -> list[FieldViolation]:
    """What is wrong with a training record, as field violations (empty: valid)."""
    out: list[FieldViolation] = []
    if not COURSE.match(course):
        out.append(FieldViolation("course", "use a course code: lower-case letters, digits, _ or - (max 48)"))
    if not provider.strip():
        out.append(FieldViolation("provider", "say who gave the training"))
    elif len(provider) > MAX_TEXT or not provider.isprintable():
        out.append(FieldViolation("provider", f"at most {MAX_TEXT} printable characters"))
    if completed_at is None:
        out.append(FieldViolation("completed_at", "is required"))
    elif completed_at > now:
        out.append(FieldViolation("completed_at", "cannot be in the future"))
    elif problem := date_range_problem(completed_at.date(), now.date()):  # a mistyped year
        out.append(FieldViolation("completed_at", problem))
    if expires_at is not None and (problem := date_range_problem(expires_at.date(), now.date())):
        out.append(FieldViolation("expires_at", problem))
    if completed_at is not None and expires_at is not None and expires_at <= completed_at:
        out.append(FieldViolation("expires_at", "must be after the completion date"))
    return out


def policy_problems(courses: Sequence[Course]) -> list[FieldViolation]:
    out: list[FieldViolation] = []
    if len(courses) > MAX_COURSES:
        out.append(FieldViolation("required", f"at most {MAX_COURSES} courses"))
    seen: set[str] = set()
    for i, c in enumerate(courses):
        if not COURSE.match(c.course):
            out.append(
                FieldViolation(
                    f"required[{i}].course", "use a course code: lower-case letters, digits, _ or -"
                )
            )
        elif c.course in seen:
            out.append(FieldViolation(f"required[{i}].course", "is listed twice"))
        seen.add(c.course)
        if len(c.title) > MAX_TEXT or not c.title.isprintable():
            out.append(FieldViolation(f"required[{i}].title", f"at most {MAX_TEXT} printable characters"))
    return out
