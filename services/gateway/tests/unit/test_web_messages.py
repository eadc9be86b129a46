"""Every user-visible string of the web app goes through the message catalog, in both languages.

How to add a string: write t('Your text') (placeholders t('{0} seats', [n])) in the script, then
add "Your text" to web/i18n/en.json and its translation to web/i18n/es.json. See the gateway
README, "Web app languages".
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tenfour_gateway.app import WEB_ROOT

SCRIPTS = Path(WEB_ROOT) / "js"
CATALOGS = Path(WEB_ROOT) / "i18n"
# Words that are the same in Spanish; anything else equal to its English key is untranslated.
SAME_IN_SPANISH = frozenset(
    {
        "Tenfour",
        "No",
        "Chrome",
        "Edge",
        "Firefox",
        "Safari",
        "Android",
        "Linux",
        "Mac",
        "Windows",
        "{0} · Tenfour",
        "{0}: {1}",
        "Chat",
        "Trauma",
    }
)
_CALL = re.compile(r"\bt\(\s*'((?:[^'\\\n]|\\.)*)'")
_LITERAL = re.compile(r"(?<![\w\\])('((?:[^'\\\n]|\\.)*)'|`((?:[^`\\]|\\.)*)`)")
# Lines whose literals are code, not text: imports, selectors, event names, RPC names, storage keys.
_CODE = re.compile(
    r"^\s*(//|import |export \* )|querySelector|addEventListener|api\.call\(|\.key ===|getElementById|"
    r"setAttribute\('|createElement|console\.|localStorage|new URL|fetch\(|' in window|i18n-ignore"
)


def _prose(text: str) -> bool:
    """Whether a literal reads as words for a person (not a class, id, path or enum)."""
    plain = re.sub(r"\$\{[^}]*\}", "", text)
    if not re.search(r"[A-Za-z]{2,}", plain) or re.fullmatch(r"[A-Z0-9_]+", plain):
        return False
    if re.fullmatch(r"[\w.\-/:#\[\]=\"*>+~(),?&%]*", plain) and not re.fullmatch(
        r"[A-Z][a-z]*(-[a-z]+)?[a-z][.!?…]?", plain
    ):
        return False  # css classes, ids, paths, field names, camelCase names
    if re.search(r"^(#|/|\.|tenfour|https?:|class|data-)", plain) or re.search(r"[=;{]", plain):
        return False
    return bool(re.search(r"[A-Za-z]{2,}[ ,.:!?…]|[ (][A-Za-z]{2,}|^[A-Z][a-z]*(-[a-z]+)?[a-z]$", plain))


def _scripts() -> list[Path]:
    return sorted(p for p in SCRIPTS.rglob("*.js") if p.name != "i18n.js")


def _used() -> dict[str, list[str]]:
    used: dict[str, list[str]] = {}
    for path in _scripts():
        for n, line in enumerate(path.read_text().splitlines(), 1):
            for match in _CALL.finditer(line):
                key = match.group(1).replace("\\'", "'")
                used.setdefault(key, []).append(f"{path.relative_to(WEB_ROOT)}:{n}")
    return used


def _catalog(language: str) -> dict[str, str]:
    data = json.loads((CATALOGS / f"{language}.json").read_text())
    assert isinstance(data, dict)
    return data


def test_every_message_in_the_scripts_is_in_both_catalogs() -> None:
    problems = [
        f"{where[0]}: t({key!r}) is missing from web/i18n/{language}.json"
        for key, where in _used().items()
        for language in ("en", "es")
        if not _catalog(language).get(key)
    ]
    assert not problems, "\n".join(problems)


def test_spanish_is_translated_with_the_same_placeholders() -> None:
    es = _catalog("es")
    used = _used()
    problems = []
    for key, text in es.items():
        where = used.get(key, ["(unused)"])[0]
        if text == key and key not in SAME_IN_SPANISH:
            problems.append(f"{where}: {key!r} is not translated in web/i18n/es.json")
        if sorted(re.findall(r"\{\w+\}", text)) != sorted(re.findall(r"\{\w+\}", key)):
            problems.append(f"{where}: the Spanish of {key!r} has other placeholders: {text!r}")
    assert not problems, "\n".join(problems)


def test_catalogs_hold_exactly_the_messages_in_use() -> None:
    used = set(_used())
    for language in ("en", "es"):
        stale = sorted(set(_catalog(language)) - used)
        assert not stale, f"web/i18n/{language}.json has messages no script uses: {stale}"


# On a line that also calls code (an event name, an RPC, a selector), only the literals that are
# those calls' arguments are code: a message elsewhere on the line is still checked.
_SKIP_LINE = re.compile(r"^\s*(//|import |export \* )|i18n-ignore")
_CODE_ARGUMENT = re.compile(
    r"(addEventListener\(|api\.call\(|api\.call\('\w+',|querySelector(All)?\(|getElementById\(|"
    r"setAttribute\(|createElement\(|localStorage\.\w+\(|new URL\(|fetch\(|\.key ===|console\.\w+\()\s*$"
)


def _code_literal(line: str, start: int, end: int) -> bool:
    return bool(_CODE_ARGUMENT.search(line[:start].rstrip())) or line[end:].startswith(" in ")


def test_no_script_writes_text_outside_the_catalog() -> None:
    found = []
    for path in _scripts():
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if _SKIP_LINE.search(line):
                continue
            mixed = bool(_CODE.search(line))
            for match in _LITERAL.finditer(line):
                text = match.group(2) if match.group(2) is not None else match.group(3)
                before = line[: match.start()].rstrip()
                if before.endswith(("t(", "class:", "name:")) or not _prose(text):
                    continue
                if mixed and _code_literal(line, match.start(), match.end()):
                    continue
                found.append(f"{path.relative_to(WEB_ROOT)}:{n}: {match.group(1)[:80]} (wrap it in t(...))")
    assert not found, "Text written straight into a script:\n" + "\n".join(found)


def test_every_field_code_of_the_services_is_said_by_the_web_app() -> None:
    """The codes of tenfour_shared.field_texts (the gateway's field_reasons) each have words in
    js/reasons.js' FIELD_TEXTS, so a field error shows in the reader's language."""
    from tenfour_shared.field_texts import TEMPLATES

    script = (SCRIPTS / "reasons.js").read_text()
    table = script[script.index("const FIELD_TEXTS") :]
    table = table[: table.index("\n};")]
    said = set(re.findall(r"^  (\w+): ", table, re.M))
    assert said == set(TEMPLATES), (
        f"missing in reasons.js: {sorted(set(TEMPLATES) - said)}; unknown: {sorted(said - set(TEMPLATES))}"
    )


def test_every_refusal_code_of_the_services_is_said_by_the_web_app() -> None:
    """The codes of tenfour_shared.message_texts (the gateway's `reason`) each have words in
    js/refusals.js' MESSAGES, so a page-level refusal shows in the reader's language."""
    from tenfour_shared.message_texts import TEMPLATES

    script = (SCRIPTS / "refusals.js").read_text()
    table = script[script.index("const MESSAGES") :]
    table = table[: table.index("\n};")]
    said = set(re.findall(r"^  (\w+): ", table, re.M))
    assert said == set(TEMPLATES), (
        f"missing in refusals.js: {sorted(set(TEMPLATES) - said)}; unknown: {sorted(said - set(TEMPLATES))}"
    )


def test_every_reason_a_clinician_or_a_proposed_time_is_refused_for_is_said_by_the_web_app() -> None:
    """message_texts.WHY_CODES (the `why_code` of clinician_refused, proposed_time_refused) each
    have words in js/refusals.js' WHY."""
    from tenfour_shared.message_texts import WHY_CODES

    script = (SCRIPTS / "refusals.js").read_text()
    table = script[script.index("const WHY = {") :]
    table = table[: table.index("\n};")]
    assert set(re.findall(r"^  (\w+): ", table, re.M)) == set(WHY_CODES)
