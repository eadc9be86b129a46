"""Per-RPC access rules, declared next to each service's code; anything undeclared is denied.

A policy is data, not decorators: one table per service is easy to review in a diff and to
check in a test ("every RPC in the proto has a rule").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from enum import Enum

from tenfour_shared.auth.principal import Principal
from tenfour_shared.auth.roles import ALL_ROLES, Role

__all__ = [
    "AUTHENTICATED",
    "HEALTH_METHODS",
    "PUBLIC",
    "REFLECTION_METHODS",
    "Policy",
    "Rule",
    "Verdict",
]

_METHOD = re.compile(r"^/[A-Za-z_][A-Za-z0-9_.]*/[A-Za-z_][A-Za-z0-9_]*$")

HEALTH_METHODS = ("/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch")
REFLECTION_METHODS = (
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
)


class Verdict(Enum):
    ALLOW = "allow"
    UNAUTHENTICATED = "unauthenticated"
    PERMISSION_DENIED = "permission_denied"


@dataclass(frozen=True, slots=True)
class Rule:
    """Who may call one RPC: any caller (public) or callers holding one of `roles`."""

    roles: AbstractSet[Role] = frozenset()
    public: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", frozenset(Role(r) for r in self.roles))
        if self.public == bool(self.roles):
            raise ValueError("a rule is either public or names at least one role")

    def judge(self, principal: Principal | None) -> Verdict:
        if self.public:
            return Verdict.ALLOW
        if principal is None:
            return Verdict.UNAUTHENTICATED
        return Verdict.ALLOW if principal.role in self.roles else Verdict.PERMISSION_DENIED


PUBLIC = Rule(public=True)
AUTHENTICATED = Rule(roles=ALL_ROLES)  # any signed-in user, whatever the role


class Policy:
    """An immutable map from full method name (`/pkg.Service/Method`) to its Rule.

    Health and reflection are public by default so probes and tooling work without tokens;
    pass `public_health=False` / `public_reflection=False` to lock them down.
    """

    __slots__ = ("_rules",)

    def __init__(
        self,
        rules: Mapping[str, Rule],
        *,
        public_health: bool = True,
        public_reflection: bool = True,
    ) -> None:
        table: dict[str, Rule] = {}
        if public_health:
            table.update(dict.fromkeys(HEALTH_METHODS, PUBLIC))
        if public_reflection:
            table.update(dict.fromkeys(REFLECTION_METHODS, PUBLIC))
        for method, rule in rules.items():
            if not _METHOD.match(method):
                raise ValueError(f"not a full gRPC method name: {method!r}")
            if not isinstance(rule, Rule):
                raise TypeError(f"rule for {method} is not a Rule")
            table[method] = rule
        self._rules: Mapping[str, Rule] = table

    def rule_for(self, method: str) -> Rule | None:
        return self._rules.get(method)

    def methods(self) -> frozenset[str]:
        return frozenset(self._rules)

    def __or__(self, other: Policy) -> Policy:
        """Combine the policies of several services hosted by one server; clashes are errors."""
        for method in self._rules.keys() & other._rules.keys():
            if self._rules[method] != other._rules[method]:
                raise ValueError(f"conflicting rules for {method}")
        return Policy({**self._rules, **other._rules}, public_health=False, public_reflection=False)
