from __future__ import annotations

import pytest

from tenfour_shared.auth import AUTHENTICATED, PUBLIC, Policy, Principal, Role, Rule, Verdict
from tenfour_shared.auth.interceptor import bearer_token

BOOK = "/tenfour.scheduling.v1.SchedulingService/Book"
CHECK = "/grpc.health.v1.Health/Check"
REFLECT = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"


def _principal(role: Role) -> Principal:
    agency = None if role is Role.SYSTEM_ADMIN else "a-1"
    return Principal("u-1", role, agency, "s-1", "t-1")


def test_rule_judges_roles() -> None:
    rule = Rule(roles={Role.OFFICER, Role.PEER_SUPPORTER})
    assert rule.roles == frozenset({Role.OFFICER, Role.PEER_SUPPORTER})
    assert rule.judge(None) is Verdict.UNAUTHENTICATED
    assert rule.judge(_principal(Role.OFFICER)) is Verdict.ALLOW
    assert rule.judge(_principal(Role.THERAPIST)) is Verdict.PERMISSION_DENIED
    assert PUBLIC.judge(None) is Verdict.ALLOW
    assert all(AUTHENTICATED.judge(_principal(role)) is Verdict.ALLOW for role in Role)


def test_rule_must_be_public_or_name_roles() -> None:
    with pytest.raises(ValueError, match="public"):
        Rule()
    with pytest.raises(ValueError, match="public"):
        Rule(roles={Role.OFFICER}, public=True)
    with pytest.raises(ValueError, match="superuser"):
        Rule(roles={"superuser"})  # type: ignore[arg-type]


def test_policy_denies_by_default_and_opens_health_and_reflection() -> None:
    policy = Policy({BOOK: Rule(roles={Role.OFFICER})})
    assert policy.rule_for(BOOK) == Rule(roles={Role.OFFICER})
    assert policy.rule_for("/tenfour.scheduling.v1.SchedulingService/Cancel") is None
    assert policy.rule_for(CHECK) == PUBLIC
    assert policy.rule_for(REFLECT) == PUBLIC
    locked = Policy({BOOK: PUBLIC}, public_health=False, public_reflection=False)
    assert locked.rule_for(CHECK) is None
    assert locked.rule_for(REFLECT) is None
    assert locked.methods() == {BOOK}


def test_policy_can_override_defaults() -> None:
    assert Policy({CHECK: AUTHENTICATED}).rule_for(CHECK) == AUTHENTICATED


@pytest.mark.parametrize("method", ["Book", "/Book", "tenfour.S/Book", "/pkg.S/Book/extra", "/pkg.S/"])
def test_policy_refuses_malformed_method_names(method: str) -> None:
    with pytest.raises(ValueError, match="method"):
        Policy({method: PUBLIC})


def test_policy_refuses_non_rules() -> None:
    with pytest.raises(TypeError):
        Policy({BOOK: {Role.OFFICER}})  # type: ignore[dict-item]


def test_policies_of_several_services_combine() -> None:
    other = "/tenfour.signaling.v1.Signaling/Join"
    combined = Policy({BOOK: Rule(roles={Role.OFFICER})}) | Policy({other: AUTHENTICATED})
    assert {BOOK, other, CHECK} <= combined.methods()
    with pytest.raises(ValueError, match="conflicting"):
        _ = Policy({BOOK: PUBLIC}) | Policy({BOOK: AUTHENTICATED})


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ((("authorization", "Bearer abc.def.ghi"),), "abc.def.ghi"),
        ((("Authorization", "bearer abc"),), "abc"),
        (None, None),
        ((), None),
        ((("authorization", "Basic dXNlcjpwYXNz"),), None),
        ((("authorization", "Bearer"),), None),
        ((("authorization", "Bearer a b"),), None),
        ((("authorization", b"Bearer abc"),), None),
        ((("authorization", "Bearer a"), ("authorization", "Bearer b")), None),
    ],
)
def test_bearer_token_parsing(
    metadata: tuple[tuple[str, str | bytes], ...] | None, expected: str | None
) -> None:
    assert bearer_token(metadata) == expected
