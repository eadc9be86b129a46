"""Errors the domain raises on purpose; the service layer maps them to gRPC statuses."""

from __future__ import annotations

__all__ = ["InvalidInput"]


class InvalidInput(Exception):
    """One or more fields of a request are unusable: (field, description) pairs."""

    def __init__(self, violations: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {d}" for f, d in violations))
        self.violations = tuple(violations)
