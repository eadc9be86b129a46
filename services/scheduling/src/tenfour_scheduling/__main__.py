"""`python -m tenfour_scheduling`: run the scheduling service."""

from __future__ import annotations

import asyncio

from tenfour_scheduling.bootstrap import serve
from tenfour_scheduling.config import Settings
from tenfour_shared.config import load_settings


def main() -> None:
    asyncio.run(serve(load_settings(Settings)))


if __name__ == "__main__":
    main()
