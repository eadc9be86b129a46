"""The service's structure: every RPC it implements has an access rule, the rest of the proto
answers UNIMPLEMENTED (for later issues) and is denied to everyone until then."""

from __future__ import annotations

from tenfour.scheduling.v1 import scheduling_pb2, scheduling_pb2_grpc
from tenfour_scheduling.entrypoints.grpc_api import SchedulingApi
from tenfour_scheduling.entrypoints.policy import POLICY
from tenfour_shared.auth.roles import Role

LATER: set[str] = set()


def _implemented() -> set[str]:
    base = scheduling_pb2_grpc.SchedulingServiceServicer
    return {
        name
        for name in dir(SchedulingApi)
        if name[0].isupper() and getattr(SchedulingApi, name) is not getattr(base, name, None)
    }


def test_implemented_rpcs_have_rules_and_later_ones_are_denied() -> None:
    service = scheduling_pb2.DESCRIPTOR.services_by_name["SchedulingService"]
    names = {m.name for m in service.methods}
    implemented = _implemented()
    assert implemented == names - LATER
    for name in names:
        rule = POLICY.rule_for(f"/{service.full_name}/{name}")
        assert (rule is not None) == (name in implemented), name


def test_agency_admins_see_no_appointment_and_book_nothing() -> None:
    prefix = "/tenfour.scheduling.v1.SchedulingService/"
    for rpc in ("GetAppointment", "ListAppointments", "Book", "Cancel", "Reschedule", "FindSlots"):
        rule = POLICY.rule_for(prefix + rpc)
        assert rule is not None
        assert Role.AGENCY_ADMIN not in rule.roles
        assert Role.SYSTEM_ADMIN not in rule.roles
    policy_rule = POLICY.rule_for(prefix + "SetFatiguePolicy")
    assert policy_rule is not None
    assert policy_rule.roles == {Role.AGENCY_ADMIN}
