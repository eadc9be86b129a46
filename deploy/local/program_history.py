"""A past month of the demo agency's program, so `make run` shows real Program numbers at once.

Outcomes publishes a month only after it has closed (14 days after its end) and only from
identity's and scheduling's events, so a new system would show "No month has been published
yet." for weeks. Under `make run` (never a deployment: only this script does it) the events
that month would have produced are published straight to NATS for the month before last:
enrolments, then one-to-one sessions, mostly fulfilled, some missed, on days off and work days,
with clinicians and a peer supporter, and warm handoffs (referrals made, agreed to, and sessions
booked from them). Every id is made up (`u-history-…`, `appt-history-…`) and
belongs to no account: nobody's lists change and no notification names anyone. The ids are
derived from the agency, so a second run repeats the same facts and changes nothing.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta

from google.protobuf.message import Message

from tenfour.common.v1 import common_pb2
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.events.v1.identity_events_pb2 import UserRegistered
from tenfour.events.v1.scheduling_events_pb2 import (
    AppointmentStatusChanged,
    ReferralAnswered,
    ReferralProposed,
)
from tenfour.scheduling.v1 import appointments_pb2 as ap

__all__ = ["OFFICERS", "history_events", "history_month", "publish_history"]

OFFICERS = 24  # well above the small-cell threshold of 11, so figures show
REFERRED, AGREED = 18, 14  # officers referred, and of them those who agreed (then booked)
_PROVIDERS = (("clinician-1", common_pb2.ROLE_THERAPIST), ("clinician-2", common_pb2.ROLE_THERAPIST),
              ("peer-1", common_pb2.ROLE_PEER_SUPPORTER))  # fmt: skip


def history_month(today: date) -> date:
    """The first day of the month before last: always closed and past its publication delay."""
    previous = today.replace(day=1) - timedelta(days=1)  # a day of last month
    return (previous.replace(day=1) - timedelta(days=1)).replace(day=1)


def _id(agency_id: str, kind: str, n: int | str) -> str:
    digest = hashlib.sha256(f"{agency_id}|{kind}|{n}".encode()).hexdigest()[:12]
    return f"{kind}-history-{digest}"


def _env(payload: Message, subject: str, when: datetime, event_id: str) -> Envelope:
    from tenfour_shared.events.envelope import build

    return build(payload, subject=subject, when=when, event_id=event_id)


def history_events(agency_id: str, today: date) -> list[Envelope]:
    """Enrolments and sessions of the month before last, in the order they would have happened."""
    month = history_month(today)
    events: list[Envelope] = []
    providers = [(_id(agency_id, "u", name), role) for name, role in _PROVIDERS]
    for provider_id, role in providers:
        joined = datetime.combine(month - timedelta(days=20), time(9), UTC)
        registered = UserRegistered(user_id=provider_id, role=role)
        events.append(_env(registered, provider_id, joined, _id(agency_id, "ev", provider_id)))
    for n in range(OFFICERS):
        officer = _id(agency_id, "u", f"officer-{n}")
        joined = datetime.combine(month - timedelta(days=10 - n % 9), time(8 + n % 10), UTC)
        registered = UserRegistered(user_id=officer, agency_id=agency_id, role=common_pb2.ROLE_OFFICER)
        events.append(_env(registered, officer, joined, _id(agency_id, "ev", officer)))
        if n < REFERRED:
            events.extend(_referral(agency_id, officer, n, datetime.combine(month, time(9), UTC)))
        for k in range(1 + n % 3):  # one to three sessions each
            day = month + timedelta(days=(n * 3 + k * 9) % 27)
            start = datetime.combine(day, time(10 + (n + k) % 8), UTC)
            provider_id, role = providers[(n + k) % len(providers)]
            missed = (n + k) % 9 == 4
            appointment = ap.Appointment(
                appointment_id=_id(agency_id, "appt", f"{n}-{k}"),
                agency_id=agency_id,
                provider_id=provider_id,
                officer_ids=[officer],
                session_type=common_pb2.SESSION_TYPE_INDIVIDUAL,
                status=ap.APPOINTMENT_STATUS_NOSHOW if missed else ap.APPOINTMENT_STATUS_FULFILLED,
                capacity=1,
                version=3,
                officer_day_kinds=[ap.DAY_KIND_DAY_OFF if (n + k) % 3 else ap.DAY_KIND_WORK_DAY],
                from_referral=k == 0 and n < AGREED,
            )
            appointment.time.start.FromDatetime(start)
            appointment.time.end.FromDatetime(start + timedelta(minutes=50))
            appointment.created_at.FromDatetime(start - timedelta(days=2 + n % 5))
            changed = AppointmentStatusChanged(
                appointment=appointment, previous_status=ap.APPOINTMENT_STATUS_BOOKED
            )
            events.append(_env(changed, appointment.appointment_id, start + timedelta(minutes=50),
                               _id(agency_id, "ev", appointment.appointment_id)))  # fmt: skip
    return events


def _referral(agency_id: str, officer: str, n: int, month_start: datetime) -> list[Envelope]:
    """A peer's referral of this officer in the first days of the month, agreed to a day later."""
    referral_id = _id(agency_id, "ref", n)
    made = month_start + timedelta(hours=n)
    proposed = ReferralProposed(officer_id=officer, agency_id=agency_id, referral_id=referral_id)
    proposed.proposed_at.FromDatetime(made)
    out = [_env(proposed, referral_id, made, _id(agency_id, "ev", f"{referral_id}-made"))]
    if n < AGREED:
        answered = ReferralAnswered(
            officer_id=officer, agency_id=agency_id, referral_id=referral_id, consented=True
        )
        answered.answered_at.FromDatetime(made + timedelta(days=1))
        out.append(
            _env(
                answered, referral_id, made + timedelta(days=1), _id(agency_id, "ev", f"{referral_id}-agreed")
            )
        )
    return out


async def publish_history(nats_url: str, events: list[Envelope]) -> int:
    from tenfour_shared.events.bus import connect, publish

    nc, js = await connect(nats_url, "make-run-history")
    try:
        for env in events:
            await publish(js, env, msg_id=env.id)
    finally:
        await nc.drain()
    return len(events)
