"""Protobuf <-> identity values, and who is calling from where.

What a reply reveals depends on who asks: a user sees everything of their own account;
others never see an officer's username, e-mail address or contact channel (a peer
supporter's display name is shown, since officers choose a provider by it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeAlias

from grpc import aio

from tenfour.common.v1 import common_pb2
from tenfour.events.v1 import identity_events_pb2 as ev
from tenfour.identity.v1 import identity_pb2 as pb
from tenfour_identity.domain.enrolment import EnrolmentCode
from tenfour_identity.domain.models import User
from tenfour_identity.domain.provider import ProviderKind
from tenfour_identity.domain.roles import PSEUDONYMOUS_ROLES
from tenfour_identity.service import events
from tenfour_identity.service.agencies import coarsen
from tenfour_identity.service.auth import AuthOutcome
from tenfour_identity.service.providers import ProfileInput
from tenfour_shared.auth.roles import Role

__all__ = ["CLIENT_METADATA_KEY", "auth_result", "profile_input", "request_source", "user_message"]

CLIENT_METADATA_KEY = "x-tenfour-client"
_MAX_CLIENT_TAG = 200
Ctx: TypeAlias = aio.ServicerContext[Any, Any]

_KINDS = {
    common_pb2.PROVIDER_KIND_THERAPIST: ProviderKind.THERAPIST,
    common_pb2.PROVIDER_KIND_PEER: ProviderKind.PEER,
}


def user_message(user: User, *, own: bool = False, mfa_enabled: bool = False, contact: str = "") -> pb.User:
    message = pb.User(
        user_id=user.id,
        agency_id=user.agency_id or "",
        role=events.role_message(user.role),
        active=not user.disabled,
    )
    staff = user.role not in PSEUDONYMOUS_ROLES
    if own or staff or user.role is Role.PEER_SUPPORTER:  # a peer's name is shown to officers who book
        message.display_name = user.display_name
    if own or staff:
        message.username = user.username
        message.email = user.email or ""
    if own:
        message.mfa_enabled = mfa_enabled
        message.contact_channel = contact
    return message


def auth_result(outcome: AuthOutcome) -> pb.AuthResult:
    result = pb.AuthResult(
        mfa_required=outcome.mfa_required,
        mfa_setup_required=bool(outcome.mfa_setup_ticket),
        mfa_setup_ticket=outcome.mfa_setup_ticket,
    )
    if outcome.access is not None and outcome.user is not None:
        result.access_token = outcome.access.token
        result.refresh_token = outcome.refresh_token
        result.access_expires_at.FromDatetime(outcome.access.expires_at)
        result.user.CopyFrom(user_message(outcome.user, own=True, mfa_enabled=outcome.mfa_enabled))
    return result


def profile_input(message: ev.ProviderProfile) -> ProfileInput:
    return ProfileInput(
        provider_id=message.provider_id,
        kind=_KINDS.get(message.kind),
        agency_ids=list(message.agency_ids),
        jurisdictions=list(message.jurisdictions),
        specialties=list(message.specialties),
        modalities=list(message.modalities),
        languages=list(message.languages),
        gender=message.gender,
        first_responder_competency=message.first_responder_competency,
        first_responder_competent=message.first_responder_competent,
        timezone=message.timezone,
        display_name=message.display_name,
        bio=message.bio,
        accepting_new_clients=message.accepting_new_clients
        if message.HasField("accepting_new_clients")
        else None,
    )


def request_source(context: Ctx, *, trust_client_header: bool) -> str:
    """Who is calling, for per-source throttling: the gateway's client tag, else the peer host."""
    if trust_client_header:
        for key, value in context.invocation_metadata() or ():
            if key == CLIENT_METADATA_KEY and isinstance(value, str) and value:
                return "client:" + value[:_MAX_CLIENT_TAG]
    peer = context.peer() or "unknown"
    host = peer.rsplit(":", 1)[0] if peer.startswith(("ipv4:", "ipv6:")) else peer
    return "peer:" + host


def code_summary(code: EnrolmentCode, now: datetime) -> pb.EnrolmentCodeSummary:
    """A code as its agency may see it: no plaintext, usage under the small-cell rule."""
    state = "revoked" if code.revoked_at is not None else "expired" if code.expires_at <= now else "active"
    shown, suppressed = coarsen(code.uses)
    out = pb.EnrolmentCodeSummary(
        code_id=code.id,
        agency_id=code.agency_id,
        label=code.label,
        max_redemptions=code.max_uses,
        state=state,
        redemptions=shown,
        redemptions_suppressed=suppressed,
    )
    out.created_at.FromDatetime(code.created_at)
    out.expires_at.FromDatetime(code.expires_at)
    if code.revoked_at is not None:
        out.revoked_at.FromDatetime(code.revoked_at)
    return out
