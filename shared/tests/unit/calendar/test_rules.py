"""Rule-set models: defaults, serialisation, versioning, and every validation error."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from tenfour_shared.calendar import (
    FieldViolation,
    RuleSet,
    RuleValidationError,
    SessionSettings,
    SessionType,
    TimeOff,
    Weekday,
    WeeklyWindow,
    check_successor,
    field_path,
    parse_rule_set,
)

MON_9_17 = {"weekday": 1, "start": "09:00", "end": "17:00"}


def base(**changes: Any) -> dict[str, Any]:
    return {"provider_id": "p1", "timezone": "America/New_York", "weekly": [MON_9_17], **changes}


def violations(data: dict[str, Any]) -> list[FieldViolation]:
    with pytest.raises(RuleValidationError) as caught:
        parse_rule_set(data)
    return list(caught.value.violations)


def session(**changes: Any) -> dict[str, Any]:
    return {"session_type": "individual", "duration": "PT50M", **changes}


def day(d: int) -> str:
    return date(2025, 3, d).isoformat()


INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "unknown zone",
        base(timezone="Mars/Olympus_Mons"),
        "timezone",
        "unknown IANA timezone 'Mars/Olympus_Mons'",
    ),
    ("empty zone", base(timezone=""), "timezone", "unknown IANA timezone"),
    ("path-like zone", base(timezone="../etc/passwd"), "timezone", "unknown IANA timezone"),
    ("empty provider", base(provider_id=""), "provider_id", "at least 1 character"),
    ("negative version", base(version=-1), "version", "greater than or equal to 0"),
    ("seconds", base(weekly=[{**MON_9_17, "start": "09:00:30"}]), "weekly[0].start", "whole minute"),
    (
        "zoned time",
        base(weekly=[{**MON_9_17, "end": "17:00:00+02:00"}]),
        "weekly[0].end",
        "without a timezone",
    ),
    ("bad time", base(weekly=[{**MON_9_17, "end": "25:00"}]), "weekly[0].end", "valid time format"),
    ("no offers", base(weekly=[{**MON_9_17, "offers": []}]), "weekly[0].offers", "at least one session type"),
    (
        "unknown offer",
        base(weekly=[{**MON_9_17, "offers": ["couples"]}]),
        "weekly[0].offers[0]",
        "'individual'",
    ),
    ("bad weekday", base(weekly=[{**MON_9_17, "weekday": 8}]), "weekly[0].weekday", "Input should be"),
    ("extra field", base(weekly=[{**MON_9_17, "colour": "red"}]), "weekly[0].colour", "Extra inputs"),
    (
        "window too short",
        base(weekly=[{**MON_9_17, "end": "09:45"}]),
        "weekly[0].end",
        "window Mon 09:00\u201309:45 lasts 45 min, shorter than the shortest session it offers "
        "(individual: 50 min plus 10 min of buffers)",
    ),
    (
        "offer without settings",
        base(sessions=[session()], weekly=[{**MON_9_17, "offers": ["group"]}]),
        "weekly[0].offers",
        "offers group, but sessions has no settings for group",
    ),
    (
        "same-day overlap",
        base(weekly=[MON_9_17, {"weekday": 1, "start": "16:00", "end": "20:00"}]),
        "weekly[1]",
        "window Mon 16:00\u201320:00 overlaps weekly[0] (Mon 09:00\u201317:00)",
    ),
    (
        "overnight overlap",
        base(
            weekly=[
                {"weekday": 2, "start": "22:00", "end": "06:00"},
                {"weekday": 3, "start": "05:00", "end": "09:00"},
            ]
        ),
        "weekly[1]",
        "overlaps weekly[0] (Tue 22:00\u201306:00)",
    ),
    (
        "sunday night into monday",
        base(weekly=[MON_9_17, {"weekday": 7, "start": "20:00", "end": "10:00"}]),
        "weekly[1]",
        "overlaps weekly[0] (Mon 09:00\u201317:00)",
    ),
    (
        "duplicate override day",
        base(overrides=[{"day": day(10)}, {"day": day(10)}]),
        "overrides[1].day",
        "2025-03-10 already has an override at overrides[0]",
    ),
    (
        "override overlaps spill from the night before",
        base(
            weekly=[{"weekday": 7, "start": "22:00", "end": "06:00"}],
            overrides=[{"day": day(10), "windows": [{"start": "05:00", "end": "08:00"}]}],
        ),
        "overrides[0].windows[0]",
        "window 2025-03-10 05:00\u201308:00 overlaps weekly[0] (Sun 22:00\u201306:00 on 2025-03-09)",
    ),
    (
        "overnight override overlaps the next morning",
        base(
            weekly=[{"weekday": 2, "start": "05:00", "end": "09:00"}],
            overrides=[{"day": day(10), "windows": [{"start": "22:00", "end": "06:00"}]}],
        ),
        "overrides[0].windows[0]",
        "overlaps weekly[0] (Tue 05:00\u201309:00 on 2025-03-11)",
    ),
    (
        "override windows overlap each other",
        base(
            overrides=[
                {
                    "day": day(10),
                    "windows": [{"start": "09:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}],
                }
            ]
        ),
        "overrides[0].windows[1]",
        "overlaps overrides[0].windows[0] (2025-03-10 09:00\u201312:00)",
    ),
    (
        "override window too short",
        base(overrides=[{"day": day(10), "windows": [{"start": "09:00", "end": "09:30"}]}]),
        "overrides[0].windows[0].end",
        "lasts 30 min",
    ),
    (
        "time off ends before it starts",
        base(time_off=[{"start": "2025-03-10T10:00:00Z", "end": "2025-03-10T09:00:00Z"}]),
        "time_off[0].end",
        "must be after start",
    ),
    (
        "empty time off",
        base(time_off=[{"start": "2025-03-10T10:00:00Z", "end": "2025-03-10T10:00:00Z"}]),
        "time_off[0].end",
        "must be after start",
    ),
    (
        "naive time off",
        base(time_off=[{"start": "2025-03-10T10:00:00", "end": "2025-03-10T11:00:00Z"}]),
        "time_off[0].start",
        "must include a UTC offset",
    ),
    (
        "last day before first day",
        base(time_off=[{"first_day": day(12), "last_day": day(11)}]),
        "time_off[0].last_day",
        "is before first_day (2025-03-12)",
    ),
    ("time off with neither form", base(time_off=[{}]), "time_off[0]", "give either start and end"),
    (
        "time off with both forms",
        base(
            time_off=[
                {
                    "start": "2025-03-10T10:00:00Z",
                    "end": "2025-03-10T11:00:00Z",
                    "first_day": day(1),
                    "last_day": day(2),
                }
            ]
        ),
        "time_off[0]",
        "give either start and end",
    ),
    (
        "time off start without end",
        base(time_off=[{"start": "2025-03-10T10:00:00Z"}]),
        "time_off[0].end",
        "is required together with start",
    ),
    (
        "zero duration",
        base(sessions=[session(duration="PT0S")]),
        "sessions[0].duration",
        "between 5 min and 8 h",
    ),
    ("long duration", base(sessions=[session(duration="PT9H")]), "sessions[0].duration", "got 9 h"),
    (
        "part minutes",
        base(sessions=[session(duration="PT50M30S")]),
        "sessions[0].duration",
        "whole number of minutes",
    ),
    (
        "negative buffer",
        base(sessions=[session(buffer_before="-PT5M")]),
        "sessions[0].buffer_before",
        "between",
    ),
    ("huge notice", base(sessions=[session(min_notice="P400D")]), "sessions[0].min_notice", "between 0 min"),
    (
        "zero day cap",
        base(sessions=[session(max_per_day=0)]),
        "sessions[0].max_per_day",
        "between 1 and 1000",
    ),
    (
        "week cap below day cap",
        base(sessions=[session(max_per_day=3, max_per_week=2)]),
        "sessions[0].max_per_week",
        "is 2, below max_per_day (3)",
    ),
    (
        "duplicate session settings",
        base(sessions=[session(), session(duration="PT60M")]),
        "sessions[1].session_type",
        "individual already has settings at sessions[0]",
    ),
    ("too many windows", base(weekly=[MON_9_17] * 101), "weekly", "at most 100 items"),
]


@pytest.mark.parametrize(("data", "field", "message"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_rule_sets_name_the_field(data: dict[str, Any], field: str, message: str) -> None:
    found = violations(data)
    assert any(v.field == field and message in v.message for v in found), found


def test_several_violations_are_reported_together() -> None:
    found = violations(
        base(
            weekly=[MON_9_17, {**MON_9_17, "start": "10:00"}, {**MON_9_17, "weekday": 2, "end": "09:10"}],
        )
    )
    assert [v.field for v in found] == ["weekly[2].end", "weekly[1]"]


def test_constructing_directly_raises_pydantic_errors_with_the_same_locations() -> None:
    with pytest.raises(ValidationError) as caught:
        RuleSet(
            provider_id="p1",
            timezone="UTC",
            weekly=(WeeklyWindow(weekday=Weekday.MONDAY, start=time(9), end=time(9, 30)),),
        )
    assert RuleValidationError.from_pydantic(caught.value).violations[0].field == "weekly[0].end"


def test_json_input_is_validated_too() -> None:
    with pytest.raises(RuleValidationError) as caught:
        parse_rule_set('{"provider_id": "p1", "timezone": "Nowhere/Special"}')
    assert caught.value.violations[0].field == "timezone"
    assert str(caught.value).startswith("timezone: unknown IANA timezone")


def test_default_rule_set_is_weekdays_nine_to_five_individual() -> None:
    rule_set = RuleSet.default("p1", "Australia/Sydney")
    assert [(w.weekday, w.start, w.end, w.offers) for w in rule_set.weekly] == [
        (d, time(9), time(17), (SessionType.INDIVIDUAL,)) for d in list(Weekday)[:5]
    ]
    assert {s.session_type for s in rule_set.sessions} == set(SessionType)
    assert rule_set.settings(SessionType.INDIVIDUAL) == SessionSettings.default(SessionType.INDIVIDUAL)
    assert rule_set.version == 1


def test_rule_sets_round_trip_through_json_for_events() -> None:
    rule_set = RuleSet.model_validate(
        base(
            weekly=[{**MON_9_17, "offers": ["crisis", "individual", "crisis"]}],
            overrides=[{"day": day(10)}],
            time_off=[TimeOff.days(date(2025, 3, 11), date(2025, 3, 12))],
        )
    )
    assert rule_set.weekly[0].offers == (SessionType.INDIVIDUAL, SessionType.CRISIS)  # canonical order
    assert parse_rule_set(rule_set.model_dump_json()) == rule_set
    assert parse_rule_set(rule_set.model_dump()) == rule_set


def test_rule_sets_are_frozen() -> None:
    rule_set = RuleSet.default("p1", "UTC")
    with pytest.raises(ValidationError):
        rule_set.version = 2  # type: ignore[misc]


def test_revise_validates_and_bumps_the_version() -> None:
    rule_set = RuleSet.default("p1", "UTC", version=4)
    revised = rule_set.revise(timezone="Europe/London")
    assert (revised.version, revised.timezone) == (5, "Europe/London")
    assert revised.supersedes(rule_set)
    assert not rule_set.supersedes(revised)
    assert not RuleSet.default("p2", "UTC", version=9).supersedes(rule_set)
    with pytest.raises(RuleValidationError) as caught:
        rule_set.revise(timezone="Atlantis/Capital")
    assert caught.value.violations[0].field == "timezone"


def test_successor_must_move_the_version_forward() -> None:
    stored = RuleSet.default("p1", "UTC", version=3)
    check_successor(None, stored)
    check_successor(stored, stored.revise())
    with pytest.raises(RuleValidationError, match="version: must be greater than the stored version 3"):
        check_successor(stored, RuleSet.default("p1", "UTC", version=3))
    with pytest.raises(RuleValidationError, match="provider_id"):
        check_successor(stored, RuleSet.default("p2", "UTC", version=4))


def test_time_off_helpers_and_utc_normalisation() -> None:
    off = TimeOff.between(
        datetime(2025, 3, 10, 10, tzinfo=UTC) + timedelta(hours=1), datetime(2025, 3, 10, 12, tzinfo=UTC)
    )
    assert off.start is not None
    assert off.start.tzinfo is UTC
    parsed = TimeOff.model_validate(
        {"start": "2025-03-10T12:00:00+02:00", "end": "2025-03-10T13:00:00+02:00"}
    )
    assert parsed.start == datetime(2025, 3, 10, 10, tzinfo=UTC)


def test_field_path_formats_pydantic_locations() -> None:
    assert field_path(("weekly", 2, "end")) == "weekly[2].end"
    assert field_path(("overrides", 0, "windows", 1)) == "overrides[0].windows[1]"
    assert field_path(()) == ""
