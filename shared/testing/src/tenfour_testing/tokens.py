"""Access tokens for tests: a throw-away signing key whose JWKS the services under test trust.

Services started with TENFOUR_JWKS_JSON=<jwks_json> verify exactly these tokens, the same way
they verify identity's in production.
"""

from __future__ import annotations

import json
import secrets

from tenfour_shared.auth.keys import KeyRing, SigningKey
from tenfour_shared.auth.roles import Role
from tenfour_shared.auth.tokens import TokenIssuer
from tenfour_shared.config import ServiceSettings


class TestTokens:
    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        defaults = ServiceSettings()
        self.ring = KeyRing(SigningKey.generate())
        self.issuer = TokenIssuer(
            issuer=defaults.token_issuer, audience=defaults.token_audience, keyring=lambda: self.ring
        )

    @property
    def jwks_json(self) -> str:
        return json.dumps(self.ring.jwks())

    def token(self, role: Role, subject: str = "", agency_id: str | None = "agency-1") -> str:
        if role is Role.SYSTEM_ADMIN:
            agency_id = None
        issued = self.issuer.issue(
            subject=subject or f"{role.value}-{secrets.token_hex(4)}",
            role=role,
            agency_id=agency_id,
            session_id=secrets.token_hex(8),
        )
        return issued.token

    def metadata(
        self, role: Role, subject: str = "", agency_id: str | None = "agency-1"
    ) -> tuple[tuple[str, str]]:
        return (("authorization", f"Bearer {self.token(role, subject, agency_id)}"),)
