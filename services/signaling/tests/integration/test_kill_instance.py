"""Two signaling OS processes; one is SIGKILLed mid-session and its client resumes on the other.

Also runs the client command (`python -m tenfour_signaling.client`) as a real participant, and
checks that the processes' logs carry no SDP, candidates or addresses.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tenfour.signaling.v1 import signaling_pb2 as pb
from tenfour_shared.auth.roles import Role
from tenfour_shared.launcher import ServiceProcess
from tenfour_signaling.client import GrpcSignaling, SessionClient
from tenfour_signaling.domain import IceCandidate, IceRestart, Offer, OutboundSignal
from tenfour_testing.embedded import NatsServer, RedisServer, env_with, free_port
from tenfour_testing.signaling import Cluster
from tenfour_testing.tokens import TestTokens

CANDIDATE = "candidate:1 1 udp 2130706431 10.1.2.3 54321 typ host"
SDP = f"v=0\r\no=- 1 1 IN IP4 10.1.2.3\r\ns=-\r\nt=0 0\r\nc=IN IP4 10.1.2.3\r\na={CANDIDATE}\r\n"


@pytest.fixture
def processes(
    tmp_path: Path, nats_server: NatsServer, redis_server: RedisServer, test_tokens: TestTokens
) -> Iterator[list[ServiceProcess]]:
    env = {
        "TENFOUR_NATS_URL": nats_server.url,
        "TENFOUR_REDIS_URL": redis_server.url,
        "TENFOUR_JWKS_JSON": test_tokens.jwks_json,
        "TENFOUR_HEARTBEAT_SECONDS": "0.5",
        "TENFOUR_SWEEP_SECONDS": "0.25",
        "TENFOUR_RESUME_WINDOW_SECONDS": "3",
        "TENFOUR_LOG_LEVEL": "DEBUG",  # even debug logs must not leak
    }
    procs = [ServiceProcess("signaling", free_port(), env, tmp_path / f"signaling-{n}.log") for n in (1, 2)]
    try:
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.wait_serving()
        yield procs
    finally:
        for proc in procs:
            proc.terminate()


async def test_killing_an_instance_moves_its_client_to_another_without_loss(
    processes: list[ServiceProcess], cluster: Cluster
) -> None:
    first, second = processes
    appointment_id = await cluster.book(("officer-1",), "dr-lee")
    provider = GrpcSignaling([first.target], cluster.token(Role.THERAPIST, "dr-lee"))
    officer = GrpcSignaling([second.target, first.target], cluster.token(Role.OFFICER, "officer-1"))
    try:
        await provider.join(appointment_id)
        await officer.join(appointment_id)
        await provider.admit(officer.handle)
        kinds = [await _kind(officer), await _kind(officer)]
        assert kinds == ["waiting", "participant_admitted"]
        await provider.send(OutboundSignal(session_id=provider.session_id, payload=Offer(sdp=SDP)))
        await provider.send(
            OutboundSignal(
                session_id=provider.session_id, payload=IceCandidate(candidate=CANDIDATE, sdp_mline_index=0)
            )
        )
        assert [await _kind(officer), await _kind(officer)] == ["offer", "ice_candidate"]
        seen = officer.last_seen_seq

        assert second.proc is not None
        os.kill(second.proc.pid, signal.SIGKILL)  # the officer's instance dies mid-session
        for _ in range(3):
            await provider.send(OutboundSignal(session_id=provider.session_id, payload=IceRestart()))
        assert [await _kind(officer) for _ in range(3)] == ["ice_restart"] * 3
        assert officer.last_seen_seq == seen + 3  # nothing lost, nothing twice
        assert officer.resumes >= 1
        assert officer.target == first.target
        # The officer's sends fail over too, and it keeps its seat past the resume window.
        await officer.send(OutboundSignal(session_id=officer.session_id, payload=IceRestart()))
        assert await _kind(provider, skip=("participant_joined", "participant_admitted")) == "ice_restart"
        await asyncio.sleep(3.5)
        room = await cluster.a.stub.GetRoom(
            pb.GetRoomRequest(appointment_id=appointment_id), metadata=cluster.md(Role.THERAPIST, "dr-lee")
        )
        assert {p.state for p in room.participants} == {"admitted"}
    finally:
        await officer.close()
        await provider.close()

    # The client command, as a real participant in a process of its own.
    appointment_id = await cluster.book(("officer-2",), "dr-lee")
    therapist = SessionClient([first.target], cluster.token(Role.THERAPIST, "dr-lee"))
    try:
        await therapist.join(appointment_id)
        command = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tenfour_signaling.client",
            "--target", first.target, "--appointment", appointment_id,
            "--seconds", "0.5", "--message", "hello from the command",
            env=env_with(TENFOUR_TOKEN=cluster.token(Role.OFFICER, "officer-2")),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        async with asyncio.timeout(40):
            peer = await therapist.connected()
            assert await peer.wait_message() == "hello from the command"
            out, err = await command.communicate()
        assert command.returncode == 0, err.decode(errors="replace")
        report = json.loads(out)
        assert report["role"] == "officer"
        assert report["waited"]
        assert report["frames_received"] > 0
        assert report["candidate_pair"] == ["host", "host"]
    finally:
        await therapist.close()

    for proc in processes:
        assert proc.log_path is not None
        log = proc.log_path.read_text()
        assert "10.1.2.3" not in log
        assert "v=0" not in log
        assert "candidate:" not in log
        assert "officer-1" not in log


async def _kind(port: GrpcSignaling, skip: tuple[str, ...] = ()) -> str:
    async with asyncio.timeout(10):
        while True:
            envelope = await port.receive()
            assert envelope is not None
            if envelope.payload.kind not in skip:
                return envelope.payload.kind
