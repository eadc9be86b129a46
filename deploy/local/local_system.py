"""Where this machine's embedded system lives: its ports, data folder, console and secrets."""

from __future__ import annotations

import base64
import json
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

from local_ports import from_environment  # next to this script, which runs as a file
from rich.console import Console

from tenfour_shared.config import TlsSettings
from tenfour_shared.launcher import SERVICES
from tenfour_testing.embedded import free_port, port_is_free

ROOT = Path(__file__).resolve().parents[2]
# TENFOUR_PORT_BASE moves every port and the data folder: two systems side by side (local_ports.py).
PORTS = from_environment({name: port for name, (port, _) in SERVICES.items()}, ROOT)
DATA = PORTS.data_dir
WEB_URL = PORTS.web_url
console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def pick_port(preferred: int) -> int:
    return preferred if port_is_free(preferred) else free_port()


def vapid_private_key() -> str:
    """Made once and kept: browsers' push subscriptions are bound to its public half."""
    from tenfour_notifications.adapters.webpush import generate_vapid_private_key

    return generate_vapid_private_key()


def local_secrets() -> dict[str, str]:
    """Secrets of this machine's embedded system, made once and kept (0600) under the data dir.

    A deployment passes its own through the environment; these only spare a newcomer the chore.
    """
    path = DATA / "secrets.json"
    saved: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    wanted: dict[str, Callable[[], str]] = {
        "TENFOUR_IDENTITY_KEY_ENCRYPTION_KEY": lambda: (
            base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
        ),
        "TENFOUR_OUTCOMES_PSEUDONYM_KEY": lambda: secrets.token_urlsafe(32),
        "TENFOUR_TURN_SECRET": lambda: secrets.token_urlsafe(32),
        "TENFOUR_NOTIFICATIONS_ENCRYPTION_KEY": lambda: secrets.token_hex(32),
        "TENFOUR_NOTIFICATIONS_VAPID_PRIVATE_KEY": vapid_private_key,
        "TENFOUR_BOOTSTRAP_ADMIN_USERNAME": lambda: "admin",
        "TENFOUR_BOOTSTRAP_ADMIN_PASSWORD": lambda: f"tenfour-{secrets.token_urlsafe(12)}",
    }
    missing = {key: make() for key, make in wanted.items() if key not in saved}
    if missing:  # first run, or a data folder from an older version: keep what exists
        saved.update(missing)
        DATA.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(json.dumps(saved, indent=2))
    return {key: os.environ.get(key, value) for key, value in saved.items()}


PKI = DATA / "pki"


def secure_mode() -> bool:
    return os.environ.get("TENFOUR_SECURE", "0").strip().lower() in ("1", "true", "yes", "on")


def process_env(name: str) -> dict[str, str]:
    """Certificate and users of one process under TENFOUR_SECURE=1; nothing otherwise."""
    if not secure_mode():
        return {}
    from tenfour_shared.certs import process_env as certs_env

    return certs_env(PKI, name)


def cli_tls() -> TlsSettings | None:
    env = process_env("cli")
    if not env:
        return None
    return TlsSettings(
        tls_ca_file=env["TENFOUR_TLS_CA_FILE"],
        tls_cert_file=env["TENFOUR_TLS_CERT_FILE"],
        tls_key_file=env["TENFOUR_TLS_KEY_FILE"],
    )
