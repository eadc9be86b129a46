"""Random command sequences never break the waiting room's invariants."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenfour_signaling.domain import (
    DomainError,
    Presence,
    Room,
    Transition,
    admit,
    end_session,
    join,
    leave,
    remove,
)

SUBJECTS = ("dr-lee", "o1", "o2", "o3")
commands = st.lists(
    st.tuples(
        st.sampled_from(["join", "leave", "admit", "remove", "end"]),
        st.sampled_from(SUBJECTS),
        st.sampled_from(SUBJECTS),
    ),
    max_size=30,
)


def apply(room: Room, command: tuple[str, str, str], now: datetime) -> Transition:
    name, actor, target = command
    handle = room.require_seat(target).handle
    match name:
        case "join":
            return join(room, actor, now)
        case "leave":
            return leave(room, actor, now)
        case "admit":
            return admit(room, actor, handle, now)
        case "remove":
            return remove(room, actor, handle, now)
        case _:
            return end_session(room, actor, now)


# make_room is a stateless factory, so sharing it across examples is safe.
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=commands)
def test_invariants_hold_for_any_script(
    make_room: Callable[..., Room], script: list[tuple[str, str, str]]
) -> None:
    room = make_room("o1", "o2", "o3")
    now = room.start + timedelta(minutes=1)
    removed: set[str] = set()
    admitted_by_provider: set[str] = set()
    for command in script:
        try:
            step = apply(room, command, now)
        except DomainError:
            continue
        assert step.before == room
        if room.ended_at is not None:
            assert step.events == () or command[0] == "leave"  # nothing but leaving after the end
        room = step.room
        for seat in room.seats:
            subject = seat.participant.subject
            if subject in removed:
                assert seat.presence is Presence.REMOVED  # removal is final
            if seat.presence is Presence.REMOVED:
                removed.add(subject)
                assert not seat.participant.role.is_provider
            if seat.presence is Presence.ADMITTED and not seat.participant.role.is_provider:
                # An officer is inside only after a provider admitted them at some point.
                if command[0] == "admit" and command[2] == subject:
                    admitted_by_provider.add(subject)
                assert subject in admitted_by_provider
