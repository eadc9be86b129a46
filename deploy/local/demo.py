"""The demo agency `make run` seeds, its program history, and the sign-ins it prints."""

from __future__ import annotations

from typing import Any

from local_system import DATA, PORTS, WEB_URL, cli_tls, console, secure_mode
from program_history import history_events, history_month, publish_history
from progress import Steps

from tenfour_shared.launcher import ServiceProcess


def seed_demo(procs: list[ServiceProcess], env: dict[str, str], steps: Steps) -> dict[str, Any] | None:
    """Seed through the CLI's seeder (public RPCs only); None when it could not run."""
    try:
        from tenfour_cli.config import Targets
        from tenfour_cli.exits import CliError
        from tenfour_cli.rpc import Clients
        from tenfour_cli.seed import AdminCredentials, DemoSeeder
    except ImportError:
        console.print(
            "  [yellow]![/] demo seeding needs the CLI: pip install -e services/cli (make setup does)"
        )
        return None
    targets = Targets.resolve({proc.name: proc.target for proc in procs})
    admin = AdminCredentials(env["TENFOUR_BOOTSTRAP_ADMIN_USERNAME"], env["TENFOUR_BOOTSTRAP_ADMIN_PASSWORD"])
    try:
        with Clients(targets, timeout=15.0, tls=cli_tls()) as clients:
            result = DemoSeeder(
                clients, DATA / "demo-accounts.json", admin, web_url=WEB_URL, on_step=steps.sub("demo data")
            ).run()
    except CliError as exc:
        console.print(f"  [red]✗[/] demo data not seeded: {exc.message}")
        if exc.hint:
            console.print(f"    hint: {exc.hint}", markup=False, style="dim")
        return None
    except Exception as exc:  # the system stays up without demo data; the run is not lost
        console.print(f"  [red]✗[/] demo data not seeded: {type(exc).__name__}: {exc}", markup=False)
        return None
    steps.done(f"demo data        {result.message}")
    return result.state


def seed_history(state: dict[str, Any] | None, nats_url: str) -> None:
    """The month before last of the demo agency, so Program numbers shows figures at once."""
    agency_id = (state or {}).get("agency", {}).get("agency_id", "")
    if not agency_id or secure_mode():  # under TENFOUR_SECURE=1 only the services may publish
        return
    import asyncio
    from datetime import UTC, datetime

    today = datetime.now(UTC).date()
    try:
        count = asyncio.run(publish_history(nats_url, history_events(agency_id, today)))
    except Exception as exc:  # the system stays up without the history
        console.print(f"  [yellow]![/] program history not published: {type(exc).__name__}", markup=True)
        return
    console.print(
        f"  • program history {count} past events for {history_month(today):%B %Y} (Program numbers)"
    )


def print_sign_ins(state: dict[str, Any] | None, env: dict[str, str], gateway_up: bool) -> None:
    path = DATA / "demo-accounts.json"
    if state is not None:
        from tenfour_cli.commands.seed import render_summary

        render_summary(console, state, path)
    else:
        console.print(f"Web app: [bold]{WEB_URL}[/]")
        console.print(
            f"System admin sign-in: {env['TENFOUR_BOOTSTRAP_ADMIN_USERNAME']} / "
            f"{env['TENFOUR_BOOTSTRAP_ADMIN_PASSWORD']} (sets up MFA at first sign-in; kept in "
            f"{DATA / 'secrets.json'})",
            markup=False,
        )
    if PORTS.base is not None:
        exports = " ".join(f"{k}={v}" for k, v in PORTS.targets().items())
        console.print(
            f"This system's ports start at {PORTS.base}. The CLI reaches it with: {exports}", markup=False
        )
    if not gateway_up:
        console.print("  [yellow]![/] the web gateway is not running here: the web address will not answer")
