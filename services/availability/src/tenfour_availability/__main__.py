"""`python -m tenfour_availability`: run the availability service."""

from __future__ import annotations

import asyncio

from tenfour_availability.bootstrap import serve
from tenfour_availability.config import Settings
from tenfour_shared.config import load_settings


def main() -> None:
    asyncio.run(serve(load_settings(Settings)))


if __name__ == "__main__":
    main()
