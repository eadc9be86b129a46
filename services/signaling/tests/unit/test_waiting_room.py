from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from tenfour_signaling.domain import (
    EndReason,
    JoinDenied,
    LeaveReason,
    NotAllowed,
    NotFound,
    ParticipantAdmitted,
    ParticipantJoined,
    ParticipantLeft,
    Presence,
    Room,
    RoomState,
    RoomStateError,
    SessionEnded,
    admit,
    cancel,
    close_if_due,
    end_session,
    join,
    leave,
    remove,
)

RoomFactory = Callable[..., Room]


def handle(room: Room, subject: str) -> str:
    return room.require_seat(subject).handle


def presence(room: Room, subject: str) -> Presence:
    return room.require_seat(subject).presence


def test_officer_waits_for_the_provider(room: Room, t: datetime) -> None:
    step = join(room, "officer-1", t)
    assert presence(step.room, "officer-1") is Presence.WAITING
    assert step.room.state_at(t) is RoomState.OPEN
    (event,) = step.events
    assert isinstance(event, ParticipantJoined)
    assert (event.participant, event.waiting) == (handle(room, "officer-1"), True)


def test_provider_joins_directly_and_the_room_goes_live(room: Room, t: datetime) -> None:
    step = join(room, "dr-lee", t)
    assert presence(step.room, "dr-lee") is Presence.ADMITTED
    assert step.room.state_at(t) is RoomState.LIVE
    assert step.room.live_since == t
    assert [type(e) for e in step.events] == [ParticipantJoined]


def test_provider_admits_a_waiting_officer(room: Room, t: datetime) -> None:
    waiting = join(join(room, "officer-1", t).room, "dr-lee", t)
    step = admit(waiting.room, "dr-lee", handle(room, "officer-1"), t)
    assert presence(step.room, "officer-1") is Presence.ADMITTED
    (event,) = step.events
    assert event == ParticipantAdmitted(
        session_id=room.session_id,
        at=t,
        participant=handle(room, "officer-1"),
        admitted_by=handle(room, "dr-lee"),
    )


def test_officers_cannot_admit(make_room: RoomFactory, t: datetime) -> None:
    two = make_room("officer-1", "officer-2")
    state = join(join(two, "officer-1", t).room, "officer-2", t).room
    with pytest.raises(NotAllowed):
        admit(state, "officer-1", handle(two, "officer-2"), t)
    with pytest.raises(NotAllowed):
        admit(state, "stranger", handle(two, "officer-2"), t)


def test_provider_must_be_in_the_room_to_admit(room: Room, t: datetime) -> None:
    waiting = join(room, "officer-1", t).room
    with pytest.raises(RoomStateError):
        admit(waiting, "dr-lee", handle(room, "officer-1"), t)


def test_admit_needs_a_waiting_target(room: Room, t: datetime) -> None:
    live = join(room, "dr-lee", t).room
    with pytest.raises(RoomStateError):
        admit(live, "dr-lee", handle(room, "officer-1"), t)
    with pytest.raises(NotFound):
        admit(live, "dr-lee", "no-such-handle", t)


def test_removed_officer_is_out_for_good(room: Room, t: datetime) -> None:
    live = admit(
        join(join(room, "dr-lee", t).room, "officer-1", t).room, "dr-lee", handle(room, "officer-1"), t
    )
    step = remove(live.room, "dr-lee", handle(room, "officer-1"), t)
    assert presence(step.room, "officer-1") is Presence.REMOVED
    (event,) = step.events
    assert isinstance(event, ParticipantLeft)
    assert event.reason is LeaveReason.REMOVED
    with pytest.raises(JoinDenied):
        join(step.room, "officer-1", t)
    assert remove(step.room, "dr-lee", handle(room, "officer-1"), t).events == ()


def test_providers_cannot_be_removed(room: Room, t: datetime) -> None:
    live = join(room, "dr-lee", t).room
    with pytest.raises(NotAllowed):
        remove(live, "dr-lee", handle(room, "dr-lee"), t)


def test_dropped_officer_comes_straight_back_while_the_provider_is_there(room: Room, t: datetime) -> None:
    live = join(room, "dr-lee", t).room
    inside = admit(join(live, "officer-1", t).room, "dr-lee", handle(room, "officer-1"), t).room
    gone = leave(inside, "officer-1", t).room
    back = join(gone, "officer-1", t)
    assert presence(back.room, "officer-1") is Presence.ADMITTED
    assert [type(e) for e in back.events] == [ParticipantJoined, ParticipantAdmitted]
    # ... but waits again if the provider is not there.
    alone = join(leave(gone, "dr-lee", t).room, "officer-1", t)
    assert presence(alone.room, "officer-1") is Presence.WAITING


def test_second_join_while_present_changes_nothing(room: Room, t: datetime) -> None:
    once = join(room, "officer-1", t)
    twice = join(once.room, "officer-1", t)
    assert twice.room == once.room
    assert twice.events == ()


def test_leave_when_absent_is_a_no_op(room: Room, t: datetime) -> None:
    assert leave(room, "officer-1", t).events == ()
    with pytest.raises(NotFound):
        leave(room, "stranger", t)


def test_provider_ends_the_session(room: Room, t: datetime) -> None:
    live = join(join(room, "dr-lee", t).room, "officer-1", t).room
    with pytest.raises(NotAllowed):
        end_session(live, "officer-1", t)
    step = end_session(live, "dr-lee", t)
    assert step.room.state_at(t) is RoomState.ENDED
    assert step.events == (SessionEnded(session_id=room.session_id, at=t, reason=EndReason.PROVIDER_ENDED),)
    with pytest.raises(RoomStateError):
        end_session(step.room, "dr-lee", t)


def test_cancel_closes_the_room_once(room: Room, t: datetime) -> None:
    step = cancel(room, t)
    assert step.room.end_reason is EndReason.CANCELLED
    assert len(step.events) == 1
    assert cancel(step.room, t).events == ()


def test_sweeper_closes_rooms_after_the_grace_period(room: Room, t: datetime) -> None:
    assert close_if_due(room, room.end).events == ()
    after = room.end + timedelta(minutes=15)
    step = close_if_due(room, after)
    assert step.room.end_reason is EndReason.WINDOW_CLOSED
    assert step.events == (
        SessionEnded(session_id=room.session_id, at=after, reason=EndReason.WINDOW_CLOSED),
    )
