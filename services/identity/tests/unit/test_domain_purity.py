"""import-linter allows indirect imports; this checks the whole import graph of the domain at runtime."""

from __future__ import annotations

import subprocess
import sys

MODULES = [
    "common_passwords",
    "enrolment",
    "errors",
    "fields",
    "models",
    "password_policy",
    "passwords",
    "provider",
    "refresh",
    "roles",
    "throttle",
    "totp",
    "validation",
]


def test_domain_imports_no_grpc_redis_or_nats() -> None:
    imports = "; ".join(f"import tenfour_identity.domain.{m}" for m in MODULES)
    probe = f"import sys; {imports}; print(sorted(m for m in ('grpc', 'redis', 'nats') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
