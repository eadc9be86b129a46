"""The whole system as separate OS processes on real NATS and Redis, on free ports."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tenfour_shared.launcher import SERVICES, ServiceProcess
from tenfour_testing.embedded import NatsServer, RedisServer, free_port
from tenfour_testing.tokens import TestTokens


@dataclass
class System:
    nats: NatsServer
    redis: RedisServer
    services: dict[str, ServiceProcess]
    log_dir: Path

    def restart(self, name: str) -> ServiceProcess:
        old = self.services[name]
        fresh = ServiceProcess(name, old.port, old.env, old.log_path)
        fresh.start()
        fresh.wait_serving()
        self.services[name] = fresh
        return fresh


@contextlib.contextmanager
def running_system(folder: Path, tokens: TestTokens, **extra_env: str) -> Iterator[System]:
    """Every service as its own process on a fresh NATS and Redis in `folder`."""
    with NatsServer(folder / "nats") as nats, RedisServer(folder / "redis") as redis:
        env = {
            "TENFOUR_NATS_URL": nats.url,
            "TENFOUR_REDIS_URL": redis.url,
            "TENFOUR_RETRY_BASE_SECONDS": "0.1",
            "TENFOUR_JWKS_JSON": tokens.jwks_json,
            **extra_env,
        }
        procs = {name: ServiceProcess(name, free_port(), env, folder / f"{name}.log") for name in SERVICES}
        try:
            for proc in procs.values():
                proc.start()
            for proc in procs.values():
                proc.wait_serving()
            yield System(nats, redis, procs, folder)
        finally:
            for proc in procs.values():
                proc.terminate()


@pytest.fixture
def system(tmp_path: Path, test_tokens: TestTokens) -> Iterator[System]:
    with running_system(tmp_path, test_tokens) as running:
        yield running


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    from .fuzz_report import collect

    collect(report)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from .fuzz_report import lines

    for line in lines():
        terminalreporter.write_line(line)
