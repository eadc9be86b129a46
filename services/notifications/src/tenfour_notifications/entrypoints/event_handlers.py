"""Events -> the router. One explicit table per source; ids are checked (a malformed event is a
PermanentFailure: dead-lettered at once, never blocking the ones after it)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from tenfour.common.v1 import common_pb2
from tenfour.events.v1 import availability_events_pb2 as avev
from tenfour.events.v1 import identity_events_pb2 as idev
from tenfour.events.v1 import scheduling_events_pb2 as sev
from tenfour.events.v1 import signaling_events_pb2 as sigev
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus
from tenfour_notifications.service.ports import AppointmentView, Channels, Directory, UserInfo
from tenfour_notifications.service.router import Router
from tenfour_shared.events.consumer import Handler, PermanentFailure

__all__ = ["availability_handlers", "identity_handlers", "scheduling_handlers", "signaling_handlers"]

_ID = re.compile(r"[^\s{}|]{1,255}")
_ROLES = {
    common_pb2.ROLE_OFFICER: "officer",
    common_pb2.ROLE_THERAPIST: "therapist",
    common_pb2.ROLE_PEER_SUPPORTER: "peer_supporter",
    common_pb2.ROLE_AGENCY_ADMIN: "agency_admin",
    common_pb2.ROLE_SYSTEM_ADMIN: "system_admin",
}


def _id(value: str, what: str, required: bool = True) -> str:
    if not value and not required:
        return ""
    if not _ID.fullmatch(value):
        raise PermanentFailure(f"malformed {what}")
    return value


def _at(env: Envelope) -> datetime:
    return env.time.ToDatetime(tzinfo=UTC) if env.HasField("time") else datetime.now(UTC)


def _ts(ts: Timestamp, present: bool) -> datetime | None:
    return ts.ToDatetime(tzinfo=UTC) if present else None


def _status(value: AppointmentStatus.ValueType) -> str:
    name = AppointmentStatus.Name(value) if value in AppointmentStatus.values() else ""
    return name.removeprefix("APPOINTMENT_STATUS_").lower().replace("unspecified", "")


def _view(a: Appointment) -> AppointmentView:
    return AppointmentView(
        appointment_id=_id(a.appointment_id, "appointment id"),
        agency_id=a.agency_id,
        provider_id=_id(a.provider_id, "provider id", required=False),
        officer_ids=tuple(_id(o, "officer id") for o in a.officer_ids),
        start=_ts(a.time.start, a.time.HasField("start")),
        status=_status(a.status),
        group=a.session_type == common_pb2.SESSION_TYPE_GROUP,
        capacity=a.capacity,
        version=a.version,
    )


def scheduling_handlers(router: Router) -> dict[str, Handler]:
    async def reminder_due(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, sev.ReminderDue)
        await router.reminder_due(
            env.id,
            _at(env),
            _id(payload.appointment_id, "appointment id"),
            _id(payload.user_id, "user id"),
            _ts(payload.start, payload.HasField("start")),
        )

    async def status_changed(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, sev.AppointmentStatusChanged)
        view = _view(payload.appointment)
        await router.appointment_changed(
            env.id,
            _at(env),
            view,
            _status(payload.previous_status),
            payload.reason_code,
            payload.appointment.urgent,
        )

    async def rescheduled(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, sev.AppointmentRescheduled)
        await router.appointment_moved(env.id, _at(env), _view(payload.appointment))

    async def conflict(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, sev.AppointmentConflictDetected)
        await router.conflict(
            env.id,
            _at(env),
            _id(payload.appointment_id, "appointment id"),
            _id(payload.officer_id, "officer id"),
            payload.time.start.ToDatetime(tzinfo=UTC) if payload.HasField("time") else None,
        )

    async def offered(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, sev.UrgentOffered)
        providers = [_id(p, "provider id") for p in payload.provider_ids]
        await router.urgent_offered(env.id, _at(env), _id(payload.request_id, "request id"), providers)

    async def assigned(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, sev.UrgentAssigned)
        await router.urgent_assigned(
            env.id,
            _at(env),
            _id(payload.request_id, "request id"),
            _id(payload.officer_id, "officer id"),
            _id(payload.provider_id, "provider id"),
            _id(payload.appointment_id, "appointment id", required=False),
            [_id(p, "provider id") for p in payload.withdrawn_provider_ids],
        )

    async def withdrawn(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, sev.UrgentWithdrawn)
        await router.urgent_withdrawn(
            _id(payload.request_id, "request id"),
            [_id(p, "provider id") for p in payload.provider_ids],
            payload.reason if payload.reason in ("cancelled", "replaced") else "declined",
        )

    async def escalated(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, sev.UrgentEscalation)
        await router.urgent_escalated(
            env.id,
            _at(env),
            _id(payload.request_id, "request id"),
            _id(payload.agency_id, "agency id"),
            _id(payload.officer_id, "officer id", required=False),
            payload.crisis_line_text[:500],
            payload.case_code[:64],
        )

    async def training(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, sev.PeerTrainingLapsing | sev.PeerTrainingLapsed)
        lapsed = isinstance(payload, sev.PeerTrainingLapsed)
        when = payload.expired_at if isinstance(payload, sev.PeerTrainingLapsed) else payload.expires_at
        await router.training_due(
            env.id,
            _at(env),
            _id(payload.peer_id, "peer id"),
            _id(payload.agency_id, "agency id"),
            _ts(when, True),
            lapsed,
        )

    async def licence(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, sev.LicenceExpiring)
        await router.licence_expiring(
            env.id,
            _at(env),
            _id(payload.clinician_id, "clinician id"),
            _id(payload.agency_id, "agency id"),
            _ts(payload.expires_at, True),
        )

    async def campaign(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, sev.CampaignLaunched)
        await router.campaign_launched(
            env.id,
            _at(env),
            _id(payload.agency_id, "agency id"),
            _ts(payload.window.end, payload.window.HasField("end")),
            payload.attendance_confirmation,
        )

    async def invitation_added(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, sev.CampaignInvitationAdded)
        await router.campaign_invitation(
            env.id,
            _at(env),
            _id(payload.officer_id, "officer id"),
            _ts(payload.window.end, payload.window.HasField("end")),
            payload.attendance_confirmation,
        )

    async def referral(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, sev.ReferralProposed)
        await router.referral_proposed(env.id, _at(env), _id(payload.officer_id, "officer id"))

    return {
        "scheduling.referral_proposed": referral,
        "scheduling.licence_expiring": licence,
        "scheduling.campaign_launched": campaign,
        "scheduling.campaign_invitation_added": invitation_added,
        "scheduling.peer_training_lapsing": training,
        "scheduling.peer_training_lapsed": training,
        "scheduling.reminder_due": reminder_due,
        "scheduling.appointment_status_changed": status_changed,
        "scheduling.appointment_rescheduled": rescheduled,
        "scheduling.appointment_conflict_detected": conflict,
        "scheduling.urgent_offered": offered,
        "scheduling.urgent_assigned": assigned,
        "scheduling.urgent_withdrawn": withdrawn,
        "scheduling.urgent_escalation": escalated,
    }


def availability_handlers(router: Router) -> dict[str, Handler]:
    async def feed_paused(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, avev.BusyCalendarFeedPaused)
        await router.calendar_feed_paused(env.id, _at(env), _id(payload.provider_id, "provider id"))

    return {"availability.busy_calendar_feed_paused": feed_paused}


def signaling_handlers(router: Router) -> dict[str, Handler]:
    async def joined(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, sigev.ParticipantJoined)
        await router.participant_joined(
            env.id, _at(env), _id(payload.appointment_id, "appointment id"), payload.role, payload.waiting
        )

    return {"signaling.participant_joined": joined}


def identity_handlers(router: Router, directory: Directory, channels: Channels) -> dict[str, Handler]:
    async def registered(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, idev.UserRegistered)
        info = UserInfo(_id(payload.user_id, "user id"), _ROLES.get(payload.role, ""), payload.agency_id)
        await router.user_registered(info)

    async def deactivated(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, idev.UserDeactivated)
        user = _id(payload.user_id, "user id")
        await channels.forget_user(user)  # addresses, devices, choices, inbox and log: gone
        await directory.forget_user(user)

    async def profile(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, idev.ProviderProfileUpdated)
        p = payload.profile
        await directory.put_provider_name(
            _id(p.provider_id, "provider id"), p.display_name[:200], payload.version
        )

    return {
        "identity.user_registered": registered,
        "identity.user_deactivated": deactivated,
        "identity.provider_profile_updated": profile,
    }
