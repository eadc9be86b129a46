"""The rule-set codec shared by availability (its API, storage, events) and scheduling (events)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from google.protobuf.duration_pb2 import Duration

from tenfour.availability.v1 import rules_pb2 as pb
from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1.availability_events_pb2 import ProviderRulesChanged
from tenfour_shared.calendar import (
    DateOverride,
    RuleSet,
    RuleValidationError,
    SessionSettings,
    SessionType,
    TimeOff,
    Weekday,
    WeeklyWindow,
    Window,
)
from tenfour_shared.events.catalog.availability import (
    decode_rules_changed,
    interval_to_proto,
    message_path,
    rule_set_from_proto,
    rule_set_to_proto,
)
from tenfour_shared.timeline import Interval

IND, GROUP, CRISIS = SessionType.INDIVIDUAL, SessionType.GROUP, SessionType.CRISIS


def rich() -> RuleSet:
    return RuleSet(
        provider_id="prov-1",
        timezone="Australia/Sydney",
        version=4,
        sessions=(
            SessionSettings.default(IND),
            SessionSettings(
                session_type=GROUP, duration=timedelta(minutes=90), max_per_day=1, max_per_week=3
            ),
            SessionSettings.default(CRISIS),
        ),
        weekly=(
            WeeklyWindow(weekday=Weekday.MONDAY, start=time(9), end=time(12), offers=(IND, GROUP)),
            WeeklyWindow(weekday=Weekday.TUESDAY, start=time(22), end=time(6), offers=(CRISIS,)),
        ),
        overrides=(
            DateOverride(day=date(2026, 4, 6), windows=(Window(start=time(10), end=time(15, 30)),)),
            DateOverride.off(date(2026, 4, 13)),
        ),
        time_off=(
            TimeOff.days(date(2026, 12, 24), date(2026, 12, 26)),
            TimeOff.between(datetime(2026, 5, 1, 8, tzinfo=UTC), datetime(2026, 5, 1, 11, tzinfo=UTC)),
        ),
    )


def message(**fields: object) -> pb.RuleSet:
    return pb.RuleSet(**{"provider_id": "prov-1", "timezone": "Europe/Paris", **fields})  # type: ignore[arg-type]


def window(day: int = 1, start: int = 9, end: int = 17) -> pb.WeeklyWindow:
    return pb.WeeklyWindow(
        weekday=day,  # type: ignore[arg-type]
        start=common.LocalTime(hour=start),
        end=common.LocalTime(hour=end),
    )


def minutes(n: int) -> Duration:
    out = Duration()
    out.FromTimedelta(timedelta(minutes=n))
    return out


def fields_of(error: pytest.ExceptionInfo[RuleValidationError]) -> list[str]:
    return [v.field for v in error.value.violations]


def test_round_trip_keeps_every_part_of_a_rule_set() -> None:
    rules = rich()
    assert rule_set_from_proto(rule_set_to_proto(rules)) == rules


def test_messages_are_canonical_with_explicit_settings() -> None:
    out = rule_set_to_proto(RuleSet.default("prov-1", "UTC"))
    assert [s.session_type for s in out.sessions] == [1, 2, 3]
    group = out.sessions[1]
    assert (group.duration.seconds, group.max_per_day, group.HasField("max_per_week")) == (5400, 2, True)
    assert out.sessions[0].max_per_day == 0  # 0 = no cap, set explicitly


def test_empty_offers_and_sessions_take_the_defaults() -> None:
    rules = rule_set_from_proto(message(weekly=[window()]))
    assert rules.weekly[0].offers == (IND,)
    assert [s.session_type for s in rules.sessions] == [IND, GROUP, CRISIS]


def test_unset_session_fields_take_the_type_defaults_and_zero_caps_mean_none() -> None:
    rules = rule_set_from_proto(
        message(
            weekly=[window()],
            sessions=[
                pb.SessionSettings(session_type=common.SESSION_TYPE_INDIVIDUAL, duration=minutes(45)),
                pb.SessionSettings(session_type=common.SESSION_TYPE_GROUP, max_per_day=0),
            ],
        )
    )
    individual, group = rules.sessions
    assert individual.duration == timedelta(minutes=45)
    assert individual.buffer_after == timedelta(minutes=10)  # the default, not zero
    assert group.duration == timedelta(minutes=90)
    assert group.max_per_day is None


def test_conversion_problems_name_the_message_fields() -> None:
    bad = message(
        weekly=[
            pb.WeeklyWindow(weekday=common.WEEKDAY_UNSPECIFIED, start=common.LocalTime(hour=9)),
            pb.WeeklyWindow(
                weekday=common.WEEKDAY_MONDAY,
                start=common.LocalTime(hour=24),
                end=common.LocalTime(hour=1),
                offers=[common.SESSION_TYPE_UNSPECIFIED],
            ),
        ],
        overrides=[
            pb.DateOverride(
                day=common.LocalDate(year=2026, month=2, day=30), day_off=True, windows=[pb.Window()]
            ),
            pb.DateOverride(),
        ],
        sessions=[pb.SessionSettings(session_type=common.SESSION_TYPE_CRISIS, max_per_week=-1)],
    )
    with pytest.raises(RuleValidationError) as caught:
        rule_set_from_proto(bad)
    assert fields_of(caught) == [
        "weekly[0].weekday",
        "weekly[0].end",
        "weekly[1].start",
        "weekly[1].offers[0]",
        "overrides[0].day",
        "overrides[0].windows",
        "overrides[0].windows[0].start",
        "overrides[0].windows[0].end",
        "overrides[1].day",
        "overrides[1].windows",
        "sessions[0].max_per_week",
    ]


def test_domain_problems_name_the_message_fields_too() -> None:
    start, end = datetime(2026, 5, 1, 10, tzinfo=UTC), datetime(2026, 5, 1, 9, tzinfo=UTC)
    off = pb.TimeOff(range=interval_to_proto(Interval(start, start)))
    off.range.end.FromDatetime(end)
    with pytest.raises(RuleValidationError) as caught:
        rule_set_from_proto(message(timezone="Mars/Base", time_off=[off]))
    assert fields_of(caught) == ["timezone", "time_off[0].range.end"]


def test_time_off_half_given_is_reported_at_the_missing_part() -> None:
    off = pb.TimeOff()
    off.range.start.FromDatetime(datetime(2026, 5, 1, tzinfo=UTC))
    with pytest.raises(RuleValidationError) as caught:
        rule_set_from_proto(
            message(time_off=[off, pb.TimeOff(first_day=common.LocalDate(year=2026, month=5, day=2))])
        )
    assert fields_of(caught) == ["time_off[0].range.end", "time_off[1].last_day"]


def test_message_path_renames_only_time_off_bounds() -> None:
    assert message_path("time_off[3].start") == "time_off[3].range.start"
    assert message_path("time_off[3].last_day") == "time_off[3].last_day"
    assert message_path("weekly[2].end") == "weekly[2].end"


def test_decoding_an_event_gives_rules_busy_time_and_status() -> None:
    rules = rich()
    busy = Interval(datetime(2026, 5, 2, 9, tzinfo=UTC), datetime(2026, 5, 2, 10, tzinfo=UTC))
    horizon = Interval(datetime(2026, 5, 1, tzinfo=UTC), datetime(2027, 5, 2, tzinfo=UTC))
    event = ProviderRulesChanged(
        provider_id="prov-1",
        version=9,
        rules=rule_set_to_proto(rules),
        external_busy=[interval_to_proto(busy)],
        active=False,
        busy_horizon=interval_to_proto(horizon),
    )
    decoded = decode_rules_changed(event)
    assert decoded.rules == rules.model_copy(update={"version": 9})
    assert (decoded.version, decoded.active, decoded.external_busy, decoded.busy_horizon) == (
        9,
        False,
        (busy,),
        horizon,
    )
    event.ClearField("busy_horizon")
    assert decode_rules_changed(event).busy_horizon is None


def test_dates_a_person_cannot_mean_are_refused_in_plain_words() -> None:
    far = common.LocalDate(year=1900, month=1, day=1)
    with pytest.raises(RuleValidationError) as caught:
        rule_set_from_proto(
            message(
                overrides=[pb.DateOverride(day=far, day_off=True)],
                time_off=[pb.TimeOff(first_day=far, last_day=far)],
            )
        )
    assert fields_of(caught) == ["overrides[0].day", "time_off[0].first_day", "time_off[0].last_day"]
    assert all(v.message.startswith("must be between ") for v in caught.value.violations)
