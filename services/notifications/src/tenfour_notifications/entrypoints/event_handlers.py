"""Events -> the notices registry (what each event says) or the router. One explicit table per
source; ids are checked (a malformed event is a PermanentFailure: dead-lettered at once, never
blocking the ones after it)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from tenfour.common.v1 import common_pb2
from tenfour.events.v1 import availability_events_pb2 as avev
from tenfour.events.v1 import identity_events_pb2 as idev
from tenfour.events.v1 import scheduling_events_pb2 as sev
from tenfour.events.v1 import signaling_events_pb2 as sigev
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus
from tenfour_notifications.service.notices import Notices, Said
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


# What each event with a registered notice says (service/notices.py), ids checked.


def _reminder(p: sev.ReminderDue) -> Said:
    return Said(
        appointment_id=_id(p.appointment_id, "appointment id"),
        person=_id(p.user_id, "user id"),
        starts_at=_ts(p.start, p.HasField("start")),
    )


def _conflict(p: sev.AppointmentConflictDetected) -> Said:
    return Said(
        appointment_id=_id(p.appointment_id, "appointment id"),
        person=_id(p.officer_id, "officer id"),
        starts_at=_ts(p.time.start, p.HasField("time")),
    )


def _offered(p: sev.UrgentOffered) -> Said:
    named = tuple(_id(x, "provider id") for x in p.provider_ids)
    return Said(named=named, request_id=_id(p.request_id, "request id"))


def _assigned(p: sev.UrgentAssigned) -> Said:
    return Said(
        request_id=_id(p.request_id, "request id"),
        officer=_id(p.officer_id, "officer id"),
        person=_id(p.provider_id, "provider id"),
        appointment_id=_id(p.appointment_id, "appointment id", required=False),
        named=tuple(_id(x, "provider id") for x in p.withdrawn_provider_ids),  # offered it, not taken
    )


def _escalated(p: sev.UrgentEscalation) -> Said:
    return Said(
        request_id=_id(p.request_id, "request id"),
        agency_id=_id(p.agency_id, "agency id"),
        officer=_id(p.officer_id, "officer id", required=False),
        facts={"crisis_line_text": p.crisis_line_text[:500], "case_code": p.case_code[:64]},
    )


def _lapsing(p: sev.PeerTrainingLapsing) -> Said:
    return Said(
        person=_id(p.peer_id, "peer id"),
        agency_id=_id(p.agency_id, "agency id"),
        starts_at=_ts(p.expires_at, True),
    )


def _lapsed(p: sev.PeerTrainingLapsed) -> Said:
    return Said(
        person=_id(p.peer_id, "peer id"),
        agency_id=_id(p.agency_id, "agency id"),
        starts_at=_ts(p.expired_at, True),
    )


def _licence(p: sev.LicenceExpiring) -> Said:
    return Said(
        person=_id(p.clinician_id, "clinician id"),
        agency_id=_id(p.agency_id, "agency id"),
        other_agencies=tuple(_id(a, "agency id") for a in p.other_agency_ids),
        starts_at=_ts(p.expires_at, True),
    )


def _campaign(p: sev.CampaignLaunched | sev.CampaignInvitationAdded) -> Said:
    """Launched names the agency (every officer of it is invited); added names one officer."""
    return Said(
        agency_id=_id(p.agency_id, "agency id") if isinstance(p, sev.CampaignLaunched) else "",
        person=_id(p.officer_id, "officer id") if isinstance(p, sev.CampaignInvitationAdded) else "",
        starts_at=_ts(p.window.end, p.window.HasField("end")),
        facts={"attendance": "1"} if p.attendance_confirmation else {},
    )


def _referral(p: sev.ReferralProposed) -> Said:
    return Said(person=_id(p.officer_id, "officer id"))


def _times_requested(p: sev.ReferralTimesRequested) -> Said:
    """The clinicians listed (for the pool, scheduling lists the clinicians in it)."""
    return Said(named=tuple(_id(c, "clinician id") for c in p.clinician_ids))


def _queued(p: sev.ReferralQueued) -> Said:
    """The clinicians whose referral queue it entered (named, or the pool as it stood)."""
    return Said(named=tuple(_id(c, "clinician id") for c in p.clinician_ids))


def _times_proposed(p: sev.ReferralTimesProposed) -> Said:
    return Said(person=_id(p.officer_id, "officer id"))


def _feed_paused(p: avev.BusyCalendarFeedPaused) -> Said:
    return Said(person=_id(p.provider_id, "provider id"))


_SAID: dict[str, Callable[[Any], Said]] = {
    "scheduling.reminder_due": _reminder,
    "scheduling.appointment_conflict_detected": _conflict,
    "scheduling.urgent_offered": _offered,
    "scheduling.urgent_assigned": _assigned,
    "scheduling.urgent_escalation": _escalated,
    "scheduling.peer_training_lapsing": _lapsing,
    "scheduling.peer_training_lapsed": _lapsed,
    "scheduling.licence_expiring": _licence,
    "scheduling.campaign_launched": _campaign,
    "scheduling.campaign_invitation_added": _campaign,
    "scheduling.referral_proposed": _referral,
    "scheduling.referral_queued": _queued,
    "scheduling.referral_times_requested": _times_requested,
    "scheduling.referral_times_proposed": _times_proposed,
    "availability.busy_calendar_feed_paused": _feed_paused,
}


def _notices(notices: Notices, source: str) -> dict[str, Handler]:
    """One handler for each registered notice of this source's events."""

    def handler(event_type: str, said: Callable[[Any], Said]) -> Handler:
        async def notify(env: Envelope, payload: Message) -> None:
            await notices.notify(event_type, env.id, _at(env), said(payload))

        return notify

    return {t: handler(t, said) for t, said in _SAID.items() if t.startswith(f"{source}.")}


def scheduling_handlers(router: Router, notices: Notices) -> dict[str, Handler]:
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

    async def withdrawn(env: Envelope, payload: Message) -> None:
        assert isinstance(payload, sev.UrgentWithdrawn)
        await router.urgent_withdrawn(
            _id(payload.request_id, "request id"),
            [_id(p, "provider id") for p in payload.provider_ids],
            payload.reason if payload.reason in ("cancelled", "replaced") else "declined",
        )

    return {
        **_notices(notices, "scheduling"),
        "scheduling.appointment_status_changed": status_changed,
        "scheduling.appointment_rescheduled": rescheduled,
        "scheduling.urgent_withdrawn": withdrawn,
    }


def availability_handlers(notices: Notices) -> dict[str, Handler]:
    return _notices(notices, "availability")


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
