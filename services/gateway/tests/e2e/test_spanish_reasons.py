"""What the services explain reaches a Spanish reader in Spanish (issue 18): a time's reason on
Find a time, a refused booking and the waiting room's message come as codes with values and are
said from the catalog."""

from __future__ import annotations

import asyncio
import re
import secrets
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, expect

from tenfour_testing.system import THERAPIST_PASSWORD, System, publish_booking

from .conftest import LAPTOP, PHONE, PageProblems, new_page
from .test_live_updates import no_shot
from .test_officer_journey import GROUP, enter_pitman_rotation, set_round_the_clock_hours
from .test_video_session import OFFICER_PASSWORD, enrol_officer, sign_in_therapist

pytestmark = pytest.mark.e2e


async def test_a_spanish_reader_sees_a_times_reason_and_a_refusal_in_spanish(
    system: System, browser: Browser, problems: PageProblems, shot: Any
) -> None:
    agency = system.create_agency()
    email = f"rivera{secrets.token_hex(3)}@example.org"
    therapist_id = system.onboard_therapist(email, THERAPIST_PASSWORD, serves=(agency,))
    therapist_context, therapist = await new_page(browser, problems, "therapist", LAPTOP)
    await sign_in_therapist(therapist, system.url, email)
    await set_round_the_clock_hours(therapist, no_shot)
    await therapist.get_by_label("Language").select_option("es")  # the therapist reads Spanish too
    await expect(therapist.locator("html")).to_have_attribute("lang", "es")

    context, page = await new_page(browser, problems, "officer", PHONE)
    session = await enrol_officer(page, system.url, system.enrolment_code(agency))
    await enter_pitman_rotation(page, no_shot)
    await page.get_by_label("Language").select_option("es")
    await expect(page.locator("html")).to_have_attribute("lang", "es")
    await page.get_by_role("link", name="Buscar una hora", exact=True).click()
    await page.get_by_label("En", exact=True).select_option("7")
    show = page.get_by_role("button", name="Mostrar horas")
    async with asyncio.timeout(30):  # the therapist's hours reach scheduling as events
        while not await page.locator(".day-chip").count():
            await show.click()
            await expect(show).to_be_enabled()
    # Tomorrow is a day off (see enter_pitman_rotation): its times say so, in Spanish.
    tomorrow = date.today() + timedelta(days=1)
    await page.locator(f'.day-chip[data-day="{tomorrow.isoformat()}"]').click()
    first = page.locator(".day-panel details[open] li.slot").first
    await first.get_by_role("button").click()
    chosen = first.locator(GROUP).locator(".chosen")
    reason = chosen.locator(".slot-reason")
    span = r"\d+ (h|min)( \d+ min)?"
    waking = "(después de despertar|antes de su hora habitual de despertar)"
    await expect(reason).to_have_text(re.compile(rf"^Día libre, {span} {waking}$"))
    await chosen.get_by_role("button", name="Reservar esta hora").click()
    await expect(chosen.get_by_text("Reservada:")).to_be_visible()
    # The therapist's open page hears of it live, in Spanish, the time through Intl (not "UTC").
    await expect(therapist.locator("#live-news")).to_have_text(
        re.compile(r"^Tenfour: novedad: Se reservó una nueva sesión para el \w+, \d+ \w+, \d\d:\d\d\.$"),
        timeout=30_000,
    )

    # A second session that day: refused, in Spanish, without the service's English or its code.
    last_part = page.locator(".day-panel details.part").last
    if await last_part.get_attribute("open") is None:
        await last_part.locator("summary").click()
    later = last_part.locator("li.slot").last
    await later.get_by_role("button").click()
    chosen = later.locator(GROUP).locator(".chosen")
    await chosen.get_by_role("button", name="Reservar esta hora").click()
    await expect(chosen.locator(".notice.error")).to_have_text(
        "Reserva: Ya tiene las sesiones permitidas ese día."
    )
    text = await page.locator("main").inner_text()
    assert "day off" not in text
    assert "officer_day_limit" not in text
    await shot(page, "officer-find-a-time-spanish")

    # The waiting room, with the therapist already in the call: signaling's message, in Spanish.
    # (A session about to start, as scheduling announces it: the one booked above is tomorrow,
    # and rooms open at most a day ahead.)
    appointment = f"appt-{secrets.token_hex(6)}"
    await publish_booking(
        system.nats.url,
        appointment_id=appointment,
        agency_id=agency,
        provider_id=therapist_id,
        officer_id=session["user_id"],
    )
    await therapist.goto(f"{system.url}/#/call/{appointment}")
    async with asyncio.timeout(30):  # the room exists once signaling has consumed the event
        while await therapist.locator(".call-state").text_content() != "En la sesión":
            if await therapist.get_by_text("aún no está lista").count():
                await therapist.reload()
            await asyncio.sleep(0.25)
    await expect(therapist.locator(".call-state")).to_have_text("En la sesión")
    await page.goto(f"{system.url}/#/call/{appointment}")
    await expect(page.locator(".videos .overlay")).to_have_text(
        "Su terapeuta ya está aquí y le dejará entrar enseguida."
    )
    await context.close()
    await therapist_context.close()
    assert problems.items == []


@pytest.mark.parametrize("screen", [PHONE], ids=["phone"])
async def test_a_spanish_reader_sees_the_services_field_errors_in_spanish_next_to_the_field(
    system: System, browser: Browser, problems: PageProblems, screen: dict[str, int]
) -> None:
    """Identity refuses the password and the username (INVALID_ARGUMENT field violations): the
    gateway passes each violation's code and values, and the page says them from the Spanish
    catalog next to their fields, without the service's English."""
    code = system.enrolment_code(system.create_agency())
    context, page = await new_page(browser, problems, "officer", screen)
    await page.goto(f"{system.url}/#/enrol")
    await page.get_by_label("Language").select_option("es")  # reloads the page in Spanish
    await expect(page.locator("html")).to_have_attribute("lang", "es")
    await page.get_by_label("Código de la agencia").fill(code)
    await page.get_by_label("Usuario", exact=True).fill(f"1owl{secrets.token_hex(3)}")
    await page.get_by_label("Nombre visible").fill("Sam")
    for label in ("Contraseña", "Repita la contraseña"):
        await page.get_by_label(label, exact=True).fill("aaaaaaaa")
    await page.get_by_role("button", name="Entrar").click()
    password = page.locator(".field", has=page.get_by_label("Contraseña", exact=True)).locator(".field-error")
    await expect(password).to_have_text(
        "Contraseña: debe tener al menos 12 caracteres.\nContraseña: es demasiado repetitiva."
    )
    username = page.locator(".field", has=page.get_by_label("Usuario", exact=True)).locator(".field-error")
    await expect(username).to_have_text(
        "Usuario: debe empezar por una letra y usar solo a-z, 0-9, puntos, _ o -."
    )
    await expect(page.get_by_label("Contraseña", exact=True)).to_have_attribute("aria-invalid", "true")
    text = await page.locator("main").inner_text()
    assert "must" not in text, text
    assert "repetitive" not in text, text
    await context.close()
    assert problems.items == []


async def test_a_spanish_reader_sees_refusals_of_a_whole_request_in_spanish(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    """Refusals not tied to a field (a wrong password, a taken username, an unknown agency code)
    come with a code from the gateway (`reason`) and are said from the Spanish catalog."""
    agency = system.create_agency()
    username = f"owl{secrets.token_hex(3)}"
    context, page = await new_page(browser, problems, "officer", PHONE)
    await enrol_officer(page, system.url, system.enrolment_code(agency), username=username)
    await context.close()

    context, page = await new_page(browser, problems, "officer", PHONE)
    await page.goto(f"{system.url}/#/signin")
    await page.get_by_label("Language").select_option("es")  # reloads the page in Spanish
    await expect(page.locator("html")).to_have_attribute("lang", "es")
    await page.get_by_label("Usuario o correo").fill(username)
    await page.get_by_label("Contraseña", exact=True).fill("Not-The-Password-4411")
    await page.get_by_role("button", name="Iniciar sesión").click()
    await expect(page.locator(".form-summary")).to_have_text("Usuario, correo o contraseña incorrectos.")

    # Joining again with the same username (a fresh code): taken, said in Spanish.
    await page.goto(f"{system.url}/#/enrol")
    await page.get_by_label("Código de la agencia").fill(system.enrolment_code(agency))
    await page.get_by_label("Usuario", exact=True).fill(username)
    await page.get_by_label("Nombre visible").fill("Sam")
    for label in ("Contraseña", "Repita la contraseña"):
        await page.get_by_label(label, exact=True).fill(OFFICER_PASSWORD)
    await page.get_by_role("button", name="Entrar").click()
    await expect(page.locator(".form-summary")).to_have_text(
        "Este nombre de usuario ya está en uso. Elija otro."
    )
    text = await page.locator("main").inner_text()
    assert "invalid credentials" not in text
    assert "taken" not in text
    await context.close()
    assert problems.items == []


async def test_a_spanish_provider_sees_a_refused_language_in_spanish_next_to_the_field(
    system: System, browser: Browser, problems: PageProblems
) -> None:
    """A field text that had no code until now (identity's language tag) reads in Spanish."""
    email = f"rivera{secrets.token_hex(3)}@example.org"
    system.onboard_therapist(email, THERAPIST_PASSWORD, serves=(system.create_agency(),))
    context, page = await new_page(browser, problems, "therapist", PHONE)
    await sign_in_therapist(page, system.url, email)
    await page.get_by_label("Language").select_option("es")  # reloads the page in Spanish
    await expect(page.locator("html")).to_have_attribute("lang", "es")
    await page.get_by_role("link", name="Perfil", exact=True).click()
    languages = page.get_by_label("Idiomas en los que da sesiones")
    await expect(languages).to_be_visible()
    await languages.fill("en, english!")
    await page.get_by_role("button", name="Guardar perfil").click()
    await expect(languages).to_have_attribute("aria-invalid", "true")
    error = page.locator(".field", has=languages).locator(".field-error")
    await expect(error).to_have_text(
        "Idiomas en los que da sesiones: deben ser códigos de idioma como en o fr-CA."
    )
    text = await page.locator("main").inner_text()
    assert "BCP" not in text
    # The page speaks to the reader as "usted", like the rest of the app, not as "tú".
    assert not re.search(r"\b(tu|tus|te|ti)\b", text, re.I), text
    await context.close()
    assert problems.items == []
