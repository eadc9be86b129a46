"""Every reason code scheduling sends has plain words in the web app and in the CLI (issue 18):
a refused booking or an empty search never shows `officer_day_limit` or `no_offers`."""

from __future__ import annotations

import re
from pathlib import Path

from tenfour_cli.reasons import EMPTY, REFUSALS

ROOT = Path(__file__).resolve().parents[2]
SCHEDULING = ROOT / "services" / "scheduling" / "src" / "tenfour_scheduling"
WEB = ROOT / "services" / "gateway" / "src" / "tenfour_gateway" / "web" / "js" / "reasons.js"


def _enum(path: Path, name: str) -> set[str]:
    text = path.read_text()
    body = text[text.index(f"class {name}(") :].split("\n\n")[0]
    return set(re.findall(r'^\s+[A-Z_]+ = "([a-z_]+)"', body, re.M))


def refusal_codes() -> set[str]:
    codes = _enum(SCHEDULING / "domain" / "slot_check.py", "SlotProblemCode")
    for path in SCHEDULING.rglob("*.py"):
        text = path.read_text()
        codes |= set(re.findall(r'(?:BookingProblem|_problem)\(\s*"([a-z_]+)"', text))
        if path.name == "transaction.py":
            codes |= set(re.findall(r'^\s+"[a-z_]+": \("([a-z_]+)", ', text, re.M))
            codes.add("refused")  # refusal()'s fallback
    return codes


def empty_codes() -> set[str]:
    return _enum(SCHEDULING / "domain" / "slots.py", "EmptyReason")


def _web_table(name: str) -> set[str]:
    text = WEB.read_text()
    body = text[text.index(f"const {name} = {{") :]
    return set(re.findall(r"^  (\w+): ", body[: body.index("\n};")], re.M))


def test_the_codes_are_found() -> None:
    assert {"too_soon", "officer_day_limit", "unlicensed", "group_full", "provider_limit"} <= refusal_codes()
    assert {"no_offers", "fully_booked"} <= empty_codes()


def test_every_refusal_code_has_words_in_the_cli_and_the_web_app() -> None:
    codes = refusal_codes()
    assert codes - set(REFUSALS) == set(), "add them to services/cli/src/tenfour_cli/reasons.py"
    assert codes - _web_table("REFUSALS") == set(), "add them to the gateway's js/reasons.js REFUSALS"


def test_every_empty_search_code_has_words_in_the_cli_and_the_web_app() -> None:
    codes = empty_codes()
    assert codes - set(EMPTY) == set()
    assert codes - _web_table("EMPTY") == set()
