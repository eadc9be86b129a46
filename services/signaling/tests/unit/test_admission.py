from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from tenfour_shared.rpc_status import code_for
from tenfour_signaling.domain import (
    EndReason,
    JoinDenial,
    JoinDenied,
    Room,
    authorize_join,
    join,
    join_denial,
    remove,
)

TICK = timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("subject", "edge", "offset", "reason"),
    [
        ("stranger", "opens_at", timedelta(minutes=5), JoinDenial.NOT_PARTICIPANT),
        ("", "opens_at", timedelta(minutes=5), JoinDenial.NOT_PARTICIPANT),
        ("officer-1", "opens_at", -TICK, JoinDenial.TOO_EARLY),
        ("officer-1", "opens_at", timedelta(0), None),
        ("officer-1", "closes_at", -TICK, None),
        ("officer-1", "closes_at", timedelta(0), JoinDenial.TOO_LATE),
        ("dr-lee", "opens_at", timedelta(0), None),
    ],
)
def test_window_and_membership(
    room: Room, subject: str, edge: str, offset: timedelta, reason: JoinDenial | None
) -> None:
    when: datetime = getattr(room, edge) + offset
    assert join_denial(room, subject, when) is reason


def test_outsiders_learn_nothing_about_timing(room: Room) -> None:
    # Too early and too late alike: a stranger is told only that they are not a participant.
    for when in (room.opens_at - timedelta(days=1), room.start, room.closes_at + timedelta(days=1)):
        assert join_denial(room, "stranger", when) is JoinDenial.NOT_PARTICIPANT


def test_ended_room_denies_with_ended(room: Room, t: datetime) -> None:
    ended = room.ended(EndReason.CANCELLED, now=t)
    assert join_denial(ended, "officer-1", t + timedelta(minutes=1)) is JoinDenial.ENDED
    assert join_denial(ended, "officer-1", room.closes_at + timedelta(hours=1)) is JoinDenial.ENDED


def test_removed_participant_cannot_rejoin(room: Room, t: datetime) -> None:
    live = join(room, "dr-lee", t).room
    officer = live.require_seat("officer-1").handle
    after = remove(join(live, "officer-1", t).room, "dr-lee", officer, t).room
    assert join_denial(after, "officer-1", t) is JoinDenial.REMOVED
    with pytest.raises(JoinDenied) as caught:
        authorize_join(after, "officer-1", t)
    assert code_for(caught.value).name == "PERMISSION_DENIED"


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        (JoinDenial.NOT_PARTICIPANT, "PERMISSION_DENIED"),
        (JoinDenial.REMOVED, "PERMISSION_DENIED"),
        (JoinDenial.TOO_EARLY, "FAILED_PRECONDITION"),
        (JoinDenial.TOO_LATE, "FAILED_PRECONDITION"),
        (JoinDenial.ENDED, "FAILED_PRECONDITION"),
    ],
)
def test_reasons_map_to_grpc_statuses(reason: JoinDenial, status: str) -> None:
    error = JoinDenied(reason)
    assert (code_for(error).name, error.reason, str(error)) == (status, reason, reason.message)


def test_authorize_join_returns_the_seat(make_room: Callable[..., Room], t: datetime) -> None:
    room = make_room("officer-1", "officer-2")
    assert authorize_join(room, "officer-2", t).participant.subject == "officer-2"
