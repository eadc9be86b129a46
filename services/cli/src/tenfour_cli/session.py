"""The sign-in cache: tokens per identity service, in a file only the user can read (0600).

`TENFOUR_TOKEN` (an access token) overrides the cache: nothing is read or written then, and
nothing is refreshed. Otherwise an access token that expires within a minute is refreshed with
the cached refresh token (which rotates; the new one is saved at once, under a file lock so two
commands running together do not present the same refresh token twice and end the session).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from google.protobuf.json_format import MessageToDict

from tenfour.identity.v1 import identity_pb2 as idp
from tenfour_cli.config import config_dir, write_private
from tenfour_cli.exits import CliError, Exit
from tenfour_cli.rpc import Clients, bearer, call

__all__ = ["Credentials", "SessionStore", "StoredSession"]

REFRESH_MARGIN_SECONDS = 60.0


@dataclass
class StoredSession:
    access_token: str
    refresh_token: str
    access_expires_at: float  # unix seconds
    user: dict[str, Any]

    @classmethod
    def from_result(cls, result: idp.AuthResult) -> StoredSession:
        user = MessageToDict(result.user, preserving_proto_field_name=True)
        user.pop("contact_channel", None)  # personal data stays out of the cache
        return cls(
            access_token=result.access_token,
            refresh_token=result.refresh_token,
            access_expires_at=result.access_expires_at.ToSeconds()
            if result.HasField("access_expires_at")
            else 0,
            user=user,
        )


class SessionStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "session.json"

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"sessions": {}}
        except (OSError, ValueError):
            return {"sessions": {}}  # a damaged cache is as good as none: sign in again
        return data if isinstance(data, dict) and isinstance(data.get("sessions"), dict) else {"sessions": {}}

    def load(self, identity_target: str) -> StoredSession | None:
        entry = self._read()["sessions"].get(identity_target)
        if not isinstance(entry, dict):
            return None
        try:
            return StoredSession(**entry)
        except TypeError:
            return None

    def save(self, identity_target: str, session: StoredSession) -> None:
        data = self._read()
        data["sessions"][identity_target] = asdict(session)
        write_private(self.path, json.dumps(data, indent=2))

    def forget(self, identity_target: str) -> None:
        data = self._read()
        if data["sessions"].pop(identity_target, None) is not None:
            write_private(self.path, json.dumps(data, indent=2))

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


class Credentials:
    """The caller's access token: TENFOUR_TOKEN, else the cache (refreshed when about to expire)."""

    def __init__(self, clients: Clients, store: SessionStore) -> None:
        self.clients = clients
        self.store = store

    @property
    def from_environment(self) -> bool:
        return bool(os.environ.get("TENFOUR_TOKEN"))

    def current(self) -> StoredSession | None:
        return self.store.load(self.clients.targets.identity)

    def token(self) -> str:
        env = os.environ.get("TENFOUR_TOKEN", "").strip()
        if env:
            return env
        target = self.clients.targets.identity
        with self.store.locked():
            session = self.store.load(target)
            if session is None:
                raise CliError(
                    f"not signed in to {target}", Exit.AUTH, hint="run `tenfour login` or set TENFOUR_TOKEN"
                )
            if session.access_expires_at - time.time() > REFRESH_MARGIN_SECONDS:
                return session.access_token
            try:
                result = call(
                    self.clients.identity.Refresh,
                    idp.RefreshRequest(refresh_token=session.refresh_token),
                    timeout=self.clients.timeout,
                    what="refresh",
                )
            except CliError as exc:
                if exc.exit is Exit.AUTH:
                    self.store.forget(target)
                    exc.message = "the session has ended (idle, expired or signed out)"
                    exc.hint = "sign in again with `tenfour login`"
                raise
            fresh = StoredSession.from_result(result)
            self.store.save(target, fresh)
            return fresh.access_token

    def metadata(self) -> tuple[tuple[str, str], ...]:
        return tuple(bearer(self.token()))
