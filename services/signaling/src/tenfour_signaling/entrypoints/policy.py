"""Who may call each signaling RPC. Anything not listed is denied."""

from __future__ import annotations

from tenfour_shared.auth.policy import Policy

POLICY = Policy({})
