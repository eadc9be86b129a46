"""Group media: the SFU (Janus, through signaling) against a mesh of the same aiortc peers.

1. CPU: a group of N aiortc participants, each sending a 320x240 test pattern, measured over a
   fixed window once everyone receives everyone: the CPU Janus spends per forwarded stream, as
   a ratio to what a mesh peer spends per stream it sends and receives directly; and the whole
   group's CPU (Janus + participants) through the SFU as a ratio to the mesh. Runs alternate
   (mesh, SFU, mesh, SFU); the participants run in a separate process from the services.
2. Join to first frame: a participant publishes through signaling + Janus and another receives
   it (ListMedia, SubscribeMedia, AnswerMedia), as a ratio to two aiortc peers with the SDP handed
   over directly (median of 5 each).

Prints `RESULT groups_sfu_cpu_per_stream_vs_mesh=…`, `RESULT groups_total_cpu_sfu_vs_mesh=…`,
`RESULT groups_join_to_first_frame_sfu_vs_direct=…`.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

N = 4
WINDOW = 8.0
ROUNDS = 2
JOINS = 5
SIZE = (320, 240)


def _ticks(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- the participants' process ---------------------------------------------------------------


async def _mesh(window: float) -> dict[str, float]:
    from aiortc import RTCConfiguration, RTCPeerConnection

    from tenfour_signaling.peers.media import TestPatternTrack

    counts: dict[tuple[int, int], int] = {}
    pcs = []
    tasks: list[asyncio.Future[None]] = []

    async def pair(i: int, j: int) -> None:
        a, b = (
            RTCPeerConnection(RTCConfiguration(iceServers=[])),
            RTCPeerConnection(RTCConfiguration(iceServers=[])),
        )
        pcs.extend([a, b])
        a.addTrack(TestPatternTrack(*SIZE))
        b.addTrack(TestPatternTrack(*SIZE))
        for pc, key in ((a, (j, i)), (b, (i, j))):  # (from, to)
            counts[key] = 0

            @pc.on("track")
            def _track(track: Any, key: tuple[int, int] = key) -> None:
                async def count() -> None:
                    while True:
                        await track.recv()
                        counts[key] += 1

                tasks.append(asyncio.ensure_future(count()))

        await a.setLocalDescription(await a.createOffer())
        await b.setRemoteDescription(a.localDescription)
        await b.setLocalDescription(await b.createAnswer())
        await a.setRemoteDescription(b.localDescription)

    await asyncio.gather(*(pair(i, j) for i in range(N) for j in range(i + 1, N)))
    while min(counts.values()) < 10:  # noqa: ASYNC110 - polling
        await asyncio.sleep(0.1)
    frames0, cpu0, t0 = sum(counts.values()), _own_cpu(), time.perf_counter()
    await asyncio.sleep(window)
    out = {
        "clients_cpu": _own_cpu() - cpu0,
        "seconds": time.perf_counter() - t0,
        "frames": sum(counts.values()) - frames0,
    }
    for pc in pcs:
        await pc.close()
    return out


async def _sfu(spec: dict[str, Any]) -> dict[str, float]:
    from grpc import aio

    from tenfour.signaling.v1.signaling_pb2_grpc import SignalingServiceStub
    from tenfour_signaling.peers.sfu import SfuParticipant

    channel = aio.insecure_channel(spec["target"])
    stub = SignalingServiceStub(channel)
    people = [
        SfuParticipant(stub, [("authorization", t)], spec["session"], size=SIZE) for t in spec["tokens"]
    ]
    await asyncio.gather(*(p.publish() for p in people))
    for p in people:
        while len(await p.sync()) < N - 1:  # noqa: ASYNC110 - polling
            await asyncio.sleep(0.2)
    for p in people:
        await p.wait_frames(N - 1, frames=10)
    frames = lambda: sum(sum(p.frames().values()) for p in people)  # noqa: E731
    frames0, cpu0, janus0, t0 = frames(), _own_cpu(), _ticks(spec["janus_pid"]), time.perf_counter()
    await asyncio.sleep(spec["window"])
    out = {
        "clients_cpu": _own_cpu() - cpu0,
        "janus_cpu": _ticks(spec["janus_pid"]) - janus0,
        "seconds": time.perf_counter() - t0,
        "frames": frames() - frames0,
    }
    for p in people:
        await p.close()
    await channel.close()
    return out


async def _join(spec: dict[str, Any]) -> dict[str, float]:
    """One publisher, one receiver: from the publisher's start to the receiver's first frame."""
    from grpc import aio

    from tenfour.signaling.v1.signaling_pb2_grpc import SignalingServiceStub
    from tenfour_signaling.peers.sfu import SfuParticipant

    channel = aio.insecure_channel(spec["target"])
    stub = SignalingServiceStub(channel)
    sender, receiver = (
        SfuParticipant(stub, [("authorization", t)], spec["session"], size=SIZE) for t in spec["tokens"][:2]
    )
    t0 = time.perf_counter()
    await sender.publish()
    while not await receiver.sync():  # noqa: ASYNC110 - polling
        await asyncio.sleep(0.01)
    while not any(r.first_frame_at for r in receiver.receiving.values()):  # noqa: ASYNC110 - polling
        await asyncio.sleep(0.005)
    first = min(r.first_frame_at for r in receiver.receiving.values() if r.first_frame_at)
    await sender.close()
    await receiver.close()
    await channel.close()
    return {"seconds": first - t0}


def client(mode: str, spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text()) if spec_path else {}
    run = {"mesh": lambda: _mesh(spec["window"]), "sfu": lambda: _sfu(spec), "join": lambda: _join(spec)}[
        mode
    ]
    print(json.dumps(asyncio.run(run())))


# --- the services' process -------------------------------------------------------------------


def _in_client(mode: str, spec: dict[str, Any], tmp: str) -> dict[str, float]:
    path = Path(tmp) / f"spec-{time.monotonic_ns()}.json"
    path.write_text(json.dumps(spec))
    done = subprocess.run(
        [sys.executable, __file__, "--client", mode, str(path)], capture_output=True, text=True, timeout=180
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


async def main() -> None:
    from bench_direct_peers import run_direct
    from grpc import aio

    from tenfour.signaling.v1 import signaling_pb2 as pb
    from tenfour.signaling.v1.signaling_pb2_grpc import SignalingServiceStub
    from tenfour_shared.auth.roles import Role
    from tenfour_shared.events.bus import connect as connect_nats
    from tenfour_shared.events.streams import ensure_streams
    from tenfour_shared.launcher import ServiceProcess
    from tenfour_testing.embedded import NatsServer, RedisServer, free_port
    from tenfour_testing.janus import JanusServer
    from tenfour_testing.signaling import appointment, publish_status
    from tenfour_testing.tokens import TestTokens

    with (
        tempfile.TemporaryDirectory() as tmp,
        NatsServer(Path(tmp) / "n") as nats,
        RedisServer(Path(tmp) / "r") as redis,
        JanusServer(Path(tmp) / "janus") as janus,
    ):
        tokens = TestTokens()
        env = {
            "TENFOUR_NATS_URL": nats.url,
            "TENFOUR_REDIS_URL": redis.url,
            "TENFOUR_JWKS_JSON": tokens.jwks_json,
            "TENFOUR_LOG_LEVEL": "WARNING",
            "TENFOUR_JANUS_URLS": janus.url,
            "TENFOUR_JANUS_API_SECRET": janus.api_secret,
            "TENFOUR_JANUS_ROOM_ADMIN_KEY": janus.room_admin_key,
        }
        service = ServiceProcess("signaling", free_port(), env, Path(tmp) / "signaling.log")
        nc, js = await connect_nats(nats.url, "bench")
        await ensure_streams(js)
        service.start()
        channel = aio.insecure_channel(service.target)
        stub = SignalingServiceStub(channel)
        assert janus.process is not None
        rooms = 0

        async def group(size: int) -> dict[str, Any]:
            """A booked group, everyone joined and admitted; what the client process needs."""
            nonlocal rooms
            rooms += 1
            appt_id, dr = f"bench-group-{rooms}", f"dr-{rooms}"
            officers = [f"officer-{rooms}-{i}" for i in range(max(size - 1, 2))]
            start = datetime.now(UTC) + timedelta(minutes=1)
            await publish_status(js, appointment(appt_id, dr, officers, start, start + timedelta(minutes=50)))
            dr_md = tokens.metadata(Role.THERAPIST, dr, "agency-1")
            for _ in range(2000):
                try:
                    joined = await stub.Join(pb.JoinRequest(appointment_id=appt_id), metadata=dr_md)
                    break
                except aio.AioRpcError:
                    await asyncio.sleep(0.01)
            md = [dr_md] + [tokens.metadata(Role.OFFICER, o, "agency-1") for o in officers[: size - 1]]
            for m in md[1:]:
                j = await stub.Join(pb.JoinRequest(appointment_id=appt_id), metadata=m)
                await stub.Admit(
                    pb.AdmitRequest(appointment_id=appt_id, participant_id=j.participant_id), metadata=dr_md
                )
            return {
                "target": service.target,
                "session": joined.session_id,
                "tokens": [m[0][1] for m in md],
                "janus_pid": janus.process.pid,
            }

        try:
            await asyncio.to_thread(service.wait_serving)
            mesh: list[dict[str, float]] = []
            sfu: list[dict[str, float]] = []
            for _ in range(ROUNDS):
                mesh.append(await asyncio.to_thread(_in_client, "mesh", {"window": WINDOW}, tmp))
                spec = {**await group(N), "window": WINDOW}
                sfu.append(await asyncio.to_thread(_in_client, "sfu", spec, tmp))
            streams = N * (N - 1)
            mesh_per_stream = statistics.median(m["clients_cpu"] / m["seconds"] / streams for m in mesh)
            janus_per_stream = statistics.median(s["janus_cpu"] / s["seconds"] / streams for s in sfu)
            sfu_total = statistics.median((s["janus_cpu"] + s["clients_cpu"]) / s["seconds"] for s in sfu)
            mesh_total = statistics.median(m["clients_cpu"] / m["seconds"] for m in mesh)
            fps = lambda runs: statistics.median(r["frames"] / r["seconds"] / streams for r in runs)  # noqa: E731
            size = f"{SIZE[0]}x{SIZE[1]}"
            print(f"Group of {N} aiortc participants, {size} test pattern,", end=" ")
            print(f"{WINDOW:.0f} s windows, median of {ROUNDS}\n")
            print("| what | CPU s/s (whole group) | CPU s/s per stream | frames/s per stream |")
            print("|---|---:|---:|---:|")
            janus_total = statistics.median(s["janus_cpu"] / s["seconds"] for s in sfu)
            mesh_row = f"| mesh: participants (baseline) | {mesh_total:.3f} | {mesh_per_stream:.4f}"
            print(f"{mesh_row} | {fps(mesh):.1f} |")
            print(f"| SFU: Janus only | {janus_total:.3f} | {janus_per_stream:.4f} | {fps(sfu):.1f} |")
            print(f"| SFU: Janus + participants | {sfu_total:.3f} | {sfu_total / streams:.4f} | |")
            print()

            direct: list[float] = []
            joins: list[float] = []
            for _ in range(JOINS):
                report = await run_direct()
                direct.append(report.offer_to_first_frame)
                spec = await group(3)
                joins.append((await asyncio.to_thread(_in_client, "join", spec, tmp))["seconds"])
            d, s = statistics.median(direct), statistics.median(joins)
            print(f"join to first frame, median of {JOINS}: direct peers {d * 1000:.0f} ms,", end=" ")
            print(f"through signaling + Janus {s * 1000:.0f} ms\n")
            print(f"RESULT groups_sfu_cpu_per_stream_vs_mesh={janus_per_stream / mesh_per_stream:.3f}")
            print(f"RESULT groups_total_cpu_sfu_vs_mesh={sfu_total / mesh_total:.3f}")
            print(f"RESULT groups_join_to_first_frame_sfu_vs_direct={s / d:.2f}")
        finally:
            await channel.close()
            service.terminate()
            await nc.drain()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        client(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "")
    else:
        if "--quick" in sys.argv:
            WINDOW, ROUNDS, JOINS = 4.0, 1, 2
        asyncio.run(main())
