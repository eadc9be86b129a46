"""Where the services are and where the CLI keeps its files.

Targets: `--<service>-target` flags, else `TENFOUR_<SERVICE>_TARGET`, else 127.0.0.1:5005x
(the ports `make run` uses). Files: the sign-in cache lives in `$TENFOUR_CONFIG_DIR`, else
`$XDG_CONFIG_HOME/tenfour`, else `~/.config/tenfour`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DEFAULT_TARGETS",
    "SERVICE_NAMES",
    "Targets",
    "config_dir",
    "data_dir",
    "write_private",
]

SERVICE_NAMES: dict[str, str] = {
    "identity": "tenfour.identity.v1.IdentityService",
    "availability": "tenfour.availability.v1.AvailabilityService",
    "scheduling": "tenfour.scheduling.v1.SchedulingService",
    "signaling": "tenfour.signaling.v1.SignalingService",
    "outcomes": "tenfour.outcomes.v1.OutcomesService",
    "notifications": "tenfour.notifications.v1.NotificationService",
}
DEFAULT_TARGETS: dict[str, str] = {
    "identity": "127.0.0.1:50051",
    "availability": "127.0.0.1:50052",
    "scheduling": "127.0.0.1:50053",
    "signaling": "127.0.0.1:50054",
    "outcomes": "127.0.0.1:50055",
    "notifications": "127.0.0.1:50056",
}


@dataclass(frozen=True, slots=True)
class Targets:
    identity: str
    availability: str
    scheduling: str
    signaling: str
    outcomes: str
    notifications: str

    @classmethod
    def resolve(cls, given: dict[str, str | None] | None = None) -> Targets:
        """Flags first, then TENFOUR_<SERVICE>_TARGET, then the defaults."""
        given = given or {}
        chosen = {
            name: given.get(name) or os.environ.get(f"TENFOUR_{name.upper()}_TARGET") or default
            for name, default in DEFAULT_TARGETS.items()
        }
        return cls(**chosen)

    def items(self) -> list[tuple[str, str]]:
        return [(name, getattr(self, name)) for name in DEFAULT_TARGETS]


def config_dir() -> Path:
    explicit = os.environ.get("TENFOUR_CONFIG_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return (Path(xdg) if xdg else Path.home() / ".config") / "tenfour"


def data_dir() -> Path:
    """`make run`'s data folder: TENFOUR_DATA_DIR, else ./.data."""
    return Path(os.environ.get("TENFOUR_DATA_DIR") or ".data")


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (0600), atomically (a temp file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, 0o600)  # also when the umask or an older file had looser bits
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
