"""TURN REST credentials against a real coturn, and two aiortc peers relayed through it.

Needs the Debian package ``coturn`` (turnserver, turnutils_uclient); skipped without it,
except in CI (CI=true), where a missing coturn fails the run.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from pydantic import SecretStr

from tenfour_signaling.domain import (
    IceConfiguration,
    IceSettings,
    Participant,
    Role,
    Room,
    ice_configuration_for,
    mint_turn_credential,
    parse_candidate,
)
from tenfour_signaling.peers import PeerClient, in_memory_pair
from tenfour_testing.coturn import Coturn, uclient


def _room(now: datetime) -> Room:
    people = [
        Participant(subject="dr-lee", role=Role.THERAPIST),
        Participant(subject="officer-1", role=Role.OFFICER),
    ]
    return Room.from_appointment("appt-turn", people, now, now + timedelta(minutes=50), now=now)


def _ice(turn: Coturn, room: Room, subject: str, now: datetime) -> IceConfiguration:
    settings = IceSettings(
        host=turn.host,
        port=turn.port,
        secret=SecretStr(turn.secret),
        relay_only_roles=frozenset(Role),  # everyone relayed: the test must not fall back to host
    )
    return ice_configuration_for(settings, room, room.require_seat(subject), now)


async def test_minted_credentials_are_accepted_and_expired_ones_rejected(coturn: Coturn) -> None:
    now = datetime.now(UTC)
    room = _room(now)
    turn_server = _ice(coturn, room, "officer-1", now).servers[-1]
    assert turn_server.username is not None
    assert turn_server.credential is not None
    handle = room.require_seat("officer-1").handle
    expired = mint_turn_credential(coturn.secret, handle, now - timedelta(minutes=1))
    (ok_rc, ok_out), (bad_rc, bad_out) = await asyncio.gather(
        uclient(coturn, turn_server.username, turn_server.credential),
        uclient(coturn, expired.username, expired.password),
    )
    assert ok_rc == 0, ok_out
    assert "ERROR" not in ok_out
    assert bad_rc != 0
    assert "Cannot complete Allocation" in bad_out
    # coturn logs the username: it must show the opaque handle, never the user id.
    log = coturn.log.read_text(errors="replace")
    assert handle in log
    assert "officer-1" not in log


async def test_a_wrong_password_is_rejected(coturn: Coturn) -> None:
    now = datetime.now(UTC)
    username = _ice(coturn, _room(now), "officer-1", now).servers[-1].username
    assert username is not None
    rc, output = await uclient(coturn, username, "not-the-password")
    assert rc != 0
    assert "Cannot complete Allocation" in output


def _candidate_types(sdp: str) -> set[str]:
    return {parse_candidate(line).type for line in sdp.splitlines() if line.startswith("a=candidate:")}


async def test_two_peers_connect_through_the_relay_only(coturn: Coturn) -> None:
    now = datetime.now(UTC)
    room = _room(now)
    officer_ice, provider_ice = _ice(coturn, room, "officer-1", now), _ice(coturn, room, "dr-lee", now)
    assert officer_ice.relay_only
    assert not any(url.startswith("stun:") for s in officer_ice.servers for url in s.urls)
    officer_port, provider_port = in_memory_pair()
    officer = PeerClient(officer_port, officer_ice.servers, relay_only=True)
    provider = PeerClient(provider_port, provider_ice.servers, relay_only=True)
    try:
        provider.start()
        async with asyncio.timeout(20):
            await officer.call()
            await asyncio.gather(officer.wait_connected(), provider.wait_connected())
            await asyncio.gather(officer.wait_frames(3), provider.wait_frames(3))
            await officer.channel_open.wait()
            officer.send_text("through the relay")
            assert await provider.wait_message() == "through the relay"
        # What each side received from the other announces relay candidates only, with the
        # related address hidden: the officer's own address never reaches the provider.
        offer_seen, answer_seen = provider.pc.remoteDescription.sdp, officer.pc.remoteDescription.sdp
        assert _candidate_types(offer_seen) == _candidate_types(answer_seen) == {"relay"}
        assert "raddr 127.0.0.1" not in offer_seen
        assert "raddr 0.0.0.0 rport 0" in offer_seen
        assert officer.report().candidate_pair == ("relay", "relay")
        assert provider.report().candidate_pair == ("relay", "relay")
    finally:
        await officer.close()
        await provider.close()
