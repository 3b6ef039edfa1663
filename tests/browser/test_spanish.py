"""The core loop in Spanish, in real Chromium on a 360 px phone, light and dark: create an account from the
Spanish page, Today, a craving in three taps with its details, the daily check-in, a goal with a step ticked off,
the days-sober counter, the safety plan and help. axe finds nothing, nothing scrolls sideways (Spanish runs longer
than English), and every page says lang="es". Screenshots are saved under tests/browser/artifacts/es-*.png."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import axe_violations
from tests.browser.test_first_visit import fits_the_screen

pytestmark = pytest.mark.browser


def check(page, screenshot, name: str) -> None:
    """The page is in Spanish, fits the phone, passes axe, in light and in dark."""
    assert page.locator("html").get_attribute("lang") == "es", page.url
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert fits_the_screen(page), (page.url, scheme)
        assert axe_violations(page) == [], (page.url, scheme)
        screenshot(f"es-{name}-{scheme}")
    page.emulate_media(color_scheme="light")


def test_the_core_loop_in_spanish(page, screenshot):
    page.goto("/register?lang=es")
    check(page, screenshot, "register")
    page.get_by_label("Tu nombre o un apodo").fill("Rocío")
    page.get_by_label("Correo electrónico").fill("rocio@example.org")
    page.get_by_label("Contraseña").fill("piedras del río y mañanas tranquilas")
    page.get_by_label("Tu zona horaria").select_option("America/Los_Angeles")
    page.get_by_role("button", name="Crear cuenta").click()
    page.wait_for_url(re.compile(r"/$"))
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text().endswith("Rocío")
    check(page, screenshot, "today")

    page.get_by_role("link", name="Tengo un deseo intenso de consumir").click()
    page.wait_for_url(re.compile(r"/log/craving$"))
    page.get_by_label("7", exact=True).check()
    check(page, screenshot, "craving")
    page.get_by_role("button", name="Guardar").click()
    page.wait_for_url(re.compile(r"/log/[0-9a-f-]{36}$"))
    assert "Guardado" in page.locator(".flashes").inner_text()
    page.get_by_label("Estrés").check()
    page.get_by_text("Más: HALT, la emoción, una nota, la hora").click()  # the optional parts are folded since issue 19
    page.get_by_label("Con cansancio").check()
    page.get_by_label("La estrategia que probaste").select_option("urge-surfing")
    page.get_by_label("El impulso pasó").check()
    check(page, screenshot, "craving-details")
    page.get_by_role("button", name="Guardar").click()
    page.wait_for_url(re.compile(r"/journal$"))
    assert "Estrés" in page.locator(".entries").inner_text()
    check(page, screenshot, "journal")

    page.goto("/")
    page.get_by_role("link", name="Hacer mi registro de hoy").click()
    page.get_by_label("4 · bien").check()
    page.get_by_label("2", exact=True).check()
    page.get_by_label("Horas que dormiste anoche").fill("7")
    page.get_by_label("No", exact=True).check()
    check(page, screenshot, "checkin")
    page.get_by_role("button", name="Guardar mi registro").click()
    page.wait_for_url(re.compile(r"/$"))
    assert "registro de hoy está hecho" in page.locator(".journal-today").inner_text()

    page.goto("/goals/new")
    check(page, screenshot, "goal-templates")
    page.get_by_role("link", name=re.compile("Crear una rutina de sueño")).click()
    check(page, screenshot, "goal-write")
    page.get_by_role("button", name="Guardar mi meta").click()
    page.wait_for_url(re.compile(r"/goals/\d+$"))
    assert "Tu meta está guardada" in page.locator(".flashes").inner_text()
    page.locator(".step-toggle").first.click()
    page.wait_for_load_state("networkidle")
    check(page, screenshot, "goal")

    page.goto("/journal/sober")
    check(page, screenshot, "sober")
    page.goto("/journal/insights")
    check(page, screenshot, "insights")
    page.goto("/support/safety-plan")
    check(page, screenshot, "safety-plan")
    page.goto("/sessions")
    check(page, screenshot, "sessions")
    page.goto("/settings")
    check(page, screenshot, "settings")
    page.goto("/help")
    check(page, screenshot, "help")


def test_an_entry_saved_offline_is_told_in_spanish(page, screenshot):
    from playwright.sync_api import expect

    from tests.browser.test_pwa import controlled

    page.goto("/register?lang=es")
    page.get_by_label("Tu nombre o un apodo").fill("Rocío")
    page.get_by_label("Correo electrónico").fill("rocio@example.org")
    page.get_by_label("Contraseña").fill("piedras del río y mañanas tranquilas")
    page.get_by_label("Tu zona horaria").select_option("America/Los_Angeles")
    page.get_by_role("button", name="Crear cuenta").click()
    page.wait_for_url(re.compile(r"/$"))
    page.wait_for_load_state("networkidle")
    page.goto("/log/craving")
    controlled(page)
    page.context.set_offline(True)
    page.get_by_label("7", exact=True).check()
    page.get_by_role("button", name="Guardar").click()
    expect(page.locator("[data-offline-note]")).to_contain_text("Guardado en este teléfono")
    expect(page.locator("[data-queue-status]")).to_contain_text("1 anotación está esperando para enviarse")
    assert "waiting to send" not in page.locator("main").inner_text()
    screenshot("es-offline-queued", full_page=False)
    page.context.set_offline(False)
