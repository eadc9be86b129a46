"""Checks on the service's structure: a rule for every RPC, a pure domain, no per-person fields."""

from __future__ import annotations

import subprocess
import sys

from google.protobuf.descriptor import Descriptor, FieldDescriptor

from tenfour.outcomes.v1 import outcomes_pb2
from tenfour_outcomes.domain.report import FIELDS
from tenfour_outcomes.entrypoints.policy import POLICY
from tenfour_shared.auth.roles import Role

SERVICE = outcomes_pb2.DESCRIPTOR.services_by_name["OutcomesService"]


def test_every_rpc_has_a_rule_and_reports_are_for_admins_only() -> None:
    roles = {}
    for method in SERVICE.methods:
        rule = POLICY.rule_for(f"/{SERVICE.full_name}/{method.name}")
        assert rule is not None, method.name
        roles[method.name] = rule.roles
    assert roles["IssueFeedbackCredential"] == roles["SubmitFeedback"] == {Role.OFFICER}
    assert (
        roles["GetAgencyReport"] == roles["ExportAgencyReportCsv"] == {Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN}
    )
    assert roles["ListAgencyReports"] == {Role.SYSTEM_ADMIN}


def _fields(message: Descriptor, seen: set[str]) -> list[str]:
    if message.full_name in seen:
        return []
    seen.add(message.full_name)
    out = []
    for field in message.fields:
        out.append(f"{message.name}.{field.name}")
        if field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type is not None:
            out += _fields(field.message_type, seen)
    return out


def test_no_response_can_carry_a_person_an_appointment_or_a_provider() -> None:
    """Structural: the only ids any response carries are the agency's and a campaign's (an
    agency's own label for a program, never a person)."""
    for method in SERVICE.methods:
        names = _fields(method.output_type, set())
        for name in names:
            field = name.split(".")[-1]
            assert not field.endswith("_id") or field in ("agency_id", "campaign_id"), name
            assert not any(
                word in field for word in ("officer_id", "user", "provider_id", "appointment", "unit")
            )
    rows = outcomes_pb2.AgencyReport.DESCRIPTOR.fields_by_name["periods"]
    assert rows.message_type is not None
    assert rows.message_type.name == "PeriodFigures"  # a row is a period, never a person


def test_the_proto_row_has_exactly_the_domain_figures_in_order() -> None:
    row = outcomes_pb2.PeriodFigures.DESCRIPTOR
    assert [f.name for f in row.fields][1:] == list(FIELDS)


def test_domain_imports_no_grpc_redis_or_nats() -> None:
    probe = (
        "import sys, pkgutil, importlib, tenfour_outcomes.domain as d\n"
        "for m in pkgutil.iter_modules(d.__path__):\n"
        "    importlib.import_module(f'tenfour_outcomes.domain.{m.name}')\n"
        "print(sorted(m for m in ('grpc', 'redis', 'nats') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
