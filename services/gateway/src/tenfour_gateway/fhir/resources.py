"""FHIR R4 resources built from Tenfour's messages and validated with `fhir.resources`.

`fhir.resources` ships R4B models; Schedule, Slot, Appointment, Bundle, OperationOutcome and
CapabilityStatement are the same in R4 (4.0.1) and R4B for every element used here. Every
resource is validated by its model before it is served, so a malformed one is a server error
in our tests, never a document a client has to cope with.

Confidentiality: an officer appears only as `Patient/<pseudonymous id>`, with no display name;
no reason, notes or agency are exported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.schedule import Schedule
from fhir.resources.R4B.slot import Slot
from google.protobuf.timestamp_pb2 import Timestamp

from tenfour.common.v1 import common_pb2
from tenfour.scheduling.v1 import appointments_pb2

MEDIA_TYPE = "application/fhir+json"
FHIR_VERSION = "4.0.1"

# FHIR Appointment.status is Tenfour's status one-to-one (scheduling's domain/appointments.py).
STATUS = {
    appointments_pb2.APPOINTMENT_STATUS_PROPOSED: "proposed",
    appointments_pb2.APPOINTMENT_STATUS_BOOKED: "booked",
    appointments_pb2.APPOINTMENT_STATUS_ARRIVED: "arrived",
    appointments_pb2.APPOINTMENT_STATUS_FULFILLED: "fulfilled",
    appointments_pb2.APPOINTMENT_STATUS_CANCELLED: "cancelled",
    appointments_pb2.APPOINTMENT_STATUS_NOSHOW: "noshow",
    appointments_pb2.APPOINTMENT_STATUS_ENTERED_IN_ERROR: "entered-in-error",
    appointments_pb2.APPOINTMENT_STATUS_WAITLIST: "waitlist",
}
SESSION_NAMES: dict[common_pb2.SessionType.ValueType, str] = {
    common_pb2.SESSION_TYPE_INDIVIDUAL: "individual",
    common_pb2.SESSION_TYPE_GROUP: "group",
}


def instant(ts: Timestamp) -> str:
    return ts.ToDatetime(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _json(model: Any) -> dict[str, Any]:
    result: dict[str, Any] = model.model_dump(mode="json", exclude_none=True)
    return result


def schedule(provider_id: str) -> dict[str, Any]:
    return _json(
        Schedule.model_validate(
            {
                "resourceType": "Schedule",
                "id": provider_id,
                "active": True,
                "actor": [{"reference": f"Practitioner/{provider_id}"}],
                "comment": "Bookable time for sessions with this provider.",
            }
        )
    )


def slot(
    provider_id: str, start: Timestamp, end: Timestamp, session_types: Iterable[str] = ()
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "resourceType": "Slot",
        "id": f"{provider_id}.{start.seconds}",
        "schedule": {"reference": f"Schedule/{provider_id}"},
        "status": "free",
        "start": instant(start),
        "end": instant(end),
    }
    types = [{"text": t} for t in session_types]
    if types:
        data["serviceType"] = types
    return _json(Slot.model_validate(data))


def appointment(a: appointments_pb2.Appointment, visible_officers: Sequence[str]) -> dict[str, Any]:
    participants = [
        {
            "actor": {"reference": f"Practitioner/{a.provider_id}"},
            "required": "required",
            "status": "accepted",
        }
    ] + [
        {"actor": {"reference": f"Patient/{officer}"}, "required": "required", "status": "accepted"}
        for officer in visible_officers
    ]
    data: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": a.appointment_id,
        "status": STATUS.get(a.status, "proposed"),
        "start": instant(a.time.start),
        "end": instant(a.time.end),
        "minutesDuration": max(1, (a.time.end.seconds - a.time.start.seconds) // 60),
        "participant": participants,
    }
    if a.session_type in SESSION_NAMES:
        data["appointmentType"] = {"text": SESSION_NAMES[a.session_type]}
    if a.HasField("created_at"):
        data["created"] = instant(a.created_at)
    return _json(FhirAppointment.model_validate(data))


def bundle(
    base: str,
    resource_type: str,
    entries: list[dict[str, Any]],
    total: int,
    self_url: str,
    next_url: str | None,
) -> dict[str, Any]:
    links = [{"relation": "self", "url": self_url}]
    if next_url:
        links.append({"relation": "next", "url": next_url})
    return _json(
        Bundle.model_validate(
            {
                "resourceType": "Bundle",
                "type": "searchset",
                "total": total,
                "link": links,
                "entry": [
                    {
                        "fullUrl": f"{base}/{resource_type}/{e['id']}",
                        "resource": e,
                        "search": {"mode": "match"},
                    }
                    for e in entries
                ],
            }
        )
    )


def outcome(code: str, diagnostics: str, severity: str = "error") -> dict[str, Any]:
    return _json(
        OperationOutcome.model_validate(
            {
                "resourceType": "OperationOutcome",
                "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}],
            }
        )
    )


def capability_statement(base: str, accepted: dict[str, frozenset[str]]) -> dict[str, Any]:
    kinds = {"actor": "reference", "schedule": "reference", "_id": "token", "status": "token"}
    kinds |= {"date": "date", "start": "date"}
    resources = [
        {
            "type": name,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [{"name": p, "type": kinds[p]} for p in sorted(params)]
            + [{"name": "_count", "type": "number"}],
        }
        for name, params in accepted.items()
    ]
    return _json(
        CapabilityStatement.model_validate(
            {
                "resourceType": "CapabilityStatement",
                "status": "active",
                "date": datetime.now(UTC).date().isoformat(),
                "publisher": "Tenfour",
                "kind": "instance",
                "software": {"name": "Tenfour"},
                "implementation": {"description": "Tenfour scheduling (read-only)", "url": base},
                "fhirVersion": FHIR_VERSION,
                "format": ["json"],
                "rest": [
                    {
                        "mode": "server",
                        "documentation": "Read-only. Sign in as for the web app (bearer token or cookie); "
                        "a provider sees their own schedule and appointments, an officer their own.",
                        "security": {
                            "cors": False,
                            "description": "OAuth-style bearer access tokens from Tenfour identity.",
                        },
                        "resource": resources,
                    }
                ],
            }
        )
    )
