"""User accounts: lifting a sign-in lock after too many failed attempts."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from tenfour.identity.v1 import identity_pb2 as idp
from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import Exit
from tenfour_cli.rpc import call

__all__ = ["register"]


def register(commands: Commands, common: list[Any]) -> None:
    users = commands.add_parser("users", help="user accounts (admins)")
    users_cmds = users.add_subparsers(dest="users_command", required=True, metavar="COMMAND")
    unlock = users_cmds.add_parser(
        "unlock",
        parents=common,
        help="unlock an account locked after 100 failed sign-ins (agency admins: their agency)",
    )
    unlock.add_argument("--user", required=True, metavar="USER_ID", help="the account's user id")
    unlock.set_defaults(handler=run_unlock)


def run_unlock(ctx: Context) -> int:
    request = idp.UnlockAccountRequest(user_id=ctx.args.user)
    reply = call(ctx.clients.identity.UnlockAccount, request, metadata=ctx.metadata(), timeout=ctx.timeout)
    data = {"user_id": ctx.args.user, "was_locked": reply.was_locked, "failures": reply.consecutive_failures}
    state = "was locked; unlocked" if reply.was_locked else "was not locked; failure count cleared"

    def render(console: Console) -> None:
        console.print(f"[bold green]Account {state}[/]")
        console.print(
            ctx.out.pairs([("user id", ctx.args.user), ("failed sign-ins", reply.consecutive_failures)])
        )

    ctx.out.emit(data, render)
    return Exit.OK
