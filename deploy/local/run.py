"""`make run`: the whole system on one machine, no root, no Docker, no pre-installed servers.

Starts an embedded NATS (JetStream) and Redis (AOF) with their data under .data/ unless
TENFOUR_NATS_URL / TENFOUR_REDIS_URL point elsewhere, then every service on its port and the
web gateway (when installed), shows progress while they start, and once all are SERVING seeds
the demo agency (unless TENFOUR_SEED=0; `make run-empty`) and prints the web address and the
demo sign-ins. Seeding is idempotent: a second run keeps the data and seeds nothing. Ctrl-C
stops everything cleanly. Ports that are taken (e.g. a Redis you already run on 6379) are never
touched: the embedded servers use their own ports.

TENFOUR_SECURE=1 runs it as deployed: certificates and passwords from `make certs` (kept in
.data/pki), mutual TLS between the gateway, the services, NATS and Redis, and each service as
its own Redis ACL user and NATS user (tenfour_shared.access).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the modules next to this script
from companions import start_janus, start_mail_sink, start_turn
from demo import print_sign_ins, seed_demo, seed_history
from gateway_process import Gateway
from local_system import (
    DATA,
    PKI,
    PORTS,
    WEB_URL,
    console,
    local_secrets,
    pick_port,
    process_env,
    secure_mode,
)
from progress import Steps

from tenfour_shared.launcher import SERVICES, ServiceProcess
from tenfour_testing.embedded import NatsServer, RedisServer, Secure, port_is_free


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    seeding = os.environ.get("TENFOUR_SEED", "1").strip().lower() not in ("0", "false", "no", "off")
    console.print(f"[bold]Tenfour[/]: starting (data in {DATA})")
    stack = contextlib.ExitStack()
    stop = threading.Event()
    # Until everything is up, Ctrl-C or SIGTERM abandons start-up (and still stops what started).
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    with_gateway = Gateway.installed()
    steps = Steps(2 + 2 * len(SERVICES) + int(with_gateway) + int(seeding))
    secure: Secure | None = None
    if secure_mode():
        from tenfour_shared.certs import generate

        made = generate(PKI)
        console.print(f"  • secure mode: mutual TLS and per-service users (certificates in {PKI}"
                      f"{', made ' + ', '.join(made) if made else ''})")  # fmt: skip
        secure = Secure.from_certs(PKI, "nats")
    try:
        with steps.running():
            nats_url = os.environ.get("TENFOUR_NATS_URL", "")
            if not nats_url:
                steps.doing("starting NATS JetStream")
                nats = stack.enter_context(NatsServer(DATA / "nats", pick_port(PORTS.nats), secure))
                nats_url = nats.url
            steps.done(f"NATS JetStream   {nats_url}")
            redis_url = os.environ.get("TENFOUR_REDIS_URL", "")
            if not redis_url:
                steps.doing("starting Redis")
                redis_secure = Secure.from_certs(PKI, "redis") if secure else None
                redis = stack.enter_context(RedisServer(DATA / "redis", pick_port(PORTS.redis), redis_secure))
                redis_url = redis.url
            steps.done(f"Redis (AOF)      {redis_url}")
            env = {
                "TENFOUR_NATS_URL": nats_url,
                "TENFOUR_REDIS_URL": redis_url,
                **PORTS.targets(),
                **local_secrets(),
            }
            env.update(start_turn(stack, env))
            env.update(start_janus(stack))
            (DATA / "logs").mkdir(parents=True, exist_ok=True)
            env.update(start_mail_sink(stack))
            env.setdefault("TENFOUR_NOTIFICATIONS_PUBLIC_BASE_URL", WEB_URL)
            procs = [
                # Prometheus /metrics on 9101, 9102, … next to each service's gRPC port.
                ServiceProcess(
                    name,
                    PORTS.services[name],
                    {**env, **process_env(name), "TENFOUR_METRICS_PORT": str(PORTS.metrics_first + i)},
                    DATA / "logs" / f"{name}.log",
                )
                for i, name in enumerate(SERVICES)
            ]
            for proc in procs:
                if not port_is_free(proc.port):
                    console.print(
                        f"port {proc.port} for {proc.name} is in use: is Tenfour already running?",
                        style="red",
                    )
                    return 2
                steps.doing(f"starting {proc.name}")
                proc.start()
                stack.callback(proc.terminate)
                steps.done(f"{proc.name:<16} started (pid {proc.proc.pid if proc.proc else '?'})")
            for proc in procs:
                steps.doing(f"waiting for {proc.name} to be SERVING")
                proc.wait_serving(timeout=60.0)
                steps.done(f"{proc.name:<16} grpc://{proc.target}  SERVING  ({SERVICES[proc.name][1]})")
            gateway: Gateway | None = None
            if with_gateway:
                if port_is_free(PORTS.gateway):
                    steps.doing("starting the web gateway")
                    metrics = {"TENFOUR_METRICS_PORT": str(PORTS.metrics_first + len(procs))}
                    gateway = Gateway(
                        {**env, **process_env("gateway"), **metrics},
                        DATA / "logs" / "gateway.log",
                        PORTS.gateway,
                    )
                    gateway.start()
                    stack.callback(gateway.terminate)
                    gateway.wait_ready()
                    steps.done(f"{'web gateway':<16} {WEB_URL}")
                else:
                    steps.done(f"web gateway      port {PORTS.gateway} is in use: not started")
            state: dict[str, Any] | None = None
            if seeding:
                steps.doing("demo data")
                state = seed_demo(procs, env, steps)
                seed_history(state, nats_url)
        if not seeding:
            console.print("Seeding is off (TENFOUR_SEED=0): the system holds only what you add.")
        print_sign_ins(state, env, gateway is not None)
        console.print(f"[bold green]Tenfour is up.[/] Logs: {DATA / 'logs'}. Press Ctrl-C to stop.")
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        watched: list[tuple[str, subprocess.Popen[bytes] | None]] = [(p.name, p.proc) for p in procs]
        if gateway is not None:
            watched.append(("gateway", gateway.proc))
        while not stop.wait(1.0):
            for name, child in watched:
                if child is not None and child.poll() is not None:
                    console.print(f"{name} exited ({child.returncode}); see its log", style="red")
                    return 1
        return 0
    except KeyboardInterrupt:
        return 130
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        console.print("Tenfour: stopping…")
        stack.close()
        console.print("Tenfour: stopped.")


if __name__ == "__main__":
    sys.exit(main())
