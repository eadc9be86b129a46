"""The authenticated caller of the current RPC, and agency checks handlers apply to requests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from tenfour_shared.auth.errors import AccessDenied
from tenfour_shared.auth.roles import Role

__all__ = [
    "Principal",
    "current_principal",
    "current_principal_or_none",
    "principal_scope",
    "require_same_agency",
]


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str  # user id
    role: Role
    agency_id: str | None
    session_id: str
    token_id: str  # jti: lets audit logs and revocation lists name one token


_CURRENT: ContextVar[Principal | None] = ContextVar("tenfour_principal", default=None)


def current_principal() -> Principal:
    """The caller of the RPC being handled; raises on public RPCs, where there is none."""
    principal = _CURRENT.get()
    if principal is None:
        raise LookupError("no authenticated principal in this context (public RPC?)")
    return principal


def current_principal_or_none() -> Principal | None:
    return _CURRENT.get()


@contextmanager
def principal_scope(principal: Principal | None) -> Iterator[None]:
    """Make `principal` the current caller inside the block (the interceptor and tests use it)."""
    token = _CURRENT.set(principal)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def set_principal(principal: Principal | None) -> None:
    """Set without restoring: only for code that owns the whole task (one RPC, one task)."""
    _CURRENT.set(principal)


def require_same_agency(principal: Principal, agency_id: str, *, allow_system_admin: bool = False) -> None:
    """Deny unless the caller belongs to `agency_id`.

    Operators are denied by default: officers' data stays inside their agency unless a handler
    deliberately lets platform administration through.
    """
    if allow_system_admin and principal.role is Role.SYSTEM_ADMIN:
        return
    if not agency_id or principal.agency_id != agency_id:
        raise AccessDenied("resource belongs to another agency")
