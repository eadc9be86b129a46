"""The aiortc edge: explicit ICE configuration and the in-memory signaling port."""

from __future__ import annotations

import asyncio

import pytest
from aiortc.rtcconfiguration import RTCIceTransportPolicy

from tenfour_signaling.domain import Bye, IceServer, OutboundSignal, Renegotiate
from tenfour_signaling.peers import in_memory_pair, rtc_configuration


def test_no_servers_is_an_empty_list_never_none() -> None:
    # None would make aiortc fall back to Google's public STUN server.
    config = rtc_configuration([])
    assert config.iceServers == []
    assert config.iceTransportPolicy is RTCIceTransportPolicy.ALL


def test_servers_and_relay_policy_are_passed_through() -> None:
    turn = IceServer(urls=("turn:127.0.0.1:3478?transport=udp",), username="1:abcdefgh", credential="pw")
    config = rtc_configuration([turn], relay_only=True)
    assert config.iceTransportPolicy is RTCIceTransportPolicy.RELAY
    assert config.iceServers is not None
    (server,) = config.iceServers
    assert (server.urls, server.username, server.credential) == (list(turn.urls), "1:abcdefgh", "pw")


async def test_in_memory_port_stamps_per_recipient_sequence_numbers() -> None:
    a, b = in_memory_pair(handles=("Aaaaaaaa1111", "Bbbbbbbb2222"))
    for _ in range(3):
        await a.send(OutboundSignal(session_id=a.session_id, payload=Renegotiate()))
    await b.send(OutboundSignal(session_id=b.session_id, recipient="Aaaaaaaa1111", payload=Bye()))
    received = [await b.receive() for _ in range(3)]
    assert [e.seq for e in received if e is not None] == [1, 2, 3]
    assert {e.sender for e in received if e is not None} == {"Aaaaaaaa1111"}
    back = await a.receive()
    assert back is not None
    assert (back.seq, back.sender, back.payload) == (1, "Bbbbbbbb2222", Bye())


async def test_in_memory_port_rejects_strangers_and_ends_on_close() -> None:
    a, b = in_memory_pair(handles=("Aaaaaaaa1111", "Bbbbbbbb2222"))
    with pytest.raises(ValueError, match="recipient"):
        await a.send(OutboundSignal(session_id=a.session_id, recipient="Cccccccc3333", payload=Bye()))
    waiting = asyncio.create_task(b.receive())
    await b.close()
    assert await waiting is None
    assert await b.receive() is None
    with pytest.raises(ConnectionError):
        await b.send(OutboundSignal(session_id=b.session_id, payload=Bye()))
