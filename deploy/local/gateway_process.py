"""The web gateway as a child process of `make run`."""

from __future__ import annotations

import importlib.util
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tenfour_testing.embedded import env_with


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
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"the gateway exited with code {self.proc.returncode} during start-up")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise TimeoutError(f"the gateway is not listening on {self.port} after {timeout}s")

    def terminate(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
