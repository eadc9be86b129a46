"""Rosters, templates, overrides, calendar import, DST, policy and preferences through gRPC."""

from __future__ import annotations

from datetime import date, timedelta

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1.scheduling_events_pb2 import FatiguePolicyChanged, RosterChanged
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.domain import export_roster_ics, roster_from_template

from .conftest import AGENCY, Harness, ts_range, utc, violations

pytestmark = pytest.mark.integration
HOUR = timedelta(hours=1)


def hours(n: float) -> Duration:
    out = Duration()
    out.FromTimedelta(timedelta(hours=n))
    return out


async def shifts(h: Harness, officer: str, start: object, end: object) -> list[pb.Shift]:
    reply = await h.stub.GetShifts(
        pb.GetShiftsRequest(range=ts_range(start, end)), metadata=h.officer(officer)
    )  # type: ignore[arg-type]
    return list(reply.shifts)


async def test_templates_are_listed_with_their_cycles(harness: Harness) -> None:
    reply = await harness.stub.ListRotationTemplates(
        pb.ListRotationTemplatesRequest(), metadata=harness.officer("o-1")
    )
    by_name = {t.name: t for t in reply.templates}
    assert by_name["pitman"].cycle == "DD--DDD--DD---"
    assert by_name["dupont"].cycle == "NNNN---DDD-NNN---DDDD-------"
    assert {s.letter for s in by_name["pitman"].shifts} == {"D", "S", "N"}


async def test_night_squad_across_the_fall_back_night(harness: Harness) -> None:
    """A Pitman night squad in New York: the 19:00-07:00 shift of 31 Oct 2026 lasts 13 h."""
    stored = await harness.set_roster(
        "o-night", "pitman", date(2026, 10, 26), "America/New_York", cycle="NN--NNN--NN---"
    )
    assert (stored.cycle, stored.template, stored.version) == ("NN--NNN--NN---", "pitman", 1)
    got = await shifts(harness, "o-night", utc(2026, 10, 30), utc(2026, 11, 3))
    lengths = {(s.local_date.month, s.local_date.day): s.time.end.seconds - s.time.start.seconds for s in got}
    assert lengths == {(10, 30): 12 * 3600, (10, 31): 13 * 3600, (11, 1): 12 * 3600}
    assert all(s.kind == pb.SHIFT_KIND_NIGHT and s.source == "cycle" and s.label == "N" for s in got)
    events = await harness.scheduling_events("scheduling.roster_changed", at_least=1)
    assert [(e.officer_id, e.version, e.agency_id) for e in events if isinstance(e, RosterChanged)] == [
        ("o-night", 1, AGENCY)
    ]


async def test_overrides_add_and_remove_duty(harness: Harness) -> None:
    await harness.set_roster("o-1")  # Pitman days from Mon 2 March, 07:00-19:00 Chicago
    leave = pb.RosterOverride(kind=pb.OVERRIDE_KIND_LEAVE, date=common.LocalDate(year=2026, month=3, day=2))
    court = pb.RosterOverride(
        kind=pb.OVERRIDE_KIND_COURT,
        date=common.LocalDate(year=2026, month=3, day=4),
        start=common.LocalTime(hour=9),
        length=hours(3),
    )
    for override in (leave, court):
        reply = await harness.stub.AddRosterOverride(
            pb.AddRosterOverrideRequest(override=override), metadata=harness.officer("o-1")
        )
    assert reply.version == 3
    assert len(reply.overrides) == 2
    got = await shifts(harness, "o-1", utc(2026, 3, 2, 6), utc(2026, 3, 5, 6))
    assert [(s.local_date.day, s.source, s.label) for s in got] == [
        (3, "cycle", "D"),
        (4, "override", "court"),
    ]
    assert got[1].time.end.seconds - got[1].time.start.seconds == 3 * 3600


async def test_calendar_import_reproduces_the_rotation(harness: Harness) -> None:
    original = roster_from_template("dupont", anchor=date(2026, 2, 2), zone="America/Chicago")
    ics = export_roster_ics(original).decode()
    reply = await harness.stub.ImportRosterCalendar(
        pb.ImportRosterCalendarRequest(ics=ics, timezone="America/Chicago"), metadata=harness.officer("o-ics")
    )
    assert len(reply.cycle) == 28
    got = await shifts(harness, "o-ics", utc(2026, 3, 1), utc(2026, 4, 1))
    await harness.set_roster("o-ref", "dupont", date(2026, 2, 2))
    want = await shifts(harness, "o-ref", utc(2026, 3, 1), utc(2026, 4, 1))
    assert [(s.time, s.kind) for s in got] == [(s.time, s.kind) for s in want]


@pytest.mark.parametrize(
    ("roster", "fields"),
    [
        (
            pb.Roster(
                cycle="DDX--",
                shifts=[
                    pb.ShiftDefinition(
                        letter="D", start=common.LocalTime(hour=7), length=hours(12), kind=pb.SHIFT_KIND_DAY
                    )
                ],
            ),
            ["roster.cycle"],
        ),
        (pb.Roster(cycle="", template=""), ["roster.cycle"]),
        (
            pb.Roster(
                cycle="D-",
                shifts=[
                    pb.ShiftDefinition(
                        letter="D", start=common.LocalTime(hour=7), length=hours(25), kind=pb.SHIFT_KIND_DAY
                    )
                ],
            ),
            ["roster.shifts[0].length"],
        ),
        (pb.Roster(template="pitman", timezone="Mars/Olympus_Mons"), ["roster.timezone"]),
        (pb.Roster(template="rota-of-doom"), ["roster.template"]),
        (
            pb.Roster(
                template="pitman",
                overrides=[
                    pb.RosterOverride(
                        kind=pb.OVERRIDE_KIND_OVERTIME, date=common.LocalDate(year=2026, month=3, day=3)
                    )
                ],
            ),
            ["roster.overrides[0].start", "roster.overrides[0].length"],
        ),
    ],
)
async def test_bad_rosters_are_invalid_argument_and_keep_the_stored_one(
    harness: Harness, roster: pb.Roster, fields: list[str]
) -> None:
    await harness.set_roster("o-1")
    request = pb.Roster()
    request.CopyFrom(roster)
    if not request.HasField("anchor"):
        request.anchor.CopyFrom(common.LocalDate(year=2026, month=3, day=2))
    if not request.timezone:
        request.timezone = "America/Chicago"
    with pytest.raises(grpc.RpcError) as caught:
        await harness.stub.SetRoster(pb.SetRosterRequest(roster=request), metadata=harness.officer("o-1"))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violations(caught.value) == fields
    kept = await harness.stub.GetRoster(pb.GetRosterRequest(), metadata=harness.officer("o-1"))
    assert (kept.version, kept.cycle, kept.timezone) == (1, "DD--DDD--DD---", "America/Chicago")


async def test_officers_reach_only_their_own_roster(harness: Harness) -> None:
    await harness.set_roster("o-1")
    with pytest.raises(grpc.RpcError) as other:
        await harness.stub.GetRoster(pb.GetRosterRequest(officer_id="o-1"), metadata=harness.officer("o-2"))
    assert other.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as therapist:
        await harness.stub.GetRoster(pb.GetRosterRequest(), metadata=harness.therapist("t-1"))
    assert therapist.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as missing:
        await harness.stub.GetRoster(pb.GetRosterRequest(), metadata=harness.officer("o-2"))
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND


async def test_off_duty_windows_say_why_time_was_removed(harness: Harness) -> None:
    await harness.set_roster("o-1", cycle="NN--NNN--NN---")  # nights 19:00-07:00 Chicago
    reply = await harness.stub.GetOffDutyWindows(
        pb.GetOffDutyWindowsRequest(range=ts_range(utc(2026, 3, 3, 13), utc(2026, 3, 5, 6))),
        metadata=harness.officer("o-1"),
    )
    codes = [r.reason_code for r in reply.removed]
    assert {"on_duty", "pre_shift_buffer", "protected_sleep"} <= set(codes)
    sleep = next(r for r in reply.removed if r.reason_code == "protected_sleep")
    assert sleep.reason == "protected sleep after night shift (8 h from 1 h after it ends)"
    # Tue 3 March the night ends 07:00 CST (13:00 UTC); sleep 08:00-16:00, then post-shift done.
    assert (sleep.time.start.ToDatetime(), sleep.time.end.ToDatetime()) == (
        utc(2026, 3, 3, 14).replace(tzinfo=None),
        utc(2026, 3, 3, 22).replace(tzinfo=None),
    )
    assert reply.windows


async def test_agency_admins_set_the_fatigue_policy_officers_cannot(harness: Harness) -> None:
    default = await harness.stub.GetFatiguePolicy(
        pb.GetFatiguePolicyRequest(), metadata=harness.officer("o-1")
    )
    assert (default.pre_shift_buffer.seconds, default.min_rest_gap.seconds, default.max_sessions_per_day) == (
        5400,
        11 * 3600,
        1,
    )
    assert default.version == 0
    policy = pb.FatiguePolicy(pre_shift_buffer=hours(2), late_cancel_window=hours(48))
    with pytest.raises(grpc.RpcError) as officer:
        await harness.stub.SetFatiguePolicy(
            pb.SetFatiguePolicyRequest(policy=policy), metadata=harness.officer("o-1")
        )
    assert officer.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as foreign:
        await harness.stub.SetFatiguePolicy(
            pb.SetFatiguePolicyRequest(policy=pb.FatiguePolicy(agency_id=AGENCY)),
            metadata=harness.admin("agency-2"),
        )
    assert foreign.value.code() == grpc.StatusCode.PERMISSION_DENIED
    stored = await harness.stub.SetFatiguePolicy(
        pb.SetFatiguePolicyRequest(policy=policy), metadata=harness.admin()
    )
    assert (stored.pre_shift_buffer.seconds, stored.post_shift_buffer.seconds, stored.version) == (
        7200,
        3600,
        1,
    )
    assert stored.late_cancel_window.seconds == 48 * 3600
    events = await harness.scheduling_events("scheduling.fatigue_policy_changed", at_least=1)
    assert [(e.agency_id, e.version) for e in events if isinstance(e, FatiguePolicyChanged)] == [(AGENCY, 1)]
    # The officer's free time follows the agency's policy at once.
    await harness.set_roster("o-1")
    reply = await harness.stub.GetOffDutyWindows(
        pb.GetOffDutyWindowsRequest(range=ts_range(utc(2026, 3, 5, 6), utc(2026, 3, 6, 13))),
        metadata=harness.officer("o-1"),
    )
    pre = [r for r in reply.removed if r.reason_code == "pre_shift_buffer"]
    assert [(r.time.end.seconds - r.time.start.seconds) for r in pre] == [7200]


async def test_bad_policy_and_preferences_name_their_fields(harness: Harness) -> None:
    with pytest.raises(grpc.RpcError) as policy:
        await harness.stub.SetFatiguePolicy(
            pb.SetFatiguePolicyRequest(
                policy=pb.FatiguePolicy(
                    max_sessions_per_day=50, sleep_after_night=hours(30), reminder_offsets=["soon"]
                )
            ),
            metadata=harness.admin(),
        )
    assert policy.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert sorted(violations(policy.value)) == [
        "policy.max_sessions_per_day",
        "policy.reminder_offsets[0]",
        "policy.sleep_after_night",
    ]
    prefs = pb.Preferences(
        jurisdiction="California", preferred_hours=[pb.HourRange(start=common.LocalTime(hour=25))]
    )
    with pytest.raises(grpc.RpcError) as bad:
        await harness.stub.SetPreferences(
            pb.SetPreferencesRequest(preferences=prefs), metadata=harness.officer("o-1")
        )
    assert sorted(violations(bad.value)) == [
        "preferences.jurisdiction",
        "preferences.preferred_hours[0].end",
        "preferences.preferred_hours[0].start",
    ]
    good = pb.Preferences(
        jurisdiction="us-il",
        preferred_hours=[pb.HourRange(start=common.LocalTime(hour=9), end=common.LocalTime(hour=12))],
        prefer_days_off=True,
    )
    await harness.stub.SetPreferences(
        pb.SetPreferencesRequest(preferences=good), metadata=harness.officer("o-1")
    )
    read = await harness.stub.GetPreferences(pb.GetPreferencesRequest(), metadata=harness.officer("o-1"))
    assert (read.officer_id, read.jurisdiction, read.prefer_days_off, read.usual_wake_time.hour) == (
        "o-1",
        "US-IL",
        True,
        7,
    )
