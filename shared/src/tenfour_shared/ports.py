"""Local ports for servers that a harness starts as child processes (tests, `make run`, benches).

Binding port 0, closing it and letting a child bind the number later is a race: another process
may be handed the same number meanwhile (gRPC servers even share it through SO_REUSEPORT, so
calls reached a different service). Instead each process reserves blocks of ports below the
kernel's ephemeral range — never handed out for port 0 or outgoing connections — by an exclusive
lock on one file per block, held until the process exits; every process on the machine that
takes ports here therefore gets disjoint ones. A port is also checked free before it is given.
"""

from __future__ import annotations

import fcntl
import os
import random
import socket
import tempfile
from pathlib import Path

_BLOCK = 40
_LOW = 20000
_LOCK_DIR = Path(tempfile.gettempdir()) / "tenfour-ports"


class _Reservations:
    def __init__(self) -> None:
        self.pid = os.getpid()
        self.locks: list[int] = []  # descriptors holding the block locks, open for life
        self.pool: list[int] = []
        self.blocks_tried: set[int] = set()


_state = _Reservations()


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _block_count() -> int:
    return max(0, (_ephemeral_low() - _LOW) // _BLOCK)


def _lock_block(block: int) -> bool:
    _LOCK_DIR.mkdir(mode=0o1777, exist_ok=True)
    fd = os.open(_LOCK_DIR / f"block-{block}", os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return False
    os.set_inheritable(fd, False)
    _state.locks.append(fd)
    return True


def _reserve_block() -> bool:
    count = _block_count()
    if not count:
        return False
    start = random.randrange(count)
    for step in range(count):
        block = (start + step) % count
        if block in _state.blocks_tried:
            continue
        _state.blocks_tried.add(block)
        if _lock_block(block):
            first = _LOW + block * _BLOCK
            _state.pool.extend(range(first, first + _BLOCK))
            return True
    return False


def is_free(port: int, *, udp: bool = False) -> bool:
    kinds = (socket.SOCK_STREAM, socket.SOCK_DGRAM) if udp else (socket.SOCK_STREAM,)
    for kind in kinds:
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def _kernel_port(udp: bool) -> int:
    """Last resort when every block is held: the old, racy way."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if not udp or is_free(port, udp=True):
            return port


def reserve(*, udp: bool = False) -> int:
    """A port of this process's blocks, free now; each is handed out once per process."""
    global _state
    if _state.pid != os.getpid():  # a forked child must not hand out its parent's ports
        _state = _Reservations()
    while True:
        while _state.pool:
            port = _state.pool.pop(0)
            if is_free(port, udp=udp):
                return port
        if not _reserve_block():
            return _kernel_port(udp)


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def listened_by(port: int, pid: int) -> bool | None:
    """Whether process `pid` is the one listening on TCP `port` (None: cannot tell here, as
    without Linux's /proc). Another process answering on our port is not our server."""
    if not Path("/proc/net/tcp").exists():
        return None
    inodes = _listening_inodes(port)
    if not inodes:
        return False
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return None
    for fd in fds:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            return True
    return False
