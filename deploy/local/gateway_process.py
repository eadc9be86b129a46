"""The web gateway as a child process of `make run`."""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
from pathlib import Path

from tenfour_testing.embedded import env_with, wait_for_port


class Gateway:
    """The web gateway (HTTP) as a process, when its package is installed."""

    def __init__(self, env: dict[str, str], log_path: Path, port: int) -> None:
        self.env = env
        self.port = port
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    @staticmethod
    def installed() -> bool:
        return importlib.util.find_spec("tenfour_gateway") is not None

    def start(self) -> None:
        with self.log_path.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tenfour_gateway"],
                env=env_with(TENFOUR_PORT=str(self.port), **self.env),
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout: float = 30.0) -> None:
        assert self.proc is not None, "start() first"
        wait_for_port(self.port, self.proc, timeout)  # also fails when the gateway exits first

    def terminate(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
