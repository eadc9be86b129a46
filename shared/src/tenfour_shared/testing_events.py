"""Moved to tenfour_testing.events (test support is not part of the installed service); this alias
lasts only until the branches written against the old path have landed."""

import importlib
import sys

sys.modules[__name__] = importlib.import_module("tenfour_testing.events")
