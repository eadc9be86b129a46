"""The seeder's plumbing: the state file, calls with a token, optional RPCs, signing in."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

import pyotp

from tenfour.identity.v1 import identity_pb2 as idp
from tenfour_cli.auth import sign_in
from tenfour_cli.config import write_private
from tenfour_cli.exits import CliError, Exit
from tenfour_cli.rpc import Clients, bearer, call
from tenfour_cli.seed.cast import (
    AGENCY_NAME,
    DEFAULT_PREFIX,
    PREFIX,
    SLOT_WAIT_SECONDS,
    TOTAL_STEPS,
    WEB_URL,
    Account,
    AdminCredentials,
    Step,
)

T = TypeVar("T")


class SeederBase:
    def __init__(
        self,
        clients: Clients,
        path: Path,
        admin: AdminCredentials,
        *,
        web_url: str = WEB_URL,
        on_step: Step | None = None,
        slot_wait: float = SLOT_WAIT_SECONDS,
        prefix: str = DEFAULT_PREFIX,
    ) -> None:
        if not PREFIX.fullmatch(prefix):
            raise CliError(f"prefix {prefix!r}: 1-12 of a-z and 0-9, starting with a letter", Exit.USAGE)
        self.prefix = prefix
        self.agency_name = AGENCY_NAME if prefix == DEFAULT_PREFIX else f"{AGENCY_NAME} ({prefix})"
        self.clients = clients
        self.path = path
        self.admin = admin
        self.web_url = web_url
        self.on_step = on_step or (lambda *_: None)
        self.slot_wait = slot_wait
        self.state: dict[str, Any] = {}
        self.tokens: dict[str, str] = {}
        self.skipped: list[str] = []
        self._done = 0

    # -- plumbing ----------------------------------------------------------------------------

    def _name(self, suffix: str) -> str:
        return f"{self.prefix}.{suffix}"

    def _email(self, mailbox: str) -> str:
        return f"{mailbox}@{self.prefix}.tenfour.invalid"

    def _step(self, what: str) -> None:
        self.on_step(what, self._done, TOTAL_STEPS)
        self._done += 1

    def _save(self) -> None:
        self.state["skipped"] = sorted(set(self.state.get("skipped", [])) | set(self.skipped))
        write_private(self.path, json.dumps(self.state, indent=2))

    def _call(self, method: Callable[..., T], request: Any, token: str = "", what: str = "") -> T:
        return call(
            method, request, metadata=bearer(token) if token else (), timeout=self.clients.timeout, what=what
        )

    def _optional(self, rpc: str, work: Callable[[], T]) -> T | None:
        """Run `work`; an UNIMPLEMENTED answer records 'skipped: <rpc> not available yet'."""
        try:
            return work()
        except CliError as exc:
            if exc.status != "UNIMPLEMENTED":
                raise
            self.skipped.append(f"skipped: {rpc} not available yet")
            return None

    def _account(self, key: str) -> Account:
        return Account(**self.state["accounts"][key])

    def _put(self, account: Account) -> None:
        self.state["accounts"][account.key] = asdict(account)
        self._save()

    def token(self, key: str) -> str:
        """A fresh access token of a demo account (signing in, MFA set-up included, when needed)."""
        if key in self.tokens:
            return self.tokens[key]
        if key == "admin" and self.admin.token:
            self.tokens[key] = self.admin.token
            return self.admin.token
        account = self._account(key)

        def setup(enrolment: idp.EnrolMfaResponse) -> str:
            account.totp_secret = enrolment.secret
            self._put(account)  # kept before the code is sent: a crash cannot lose the secret
            return pyotp.TOTP(enrolment.secret).now()

        code = self.admin.totp_code if key == "admin" else ""
        try:
            signed = sign_in(
                self.clients.identity,
                account.username,
                account.password,
                totp_code=code,
                totp_secret=account.totp_secret,
                on_setup=setup,
                timeout=self.clients.timeout,
                wait_for_fresh_code=True,
            )
        except CliError as exc:
            if exc.exit is Exit.AUTH and not account.totp_secret and key == "admin":
                exc.hint = (
                    "the admin has MFA already: pass --admin-totp CODE, or `tenfour login` as the admin"
                )
            raise
        account.user_id = signed.result.user.user_id
        self._put(account)
        self.tokens[key] = signed.result.access_token
        return signed.result.access_token
