"""Warm handoff (referrals.proto): peers propose, the referred officer answers and books, and
therapists see the consented referrals naming them (or the pool of their agencies)."""

from __future__ import annotations

from tenfour.scheduling.v1 import referrals_pb2 as rpb
from tenfour_scheduling.entrypoints import requests
from tenfour_scheduling.entrypoints.grpc_base import Ctx, RpcBase
from tenfour_shared.auth.principal import current_principal
from tenfour_shared.auth.roles import Role
from tenfour_shared.errors import InvalidInput
from tenfour_shared.proto_time import to_datetime

__all__ = ["ReferralRpcs"]


def _referral_id(value: str) -> str:
    if not value or len(value) > 40 or not value.isalnum():
        raise InvalidInput.single("referral_id", "is not a referral id")
    return value


class ReferralRpcs(RpcBase):
    async def ProposeReferral(self, request: rpb.ProposeReferralRequest, context: Ctx) -> rpb.Referral:
        caller = current_principal()
        requests.provider_id(request.officer_id, "officer_id")
        for i, clinician in enumerate(request.clinician_ids):
            requests.provider_id(clinician, f"clinician_ids[{i}]")
        return await self._s.referrals.propose(
            caller.subject, requests.agency_of(caller), request.officer_id, list(request.clinician_ids)
        )

    async def ListReferrals(
        self, request: rpb.ListReferralsRequest, context: Ctx
    ) -> rpb.ListReferralsResponse:
        caller = current_principal()
        agencies: list[str] = []
        if caller.role is Role.THERAPIST:
            profile = await self._s.waitlist.providers.profile(caller.subject)
            agencies = list(profile.agency_ids) if profile is not None else []
        role = "therapist" if caller.role is Role.THERAPIST else "member"
        return rpb.ListReferralsResponse(
            referrals=await self._s.referrals.listed(caller.subject, role, agencies)
        )

    async def AnswerReferral(self, request: rpb.AnswerReferralRequest, context: Ctx) -> rpb.Referral:
        caller = current_principal()
        return await self._s.referrals.answer(
            caller.subject,
            requests.agency_of(caller),
            _referral_id(request.referral_id),
            consent=request.consent,
            share=request.share_booked_with_peer,
        )

    async def BookReferral(self, request: rpb.BookReferralRequest, context: Ctx) -> rpb.BookReferralResponse:
        caller = current_principal()
        requests.provider_id(request.provider_id)
        if not request.HasField("start"):
            raise InvalidInput.single("start", "is required")
        if len(request.idempotency_key) > 100:
            raise InvalidInput.single("idempotency_key", "at most 100 characters")
        start = to_datetime(request.start, "start")
        referral, appointment = await self._s.referrals.book(
            caller.subject,
            requests.agency_of(caller),
            _referral_id(request.referral_id),
            request.provider_id,
            start,
            request.idempotency_key,
        )
        return rpb.BookReferralResponse(referral=referral, appointment=appointment)

    async def RequestReferralTimes(
        self, request: rpb.RequestReferralTimesRequest, context: Ctx
    ) -> rpb.Referral:
        caller = current_principal()
        return await self._s.referral_times.request(
            caller.subject, requests.agency_of(caller), _referral_id(request.referral_id), request.note
        )

    async def ProposeReferralTimes(
        self, request: rpb.ProposeReferralTimesRequest, context: Ctx
    ) -> rpb.Referral:
        caller = current_principal()
        referral_id = _referral_id(request.referral_id)
        starts = [to_datetime(s, f"starts[{i}]") for i, s in enumerate(request.starts)]
        profile = await self._s.waitlist.providers.profile(caller.subject)
        agencies = list(profile.agency_ids) if profile is not None else []
        return await self._s.referral_times.propose(caller.subject, agencies, referral_id, starts)

    async def PickReferralTime(
        self, request: rpb.PickReferralTimeRequest, context: Ctx
    ) -> rpb.BookReferralResponse:
        caller = current_principal()
        if not request.HasField("start"):
            raise InvalidInput.single("start", "is required")
        referral, appointment = await self._s.referral_times.pick(
            caller.subject,
            requests.agency_of(caller),
            _referral_id(request.referral_id),
            to_datetime(request.start, "start"),
        )
        return rpb.BookReferralResponse(referral=referral, appointment=appointment)
