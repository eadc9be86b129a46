"""ICE servers from the service against a real coturn, relay-only calls, and the pre-call echo."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import pytest
from aiortc import RTCSessionDescription

from tenfour.signaling.v1 import signaling_pb2 as pb
from tenfour_shared.auth.roles import Role
from tenfour_signaling import wire
from tenfour_signaling.client import SessionClient
from tenfour_signaling.domain import parse_candidate
from tenfour_signaling.peers import PeerClient, run_echo_check
from tenfour_testing.coturn import Coturn, uclient
from tenfour_testing.signaling import Cluster, Instance, settings_for, start_instance
from tenfour_testing.tokens import TestTokens

TurnInstance = Callable[..., Awaitable[Instance]]


@pytest.fixture
def turn_instance(cluster: Cluster, coturn: Coturn, test_tokens: TestTokens) -> TurnInstance:
    """A third instance on the cluster's Redis/NATS, using the test's coturn; relay-only officers."""

    async def start(**overrides: Any) -> Instance:
        settings = settings_for(
            cluster.nats_server,
            cluster.redis_server,
            test_tokens,
            turn_host=coturn.host,
            turn_port=coturn.port,
            turn_secret=coturn.secret,
            turns_host="turn.tenfour.test",
            relay_only_roles="officer",
            **overrides,
        )
        instance = await start_instance(settings)
        cluster.extra.append(instance)  # stopped with the cluster
        return instance

    return start


def _types(sdp: str) -> set[str]:
    return {parse_candidate(line).type for line in sdp.splitlines() if line.startswith("a=candidate:")}


async def test_coturn_accepts_the_minted_credentials_until_they_expire(
    cluster: Cluster, turn_instance: TurnInstance, coturn: Coturn
) -> None:
    turn = await turn_instance(turn_max_ttl_seconds=2)
    appointment_id = await cluster.book(("officer-1",), "dr-lee")
    reply = await turn.stub.GetIceServers(
        pb.GetIceServersRequest(appointment_id=appointment_id),
        metadata=cluster.md(Role.OFFICER, "officer-1"),
    )
    assert reply.relay_only  # officers' addresses are hidden by policy
    urls = [url for server in reply.ice_servers for url in server.urls]
    assert urls == [
        f"turn:{coturn.host}:{coturn.port}?transport=udp",
        f"turn:{coturn.host}:{coturn.port}?transport=tcp",
        "turns:turn.tenfour.test:443?transport=tcp",
    ]
    assert not any("google" in url or url.startswith("stun:") for url in urls)
    assert 0 < reply.ttl.ToTimedelta().total_seconds() <= 2  # capped here so the test can see expiry
    server = reply.ice_servers[0]
    assert "officer-1" not in server.username  # "<expiry>:<opaque handle>"
    ok_rc, ok_out = await uclient(coturn, server.username, server.credential)
    assert ok_rc == 0, ok_out
    await asyncio.sleep(reply.ttl.ToTimedelta().total_seconds() + 1)
    late_rc, late_out = await uclient(coturn, server.username, server.credential)
    assert late_rc != 0
    assert "Cannot complete Allocation" in late_out
    # The therapist is not relay-only by policy: our STUN first, then TURN.
    provider = await turn.stub.GetIceServers(
        pb.GetIceServersRequest(appointment_id=appointment_id),
        metadata=cluster.md(Role.THERAPIST, "dr-lee"),
    )
    assert not provider.relay_only
    assert provider.ice_servers[0].urls == [f"stun:{coturn.host}:{coturn.port}"]


async def test_two_peers_connect_relay_only_through_the_service(
    cluster: Cluster, turn_instance: TurnInstance
) -> None:
    turn = await turn_instance()
    appointment_id = await cluster.book(("officer-1",), "dr-lee")
    therapist = SessionClient([turn.target], cluster.token(Role.THERAPIST, "dr-lee"))
    officer = SessionClient([turn.target], cluster.token(Role.OFFICER, "officer-1"))
    try:
        async with asyncio.timeout(30):
            await therapist.join(appointment_id, relay_only=True)  # a provider may opt in too
            joined = await officer.join(appointment_id)  # relay-only for officers by policy
            assert joined.relay_only
            officer_peer, therapist_peer = await asyncio.gather(officer.connected(), therapist.connected())
            await asyncio.gather(officer_peer.wait_frames(3), therapist_peer.wait_frames(3))
        offer_seen = therapist_peer.pc.remoteDescription.sdp
        assert _types(offer_seen) == {"relay"}
        assert "raddr 0.0.0.0 rport 0" in offer_seen  # the officer's own address never travels
        assert officer_peer.report().candidate_pair == ("relay", "relay")
        assert therapist_peer.report().candidate_pair == ("relay", "relay")
    finally:
        await officer.close()
        await therapist.close()


@pytest.mark.parametrize("cluster", [{"precall_max_concurrent": 1, "precall_max_seconds": 5}], indirect=True)
async def test_precall_echo_reflects_media_and_reports_rtt(cluster: Cluster) -> None:
    md = cluster.md(Role.OFFICER, "officer-1")
    ice = await cluster.a.stub.GetIceServers(pb.GetIceServersRequest(), metadata=md)  # before any booking
    caller = PeerClient(None, wire.ice_servers_from_pb(list(ice.ice_servers)))
    try:
        async with asyncio.timeout(20):
            await caller.call()  # no port: the offer stays local until we hand it over
            reply = await cluster.a.stub.PreCallCheck(
                pb.PreCallCheckRequest(offer_sdp=caller.pc.localDescription.sdp), metadata=md
            )
            assert reply.max_duration.ToTimedelta().total_seconds() == 5
            await caller.pc.setRemoteDescription(RTCSessionDescription(sdp=reply.answer_sdp, type="answer"))
            await caller.wait_frames(3)  # our own test pattern, reflected
            report = await run_echo_check(caller, pings=5, interval=0.02, rtcp_wait=0.5)
        assert report.pongs_received == 5
        assert report.rtt_ms is not None
        assert report.candidate_type == "host"
        with pytest.raises(grpc.aio.AioRpcError) as busy:  # one echo peer at a time here
            await cluster.a.stub.PreCallCheck(
                pb.PreCallCheckRequest(offer_sdp=caller.pc.localDescription.sdp), metadata=md
            )
        assert busy.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    finally:
        await caller.close()
    with pytest.raises(grpc.aio.AioRpcError) as garbage:
        await cluster.b.stub.PreCallCheck(pb.PreCallCheckRequest(offer_sdp="hello"), metadata=md)
    assert garbage.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_relay_only_without_a_turn_server_is_refused(cluster: Cluster) -> None:
    appointment_id = await cluster.book(("officer-1",), "dr-lee")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await cluster.a.stub.Join(
            pb.JoinRequest(appointment_id=appointment_id, relay_only=True),
            metadata=cluster.md(Role.OFFICER, "officer-1"),
        )
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
