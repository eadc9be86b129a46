"""Signaling's RPCs that touch a session, for identity's access audit trail: joining a session
(into the waiting room or the call) and admitting someone from the waiting room."""

from __future__ import annotations

from tenfour_shared.access_audit import AuditedRpc, request_field

AUDITED: dict[str, AuditedRpc] = {
    "Join": AuditedRpc("join", request_field("appointment_id")),
    "Admit": AuditedRpc("admit", request_field("appointment_id")),
}
