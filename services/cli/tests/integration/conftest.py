"""The whole system as OS processes (real nats-server, redis-server, every service), and a runner
that calls the CLI the way a script does: argv in, exit code and stdout out.

One system serves the module (start-up is most of the time); tests isolate themselves with
their own sign-in cache and data folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tenfour_cli.__main__ import main
from tenfour_shared.launcher import SERVICES, ServiceProcess
from tenfour_testing.embedded import NatsServer, RedisServer, free_port

KEK = "3c" * 32  # TENFOUR_IDENTITY_KEY_ENCRYPTION_KEY of the test deployment
ADMIN_USERNAME = "ops-admin"
ADMIN_PASSWORD = "violet canyon ladder 93"


@dataclass
class System:
    targets: dict[str, str]
    log_dir: Path
    nats_url: str = ""

    def flags(self) -> list[str]:
        return [arg for name, target in self.targets.items() for arg in (f"--{name}-target", target)]


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture(scope="package")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    root = tmp_path_factory.mktemp("system")
    with NatsServer(root / "nats") as nats, RedisServer(root / "redis") as redis:
        ports = {name: free_port() for name in SERVICES}
        env = {
            "TENFOUR_NATS_URL": nats.url,
            "TENFOUR_REDIS_URL": redis.url,
            "TENFOUR_RETRY_BASE_SECONDS": "0.1",
            "TENFOUR_IDENTITY_TARGET": f"127.0.0.1:{ports['identity']}",
            "TENFOUR_IDENTITY_KEY_ENCRYPTION_KEY": KEK,
            "TENFOUR_BOOTSTRAP_ADMIN_USERNAME": ADMIN_USERNAME,
            "TENFOUR_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
            # `tenfour calendar subscribe` is tested against a calendar server on loopback.
            "TENFOUR_CALENDAR_FEEDS_ALLOW_PRIVATE": "true",
        }
        procs = {name: ServiceProcess(name, ports[name], env, root / f"{name}.log") for name in SERVICES}
        try:
            for proc in procs.values():
                proc.start()
            for proc in procs.values():
                proc.wait_serving(timeout=90)
            yield System({name: proc.target for name, proc in procs.items()}, root, nats.url)
        finally:
            for proc in procs.values():
                proc.terminate()


@pytest.fixture
def cli(
    system: System, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Any:
    """`cli("--json", "health")` -> Result; each test has its own sign-in cache."""
    monkeypatch.setenv("TENFOUR_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("TENFOUR_TOKEN", raising=False)
    for name, target in system.targets.items():
        monkeypatch.setenv(f"TENFOUR_{name.upper()}_TARGET", target)

    def run(*argv: str) -> Result:
        capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@dataclass(frozen=True)
class Admin:
    totp_secret: str
    token: str  # valid for 10 minutes: tests act as the admin through TENFOUR_TOKEN


@pytest.fixture(scope="package")
def admin(system: System) -> Admin:
    """The bootstrapped system admin, MFA enrolled once (a code per 30 s step is single-use)."""
    import pyotp

    from tenfour_cli.auth import sign_in
    from tenfour_cli.config import Targets
    from tenfour_cli.rpc import Clients

    with Clients(Targets.resolve(dict(system.targets))) as clients:
        signed = sign_in(
            clients.identity,
            ADMIN_USERNAME,
            ADMIN_PASSWORD,
            on_setup=lambda enrolment: pyotp.TOTP(enrolment.secret).now(),
        )
    assert signed.new_totp_secret
    return Admin(signed.new_totp_secret, signed.result.access_token)
