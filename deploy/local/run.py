"""`make run`: the whole system on one machine, no root, no Docker, no pre-installed servers.

Starts an embedded NATS (JetStream) and Redis (AOF) with their data under .data/ unless
TENFOUR_NATS_URL / TENFOUR_REDIS_URL point elsewhere, then every service on its port, and
stops everything cleanly on Ctrl-C. Ports that are taken (e.g. a Redis you already run on
6379) are never touched: the embedded servers use their own ports.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import signal
import sys
import threading
from pathlib import Path

from tenfour_shared.embedded import NatsServer, RedisServer, free_port, port_is_free
from tenfour_shared.launcher import SERVICES, ServiceProcess

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("TENFOUR_DATA_DIR", ROOT / ".data"))
EMBEDDED_NATS_PORT = 14222
EMBEDDED_REDIS_PORT = 16379


def step(message: str) -> None:
    print(f"  • {message}", flush=True)


def pick_port(preferred: int) -> int:
    return preferred if port_is_free(preferred) else free_port()


def local_secrets() -> dict[str, str]:
    """Secrets of this machine's embedded system, made once and kept (0600) under the data dir.

    A deployment passes its own through the environment; these only spare a newcomer the chore.
    """
    path = DATA / "secrets.json"
    if path.exists():
        saved: dict[str, str] = json.loads(path.read_text())
    else:
        saved = {
            "TENFOUR_IDENTITY_KEY_ENCRYPTION_KEY": base64.urlsafe_b64encode(os.urandom(32))
            .rstrip(b"=")
            .decode(),
            "TENFOUR_BOOTSTRAP_ADMIN_USERNAME": "admin",
            "TENFOUR_BOOTSTRAP_ADMIN_PASSWORD": f"tenfour-{secrets.token_urlsafe(12)}",
        }
        DATA.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(json.dumps(saved, indent=2))
    return {key: os.environ.get(key, value) for key, value in saved.items()}


def main() -> int:
    print(f"Tenfour: starting (data in {DATA})", flush=True)
    stack = contextlib.ExitStack()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        nats_url = os.environ.get("TENFOUR_NATS_URL", "")
        if not nats_url:
            nats = stack.enter_context(NatsServer(DATA / "nats", pick_port(EMBEDDED_NATS_PORT)))
            nats_url = nats.url
            step(f"NATS JetStream   {nats_url}")
        redis_url = os.environ.get("TENFOUR_REDIS_URL", "")
        if not redis_url:
            redis = stack.enter_context(RedisServer(DATA / "redis", pick_port(EMBEDDED_REDIS_PORT)))
            redis_url = redis.url
            step(f"Redis (AOF)      {redis_url}")
        env = {"TENFOUR_NATS_URL": nats_url, "TENFOUR_REDIS_URL": redis_url, **local_secrets()}
        (DATA / "logs").mkdir(parents=True, exist_ok=True)
        procs = [
            # Prometheus /metrics on 9101, 9102, … next to each service's gRPC port.
            ServiceProcess(
                name, port, {**env, "TENFOUR_METRICS_PORT": str(9101 + i)}, DATA / "logs" / f"{name}.log"
            )
            for i, (name, (port, _)) in enumerate(SERVICES.items())
        ]
        for proc in procs:
            if not port_is_free(proc.port):
                print(
                    f"port {proc.port} for {proc.name} is in use: is Tenfour already running?",
                    file=sys.stderr,
                )
                return 2
            proc.start()
            stack.callback(proc.terminate)
        for proc in procs:
            proc.wait_serving()
            step(f"{proc.name:<16} grpc://{proc.target}  SERVING  ({SERVICES[proc.name][1]})")
        print(f"Tenfour is up. Logs: {DATA / 'logs'}. Press Ctrl-C to stop.", flush=True)
        while not stop.wait(1.0):
            for proc in procs:
                if proc.proc is not None and proc.proc.poll() is not None:
                    print(f"{proc.name} exited ({proc.proc.returncode}); see its log", file=sys.stderr)
                    return 1
        return 0
    finally:
        print("Tenfour: stopping…", flush=True)
        stack.close()
        print("Tenfour: stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
