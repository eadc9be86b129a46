"""The container probe."""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp.test_utils import TestServer

from tenfour_gateway.healthcheck import main


async def test_probe_follows_the_status() -> None:
    state = {"status": 200}

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(status=state["status"])

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    async with TestServer(app) as server:
        url = str(server.make_url("/healthz"))
        loop = asyncio.get_running_loop()
        assert await loop.run_in_executor(None, main, ["probe", url]) == 0
        state["status"] = 503
        assert await loop.run_in_executor(None, main, ["probe", url]) == 1
    assert main(["probe", "file:///etc/passwd"]) == 1
    assert main(["probe", "a", "b"]) == 2
