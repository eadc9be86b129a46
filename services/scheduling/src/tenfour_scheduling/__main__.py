"""`python -m tenfour_scheduling`: run the scheduling service."""

from __future__ import annotations

import asyncio

from tenfour_scheduling.bootstrap import serve
from tenfour_scheduling.config import Settings


def main() -> None:
    asyncio.run(serve(Settings()))


if __name__ == "__main__":
    main()
