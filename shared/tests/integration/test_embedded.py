"""The local nats-server and redis-server run with durable settings and keep data across restarts."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from nats.js.api import StreamConfig

from tenfour_testing.embedded import NatsServer, RedisServer, find_binary, free_port, port_is_free
from tenfour_shared.events.bus import connect as connect_nats
from tenfour_shared.redis_store import connect as connect_redis

pytestmark = pytest.mark.integration


class MonitoredNats(NatsServer):
    """The same server and config, plus the HTTP monitoring port to read what it applied."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(data_dir)
        self.monitor_port = free_port()

    def command(self) -> list[str]:
        return [*super().command(), "-m", str(self.monitor_port)]


def test_nats_config_fsyncs_every_write(tmp_path: Path) -> None:
    with (
        MonitoredNats(tmp_path) as server,
        urllib.request.urlopen(f"http://127.0.0.1:{server.monitor_port}/varz", timeout=5) as reply,
    ):
        varz = json.load(reply)

    assert "sync_interval: always" in (tmp_path / "nats.conf").read_text()
    assert varz["jetstream"]["config"]["sync_always"] is True
    assert varz["jetstream"]["config"]["store_dir"].startswith(str(tmp_path))


async def test_nats_keeps_acknowledged_messages_across_a_restart(tmp_path: Path) -> None:
    server = NatsServer(tmp_path / "nats")
    with server:
        nc, js = await connect_nats(server.url, "test")
        await js.add_stream(StreamConfig(name="KEEP", subjects=["keep.>"]))
        await js.publish("keep.one", b"acknowledged")
        await nc.close()

    with NatsServer(tmp_path / "nats", port=server.port) as again:
        nc, js = await connect_nats(again.url, "test")
        msg = await js.get_msg("KEEP", seq=1)
        await nc.close()

    assert msg.data == b"acknowledged"


async def test_redis_runs_with_append_only_file(redis_client: aioredis.Redis) -> None:
    config = await redis_client.config_get("*")

    assert config["appendonly"] == "yes"
    assert config["appendfsync"] == "everysec"
    assert config["bind"] == "127.0.0.1"


async def aof_rewritten(client: aioredis.Redis) -> bool:
    info = await client.info("persistence")
    return not (info["aof_rewrite_scheduled"] or info["aof_rewrite_in_progress"])


async def test_redis_keeps_data_across_a_restart_and_answers_once_started(tmp_path: Path) -> None:
    # Enough data that loading the AOF takes a while: Redis listens meanwhile, answering
    # -LOADING, and a service started right after `make run` reports it up would fail.
    server = RedisServer(tmp_path / "redis")
    with server:
        client = connect_redis(server.url)
        await client.set("tenfour:probe", b"kept")
        await client.execute_command("DEBUG", "POPULATE", 200_000, "bulk")  # type: ignore[no-untyped-call]
        await client.bgrewriteaof()
        for _ in range(500):
            if await aof_rewritten(client):
                break
            await asyncio.sleep(0.02)
        await client.aclose()

    with RedisServer(tmp_path / "redis", port=server.port) as again:
        client = connect_redis(again.url)
        value = await client.get("tenfour:probe")
        size = await client.dbsize()
        await client.aclose()

    assert value == b"kept"
    assert size == 200_001


def test_servers_listen_on_their_port_and_release_it_when_stopped(tmp_path: Path) -> None:
    server = RedisServer(tmp_path)
    with server:
        assert not port_is_free(server.port)
    assert port_is_free(server.port)
    assert server.proc is not None
    assert server.proc.returncode == 0


def test_missing_binary_is_reported_with_the_fix() -> None:
    with pytest.raises(FileNotFoundError, match="make setup"):
        find_binary("tenfour-no-such-server")
