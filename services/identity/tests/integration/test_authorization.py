"""Every RPC, every role (and no token), and a target in the caller's own agency or another one.

Callers belong to agency A (the therapist to the provider network, the system admin to no
agency); "own" targets are in A, "other" targets in B. Every cell is a real call against the
real service; targets that a call would change or end are created fresh for the cell.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message

from tenfour.identity.v1 import identity_pb2 as pb
from tenfour_identity.entrypoints.policy import POLICY, RULES

from .conftest import PASSWORD, Account, Agency, Stack, peer_profile, therapist_profile, unique

OK = grpc.StatusCode.OK
PD = grpc.StatusCode.PERMISSION_DENIED
UA = grpc.StatusCode.UNAUTHENTICATED
FP = grpc.StatusCode.FAILED_PRECONDITION
PASS = "reaches the handler"  # any status but PERMISSION_DENIED / UNAUTHENTICATED

ROLES = ("anonymous", "officer", "peer", "therapist", "agency_admin", "system_admin")
Expect = Any  # a grpc.StatusCode or PASS
Case = Callable[[Stack, Agency, Account | None], Message]


def _caller(stack: Stack, role: str) -> Account | None:
    return {
        "anonymous": None,
        "officer": stack.a.officer,
        "peer": stack.a.peer,
        "therapist": stack.therapist,
        "agency_admin": stack.a.admin,
        "system_admin": stack.root,
    }[role]


def _staff_admin(_: Stack, target: Agency, __: Account | None) -> Message:
    name = unique("coord")
    return pb.CreateAgencyAdminRequest(
        agency_id=target.id,
        email=f"{name}@pd.example.gov",
        display_name="Coordinator",
        password=PASSWORD,
        username=name,
    )


def _therapist(_: Stack, target: Agency, __: Account | None) -> Message:
    name = unique("drlee")
    return pb.OnboardTherapistRequest(
        email=f"{name}@clinic.example.com",
        display_name="Dr. Lee",
        password=PASSWORD,
        username=name,
        agency_id=target.id,
        profile=therapist_profile(),
    )


def _session(stack: Stack, target: Agency) -> str:
    reply = stack.api.stub.Login(pb.LoginRequest(username=target.officer.username, password=PASSWORD))
    return str(reply.refresh_token)


def _peer_update(_: Stack, target: Agency, __: Account | None) -> Message:
    profile = peer_profile()
    profile.provider_id = target.peer.user_id
    profile.bio = unique("Volunteer since ")
    return pb.UpdateProviderProfileRequest(profile=profile)


CASES: dict[str, Case] = {
    "CreateAgency": lambda s, t, c: pb.CreateAgencyRequest(name=unique("Agency "), timezone="UTC"),
    "CreateAgencyAdmin": _staff_admin,
    "CreateEnrolmentCode": lambda s, t, c: pb.CreateEnrolmentCodeRequest(agency_id=t.id),
    "GetEnrolmentStats": lambda s, t, c: pb.GetEnrolmentStatsRequest(agency_id=t.id),
    "ListEnrolmentCodes": lambda s, t, c: pb.ListEnrolmentCodesRequest(agency_id=t.id),
    "RevokeEnrolmentCode": lambda s, t, c: pb.RevokeEnrolmentCodeRequest(
        agency_id=t.id,
        code_id=s.api.stub.CreateEnrolmentCode(
            pb.CreateEnrolmentCodeRequest(agency_id=t.id), metadata=t.admin.md
        ).code_id,
    ),
    "RedeemEnrolmentCode": lambda s, t, c: pb.RedeemEnrolmentCodeRequest(
        code=s.api.new_code(t.admin, t.id), username=unique("owl"), display_name="Owl", password=PASSWORD
    ),
    "OnboardTherapist": _therapist,
    "NominatePeerSupporter": lambda s, t, c: pb.NominatePeerSupporterRequest(
        officer_user_id=s.officer(t).user_id, profile=peer_profile()
    ),
    "UpdateProviderProfile": _peer_update,
    "GetProviderProfile": lambda s, t, c: pb.GetProviderProfileRequest(provider_id=t.peer.user_id),
    "ListProviders": lambda s, t, c: pb.ListProvidersRequest(agency_id=t.id),
    "GetOfficerNames": lambda s, t, c: pb.GetOfficerNamesRequest(officer_ids=[t.officer.user_id]),
    "Login": lambda s, t, c: pb.LoginRequest(username=t.officer.username, password=PASSWORD),
    "Refresh": lambda s, t, c: pb.RefreshRequest(refresh_token=_session(s, t)),
    "Logout": lambda s, t, c: pb.LogoutRequest(refresh_token=_session(s, t)),
    "EnrolMfa": lambda s, t, c: pb.EnrolMfaRequest(),
    "ConfirmMfa": lambda s, t, c: pb.ConfirmMfaRequest(totp_code="000000"),
    "BeginMfaSetup": lambda s, t, c: pb.BeginMfaSetupRequest(mfa_setup_ticket="mst_" + "x" * 43),
    "CompleteMfaSetup": lambda s, t, c: pb.CompleteMfaSetupRequest(
        mfa_setup_ticket="mst_" + "x" * 43, totp_code="1"
    ),
    "SetContactChannel": lambda s, t, c: pb.SetContactChannelRequest(contact="+15551234567"),
    "GetMe": lambda s, t, c: pb.GetMeRequest(),
    "DeactivateUser": lambda s, t, c: pb.DeactivateUserRequest(user_id=s.officer(t).user_id),
    "UnlockAccount": lambda s, t, c: pb.UnlockAccountRequest(user_id=s.officer(t).user_id),
    "ListAuditEvents": lambda s, t, c: pb.ListAuditEventsRequest(limit=5),
    "ListAccessAudit": lambda s, t, c: pb.ListAccessAuditRequest(limit=5),
    "VerifyAuditChain": lambda s, t, c: pb.VerifyAuditChainRequest(),
    "RotateSigningKey": lambda s, t, c: pb.RotateSigningKeyRequest(),
    "GetJwks": lambda s, t, c: pb.GetJwksRequest(),
}


def _same(expect: Expect) -> tuple[Expect, Expect]:
    return expect, expect


def _row(
    officer: tuple[Expect, Expect],
    peer: tuple[Expect, Expect],
    therapist: tuple[Expect, Expect],
    agency_admin: tuple[Expect, Expect],
    system_admin: tuple[Expect, Expect],
    anonymous: tuple[Expect, Expect] = (UA, UA),
) -> dict[str, tuple[Expect, Expect]]:
    return {
        "anonymous": anonymous,
        "officer": officer,
        "peer": peer,
        "therapist": therapist,
        "agency_admin": agency_admin,
        "system_admin": system_admin,
    }


NO, YES, OWN = _same(PD), _same(OK), (OK, PD)
PUBLIC_OK = _row(YES, YES, YES, YES, YES, anonymous=YES)
REFUSED = _same(UA)
PUBLIC_TICKET = _row(
    REFUSED, REFUSED, REFUSED, REFUSED, REFUSED, anonymous=REFUSED
)  # a bogus ticket, whoever calls

# (own agency, other agency) for each role, per RPC.
EXPECTED: dict[str, dict[str, tuple[Expect, Expect]]] = {
    "CreateAgency": _row(NO, NO, NO, NO, YES),
    "CreateAgencyAdmin": _row(NO, NO, NO, OWN, YES),
    "CreateEnrolmentCode": _row(NO, NO, NO, OWN, YES),
    "GetEnrolmentStats": _row(NO, NO, NO, OWN, YES),
    "ListEnrolmentCodes": _row(NO, NO, NO, OWN, YES),
    "RevokeEnrolmentCode": _row(NO, NO, NO, OWN, YES),
    "RedeemEnrolmentCode": PUBLIC_OK,
    "OnboardTherapist": _row(NO, NO, NO, NO, YES),
    "NominatePeerSupporter": _row(NO, NO, NO, OWN, NO),
    "UpdateProviderProfile": _row(NO, OWN, NO, OWN, YES),  # the peer's "own" target is themself
    "GetProviderProfile": _row(NO, OWN, NO, OWN, YES),  # whoever may edit it may read it
    "ListProviders": _row(OWN, OWN, NO, OWN, YES),  # a network therapist belongs to no agency
    "GetOfficerNames": _row(NO, YES, YES, NO, NO),  # providers; names only of their own officers
    "Login": PUBLIC_OK,
    "Refresh": PUBLIC_OK,
    "Logout": PUBLIC_OK,
    "EnrolMfa": _row(YES, YES, _same(FP), _same(FP), _same(FP)),  # staff already have MFA
    "ConfirmMfa": _row(_same(PASS), _same(PASS), _same(PASS), _same(PASS), _same(PASS)),
    "BeginMfaSetup": PUBLIC_TICKET,
    "CompleteMfaSetup": PUBLIC_TICKET,
    "SetContactChannel": _row(YES, YES, NO, NO, NO),
    "GetMe": _row(YES, YES, YES, YES, YES),
    "DeactivateUser": _row(NO, NO, NO, OWN, YES),
    "UnlockAccount": _row(NO, NO, NO, OWN, YES),
    "ListAuditEvents": _row(NO, NO, NO, NO, YES),
    "ListAccessAudit": _row(NO, NO, NO, NO, YES),
    "VerifyAuditChain": _row(NO, NO, NO, NO, YES),
    "RotateSigningKey": _row(NO, NO, NO, NO, YES),
    "GetJwks": PUBLIC_OK,
}


def _call(stack: Stack, rpc: str, request: Message, caller: Account | None) -> grpc.StatusCode:
    method = getattr(stack.api.stub, rpc)
    try:
        method(request, metadata=caller.md if caller else None, timeout=15)
    except grpc.RpcError as exc:
        return exc.code()
    return OK


def test_matrix_covers_every_rpc_of_the_proto() -> None:
    methods = {m.name for m in pb.DESCRIPTOR.services_by_name["IdentityService"].methods}
    assert set(CASES) == methods
    assert set(EXPECTED) == methods
    assert set(RULES) == methods  # the policy names every RPC, and nothing else
    assert {f"/tenfour.identity.v1.IdentityService/{m}" for m in methods} <= POLICY.methods()


@pytest.mark.parametrize("rpc", sorted(CASES))
def test_authorization_matrix(stack: Stack, rpc: str) -> None:
    failures = []
    for role in ROLES:
        caller = _caller(stack, role)
        for scope, expected in zip(("own", "other"), EXPECTED[rpc][role], strict=True):
            target = stack.a if scope == "own" else stack.b
            got = _call(stack, rpc, CASES[rpc](stack, target, caller), caller)
            if expected == PASS:
                if got in (PD, UA):
                    failures.append(f"{role}/{scope}: {got.name}, expected the handler to run")
            elif got != expected:
                failures.append(f"{role}/{scope}: {got.name}, expected {expected.name}")
    assert not failures, f"{rpc}: " + "; ".join(failures)
