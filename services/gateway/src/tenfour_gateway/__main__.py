"""`python -m tenfour_gateway`: run the web gateway."""

from __future__ import annotations

import asyncio

from tenfour_gateway.app import serve
from tenfour_gateway.config import Settings


def main() -> None:
    asyncio.run(serve(Settings()))


if __name__ == "__main__":
    main()
