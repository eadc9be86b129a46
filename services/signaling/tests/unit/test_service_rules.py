"""Pure rules the service layer adds: lifecycle events, booking changes, settings, resume plans."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from pydantic import ValidationError

from tenfour.signaling.v1 import signaling_pb2 as pb
from tenfour_shared.auth.roles import Role as AuthRole
from tenfour_shared.events.envelope import parse
from tenfour_signaling.config import Settings
from tenfour_signaling.domain import (
    LeaveReason,
    MustRejoin,
    Participant,
    Role,
    Room,
    cancel,
    close_if_due,
    end_session,
    join,
    leave,
    plan_resume,
)
from tenfour_signaling.service.access import Caller, seat_for
from tenfour_signaling.service.lifecycle import lifecycle_events


def kinds_of(room_events: list[object]) -> list[str]:
    return [parse(env.SerializeToString())[0].type for env in room_events]  # type: ignore[attr-defined]


def test_lifecycle_opens_once_and_a_no_show_ends_without_officers(make_room: Callable[..., Room]) -> None:
    room = make_room("officer-1")
    first = join(room, "dr-lee", room.start)
    assert kinds_of(lifecycle_events(first)) == ["signaling.session_opened", "signaling.participant_joined"]
    second = join(first.room, "officer-1", room.start)
    assert kinds_of(lifecycle_events(second)) == ["signaling.participant_joined"]
    closed = close_if_due(first.room, room.closes_at)
    (ended,) = lifecycle_events(closed)
    _, payload = parse(ended.SerializeToString())
    assert not payload.any_officer_joined  # type: ignore[attr-defined]
    assert payload.reason_code == "window_closed"  # type: ignore[attr-defined]


def test_an_officer_who_came_makes_it_fulfilled_and_cancellation_stays_silent(
    make_room: Callable[..., Room],
) -> None:
    room = make_room("officer-1")
    room = join(join(room, "dr-lee", room.start).room, "officer-1", room.start).room
    later = room.start + timedelta(minutes=40)
    gone = leave(room, "officer-1", later, LeaveReason.TIMED_OUT)
    _, left = parse(lifecycle_events(gone)[0].SerializeToString())
    assert (left.participant_id, left.reason_code, left.role) == ("officer-1", "timed_out", "officer")  # type: ignore[attr-defined]
    _, ended = parse(lifecycle_events(end_session(gone.room, "dr-lee", later))[0].SerializeToString())
    assert ended.any_officer_joined  # type: ignore[attr-defined]
    assert ended.officers_joined == 1  # type: ignore[attr-defined]
    assert ended.duration.ToTimedelta() == timedelta(minutes=40)  # type: ignore[attr-defined]
    assert lifecycle_events(cancel(room, later)) == []


def test_a_booking_change_keeps_handles_adds_people_and_drops_only_who_never_came(
    make_room: Callable[..., Room],
) -> None:
    room = make_room("officer-1", "officer-2")
    room = join(room, "officer-1", room.start).room
    handles = {s.participant.subject: s.handle for s in room.seats}
    people = [
        Participant(subject="dr-lee", role=Role.THERAPIST),
        Participant(subject="officer-3", role=Role.OFFICER),
    ]
    changed = room.with_participants(people)
    subjects = {s.participant.subject for s in changed.seats}
    assert subjects == {"dr-lee", "officer-1", "officer-3"}  # officer-1 came, so stays; officer-2 never did
    assert changed.require_seat("dr-lee").handle == handles["dr-lee"]


def test_a_token_fits_a_seat_by_subject_role_and_agency(make_room: Callable[..., Room]) -> None:
    room = make_room("officer-1").model_copy(update={"agency_id": "agency-1"})
    assert seat_for(room, Caller("officer-1", AuthRole.OFFICER, "agency-1")) is not None
    assert seat_for(room, Caller("officer-1", AuthRole.PEER_SUPPORTER, "agency-1")) is not None
    assert seat_for(room, Caller("officer-1", AuthRole.THERAPIST, None)) is None
    assert seat_for(room, Caller("officer-1", AuthRole.OFFICER, "agency-2")) is None
    assert seat_for(room, Caller("dr-lee", AuthRole.THERAPIST, None)) is not None  # network clinician
    assert seat_for(room, Caller("dr-lee", AuthRole.OFFICER, "agency-1")) is None
    assert seat_for(room, Caller("officer-9", AuthRole.OFFICER, "agency-1")) is None


def test_resume_plans_work_on_wire_events_too() -> None:
    held = [pb.SignalEvent(seq=n) for n in (4, 5, 6)]
    assert [e.seq for e in plan_resume(6, held, 3)] == [4, 5, 6]  # type: ignore[union-attr]
    assert plan_resume(6, held, 6) == ()
    assert isinstance(plan_resume(6, held, 2), MustRejoin)  # seq 3 aged out
    assert isinstance(plan_resume(6, held, 7), MustRejoin)


def test_settings_read_relay_roles_and_refuse_incomplete_turn() -> None:
    settings = Settings(
        turn_host="turn.example.org", turn_secret="s3cret", relay_only_roles="officer, peer_supporter"
    )
    ice = settings.ice_settings()
    assert ice is not None
    assert ice.relay_only_roles == {Role.OFFICER, Role.PEER_SUPPORTER}
    assert Settings().ice_settings() is None
    with pytest.raises(ValidationError):
        Settings(relay_only_roles="officer")  # relaying needs a TURN server
    with pytest.raises(ValidationError):
        Settings(turn_host="stun.l.google.com", turn_secret="s3cret")
    with pytest.raises(ValidationError):
        Settings(turn_secret="s3cret")  # where?


def test_entering_is_remembered_for_no_show_decisions(make_room: Callable[..., Room], t: datetime) -> None:
    room = make_room("officer-1")
    entered = join(room, "officer-1", t).room
    assert entered.require_seat("officer-1").entered_at == t
    again = join(
        leave(entered, "officer-1", t + timedelta(minutes=1)).room, "officer-1", t + timedelta(minutes=2)
    )
    assert again.room.require_seat("officer-1").entered_at == t
    assert again.room.any_officer_entered
    with pytest.raises(ValueError, match="remove"):
        leave(entered, "officer-1", t, LeaveReason.REMOVED)
