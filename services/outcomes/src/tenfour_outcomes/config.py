"""Outcomes settings (environment variables with the TENFOUR_ prefix)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, SecretStr

from tenfour_shared.config import ServiceSettings

# Only for a laptop: every deployment sets TENFOUR_OUTCOMES_PSEUDONYM_KEY (a warning says so).
DEVELOPMENT_PSEUDONYM_KEY = "tenfour-outcomes-development-pseudonym-key-not-secret"


class Settings(ServiceSettings):
    port: int = Field(default=50055, ge=0, le=65535)
    # HMAC key (at least 32 characters) for the pseudonyms of officers, providers and
    # appointments in the read model. Changing it orphans the pseudonyms already stored.
    outcomes_pseudonym_key: SecretStr = SecretStr("")
    # A month is published (and its feedback closes) this long after it ends; late events for
    # it are ignored from then on.
    outcomes_release_after_days: float = Field(default=14.0, ge=1, le=90)
    # How far back the first publication of an agency reaches.
    outcomes_history_months: int = Field(default=36, ge=1, le=120)
    # How often due months are published for every agency (reports publish them on demand too).
    outcomes_publish_every_seconds: float = Field(default=3600.0, gt=0)

    @property
    def release_delay(self) -> timedelta:
        return timedelta(days=self.outcomes_release_after_days)

    def pseudonym_key(self) -> tuple[bytes, bool]:
        """The key, and whether it is the development default."""
        value = self.outcomes_pseudonym_key.get_secret_value()
        if not value:
            return DEVELOPMENT_PSEUDONYM_KEY.encode(), True
        if len(value) < 32:
            raise ValueError("TENFOUR_OUTCOMES_PSEUDONYM_KEY needs at least 32 characters")
        return value.encode(), False
