"""gRPC servicer: a thin translation between protobuf and the identity use cases.

Identity's errors derive from the shared error model, which the ErrorInterceptor turns into
statuses with field violations; conversions live in messages.py.
"""

from __future__ import annotations

from typing import Any, ParamSpec, TypeAlias, TypeVar

from grpc import aio

from tenfour.events.v1 import identity_events_pb2 as ev
from tenfour.identity.v1 import identity_pb2 as pb
from tenfour.identity.v1 import identity_pb2_grpc
from tenfour_identity.entrypoints.messages import (
    auth_result,
    code_summary,
    profile_input,
    request_source,
    user_message,
)
from tenfour_identity.service import access_audit, accounts, admin, agencies, auth, care, events, providers
from tenfour_identity.service.accounts import StaffInput
from tenfour_identity.service.deps import Deps
from tenfour_shared.auth.principal import current_principal
from tenfour_shared.proto_time import to_datetime

__all__ = ["SERVICE_NAME", "IdentityApi"]

SERVICE_NAME = "tenfour.identity.v1.IdentityService"
Ctx: TypeAlias = aio.ServicerContext[Any, Any]
P = ParamSpec("P")
R = TypeVar("R")


class IdentityApi(identity_pb2_grpc.IdentityServiceServicer):
    def __init__(self, deps: Deps, *, trust_client_header: bool = True) -> None:
        self._deps = deps
        self._trust_client_header = trust_client_header

    # -- agencies and enrolment ---------------------------------------------------------------

    async def CreateAgency(self, request: pb.CreateAgencyRequest, context: Ctx) -> pb.Agency:
        agency = await agencies.create_agency(
            self._deps,
            current_principal(),
            name=request.name,
            timezone=request.timezone,
            jurisdiction=request.jurisdiction,
            crisis_line_text=request.crisis_line_text,
        )
        return pb.Agency(
            agency_id=agency.id,
            name=agency.name,
            timezone=agency.timezone,
            jurisdiction=agency.jurisdiction or "",
            crisis_line_text=agency.crisis_line_text,
        )

    async def CreateAgencyAdmin(self, request: pb.CreateAgencyAdminRequest, context: Ctx) -> pb.User:
        staff = StaffInput(request.email, request.display_name, request.password, request.username)
        user = await agencies.create_agency_admin(self._deps, current_principal(), request.agency_id, staff)
        return user_message(user)

    async def CreateEnrolmentCode(
        self, request: pb.CreateEnrolmentCodeRequest, context: Ctx
    ) -> pb.EnrolmentCode:
        expires = to_datetime(request.expires_at, "expires_at") if request.HasField("expires_at") else None
        code, record = await agencies.create_enrolment_code(
            self._deps,
            current_principal(),
            agency_id=request.agency_id,
            max_redemptions=request.max_redemptions,
            expires_at=expires,
            label=request.label,
        )
        reply = pb.EnrolmentCode(
            code_id=record.id,
            code=code,
            max_redemptions=record.max_uses,
            agency_id=record.agency_id,
            label=record.label,
        )
        reply.expires_at.FromDatetime(record.expires_at)
        return reply

    async def GetEnrolmentStats(
        self, request: pb.GetEnrolmentStatsRequest, context: Ctx
    ) -> pb.EnrolmentStats:
        stats = await agencies.enrolment_stats(self._deps, current_principal(), request.agency_id)
        return pb.EnrolmentStats(
            codes_issued=stats.codes_issued,
            redemptions=stats.redemptions,
            redemptions_suppressed=stats.suppressed,
        )

    async def GetOfficerNames(
        self, request: pb.GetOfficerNamesRequest, context: Ctx
    ) -> pb.GetOfficerNamesResponse:
        names = await care.officer_names(self._deps, current_principal(), list(request.officer_ids))
        return pb.GetOfficerNamesResponse(display_names=names)

    async def ListEnrolmentCodes(
        self, request: pb.ListEnrolmentCodesRequest, context: Ctx
    ) -> pb.ListEnrolmentCodesResponse:
        codes = await agencies.enrolment_codes(self._deps, current_principal(), request.agency_id)
        return pb.ListEnrolmentCodesResponse(codes=[code_summary(c, self._deps.now()) for c in codes])

    async def RevokeEnrolmentCode(
        self, request: pb.RevokeEnrolmentCodeRequest, context: Ctx
    ) -> pb.EnrolmentCodeSummary:
        code = await agencies.revoke_enrolment_code(
            self._deps, current_principal(), request.agency_id, request.code_id
        )
        return code_summary(code, self._deps.now())

    async def RedeemEnrolmentCode(
        self, request: pb.RedeemEnrolmentCodeRequest, context: Ctx
    ) -> pb.AuthResult:
        outcome = await agencies.redeem_enrolment_code(
            self._deps,
            code=request.code,
            username=request.username,
            display_name=request.display_name,
            password=request.password,
            jurisdiction=request.jurisdiction,
        )
        return auth_result(outcome)

    # -- providers -------------------------------------------------------------------------

    async def OnboardTherapist(self, request: pb.OnboardTherapistRequest, context: Ctx) -> pb.User:
        staff = StaffInput(request.email, request.display_name, request.password, request.username)
        user, _ = await providers.onboard_therapist(
            self._deps, current_principal(), staff, profile_input(request.profile), request.agency_id
        )
        return user_message(user)

    async def NominatePeerSupporter(self, request: pb.NominatePeerSupporterRequest, context: Ctx) -> pb.User:
        user, _ = await providers.nominate_peer_supporter(
            self._deps, current_principal(), request.officer_user_id, profile_input(request.profile)
        )
        return user_message(user)

    async def UpdateProviderProfile(
        self, request: pb.UpdateProviderProfileRequest, context: Ctx
    ) -> ev.ProviderProfile:
        user, stored = await providers.update_provider_profile(
            self._deps, current_principal(), profile_input(request.profile)
        )
        return events.profile_message(user, stored)

    async def GetProviderProfile(
        self, request: pb.GetProviderProfileRequest, context: Ctx
    ) -> ev.ProviderProfile:
        user, stored = await providers.get_provider_profile(
            self._deps, current_principal(), request.provider_id
        )
        return events.profile_message(user, stored)

    async def ListProviders(self, request: pb.ListProvidersRequest, context: Ctx) -> pb.ListProvidersResponse:
        found = await providers.list_providers(self._deps, current_principal(), request.agency_id)
        return pb.ListProvidersResponse(providers=[events.profile_message(u, p) for u, p in found])

    # -- authentication ----------------------------------------------------------------------

    async def Login(self, request: pb.LoginRequest, context: Ctx) -> pb.AuthResult:
        outcome = await auth.login(
            self._deps,
            username=request.username,
            password=request.password,
            totp_code=request.totp_code,
            source=request_source(context, trust_client_header=self._trust_client_header),
        )
        return auth_result(outcome)

    async def Refresh(self, request: pb.RefreshRequest, context: Ctx) -> pb.AuthResult:
        return auth_result(await auth.refresh(self._deps, request.refresh_token))

    async def Logout(self, request: pb.LogoutRequest, context: Ctx) -> pb.LogoutResponse:
        await auth.logout(self._deps, request.refresh_token)
        return pb.LogoutResponse()

    async def EnrolMfa(self, request: pb.EnrolMfaRequest, context: Ctx) -> pb.EnrolMfaResponse:
        enrolment = await auth.enrol_mfa(self._deps, current_principal())
        return pb.EnrolMfaResponse(secret=enrolment.secret, provisioning_uri=enrolment.provisioning_uri)

    async def ConfirmMfa(self, request: pb.ConfirmMfaRequest, context: Ctx) -> pb.ConfirmMfaResponse:
        await auth.confirm_mfa(self._deps, current_principal(), request.totp_code)
        return pb.ConfirmMfaResponse(enabled=True)

    async def BeginMfaSetup(self, request: pb.BeginMfaSetupRequest, context: Ctx) -> pb.EnrolMfaResponse:
        enrolment = await auth.begin_mfa_setup(self._deps, request.mfa_setup_ticket)
        return pb.EnrolMfaResponse(secret=enrolment.secret, provisioning_uri=enrolment.provisioning_uri)

    async def CompleteMfaSetup(self, request: pb.CompleteMfaSetupRequest, context: Ctx) -> pb.AuthResult:
        outcome = await auth.complete_mfa_setup(self._deps, request.mfa_setup_ticket, request.totp_code)
        return auth_result(outcome)

    async def SetContactChannel(
        self, request: pb.SetContactChannelRequest, context: Ctx
    ) -> pb.SetContactChannelResponse:
        await accounts.set_contact_channel(self._deps, current_principal(), request.contact)
        return pb.SetContactChannelResponse()

    async def GetMe(self, request: pb.GetMeRequest, context: Ctx) -> pb.User:
        me = await accounts.get_me(self._deps, current_principal())
        return user_message(me.user, own=True, mfa_enabled=me.mfa_enabled, contact=me.contact_channel)

    # -- administration ----------------------------------------------------------------------

    async def DeactivateUser(self, request: pb.DeactivateUserRequest, context: Ctx) -> pb.User:
        user = await accounts.deactivate_user(
            self._deps, current_principal(), request.user_id, request.reason_code
        )
        return user_message(user)

    async def UnlockAccount(self, request: pb.UnlockAccountRequest, context: Ctx) -> pb.UnlockAccountResponse:
        was_locked, failures = await admin.unlock_account(self._deps, current_principal(), request.user_id)
        return pb.UnlockAccountResponse(was_locked=was_locked, consecutive_failures=failures)

    async def ListAuditEvents(
        self, request: pb.ListAuditEventsRequest, context: Ctx
    ) -> pb.ListAuditEventsResponse:
        records = await admin.list_audit_events(
            self._deps, current_principal(), limit=request.limit, after_id=request.after_id
        )
        reply = pb.ListAuditEventsResponse()
        for record in records:
            item = reply.events.add(
                id=record.id,
                kind=record.entry.kind,
                user_id=record.entry.user_id,
                agency_id=record.entry.agency_id,
                detail=record.entry.detail,
            )
            item.time.FromDatetime(record.time)
        return reply

    async def ListAccessAudit(
        self, request: pb.ListAccessAuditRequest, context: Ctx
    ) -> pb.ListAccessAuditResponse:
        entries = await access_audit.list_entries(
            self._deps,
            current_principal(),
            limit=request.limit,
            after_seq=request.after_seq,
            appointment_id=request.appointment_id,
        )
        reply = pb.ListAccessAuditResponse()
        for entry in entries:
            item = reply.entries.add(
                seq=entry.seq,
                action=entry.fact.action,
                session=entry.fact.session,
                actor=entry.fact.actor,
                actor_role=entry.fact.actor_role,
                source=entry.fact.source,
                prev_hash=entry.prev_hash,
                hash=entry.hash,
            )
            item.time.FromMilliseconds(entry.fact.time_ms)
        return reply

    async def VerifyAuditChain(
        self, request: pb.VerifyAuditChainRequest, context: Ctx
    ) -> pb.VerifyAuditChainResponse:
        verdict = await access_audit.verify_chain(self._deps, current_principal())
        return pb.VerifyAuditChainResponse(
            intact=verdict.intact,
            entries=verdict.entries,
            first_broken_seq=verdict.first_broken_seq,
            head_hash=verdict.head_hash,
        )

    async def RotateSigningKey(
        self, request: pb.RotateSigningKeyRequest, context: Ctx
    ) -> pb.RotateSigningKeyResponse:
        info, published = await admin.rotate_signing_key(self._deps, current_principal())
        reply = pb.RotateSigningKeyResponse(kid=info.kid, published_kids=published)
        reply.activates_at.FromNanoseconds(int(info.activates_at * 1e9))
        return reply

    async def GetJwks(self, request: pb.GetJwksRequest, context: Ctx) -> pb.GetJwksResponse:
        return pb.GetJwksResponse(jwks_json=admin.jwks_json(self._deps))
