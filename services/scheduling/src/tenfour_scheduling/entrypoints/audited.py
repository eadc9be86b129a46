"""Scheduling's RPCs that touch a session, for identity's access audit trail (BRIEF: who viewed,
cancelled or rescheduled a session). Listing one's sessions views each one listed."""

from __future__ import annotations

from typing import Any

from tenfour_shared.access_audit import AuditedRpc, request_field


def _listed(_request: Any, response: Any) -> list[str]:
    return [a.appointment_id for a in response.appointments]


AUDITED: dict[str, AuditedRpc] = {
    "GetAppointment": AuditedRpc("view", request_field("appointment_id")),
    "ListAppointments": AuditedRpc("view", _listed),
    "Cancel": AuditedRpc("cancel", request_field("appointment_id")),
    "Reschedule": AuditedRpc("reschedule", request_field("appointment_id")),
}
