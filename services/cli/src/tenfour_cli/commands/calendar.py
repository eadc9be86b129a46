"""A provider's busy-calendar subscription: follow an iCal address, see its sync status, sync now,
stop following."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from tenfour.availability.v1 import availability_pb2 as avp
from tenfour.identity.v1 import identity_pb2 as idp
from tenfour_cli.app import Commands, Context
from tenfour_cli.exits import Exit
from tenfour_cli.output import proto_dict, timestamp_text
from tenfour_cli.rpc import call

__all__ = ["register"]


def register(commands: Commands, common_opts: list[Any]) -> None:
    calendar = commands.add_parser("calendar", help="follow your own calendar's busy times (providers)")
    cmds = calendar.add_subparsers(dest="calendar_command", required=True, metavar="COMMAND")
    subscribe = cmds.add_parser(
        "subscribe",
        parents=common_opts,
        help="follow an iCal (.ics) address: fetched now, then every 15 minutes",
        description="e.g. `tenfour calendar subscribe https://calendar.example.com/private-…/basic.ics`. "
        "Only busy times are kept; an address that is not a usable calendar exits 5 and changes nothing.",
    )
    subscribe.add_argument("url", help="the calendar's http(s) or webcal address")
    subscribe.set_defaults(handler=run_subscribe)
    for name, helptext, handler in (
        ("status", "last sync, last error, paused or not", run_status),
        ("sync", "sync now (also resumes a paused subscription)", run_sync),
        ("unsubscribe", "stop following (busy times of the last sync stay)", run_unsubscribe),
    ):
        cmd = cmds.add_parser(name, parents=common_opts, help=helptext)
        cmd.set_defaults(handler=handler)


def _me(ctx: Context) -> str:
    me = call(ctx.clients.identity.GetMe, idp.GetMeRequest(), metadata=ctx.metadata(), timeout=ctx.timeout)
    return str(me.user_id)


def _show(ctx: Context, feed: avp.BusyCalendarFeed, title: str) -> int:
    rows: list[tuple[str, object]] = [
        ("following", feed.url_display),
        ("last synced", timestamp_text(feed.last_synced_at) if feed.HasField("last_synced_at") else "never"),
        ("busy times", feed.busy_intervals),
        ("state", "paused (run `tenfour calendar sync` once fixed)" if feed.paused else "syncing"),
        ("next check", timestamp_text(feed.next_sync_at) if feed.HasField("next_sync_at") else "-"),
        ("last error", feed.last_error or "-"),
    ]

    def render(console: Console) -> None:
        console.print(f"[bold {'red' if feed.paused or feed.last_error else 'green'}]{title}[/]")
        console.print(ctx.out.pairs(rows))

    ctx.out.emit({"feed": proto_dict(feed)}, render)
    return Exit.OK


def run_subscribe(ctx: Context) -> int:
    request = avp.SubscribeBusyCalendarRequest(provider_id=_me(ctx), url=ctx.args.url)
    feed = call(
        ctx.clients.availability.SubscribeBusyCalendar,
        request,
        metadata=ctx.metadata(),
        timeout=max(ctx.timeout, 30.0),  # the first fetch happens now
        what="calendar subscription",
    )
    return _show(ctx, feed, "Calendar followed")


def run_status(ctx: Context) -> int:
    feed = call(
        ctx.clients.availability.GetBusyCalendarFeed,
        avp.GetBusyCalendarFeedRequest(provider_id=_me(ctx)),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="calendar subscription",
    )
    return _show(ctx, feed, "Calendar subscription")


def run_sync(ctx: Context) -> int:
    feed = call(
        ctx.clients.availability.SyncBusyCalendarFeed,
        avp.SyncBusyCalendarFeedRequest(provider_id=_me(ctx)),
        metadata=ctx.metadata(),
        timeout=max(ctx.timeout, 30.0),
        what="calendar subscription",
    )
    return _show(ctx, feed, "Synced" if not feed.last_error else "Sync failed")


def run_unsubscribe(ctx: Context) -> int:
    call(
        ctx.clients.availability.UnsubscribeBusyCalendar,
        avp.UnsubscribeBusyCalendarRequest(provider_id=_me(ctx)),
        metadata=ctx.metadata(),
        timeout=ctx.timeout,
        what="calendar subscription",
    )
    ctx.out.emit({"unsubscribed": True}, lambda console: console.print("No longer following that calendar."))
    return Exit.OK
