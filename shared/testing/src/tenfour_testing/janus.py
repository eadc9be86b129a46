"""An embedded Janus (Debian ``janus``) for tests, benchmarks and ``make run``: no root needed.

A generated configuration folder: the HTTP transport (API with an ``api_secret``, admin API on
its own port with its own secret), the VideoRoom plugin only (room creation needs an
``admin_key``), no other plugin, transport, event handler or logger. Both ports listen on
loopback: only signaling talks to Janus. Not used by the service itself.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

from tenfour_testing.embedded import free_port, wait_for_port

__all__ = ["JanusServer", "janus_binary", "primary_address"]

_LIB = Path("/usr/lib/x86_64-linux-gnu/janus")
_UNUSED_PLUGINS = [
    *("audiobridge", "duktape", "echotest", "lua", "nosip", "recordplay"),
    *("sip", "streaming", "textroom", "videocall", "voicemail"),
]
_UNUSED_TRANSPORTS = ["mqtt", "nanomsg", "pfunix", "rabbitmq", "websockets"]


def primary_address() -> str:
    """This machine's outward IPv4 address (no packet is sent), or loopback without a route.

    Janus (libnice) never pairs with loopback candidates, so a TURN relay that must reach Janus
    on one machine relays from this address instead of 127.0.0.1.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("203.0.113.1", 9))  # TEST-NET-3: routed, never reached
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def janus_binary() -> str | None:
    return shutil.which("janus")


def _libdir() -> Path:
    for candidate in (_LIB, Path("/usr/lib/janus"), Path("/usr/local/lib/janus")):
        if (candidate / "plugins").is_dir():
            return candidate
    raise FileNotFoundError("Janus plugins not found (apt-get install -y janus)")


def _secret() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class JanusServer:
    workdir: Path
    host: str = "127.0.0.1"
    port: int = field(default_factory=free_port)
    admin_port: int = field(default_factory=free_port)
    api_secret: str = field(default_factory=_secret)
    admin_secret: str = field(default_factory=_secret)
    room_admin_key: str = field(default_factory=_secret)
    # Media: the addresses Janus offers as ICE candidates (loopback is refused by libnice).
    ice_enforce: str = ""
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/janus"

    @property
    def admin_url(self) -> str:
        return f"http://{self.host}:{self.admin_port}/admin"

    @property
    def log(self) -> Path:
        return self.workdir / "janus.log"

    def write_config(self) -> Path:
        lib = _libdir()
        conf = self.workdir / "conf"
        conf.mkdir(parents=True, exist_ok=True)
        plugins = ",".join(f"libjanus_{p}.so" for p in _UNUSED_PLUGINS)
        transports = ",".join(f"libjanus_{t}.so" for t in _UNUSED_TRANSPORTS)
        enforce = f'\tice_enforce_list = "{self.ice_enforce}"\n' if self.ice_enforce else ""
        (conf / "janus.jcfg").write_text(
            "general: {\n"
            f'\tconfigs_folder = "{conf}"\n'
            f'\tplugins_folder = "{lib / "plugins"}"\n'
            f'\ttransports_folder = "{lib / "transports"}"\n'
            f'\tevents_folder = "{lib / "events"}"\n'
            f'\tloggers_folder = "{lib / "loggers"}"\n'
            "\tdebug_level = 3\n"
            f'\tapi_secret = "{self.api_secret}"\n'
            f'\tadmin_secret = "{self.admin_secret}"\n'
            # No idle timeout: a publisher's API session is quiet for the whole call. Signaling
            # records every leg in Redis and destroys it on leave/remove/end (any instance).
            "\tsession_timeout = 0\n"
            "\treclaim_session_timeout = 0\n"
            "}\n"
            f"nat: {{\n\tnice_debug = false\n\tignore_mdns = true\n{enforce}}}\n"
            f'plugins: {{\n\tdisable = "{plugins}"\n}}\n'
            f'transports: {{\n\tdisable = "{transports}"\n}}\n'
            "events: {\n\tbroadcast = false\n}\n"
            'loggers: {\n\tdisable = "libjanus_jsonlog.so"\n}\n'
        )
        (conf / "janus.transport.http.jcfg").write_text(
            "general: {\n"
            '\tjson = "compact"\n\tbase_path = "/janus"\n\thttp = true\n'
            f'\tport = {self.port}\n\tip = "{self.host}"\n\thttps = false\n'
            "}\n"
            "admin: {\n"
            '\tadmin_base_path = "/admin"\n\tadmin_http = true\n'
            f'\tadmin_port = {self.admin_port}\n\tadmin_ip = "{self.host}"\n\tadmin_https = false\n'
            "}\n"
        )
        (conf / "janus.plugin.videoroom.jcfg").write_text(
            "general: {\n"
            f'\tadmin_key = "{self.room_admin_key}"\n'
            "\tstring_ids = true\n"
            "\tlock_rtp_forward = true\n"
            "}\n"
        )
        return conf

    def start(self) -> None:
        binary = janus_binary()
        if binary is None:
            raise FileNotFoundError("Janus is not installed (apt-get install -y janus)")
        conf = self.write_config()
        self.process = subprocess.Popen(
            [
                binary,
                f"--configs-folder={conf}",
                f"--config={conf / 'janus.jcfg'}",
                f"--log-file={self.log}",
                "--disable-colors",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            cwd=self.workdir,
        )
        wait_for_port(self.port, self.process, timeout=20, host=self.host)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """Die at once, as a crashed instance would (failover tests)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
