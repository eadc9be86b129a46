"""`tenfour login`, `logout`, `whoami` and `token`."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import pyotp
from rich.console import Console

from tenfour.identity.v1 import identity_pb2 as idp
from tenfour_cli.app import Commands, Context
from tenfour_cli.auth import sign_in
from tenfour_cli.exits import Exit
from tenfour_cli.output import proto_dict
from tenfour_cli.rpc import call
from tenfour_cli.session import StoredSession

__all__ = ["register"]


def register(commands: Commands, common: list[Any]) -> None:
    login = commands.add_parser(
        "login",
        parents=common,
        help="sign in (incl. first-time MFA setup) and cache the tokens",
        description="Signs in and keeps the tokens in the sign-in cache (0600). Staff without TOTP "
        "yet enrol it here: the new secret is shown once; add it to an authenticator app.",
    )
    login.add_argument("-u", "--username", help="username or e-mail (prompted if missing)")
    login.add_argument(
        "--password", help="visible to other local users: prefer the prompt or TENFOUR_PASSWORD"
    )
    login.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    login.add_argument("--totp", default="", metavar="CODE", help="the current 6-digit code")
    login.add_argument(
        "--totp-secret",
        default=os.environ.get("TENFOUR_TOTP_SECRET", ""),
        metavar="BASE32",
        help="compute the code from this secret (env TENFOUR_TOTP_SECRET)",
    )
    login.add_argument(
        "--auto-mfa-setup",
        action="store_true",
        help="without a terminal: enrol TOTP with a new secret, answer with its code, print the secret",
    )
    login.set_defaults(handler=run_login)

    logout = commands.add_parser("logout", parents=common, help="end the cached session")
    logout.set_defaults(handler=run_logout)

    whoami = commands.add_parser(
        "whoami", parents=common, help="who the cached session (or TENFOUR_TOKEN) is"
    )
    whoami.set_defaults(handler=run_whoami)

    token = commands.add_parser(
        "token", parents=common, help="print a valid access token (for TENFOUR_TOKEN or grpcurl)"
    )
    token.set_defaults(handler=run_token)


def _role(user: dict[str, Any]) -> str:
    return str(user.get("role", "")).removeprefix("ROLE_").lower()


def run_login(ctx: Context) -> int:
    args = ctx.args
    username = args.username or os.environ.get("TENFOUR_USERNAME") or ctx.text_input("Username: ")
    password = ctx.secret_input(
        "Password: ", flag=args.password, env="TENFOUR_PASSWORD", stdin_flag=args.password_stdin
    )

    def ask_code() -> str:
        return ctx.text_input("TOTP code: ").strip()

    def on_setup(enrolment: idp.EnrolMfaResponse) -> str:
        if args.auto_mfa_setup:
            return pyotp.TOTP(enrolment.secret).now()
        ctx.out.err.print("[bold]This account must enrol a second factor (TOTP).[/]")
        ctx.out.err.print("Add this secret to an authenticator app (it is shown once):", markup=False)
        ctx.out.err.print(f"  secret: {enrolment.secret}", markup=False, style="bold yellow")
        ctx.out.err.print(f"  URI:    {enrolment.provisioning_uri}", markup=False)
        return ctx.text_input("Code from the app: ").strip()

    signed = sign_in(
        ctx.clients.identity,
        username,
        password,
        totp_code=args.totp,
        totp_secret=args.totp_secret,
        ask_code=ask_code if ctx.interactive else None,
        on_setup=on_setup if (args.auto_mfa_setup or ctx.interactive) else None,
        timeout=ctx.timeout,
    )
    session = StoredSession.from_result(signed.result)
    ctx.creds.store.save(ctx.clients.targets.identity, session)
    expires = datetime.fromtimestamp(session.access_expires_at, UTC)
    data: dict[str, Any] = {
        "user": session.user,
        "access_expires_at": expires.isoformat(),
        "session_file": str(ctx.creds.store.path),
    }
    if signed.new_totp_secret:
        data["mfa_setup"] = {"secret": signed.new_totp_secret, "provisioning_uri": signed.provisioning_uri}

    def render(console: Console) -> None:
        user = session.user
        name, target = user.get("username", ""), ctx.clients.targets.identity
        console.print(f"Signed in as [bold]{name}[/] ({_role(user)}) at {target}")
        if signed.new_totp_secret:
            console.print("[bold yellow]MFA enabled.[/] TOTP secret (keep it in an authenticator app):")
            console.print(f"  {signed.new_totp_secret}", markup=False)
            console.print(f"  {signed.provisioning_uri}", markup=False)

    ctx.out.emit(data, render)
    return Exit.OK


def run_logout(ctx: Context) -> int:
    session = ctx.creds.current()
    target = ctx.clients.targets.identity
    if session is not None:
        call(
            ctx.clients.identity.Logout,
            idp.LogoutRequest(refresh_token=session.refresh_token),
            timeout=ctx.timeout,
            what="logout",
        )
        ctx.creds.store.forget(target)
    ctx.out.emit(
        {"signed_out": session is not None},
        lambda c: c.print("Signed out." if session is not None else "Not signed in."),
    )
    return Exit.OK


def run_whoami(ctx: Context) -> int:
    me = call(ctx.clients.identity.GetMe, idp.GetMeRequest(), metadata=ctx.metadata(), timeout=ctx.timeout)
    data = proto_dict(me)

    def render(console: Console) -> None:
        console.print(
            ctx.out.pairs(
                [
                    ("username", me.username),
                    ("display name", me.display_name),
                    ("role", _role(data)),
                    ("user id", me.user_id),
                    ("agency", me.agency_id or "-"),
                    ("MFA", "on" if me.mfa_enabled else "off"),
                ]
            )
        )

    ctx.out.emit({"user": data}, render)
    return Exit.OK


def run_token(ctx: Context) -> int:
    token = ctx.creds.token()
    ctx.out.emit({"access_token": token}, lambda c: c.print(token, markup=False, soft_wrap=True))
    return Exit.OK
