"""Fixtures for every signaling test directory: a real coturn (Debian ``coturn``) on free ports.

Skipped without coturn, except in CI (CI=true), where a missing coturn fails the run.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Coturn:
    host: str
    port: int
    secret: str
    log: Path


def _free_port() -> int:
    # The port must be free for UDP and TCP alike: coturn listens on both.
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port


def _wait_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"turnserver exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail("turnserver did not start listening within 10 s")


@pytest.fixture(scope="module")
def coturn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Coturn]:
    binary = shutil.which("turnserver")
    if binary is None:
        message = "coturn is not installed (apt-get install -y coturn)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    workdir = tmp_path_factory.mktemp("coturn")
    port, secret = _free_port(), f"test-secret-{random.getrandbits(64):x}"
    relay_low = random.randrange(40000, 60000, 100)
    log = workdir / "turn.log"
    args = [
        binary,
        "-n",  # no configuration file: everything is on this command line
        "--no-cli",
        "--listening-ip=127.0.0.1",
        "--relay-ip=127.0.0.1",
        f"--listening-port={port}",
        f"--min-port={relay_low}",
        f"--max-port={relay_low + 99}",
        "--use-auth-secret",
        f"--static-auth-secret={secret}",
        "--realm=tenfour.test",
        "--allow-loopback-peers",  # test only: both peers' relays live on 127.0.0.1
        "--no-tls",
        "--no-dtls",
        "--fingerprint",
        f"--userdb={workdir / 'turndb'}",
        f"--pidfile={workdir / 'turn.pid'}",
        f"--log-file={log}",
        "--simple-log",
        "--no-stdout-log",
    ]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=workdir)
    try:
        _wait_listening(port, process, log)
        yield Coturn("127.0.0.1", port, secret, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
