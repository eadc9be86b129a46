"""The events identity publishes (tenfour.events.v1), built from domain records.

Officers are pseudonymous: events carry opaque ids, roles and agencies, never a username,
e-mail address or contact channel. Provider profiles carry the provider's professional
display name, since officers choose a provider by it.
"""

from __future__ import annotations

from datetime import datetime

from tenfour.common.v1 import common_pb2
from tenfour.events.v1 import identity_events_pb2 as ev
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_identity.domain.models import Agency, User
from tenfour_identity.domain.provider import FirstResponderCompetency, ProviderKind
from tenfour_identity.domain.records import StoredProfile
from tenfour_shared.auth.roles import Role
from tenfour_shared.events import envelope

__all__ = [
    "agency_registered",
    "profile_message",
    "profile_updated",
    "role_message",
    "user_deactivated",
    "user_registered",
]

_ROLES: dict[Role, common_pb2.Role.ValueType] = {
    Role.OFFICER: common_pb2.ROLE_OFFICER,
    Role.THERAPIST: common_pb2.ROLE_THERAPIST,
    Role.PEER_SUPPORTER: common_pb2.ROLE_PEER_SUPPORTER,
    Role.AGENCY_ADMIN: common_pb2.ROLE_AGENCY_ADMIN,
    Role.SYSTEM_ADMIN: common_pb2.ROLE_SYSTEM_ADMIN,
}
_KINDS: dict[ProviderKind, common_pb2.ProviderKind.ValueType] = {
    ProviderKind.THERAPIST: common_pb2.PROVIDER_KIND_THERAPIST,
    ProviderKind.PEER: common_pb2.PROVIDER_KIND_PEER,
}


def role_message(role: Role) -> common_pb2.Role.ValueType:
    return _ROLES[role]


def agency_registered(agency: Agency, now: datetime) -> Envelope:
    payload = ev.AgencyRegistered(
        agency_id=agency.id,
        timezone=agency.timezone,
        jurisdiction=agency.jurisdiction or "",
        crisis_line_text=agency.crisis_line_text,
    )
    return envelope.build(payload, subject=agency.id, when=now)


def user_registered(user: User, now: datetime, jurisdiction: str = "") -> Envelope:
    payload = ev.UserRegistered(
        user_id=user.id, agency_id=user.agency_id or "", role=_ROLES[user.role], jurisdiction=jurisdiction
    )
    return envelope.build(payload, subject=user.id, when=now)


def user_deactivated(user: User, reason_code: str, now: datetime) -> Envelope:
    payload = ev.UserDeactivated(user_id=user.id, agency_id=user.agency_id or "", reason_code=reason_code)
    return envelope.build(payload, subject=user.id, when=now)


def profile_message(user: User, stored: StoredProfile) -> ev.ProviderProfile:
    profile = stored.profile
    return ev.ProviderProfile(
        provider_id=user.id,
        kind=_KINDS[profile.kind],
        agency_ids=sorted(profile.agency_ids),
        jurisdictions=sorted(profile.jurisdictions),
        specialties=sorted(s.value for s in profile.specialties),
        modalities=sorted(m.value for m in profile.modalities),
        languages=list(profile.languages),
        gender=profile.gender.value,
        first_responder_competent=profile.first_responder_competency is not FirstResponderCompetency.NONE,
        timezone=profile.timezone,
        display_name=user.display_name,
        active=not user.disabled,
        first_responder_competency=profile.first_responder_competency.value,
        bio=profile.bio,
        accepting_new_clients=profile.accepting_new_clients,
    )


def profile_updated(user: User, stored: StoredProfile, now: datetime) -> Envelope:
    payload = ev.ProviderProfileUpdated(profile=profile_message(user, stored), version=stored.version)
    return envelope.build(payload, subject=user.id, when=now)
