"""The pre-call echo check: media comes back, pings are answered, stats are plausible."""

from __future__ import annotations

import asyncio

from aiortc import RTCSessionDescription

from tenfour_signaling.peers import EchoPeer, PeerClient, in_memory_pair, run_echo_check


async def test_echo_check_over_signaling_reports_rtt_and_host_candidate() -> None:
    caller_port, echo_port = in_memory_pair()
    caller, echo = PeerClient(caller_port, []), EchoPeer(echo_port, [])
    try:
        echo.start()
        async with asyncio.timeout(20):
            await caller.call()
            await caller.wait_connected()
            await caller.wait_frames(3)  # our own test pattern, reflected
            report = await run_echo_check(caller, pings=8, interval=0.02)
        assert report.pongs_received == report.pings_sent == 8
        assert report.rtt_ms is not None
        assert 0 < report.rtt_ms < 250
        assert report.candidate_type == "host"
        assert report.frames_echoed >= 3
        assert report.rtcp_rtt_ms is None or 0 <= report.rtcp_rtt_ms < 1000
        assert report.packet_loss is None or report.packet_loss < 0.1
    finally:
        await caller.close()
        await echo.close()


async def test_echo_answers_an_offer_directly_like_the_precall_rpc() -> None:
    caller, echo = PeerClient(None, []), EchoPeer(None, [])
    try:
        async with asyncio.timeout(20):
            await caller.call()  # no port: nothing is sent, the offer stays local
            answer = await echo.accept_offer(caller.pc.localDescription.sdp)
            await caller.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
            await caller.wait_frames(1)
            report = await run_echo_check(caller, pings=3, interval=0.01, rtcp_wait=0)
        assert report.pongs_received == 3
    finally:
        await caller.close()
        await echo.close()
