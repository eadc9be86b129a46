"""gRPC servicer: a thin translation between protobuf and the signaling use cases."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any, TypeAlias

from grpc import aio

from tenfour.signaling.v1 import signaling_pb2 as pb
from tenfour.signaling.v1 import signaling_pb2_grpc
from tenfour_shared.auth.principal import current_principal
from tenfour_shared.errors import InvalidInput
from tenfour_shared.proto_time import to_timedelta
from tenfour_signaling import wire
from tenfour_signaling.domain import IceConfiguration, Presence
from tenfour_signaling.entrypoints.errors import translated
from tenfour_signaling.service.access import Caller, require_seat
from tenfour_signaling.service.group_media import GroupMedia
from tenfour_signaling.service.ice import IceService
from tenfour_signaling.service.precall import PreCallChecks
from tenfour_signaling.service.rooms import Rooms
from tenfour_signaling.service.signals import Signals
from tenfour_signaling.service.writer import RoomWriter

SERVICE_NAME = "tenfour.signaling.v1.SignalingService"
Ctx: TypeAlias = aio.ServicerContext[Any, Any]

_APPOINTMENT = re.compile(r"[^\s{}]{1,255}")
_HANDLE = re.compile(r"[A-Za-z0-9_-]{8,64}")


def _caller() -> Caller:
    principal = current_principal()
    return Caller(principal.subject, principal.role, principal.agency_id)


def _appointment(value: str, field: str = "appointment_id") -> str:
    if _APPOINTMENT.fullmatch(value) is None:
        raise InvalidInput.single(field, "an appointment id is required")
    return value


def _handle(value: str, field: str) -> str:
    if _HANDLE.fullmatch(value) is None:
        raise InvalidInput.single(field, "a session or participant id is required")
    return value


def _ttl(ice: IceConfiguration, now: datetime) -> Any:
    return wire.duration(ice.expires_at - now) if ice.expires_at is not None else None


class SignalingApi(signaling_pb2_grpc.SignalingServiceServicer):
    def __init__(
        self,
        writer: RoomWriter,
        rooms: Rooms,
        signals: Signals,
        ice: IceService,
        precall: PreCallChecks,
        media: GroupMedia,
    ) -> None:
        self._writer = writer
        self._rooms = rooms
        self._signals = signals
        self._ice = ice
        self._precall = precall
        self._media = media

    async def Join(self, request: pb.JoinRequest, context: Ctx) -> pb.JoinResponse:
        appointment_id = _appointment(request.appointment_id)
        with translated():
            self._ice.check_relay(request.relay_only)  # before anyone is told we joined
            joined = await self._rooms.join(_caller(), appointment_id, relay_only=request.relay_only)
            ice = self._ice.for_seat(joined.room, joined.seat)
        now = self._writer.clock()
        return pb.JoinResponse(
            session_id=joined.room.session_id,
            participant_id=joined.seat.handle,
            waiting=joined.seat.presence is Presence.WAITING,
            ice_servers=wire.ice_servers_pb(ice.servers),
            relay_only=ice.relay_only,
            room=wire.room_state(joined.room, joined.seat, now),
            resume_from_seq=joined.resume_from_seq,
            ice_ttl=_ttl(ice, now),
            media=self._media.mode(joined.room).value,
        )

    async def Subscribe(self, request: pb.SubscribeRequest, context: Ctx) -> AsyncIterator[pb.SignalEvent]:
        session_id = _handle(request.session_id, "session_id")
        with translated():
            async for event in self._signals.stream(_caller(), session_id, request.last_seen_seq):
                yield event

    async def Send(self, request: pb.SendRequest, context: Ctx) -> pb.SendResponse:
        with translated("body"):
            relayed = await self._signals.send(_caller(), wire.outbound_from_request(request))
        return pb.SendResponse(accepted_seq=relayed.accepted_seq, duplicate=relayed.duplicate)

    async def Connect(
        self, request_iterator: AsyncIterator[pb.ClientSignal], context: Ctx
    ) -> AsyncIterator[pb.SignalEvent]:
        """Subscribe and Send on one bidi call (native clients): the first message subscribes."""
        caller = _caller()
        first = await anext(aiter(request_iterator), None)
        if first is None or first.WhichOneof("body") != "subscribe":
            raise InvalidInput.single("subscribe", "the first message must subscribe")
        session_id = _handle(first.subscribe.session_id, "subscribe.session_id")
        out: asyncio.Queue[pb.SignalEvent | Exception | None] = asyncio.Queue()

        async def follow() -> None:
            try:
                async for event in self._signals.stream(caller, session_id, first.subscribe.last_seen_seq):
                    await out.put(event)
                await out.put(None)
            except Exception as exc:
                await out.put(exc)

        async def relay_sends() -> None:
            try:
                async for message in request_iterator:
                    if message.WhichOneof("body") != "send":
                        raise InvalidInput.single("send", "only sends may follow the subscribe")
                    await self._signals.send(caller, wire.outbound_from_request(message.send))
            except Exception as exc:
                await out.put(exc)

        tasks = [asyncio.create_task(follow()), asyncio.create_task(relay_sends())]
        try:
            with translated():
                while (item := await out.get()) is not None:
                    if isinstance(item, Exception):
                        raise item
                    yield item
        finally:
            for task in tasks:
                task.cancel()
            with contextlib.suppress(Exception):
                await asyncio.gather(*tasks, return_exceptions=True)

    async def Leave(self, request: pb.LeaveRequest, context: Ctx) -> pb.LeaveResponse:
        session_id = _handle(request.session_id, "session_id")
        with translated():
            await self._rooms.leave(_caller(), session_id)
        return pb.LeaveResponse()

    async def ReportConnection(
        self, request: pb.ReportConnectionRequest, context: Ctx
    ) -> pb.ReportConnectionResponse:
        session_id = _handle(request.session_id, "session_id")
        with translated("candidate_type"):
            await self._rooms.report_connection(
                _caller(), session_id, request.candidate_type, to_timedelta(request.setup_time, "setup_time")
            )
        return pb.ReportConnectionResponse()

    async def Admit(self, request: pb.AdmitRequest, context: Ctx) -> pb.RoomState:
        appointment_id = _appointment(request.appointment_id)
        handle = _handle(request.participant_id, "participant_id")
        with translated():
            room = await self._rooms.admit(_caller(), appointment_id, handle)
        return wire.room_state(room, None, self._writer.clock())

    async def Remove(self, request: pb.RemoveRequest, context: Ctx) -> pb.RoomState:
        appointment_id = _appointment(request.appointment_id)
        handle = _handle(request.participant_id, "participant_id")
        with translated():
            room = await self._rooms.remove(_caller(), appointment_id, handle)
        return wire.room_state(room, None, self._writer.clock())

    async def EndSession(self, request: pb.EndSessionRequest, context: Ctx) -> pb.RoomState:
        appointment_id = _appointment(request.appointment_id)
        with translated():
            room = await self._rooms.end(_caller(), appointment_id)
        return wire.room_state(room, None, self._writer.clock())

    async def GetRoom(self, request: pb.GetRoomRequest, context: Ctx) -> pb.RoomState:
        appointment_id = _appointment(request.appointment_id)
        with translated():
            room = (await self._writer.fresh(appointment_id)).room
            seat = require_seat(room, _caller())
        return wire.room_state(room, seat, self._writer.clock())

    async def GetIceServers(self, request: pb.GetIceServersRequest, context: Ctx) -> pb.GetIceServersResponse:
        with translated():
            if request.appointment_id:
                appointment_id = _appointment(request.appointment_id)
                ice = await self._ice.for_appointment(
                    _caller(), appointment_id, relay_only=request.relay_only
                )
            else:
                ice = self._ice.for_precall(_caller(), relay_only=request.relay_only)
        return pb.GetIceServersResponse(
            ice_servers=wire.ice_servers_pb(ice.servers),
            relay_only=ice.relay_only,
            ttl=_ttl(ice, self._writer.clock()),
        )

    async def PreCallCheck(self, request: pb.PreCallCheckRequest, context: Ctx) -> pb.PreCallCheckResponse:
        with translated("offer_sdp"):
            echo = await self._precall.answer(request.offer_sdp)
        return pb.PreCallCheckResponse(
            answer_sdp=echo.answer_sdp,
            check_id=echo.check_id,
            max_duration=wire.duration(timedelta(seconds=echo.max_seconds)),
        )

    # --- group media (SFU) ----------------------------------------------------------------------

    async def PublishMedia(self, request: pb.PublishMediaRequest, context: Ctx) -> pb.PublishMediaResponse:
        session_id = _handle(request.session_id, "session_id")
        with translated("offer_sdp"):
            answer = await self._media.publish(_caller(), session_id, request.offer_sdp, request.display_name)
        return pb.PublishMediaResponse(answer_sdp=answer)

    async def ListMedia(self, request: pb.ListMediaRequest, context: Ctx) -> pb.ListMediaResponse:
        session_id = _handle(request.session_id, "session_id")
        with translated():
            feeds = await self._media.feeds(_caller(), session_id)
        return pb.ListMediaResponse(
            feeds=[
                pb.MediaFeed(participant_id=f.participant_id, display_name=f.display_name, role=f.role)
                for f in feeds
            ]
        )

    async def SubscribeMedia(
        self, request: pb.SubscribeMediaRequest, context: Ctx
    ) -> pb.SubscribeMediaResponse:
        session_id = _handle(request.session_id, "session_id")
        feed = _handle(request.participant_id, "participant_id")
        with translated("participant_id"):
            offer = await self._media.subscribe(_caller(), session_id, feed)
        return pb.SubscribeMediaResponse(offer_sdp=offer)

    async def AnswerMedia(self, request: pb.AnswerMediaRequest, context: Ctx) -> pb.AnswerMediaResponse:
        session_id = _handle(request.session_id, "session_id")
        feed = _handle(request.participant_id, "participant_id")
        with translated("answer_sdp"):
            await self._media.answer(_caller(), session_id, feed, request.answer_sdp)
        return pb.AnswerMediaResponse()

    async def MuteParticipant(self, request: pb.MuteParticipantRequest, context: Ctx) -> pb.RoomState:
        appointment_id = _appointment(request.appointment_id)
        handle = _handle(request.participant_id, "participant_id")
        with translated():
            room = await self._media.ask_to_mute(_caller(), appointment_id, handle)
        return wire.room_state(room, None, self._writer.clock())
