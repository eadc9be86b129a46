"""Every InvalidInput: the field path and message an entrypoint maps to INVALID_ARGUMENT."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from tenfour_scheduling.domain import (
    FatiguePolicy,
    FieldViolation,
    InvalidInput,
    LocalHours,
    Officer,
    OfficerPreferences,
    Override,
    ProviderOffer,
    Roster,
    SessionOffer,
    ShiftDefinition,
    SlotFilters,
    check_slot,
    find_slots,
    import_roster_ics,
    roster_from_template,
    rotating_cycle,
)
from tenfour_shared.timeline import Interval

NOW = datetime(2025, 1, 6, 12, tzinfo=UTC)
DAY = {"start": "07:00", "length": "PT12H", "kind": "day"}


def roster_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"definitions": {"D": DAY}, "cycle": "DD--", "anchor": "2025-01-06", "zone": "UTC"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def offer_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "provider_id": "p1",
        "kind": "therapist",
        "timezone": "UTC",
        "sessions": {"followup": {"free": [], "duration": "PT50M"}},
    }
    data.update(changes)
    return data


def violations(build: Callable[[], object]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidInput) as err:
        build()
    return [(v.field, v.description) for v in err.value.violations]


def search(**changes: Any) -> object:
    kwargs: dict[str, Any] = {
        "officer": Officer(officer_id="o1"),
        "officer_roster": Roster.parse(roster_data()),
        "policy": FatiguePolicy(),
        "preferences": OfficerPreferences(),
        "offers": [],
        "session_type": "followup",
        "filters": SlotFilters(),
        "now": NOW,
    }
    kwargs.update(changes)
    return find_slots(**kwargs)


CASES: list[tuple[str, Callable[[], object], str, str]] = [
    ("empty cycle", lambda: Roster.parse(roster_data(cycle="")), "cycle", "cycle must not be empty"),
    (
        "unknown letter",
        lambda: Roster.parse(roster_data(cycle="DDX-")),
        "cycle",
        "unknown pattern letter 'X' at position 3",
    ),
    (
        "lower-case letter",
        lambda: Roster.parse(roster_data(cycle="d")),
        "cycle",
        "unknown pattern letter 'd' at position 1",
    ),
    (
        "cycle too long",
        lambda: Roster.parse(roster_data(cycle="D" * 400)),
        "cycle",
        "cycle of 400 days is longer than 366",
    ),
    (
        "shift over 24 h",
        lambda: Roster.parse(roster_data(definitions={"D": {**DAY, "length": "PT25H"}})),
        "definitions.D.length",
        "shift length 25 h is over 24 h",
    ),
    (
        "zero-length shift",
        lambda: Roster.parse(roster_data(definitions={"D": {**DAY, "length": 0}})),
        "definitions.D.length",
        "shift length must be positive",
    ),
    (
        "shift start with offset",
        lambda: ShiftDefinition(start=time(7, tzinfo=UTC), length=timedelta(hours=8), kind="day"),
        "start",
        "a local wall time must not carry a UTC offset",
    ),
    (
        "unknown shift kind",
        lambda: Roster.parse(roster_data(definitions={"D": {**DAY, "kind": "graveyard"}})),
        "definitions.D.kind",
        "Input should be 'day', 'swing' or 'night'",
    ),
    (
        "bad letter key",
        lambda: Roster.parse(roster_data(definitions={"DD": DAY})),
        "definitions",
        "shift letter 'DD' must be one upper-case letter A-Z",
    ),
    (
        "unknown zone",
        lambda: Roster.parse(roster_data(zone="Mars/Olympus")),
        "zone",
        "unknown IANA timezone 'Mars/Olympus'",
    ),
    ("anchor missing", lambda: Roster.parse(roster_data(anchor=None)), "anchor", "anchor is required"),
    (
        "offset outside the cycle",
        lambda: Roster.parse(roster_data(offset_days=4)),
        "offset_days",
        "offset must be between 0 and 3 for a 4-day cycle",
    ),
    (
        "unknown field",
        lambda: Roster.parse(roster_data(pattern="pitman")),
        "pattern",
        "Extra inputs are not permitted",
    ),
    (
        "added duty without start",
        lambda: Roster.parse(
            roster_data(overrides=[{"kind": "court", "day": "2025-01-07", "length": "PT2H"}])
        ),
        "overrides[0].start",
        "'court' overrides need a start time",
    ),
    (
        "added duty without length",
        lambda: Override(kind="overtime", day=date(2025, 1, 7), start=time(7)),
        "length",
        "'overtime' overrides need a length",
    ),
    (
        "added duty over 24 h",
        lambda: Override(kind="training", day=date(2025, 1, 7), start=time(7), length=timedelta(hours=30)),
        "length",
        "shift length 30 h is over 24 h",
    ),
    (
        "cancellation with a start",
        lambda: Override(kind="leave", day=date(2025, 1, 7), start=time(7)),
        "start",
        "'leave' overrides cancel a day's shift and take no start time",
    ),
    (
        "cancellation with a length",
        lambda: Override(kind="sick", day=date(2025, 1, 7), length=timedelta(hours=1)),
        "length",
        "'sick' overrides cancel a day's shift and take no length",
    ),
    (
        "range ends before it starts",
        lambda: Override(kind="leave", day=date(2025, 1, 7), through=date(2025, 1, 1)),
        "through",
        "through is before day",
    ),
    (
        "range on added duty",
        lambda: Override(
            kind="overtime",
            day=date(2025, 1, 7),
            start=time(7),
            length=timedelta(hours=2),
            through=date(2025, 1, 8),
        ),
        "through",
        "'overtime' overrides cover one duty each; add one per date",
    ),
    (
        "unknown override kind",
        lambda: Override.parse({"kind": "vacation", "day": "2025-01-07"}),
        "kind",
        "Input should be",
    ),
    (
        "negative buffer",
        lambda: FatiguePolicy(pre_shift_buffer=timedelta(minutes=-5)),
        "pre_shift_buffer",
        "greater than or equal to 0",
    ),
    (
        "no sessions a day",
        lambda: FatiguePolicy(max_sessions_per_day=0),
        "max_sessions_per_day",
        "greater than or equal to 1",
    ),
    (
        "empty preferred hours",
        lambda: LocalHours(start=time(9), end=time(9)),
        "",
        "preferred hours must not start and end at the same time",
    ),
    (
        "session without duration",
        lambda: SessionOffer(free=(), duration=timedelta(0)),
        "duration",
        "greater than 0",
    ),
    (
        "daily cap of zero",
        lambda: SessionOffer(free=(), duration=timedelta(hours=1), max_per_day=0),
        "max_per_day",
        "greater than or equal to 1",
    ),
    (
        "free interval backwards",
        lambda: ProviderOffer.parse(
            offer_data(
                sessions={"x": {"free": [{"start": NOW, "end": NOW - timedelta(hours=1)}], "duration": 60}}
            )
        ),
        "sessions.x.free[0]",
        "interval end is before its start",
    ),
    (
        "provider zone",
        lambda: ProviderOffer.parse(offer_data(timezone="Nowhere")),
        "timezone",
        "unknown IANA timezone",
    ),
    (
        "peer without roster",
        lambda: ProviderOffer.parse(offer_data(kind="peer")),
        "roster",
        "a peer supporter's offer needs their roster",
    ),
    (
        "empty provider id",
        lambda: ProviderOffer.parse(offer_data(provider_id="")),
        "provider_id",
        "at least 1 character",
    ),
    (
        "horizon over 90 days",
        lambda: search(horizon=timedelta(days=91)),
        "horizon",
        "horizon of 91 days is over the 90-day maximum",
    ),
    ("horizon not positive", lambda: search(horizon=timedelta(0)), "horizon", "horizon must be positive"),
    ("naive now", lambda: search(now=datetime(2025, 1, 6, 12)), "now", "now must carry a timezone"),
    (
        "odd step",
        lambda: search(step=timedelta(minutes=7)),
        "step",
        "step must be one of 5, 10, 15, 20, 30, 60 minutes",
    ),
    ("limit", lambda: search(limit=0), "limit", "limit must be between 1 and 1000"),
    ("session type", lambda: search(session_type=" "), "session_type", "session type must not be empty"),
    (
        "duplicate provider",
        lambda: search(offers=[ProviderOffer.parse(offer_data()), ProviderOffer.parse(offer_data())]),
        "offers[1].provider_id",
        "duplicate provider id 'p1'",
    ),
    (
        "unknown template",
        lambda: roster_from_template("continental", anchor=date(2025, 1, 6), zone="UTC"),
        "template",
        "unknown rotation template 'continental'",
    ),
    (
        "work letter on a mixed template",
        lambda: roster_from_template("dupont", anchor=date(2025, 1, 6), zone="UTC", work_letter="S"),
        "work_letter",
        "template 'dupont' mixes shift letters",
    ),
    (
        "unknown work letter",
        lambda: roster_from_template("pitman", anchor=date(2025, 1, 6), zone="UTC", work_letter="Q"),
        "cycle",
        "unknown pattern letter 'Q' at position 1",
    ),
    (
        "rotating cycle",
        lambda: rotating_cycle("DDSS--", "DN", 2),
        "cycle",
        "a rotating cycle needs one work letter",
    ),
    (
        "not a calendar",
        lambda: import_roster_ics(b"hello", window=Interval(NOW, NOW), zone="UTC"),
        "ics",
        "not an iCalendar file",
    ),
    (
        "calendar without zone",
        lambda: import_roster_ics(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", window=Interval(NOW, NOW)),
        "zone",
        "the calendar names no IANA timezone",
    ),
    (
        "import zone",
        lambda: import_roster_ics(
            b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", window=Interval(NOW, NOW), zone="X/Y"
        ),
        "zone",
        "unknown IANA timezone 'X/Y'",
    ),
    (
        "naive slot start",
        lambda: check_slot(
            officer_roster=Roster.parse(roster_data()),
            policy=FatiguePolicy(),
            offer=ProviderOffer.parse(offer_data()),
            session_type="followup",
            start=datetime(2025, 1, 7, 9),
            now=NOW,
        ),
        "start",
        "start must carry a timezone",
    ),
]


@pytest.mark.parametrize(("build", "field", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_validation_error_names_field_and_reason(
    build: Callable[[], object], field: str, message: str
) -> None:
    found = violations(build)
    assert any(f == field and message in m for f, m in found), found


def test_all_violations_are_reported_together() -> None:
    found = violations(lambda: Roster.parse(roster_data(cycle="", zone="Nowhere", anchor=None)))
    assert [f for f, _ in found] == ["cycle", "anchor", "zone"]
    found = violations(lambda: search(horizon=timedelta(days=120), step=timedelta(minutes=7), limit=0))
    assert [f for f, _ in found] == ["horizon", "step", "limit"]


def test_paths_are_relative_to_the_object_built() -> None:
    # Built directly, the inner model reports its own path; the caller prefixes its position.
    with pytest.raises(InvalidInput) as err:
        Override(kind="court", day=date(2025, 1, 7), length=timedelta(hours=1))
    assert [v.field for v in err.value.prefixed("roster.overrides[2]").violations] == [
        "roster.overrides[2].start"
    ]
    # Built from nested data, the full path comes back at once.
    found = violations(
        lambda: Roster.parse(roster_data(overrides=[{"kind": "sick", "day": "2025-01-07", "start": "07:00"}]))
    )
    assert found[0][0] == "overrides[0].start"


def test_error_text_lists_every_violation() -> None:
    error = InvalidInput([FieldViolation("a", "x"), FieldViolation("b[0]", "y")])
    assert str(error) == "invalid request: a: x; b[0]: y"
    assert error.prefixed("req").violations == (FieldViolation("req.a", "x"), FieldViolation("req.b[0]", "y"))
    with pytest.raises(ValueError, match="at least one"):
        InvalidInput([])
