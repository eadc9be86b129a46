"""`tenfour health`: gRPC health (overall and per service name) and the reflection listing of each."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console

from tenfour_cli.app import Commands, Context
from tenfour_cli.config import SERVICE_NAMES, Targets
from tenfour_cli.exits import Exit
from tenfour_cli.rpc import Clients, health_status, reflected_services

__all__ = ["check_all", "register"]


def register(commands: Commands, common: list[Any]) -> None:
    parser = commands.add_parser(
        "health",
        parents=common,
        help="health and reflection listing of every service",
        description="Exit 0 when every service is SERVING, 7 otherwise.",
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait up to this long for all to be SERVING",
    )
    parser.set_defaults(handler=run)


def check_one(clients: Clients, name: str, timeout: float) -> dict[str, Any]:
    channel = clients.channel(name)
    overall = health_status(channel, "", timeout)
    named = health_status(channel, SERVICE_NAMES[name], timeout) if overall != "UNREACHABLE" else overall
    listed = reflected_services(channel, timeout) if overall != "UNREACHABLE" else []
    return {
        "name": name,
        "target": getattr(clients.targets, name),
        "service": SERVICE_NAMES[name],
        "status": named,
        "server_status": overall,
        "serving": overall == "SERVING" and named == "SERVING",
        "reflection": listed,
        "reflection_lists_service": SERVICE_NAMES[name] in listed,
    }


def check_all(targets: Targets, timeout: float = 2.0) -> list[dict[str, Any]]:
    with Clients(targets, timeout) as clients:
        return [check_one(clients, name, timeout) for name in SERVICE_NAMES]


def _render(results: list[dict[str, Any]], ctx: Context) -> None:
    def render(console: Console) -> None:
        rows = []
        for r in results:
            style = "green" if r["serving"] else "red"
            extra = [s for s in r["reflection"] if s != r["service"]]
            rows.append(
                (
                    r["name"],
                    r["target"],
                    f"[{style}]{r['status']}[/]",
                    r["service"] if r["reflection_lists_service"] else "-",
                    ", ".join(extra) or "-",
                )
            )
        table = ctx.out.table(
            "Tenfour services", ("service", "target", "health", "reflection", "also listed"), []
        )
        for row in rows:
            table.add_row(*row)
        console.print(table)

    ctx.out.emit({"services": results, "all_serving": all(r["serving"] for r in results)}, render)


def run(ctx: Context) -> int:
    deadline = time.monotonic() + max(ctx.args.wait, 0.0)
    probe_timeout = min(ctx.timeout, 2.0)
    results = [check_one(ctx.clients, name, probe_timeout) for name in SERVICE_NAMES]
    if ctx.args.wait > 0 and not all(r["serving"] for r in results):
        with ctx.out.progress() as progress:
            task = progress.add_task("waiting for SERVING", total=len(results))
            while time.monotonic() < deadline:
                results = [check_one(ctx.clients, name, probe_timeout) for name in SERVICE_NAMES]
                progress.update(task, completed=sum(r["serving"] for r in results))
                if all(r["serving"] for r in results):
                    break
                time.sleep(0.5)
    _render(results, ctx)
    down = [r["name"] for r in results if not r["serving"]]
    if down:
        # The table (or JSON, with all_serving false) is out already; the exit code tells scripts.
        if not ctx.out.json:
            ctx.out.err.print(f"[bold red]not serving:[/] {', '.join(down)}")
        return Exit.UNAVAILABLE
    return Exit.OK
