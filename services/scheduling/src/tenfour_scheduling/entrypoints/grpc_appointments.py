"""Book, Reschedule, Cancel, reading appointments, and roster-change conflicts."""

from __future__ import annotations

import re

from tenfour.scheduling.v1 import appointments_pb2
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_scheduling.domain.alternatives import MAX_ALTERNATIVES
from tenfour_scheduling.entrypoints import requests
from tenfour_scheduling.entrypoints.grpc_base import Ctx, RpcBase
from tenfour_scheduling.service.booking.groups import MAX_GROUP_CAPACITY, MIN_GROUP_CAPACITY
from tenfour_shared.auth.principal import current_principal
from tenfour_shared.errors import InvalidInput

__all__ = ["AppointmentRpcs"]

Appointment = appointments_pb2.Appointment
_TOPIC = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class AppointmentRpcs(RpcBase):
    async def Book(self, request: pb.BookRequest, context: Ctx) -> Appointment:
        caller = current_principal()
        officer_id = requests.own_officer_id(caller, request.officer_id)
        key = requests.idempotency_key(request.idempotency_key)
        if request.group_appointment_id:
            if request.provider_id or request.HasField("start"):
                raise InvalidInput.single(
                    "group_appointment_id",
                    "a seat is taken with the group's id alone (no provider_id or start)",
                )
            return await self._s.groups.take_seat(
                officer_id=officer_id,
                agency_id=requests.agency_of(caller),
                group_id=request.group_appointment_id,
                idempotency_key=key,
            )
        agency = requests.agency_of(caller)
        start = requests.instant(request.start, request.HasField("start"), "start")
        if request.campaign_id:
            await self._s.campaigns.check_booking(
                agency, officer_id, request.campaign_id, start, request.attendance_reporting_acknowledged
            )
        booked = await self._s.book.book(
            officer_id=officer_id,
            agency_id=agency,
            provider_id=requests.provider_id(request.provider_id),
            session_type=requests.session_type(request.session_type),
            start=start,
            idempotency_key=key,
            campaign_id=request.campaign_id,
        )
        if request.campaign_id:
            await self._s.campaigns.booked(agency, request.campaign_id, officer_id, booked.appointment_id)
        return booked

    async def OfferGroupSession(self, request: pb.OfferGroupSessionRequest, context: Ctx) -> Appointment:
        caller = current_principal()
        key = requests.idempotency_key(request.idempotency_key)
        if not MIN_GROUP_CAPACITY <= request.capacity <= MAX_GROUP_CAPACITY:
            raise InvalidInput.single(
                "capacity", f"must be between {MIN_GROUP_CAPACITY} and {MAX_GROUP_CAPACITY} seats"
            )
        if request.topic_code and not _TOPIC.match(request.topic_code):
            raise InvalidInput.single("topic_code", "a topic code such as critical_incident")
        return await self._s.groups.offer(
            provider_id=caller.subject,
            agency_id=request.agency_id,
            start=requests.instant(request.start, request.HasField("start"), "start"),
            capacity=request.capacity,
            idempotency_key=key,
            topic_code=request.topic_code,
        )

    async def Reschedule(self, request: pb.RescheduleRequest, context: Ctx) -> Appointment:
        caller = current_principal()
        officer_id = requests.own_officer_id(caller, "")
        key = requests.idempotency_key(request.idempotency_key)
        if not request.appointment_id:
            raise InvalidInput.single("appointment_id", "is required")
        new_start = requests.instant(request.new_start, request.HasField("new_start"), "new_start")
        await self._s.campaigns.check_move(
            requests.agency_of(caller), officer_id, request.appointment_id, new_start
        )
        return await self._s.reschedule.reschedule(
            caller_id=officer_id,
            appointment_id=request.appointment_id,
            new_start=new_start,
            idempotency_key=key,
        )

    async def Cancel(self, request: pb.CancelRequest, context: Ctx) -> Appointment:
        if not request.appointment_id:
            raise InvalidInput.single("appointment_id", "is required")
        return await self._s.appointments.cancel(
            current_principal(), request.appointment_id, request.reason_code
        )

    async def GetAppointment(self, request: pb.GetAppointmentRequest, context: Ctx) -> Appointment:
        if not request.appointment_id:
            raise InvalidInput.single("appointment_id", "is required")
        return await self._s.appointments.get(current_principal(), request.appointment_id)

    async def ListAppointments(
        self, request: pb.ListAppointmentsRequest, context: Ctx
    ) -> pb.ListAppointmentsResponse:
        window = requests.time_range(request.range, True) if request.HasField("range") else None
        found = await self._s.appointments.list(current_principal(), window, request.include_past)
        return pb.ListAppointmentsResponse(appointments=found)

    async def ListConflicts(self, request: pb.ListConflictsRequest, context: Ctx) -> pb.ListConflictsResponse:
        officer_id = requests.own_officer_id(current_principal(), "")
        count = request.max_alternatives or self._s.conflict_alternatives
        if not 1 <= count <= MAX_ALTERNATIVES:
            raise InvalidInput.single(
                "max_alternatives", f"must be between 1 and {MAX_ALTERNATIVES} (0 for the default)"
            )
        # The marker first: a re-check finishing while the list is read (alternatives take a
        # while) must not make a list older than it look "checked against your latest shifts".
        version, at = await self._s.conflicts.last_checked(officer_id)
        found = await self._s.conflicts.list(officer_id, count, request.appointment_id)
        reply = pb.ListConflictsResponse(conflicts=found, checked_roster_version=version)
        if at is not None:
            reply.checked_at.FromDatetime(at)
        return reply
