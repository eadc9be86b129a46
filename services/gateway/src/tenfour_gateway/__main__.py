"""`python -m tenfour_gateway`: run the web gateway."""

from __future__ import annotations

import asyncio

from tenfour_gateway.app import serve
from tenfour_gateway.config import Settings
from tenfour_shared.config import load_settings


def main() -> None:
    asyncio.run(serve(load_settings(Settings)))


if __name__ == "__main__":
    main()
