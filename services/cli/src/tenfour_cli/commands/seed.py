"""`tenfour seed`: demo data (idempotent), its sign-ins printed and kept in demo-accounts.json (0600)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from rich.console import Console

from tenfour_cli.app import Commands, Context
from tenfour_cli.config import data_dir
from tenfour_cli.exits import CliError, Exit
from tenfour_cli.seed import WEB_URL, AdminCredentials, DemoSeeder, SeedResult, sign_in_rows

__all__ = ["admin_credentials", "register", "render_summary"]


def register(commands: Commands, common: list[Any]) -> None:
    seed = commands.add_parser(
        "seed",
        parents=common,
        help="create the demo agency, providers, officers and bookings (idempotent)",
        description="Signs in as a system admin: --admin-* flags, else a cached system-admin session "
        "(or TENFOUR_TOKEN), else TENFOUR_BOOTSTRAP_ADMIN_USERNAME/_PASSWORD, else <data dir>/secrets.json "
        "(written by `make run`). Does nothing when the demo exists already.",
    )
    seed.add_argument("--data-dir", type=Path, default=None, help="default TENFOUR_DATA_DIR or ./.data")
    seed.add_argument(
        "--accounts-file",
        type=Path,
        default=None,
        help="default <data dir>/demo-accounts.json (-<prefix> before .json for other prefixes)",
    )
    seed.add_argument("--web-url", default=WEB_URL, help=f"the web address to print ({WEB_URL})")
    seed.add_argument("--admin-username", default="")
    seed.add_argument("--admin-password", default="")
    seed.add_argument("--admin-totp", default="", metavar="CODE", help="the admin's current TOTP code")
    seed.add_argument("--admin-totp-secret", default="", metavar="BASE32")
    seed.add_argument(
        "--prefix",
        default="demo",
        help="username prefix of the demo accounts (demo): another prefix seeds another demo agency",
    )
    seed.add_argument(
        "--slot-wait", type=float, default=30.0, metavar="SECONDS", help="how long to wait for bookable slots"
    )
    seed.set_defaults(handler=run_seed)


def admin_credentials(ctx: Context, folder: Path) -> AdminCredentials:
    a = ctx.args
    if a.admin_username and a.admin_password:
        return AdminCredentials(a.admin_username, a.admin_password, a.admin_totp_secret, a.admin_totp)
    session = ctx.creds.current()
    if ctx.creds.from_environment or (
        session is not None and session.user.get("role") == "ROLE_SYSTEM_ADMIN"
    ):
        return AdminCredentials(token=ctx.creds.token())
    username = os.environ.get("TENFOUR_BOOTSTRAP_ADMIN_USERNAME", "")
    password = os.environ.get("TENFOUR_BOOTSTRAP_ADMIN_PASSWORD", "")
    if not (username and password):
        try:
            saved = json.loads((folder / "secrets.json").read_text(encoding="utf-8"))
            username = username or saved.get("TENFOUR_BOOTSTRAP_ADMIN_USERNAME", "")
            password = password or saved.get("TENFOUR_BOOTSTRAP_ADMIN_PASSWORD", "")
        except (OSError, ValueError):
            pass
    if not (username and password):
        raise CliError(
            "no system-admin sign-in for seeding",
            Exit.AUTH,
            hint="pass --admin-username/--admin-password, run `tenfour login` as a system admin, "
            "or set TENFOUR_BOOTSTRAP_ADMIN_USERNAME/_PASSWORD",
        )
    return AdminCredentials(username, password, a.admin_totp_secret, a.admin_totp)


def render_summary(console: Console, state: dict[str, Any], path: Path, *, headline: str = "") -> None:
    """The web address, the demo sign-ins and the bookings, for people."""
    from rich.table import Table

    if headline:
        console.print(f"[bold green]{headline}[/]")
    console.print(f"Web app: [bold]{state.get('web_url', WEB_URL)}[/]")
    agency = state.get("agency") or {}
    if agency.get("agency_id"):
        console.print(f"Agency:  {agency.get('name')} ({agency.get('agency_id')}, {agency.get('timezone')})")
    table = Table(
        title="Demo sign-ins (staff: add the TOTP secret to an authenticator app)", title_justify="left"
    )
    for column in ("role", "username", "password", "TOTP secret"):
        table.add_column(column, no_wrap=True)  # copied by hand: never broken over lines
    table.add_column("notes", overflow="fold")
    for row in sign_in_rows(state):
        table.add_row(*row)
    console.print(table)
    signup = (state.get("signup_code") or {}).get("code")
    if signup:
        console.print(f"Sign up as a new officer in the web app with the enrolment code [bold]{signup}[/]")
    bookings = state.get("bookings") or []
    if bookings:
        booked = Table(title="Sessions the seed booked", title_justify="left")
        for column in ("officer", "with", "starts (agency time)", "appointment"):
            booked.add_column(column, no_wrap=True)
        for b in bookings:
            booked.add_row(b["officer_username"], b["provider"], b["start_local"], b["appointment_id"])
        console.print(booked)
    for line in [*state.get("skipped", []), *state.get("notes", [])]:
        console.print(f"  • {line}", markup=False, style="yellow")
    console.print(f"Sign-ins are kept in {path} (only you can read it).", style="dim")


def run_seed(ctx: Context) -> int:
    a = ctx.args
    folder = a.data_dir or data_dir()
    name = "demo-accounts.json" if a.prefix == "demo" else f"demo-accounts-{a.prefix}.json"
    path = a.accounts_file or folder / name
    admin = admin_credentials(ctx, folder)
    with ctx.out.progress() as progress:
        task = progress.add_task("seeding", total=10)

        def on_step(what: str, done: int, total: int) -> None:
            progress.update(task, description=what, completed=done, total=total)

        result: SeedResult = DemoSeeder(
            ctx.clients,
            path,
            admin,
            web_url=a.web_url,
            on_step=on_step,
            slot_wait=a.slot_wait,
            prefix=a.prefix,
        ).run()
    data = {
        "status": result.status,
        "message": result.message,
        "accounts_file": str(path),
        "web_url": result.state.get("web_url", a.web_url),
        "agency": result.state.get("agency", {}),
        "accounts": list(result.state.get("accounts", {}).values()),
        "signup_code": result.state.get("signup_code", {}),
        "bookings": result.state.get("bookings", []),
        "skipped": result.state.get("skipped", []),
        "notes": result.state.get("notes", []),
    }
    ctx.out.emit(data, lambda c: render_summary(c, result.state, path, headline=result.message))
    return Exit.OK
