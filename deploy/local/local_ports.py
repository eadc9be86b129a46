"""Ports of one `make run` system, so that two can run side by side on one machine.

Without TENFOUR_PORT_BASE the well-known ports (services 50051-50056, web 8080, metrics 9101-)
and the data folder .data/ are used. With TENFOUR_PORT_BASE=N every port moves into N+1..N+199
and the data folder becomes .data-N/ (unless TENFOUR_DATA_DIR names one): services N+1..N+6,
NATS N+22, mail sink N+25, Redis N+79, web N+80, metrics N+101... Two systems with bases at
least 200 apart never share a port, a data folder or a demo sign-in.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LocalPorts", "from_environment"]

SPAN = 200  # ports a base reserves
_LOWEST, _HIGHEST = 1024, 65535 - SPAN


@dataclass(frozen=True)
class LocalPorts:
    base: int | None
    services: dict[str, int]
    gateway: int
    metrics_first: int
    nats: int
    redis: int
    smtp: int
    data_dir: Path

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway}"

    def targets(self) -> dict[str, str]:
        """TENFOUR_<SERVICE>_TARGET for every process (and the CLI) of this system."""
        return {f"TENFOUR_{name.upper()}_TARGET": f"127.0.0.1:{port}" for name, port in self.services.items()}


def _base(text: str) -> int | None:
    if not text.strip():
        return None
    try:
        base = int(text)
    except ValueError:
        raise SystemExit(f"TENFOUR_PORT_BASE={text!r} is not a number, e.g. 20000") from None
    if not _LOWEST <= base <= _HIGHEST:
        raise SystemExit(f"TENFOUR_PORT_BASE must be between {_LOWEST} and {_HIGHEST}, e.g. 20000")
    return base


def from_environment(
    defaults: dict[str, int], root: Path, environ: dict[str, str] | None = None
) -> LocalPorts:
    """`defaults`: each service's well-known port (tenfour_shared.launcher.SERVICES)."""
    env = os.environ if environ is None else environ
    base = _base(env.get("TENFOUR_PORT_BASE", ""))
    data = env.get("TENFOUR_DATA_DIR", "")
    if base is None:
        return LocalPorts(None, dict(defaults), 8080, 9101, 14222, 16379, 11025, Path(data or root / ".data"))
    services = {name: base + 1 + i for i, name in enumerate(defaults)}
    folder = Path(data or root / f".data-{base}")
    return LocalPorts(base, services, base + 80, base + 101, base + 22, base + 79, base + 25, folder)
