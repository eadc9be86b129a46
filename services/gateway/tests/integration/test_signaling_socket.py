"""The signaling WebSocket: waiting room, admit, sends, and resume after a dropped socket."""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any

import aiohttp
import pytest

from tenfour_testing.system import THERAPIST_PASSWORD, publish_booking, sign_in_with_new_mfa

pytestmark = pytest.mark.e2e

SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


class EagerResponse(aiohttp.ClientResponse):
    """Reads every body at once, so no test leaves a connection unreleased."""

    async def start(self, connection: Any) -> aiohttp.ClientResponse:
        response = await super().start(connection)
        if self.status != 101:  # a WebSocket upgrade keeps its connection
            await self.read()
        return response


def _client(url: str) -> aiohttp.ClientSession:
    jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=[url])
    return aiohttp.ClientSession(url, cookie_jar=jar, headers={"Origin": url}, response_class=EagerResponse)


async def _post(client: aiohttp.ClientSession, path: str, body: dict[str, Any]) -> dict[str, Any]:
    reply = await client.post(path, json=body)
    data: dict[str, Any] = await reply.json()
    assert reply.status == 200, data
    return data


async def _next(ws: aiohttp.ClientWebSocketResponse, key: str, seconds: float = 10) -> dict[str, Any]:
    """The next frame carrying `key` (heartbeats and other frames are skipped)."""
    async with asyncio.timeout(seconds):
        while True:
            frame: dict[str, Any] = json.loads(await ws.receive_str())
            if "event" in frame and key in frame["event"]:
                return frame["event"]
            if key in frame:
                return frame


async def test_waiting_room_admit_send_and_resume(system: Any) -> None:
    agency = system.create_agency()
    code = system.enrolment_code(agency)
    email = f"t{secrets.token_hex(3)}@example.org"
    therapist_id = system.onboard_therapist(email, THERAPIST_PASSWORD)
    async with _client(system.url) as officer, _client(system.url) as therapist:
        await _post(
            officer,
            "/api/auth/enrol",
            {
                "code": code,
                "username": f"o{secrets.token_hex(4)}",
                "display_name": "Sam",
                "password": "Maple-Orbit-Falcon-8812",
            },
        )
        officer_id = (await (await officer.get("/api/session")).json())["user_id"]
        await sign_in_with_new_mfa(therapist, email, THERAPIST_PASSWORD)
        appointment = f"appt-{secrets.token_hex(6)}"
        await publish_booking(
            system.nats.url,
            appointment_id=appointment,
            agency_id=agency,
            provider_id=therapist_id,
            officer_id=officer_id,
        )

        async def join(client: aiohttp.ClientSession) -> dict[str, Any]:
            async with asyncio.timeout(10):
                while True:  # the room appears once signaling has consumed the booking event
                    async with client.post(
                        "/api/signaling/Join", json={"appointment_id": appointment}
                    ) as reply:
                        if reply.status == 200:
                            joined: dict[str, Any] = await reply.json()
                            return joined
                    await asyncio.sleep(0.2)

        o_join = await join(officer)
        assert o_join["waiting"] is True
        session = o_join["session_id"]
        o_ws = await officer.ws_connect(
            f"/api/signaling/ws?session_id={session}&last_seen_seq={o_join['resume_from_seq']}"
        )
        waiting = await _next(o_ws, "waiting")
        assert "therapist" in waiting["waiting"]["message"]

        t_join = await join(therapist)
        assert t_join["waiting"] is False
        waiting_handles = [
            p["participant_id"] for p in t_join["room"]["participants"] if p["state"] == "waiting"
        ]
        assert waiting_handles == [o_join["participant_id"]]
        t_ws = await therapist.ws_connect(
            f"/api/signaling/ws?session_id={session}&last_seen_seq={t_join['resume_from_seq']}"
        )

        await _post(
            therapist,
            "/api/signaling/Admit",
            {"appointment_id": appointment, "participant_id": o_join["participant_id"]},
        )
        admitted = await _next(o_ws, "participant_admitted")
        last_seq = int(admitted["seq"])

        # The officer's socket drops; meanwhile the therapist's offer is sent and acknowledged.
        await o_ws.close()
        await t_ws.send_str(
            json.dumps(
                {"client_msg_id": "m1", "to_participant_id": o_join["participant_id"], "offer": {"sdp": SDP}}
            )
        )
        ack = await _next(t_ws, "ack")
        assert ack["ack"]["client_msg_id"] == "m1"
        assert ack["ack"]["duplicate"] is False
        # A retry with the same id is acknowledged again but delivered once.
        await t_ws.send_str(
            json.dumps(
                {"client_msg_id": "m1", "to_participant_id": o_join["participant_id"], "offer": {"sdp": SDP}}
            )
        )
        assert (await _next(t_ws, "ack"))["ack"]["duplicate"] is True

        # Resume from the last seq seen: the missed offer arrives, once.
        o_ws = await officer.ws_connect(f"/api/signaling/ws?session_id={session}&last_seen_seq={last_seq}")
        offer = await _next(o_ws, "offer")
        assert offer["offer"]["sdp"] == SDP
        assert offer["from_participant_id"] == t_join["participant_id"]
        assert int(offer["seq"]) == last_seq + 1

        # Bad input is refused per message, with the field named.
        await o_ws.send_str(json.dumps({"client_msg_id": "bad", "answer": {"sdp": "not sdp"}}))
        nack = await _next(o_ws, "nack")
        assert nack["nack"]["client_msg_id"] == "bad"
        assert nack["nack"]["error"]["code"] == "INVALID_ARGUMENT"
        await o_ws.send_str("{not json")
        assert (await _next(o_ws, "nack"))["nack"]["error"]["code"] == "INVALID_ARGUMENT"

        # Someone else's session: refused before the upgrade with a readable error.
        stranger = await officer.get("/api/signaling/ws?session_id=AAAAAAAAAAAAAAAA&last_seen_seq=0")
        assert stranger.status in (403, 404)
        assert (await stranger.json())["code"] in ("PERMISSION_DENIED", "NOT_FOUND")

        await _post(officer, "/api/signaling/Leave", {"session_id": session})
        left = await _next(t_ws, "participant_left")
        assert left["participant_left"]["participant_id"] == o_join["participant_id"]
        await o_ws.close()
        await t_ws.close()
