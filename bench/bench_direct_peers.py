"""Baseline for "through the service": two aiortc peers on loopback, SDP handed over directly.

Times offer -> connected and offer -> first video frame (median of 7, after one warm-up run),
and the same through the in-memory signaling port, so the cost of our peer/signal layer shows.
The lead's gRPC figure reuses ``measure`` + ``run_through_ports`` with a factory of gRPC ports
and reports its ratio to ``run_direct`` measured in the same process.
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiortc import RTCSessionDescription

from tenfour_signaling.peers import PeerClient, SignalingPort, in_memory_pair

RUNS = 7
TIMEOUT = 20.0


@dataclass(frozen=True, slots=True)
class Timing:
    offer_to_connected: float  # seconds
    offer_to_first_frame: float


@dataclass(frozen=True, slots=True)
class Summary:
    connected_ms: float  # medians
    first_frame_ms: float
    runs: int


def _timing(caller: PeerClient) -> Timing:
    report = caller.report()
    assert report.offer_to_connected is not None
    assert report.offer_to_first_frame is not None
    return Timing(report.offer_to_connected, report.offer_to_first_frame)


async def run_direct() -> Timing:
    """One call with the SDP handed from one RTCPeerConnection to the other in-process."""
    caller, callee = PeerClient(None, []), PeerClient(None, [])
    try:
        async with asyncio.timeout(TIMEOUT):
            await caller.call()  # starts the clock; no port, so the offer is only kept locally
            answer = await callee.accept_offer(caller.pc.localDescription.sdp)
            await caller.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
            await caller.wait_connected()
            await caller.wait_frames(1)
        return _timing(caller)
    finally:
        await caller.close(send_bye=False)
        await callee.close(send_bye=False)


PortFactory = Callable[[], Awaitable[tuple[SignalingPort, SignalingPort]]]


async def run_through_ports(make_ports: PortFactory) -> Timing:
    """One call whose offer and answer travel through a pair of signaling ports."""
    caller_port, callee_port = await make_ports()
    caller, callee = PeerClient(caller_port, []), PeerClient(callee_port, [])
    try:
        callee.start()
        async with asyncio.timeout(TIMEOUT):
            await caller.call()
            await caller.wait_connected()
            await caller.wait_frames(1)
        return _timing(caller)
    finally:
        await caller.close()
        await callee.close()


async def measure(run: Callable[[], Awaitable[Timing]], runs: int = RUNS) -> Summary:
    """Median of ``runs`` calls after one discarded warm-up (codec and import costs)."""
    await run()
    timings = [await run() for _ in range(runs)]
    return Summary(
        connected_ms=statistics.median(t.offer_to_connected for t in timings) * 1000,
        first_frame_ms=statistics.median(t.offer_to_first_frame for t in timings) * 1000,
        runs=runs,
    )


def markdown_table(rows: dict[str, Summary], baseline: str) -> str:
    base = rows[baseline]
    lines = [
        "| path | offer→connected (ms) | offer→first frame (ms) | ratio to baseline (connected / frame) |",
        "|---|---:|---:|---:|",
    ]
    for name, s in rows.items():
        ratio = f"{s.connected_ms / base.connected_ms:.2f} / {s.first_frame_ms / base.first_frame_ms:.2f}"
        lines.append(f"| {name} | {s.connected_ms:.1f} | {s.first_frame_ms:.1f} | {ratio} |")
    return "\n".join(lines)


async def _in_memory_ports() -> tuple[SignalingPort, SignalingPort]:
    return in_memory_pair()


async def main() -> None:
    rows = {
        "direct SDP hand-over (baseline)": await measure(run_direct),
        "in-memory signaling port": await measure(lambda: run_through_ports(_in_memory_ports)),
    }
    print(f"Two aiortc peers on loopback, median of {RUNS} runs after one warm-up\n")
    print(markdown_table(rows, "direct SDP hand-over (baseline)"))


if __name__ == "__main__":
    asyncio.run(main())
