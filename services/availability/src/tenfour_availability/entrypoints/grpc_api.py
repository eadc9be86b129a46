"""gRPC servicer: a thin translation between protobuf and the availability use cases."""

from __future__ import annotations

from typing import Any, TypeAlias

from grpc import aio

from tenfour.availability.v1 import availability_pb2, availability_pb2_grpc, rules_pb2
from tenfour_availability.adapters.rules_repository import RulesRepository
from tenfour_shared.auth.principal import current_principal
from tenfour_shared.auth.roles import Role
from tenfour_shared.errors import FieldViolation, InvalidArgument, NotFound, PermissionDenied
from tenfour_shared.timeline import load_zone

SERVICE_NAME = "tenfour.availability.v1.AvailabilityService"
Ctx: TypeAlias = aio.ServicerContext[Any, Any]


def _require_provider(provider_id: str, field: str = "provider_id") -> None:
    if not provider_id or len(provider_id) > 64:
        raise InvalidArgument.single(field, "a provider id (1-64 characters) is required")
    caller = current_principal()
    # Providers edit only their own hours; system admins may act for a provider.
    if caller.role is not Role.SYSTEM_ADMIN and caller.subject != provider_id:
        raise PermissionDenied("you can only manage your own availability")


def _validate(rules: rules_pb2.RuleSet) -> None:
    violations: list[FieldViolation] = []
    try:
        load_zone(rules.timezone)
    except ValueError:
        violations.append(FieldViolation("rules.timezone", f"unknown IANA timezone {rules.timezone!r}"))
    if violations:
        raise InvalidArgument(violations)


class AvailabilityApi(availability_pb2_grpc.AvailabilityServiceServicer):
    def __init__(self, repo: RulesRepository) -> None:
        self._repo = repo

    async def GetRules(self, request: availability_pb2.GetRulesRequest, context: Ctx) -> rules_pb2.RuleSet:
        _require_provider(request.provider_id)
        rules = await self._repo.get(request.provider_id)
        if rules is None:
            raise NotFound("this provider has no availability rules yet")
        return rules

    async def SetRules(self, request: availability_pb2.SetRulesRequest, context: Ctx) -> rules_pb2.RuleSet:
        _require_provider(request.rules.provider_id, "rules.provider_id")
        _validate(request.rules)

        def replace(_: rules_pb2.RuleSet | None) -> rules_pb2.RuleSet:
            new = rules_pb2.RuleSet()
            new.CopyFrom(request.rules)
            return new

        return await self._repo.save(
            request.rules.provider_id, replace, expected_version=request.expected_version
        )
