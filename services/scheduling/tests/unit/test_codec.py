"""Messages to domain values: errors name the message's own fields."""

from __future__ import annotations

from datetime import timedelta

import pytest
from google.protobuf.duration_pb2 import Duration

from tenfour.common.v1 import common_pb2 as common
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.adapters.codec import (
    policy_from_proto,
    policy_to_proto,
    roster_from_proto,
    roster_to_proto,
)
from tenfour_scheduling.domain import InvalidInput, OverrideKind

ANCHOR = common.LocalDate(year=2026, month=3, day=2)


def hours(n: float) -> Duration:
    out = Duration()
    out.FromTimedelta(timedelta(hours=n))
    return out


def fields(message: pb.Roster) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        roster_from_proto(message)
    return sorted(v.field for v in caught.value.violations)


def test_template_rosters_round_trip_canonically() -> None:
    roster = roster_from_proto(pb.Roster(template="panama", anchor=ANCHOR, timezone="America/Chicago"))
    assert roster.cycle == "DD--DDD--DD---"
    assert set(roster.definitions) == {"D", "S", "N"}
    message = roster_to_proto(roster, officer_id="o-1", template="panama", version=3)
    assert roster_from_proto(message) == roster
    night = pb.ShiftDefinition(
        letter="N", start=common.LocalTime(hour=18), length=hours(12), kind=pb.SHIFT_KIND_NIGHT
    )
    custom = roster_from_proto(pb.Roster(template="pitman", shifts=[night], anchor=ANCHOR, timezone="UTC"))
    assert custom.definitions["N"].start.hour == 18
    assert custom.definitions["D"].start.hour == 7


def test_errors_name_message_fields() -> None:
    day = pb.ShiftDefinition(
        letter="D", start=common.LocalTime(hour=7), length=hours(12), kind=pb.SHIFT_KIND_DAY
    )
    bad_night = pb.ShiftDefinition(
        letter="N", start=common.LocalTime(hour=19), length=hours(30), kind=pb.SHIFT_KIND_NIGHT
    )
    assert fields(pb.Roster(cycle="DN-", shifts=[day, bad_night], anchor=ANCHOR, timezone="UTC")) == [
        "shifts[1].length"
    ]
    assert fields(pb.Roster(cycle="DX", shifts=[day], anchor=ANCHOR, timezone="UTC")) == ["cycle"]
    assert fields(pb.Roster(cycle="D", shifts=[day, day], anchor=ANCHOR, timezone="UTC")) == [
        "shifts[1].letter"
    ]
    assert fields(pb.Roster(cycle="D", shifts=[day], timezone="Nowhere/Land")) == ["anchor", "timezone"]
    leave = pb.RosterOverride(kind=pb.OVERRIDE_KIND_LEAVE, date=ANCHOR, start=common.LocalTime(hour=7))
    assert fields(pb.Roster(template="pitman", anchor=ANCHOR, timezone="UTC", overrides=[leave])) == [
        "overrides[0].start"
    ]
    no_date = pb.RosterOverride(kind=pb.OVERRIDE_KIND_COURT, start=common.LocalTime(hour=9), length=hours(2))
    assert fields(pb.Roster(template="pitman", anchor=ANCHOR, timezone="UTC", overrides=[no_date])) == [
        "overrides[0].date"
    ]


def test_swap_direction_comes_from_adds_duty() -> None:
    swap_in = pb.RosterOverride(
        kind=pb.OVERRIDE_KIND_SWAP,
        adds_duty=True,
        date=ANCHOR,
        start=common.LocalTime(hour=7),
        length=hours(12),
    )
    swap_out = pb.RosterOverride(kind=pb.OVERRIDE_KIND_SWAP, date=ANCHOR)
    roster = roster_from_proto(
        pb.Roster(template="pitman", anchor=ANCHOR, timezone="UTC", overrides=[swap_in, swap_out])
    )
    assert [o.kind for o in roster.overrides] == [OverrideKind.SWAP_IN, OverrideKind.SWAP_OUT]
    again = roster_to_proto(roster, officer_id="o")
    assert [(o.kind, o.adds_duty) for o in again.overrides] == [
        (pb.OVERRIDE_KIND_SWAP, True),
        (pb.OVERRIDE_KIND_SWAP, False),
    ]


def test_policy_defaults_and_explicit_zero() -> None:
    policy = policy_from_proto(pb.FatiguePolicy(post_shift_buffer=hours(0)), "agency-1")
    assert policy.fatigue.post_shift_buffer == timedelta(0)  # set to 0: kept
    assert policy.fatigue.pre_shift_buffer == timedelta(minutes=90)  # unset: the default
    assert policy.reminder_offsets == (timedelta(hours=24), timedelta(hours=1))
    message = policy_to_proto(policy)
    assert (message.sleep_after_night.seconds, list(message.reminder_offsets)) == (8 * 3600, ["24h", "1h"])
    with pytest.raises(InvalidInput) as caught:
        policy_from_proto(pb.FatiguePolicy(min_rest_gap=hours(-1), late_cancel_window=hours(200)), "a")
    assert sorted(v.field for v in caught.value.violations) == ["late_cancel_window", "min_rest_gap"]


def test_rotation_dates_a_person_cannot_mean_are_refused() -> None:
    for year in (1, 1900, 9999):
        far = common.LocalDate(year=year, month=1, day=1)
        assert fields(pb.Roster(template="pitman", anchor=far, timezone="UTC")) == ["anchor"]
        court = pb.RosterOverride(
            kind=pb.OVERRIDE_KIND_COURT, date=far, start=common.LocalTime(hour=9), length=hours(2)
        )
        assert fields(pb.Roster(template="pitman", anchor=ANCHOR, timezone="UTC", overrides=[court])) == [
            "overrides[0].date"
        ]
