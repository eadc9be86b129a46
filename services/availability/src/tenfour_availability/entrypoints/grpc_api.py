"""gRPC servicer: a thin translation between protobuf and the availability use cases."""

from __future__ import annotations

from typing import Any, TypeAlias

from grpc import aio

from tenfour.availability.v1 import availability_pb2, availability_pb2_grpc, rules_pb2
from tenfour_availability.adapters.messages import feed_message, rules_message
from tenfour_availability.entrypoints.requests import (
    field_errors,
    list_window,
    rules_from_request,
    session_type,
    under,
)
from tenfour_availability.service.access import authorize
from tenfour_availability.service.availability import AvailabilityService
from tenfour_availability.service.calendars import CalendarImports
from tenfour_availability.service.feeds import CalendarFeeds
from tenfour_shared.auth.principal import current_principal
from tenfour_shared.events.catalog.availability import SESSION_TYPE_NUMBERS, interval_to_proto

SERVICE_NAME = "tenfour.availability.v1.AvailabilityService"
Ctx: TypeAlias = aio.ServicerContext[Any, Any]


class AvailabilityApi(availability_pb2_grpc.AvailabilityServiceServicer):
    def __init__(
        self, service: AvailabilityService, calendars: CalendarImports, feeds: CalendarFeeds
    ) -> None:
        self._service = service
        self._calendars = calendars
        self._feeds = feeds

    async def GetRules(self, request: availability_pb2.GetRulesRequest, context: Ctx) -> rules_pb2.RuleSet:
        with field_errors():
            state = await self._service.get_rules(current_principal(), request.provider_id)
        return rules_message(state)

    async def SetRules(self, request: availability_pb2.SetRulesRequest, context: Ctx) -> rules_pb2.RuleSet:
        caller = current_principal()
        with field_errors(under("rules")):
            authorize(caller, request.rules.provider_id)  # before looking at the rules themselves
            rules, labels = rules_from_request(request.rules)
            state = await self._service.set_rules(caller, rules, labels, request.expected_version)
        return rules_message(state)

    async def UseDefaultRules(
        self, request: availability_pb2.UseDefaultRulesRequest, context: Ctx
    ) -> rules_pb2.RuleSet:
        with field_errors():
            state = await self._service.use_default_rules(
                current_principal(), request.provider_id, request.timezone, request.expected_version
            )
        return rules_message(state)

    async def ImportBusyCalendar(
        self, request: availability_pb2.ImportBusyCalendarRequest, context: Ctx
    ) -> availability_pb2.ImportBusyCalendarResponse:
        with field_errors():
            state = await self._calendars.import_busy_calendar(
                current_principal(), request.provider_id, request.ics
            )
        reply = availability_pb2.ImportBusyCalendarResponse(version=state.version)
        if state.busy is not None:
            reply.busy_intervals = len(state.busy.intervals)
            reply.horizon.CopyFrom(interval_to_proto(state.busy.horizon))
        return reply

    async def ListAvailability(
        self, request: availability_pb2.ListAvailabilityRequest, context: Ctx
    ) -> availability_pb2.ListAvailabilityResponse:
        caller = current_principal()
        with field_errors(window="range"):
            authorize(caller, request.provider_id)
            window = list_window(request)
            only = session_type(request.session_type)
            state, spans = await self._service.list_availability(caller, request.provider_id, window, only)
        reply = availability_pb2.ListAvailabilityResponse(
            version=state.version, timezone=state.rules.timezone if state.rules else ""
        )
        for span in spans:
            reply.free.add(
                range=interval_to_proto(span.interval),
                session_types=[SESSION_TYPE_NUMBERS[t] for t in span.session_types],
            )
        return reply

    async def SubscribeBusyCalendar(
        self, request: availability_pb2.SubscribeBusyCalendarRequest, context: Ctx
    ) -> availability_pb2.BusyCalendarFeed:
        with field_errors():
            feed = await self._feeds.subscribe(current_principal(), request.provider_id, request.url)
        return feed_message(feed)

    async def GetBusyCalendarFeed(
        self, request: availability_pb2.GetBusyCalendarFeedRequest, context: Ctx
    ) -> availability_pb2.BusyCalendarFeed:
        with field_errors():
            feed = await self._feeds.get(current_principal(), request.provider_id)
        return feed_message(feed)

    async def SyncBusyCalendarFeed(
        self, request: availability_pb2.SyncBusyCalendarFeedRequest, context: Ctx
    ) -> availability_pb2.BusyCalendarFeed:
        with field_errors():
            feed = await self._feeds.sync_now(current_principal(), request.provider_id)
        return feed_message(feed)

    async def UnsubscribeBusyCalendar(
        self, request: availability_pb2.UnsubscribeBusyCalendarRequest, context: Ctx
    ) -> availability_pb2.UnsubscribeBusyCalendarResponse:
        with field_errors():
            await self._feeds.unsubscribe(current_principal(), request.provider_id)
        return availability_pb2.UnsubscribeBusyCalendarResponse()
