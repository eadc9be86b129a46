"""`tenfour enrol`: join an agency with its enrolment code, as the web app's "Join with a code"
(a pseudonymous username, a display name, a password, and optionally where you live), then
signed in with the session cached like `tenfour login`."""

from __future__ import annotations

import os
from typing import Any

from rich.console import Console

from tenfour.identity.v1 import identity_pb2 as idp
from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import Exit
from tenfour_cli.rpc import call
from tenfour_cli.session import StoredSession

__all__ = ["register"]


def register(commands: Commands, common: list[Any]) -> None:
    enrol = commands.add_parser(
        "enrol",
        parents=common,
        help="join an agency with its code (officers) and sign in",
        description="No name or e-mail needed. e.g. `tenfour enrol --code ABCD-EFGH -u nightowl "
        "--display-name Sam --jurisdiction US-CA` (password prompted, or TENFOUR_PASSWORD).",
    )
    enrol.add_argument("--code", required=True, help="the agency's enrolment code")
    enrol.add_argument("-u", "--username", help="not your real name (prompted if missing)")
    enrol.add_argument("--display-name", help="a first name or nickname your provider sees (prompted)")
    enrol.add_argument(
        "--jurisdiction",
        default="",
        help="optional: the US state or territory you live in, e.g. US-CA (clinicians' licences must "
        "be valid there; change it later with `tenfour preferences set --jurisdiction`)",
    )
    enrol.add_argument(
        "--password", help="visible to other local users: prefer the prompt or TENFOUR_PASSWORD"
    )
    enrol.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    enrol.set_defaults(handler=run_enrol)


def run_enrol(ctx: Context) -> int:
    a = ctx.args
    username = a.username or os.environ.get("TENFOUR_USERNAME") or ctx.text_input("Username: ")
    display_name = a.display_name or ctx.text_input("Display name: ")
    password = ctx.secret_input(
        "Password: ", flag=a.password, env="TENFOUR_PASSWORD", stdin_flag=a.password_stdin
    )
    result = call(
        ctx.clients.identity.RedeemEnrolmentCode,
        idp.RedeemEnrolmentCodeRequest(
            code=a.code,
            username=username,
            display_name=display_name,
            password=password,
            jurisdiction=a.jurisdiction,
        ),
        timeout=ctx.timeout,
        what="enrolment",
    )
    session = StoredSession.from_result(result)
    ctx.creds.store.save(ctx.clients.targets.identity, session)

    def render(console: Console) -> None:
        console.print(f"Joined and signed in as [bold]{username}[/].")
        if a.jurisdiction:
            console.print(f"Where you live: {a.jurisdiction.upper()} (see `tenfour preferences show`).")
        console.print("Next: enter your shift rotation (`tenfour roster set`).")

    ctx.out.emit({"user": session.user, "jurisdiction": a.jurisdiction.upper()}, render)
    return Exit.OK
