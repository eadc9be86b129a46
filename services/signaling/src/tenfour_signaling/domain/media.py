"""Group media: which rooms go through the SFU, who may send or receive media there, and names.

Pure rules; the Janus adapter and the use case live in adapters/ and service/.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from enum import StrEnum

from .admission import JoinDenial, JoinDenied
from .errors import RoomStateError
from .room import Presence, Room, RoomState, Seat

__all__ = ["DISPLAY_NAME_MAX", "MediaMode", "display_name", "media_mode", "require_in_call"]

DISPLAY_NAME_MAX = 40
_FALLBACK = {"officer": "Participant", "therapist": "Therapist", "peer_supporter": "Peer supporter"}


class MediaMode(StrEnum):
    MESH = "mesh"  # browsers peer to peer (Send offers/answers/candidates)
    SFU = "sfu"  # everyone publishes once to Janus and receives the others from it


def media_mode(room: Room, *, sfu_available: bool, sfu_for_pairs: bool) -> MediaMode:
    """More than two people go through the SFU (a mesh uploads n-1 streams from every phone);
    a pair stays peer to peer unless policy says otherwise."""
    if not sfu_available:
        return MediaMode.MESH
    return MediaMode.SFU if len(room.seats) > 2 or sfu_for_pairs else MediaMode.MESH


def display_name(chosen: str, seat: Seat) -> str:
    """The name others see in this session: printable, one line, at most 40 characters.

    Empty means a neutral word for the role (never the account's name: it is not ours to show).
    """
    # Line breaks and tabs become spaces; other control and format characters go.
    cleaned = "".join(
        " " if c.isspace() else c for c in chosen if c.isspace() or unicodedata.category(c)[0] != "C"
    )
    cleaned = " ".join(cleaned.split())[:DISPLAY_NAME_MAX].strip()
    return cleaned or _FALLBACK.get(seat.participant.role.value, "Participant")


def require_in_call(room: Room, seat: Seat, now: datetime) -> None:
    """Media is for admitted participants of a running session only."""
    if seat.presence is Presence.REMOVED:
        raise JoinDenied(JoinDenial.REMOVED)
    if room.state_at(now) is RoomState.ENDED:
        raise RoomStateError("the session has ended")
    if seat.presence is Presence.WAITING:
        raise RoomStateError("you are in the waiting room: the provider lets you in first")
    if seat.presence is not Presence.ADMITTED:
        raise RoomStateError("join the session first")
