"""Janus (VideoRoom plugin) over its HTTP API: the SfuPort adapter.

Every request carries the API secret; rooms are created with the VideoRoom ``admin_key``, a
per-room ``secret`` and ``pin``. Asynchronous plugin replies (join, publish, start) are read by
long-polling the Janus session the request was sent on: one Janus session per media leg, so
replies are never mixed up and any signaling instance can serve the next request.
Nothing here logs SDP, names or addresses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from typing import Any

import aiohttp

from tenfour_signaling.domain.records import Leg, Published, SfuRoom, SfuUnavailable

__all__ = ["JanusVideoRoom"]

log = logging.getLogger("tenfour.signaling.janus")

_PLUGIN = "janus.plugin.videoroom"
_ROOM_EXISTS = 427
_NO_SUCH_FEED = 428
_NO_SUCH_ROOM = 426
_NO_SUCH_SESSION = 458


class JanusVideoRoom:
    def __init__(self, api_secret: str, room_admin_key: str, timeout_seconds: float = 10.0) -> None:
        self._secret = api_secret
        self._admin_key = room_admin_key
        self._timeout = timeout_seconds
        self._http: aiohttp.ClientSession | None = None
        self._control: dict[str, tuple[int, int]] = {}  # instance -> (session, handle) for sync requests
        self._control_lock = asyncio.Lock()

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()

    # --- plumbing ------------------------------------------------------------------------------

    def _client(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self._timeout + 35))
        return self._http

    async def _post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        body = {
            **body,
            "transaction": body.get("transaction") or secrets.token_hex(8),
            "apisecret": self._secret,
        }
        try:
            async with self._client().post(url, json=body) as reply:
                data: dict[str, Any] = await reply.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise SfuUnavailable("the media server did not answer") from exc
        if data.get("janus") == "error":
            code = int(data.get("error", {}).get("code", 0))
            raise SfuUnavailable(f"the media server refused a request (core {code})")
        return data

    async def _new_leg(self, instance: str) -> Leg:
        created = await self._post(instance, {"janus": "create"})
        session = int(created["data"]["id"])
        attached = await self._post(f"{instance}/{session}", {"janus": "attach", "plugin": _PLUGIN})
        return Leg(instance, session, int(attached["data"]["id"]))

    async def _control_leg(self, instance: str) -> Leg:
        async with self._control_lock:
            known = self._control.get(instance)
            if known is None:
                leg = await self._new_leg(instance)
                self._control[instance] = (leg.session, leg.handle)
                return leg
            return Leg(instance, *known)

    async def _sync(self, instance: str, body: dict[str, Any]) -> dict[str, Any]:
        """A synchronous VideoRoom request on this instance's control handle; its data."""
        for attempt in range(2):
            leg = await self._control_leg(instance)
            try:
                reply = await self._post(
                    f"{instance}/{leg.session}/{leg.handle}", {"janus": "message", "body": body}
                )
            except SfuUnavailable:
                if attempt:
                    raise
                self._control.pop(instance, None)  # the control session may have expired: once more
                continue
            data: dict[str, Any] = reply.get("plugindata", {}).get("data", {})
            return data
        raise SfuUnavailable("the media server did not answer")

    async def _call(
        self, leg: Leg, body: dict[str, Any], jsep: dict[str, str] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """An asynchronous VideoRoom request: (plugin data, jsep) of the event answering it."""
        transaction = secrets.token_hex(8)
        message: dict[str, Any] = {"janus": "message", "body": body, "transaction": transaction}
        if jsep is not None:
            message["jsep"] = jsep
        ack = await self._post(f"{leg.instance}/{leg.session}/{leg.handle}", message)
        if ack.get("janus") == "success":  # answered synchronously (e.g. an immediate error)
            return ack.get("plugindata", {}).get("data", {}), ack.get("jsep")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        while loop.time() < deadline:
            for event in await self._events(leg):
                if event.get("janus") == "error":
                    raise SfuUnavailable("the media server lost this connection")
                if event.get("transaction") == transaction and event.get("janus") == "event":
                    return event.get("plugindata", {}).get("data", {}), event.get("jsep")
        raise SfuUnavailable("the media server did not answer in time")

    async def _events(self, leg: Leg) -> list[dict[str, Any]]:
        """The session's next events (a long poll: Janus answers within 30 s, at worst a keepalive)."""
        params = {"maxev": "10", "apisecret": self._secret, "rid": secrets.token_hex(4)}
        try:
            async with self._client().get(f"{leg.instance}/{leg.session}", params=params) as reply:
                events = await reply.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise SfuUnavailable("the media server did not answer") from exc
        return [e for e in (events if isinstance(events, list) else [events]) if isinstance(e, dict)]

    @staticmethod
    def _check(data: dict[str, Any], *allowed: int) -> dict[str, Any]:
        code = int(data.get("error_code", 0))
        if code and code not in allowed:
            raise SfuUnavailable(f"the media server refused (videoroom {code})")
        return data

    # --- SfuPort -------------------------------------------------------------------------------

    async def create_room(self, room: SfuRoom, publishers: int) -> None:
        data = await self._sync(
            room.instance,
            {
                "request": "create",
                "room": room.room,
                "admin_key": self._admin_key,
                "secret": room.secret,
                "pin": room.pin,
                "is_private": True,
                "permanent": False,
                "publishers": publishers,
                "audiocodec": "opus",
                "videocodec": "vp8,h264",
                "bitrate": 768_000,
                "fir_freq": 5,
                "audiolevel_event": True,
                "notify_joining": False,
            },
        )
        self._check(data, _ROOM_EXISTS)

    async def destroy_room(self, room: SfuRoom) -> None:
        data = await self._sync(
            room.instance, {"request": "destroy", "room": room.room, "secret": room.secret}
        )
        self._check(data, _NO_SUCH_ROOM)

    async def publish(self, room: SfuRoom, feed: str, display: str, offer_sdp: str) -> tuple[Leg, str]:
        leg = await self._new_leg(room.instance)
        try:
            data, jsep = await self._call(
                leg,
                {
                    "request": "joinandconfigure",
                    "ptype": "publisher",
                    "room": room.room,
                    "pin": room.pin,
                    "id": feed,
                    "display": display,
                    "audio": True,
                    "video": True,
                    "data": True,
                },
                {"type": "offer", "sdp": offer_sdp},
            )
            self._check(data)
            if jsep is None or jsep.get("type") != "answer":
                raise SfuUnavailable("the media server sent no answer")
        except BaseException:
            await self.hang_up(leg)
            raise
        return leg, str(jsep["sdp"])

    async def subscribe(self, room: SfuRoom, feed: str) -> tuple[Leg, str]:
        leg = await self._new_leg(room.instance)
        try:
            data, jsep = await self._call(
                leg,
                {
                    "request": "join",
                    "ptype": "subscriber",
                    "room": room.room,
                    "pin": room.pin,
                    "streams": [{"feed": feed}],
                },
            )
            self._check(data)
            if jsep is None or jsep.get("type") != "offer":
                raise SfuUnavailable("the media server sent no offer")
        except BaseException:
            await self.hang_up(leg)
            raise
        return leg, str(jsep["sdp"])

    async def start(self, leg: Leg, answer_sdp: str) -> None:
        data, _ = await self._call(leg, {"request": "start"}, {"type": "answer", "sdp": answer_sdp})
        self._check(data)

    async def publishers(self, room: SfuRoom) -> list[Published]:
        data = self._check(
            await self._sync(room.instance, {"request": "listparticipants", "room": room.room})
        )
        return [
            Published(str(p["id"]), str(p.get("display", "")))
            for p in data.get("participants", [])
            if p.get("publisher")
        ]

    async def kick(self, room: SfuRoom, feed: str) -> None:
        data = await self._sync(
            room.instance, {"request": "kick", "room": room.room, "secret": room.secret, "id": feed}
        )
        self._check(data, _NO_SUCH_FEED, _NO_SUCH_ROOM)

    async def hang_up(self, leg: Leg) -> None:
        # Gone already (or the instance is down): nothing left to drop.
        with contextlib.suppress(SfuUnavailable):
            await self._post(f"{leg.instance}/{leg.session}", {"janus": "destroy"})

    async def wait_media_up(self, leg: Leg, timeout: float) -> bool:  # noqa: ASYNC109 - a deadline, not a cancel scope
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            for event in await self._events(leg):
                if event.get("janus") == "webrtcup":
                    return True
                if event.get("janus") in ("hangup", "error", "detached"):
                    return False
        return False

    async def healthy(self, instance: str) -> bool:
        try:
            reply = await self._post(instance, {"janus": "info"})
        except SfuUnavailable:
            return False
        return _PLUGIN in reply.get("plugins", {})
