"""Two real aiortc peers over the in-memory signaling transport, on loopback."""

from __future__ import annotations

import asyncio

from tenfour_signaling.peers import PeerClient, in_memory_pair


async def test_two_peers_exchange_video_and_data() -> None:
    caller_port, callee_port = in_memory_pair()
    caller, callee = PeerClient(caller_port, []), PeerClient(callee_port, [])
    try:
        callee.start()
        async with asyncio.timeout(15):
            await caller.call()
            await asyncio.gather(caller.wait_connected(), callee.wait_connected())
            await asyncio.gather(caller.wait_frames(5), callee.wait_frames(5))
            await caller.channel_open.wait()
            await callee.channel_open.wait()
            caller.send_text("hello from the officer")
            assert await callee.wait_message() == "hello from the officer"
            callee.send_text("hello from the therapist")
            assert await caller.wait_message() == "hello from the therapist"
        report = caller.report()
        assert report.candidate_pair == ("host", "host")
        assert report.offer_to_connected is not None
        assert report.offer_to_first_frame is not None
        assert 0 < report.offer_to_connected <= report.offer_to_first_frame
    finally:
        await caller.close()
        await callee.close()
