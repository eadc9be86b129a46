"""Every bad request the hardening review found, answered with a clear status by the running system.

Each case is one the review sent to the services (issue 17): undecodable bodies, out-of-range
durations and timestamps, a corrupt first frame on a stream, an echoed 10 KB timezone, and
Redis going away under every service.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from tenfour.availability.v1 import availability_pb2, rules_pb2
from tenfour.common.v1 import common_pb2
from tenfour.identity.v1 import identity_pb2
from tenfour.notifications.v1 import notifications_pb2
from tenfour.outcomes.v1 import outcomes_pb2
from tenfour.scheduling.v1 import scheduling_pb2
from tenfour.signaling.v1 import signaling_pb2
from tenfour_shared.auth.roles import Role
from tenfour_shared.rpc_status import field_violations, retry_delay
from tenfour_testing.tokens import TestTokens

from .clients import ADMIN_ENV, admin_token, raw_stream, raw_unary
from .conftest import System, running_system

HUGE = 2**62


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory, test_tokens: TestTokens) -> Iterator[System]:
    with running_system(tmp_path_factory.mktemp("bad-requests"), test_tokens, **ADMIN_ENV) as system:
        yield system


def refused(
    system: System, service: str, method: str, body: bytes, metadata: tuple[tuple[str, str], ...] = ()
) -> grpc.RpcError:
    with (
        grpc.insecure_channel(system.services[service].target) as channel,
        pytest.raises(grpc.RpcError) as caught,
    ):
        raw_unary(channel, method, body, metadata)
    error: grpc.RpcError = caught.value
    return error


def assert_invalid(error: grpc.RpcError, *fields: str) -> None:
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT, error.details()
    assert [v.field for v in field_violations(error)] == list(fields)


def test_login_with_invalid_utf8_names_the_field(running: System) -> None:
    error = refused(
        running, "identity", "/tenfour.identity.v1.IdentityService/Login", bytes.fromhex("0a02c328")
    )

    assert_invalid(error, "username")


def test_corrupt_bytes_are_invalid_before_and_after_sign_in(running: System, test_tokens: TestTokens) -> None:
    anonymous = refused(
        running, "identity", "/tenfour.identity.v1.IdentityService/Login", b"\xff\xff\xff\xff"
    )
    officer = refused(
        running,
        "scheduling",
        "/tenfour.scheduling.v1.SchedulingService/FindSlots",
        b"\x0a\x20abc",
        test_tokens.metadata(Role.OFFICER),
    )

    assert_invalid(anonymous, "request")
    assert_invalid(officer, "officer_id")


def test_a_corrupt_body_to_a_protected_rpc_without_a_token_is_unauthenticated(running: System) -> None:
    error = refused(running, "scheduling", "/tenfour.scheduling.v1.SchedulingService/FindSlots", b"\xff\xff")

    assert error.code() is grpc.StatusCode.UNAUTHENTICATED


def test_out_of_range_durations_name_their_fields(running: System, test_tokens: TestTokens) -> None:
    policy = scheduling_pb2.SetFatiguePolicyRequest()
    policy.policy.min_rest_gap.seconds = HUGE
    roster = scheduling_pb2.SetRosterRequest(
        roster=scheduling_pb2.Roster(
            cycle="DD--",
            timezone="Europe/London",
            shifts=[scheduling_pb2.ShiftDefinition(letter="D", start=common_pb2.LocalTime(hour=7))],
        )
    )
    roster.roster.shifts[0].length.seconds = HUGE
    slots = scheduling_pb2.FindSlotsRequest()
    slots.horizon.seconds = HUGE
    rules = availability_pb2.SetRulesRequest(rules=rules_pb2.RuleSet(provider_id="prov-1", timezone="UTC"))
    rules.rules.sessions.add(session_type=common_pb2.SESSION_TYPE_INDIVIDUAL).duration.seconds = HUGE
    scheduling = "/tenfour.scheduling.v1.SchedulingService/"

    cases = [
        ("scheduling", scheduling + "SetFatiguePolicy", policy, Role.AGENCY_ADMIN, "policy.min_rest_gap"),
        ("scheduling", scheduling + "SetRoster", roster, Role.OFFICER, "roster.shifts[0].length"),
        ("scheduling", scheduling + "FindSlots", slots, Role.OFFICER, "horizon"),
        (
            "availability",
            "/tenfour.availability.v1.AvailabilityService/SetRules",
            rules,
            Role.SYSTEM_ADMIN,
            "rules.sessions[0].duration",
        ),
    ]
    for service, method, request, role, field in cases:
        error = refused(running, service, method, request.SerializeToString(), test_tokens.metadata(role))
        assert_invalid(error, field)


def test_negative_timestamp_nanos_are_invalid(running: System) -> None:
    token = admin_token(running.services["identity"].target)
    request = identity_pb2.CreateEnrolmentCodeRequest(agency_id="agency-1")
    request.expires_at.nanos = -1

    error = refused(
        running,
        "identity",
        "/tenfour.identity.v1.IdentityService/CreateEnrolmentCode",
        request.SerializeToString(),
        (("authorization", f"Bearer {token}"),),
    )

    assert_invalid(error, "expires_at.nanos")


def test_connect_with_a_corrupt_first_frame_is_invalid(running: System, test_tokens: TestTokens) -> None:
    with grpc.insecure_channel(running.services["signaling"].target) as channel:
        replies = raw_stream(
            channel,
            "/tenfour.signaling.v1.SignalingService/Connect",
            [b"\x0a\x05\x0a\x03\xc3\x28\x41"],
            test_tokens.metadata(Role.OFFICER),
        )
        with pytest.raises(grpc.RpcError) as caught:
            next(replies)

    assert_invalid(caught.value, "subscribe.session_id")


def test_an_unknown_timezone_is_quoted_briefly_not_echoed(running: System, test_tokens: TestTokens) -> None:
    for zone, field in [
        ("Mars/" + "x" * 10_000, "rules.timezone"),
        ("Mars/Olympus_Mons_Base_Camp_7", "timezone"),
    ]:
        request = availability_pb2.SetRulesRequest(
            rules=rules_pb2.RuleSet(provider_id="prov-1", timezone=zone)
        )
        error = refused(
            running,
            "availability",
            "/tenfour.availability.v1.AvailabilityService/SetRules",
            request.SerializeToString(),
            test_tokens.metadata(Role.SYSTEM_ADMIN),
        )

        assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
        (violation,) = field_violations(error)
        assert violation.field.endswith(field)
        assert len(error.details() or "") < 300
        assert zone not in violation.description or len(zone) <= 24


def test_every_service_answers_unavailable_with_retry_info_while_redis_is_down(
    tmp_path: Path, test_tokens: TestTokens
) -> None:
    # One call per service that needs Redis, each allowed for its caller, so only the outage
    # can refuse it: UNAVAILABLE (standard clients retry it) with RetryInfo, never INTERNAL.
    calls: list[tuple[str, str, bytes, tuple[tuple[str, str], ...]]] = [
        (
            "identity",
            "/tenfour.identity.v1.IdentityService/Login",
            identity_pb2.LoginRequest(username="someone", password="a guess at it").SerializeToString(),
            (),
        ),
        (
            "availability",
            "/tenfour.availability.v1.AvailabilityService/GetRules",
            availability_pb2.GetRulesRequest(provider_id="prov-1").SerializeToString(),
            test_tokens.metadata(Role.THERAPIST, subject="prov-1"),
        ),
        (
            "scheduling",
            "/tenfour.scheduling.v1.SchedulingService/GetFatiguePolicy",
            scheduling_pb2.GetFatiguePolicyRequest(agency_id="agency-1").SerializeToString(),
            test_tokens.metadata(Role.AGENCY_ADMIN),
        ),
        (
            "signaling",
            "/tenfour.signaling.v1.SignalingService/GetRoom",
            signaling_pb2.GetRoomRequest(appointment_id="appt-1").SerializeToString(),
            test_tokens.metadata(Role.OFFICER, subject="officer-1"),
        ),
        (
            "outcomes",
            "/tenfour.outcomes.v1.OutcomesService/ListAgencyReports",
            outcomes_pb2.ListAgencyReportsRequest().SerializeToString(),
            test_tokens.metadata(Role.SYSTEM_ADMIN, agency_id=None),
        ),
        (
            "notifications",
            "/tenfour.notifications.v1.NotificationService/GetSettings",
            notifications_pb2.GetSettingsRequest().SerializeToString(),
            test_tokens.metadata(Role.OFFICER, subject="officer-1"),
        ),
    ]
    with running_system(tmp_path, test_tokens) as system:
        system.redis.stop()
        answers = {}
        for service, method, body, metadata in calls:
            with grpc.insecure_channel(system.services[service].target) as channel:
                try:
                    raw_unary(channel, method, body, metadata, timeout=20)
                    answers[service] = ("OK", None, "")
                except grpc.RpcError as error:
                    answers[service] = (error.code().name, retry_delay(error), error.details() or "")

    for service, (code, retry, details) in answers.items():
        assert code == "UNAVAILABLE", (service, code, details)
        assert retry is not None, service
        assert "redis" not in details.lower(), (service, details)
