"""The whole system as separate OS processes on real NATS and Redis, on free ports."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tenfour_shared.embedded import NatsServer, RedisServer, free_port
from tenfour_shared.launcher import SERVICES, ServiceProcess
from tenfour_shared.testing_tokens import TestTokens


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


@pytest.fixture
def system(tmp_path: Path, test_tokens: TestTokens) -> Iterator[System]:
    with NatsServer(tmp_path / "nats") as nats, RedisServer(tmp_path / "redis") as redis:
        env = {
            "TENFOUR_NATS_URL": nats.url,
            "TENFOUR_REDIS_URL": redis.url,
            "TENFOUR_RETRY_BASE_SECONDS": "0.1",
            "TENFOUR_JWKS_JSON": test_tokens.jwks_json,
        }
        procs = {name: ServiceProcess(name, free_port(), env, tmp_path / f"{name}.log") for name in SERVICES}
        try:
            for proc in procs.values():
                proc.start()
            for proc in procs.values():
                proc.wait_serving()
            yield System(nats, redis, procs, tmp_path)
        finally:
            for proc in procs.values():
                proc.terminate()
