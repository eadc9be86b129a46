"""Gateway settings (environment variables with the TENFOUR_ prefix)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from tenfour_shared.config import ServiceSettings


class Settings(ServiceSettings):
    port: int = Field(default=8080, ge=0, le=65535)

    # Where each backend listens (identity's comes from ServiceSettings.identity_target).
    availability_target: str = "127.0.0.1:50052"
    scheduling_target: str = "127.0.0.1:50053"
    signaling_target: str = "127.0.0.1:50054"
    outcomes_target: str = "127.0.0.1:50055"
    notifications_target: str = "127.0.0.1:50056"

    # Origins allowed to send state-changing requests with cookies (CSRF), e.g.
    # "https://tenfour.example.org". Empty: the request's own Host (same-origin only).
    allowed_origins: Annotated[tuple[str, ...], NoDecode] = ()
    # Behind a TLS-terminating proxy, take the client's address from X-Forwarded-For (only for
    # login throttling; never logged).
    trust_forwarded: bool = False

    # Deadline of one unary backend call from the gateway.
    rpc_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # Request bodies (an iCalendar import may be up to 2 MiB).
    max_body_bytes: int = Field(default=3 * 1024 * 1024, ge=1024)
    # HSTS max-age; 0 turns the header off (never in production).
    hsts_seconds: int = Field(default=63072000, ge=0)
    # Seconds between WebSocket pings (proxies drop idle connections).
    websocket_heartbeat_seconds: float = Field(default=20.0, gt=0, le=300)
    # Developers only (`make run`): the embedded SMTP sink's Maildir, the same variable that the
    # notifications service reads for ListDevMailbox. Set, the web app offers its "Outbox" page;
    # empty (always in a deployment), the page is not offered.
    notifications_dev_mailbox_dir: str = ""

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip().rstrip("/") for part in value.split(",") if part.strip())
        return value

    def targets(self) -> dict[str, str]:
        return {
            "identity": self.identity_target,
            "availability": self.availability_target,
            "scheduling": self.scheduling_target,
            "signaling": self.signaling_target,
            "outcomes": self.outcomes_target,
            "notifications": self.notifications_target,
        }
