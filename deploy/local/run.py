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

import base64
import contextlib
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from tenfour_shared.config import TlsSettings
from tenfour_shared.launcher import SERVICES, ServiceProcess
from tenfour_testing.embedded import (
    NatsServer,
    RedisServer,
    Secure,
    env_with,
    free_port,
    port_is_free,
    wait_for_port,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_ports import from_environment  # next to this script, which runs as a file
from program_history import history_events, history_month, publish_history

ROOT = Path(__file__).resolve().parents[2]
# TENFOUR_PORT_BASE moves every port and the data folder: two systems side by side (local_ports.py).
PORTS = from_environment({name: port for name, (port, _) in SERVICES.items()}, ROOT)
DATA = PORTS.data_dir
EMBEDDED_NATS_PORT = PORTS.nats
EMBEDDED_REDIS_PORT = PORTS.redis
EMBEDDED_SMTP_PORT = PORTS.smtp
GATEWAY_PORT = PORTS.gateway
WEB_URL = PORTS.web_url
console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def pick_port(preferred: int) -> int:
    return preferred if port_is_free(preferred) else free_port()


def vapid_private_key() -> str:
    """Made once and kept: browsers' push subscriptions are bound to its public half."""
    from tenfour_notifications.adapters.webpush import generate_vapid_private_key

    return generate_vapid_private_key()


def local_secrets() -> dict[str, str]:
    """Secrets of this machine's embedded system, made once and kept (0600) under the data dir.

    A deployment passes its own through the environment; these only spare a newcomer the chore.
    """
    path = DATA / "secrets.json"
    saved: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    wanted: dict[str, Callable[[], str]] = {
        "TENFOUR_IDENTITY_KEY_ENCRYPTION_KEY": lambda: (
            base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
        ),
        "TENFOUR_OUTCOMES_PSEUDONYM_KEY": lambda: secrets.token_urlsafe(32),
        "TENFOUR_TURN_SECRET": lambda: secrets.token_urlsafe(32),
        "TENFOUR_NOTIFICATIONS_ENCRYPTION_KEY": lambda: secrets.token_hex(32),
        "TENFOUR_NOTIFICATIONS_VAPID_PRIVATE_KEY": vapid_private_key,
        "TENFOUR_BOOTSTRAP_ADMIN_USERNAME": lambda: "admin",
        "TENFOUR_BOOTSTRAP_ADMIN_PASSWORD": lambda: f"tenfour-{secrets.token_urlsafe(12)}",
    }
    missing = {key: make() for key, make in wanted.items() if key not in saved}
    if missing:  # first run, or a data folder from an older version: keep what exists
        saved.update(missing)
        DATA.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(json.dumps(saved, indent=2))
    return {key: os.environ.get(key, value) for key, value in saved.items()}


class Steps:
    """Progress while starting: a bar on a terminal, one line per step otherwise."""

    def __init__(self, total: int) -> None:
        self.progress: Progress | None = None
        self.task: TaskID | None = None
        self.total = total
        if console.is_terminal:
            self.progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )

    @contextlib.contextmanager
    def running(self) -> Iterator[Steps]:
        if self.progress is None:
            yield self
            return
        with self.progress:
            self.task = self.progress.add_task("starting", total=self.total)
            yield self

    def doing(self, what: str) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, description=what)

    def done(self, line: str) -> None:
        """A finished step: kept on screen above the bar."""
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task)
            self.progress.console.print(f"  [green]✓[/] {line}")
        else:
            print(f"  • {line}", flush=True)

    def sub(self, prefix: str) -> Callable[[str, int, int], None]:
        """A callback for a long step with its own steps (the seed)."""

        def update(what: str, done: int, total: int) -> None:
            self.doing(f"{prefix}: {what} ({done}/{total})")
            if self.progress is None:
                print(f"    {what}", flush=True)

        return update


class Gateway:
    """The web gateway (HTTP) as a process, when its package is installed."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    @staticmethod
    def installed() -> bool:
        return importlib.util.find_spec("tenfour_gateway") is not None

    def start(self) -> None:
        with self.log_path.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tenfour_gateway"],
                env=env_with(TENFOUR_PORT=str(GATEWAY_PORT), **self.env),
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"the gateway exited with code {self.proc.returncode} during start-up")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", GATEWAY_PORT)) == 0:
                    return
            time.sleep(0.1)
        raise TimeoutError(f"the gateway is not listening on {GATEWAY_PORT} after {timeout}s")

    def terminate(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


PKI = DATA / "pki"


def secure_mode() -> bool:
    return os.environ.get("TENFOUR_SECURE", "0").strip().lower() in ("1", "true", "yes", "on")


def process_env(name: str) -> dict[str, str]:
    """Certificate and users of one process under TENFOUR_SECURE=1; nothing otherwise."""
    if not secure_mode():
        return {}
    from tenfour_shared.certs import process_env as certs_env

    return certs_env(PKI, name)


def cli_tls() -> TlsSettings | None:
    env = process_env("cli")
    if not env:
        return None
    return TlsSettings(
        tls_ca_file=env["TENFOUR_TLS_CA_FILE"],
        tls_cert_file=env["TENFOUR_TLS_CERT_FILE"],
        tls_key_file=env["TENFOUR_TLS_KEY_FILE"],
    )


def seed_demo(procs: list[ServiceProcess], env: dict[str, str], steps: Steps) -> dict[str, Any] | None:
    """Seed through the CLI's seeder (public RPCs only); None when it could not run."""
    try:
        from tenfour_cli.config import Targets
        from tenfour_cli.exits import CliError
        from tenfour_cli.rpc import Clients
        from tenfour_cli.seed import AdminCredentials, DemoSeeder
    except ImportError:
        console.print(
            "  [yellow]![/] demo seeding needs the CLI: pip install -e services/cli (make setup does)"
        )
        return None
    targets = Targets.resolve({proc.name: proc.target for proc in procs})
    admin = AdminCredentials(env["TENFOUR_BOOTSTRAP_ADMIN_USERNAME"], env["TENFOUR_BOOTSTRAP_ADMIN_PASSWORD"])
    try:
        with Clients(targets, timeout=15.0, tls=cli_tls()) as clients:
            result = DemoSeeder(
                clients, DATA / "demo-accounts.json", admin, web_url=WEB_URL, on_step=steps.sub("demo data")
            ).run()
    except CliError as exc:
        console.print(f"  [red]✗[/] demo data not seeded: {exc.message}")
        if exc.hint:
            console.print(f"    hint: {exc.hint}", markup=False, style="dim")
        return None
    except Exception as exc:  # the system stays up without demo data; the run is not lost
        console.print(f"  [red]✗[/] demo data not seeded: {type(exc).__name__}: {exc}", markup=False)
        return None
    steps.done(f"demo data        {result.message}")
    return result.state


def seed_history(state: dict[str, Any] | None, nats_url: str) -> None:
    """The month before last of the demo agency, so Program numbers shows figures at once."""
    agency_id = (state or {}).get("agency", {}).get("agency_id", "")
    if not agency_id or secure_mode():  # under TENFOUR_SECURE=1 only the services may publish
        return
    import asyncio
    from datetime import UTC, datetime

    today = datetime.now(UTC).date()
    try:
        count = asyncio.run(publish_history(nats_url, history_events(agency_id, today)))
    except Exception as exc:  # the system stays up without the history
        console.print(f"  [yellow]![/] program history not published: {type(exc).__name__}", markup=True)
        return
    console.print(
        f"  • program history {count} past events for {history_month(today):%B %Y} (Program numbers)"
    )


def print_sign_ins(state: dict[str, Any] | None, env: dict[str, str], gateway_up: bool) -> None:
    path = DATA / "demo-accounts.json"
    if state is not None:
        from tenfour_cli.commands.seed import render_summary

        render_summary(console, state, path)
    else:
        console.print(f"Web app: [bold]{WEB_URL}[/]")
        console.print(
            f"System admin sign-in: {env['TENFOUR_BOOTSTRAP_ADMIN_USERNAME']} / "
            f"{env['TENFOUR_BOOTSTRAP_ADMIN_PASSWORD']} (sets up MFA at first sign-in; kept in "
            f"{DATA / 'secrets.json'})",
            markup=False,
        )
    if PORTS.base is not None:
        exports = " ".join(f"{k}={v}" for k, v in PORTS.targets().items())
        console.print(
            f"This system's ports start at {PORTS.base}. The CLI reaches it with: {exports}", markup=False
        )
    if not gateway_up:
        console.print("  [yellow]![/] the web gateway is not running here: the web address will not answer")


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def start_turn(stack: contextlib.ExitStack, env: dict[str, str]) -> dict[str, str]:
    """An embedded coturn for video sessions when Debian's coturn is installed (no root needed).

    Without it clients get no STUN/TURN servers, which still works between two browsers on
    this machine or one network.
    """
    if os.environ.get("TENFOUR_TURN_HOST") or shutil.which("turnserver") is None:
        return {}
    from tenfour_testing.coturn import Coturn  # the embedded TURN server of the development system
    from tenfour_testing.janus import primary_address

    # Relayed officers reach the group SFU through it, and Janus never pairs with loopback.
    host = primary_address() if shutil.which("janus") else "127.0.0.1"
    turn = stack.enter_context(Coturn(DATA / "coturn", host=host, secret=env["TENFOUR_TURN_SECRET"]))
    console.print(f"  • TURN (coturn)   turn:{turn.host}:{turn.port}")
    return {"TENFOUR_TURN_HOST": turn.host, "TENFOUR_TURN_PORT": str(turn.port)}


def start_janus(stack: contextlib.ExitStack) -> dict[str, str]:
    """An embedded Janus (VideoRoom SFU) for group sessions when Debian's janus is installed.

    Its API and admin ports listen on loopback with fresh secrets: only signaling talks to it.
    Without it, groups are a mesh of browsers (fine for three or four people).
    """
    if os.environ.get("TENFOUR_JANUS_URLS") or shutil.which("janus") is None:
        return {}
    from tenfour_testing.janus import JanusServer  # demo helper shipped with signaling

    janus = stack.enter_context(JanusServer(DATA / "janus"))
    console.print(f"  • SFU (Janus)     {janus.url}")
    return {
        "TENFOUR_JANUS_URLS": janus.url,
        "TENFOUR_JANUS_API_SECRET": janus.api_secret,
        "TENFOUR_JANUS_ROOM_ADMIN_KEY": janus.room_admin_key,
    }


def start_mail_sink(stack: contextlib.ExitStack) -> dict[str, str]:
    """An embedded SMTP sink (aiosmtpd) keeping every mail in .data/mailbox, which the web app's
    developer outbox page lists (ListDevMailbox). Skipped when TENFOUR_NOTIFICATIONS_SMTP_HOST
    points at a real server."""
    if os.environ.get("TENFOUR_NOTIFICATIONS_SMTP_HOST") or importlib.util.find_spec("aiosmtpd") is None:
        return {}
    port = pick_port(EMBEDDED_SMTP_PORT)
    maildir = DATA / "mailbox"
    with (DATA / "logs" / "mail-sink.log").open("ab") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tenfour_notifications.devsink",
                "--port",
                str(port),
                "--maildir",
                str(maildir),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    stack.callback(stop)
    wait_for_port(port, proc, timeout=15.0)
    console.print(
        f"  • mail sink       smtp://127.0.0.1:{port} (mails in {maildir}, the web app's outbox page)"
    )
    return {
        "TENFOUR_NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
        "TENFOUR_NOTIFICATIONS_SMTP_PORT": str(port),
        "TENFOUR_NOTIFICATIONS_DEV_MAILBOX_DIR": str(maildir),
    }


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
                nats = stack.enter_context(NatsServer(DATA / "nats", pick_port(EMBEDDED_NATS_PORT), secure))
                nats_url = nats.url
            steps.done(f"NATS JetStream   {nats_url}")
            redis_url = os.environ.get("TENFOUR_REDIS_URL", "")
            if not redis_url:
                steps.doing("starting Redis")
                redis_secure = Secure.from_certs(PKI, "redis") if secure else None
                redis = stack.enter_context(
                    RedisServer(DATA / "redis", pick_port(EMBEDDED_REDIS_PORT), redis_secure)
                )
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
                if port_is_free(GATEWAY_PORT):
                    steps.doing("starting the web gateway")
                    metrics = {"TENFOUR_METRICS_PORT": str(PORTS.metrics_first + len(procs))}
                    gateway = Gateway(
                        {**env, **process_env("gateway"), **metrics}, DATA / "logs" / "gateway.log"
                    )
                    gateway.start()
                    stack.callback(gateway.terminate)
                    gateway.wait_ready()
                    steps.done(f"{'web gateway':<16} {WEB_URL}")
                else:
                    steps.done(f"web gateway      port {GATEWAY_PORT} is in use: not started")
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
