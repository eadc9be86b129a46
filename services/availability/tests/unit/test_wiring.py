"""Checks on the service's structure: a rule for every RPC, a pure domain."""

from __future__ import annotations

import subprocess
import sys

from tenfour.availability.v1 import availability_pb2
from tenfour_availability.entrypoints.policy import POLICY
from tenfour_shared.auth.roles import Role


def test_every_rpc_of_the_service_has_a_rule_and_officers_have_none() -> None:
    service = availability_pb2.DESCRIPTOR.services_by_name["AvailabilityService"]
    for method in service.methods:
        rule = POLICY.rule_for(f"/{service.full_name}/{method.name}")
        assert rule is not None, method.name
        assert rule.roles == {Role.THERAPIST, Role.PEER_SUPPORTER, Role.SYSTEM_ADMIN}


def test_domain_imports_no_grpc_redis_or_nats() -> None:
    probe = (
        "import sys, tenfour_availability.domain.state, tenfour_availability.domain.free_time; "
        "print(sorted(m for m in ('grpc', 'redis', 'nats') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
