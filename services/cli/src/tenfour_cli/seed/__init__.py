"""Demo data through public RPCs only: an agency, its coordinator, two therapists, a peer supporter,
officers on Pitman, DuPont and 4-on-4-off rotations, availability, and a few bookings.

Idempotent. The sign-ins live in a state file (0600, `.data/demo-accounts.json` under `make run`)
written before each step that creates something, so:

* a complete file whose officer can still sign in means the demo exists: nothing is done;
* an incomplete file (an interrupted run) is resumed: accounts that exist are signed in to
  with the passwords already chosen, missing ones are created;
* without a file, demo usernames that are taken mean someone seeded this system without
  keeping the file: nothing is done either (the first call creates nothing else).

A step whose RPC a service does not offer yet (UNIMPLEMENTED) is reported as
"skipped: <Service>/<RPC> not available yet" and the seed goes on without it.
"""

from tenfour_cli.seed.cast import WEB_URL, AdminCredentials, SeedResult, load_accounts, sign_in_rows
from tenfour_cli.seed.seeder import DemoSeeder

__all__ = [
    "WEB_URL",
    "AdminCredentials",
    "DemoSeeder",
    "SeedResult",
    "load_accounts",
    "sign_in_rows",
]
