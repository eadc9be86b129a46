"""`python -m tenfour_outcomes`: run the outcomes service."""

from __future__ import annotations

import asyncio

from tenfour_outcomes.bootstrap import serve
from tenfour_outcomes.config import Settings
from tenfour_shared.config import load_settings


def main() -> None:
    asyncio.run(serve(load_settings(Settings)))


if __name__ == "__main__":
    main()
