"""The one place where signaling's adapters, handlers and entrypoints are wired."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from tenfour.signaling.v1 import signaling_pb2_grpc
from tenfour_shared import logs
from tenfour_shared.access_audit import AccessAuditInterceptor
from tenfour_shared.auth_wiring import auth_interceptor
from tenfour_shared.infra import Infra
from tenfour_shared.redis_store import connect_service as connect_redis
from tenfour_shared.server import Runtime
from tenfour_signaling.adapters.janus import JanusVideoRoom
from tenfour_signaling.adapters.live import LiveBus
from tenfour_signaling.adapters.room_store import RoomStore
from tenfour_signaling.adapters.sfu_store import SfuStore
from tenfour_signaling.config import Settings
from tenfour_signaling.entrypoints.audited import AUDITED
from tenfour_signaling.entrypoints.events import scheduling_handlers
from tenfour_signaling.entrypoints.grpc_api import SERVICE_NAME, SignalingApi
from tenfour_signaling.entrypoints.periodic import sweep_forever, watch_sfu_forever
from tenfour_signaling.entrypoints.policy import POLICY
from tenfour_signaling.service.bookings import Bookings
from tenfour_signaling.service.group_media import GroupMedia
from tenfour_signaling.service.ice import IceService
from tenfour_signaling.service.precall import PreCallChecks
from tenfour_signaling.service.rooms import Rooms
from tenfour_signaling.service.sfu_rooms import SfuRooms
from tenfour_signaling.service.signals import Signals
from tenfour_signaling.service.sweeper import Sweeper
from tenfour_signaling.service.writer import Clock, RoomTimes, RoomWriter

SERVICE = "signaling"
log = logging.getLogger("tenfour.signaling")


def _now() -> datetime:
    return datetime.now(UTC)


@asynccontextmanager
async def running(settings: Settings, clock: Clock = _now) -> AsyncIterator[Runtime]:
    """The service serving until the block ends; tests and benchmarks use it in-process."""
    infra = Infra(settings, SERVICE)
    redis = connect_redis(settings)  # streams' own pool; infra.redis serves relay and consumer
    store = RoomStore(redis, settings.resume_window)
    live = LiveBus(infra.nc)
    times = RoomTimes(
        open_before=settings.open_before,
        grace_after=settings.grace_after,
        retention=timedelta(seconds=settings.room_retention_seconds),
        resume_window=settings.resume_window,
    )
    writer = RoomWriter(store, live, infra.relay, times, clock)
    rooms = Rooms(writer)
    ice_settings = settings.ice_settings()
    if ice_settings is None:
        log.warning("no TURN secret: clients get no STUN/TURN servers (host candidates only)")
    signals = Signals(writer, live, ice_settings, settings.heartbeat_seconds, clock)
    ice = IceService(ice_settings, writer, timedelta(seconds=settings.precall_max_seconds * 2), clock)
    janus = (
        JanusVideoRoom(
            settings.janus_api_secret.get_secret_value(), settings.janus_room_admin_key.get_secret_value()
        )
        if settings.janus_urls
        else None
    )
    sfu_store = SfuStore(redis)
    sfu_rooms = SfuRooms(writer, janus, sfu_store, list(settings.janus_urls), clock)
    media = GroupMedia(
        writer, sfu_rooms, sfu_store, sfu_for_pairs=settings.sfu_for_pairs, ice=ice_settings, clock=clock
    )
    writer.watch(sfu_rooms.on_transition)
    precall = PreCallChecks(ice.for_echo_peer, settings.precall_max_seconds, settings.precall_max_concurrent)
    infra.consume("scheduling", scheduling_handlers(Bookings(writer)))
    audit = AccessAuditInterceptor(SERVICE, infra.redis, infra.relay, AUDITED)
    runtime = Runtime(SERVICE, settings, [SERVICE_NAME], [auth_interceptor(settings, POLICY), audit])
    signaling_pb2_grpc.add_SignalingServiceServicer_to_server(
        SignalingApi(writer, rooms, signals, ice, precall, media), runtime.server
    )
    async with runtime:
        await infra.connect(runtime)
        runtime.on_close(redis.aclose)
        runtime.on_close(precall.close_all)
        runtime.on_close(media.shutdown)
        if janus is not None:
            runtime.on_close(janus.close)
        runtime.spawn(
            "sweeper",
            lambda: sweep_forever(Sweeper(writer), store, settings.instance_id, settings.sweep_seconds),
        )
        if janus is not None:
            runtime.spawn(
                "sfu-watch",
                lambda: watch_sfu_forever(sfu_rooms, store, settings.instance_id, settings.sweep_seconds),
            )
        await runtime.ready()
        try:
            yield runtime
        finally:
            # Open streams end now (clients resume on another instance) instead of holding the drain.
            signals.close_streams()


async def serve(settings: Settings) -> None:
    logs.configure(SERVICE, settings.log_level)
    async with running(settings) as runtime:
        await runtime.wait()
