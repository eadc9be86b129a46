"""Who may call what: providers act on their own availability, system admins on anyone's."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import pytest

from tenfour.availability.v1 import availability_pb2, rules_pb2
from tenfour_shared.auth.roles import Role

from .conftest import Harness, every_day, time_range, utc

pytestmark = pytest.mark.integration
OK, DENIED, NO_TOKEN = grpc.StatusCode.OK, grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED
TARGET = "prov-t"
ICS = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\nEND:VCALENDAR\n"

# caller: (role, subject) or None for no token; the expected status for every RPC on TARGET.
CALLERS: dict[str, tuple[tuple[Role, str] | None, grpc.StatusCode]] = {
    "the therapist themself": ((Role.THERAPIST, TARGET), OK),
    "a peer supporter themself": ((Role.PEER_SUPPORTER, TARGET), OK),
    "a system admin": ((Role.SYSTEM_ADMIN, "admin-1"), OK),
    "another therapist": ((Role.THERAPIST, "prov-other"), DENIED),
    "another peer supporter": ((Role.PEER_SUPPORTER, "prov-other"), DENIED),
    # Same subject, wrong role: roles decide, not a matching id.
    "an officer": ((Role.OFFICER, TARGET), DENIED),
    "an agency admin": ((Role.AGENCY_ADMIN, TARGET), DENIED),
    "nobody": (None, NO_TOKEN),
}


def calls(stub: Any) -> dict[str, Callable[..., Awaitable[object]]]:
    week = time_range(utc(2026, 1, 12), utc(2026, 1, 19))
    return {
        "GetRules": lambda md: stub.GetRules(
            availability_pb2.GetRulesRequest(provider_id=TARGET), metadata=md
        ),
        "SetRules": lambda md: stub.SetRules(
            availability_pb2.SetRulesRequest(rules=rules_pb2.RuleSet(provider_id=TARGET, timezone="UTC")),
            metadata=md,
        ),
        "UseDefaultRules": lambda md: stub.UseDefaultRules(
            availability_pb2.UseDefaultRulesRequest(provider_id=TARGET, timezone="UTC"), metadata=md
        ),
        "ImportBusyCalendar": lambda md: stub.ImportBusyCalendar(
            availability_pb2.ImportBusyCalendarRequest(provider_id=TARGET, ics=ICS), metadata=md
        ),
        "ListAvailability": lambda md: stub.ListAvailability(
            availability_pb2.ListAvailabilityRequest(provider_id=TARGET, range=week), metadata=md
        ),
    }


async def test_permission_matrix(harness: Harness) -> None:
    await harness.set_rules(
        rules_pb2.RuleSet(provider_id=TARGET, timezone="UTC", weekly=every_day((9, 0), (17, 0)))
    )
    outcomes: dict[tuple[str, str], grpc.StatusCode] = {}
    expected: dict[tuple[str, str], grpc.StatusCode] = {}
    for rpc, call in calls(harness.stub).items():
        for who, (caller, status) in CALLERS.items():
            metadata = harness.tokens.metadata(*caller) if caller else ()
            try:
                await call(metadata)
                outcomes[rpc, who] = OK
            except grpc.RpcError as exc:
                outcomes[rpc, who] = exc.code()
            expected[rpc, who] = status
    assert outcomes == expected
    # Only the allowed changes happened: 1 SetRules above, then 3 changing RPCs x 3 allowed callers.
    assert (await harness.get_rules(TARGET)).version == 1 + 3 * 3
