"""The access audit trail (system admins): who viewed, joined, admitted, cancelled or
rescheduled sessions, under pseudonyms, and whether the hash chain is intact."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from tenfour.identity.v1 import identity_pb2 as idp
from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import Exit
from tenfour_cli.output import timestamp_text
from tenfour_cli.rpc import call

__all__ = ["register"]


def register(commands: Commands, common: list[Any]) -> None:
    audit = commands.add_parser("audit", help="the access audit trail of sessions (system admin)")
    audit_cmds = audit.add_subparsers(dest="audit_command", required=True, metavar="COMMAND")
    access = audit_cmds.add_parser(
        "access", parents=common, help="who viewed, joined, admitted, cancelled or rescheduled a session"
    )
    access.add_argument("--session", default="", metavar="APPOINTMENT_ID", help="only this session")
    access.add_argument("--limit", type=int, default=0, help="entries per page (100; at most 1000)")
    access.add_argument("--after", type=int, default=0, metavar="SEQ", help="entries after this seq")
    access.set_defaults(handler=run_access)
    verify = audit_cmds.add_parser(
        "verify", parents=common, help="check the hash chain: exit 1 if any entry was changed or removed"
    )
    verify.set_defaults(handler=run_verify)


def run_access(ctx: Context) -> int:
    a = ctx.args
    request = idp.ListAccessAuditRequest(limit=a.limit, after_seq=a.after, appointment_id=a.session)
    reply = call(ctx.clients.identity.ListAccessAudit, request, metadata=ctx.metadata(), timeout=ctx.timeout)
    rows = [
        {
            "seq": e.seq,
            "time": timestamp_text(e.time),
            "action": e.action,
            "session": e.session,
            "actor": e.actor,
            "actor_role": e.actor_role,
            "source": e.source,
            "hash": e.hash,
        }
        for e in reply.entries
    ]

    def render(console: Console) -> None:
        if not rows:
            console.print("No access recorded" + (" for this session." if a.session else " yet."))
            return
        columns = ("seq", "time", "action", "session", "actor", "role", "seen by", "hash")
        table_rows = [
            (r["seq"], r["time"], r["action"], r["session"], r["actor"], r["actor_role"], r["source"],
             str(r["hash"])[:12] + "…")
            for r in rows
        ]  # fmt: skip
        console.print(ctx.out.table("Access audit trail (pseudonymous ids)", columns, table_rows))
        if len(rows) == (a.limit or 100):
            console.print(f"more: tenfour audit access --after {rows[-1]['seq']}", style="dim")

    ctx.out.emit({"entries": rows}, render)
    return Exit.OK


def run_verify(ctx: Context) -> int:
    reply = call(
        ctx.clients.identity.VerifyAuditChain,
        idp.VerifyAuditChainRequest(),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
    )
    data = {
        "intact": reply.intact,
        "entries": reply.entries,
        "first_broken_seq": reply.first_broken_seq,
        "head_hash": reply.head_hash,
    }

    def render(console: Console) -> None:
        if reply.intact:
            console.print(f"[bold green]Intact[/]: {reply.entries} entries, head {reply.head_hash}")
            console.print(
                "Keep the head hash: a later check that does not reach it means entries were removed."
            )
        else:
            console.print(
                f"[bold red]Broken[/] at entry {reply.first_broken_seq} of {reply.entries}: "
                "an entry was changed, removed or inserted there."
            )

    ctx.out.emit(data, render)
    return Exit.OK if reply.intact else Exit.FAILED
