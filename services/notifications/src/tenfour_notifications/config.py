"""Notifications settings (environment variables with the TENFOUR_ prefix)."""

from __future__ import annotations

import hashlib

from pydantic import Field, SecretStr

from tenfour_shared.config import ServiceSettings

# Only for a laptop: every deployment sets TENFOUR_NOTIFICATIONS_ENCRYPTION_KEY (a warning says so).
_DEVELOPMENT_KEY = hashlib.sha256(b"tenfour-notifications development key: never in production").digest()


class Settings(ServiceSettings):
    port: int = Field(default=50056, ge=0, le=65535)
    # Master key (>= 32 bytes, hex or base64url) sealing addresses, push subscriptions, webhook
    # secrets and queued message text at rest. Changing it makes the stored ones unreadable.
    notifications_encryption_key: SecretStr = SecretStr("")
    # VAPID (RFC 8292) key pair: the private key as base64url of the raw 32-byte P-256 scalar.
    # Empty: a key pair is made at start-up (development only: browsers' subscriptions then
    # break at every restart). `make run` keeps one in .data/secrets.json.
    notifications_vapid_private_key: SecretStr = SecretStr("")
    notifications_vapid_subject: str = "mailto:notifications@tenfour.invalid"
    # Outgoing mail. STARTTLS is used whenever the server offers it; `required` refuses servers
    # that do not (production), `off` never uses it.
    notifications_smtp_host: str = "127.0.0.1"
    notifications_smtp_port: int = Field(default=1025, ge=1, le=65535)
    notifications_smtp_username: str = ""
    notifications_smtp_password: SecretStr = SecretStr("")
    notifications_smtp_starttls: str = Field(default="auto", pattern="^(auto|required|off)$")
    notifications_smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    notifications_mail_from: str = "Tenfour <no-reply@tenfour.invalid>"
    # Links in mails (email confirmation, "open Tenfour") start with this.
    notifications_public_base_url: str = "http://127.0.0.1:8080"
    # The embedded SMTP sink's maildir under `make run` (ListDevMailbox); empty = that RPC is off.
    notifications_dev_mailbox_dir: str = ""
    # http:// push endpoints / webhooks on loopback (local development and tests only).
    notifications_allow_insecure_push: bool = False
    notifications_allow_insecure_webhook: bool = False
    # Delivery: attempts, backoff (full jitter, doubling from base up to max), concurrency.
    notifications_max_attempts: int = Field(default=8, ge=1, le=50)
    notifications_backoff_base_seconds: float = Field(default=1.0, gt=0, le=600)
    notifications_backoff_max_seconds: float = Field(default=300.0, gt=0, le=86400)
    notifications_concurrency: int = Field(default=32, ge=1, le=1000)
    notifications_send_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # A claimed delivery whose worker died is taken over after this long.
    notifications_lease_seconds: float = Field(default=30.0, ge=1, le=3600)
    notifications_poll_seconds: float = Field(default=0.5, gt=0, le=60)

    def master_key(self) -> tuple[bytes, bool]:
        """The key and whether it is the development default."""
        from tenfour_notifications.adapters.vault import decode_master

        value = self.notifications_encryption_key.get_secret_value()
        if not value.strip():
            return _DEVELOPMENT_KEY, True
        return decode_master(value), False
