"""coturn on loopback with the TURN REST secret, for tests, benchmarks and `make run`."""

from __future__ import annotations

import asyncio
import random
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

from tenfour_testing.embedded import free_port, wait_for_port

__all__ = ["Coturn", "uclient"]


def _free_udp_tcp_port() -> int:
    # coturn listens on UDP and TCP: the port must be free for both.
    return free_port(udp=True)


@dataclass
class Coturn:
    """coturn with ``use-auth-secret`` on loopback (``--allow-loopback-peers``: tests only)."""

    workdir: Path
    host: str = "127.0.0.1"
    port: int = field(default_factory=_free_udp_tcp_port)
    secret: str = field(default_factory=lambda: f"test-secret-{random.getrandbits(64):x}")
    process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.workdir / "turn.log"

    def start(self) -> None:
        binary = shutil.which("turnserver")
        if binary is None:
            raise FileNotFoundError("coturn is not installed (apt-get install -y coturn)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        relay_low = random.randrange(40000, 60000, 100)
        args = [
            binary,
            "-n",  # no configuration file: everything is on this command line
            "--no-cli",
            f"--listening-ip={self.host}",
            f"--relay-ip={self.host}",
            f"--listening-port={self.port}",
            f"--min-port={relay_low}",
            f"--max-port={relay_low + 99}",
            "--use-auth-secret",
            f"--static-auth-secret={self.secret}",
            "--realm=tenfour.test",
            "--allow-loopback-peers",  # both peers' relays live on 127.0.0.1
            "--no-tls",
            "--no-dtls",
            "--fingerprint",
            f"--userdb={self.workdir / 'turndb'}",
            f"--pidfile={self.workdir / 'turn.pid'}",
            f"--log-file={self.log}",
            "--simple-log",
            "--no-stdout-log",
        ]
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=self.workdir
        )
        wait_for_port(self.port, self.process, timeout=10, host=self.host)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


async def uclient(turn: Coturn, username: str, password: str) -> tuple[int, str]:
    """Allocate with ``turnutils_uclient`` (two clients relaying to each other); (rc, output)."""
    binary = shutil.which("turnutils_uclient")
    if binary is None:
        raise FileNotFoundError("turnutils_uclient ships with coturn")
    process = await asyncio.create_subprocess_exec(
        *(binary, "-y", "-c", "-X", "-n", "1", "-l", "20", "-z", "5"),
        *("-p", str(turn.port), "-u", username, "-w", password, turn.host),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        async with asyncio.timeout(20):
            output, _ = await process.communicate()
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    return process.returncode or 0, output.decode(errors="replace")
