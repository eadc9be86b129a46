"""Group media rules: who goes through the SFU, who may send media, what name others see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tenfour_signaling.domain import (
    JoinDenied,
    MediaMode,
    Participant,
    Presence,
    Role,
    Room,
    RoomStateError,
    Seat,
    display_name,
    media_mode,
    require_in_call,
)

NOW = datetime(2026, 3, 4, 14, tzinfo=UTC)


def make_room(officers: int) -> Room:
    people = [Participant(subject="dr", role=Role.THERAPIST)]
    people += [Participant(subject=f"o{i}", role=Role.OFFICER) for i in range(officers)]
    return Room.from_appointment("appt-1", people, NOW, NOW + timedelta(minutes=90), now=NOW)


def test_groups_use_the_sfu_pairs_only_by_policy_and_nothing_without_one() -> None:
    assert media_mode(make_room(2), sfu_available=True, sfu_for_pairs=False) is MediaMode.SFU
    assert media_mode(make_room(1), sfu_available=True, sfu_for_pairs=False) is MediaMode.MESH
    assert media_mode(make_room(1), sfu_available=True, sfu_for_pairs=True) is MediaMode.SFU
    assert media_mode(make_room(5), sfu_available=False, sfu_for_pairs=True) is MediaMode.MESH


@pytest.mark.parametrize(
    ("chosen", "shown"),
    [
        ("  Sam  ", "Sam"),
        ("Sam\n\tRivera\u200b", "Sam Rivera"),
        ("x" * 60, "x" * 40),
        ("", "Participant"),
        ("\x00\x07", "Participant"),
    ],
)
def test_display_names_are_one_printable_line_or_a_neutral_word(chosen: str, shown: str) -> None:
    seat = make_room(2).seats[1]
    assert display_name(chosen, seat) == shown


def test_a_provider_without_a_name_is_shown_by_role() -> None:
    assert display_name("", make_room(2).seats[0]) == "Therapist"


@pytest.mark.parametrize(
    ("presence", "error"),
    [
        (Presence.WAITING, RoomStateError),
        (Presence.ABSENT, RoomStateError),
        (Presence.LEFT, RoomStateError),
        (Presence.REMOVED, JoinDenied),
    ],
)
def test_only_admitted_people_of_a_running_session_send_or_receive_media(
    presence: Presence, error: type[Exception]
) -> None:
    room = make_room(2)
    seat = Seat(participant=room.seats[1].participant, presence=presence)
    with pytest.raises(error):
        require_in_call(room, seat, NOW)
    admitted = Seat(participant=room.seats[1].participant, presence=Presence.ADMITTED)
    require_in_call(room, admitted, NOW)  # no error
    with pytest.raises(RoomStateError):
        require_in_call(room, admitted, NOW + timedelta(hours=3))  # the window has closed
